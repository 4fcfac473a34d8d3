using System.Diagnostics;
using ActorRollup.Harness;
using ActorRollup.Harness.Supervisor;
using ActorRollup.Harness.LoadTest;

namespace ActorRollup.Harness.Tests;

/// <summary>
/// The local cluster's state folder (records, liveness by pid and start time, stale-record clean-up) and the
/// silo-kill fault's checks and choice of victim — everything that needs no running silo.
/// </summary>
public sealed class ClusterStateTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("actorrollup-state-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static readonly DateTimeOffset OwnStart = LocalProcess.StartTime(Environment.ProcessId)!.Value;

    /// <summary>A silo record that counts as alive: this test process stands in for the silo.</summary>
    private static SiloRecord Alive(int instance) => new()
    {
        Instance = instance, Pid = Environment.ProcessId, ProcessStart = OwnStart, SiloPort = 11_111 + instance, GatewayPort = 30_000 + instance,
        Log = $"silo-{instance}.log", StartedAt = OwnStart,
    };

    /// <summary>A pid that no longer runs: a process that would wait, its start time read while it runs, then
    /// killed and waited for (and so reaped). A process that exits by itself may be gone before its start time is read.</summary>
    private static (int Pid, DateTimeOffset Start) Exited()
    {
        using var process = Process.Start(new ProcessStartInfo("sleep", ["60"]) { UseShellExecute = false })!;
        var start = new DateTimeOffset(process.StartTime.ToUniversalTime(), TimeSpan.Zero);
        process.Kill();
        process.WaitForExit();
        return (process.Id, start);
    }

    private static SiloRecord Dead(int instance)
    {
        var (pid, start) = Exited();
        return Alive(instance) with { Pid = pid, ProcessStart = start };
    }

    [Fact]
    public void A_record_round_trips_through_the_folder_and_clear_removes_only_the_record()
    {
        var folder = new ClusterStateFolder(_folder);
        Assert.Null(folder.Load());
        var record = new ClusterRecord
        {
            CreatedAt = OwnStart, Clustering = "Redis", Storage = "Redis", ClusterId = "c", ServiceId = "s", SiloDll = "/x/ActorRollup.Silo.dll",
            Silos = [Alive(0), Alive(1) with { ReadyAt = OwnStart.AddSeconds(3) }],
            Redis = new RedisRecord { Pid = 42, Port = 6390, DataDir = "/data", Log = "redis.log", StartedAt = OwnStart, ProcessStart = OwnStart },
        };
        folder.Save(record);
        File.WriteAllText(folder.SiloLog(0), "a log");

        var loaded = folder.Load()!;
        Assert.Equal(record.Silos, loaded.Silos);
        Assert.Equal(record.Redis, loaded.Redis);
        Assert.Equal(("Redis", "Redis", "c", "s", "/x/ActorRollup.Silo.dll"), (loaded.Clustering, loaded.Storage, loaded.ClusterId, loaded.ServiceId, loaded.SiloDll));
        Assert.False(loaded.LocalhostClustering);
        Assert.Equal("127.0.0.1:30001", loaded.Silos[1].Gateway);
        Assert.Equal("127.0.0.1:6390", loaded.Redis!.ConnectionString);
        Assert.DoesNotContain("AnyAlive", File.ReadAllText(folder.RecordFile)); // derived, not stored

        folder.Clear();
        Assert.Null(folder.Load());
        Assert.True(File.Exists(folder.SiloLog(0)));
    }

    [Fact]
    public void A_damaged_record_is_one_clear_error_naming_the_file()
    {
        var folder = new ClusterStateFolder(_folder);
        File.WriteAllText(folder.RecordFile, "{ not json");
        var e = Assert.Throws<ClusterStateException>(folder.Load);
        Assert.Contains(folder.RecordFile, e.Message);
    }

    [Fact]
    public void A_process_is_alive_only_with_its_pid_and_its_start_time()
    {
        Assert.True(LocalProcess.IsAlive(Environment.ProcessId, OwnStart));
        Assert.True(LocalProcess.IsAlive(Environment.ProcessId, null));
        // The same pid with another start time is a later process that reused the pid: not ours.
        Assert.False(LocalProcess.IsAlive(Environment.ProcessId, OwnStart.AddMinutes(-5)));
        var (pid, start) = Exited();
        Assert.False(LocalProcess.IsAlive(pid, start));
        Assert.False(LocalProcess.IsAlive(0, null));
        Assert.False(LocalProcess.IsAlive(-1, null));
    }

    [Fact]
    public void A_record_whose_processes_all_died_is_stale_and_removed()
    {
        var folder = new ClusterStateFolder(_folder);
        var stale = new ClusterRecord { CreatedAt = OwnStart, Silos = [Dead(0), Dead(1)] };
        folder.Save(stale);

        Assert.Null(folder.LoadLive(out var removed));
        Assert.NotNull(removed);
        Assert.Equal(stale.Silos, removed.Silos);
        Assert.False(File.Exists(folder.RecordFile));
        Assert.Null(folder.LoadLive(out removed));
        Assert.Null(removed);
    }

    [Fact]
    public void A_record_with_one_live_process_is_kept_and_says_which_silos_live()
    {
        var folder = new ClusterStateFolder(_folder);
        folder.Save(new ClusterRecord { CreatedAt = OwnStart, Silos = [Alive(0), Dead(1)] });

        var live = folder.LoadLive(out var removed);
        Assert.Null(removed);
        Assert.NotNull(live);
        Assert.Equal([0], live.AliveSilos().Select(s => s.Instance));
        Assert.True(live.AnyAlive);
        Assert.True(File.Exists(folder.RecordFile));
    }

    // ------------------------------------------------------------------------------------------------ silo-kill

    private static (int Exit, string Stdout, string Stderr) Run(params string[] args)
    {
        var stdout = new StringWriter { NewLine = "\n" };
        var stderr = new StringWriter { NewLine = "\n" };
        var exit = Cli.Run(args, stdout, stderr);
        return (exit, stdout.ToString(), stderr.ToString());
    }

    private static string OneErrorLine((int Exit, string Stdout, string Stderr) run)
    {
        Assert.Equal(2, run.Exit);
        Assert.Equal("", run.Stdout);
        var line = Assert.Single(run.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("error: ", line);
        return line;
    }

    [Fact]
    public void Silo_kill_parses_as_a_fault_kind()
    {
        var faults = FaultSpec.TryParseList("silo-kill@10s,leader-crash@2s", out var error);
        Assert.Equal("", error);
        Assert.Equal([("leader-crash", TimeSpan.FromSeconds(2)), (SiloKill.Kind, TimeSpan.FromSeconds(10))], faults!.Select(f => (f.Kind, f.At)));
    }

    [Fact]
    public void Silo_kill_without_a_gateway_is_refused_before_anything_runs()
    {
        var line = OneErrorLine(Run("loadtest", "--faults", "silo-kill@10s", "--state", _folder));
        Assert.Contains("silo-kill needs --gateway", line);
    }

    [Fact]
    public void Silo_kill_without_a_recorded_cluster_is_refused_before_connecting()
    {
        // Port 1 would be unreachable (exit 3): exit 2 shows the check came first.
        var line = OneErrorLine(Run("loadtest", "--gateway", "127.0.0.1:1", "--faults", "silo-kill@10s", "--state", _folder));
        Assert.Contains("rollup cluster up", line);
        Assert.Contains(_folder, line);
    }

    [Fact]
    public void Silo_kill_under_localhost_clustering_spares_the_primary_and_a_gateway()
    {
        var folder = new ClusterStateFolder(_folder);
        folder.Save(new ClusterRecord { CreatedAt = OwnStart, Clustering = "Localhost", Silos = [Alive(0), Alive(1), Dead(2)] });
        FaultSpec[] one = [new(SiloKill.Kind, TimeSpan.FromSeconds(10))];
        FaultSpec[] two = [.. one, new(SiloKill.Kind, TimeSpan.FromSeconds(20))];

        Assert.Null(SiloKill.Validate(one, ["127.0.0.1:30000", "127.0.0.1:30001"], _folder));
        Assert.Contains("instance 0 is the primary", SiloKill.Validate(two, ["127.0.0.1:30000", "127.0.0.1:30001"], _folder));
        // The only gateway given is silo 1's: killing it would leave the client no way in.
        Assert.Contains("at most 0", SiloKill.Validate(one, ["127.0.0.1:30001"], _folder));
        Assert.Contains("no --gateway is a gateway", SiloKill.Validate(one, ["127.0.0.1:39999"], _folder));
        Assert.Null(SiloKill.Validate([new("leader-crash", TimeSpan.Zero)], [], _folder));

        var record = folder.Load()!;
        Assert.Equal([1], SiloKill.Candidates(record, record.AliveSilos(), ["127.0.0.1:30000", "127.0.0.1:30001"]).Select(s => s.Instance));
        Assert.Empty(SiloKill.Candidates(record, record.AliveSilos(), ["127.0.0.1:30001"]));
    }

    [Fact]
    public void Silo_kill_under_redis_clustering_takes_the_chain_grains_host()
    {
        var record = new ClusterRecord { CreatedAt = OwnStart, Clustering = "Redis", Storage = "Redis", Silos = [Alive(0), Alive(1), Alive(2)] };
        new ClusterStateFolder(_folder).Save(record);
        string[] gateways = ["127.0.0.1:30000", "127.0.0.1:30001"];
        Assert.Null(SiloKill.Validate([new(SiloKill.Kind, TimeSpan.FromSeconds(10)), new(SiloKill.Kind, TimeSpan.FromSeconds(20))], gateways, _folder));
        Assert.Contains("at most 2", SiloKill.Validate(Enumerable.Repeat(new FaultSpec(SiloKill.Kind, TimeSpan.FromSeconds(1)), 3).ToList(), gateways, _folder));

        var candidates = SiloKill.Candidates(record, record.AliveSilos(), gateways);
        // Before placement counts: the silo no --gateway names first, then the highest instance.
        Assert.Equal([2, 1, 0], candidates.Select(s => s.Instance));
        Assert.Equal(0, SiloKill.Choose(candidates, new Dictionary<string, int> { ["chain"] = 11_111, ["mempool"] = 11_112, ["rotation"] = 11_112 })!.Instance);
        Assert.Equal(1, SiloKill.Choose(candidates, new Dictionary<string, int> { ["mempool"] = 11_112, ["rotation"] = 11_112, ["settlement"] = 11_111 })!.Instance);
        Assert.Equal(2, SiloKill.Choose(candidates, new Dictionary<string, int>())!.Instance);
        // silo-kill@T:leader: the leader's host first, even when another silo hosts the chain grain.
        var spread = new Dictionary<string, int> { ["chain"] = 11_111, ["sequencer seq-004"] = 11_112, ["sequencer seq-005"] = 11_111 };
        Assert.Equal(1, SiloKill.Choose(candidates, spread, "sequencer seq-004")!.Instance);
        Assert.Equal(0, SiloKill.Choose(candidates, spread, "sequencer seq-005")!.Instance);
        Assert.Equal(0, SiloKill.Choose(candidates, spread, "sequencer seq-099")!.Instance); // not placed: the chain's host
    }
}
