using System.Text.Json;
using ActorRollup.Harness;

[assembly: CollectionBehavior(DisableTestParallelization = true)]

namespace ActorRollup.IntegrationTests;

/// <summary>One few-second load test through the harness (its own embedded silo), shared by the smoke checks.</summary>
public sealed class SmokeRun : IAsyncLifetime
{
    public string Output { get; } = Path.Combine(Path.GetTempPath(), "actorrollup-smoke-" + Guid.NewGuid().ToString("N")[..8]);
    public int Exit { get; private set; }
    public StringWriter Stdout { get; } = new();
    public StringWriter Stderr { get; } = new();

    public async Task InitializeAsync() =>
        Exit = await Cli.RunAsync(["loadtest", "--committee", "4", "--validators", "2", "--accounts", "200", "--rate", "400",
            "--duration", "4s", "--warmup", "1s", "--drain", "30s", "--block-interval", "100", "--leader-timeout", "2000",
            "--faults", "byzantine-root@2s", "--out", Output], Stdout, Stderr);

    public Task DisposeAsync()
    {
        if (Directory.Exists(Output)) Directory.Delete(Output, recursive: true);
        return Task.CompletedTask;
    }
}

/// <summary>
/// A few-second load test end to end through the harness (its own embedded silo): results.json carries every field
/// other tools read, nothing admitted is lost or duplicated, supply is conserved, and the charts and summary exist;
/// --compare reads real result folders.
/// </summary>
public sealed class LoadTestSmokeTests(SmokeRun smoke) : IClassFixture<SmokeRun>
{
    [Fact]
    public async Task A_short_loadtest_writes_complete_results_and_loses_nothing()
    {
        var output = smoke.Output;
        var stdout = smoke.Stdout;
        var stderr = smoke.Stderr;
        var exit = smoke.Exit;
        Assert.True(exit == 0, $"exit {exit}: {stderr}\n{stdout}");

        using var json = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(output, "results.json")));
        var root = json.RootElement;
        Assert.True(root.GetProperty("machine").GetProperty("cores").GetInt32() > 0);
        Assert.True(root.GetProperty("ceilings").GetProperty("ed25519VerifyPerSec").GetDouble() > 0);
        Assert.True(root.GetProperty("ceilings").GetProperty("orleansCallsPerSec").GetDouble() > 0);
        var run = Assert.Single(root.GetProperty("runs").EnumerateArray());
        foreach (var field in new[] { "committeeSize", "validators", "durationSec", "offeredTps", "committedTps", "latencyMs", "blocks", "epochs",
                     "leaderChanges", "failovers", "rollbacks", "slashes", "txAdmitted", "txCommitted", "txLost", "txDuplicated",
                     "supplyConserved", "attestationRttMs" })
            Assert.True(run.TryGetProperty(field, out _), $"results.json lacks runs[].{field}");
        foreach (var level in new[] { "softConfirm", "validated", "finalized" })
            foreach (var p in new[] { "p50", "p95", "p99" })
                Assert.True(run.GetProperty("latencyMs").GetProperty(level).TryGetProperty(p, out _), $"latencyMs.{level}.{p} missing");
        Assert.True(run.GetProperty("attestationRttMs").TryGetProperty("p99", out _));
        // An embedded run's placement: one sample at the start, its one silo hosting the chain-wide grains and the committee.
        var start = Assert.Single(run.GetProperty("placement").EnumerateArray());
        Assert.Equal("start", start.GetProperty("after").GetString());
        var silo = Assert.Single(start.GetProperty("silos").EnumerateArray());
        var hosted = silo.GetProperty("grains").EnumerateArray().Select(g => g.GetString()).ToList();
        Assert.Contains("chain", hosted);
        Assert.Contains("sequencer seq-000", hosted);

        Assert.Equal(4, run.GetProperty("committeeSize").GetInt32());
        Assert.True(run.GetProperty("txAdmitted").GetInt64() > 0);
        Assert.Equal(0, run.GetProperty("txLost").GetInt64());
        Assert.Equal(0, run.GetProperty("txDuplicated").GetInt64());
        Assert.True(run.GetProperty("supplyConserved").GetBoolean(), stdout.ToString());
        Assert.True(run.GetProperty("committedTps").GetDouble() > 0, stdout.ToString());
        // The byzantine root was caught and rolled back.
        Assert.True(run.GetProperty("rollbacks").GetArrayLength() >= 1, "the injected wrong root was rolled back");
        // The chain audit replayed the run's chain from genesis, rollback included, and found nothing wrong.
        var audit = run.GetProperty("audit");
        Assert.True(audit.GetProperty("passed").GetBoolean(), audit.ToString());
        Assert.Equal(0, audit.GetProperty("violations").GetArrayLength());
        Assert.True(audit.GetProperty("blocks").GetInt32() >= run.GetProperty("blocks").GetInt32(), audit.ToString()); // it runs after the figures are read
        Assert.True(audit.GetProperty("transactions").GetInt64() >= run.GetProperty("txCommitted").GetInt64(), audit.ToString());
        Assert.True(audit.GetProperty("rollbacks").GetInt32() >= 1, audit.ToString());
        Assert.Contains("audit passed", stdout.ToString());
        Assert.Contains("audit (`rollup verify`): **passed**", await File.ReadAllTextAsync(Path.Combine(output, "summary.md")));
        foreach (var file in new[] { "results.csv", "summary.md", "throughput_vs_committee.png", "p99_vs_committee.png", "finality_vs_committee.png", "run_c4_tps.png" })
            Assert.True(new FileInfo(Path.Combine(output, file)).Length > 0, $"{file} missing or empty");
        // Offered and committed are counted over the same window, and the summary says so.
        Assert.Contains("both over the measured window", await File.ReadAllTextAsync(Path.Combine(output, "summary.md")));
        Assert.Contains("both over the measured window", stdout.ToString());
        Assert.Equal(4.0, run.GetProperty("durationSec").GetDouble());
        Assert.Equal(1.0, run.GetProperty("warmupSec").GetDouble());
        var phases = run.GetProperty("phasesSec");
        Assert.True(phases.GetProperty("window").GetDouble() >= 4.0, phases.ToString());
        Assert.True(phases.GetProperty("audit").GetDouble() > 0, phases.ToString());
    }

    [Fact]
    public void Compare_overlays_two_real_result_folders()
    {
        Assert.True(smoke.Exit == 0, $"the smoke run failed: {smoke.Stderr}");
        // A second real result folder: the same run's files under another name.
        var second = smoke.Output + "-again";
        var output = smoke.Output + "-compare";
        try
        {
            Directory.CreateDirectory(second);
            File.Copy(Path.Combine(smoke.Output, "results.json"), Path.Combine(second, "results.json"));
            var stdout = new StringWriter();
            var stderr = new StringWriter();
            var exit = Cli.Run(["loadtest", "--compare", smoke.Output, second, "--out", output], stdout, stderr);
            Assert.True(exit == 0, $"exit {exit}: {stderr}");
            Assert.Contains($"| {Path.GetFileName(smoke.Output)} | 4 |", stdout.ToString());
            Assert.Contains($"| {Path.GetFileName(second)} | 4 |", stdout.ToString());
            foreach (var file in new[] { "compare_throughput.png", "compare_p99.png", "comparison.md" })
                Assert.True(new FileInfo(Path.Combine(output, file)).Length > 0, $"{file} missing or empty");
        }
        finally
        {
            foreach (var folder in new[] { second, output })
                if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        }
    }
}
