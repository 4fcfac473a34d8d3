using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using ActorRollup.Harness;
using ActorRollup.Harness.Supervisor;

namespace ActorRollup.IntegrationTests;

/// <summary>Runs alone: real silo processes beside a test cluster would starve both on a 2-core machine.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class LocalClusterCollection
{
    public const string Name = "local-cluster";
}

/// <summary>
/// <c>rollup cluster up/down</c> end to end: real silo processes (Localhost clustering, on free ports so a developer's
/// own cluster on 11111/30000 is never touched), detached and recorded; <c>status</c> finds them through the state
/// folder; a second <c>up</c> refuses; <c>down</c> stops them and clears the record. Plus: <c>--redis</c> without
/// redis-server on PATH refuses with the install hint and starts nothing.
/// </summary>
[Collection(LocalClusterCollection.Name)]
public sealed class ClusterCommandTests : IDisposable
{
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(120);
    private readonly string _state = Directory.CreateTempSubdirectory("actorrollup-cluster-").FullName;

    /// <summary>Whatever a failed test left running is killed; the folder goes.</summary>
    public void Dispose()
    {
        var record = new ClusterStateFolder(_state).Load();
        foreach (var silo in record?.Silos ?? [])
            if (LocalProcess.IsAlive(silo.Pid, silo.ProcessStart)) LocalProcess.Kill(silo.Pid);
        if (record?.Redis is { } redis && LocalProcess.IsAlive(redis.Pid, redis.ProcessStart)) LocalProcess.Kill(redis.Pid);
        Directory.Delete(_state, recursive: true);
    }

