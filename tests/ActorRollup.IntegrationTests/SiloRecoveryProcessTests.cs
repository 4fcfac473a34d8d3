using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.RegularExpressions;
using ActorRollup.Harness.Supervisor;
using ActorRollup.IntegrationTests.Redis;
using Xunit.Abstractions;

namespace ActorRollup.IntegrationTests;

/// <summary>A test of silos on distinct loopback addresses: it needs Linux (all of 127.0.0.0/8 is loopback) and
/// redis-server (Redis clustering); skipped with the reason otherwise (Redis required under ACTORROLLUP_REQUIRE_REDIS=1).</summary>
public sealed class DistinctHostsFactAttribute : FactAttribute
{
    public DistinctHostsFactAttribute()
    {
        if (!OperatingSystem.IsLinux()) Skip = "cluster up --distinct-hosts needs Linux (127.0.0.2, 127.0.0.3 are loopback only there)";
        else if (RedisServer.SkipReason is { } reason) Skip = reason;
    }
}

/// <summary>
/// Process-level recovery (issue 12): real silo processes started by <c>rollup cluster up --silos 3 --redis
/// --distinct-hosts</c> (silo N on 127.0.0.(N+1), the cluster's own redis-server, free ports). One cluster forms across
/// the three addresses and <c>cluster down --instance</c> stops one silo while the others go on; and a load test that
/// kills one silo (SIGKILL) and then stops another (SIGTERM) reports both recoveries with nothing lost. The recovery
/// times are printed as figures, not asserted.
/// </summary>
[Collection(LocalClusterCollection.Name)]
public sealed class SiloRecoveryProcessTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _state = Directory.CreateTempSubdirectory("actorrollup-recovery-").FullName;
    private readonly string _out = Path.Combine(Path.GetTempPath(), "actorrollup-recovery-out-" + Guid.NewGuid().ToString("N")[..8]);

    /// <summary>Whatever a failed test left running is killed; the folders go.</summary>
    public void Dispose()
    {
        var record = new ClusterStateFolder(_state).Load();
        foreach (var silo in record?.Silos ?? [])
            if (LocalProcess.IsAlive(silo.Pid, silo.ProcessStart)) LocalProcess.Kill(silo.Pid);
        if (record?.Redis is { } redis && LocalProcess.IsAlive(redis.Pid, redis.ProcessStart)) LocalProcess.Kill(redis.Pid);
        Directory.Delete(_state, recursive: true);
        if (Directory.Exists(_out)) Directory.Delete(_out, recursive: true);
    }

    [DistinctHostsFact]
    public async Task Three_silos_on_three_loopback_addresses_form_one_cluster_and_cluster_down_instance_stops_one_while_the_others_go_on()
    {
        var (siloBase, gatewayBase, redisPort) = await UpAsync();
        try
        {
            var folder = new ClusterStateFolder(_state);
            var record = folder.Load()!;
            Assert.Equal(["127.0.0.1", "127.0.0.2", "127.0.0.3"], record.Silos.Select(s => s.Address));
            Assert.Equal(["127.0.0.1:" + gatewayBase, $"127.0.0.2:{gatewayBase + 1}", $"127.0.0.3:{gatewayBase + 2}"], record.Silos.Select(s => s.Gateway));

            // Each silo listens on its own address only: its gateway port on 127.0.0.1 is closed.
            Assert.True(Accepts("127.0.0.2", gatewayBase + 1));
            Assert.False(Accepts("127.0.0.1", gatewayBase + 1), $"silo 1's gateway port {gatewayBase + 1} also answers on 127.0.0.1");
            Assert.False(Accepts("127.0.0.1", siloBase + 2), $"silo 2's silo port {siloBase + 2} also answers on 127.0.0.1");

            // One cluster: the membership (in Redis) lists the three silos, each at its own address.
            var (exit, stdout, stderr) = await ClusterCommandTests.Run("cluster", "status", "--state", _state);
            Assert.True(exit == 0, $"exit {exit}: {stderr}\n{stdout}");
            Assert.Matches(@"membership\s+3 active, 0 dead", stdout);
            Assert.Equal([$"127.0.0.1:{siloBase}", $"127.0.0.2:{siloBase + 1}", $"127.0.0.3:{siloBase + 2}"], Members(stdout, "Active"));

            // A grain call works through each gateway alone.
            foreach (var silo in record.Silos)
            {
                (exit, stdout, stderr) = await Poll.Until(() => ClusterCommandTests.Run("blocks", "--gateway", silo.Gateway, "--count", "1"),
                    r => r.Exit == 0, TimeSpan.FromSeconds(30), $"blocks through {silo.Gateway}");
                Assert.StartsWith("chain rollup-1: blocks", stdout);
            }

            // cluster down --instance 1: SIGTERM to silo 1 alone; the record keeps every silo and redis.
            var before = await Height(record.Silos[2].Gateway);
            (exit, stdout, stderr) = await ClusterCommandTests.Run("cluster", "down", "--instance", "1", "--state", _state);
            Assert.True(exit == 0, $"exit {exit}: {stderr}\n{stdout}");
            Assert.Matches($@"silo 1\s+pid {record.Silos[1].Pid}\s+stopped in", stdout);
            Assert.False(LocalProcess.IsAlive(record.Silos[1].Pid, record.Silos[1].ProcessStart), "silo 1 still runs");
            var after = folder.Load()!;
            Assert.Equal(record.Silos, after.Silos);
            Assert.Equal([0, 2], after.AliveSilos().Select(s => s.Instance));
            Assert.True(after.RedisAlive, "redis stopped with one silo");

            // The others go on: the chain advances, read through each remaining gateway; the membership says silo 1 left.
            foreach (var gateway in new[] { record.Silos[0].Gateway, record.Silos[2].Gateway })
                await Poll.Until(() => Height(gateway), h => h > before + 4, TimeSpan.FromSeconds(60), $"rollup-1 past height {before + 4} through {gateway}");
            (exit, stdout, stderr) = await Poll.Until(() => ClusterCommandTests.Run("cluster", "status", "--state", _state),
                r => Regex.IsMatch(r.Stdout, @"membership\s+2 active, 1 dead"), TimeSpan.FromSeconds(30), "silo 1 dead in the membership");
            Assert.Matches($@"silo 1\s+pid {record.Silos[1].Pid}\s+DEAD", stdout);
            Assert.Equal([$"127.0.0.2:{siloBase + 1}"], Members(stdout, "Dead"));

            // Refused, exit 2, one line, nothing changed: a silo not running, an instance not recorded, the last live silo.
            await Refused(["cluster", "down", "--instance", "1", "--state", _state], "silo 1 (pid");
            await Refused(["cluster", "down", "--instance", "5", "--state", _state], "has no silo 5 (instances 0, 1, 2)");
            (exit, stdout, stderr) = await ClusterCommandTests.Run("cluster", "down", "--instance", "2", "--state", _state);
            Assert.True(exit == 0, $"exit {exit}: {stderr}\n{stdout}");
            await Refused(["cluster", "down", "--instance", "0", "--state", _state], "silo 0 is the last one running");
            Assert.Equal([0], folder.Load()!.AliveSilos().Select(s => s.Instance));

            (exit, stdout, stderr) = await ClusterCommandTests.Run("cluster", "down", "--state", _state);
            Assert.True(exit == 0, $"exit {exit}: {stderr}\n{stdout}");
            Assert.Null(folder.Load());
            Assert.False(await LocalCluster.RedisAnswersAsync(redisPort, CancellationToken.None), "redis still answers after cluster down");
        }
        finally
        {
            await ClusterCommandTests.Run("cluster", "down", "--state", _state);
        }

        async Task Refused(string[] args, string reason)
        {
            var recorded = new ClusterStateFolder(_state).Load()!;
            var (exit, stdout, stderr) = await ClusterCommandTests.Run(args);
            Assert.Equal(2, exit);
            Assert.Equal("", stdout);
            Assert.Contains(reason, Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries)));
            var now = new ClusterStateFolder(_state).Load()!;
            Assert.Equal(recorded.Silos, now.Silos);
            Assert.Equal(recorded.Redis, now.Redis);
        }
    }

    [DistinctHostsFact]
    public async Task A_silo_killed_and_another_stopped_under_load_are_reported_by_each_chain_and_nothing_is_lost()
    {
        var (_, gatewayBase, _) = await UpAsync();
        try
        {
            var record = new ClusterStateFolder(_state).Load()!;
            // Two chains side by side. Kill at 3 s (1 s warm-up + 2 s of the window), stop at 9 s: each recovery (~1–4 s
            // here) falls inside the traffic, which runs to 14 s. The kill takes the host of the first chain's chain grain,
            // the stop the host it moved to; both chains report both.
            var (exit, stdout, stderr) = await ClusterCommandTests.Run(["loadtest", .. record.Silos.SelectMany(s => new[] { "--gateway", s.Gateway }),
                "--state", _state, "--chains", "2", "--committee", "4", "--validators", "2", "--accounts", "200", "--rate", "200",
                "--duration", "13s", "--warmup", "1s", "--drain", "40s", "--faults", "silo-kill@3s,silo-stop@9s", "--out", _out]);
            output.WriteLine(stdout);
            Assert.True(exit == 0, $"loadtest: exit {exit}: {stderr}\n{stdout}");

            using var json = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(_out, "results.json")));
            var runs = json.RootElement.GetProperty("runs").EnumerateArray().ToList();
            Assert.Equal(2, runs.Count);
            SiloRecord? killed = null, stopped = null;
            foreach (var run in runs)
            {
                var chain = run.GetProperty("chainId").GetString();
                var kill = Assert.Single(run.GetProperty("siloKills").EnumerateArray());
                var stop = Assert.Single(run.GetProperty("siloStops").EnumerateArray());
                output.WriteLine($"{chain} siloKills[0]: {kill}");
                output.WriteLine($"{chain} siloStops[0]: {stop}");
                foreach (var (entry, kind) in new[] { (kill, "silo-kill"), (stop, "silo-stop") })
                {
                    Assert.Equal(kind, entry.GetProperty("kind").GetString());
                    // Each chain went on after the signal: a committed block of its own followed it, and the breakdown ends there.
                    var next = entry.GetProperty("nextBlockMs");
                    Assert.True(next.ValueKind == JsonValueKind.Number && next.GetInt64() > 0, $"{chain} {kind}: no block after it: {entry}");
                    Assert.Equal(next.GetInt64(), entry.GetProperty("breakdownMs").GetProperty("nextBlockCommitted").GetInt64());
                    Assert.Equal(JsonValueKind.Number, entry.GetProperty("longestGapMs").ValueKind);
                    // The membership saw the silo go (declared dead after a kill; announced by the silo itself on a stop).
                    Assert.Equal(JsonValueKind.Number, entry.GetProperty("declaredDeadMs").ValueKind);
                    // The victim hosted the firing chain's chain grain (the choice prefers its host), and its process is gone.
                    Assert.Contains("chain", entry.GetProperty("hostedGrains").EnumerateArray().Select(g => g.GetString()));
                    var victim = record.Silos.Single(s => s.Instance == entry.GetProperty("instance").GetInt32());
                    Assert.Equal(victim.Pid, entry.GetProperty("pid").GetInt32());
                    Assert.False(LocalProcess.IsAlive(victim.Pid, victim.ProcessStart), $"{kind}: silo {victim.Instance} still runs");
                    Assert.Matches($@"{kind} at \d+(\.\d+)?s: silo {victim.Instance} \(pid {victim.Pid}\) (killed|stopped), hosting .*chain.*; next block after \d+ ms", stdout);
                }
                // One kill and one stop for the cluster, shared by both chains' reports; the stop fired on time, under load.
                killed ??= record.Silos.Single(s => s.Instance == kill.GetProperty("instance").GetInt32());
                stopped ??= record.Silos.Single(s => s.Instance == stop.GetProperty("instance").GetInt32());
                Assert.Equal((killed.Instance, stopped.Instance), (kill.GetProperty("instance").GetInt32(), stop.GetProperty("instance").GetInt32()));
                Assert.NotEqual(killed.Instance, stopped.Instance);
                Assert.InRange(stop.GetProperty("atSec").GetDouble(), 9, 13);

                // Nothing lost or duplicated through both, the blocks and supply audited.
                Assert.True(run.GetProperty("txCommitted").GetInt64() > 0, run.ToString());
                Assert.Equal(0, run.GetProperty("txLost").GetInt64());
                Assert.Equal(0, run.GetProperty("txDuplicated").GetInt64());
                Assert.Equal(0, run.GetProperty("txUnresolved").GetInt64());
                Assert.Equal(0, run.GetProperty("blocksUnread").GetInt64());
                Assert.True(run.GetProperty("supplyConserved").GetBoolean());
                Assert.True(run.GetProperty("audit").GetProperty("passed").GetBoolean(), run.GetProperty("audit").ToString());
            }
            Assert.Equal(4, Regex.Matches(stdout, @"breakdown \(ms after the signal\): declared dead \d+ ms").Count);
            Assert.Equal(2, Regex.Matches(stdout, @"^committee 4 chain [12] \(.*lost 0, duplicated 0, supply conserved, audit passed", RegexOptions.Multiline).Count);
            Assert.Matches(@"committee 4, 2 chains: .*lost 0, duplicated 0, supply conserved, audits passed", stdout);

            // One silo is left, and it serves both chains the run left.
            var left = Assert.Single(new ClusterStateFolder(_state).Load()!.AliveSilos());
            foreach (var run in runs)
            {
                (exit, stdout, stderr) = await ClusterCommandTests.Run("blocks", "--gateway", left.Gateway, "--chain", run.GetProperty("chainId").GetString()!, "--count", "1");
                Assert.True(exit == 0, $"exit {exit}: {stderr}\n{stdout}");
            }

            (exit, _, stderr) = await ClusterCommandTests.Run("cluster", "down", "--state", _state);
            Assert.True(exit == 0, stderr);
        }
        finally
        {
            await ClusterCommandTests.Run("cluster", "down", "--state", _state);
        }
    }

    /// <summary><c>cluster up --silos 3 --redis --distinct-hosts</c> on free ports (three consecutive each for silo and
    /// gateway ports) and a free redis port; returns the bases and the redis port.</summary>
    private async Task<(int SiloBase, int GatewayBase, int RedisPort)> UpAsync()
    {
        var siloBase = ClusterCommandTests.FreePortRun(3, 3);
        var gatewayBase = ClusterCommandTests.FreePortRun(3, 3, siloBase);
        var redisPort = ClusterCommandTests.FreePortRun(1, 3, siloBase, gatewayBase);
        var (exit, stdout, stderr) = await ClusterCommandTests.Run("cluster", "up", "--silos", "3", "--redis", "--redis-port", redisPort.ToString(),
            "--distinct-hosts", "--silo-port", siloBase.ToString(), "--gateway-port", gatewayBase.ToString(), "--state", _state);
        output.WriteLine(stdout);
        Assert.True(exit == 0, $"cluster up: exit {exit}: {stderr}\n{stdout}");
        Assert.Contains("3 silos (Redis clustering, Redis storage", stdout);
        Assert.Contains($"--gateway 127.0.0.1:{gatewayBase} --gateway 127.0.0.2:{gatewayBase + 1} --gateway 127.0.0.3:{gatewayBase + 2}", stdout);
        return (siloBase, gatewayBase, redisPort);
    }

    /// <summary>The chain's soft-confirmed height read through one gateway (0 when it does not answer).</summary>
    private static async Task<ulong> Height(string gateway)
    {
        var (exit, stdout, _) = await ClusterCommandTests.Run("blocks", "--gateway", gateway, "--count", "1");
        var match = Regex.Match(stdout, @"blocks \d+\.\.\d+ of (\d+)");
        return exit == 0 && match.Success ? ulong.Parse(match.Groups[1].Value) : 0;
    }

    /// <summary>The membership lines of <c>cluster status</c> in <paramref name="status"/>: their silo addresses, in order.</summary>
    private static List<string> Members(string clusterStatus, string status) =>
        Regex.Matches(clusterStatus, $@"^\s+(127\.\d+\.\d+\.\d+:\d+)\s+{status}\s", RegexOptions.Multiline).Select(m => m.Groups[1].Value).Order().ToList();

    private static bool Accepts(string address, int port)
    {
        try
        {
            using var client = new TcpClient();
            return client.ConnectAsync(IPAddress.Parse(address), port).Wait(TimeSpan.FromSeconds(2));
        }
        catch (AggregateException e) when (e.InnerException is SocketException)
        {
            return false;
        }
    }
}
