using ActorRollup.Harness;

namespace ActorRollup.Harness.Tests;

/// <summary>The <c>rollup schedule</c> command, run in-process through <see cref="Cli.Run"/>.</summary>
public class ScheduleCommandTests
{
    private static (int Exit, string Stdout, string Stderr) Run(params string[] args)
    {
        var stdout = new StringWriter { NewLine = "\n" };
        var stderr = new StringWriter { NewLine = "\n" };
        int exit = Cli.Run(args, stdout, stderr);
        return (exit, stdout.ToString(), stderr.ToString());
    }

    private static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    [Fact]
    public void WeightedRoundRobin_SampleOutput()
    {
        var (exit, stdout, stderr) = Run("schedule", "--algorithm", "weighted-round-robin", "--members", "foo:1000,bar:300,baz:330", "--epochs", "12");
        Assert.Equal(0, exit);
        Assert.Equal("", stderr);
        Assert.Equal("foo\nbaz\nfoo\nbar\nfoo\nfoo\nbaz\nfoo\nbar\nfoo\nfoo\nbaz\n", stdout);
    }

    [Fact]
    public void DefaultAlgorithmIsWeightedRoundRobin_99Epochs()
    {
        var explicitAlgorithm = Run("schedule", "--algorithm", "weighted-round-robin", "--members", "foo:1000,bar:300,baz:330", "--epochs", "99");
        var defaulted = Run("schedule", "--members", "foo:1000,bar:300,baz:330", "--epochs", "99");
        Assert.Equal(0, defaulted.Exit);
        Assert.Equal(explicitAlgorithm.Stdout, defaulted.Stdout);
        var lines = Lines(defaulted.Stdout);
        Assert.Equal(99, lines.Length);
        Assert.Equal(["foo", "baz", "foo", "bar"], lines.Take(4));
        Assert.All(lines, l => Assert.Contains(l, new[] { "foo", "bar", "baz" }));
    }

    [Fact]
    public void StakeLottery_SampleOutput_AndSeedDefaultsToZero()
    {
        var (exit, stdout, stderr) = Run("schedule", "--algorithm", "stake-lottery", "--seed", "7", "--members", "foo:1000,bar:300,baz:330", "--epochs", "12");
        Assert.Equal(0, exit);
        Assert.Equal("", stderr);
        Assert.Equal(["baz", "foo", "foo", "foo", "baz", "foo", "foo", "foo", "baz", "bar", "baz", "bar"], Lines(stdout));

        Assert.Equal(
            Run("schedule", "--algorithm", "stake-lottery", "--seed", "0", "--members", "foo:1000,bar:300,baz:330", "--epochs", "12").Stdout,
            Run("schedule", "--algorithm", "stake-lottery", "--members", "foo:1000,bar:300,baz:330", "--epochs", "12").Stdout);
        Assert.Equal(0, Run("schedule", "--algorithm", "stake-lottery", "--seed", "18446744073709551615", "--members", "a:1", "--epochs", "1").Exit);
    }

    [Fact]
    public void Json_PrintsAnArrayOfIds()
    {
        var (exit, stdout, stderr) = Run("schedule", "--members", "foo:1000,bar:300,baz:330", "--epochs", "4", "--json");
        Assert.Equal(0, exit);
        Assert.Equal("", stderr);
        Assert.Equal("[\"foo\",\"baz\",\"foo\",\"bar\"]\n", stdout);
        Assert.Equal(["foo", "baz", "foo", "bar"], System.Text.Json.JsonSerializer.Deserialize<string[]>(stdout)!);

        var quoted = Run("schedule", "--members", "a\"b:1", "--epochs", "1", "--json");
        Assert.Equal(["a\"b"], System.Text.Json.JsonSerializer.Deserialize<string[]>(quoted.Stdout)!);
    }

    [Theory]
    [InlineData("weighted-round-robin")]
    [InlineData("stake-lottery")]
    public void MemberOrderIrrelevant(string algorithm)
    {
        var a = Run("schedule", "--algorithm", algorithm, "--seed", "3", "--members", "foo:1000,bar:300,baz:330", "--epochs", "200");
        var b = Run("schedule", "--algorithm", algorithm, "--seed", "3", "--members", "baz:330,foo:1000,bar:300", "--epochs", "200");
        var c = Run("schedule", "--algorithm", algorithm, "--seed", "3", "--members", " bar : 300 , baz:330,foo:1000 ", "--epochs", "200");
        Assert.Equal(0, a.Exit);
        Assert.Equal(a.Stdout, b.Stdout);
        Assert.Equal(a.Stdout, c.Stdout);
    }

