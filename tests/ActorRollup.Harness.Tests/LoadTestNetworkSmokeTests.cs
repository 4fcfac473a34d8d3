using System.Text.Json;

namespace ActorRollup.Harness.Tests;

/// <summary>
/// One short embedded load test over a two-region network (A and B 60 ms apart, members dealt round-robin A, B, A, B):
/// every quorum of a 4-member committee crosses the regions whatever the stakes (either region holds at most 120k of the
/// 200k genesis stake, a quorum needs more than 133k), so every block's attestation round pays at least 60 ms.
/// </summary>
public sealed class LoadTestNetworkSmokeTests(TwoRegionMatrix matrix) : IClassFixture<TwoRegionMatrix>
{
    [Fact]
    public async Task A_loadtest_over_two_regions_records_the_network_and_pays_the_cross_region_round_trip()
    {
        var output = Path.Combine(matrix.Folder, "results");
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var exit = await Cli.RunAsync(["loadtest", "--committee", "4", "--validators", "2", "--accounts", "200", "--rate", "300",
            "--duration", "3s", "--warmup", "1s", "--drain", "30s", "--block-interval", "100", "--leader-timeout", "2000",
            "--network", matrix.File, "--regions", "A,B", "--faults", "heal@2s", "--out", output], stdout, stderr);
        Assert.True(exit == 0, $"exit {exit}: {stderr}\n{stdout}");

        using var json = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(output, "results.json")));
        var run = Assert.Single(json.RootElement.GetProperty("runs").EnumerateArray());
        var network = run.GetProperty("network");
        Assert.Equal(matrix.File, network.GetProperty("file").GetString());
        Assert.Equal("A", network.GetProperty("clientRegion").GetString());
        var members = network.GetProperty("members").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString());
        Assert.Equal(new Dictionary<string, string?> { ["seq-000"] = "A", ["seq-001"] = "B", ["seq-002"] = "A", ["seq-003"] = "B" }, members);
        var validators = network.GetProperty("validators").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString());
        Assert.Equal(new Dictionary<string, string?> { ["val-00"] = "A", ["val-01"] = "B" }, validators);

        Assert.Equal(60, run.GetProperty("quorumRttMs").GetDouble());
        var rtt = run.GetProperty("attestationRttMs").GetProperty("p50").GetDouble();
        Assert.True(rtt >= 60, $"attestation rtt p50 {rtt} ms, below the 60 ms every quorum needs\n{stdout}");
        var breakdown = run.GetProperty("softConfirmBreakdownMs");
        var round = breakdown.GetProperty("attestationRound").GetProperty("p50").GetDouble();
        Assert.True(round >= 60, $"attestation round p50 {round} ms\n{stdout}");
        Assert.True(breakdown.GetProperty("queueing").TryGetProperty("p99", out _));
        Assert.True(breakdown.GetProperty("commit").TryGetProperty("p99", out _));
        Assert.True(run.GetProperty("blockIntervalMs").GetProperty("p50").GetDouble() > 0, stdout.ToString());
        Assert.Equal(100, run.GetProperty("targetBlockIntervalMs").GetInt32());

        var fault = Assert.Single(run.GetProperty("faults").EnumerateArray());
        Assert.Equal("heal", fault.GetProperty("kind").GetString());
        Assert.Equal("all", fault.GetProperty("target").GetString());
        Assert.True(run.GetProperty("txAdmitted").GetInt64() > 0);
        Assert.Equal(0, run.GetProperty("txLost").GetInt64());
        Assert.Equal(0, run.GetProperty("txDuplicated").GetInt64());
        Assert.Contains("quorum rtt 60 ms", await File.ReadAllTextAsync(Path.Combine(output, "summary.md")));
        Assert.Contains("soft-confirm p50/p99 = queueing", stdout.ToString());
    }
}
