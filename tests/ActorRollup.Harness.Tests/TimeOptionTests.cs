using ActorRollup.Harness.LoadTest;

namespace ActorRollup.Harness.Tests;

/// <summary>
/// Every time option of every command, run in-process: a good value in any unit is taken (a bare number in the option's
/// documented unit), and every bad value shape is a usage error (exit 2) with exactly one stderr line naming the
/// option and nothing on stdout — before any silo starts.
/// </summary>
public class TimeOptionTests
{
    /// <summary>One time option: the arguments around it that make the rest of the command line valid.</summary>
    public sealed record TimeOption(string Name, string[] Before, string[] After, bool BareIsMilliseconds, bool ZeroAllowed)
    {
        public string[] With(string value) => [.. Before, Name, value, .. After];
        public override string ToString() => string.Join(' ', With("T"));
    }

    private static readonly TimeOption[] All =
    [
        new("--duration", ["loadtest"], [], BareIsMilliseconds: false, ZeroAllowed: false),
        new("--warmup", ["loadtest"], [], BareIsMilliseconds: false, ZeroAllowed: true),
        new("--drain", ["loadtest"], [], BareIsMilliseconds: false, ZeroAllowed: true),
        new("--block-interval", ["loadtest"], [], BareIsMilliseconds: true, ZeroAllowed: false),
        new("--leader-timeout", ["loadtest"], [], BareIsMilliseconds: true, ZeroAllowed: false),
        new("--interval", ["status", "--watch"], [], BareIsMilliseconds: true, ZeroAllowed: false),
        new("--timeout", ["transfer", "--from-account", "0", "--to-account", "1", "--amount", "1", "--wait", "soft"], [], BareIsMilliseconds: false, ZeroAllowed: false),
        new("--timeout", ["cluster", "up"], [], BareIsMilliseconds: false, ZeroAllowed: false),
        new("--timeout", ["cluster", "down"], [], BareIsMilliseconds: false, ZeroAllowed: false),
        new("--delay", ["fault", "slow", "--target", "seq-0"], [], BareIsMilliseconds: true, ZeroAllowed: false),
    ];

    private static readonly string[] BadShapes =
        ["1e300s", "1e3", "NaNs", "NaN", "Infinity", "-Infinity", "-1s", "-5", "abc", "10 s", "1.2.3s", "5h", "0.5ms", "99999999999999999999s", "2000m"];

    public static TheoryData<TimeOption, string> BadValues()
    {
        var data = new TheoryData<TimeOption, string>();
        foreach (var option in All)
        {
            foreach (var bad in BadShapes) data.Add(option, bad);
            if (!option.ZeroAllowed)
            {
                data.Add(option, "0");
                data.Add(option, "0ms");
            }
        }
        return data;
    }

    public static TheoryData<TimeOption> Options()
    {
        var data = new TheoryData<TimeOption>();
        foreach (var option in All) data.Add(option);
        return data;
    }

    private static async Task<(int Exit, string Stdout, string Stderr)> RunAsync(params string[] args)
    {
        var stdout = new StringWriter { NewLine = "\n" };
        var stderr = new StringWriter { NewLine = "\n" };
        var exit = await Cli.RunAsync(args, stdout, stderr).WaitAsync(TimeSpan.FromSeconds(30));
        return (exit, stdout.ToString(), stderr.ToString());
    }

    private static void AssertUsageError((int Exit, string Stdout, string Stderr) run, string mustName)
    {
        Assert.Equal(ExitCodes.Usage, run.Exit);
        Assert.Equal("", run.Stdout);
        var line = Assert.Single(run.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("error: ", line);
        Assert.Contains(mustName, line);
    }

    [Theory]
    [MemberData(nameof(BadValues))]
    public async Task A_bad_time_is_one_usage_error_naming_the_option(TimeOption option, string value)
    {
        var run = await RunAsync(option.With(value));
        AssertUsageError(run, option.Name);
        Assert.Contains($"'{value}'", run.Stderr);
    }

    [Theory]
    [MemberData(nameof(Options))]
    public void Units_are_taken_and_a_bare_number_keeps_the_options_unit(TimeOption option)
    {
        foreach (var (text, milliseconds) in new[] { ("250ms", 250L), ("2s", 2_000L), ("1m", 60_000L), ("1.5s", 1_500L), ("300", option.BareIsMilliseconds ? 300L : 300_000L) })
        {
            var parse = Cli.CreateRootCommand().Parse(option.With(text));
            Assert.Empty(parse.Errors);
            var value = option.Name is "--leader-timeout" or "--delay" ? parse.GetValue<TimeSpan?>(option.Name) : parse.GetValue<TimeSpan>(option.Name);
            Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), value);
        }
    }

    [Theory]
    [InlineData("1e300s")]
    [InlineData("NaNs")]
    [InlineData("Infinity")]
    [InlineData("-1s")]
    [InlineData("soon")]
    public async Task A_bad_fault_time_is_one_usage_error_naming_the_fault(string time)
    {
        var run = await RunAsync("loadtest", "--faults", $"leader-crash@{time}");
        AssertUsageError(run, "--faults");
        Assert.Contains($"leader-crash@{time}", run.Stderr);
    }

    [Theory]
    [InlineData("5s", "30s", "leader-crash@36s")]
    [InlineData("5s", "30s", "leader-crash@10s,slow-leader@35001ms")]
    [InlineData("0", "10s", "reorder@11")]
    [InlineData("2s", "1m", "censorship@2m")]
    public async Task A_fault_after_the_run_is_refused_naming_it(string warmup, string duration, string faults)
    {
        var run = await RunAsync("loadtest", "--warmup", warmup, "--duration", duration, "--faults", faults);
        AssertUsageError(run, "--faults");
        var late = faults.Split(',')[^1];
        Assert.Contains($"fault '{late.Split('@')[0]}@", run.Stderr);
        Assert.Contains("after the run ends", run.Stderr);
    }

    [Theory]
    [InlineData(5_000, 30_000, 35_000, false)]
    [InlineData(5_000, 30_000, 35_001, true)]
    [InlineData(5_000, 30_000, 0, false)]
    [InlineData(0, 10_000, 10_000, false)]
    [InlineData(0, 10_000, 10_500, true)]
    public void Fault_times_count_from_the_start_of_traffic_and_end_with_the_window(long warmupMs, long durationMs, long atMs, bool refused)
    {
        var faults = new[] { new FaultSpec("leader-crash", TimeSpan.FromMilliseconds(atMs)) };
        var error = FaultSpec.PastTheEnd(faults, TimeSpan.FromMilliseconds(warmupMs), TimeSpan.FromMilliseconds(durationMs));
        Assert.Equal(refused, error is not null);
    }
}