    [Fact]
    public async Task Cluster_up_starts_detached_silos_that_status_lists_and_cluster_down_stops_them()
    {
        var siloBase = FreePortPair();
        var gatewayBase = FreePortPair(siloBase);
        var folder = new ClusterStateFolder(_state);
        // A record left by a cluster whose processes are gone: up removes it and goes ahead.
        using (var gone = Process.Start(new ProcessStartInfo("sh", ["-c", "exit 0"]) { UseShellExecute = false })!)
        {
            await gone.WaitForExitAsync();
            folder.Save(new ClusterRecord { CreatedAt = DateTimeOffset.UtcNow, Silos = [new SiloRecord { Instance = 0, Pid = gone.Id, ProcessStart = DateTimeOffset.UtcNow }] });
        }
        string[] up = ["cluster", "up", "--silos", "2", "--silo-port", siloBase.ToString(), "--gateway-port", gatewayBase.ToString(), "--state", _state];

        var (exit, stdout, stderr) = await Run(up);
        Assert.True(exit == 0, $"exit {exit}: {stderr}\n{stdout}");
        Assert.Equal("", stderr);
        Assert.Contains("removed the stale record", stdout);
        Assert.Contains($"--gateway 127.0.0.1:{gatewayBase} --gateway 127.0.0.1:{gatewayBase + 1}", stdout);

        // Recorded: both silos running, on their ports, each detached in its own session, each with its ready line.
        var record = folder.Load()!;
        Assert.Equal("Localhost", record.Clustering);
        Assert.Equal([0, 1], record.Silos.Select(s => s.Instance));
        foreach (var silo in record.Silos)
        {
            Assert.True(record.IsAlive(silo), $"silo {silo.Instance} (pid {silo.Pid}) is not running");
            Assert.Equal((siloBase + silo.Instance, gatewayBase + silo.Instance), (silo.SiloPort, silo.GatewayPort));
            Assert.NotNull(silo.ReadyAt);
            Assert.Contains($"silo ready: instance {silo.Instance}, pid {silo.Pid},", await File.ReadAllTextAsync(silo.Log));
            if (OperatingSystem.IsLinux()) Assert.Equal(silo.Pid, SessionOf(silo.Pid));
        }
        Assert.StartsWith(_state, record.SiloDll); // the silos run from their own copy of the build

        // status without --gateway asks the recorded cluster and lists its silos and membership.
        (exit, stdout, stderr) = await Poll.Until(() => Run("status", "--state", _state), r => r.Exit == 0, TimeSpan.FromSeconds(60), "status of the recorded cluster");
        Assert.StartsWith($"chain rollup-1 (127.0.0.1:{gatewayBase}, 127.0.0.1:{gatewayBase + 1})", stdout);
        foreach (var silo in record.Silos)
            Assert.Matches($@"silo {silo.Instance}\s+pid {silo.Pid}\s+alive\s+silo port {silo.SiloPort}\s+gateway {Regex.Escape(silo.Gateway)}", stdout);
        Assert.Matches(@"membership\s+2 active, 0 dead", stdout);

        // A second up refuses with one line and starts nothing.
        (exit, stdout, stderr) = await Run(up);
        Assert.Equal(2, exit);
        Assert.Equal("", stdout);
        Assert.Contains("already running", Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries)));
        Assert.Equal(record.Silos, folder.Load()!.Silos);

        (exit, stdout, stderr) = await Run("cluster", "down", "--state", _state);
        Assert.True(exit == 0, $"exit {exit}: {stderr}\n{stdout}");
        foreach (var silo in record.Silos)
        {
            Assert.Matches($@"silo {silo.Instance}\s+pid {silo.Pid}\s+(stopped|killed)", stdout);
            Assert.False(LocalProcess.IsAlive(silo.Pid, silo.ProcessStart), $"silo {silo.Instance} (pid {silo.Pid}) still runs");
            Assert.True(File.Exists(silo.Log));
        }
        Assert.Null(folder.Load());

        // Down again: nothing recorded, nothing to do.
        (exit, stdout, _) = await Run("cluster", "down", "--state", _state);
        Assert.Equal(0, exit);
        Assert.Contains("nothing to stop", stdout);
    }

    [Fact]
    public async Task Cluster_up_with_tls_makes_a_CA_in_the_state_folder_and_harness_commands_use_it_while_plain_clients_are_refused()
    {
        var siloBase = FreePortPair();
        var gatewayBase = FreePortPair(siloBase);
        var folder = new ClusterStateFolder(_state);
        var (exit, stdout, stderr) = await Run("cluster", "up", "--silos", "2", "--tls", "--silo-port", siloBase.ToString(), "--gateway-port", gatewayBase.ToString(), "--state", _state);
        try
        {
            Assert.True(exit == 0, $"exit {exit}: {stderr}\n{stdout}");
            Assert.Contains("mutual TLS", stdout);
            Assert.Contains("new CA and certificates", stdout);

            // The files, keys owner-only; each silo says it runs TLS (two silos: silo-to-silo connections are TLS too).
            var record = folder.Load()!;
            var tls = Assert.IsType<TlsRecord>(record.Tls);
            foreach (var file in new[] { tls.Ca, tls.SiloCertificate, tls.SiloKey, tls.ClientCertificate!, tls.ClientKey! })
                Assert.True(File.Exists(file) && file.StartsWith(folder.TlsFolder), file);
            if (!OperatingSystem.IsWindows())
            {
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(tls.SiloKey));
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(tls.ClientKey!));
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(folder.TlsFolder));
            }
            foreach (var silo in record.Silos)
                Assert.Matches($"silo ready: instance {silo.Instance}, pid {silo.Pid},.*mutual TLS", await File.ReadAllTextAsync(silo.Log));

            // status (chain) and cluster status find the certificate through the state folder.
            (exit, stdout, stderr) = await Poll.Until(() => Run("status", "--state", _state), r => r.Exit == 0, TimeSpan.FromSeconds(60), "status of the TLS cluster");
            Assert.StartsWith($"chain rollup-1 (127.0.0.1:{gatewayBase}, 127.0.0.1:{gatewayBase + 1})", stdout);
            (exit, stdout, stderr) = await Run("cluster", "status", "--state", _state);
            Assert.True(exit == 0, $"exit {exit}: {stderr}\n{stdout}");
            Assert.Matches(@"transport\s+mutual TLS \(cluster up --tls\)", stdout);
            Assert.Matches(@"membership\s+2 active, 0 dead", stdout);

            // A plain client (no certificate, another state folder) is refused within seconds, in one line (exit 3)...
            var clock = Stopwatch.StartNew();
            (exit, stdout, stderr) = await Run("blocks", "--gateway", $"127.0.0.1:{gatewayBase}", "--count", "1");
            Assert.Equal(3, exit);
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(8), $"the plain client took {clock.Elapsed.TotalSeconds:0.0} s to be refused");
            Assert.Contains("requires a client certificate", Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries)));
            // ...and with the --tls-* options it gets in.
            (exit, stdout, stderr) = await Run("blocks", "--gateway", $"127.0.0.1:{gatewayBase + 1}", "--count", "1",
                "--tls-cert", tls.ClientCertificate!, "--tls-key", tls.ClientKey!, "--tls-ca", tls.Ca);
            Assert.True(exit == 0, $"exit {exit}: {stderr}\n{stdout}");

            (exit, stdout, stderr) = await Run("cluster", "down", "--state", _state);
            Assert.True(exit == 0, $"exit {exit}: {stderr}\n{stdout}");
            Assert.Null(folder.Load());
            Assert.True(File.Exists(tls.Ca), "the certificates stay for the next up");
        }
        finally
        {
            await Run("cluster", "down", "--state", _state);
        }
    }

    [Redis.RedisFact]
    public async Task A_redis_cluster_brought_down_and_up_again_resumes_its_chain_and_clients_find_it_through_redis()
    {
        var siloBase = FreePortPair();
        var gatewayBase = FreePortPair(siloBase);
        var redisPort = FreePortPair(siloBase, gatewayBase);
        var data = Path.Combine(_state, "redis-data");
        string[] up = ["cluster", "up", "--silos", "2", "--redis", "--redis-port", redisPort.ToString(), "--redis-data", data,
            "--silo-port", siloBase.ToString(), "--gateway-port", gatewayBase.ToString(), "--state", _state];
        try
        {
            var (exit, stdout, stderr) = await Run(up);
            Assert.True(exit == 0, $"exit {exit}: {stderr}\n{stdout}");
            Assert.Contains("Redis clustering, Redis storage", stdout);
            var before = await Poll.Until(async () => await Height(), h => h >= 10, TimeSpan.FromSeconds(60), "rollup-1 at height 10");

            // A client with Cluster:Clustering=Redis and no --gateway finds the gateways in the membership in Redis.
            var saved = (Environment.GetEnvironmentVariable("ACTORROLLUP_Cluster__Clustering"), Environment.GetEnvironmentVariable("ACTORROLLUP_Cluster__Redis"));
            Environment.SetEnvironmentVariable("ACTORROLLUP_Cluster__Clustering", "Redis");
            Environment.SetEnvironmentVariable("ACTORROLLUP_Cluster__Redis", $"127.0.0.1:{redisPort}");
            try
            {
                (exit, stdout, stderr) = await Run("blocks", "--count", "3");
                Assert.True(exit == 0, $"exit {exit}: {stderr}\n{stdout}");
            }
            finally
            {
                Environment.SetEnvironmentVariable("ACTORROLLUP_Cluster__Clustering", saved.Item1);
                Environment.SetEnvironmentVariable("ACTORROLLUP_Cluster__Redis", saved.Item2);
            }

            (exit, _, stderr) = await Run("cluster", "down", "--state", _state);
            Assert.True(exit == 0, stderr);
            // Up again on the same data folder: the same chain goes on from where it was, not a new genesis.
            (exit, stdout, stderr) = await Run(up);
            Assert.True(exit == 0, $"exit {exit}: {stderr}\n{stdout}");
            await Poll.Until(async () => await Height(), h => h > before, TimeSpan.FromSeconds(90), $"rollup-1 past height {before} after the restart");
        }
        finally
        {
            await Run("cluster", "down", "--state", _state);
        }

        async Task<ulong> Height()
        {
            var (exit, stdout, _) = await Run("status", "--state", _state);
            var match = Regex.Match(stdout, @"soft-confirmed (\d+)");
            return exit == 0 && match.Success ? ulong.Parse(match.Groups[1].Value) : 0;
        }
    }

    [Fact]
    public async Task Cluster_up_with_redis_but_no_redis_server_on_path_refuses_and_starts_nothing()
    {
        var emptyPath = Directory.CreateDirectory(Path.Combine(_state, "empty-path")).FullName;
        var dotnet = Environment.ProcessPath is { } self && Path.GetFileNameWithoutExtension(self) == "dotnet" ? self : "/usr/bin/dotnet";
        var start = new ProcessStartInfo(dotnet)
        {
            UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = AppContext.BaseDirectory,
        };
        foreach (var arg in new[] { Path.Combine(AppContext.BaseDirectory, "rollup.dll"), "cluster", "up", "--redis", "--silos", "1", "--state", Path.Combine(_state, "st") })
            start.ArgumentList.Add(arg);
        start.Environment["PATH"] = emptyPath;
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(CommandTimeout);

        Assert.Equal(2, process.ExitCode);
        Assert.Equal("", await stdout);
        var line = Assert.Single((await stderr).Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("error: ", line);
        Assert.Contains("redis-server", line);
        Assert.Contains("apt-get install redis-server", line);
        Assert.False(Directory.Exists(Path.Combine(_state, "st")), "nothing may be started or recorded");
    }

    internal static async Task<(int Exit, string Stdout, string Stderr)> Run(params string[] args)
    {
        var stdout = new StringWriter { NewLine = "\n" };
        var stderr = new StringWriter { NewLine = "\n" };
        var exit = await Cli.RunAsync(args, stdout, stderr).WaitAsync(CommandTimeout);
        return (exit, stdout.ToString(), stderr.ToString());
    }

    /// <summary>The session id of a process (field 6 of /proc/pid/stat): a detached silo leads its own session.</summary>
    private static int SessionOf(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return int.Parse(fields[3]);
    }

    /// <summary>A port P with P and P + 1 both free (instance 0 and 1 listen on base + instance).</summary>
    internal static int FreePortPair(params int[] exclude) => FreePortRun(2, 2, exclude);

    /// <summary>A port P with P .. P + count - 1 all free on every address, its run not overlapping a run of
    /// <paramref name="excludedRun"/> ports that starts at one of <paramref name="exclude"/>.</summary>
    internal static int FreePortRun(int count, int excludedRun, params int[] exclude)
    {
        for (int attempt = 0; attempt < 200; attempt++)
        {
            using var probe = new TcpListener(IPAddress.Loopback, 0);
            probe.Start();
            var port = ((IPEndPoint)probe.LocalEndpoint).Port;
            probe.Stop();
            if (port > 65_000 || exclude.Any(e => port + count > e && port < e + excludedRun)) continue;
            if (Enumerable.Range(port, count).All(Free)) return port;
        }
        throw new InvalidOperationException($"no {count} consecutive free ports found");

        static bool Free(int port)
        {
            try
            {
                using var listener = new TcpListener(IPAddress.Any, port);
                listener.Start();
                return true;
            }
            catch (SocketException)
            {
                return false;
            }
        }
    }
}
