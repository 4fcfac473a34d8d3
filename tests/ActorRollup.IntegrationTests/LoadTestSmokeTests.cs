using System.Text.Json;
using ActorRollup.Harness;

[assembly: CollectionBehavior(DisableTestParallelization = true)]

namespace ActorRollup.IntegrationTests;

/// <summary>
/// A few-second load test end to end through the harness (its own embedded silo): results.json carries every field
/// other tools read, nothing admitted is lost or duplicated, supply is conserved, and the charts and summary exist.
/// </summary>
public sealed class LoadTestSmokeTests
{
    [Fact]
    public async Task A_short_loadtest_writes_complete_results_and_loses_nothing()
    {
        var output = Path.Combine(Path.GetTempPath(), "actorrollup-smoke-" + Guid.NewGuid().ToString("N")[..8]);
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var exit = await Cli.RunAsync(["loadtest", "--committee", "4", "--validators", "2", "--accounts", "200", "--rate", "400",
            "--duration", "4s", "--warmup", "1s", "--drain", "30s", "--block-interval", "100", "--leader-timeout", "2000",
            "--faults", "byzantine-root@2s", "--out", output], stdout, stderr);
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
        foreach (var file in new[] { "results.csv", "summary.md", "throughput_vs_committee.png", "p99_vs_committee.png", "run_c4_tps.png" })
            Assert.True(new FileInfo(Path.Combine(output, file)).Length > 0, $"{file} missing or empty");
        Directory.Delete(output, recursive: true);
    }
}
