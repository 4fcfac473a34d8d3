using System.Text.Json;
using ActorRollup.Harness.Supervisor;

namespace ActorRollup.IntegrationTests;

/// <summary>
/// <c>loadtest --chains 3</c> against a real two-silo cluster (<c>cluster up</c>): three chains side by side, each its own
/// genesis and committee, each reported and audited, and the aggregate is their sum.
/// </summary>
[Collection(LocalClusterCollection.Name)]
public sealed class ChainsLoadTestTests : IDisposable
{
    private readonly string _state = Directory.CreateTempSubdirectory("actorrollup-chains-").FullName;
    private readonly string _out = Path.Combine(Path.GetTempPath(), "actorrollup-chains-out-" + Guid.NewGuid().ToString("N")[..8]);

    public void Dispose()
    {
        var record = new ClusterStateFolder(_state).Load();
        foreach (var silo in record?.Silos ?? [])
            if (LocalProcess.IsAlive(silo.Pid, silo.ProcessStart)) LocalProcess.Kill(silo.Pid);
        Directory.Delete(_state, recursive: true);
        if (Directory.Exists(_out)) Directory.Delete(_out, recursive: true);
    }

    [Fact]
    public async Task Three_chains_side_by_side_are_each_reported_and_audited_and_the_aggregate_is_their_sum()
    {
        var siloBase = ClusterCommandTests.FreePortPair();
        var gatewayBase = ClusterCommandTests.FreePortPair(siloBase);
        var (exit, stdout, stderr) = await ClusterCommandTests.Run("cluster", "up", "--silos", "2", "--silo-port", siloBase.ToString(),
            "--gateway-port", gatewayBase.ToString(), "--state", _state);
        Assert.True(exit == 0, $"cluster up: exit {exit}: {stderr}\n{stdout}");

        (exit, stdout, stderr) = await ClusterCommandTests.Run("loadtest", "--gateway", $"127.0.0.1:{gatewayBase}", "--gateway", $"127.0.0.1:{gatewayBase + 1}",
            "--state", _state, "--chains", "3", "--committee", "4", "--validators", "2", "--accounts", "120", "--rate", "150",
            "--duration", "3s", "--warmup", "1s", "--drain", "40s", "--leader-timeout", "3000", "--out", _out);
        Assert.True(exit == 0, $"loadtest: exit {exit}: {stderr}\n{stdout}");

        using var json = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(_out, "results.json")));
        var runs = json.RootElement.GetProperty("runs").EnumerateArray().ToList();
        Assert.Equal(3, runs.Count);
        Assert.Equal([1, 2, 3], runs.Select(r => r.GetProperty("chainIndex").GetInt32()).Order());
        Assert.All(runs, r => Assert.Equal(3, r.GetProperty("chains").GetInt32()));
        var ids = runs.Select(r => r.GetProperty("chainId").GetString()!).ToList();
        Assert.Equal(3, ids.Distinct().Count());
        foreach (var r in runs)
        {
            Assert.True(r.GetProperty("txCommitted").GetInt64() > 0, r.ToString());
            Assert.Equal(0, r.GetProperty("txLost").GetInt64());
            Assert.Equal(0, r.GetProperty("txDuplicated").GetInt64());
            Assert.True(r.GetProperty("supplyConserved").GetBoolean());
            Assert.True(r.GetProperty("audit").GetProperty("passed").GetBoolean(), r.GetProperty("audit").ToString());
        }

        var aggregate = Assert.Single(json.RootElement.GetProperty("aggregates").EnumerateArray());
        Assert.Equal(4, aggregate.GetProperty("committeeSize").GetInt32());
        Assert.Equal(3, aggregate.GetProperty("chains").GetInt32());
        Assert.Equal(ids.Order(), aggregate.GetProperty("chainIds").EnumerateArray().Select(e => e.GetString()!).Order());
        Assert.Equal(runs.Sum(r => r.GetProperty("committedTps").GetDouble()), aggregate.GetProperty("committedTps").GetDouble(), 0.5);
        Assert.Equal(runs.Sum(r => r.GetProperty("txCommitted").GetInt64()), aggregate.GetProperty("txCommitted").GetInt64());
        Assert.True(aggregate.GetProperty("auditPassed").GetBoolean());
        Assert.Contains("committee 4, 3 chains:", stdout);
        Assert.Contains("**4, 3 chains**", await File.ReadAllTextAsync(Path.Combine(_out, "summary.md")));

        (exit, _, stderr) = await ClusterCommandTests.Run("cluster", "down", "--state", _state);
        Assert.True(exit == 0, stderr);
    }
}