    public static TheoryData<string[], string> BadInputs => new()
    {
        { ["schedule", "--epochs", "3"], "error: Option '--members' is required." },
        { ["schedule", "--members", "", "--epochs", "3"], "error: no members given (expected ID:POWER[,ID:POWER...])" },
        { ["schedule", "--members", "  ", "--epochs", "3"], "error: no members given (expected ID:POWER[,ID:POWER...])" },
        { ["schedule", "--members", "foo", "--epochs", "3"], "error: member 'foo' has no power (expected ID:POWER)" },
        { ["schedule", "--members", "foo:", "--epochs", "3"], "error: member 'foo' has no power (expected ID:POWER)" },
        { ["schedule", "--members", ":5", "--epochs", "3"], "error: member ':5' has an empty id (expected ID:POWER)" },
        { ["schedule", "--members", "foo:1,,bar:2", "--epochs", "3"], "error: empty member entry in 'foo:1,,bar:2' (expected ID:POWER[,ID:POWER...])" },
        { ["schedule", "--members", "foo:0", "--epochs", "3"], "error: power of member 'foo' must be positive, got 0" },
        { ["schedule", "--members", "foo:-5", "--epochs", "3"], "error: power of member 'foo' must be positive, got -5" },
        { ["schedule", "--members", "foo:1.5", "--epochs", "3"], "error: power '1.5' of member 'foo' is not an integer" },
        { ["schedule", "--members", "foo:ten", "--epochs", "3"], "error: power 'ten' of member 'foo' is not an integer" },
        { ["schedule", "--members", "foo:1e3", "--epochs", "3"], "error: power '1e3' of member 'foo' is not an integer" },
        { ["schedule", "--members", "foo:99999999999999999999", "--epochs", "3"], "error: power '99999999999999999999' of member 'foo' is out of range" },
        { ["schedule", "--members", "foo:1000,bar:3,foo:300", "--epochs", "3"], "error: duplicate member id 'foo'" },
        { ["schedule", "--members", "foo:9223372036854775807", "--epochs", "3"], "error: total power exceeds the maximum 1152921504606846975 (long.MaxValue/8)" },
        { ["schedule", "--members", "foo:1", "--epochs", "3", "--algorithm", "round-robin"], "error: unknown algorithm 'round-robin' (expected weighted-round-robin or stake-lottery)" },
        { ["schedule", "--members", "foo:1", "--epochs", "3", "--algorithm", "Stake-Lottery"], "error: unknown algorithm 'Stake-Lottery' (expected weighted-round-robin or stake-lottery)" },
        { ["schedule", "--members", "foo:1"], "error: Option '--epochs' is required." },
        { ["schedule", "--members", "foo:1", "--epochs", "0"], "error: --epochs must be at least 1, got 0" },
        { ["schedule", "--members", "foo:1", "--epochs", "-4"], "error: --epochs must be at least 1, got -4" },
        { ["schedule", "--members", "foo:1", "--epochs", "many"], "error: --epochs must be an integer from 1 to 2147483647, got 'many'" },
        { ["schedule", "--members", "foo:1", "--epochs", "1.5"], "error: --epochs must be an integer from 1 to 2147483647, got '1.5'" },
        { ["schedule", "--members", "foo:1", "--epochs", "99999999999"], "error: --epochs must be an integer from 1 to 2147483647, got '99999999999'" },
        { ["schedule", "--members", "foo:1", "--epochs"], "error: Required argument missing for option: '--epochs'." },
        { ["schedule", "--members", "foo:1", "--epochs", "3", "--seed", "-1"], "error: --seed must be an unsigned 64-bit integer, got '-1'" },
        { ["schedule", "--members", "foo:1", "--epochs", "3", "--seed", "18446744073709551616"], "error: --seed must be an unsigned 64-bit integer, got '18446744073709551616'" },
        { ["schedule", "--members", "foo:1", "--epochs", "3", "--seed", "x"], "error: --seed must be an unsigned 64-bit integer, got 'x'" },
        { ["schedule", "--members", "foo:1", "--epochs", "3", "--bogus"], "error: unrecognized command or argument '--bogus'" },
        { ["schedule", "--members", "foo:1", "--epochs", "3", "extra"], "error: unrecognized command or argument 'extra'" },
        { ["schedule", "--members", "foo:1", "--epochs", "3", "--epochs", "4"], "error: Option '--epochs' expects a single argument but 2 were provided." },
        { ["schedule", "--members", "foo:1", "--epochs", "3", "--json", "maybe"], "error: unrecognized command or argument 'maybe'" },
        { ["scheduel", "--members", "foo:1", "--epochs", "3"], "error: unrecognized command or argument 'scheduel'" },
        { [], "error: Required command was not provided." },
    };

    [Theory]
    [MemberData(nameof(BadInputs))]
    public void BadInput_ExitsTwo_OneStderrLine_EmptyStdout(string[] args, string expectedError)
    {
        var (exit, stdout, stderr) = Run(args);
        Assert.Equal(2, exit);
        Assert.Equal("", stdout);
        Assert.Equal(expectedError + "\n", stderr);
    }

    [Fact]
    public void Help_GoesToStdout_ExitZero()
    {
        var (exit, stdout, stderr) = Run("schedule", "--help");
        Assert.Equal(0, exit);
        Assert.Equal("", stderr);
        Assert.Contains("--members", stdout);
        Assert.Contains("stake-lottery", stdout);
    }
}
