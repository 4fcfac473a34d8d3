using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using ActorRollup.Silo;
using ActorRollup.Harness.Connection;
using Microsoft.Extensions.Configuration;

namespace ActorRollup.Harness.Supervisor;

/// <summary>What <c>cluster up</c> was asked for.</summary>
public sealed record ClusterUpOptions
{
    public int Silos { get; init; } = 3;
    public bool Redis { get; init; }
    public int RedisPort { get; init; } = 6379;
    /// <summary>Redis' data folder (null = <c>redis-data</c> in the state folder).</summary>
    public string? RedisData { get; init; }
    /// <summary>Base ports: instance N listens on these plus N (null = Cluster:SiloPort / Cluster:GatewayPort of the configuration).</summary>
    public int? SiloPort { get; init; }
    public int? GatewayPort { get; init; }
    /// <summary>Longest wait for each process to be ready.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(90);
    /// <summary>Mutual TLS: a CA and certificates in the state folder (<see cref="LocalClusterTls"/>), the silos started with them.</summary>
    public bool Tls { get; init; }
    /// <summary>The network model (<c>--network</c>, "aws" or a JSON file); null = the Network:* settings of the configuration, if any.</summary>
    public string? Network { get; init; }
    /// <summary><c>--regions</c>, <c>--validator-regions</c>, <c>--client-region</c> (null = the configuration's).</summary>
    public string? Regions { get; init; }
    public string? ValidatorRegions { get; init; }
    public string? ClientRegion { get; init; }
    /// <summary>Silo N listens on and advertises its own loopback address, 127.0.0.(N+1) (needs Redis clustering): the
    /// silos reach one another as if on separate hosts. Ports stay base + N, so a silo is still known by its ports.</summary>
    public bool DistinctHosts { get; init; }

    /// <summary>The address of silo <paramref name="instance"/>: its own loopback address with <see cref="DistinctHosts"/>.</summary>
    public string AddressOf(int instance) => DistinctHosts ? $"127.0.0.{instance + 1}" : "127.0.0.1";
}

/// <summary>A cluster command failed; <see cref="ExitCode"/> says how (2 refused before anything started, 1 a process failed, 5 timed out).</summary>
public sealed class LocalClusterException(string message, int exitCode) : Exception(message)
{
    public int ExitCode { get; } = exitCode;
}

/// <summary>
/// Starts and stops a local cluster of silo processes (and optionally a redis-server), each detached from the harness
/// so it outlives it: its own session (setsid, so a Ctrl+C in the harness's terminal does not reach it), stdin from
/// /dev/null, stdout and stderr to a log in the state folder. The silo is the build beside the harness, copied into
/// the state folder first (<see cref="SiloBinaries"/>), run with the same <c>dotnet</c> host and working directory as
/// the harness, so both read the same appsettings.json and ACTORROLLUP_ environment.
/// </summary>
public sealed class LocalCluster(ClusterStateFolder folder, TextWriter progress)
{
    /// <summary>The silo logs this once it has joined the cluster and its gateway accepts clients (silo Program.cs).</summary>
    public const string ReadyMarker = "silo ready:";

    public async Task<ClusterRecord> UpAsync(ClusterUpOptions options, CancellationToken cancellationToken)
    {
        var configuration = new ConfigurationManager();
        RollupSilo.AddConfiguration(configuration, []);
        ClusterSettings settings;
        NetworkRecord? network;
        try
        {
            settings = RollupSilo.Bind(configuration).Cluster;
            network = NetworkFor(options, RollupSilo.BindNetwork(configuration));
        }
        catch (SettingsException e)
        {
            throw new LocalClusterException(e.Message, ExitCodes.Usage);
        }

        // Everything that can refuse is checked before anything starts.
        var live = folder.LoadLive(out var stale);
        if (live is not null)
        {
            var alive = live.AliveSilos();
            throw new LocalClusterException(
                $"a cluster is already running from {folder.Path} ({alive.Count} of {live.Silos.Count} silos alive" +
                (live.RedisAlive ? ", redis alive" : "") + $", pids {string.Join(", ", alive.Select(s => s.Pid))}): " +
                "stop it with `rollup cluster down` first", ExitCodes.Usage);
        }
        if (stale is not null)
            progress.WriteLine($"removed the stale record of a cluster started {stale.CreatedAt:u} (none of its processes runs)");

        if (options.DistinctHosts && !options.Redis)
            throw new LocalClusterException("--distinct-hosts needs --redis: silos on distinct addresses find one another through Redis clustering " +
                                            "(Localhost clustering is one address)", ExitCodes.Usage);
        if (options.DistinctHosts && !OperatingSystem.IsLinux())
            throw new LocalClusterException("--distinct-hosts needs Linux, where all of 127.0.0.0/8 is loopback (elsewhere only 127.0.0.1 is configured)", ExitCodes.Usage);
        var dotnet = DotnetHost() ?? throw new LocalClusterException("cannot find the dotnet host to run the silo with (not on PATH, no DOTNET_ROOT)", ExitCodes.Usage);
        var redisServer = options.Redis ? LocalProcess.FindOnPath("redis-server") : null;
        if (options.Redis && redisServer is null)
            throw new LocalClusterException("--redis needs redis-server, which is not installed (not on PATH): install it with `sudo apt-get install redis-server` " +
                                            "(Debian/Ubuntu), or run without --redis (Localhost clustering, memory storage)", ExitCodes.Usage);

        var siloBase = options.SiloPort ?? settings.SiloPort;
        var gatewayBase = options.GatewayPort ?? settings.GatewayPort;
        var ports = new List<(int Port, string What)>();
        if (options.Redis) ports.Add((options.RedisPort, "redis"));
        for (int i = 0; i < options.Silos; i++)
        {
            ports.Add((siloBase + i, $"silo {i} silo port"));
            ports.Add((gatewayBase + i, $"silo {i} gateway port"));
        }
        var clash = ports.GroupBy(p => p.Port).FirstOrDefault(g => g.Count() > 1);
        if (clash is not null)
            throw new LocalClusterException($"port {clash.Key} would serve both {string.Join(" and ", clash.Select(c => c.What))}: choose --silo-port and --gateway-port further apart", ExitCodes.Usage);
        foreach (var (port, what) in ports)
            if (port is < 1024 or > 65535 || !PortIsFree(port))
                throw new LocalClusterException($"port {port} ({what}) is not free" + (what == "redis" ? " (another redis-server?): choose --redis-port" :
                    ": is a cluster already running? Choose --silo-port / --gateway-port"), ExitCodes.Usage);

        Directory.CreateDirectory(folder.Path);
        var siloDll = SiloBinaries.Snapshot(SiloBinaries.SourceFolder, Path.Combine(folder.Path, "silo-bin"));
        var redisData = options.Redis ? Path.GetFullPath(options.RedisData ?? folder.DefaultRedisData) : "";
        var tls = TlsFor(options, settings);
        var record = new ClusterRecord
        {
            CreatedAt = DateTimeOffset.UtcNow,
            Clustering = options.Redis ? "Redis" : "Localhost",
            Storage = options.Redis ? "Redis" : "Memory",
            ClusterId = settings.ClusterId,
            ServiceId = settings.ServiceId,
            SiloDll = siloDll,
            Tls = tls,
            Network = network,
        };
        folder.Save(record);

        try
        {
            if (options.Redis)
            {
                Directory.CreateDirectory(redisData);
                var redis = await StartRedisAsync(redisServer!, options.RedisPort, redisData, options.Timeout, cancellationToken);
                record = record with { Redis = redis };
                folder.Save(record);
                progress.WriteLine($"redis     pid {redis.Pid,-8} port {redis.Port}   data {redis.DataDir}");
            }

            var siloArgs = new List<string>
            {
                "--Cluster:SiloPort", siloBase.ToString(), "--Cluster:GatewayPort", gatewayBase.ToString(), "--Cluster:PrimarySiloPort", siloBase.ToString(),
            };
            if (options.Redis)
                siloArgs.AddRange(["--Cluster:Clustering", "Redis", "--Cluster:Storage", "Redis", "--Cluster:Redis", record.Redis!.ConnectionString]);
            if (options.Tls) siloArgs.AddRange(LocalClusterTls.SiloArguments(tls!));
            if (network is not null) siloArgs.AddRange(NetworkArguments(network));

            // Instance 0 first: with Localhost clustering it is the primary the others join.
            record = await StartSilosAsync(record, [0], dotnet, siloDll, siloArgs, siloBase, gatewayBase, options, cancellationToken);
            if (options.Silos > 1)
                record = await StartSilosAsync(record, Enumerable.Range(1, options.Silos - 1).ToArray(), dotnet, siloDll, siloArgs, siloBase, gatewayBase, options, cancellationToken);

            // Every silo says it is ready; the cluster also answers a grain call through its gateways.
            await using (var connection = await ClusterConnection.OpenAsync(record.Silos.Select(s => s.Gateway).ToArray(), folder.Path, cancellationToken))
            {
            }
            return record;
        }
        catch
        {
            // Nothing half-started is left behind: whatever did start is killed and the record removed.
            var started = folder.Load() ?? record;
            foreach (var silo in started.Silos.Where(started.IsAlive)) LocalProcess.Kill(silo.Pid);
            if (started.RedisAlive) LocalProcess.Terminate(started.Redis!.Pid);
            folder.Clear();
            throw;
        }
    }

    /// <summary>
    /// The network the silos will run: the options over the configuration's Network:* settings, checked as a silo checks
    /// them (an error names the option). Null: no network. A matrix file becomes an absolute path, so every silo reads
    /// the same file whatever its working directory.
    /// </summary>
    public static NetworkRecord? NetworkFor(ClusterUpOptions options, Grains.Infrastructure.NetworkOptions configured)
    {
        if (options.Network is null && !configured.Enabled)
        {
            var stray = options.Regions is not null ? "--regions" : options.ValidatorRegions is not null ? "--validator-regions"
                : options.ClientRegion is not null ? "--client-region" : null;
            if (stray is not null) throw new LocalClusterException($"{stray} needs --network (aws or a JSON matrix file)", ExitCodes.Usage);
            return null;
        }
        var model = (options.Network ?? configured.Model).Trim();
        if (model.Length == 0) throw new LocalClusterException("--network: give 'aws' or a JSON matrix file", ExitCodes.Usage);
        if (model != Core.Network.LatencyMatrix.Aws && File.Exists(model)) model = Path.GetFullPath(model);
        var record = new NetworkRecord
        {
            Model = model,
            Regions = (options.Regions ?? configured.Regions).Trim(),
            ValidatorRegions = (options.ValidatorRegions ?? configured.ValidatorRegions).Trim(),
            ClientRegion = (options.ClientRegion ?? configured.ClientRegion).Trim(),
        };
        var candidate = record.ToOptions();
        candidate.L1Region = configured.L1Region;
        candidate.Seed = configured.Seed;
        candidate.LostCallTimeout = configured.LostCallTimeout;
        if (candidate.Validate() is [var error, ..])
            throw new LocalClusterException(OptionNames(error, options), ExitCodes.Usage);
        return record;
    }

    /// <summary>A setting's error in the words of the option that gave it.</summary>
    private static string OptionNames(string error, ClusterUpOptions options)
    {
        void Name(string setting, string option, bool given)
        {
            if (given) error = error.Replace(setting, option, StringComparison.Ordinal);
        }
        Name("Network:ValidatorRegions", "--validator-regions", options.ValidatorRegions is not null);
        Name("Network:ClientRegion", "--client-region", options.ClientRegion is not null);
        Name("Network:Regions", "--regions", options.Regions is not null || options.Network is not null);
        return error.StartsWith("network", StringComparison.Ordinal) ? "--" + error : error;
    }

    /// <summary>
    /// The region silo <paramref name="instance"/> is (<c>Cluster:Region</c>; docs/CLUSTER.md, "Regions"): with a network,
    /// region i of the regions <c>--regions</c> names (either form) for silo i, round-robin when there are more silos than
    /// regions (<see cref="Core.Placement.PlacementRule.SiloRegion"/>); a region beyond the silo count has no silo, and its
    /// members are spread over the others. Null without a network.
    /// </summary>
    public static string? SiloRegion(NetworkRecord? network, int instance)
    {
        if (network is null || network.Regions.Length == 0) return null;
        return Core.Placement.PlacementRule.SiloRegion(Core.Network.RegionSpec.Parse(network.Regions).Regions, instance);
    }

    /// <summary>The silo's command-line settings for <paramref name="network"/> (empty values left to the silo's defaults).</summary>
    public static List<string> NetworkArguments(NetworkRecord network)
    {
        var args = new List<string> { "--Network:Model", network.Model, "--Network:Regions", network.Regions };
        if (network.ValidatorRegions.Length > 0) args.AddRange(["--Network:ValidatorRegions", network.ValidatorRegions]);
        if (network.ClientRegion.Length > 0) args.AddRange(["--Network:ClientRegion", network.ClientRegion]);
        return args;
    }

    /// <summary>The cluster's TLS: with --tls the state folder's own CA and certificates; without it, Cluster:Tls of the
    /// configuration if enabled (the silos read it themselves); otherwise none (plain TCP).</summary>
    private TlsRecord? TlsFor(ClusterUpOptions options, ClusterSettings settings)
    {
        if (options.Tls)
            return LocalClusterTls.Prepare(folder, progress, options.DistinctHosts
                ? Enumerable.Range(0, options.Silos).Select(i => IPAddress.Parse(options.AddressOf(i))).ToArray() : []);
        if (!settings.Tls.Enabled) return null;
        return new TlsRecord
        {
            Source = "Cluster:Tls",
            Ca = Path.GetFullPath(settings.Tls.Ca),
            SiloCertificate = Path.GetFullPath(settings.Tls.Certificate),
            SiloKey = string.IsNullOrEmpty(settings.Tls.Key) ? "" : Path.GetFullPath(settings.Tls.Key),
        };
    }

    private async Task<ClusterRecord> StartSilosAsync(ClusterRecord record, int[] instances, string dotnet, string siloDll, List<string> siloArgs, int siloBase,
        int gatewayBase, ClusterUpOptions options, CancellationToken cancellationToken)
    {
        var timeout = options.Timeout;
        var launched = new List<SiloRecord>();
        foreach (var instance in instances)
        {
            var log = folder.SiloLog(instance);
            var address = options.AddressOf(instance);
            List<string> addressArgs = options.DistinctHosts ? ["--Cluster:ListenAddress", address, "--Cluster:AdvertisedAddress", address] : [];
            var region = SiloRegion(record.Network, instance);
            string[] regionArgs = region is null ? [] : ["--Cluster:Region", region];
            var (pid, processStart) = Launch(dotnet, [siloDll, "--instance", instance.ToString(), .. siloArgs, .. addressArgs, .. regionArgs], log);
            var silo = new SiloRecord
            {
                Instance = instance, Pid = pid, SiloPort = siloBase + instance, GatewayPort = gatewayBase + instance, Log = log,
                StartedAt = DateTimeOffset.UtcNow, ProcessStart = processStart, Address = address, Region = region,
            };
            launched.Add(silo);
            record = record with { Silos = [.. record.Silos, silo] };
            folder.Save(record);
        }
        var ready = await Task.WhenAll(launched.Select(s => WaitForSiloAsync(s, timeout, cancellationToken)));
        record = record with { Silos = [.. record.Silos.Select(s => ready.FirstOrDefault(r => r.Instance == s.Instance) ?? s)] };
        folder.Save(record);
        foreach (var s in ready)
            progress.WriteLine($"silo {s.Instance}    pid {s.Pid,-8} silo port {s.SiloPort}   gateway {s.Gateway}{(s.Region is null ? "" : "   region " + s.Region)}   ready in {(s.ReadyAt!.Value - s.StartedAt).TotalSeconds:0.0} s   log {s.Log}");
        return record;
    }

    private static async Task<SiloRecord> WaitForSiloAsync(SiloRecord silo, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var text = ReadShared(silo.Log);
            // The ready line names the pid: a line left in the log by an earlier process of the same instance never counts.
            if (text.Split('\n').Any(l => l.Contains(ReadyMarker, StringComparison.Ordinal) && l.Contains($"pid {silo.Pid},", StringComparison.Ordinal)))
                return silo with { ReadyAt = DateTimeOffset.UtcNow };
            if (!LocalProcess.IsAlive(silo.Pid, silo.ProcessStart))
                throw new LocalClusterException($"silo {silo.Instance} exited while starting: {LastLines(text)} (log {silo.Log})", ExitCodes.Internal);
            if (clock.Elapsed > timeout)
                throw new LocalClusterException($"silo {silo.Instance} was not ready within {timeout.TotalSeconds:0.#} s (log {silo.Log}): {LastLines(text)}", ExitCodes.TimedOut);
            await Task.Delay(200, cancellationToken);
        }
    }

    private async Task<RedisRecord> StartRedisAsync(string redisServer, int port, string dataDir, TimeSpan timeout, CancellationToken cancellationToken)
    {
        // appendonly: every write reaches the data folder, so a redis restarted on the same folder has everything.
        var (pid, processStart) = Launch(redisServer,
            ["--port", port.ToString(), "--bind", "127.0.0.1", "--dir", dataDir, "--appendonly", "yes", "--daemonize", "no", "--logfile", ""], folder.RedisLog);
        var redis = new RedisRecord { Pid = pid, Port = port, DataDir = dataDir, Log = folder.RedisLog, StartedAt = DateTimeOffset.UtcNow, ProcessStart = processStart };
        var clock = Stopwatch.StartNew();
        while (!await RedisAnswersAsync(port, cancellationToken))
        {
            if (!LocalProcess.IsAlive(pid, processStart))
                throw new LocalClusterException($"redis-server exited while starting: {LastLines(ReadShared(folder.RedisLog))} (log {folder.RedisLog})", ExitCodes.Internal);
            if (clock.Elapsed > timeout)
                throw new LocalClusterException($"redis-server did not answer PING within {timeout.TotalSeconds:0.#} s (log {folder.RedisLog})", ExitCodes.TimedOut);
            await Task.Delay(100, cancellationToken);
        }
        return redis;
    }

    /// <summary>Stops every recorded process: silos gracefully (SIGTERM, then SIGKILL after <paramref name="timeout"/>),
    /// with Localhost clustering the primary last; redis last of all. Then removes the record.</summary>
    public async Task<bool> DownAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        var record = folder.Load();
        if (record is null)
        {
            progress.WriteLine($"no cluster recorded in {folder.Path}: nothing to stop");
            return false;
        }
        var waves = record.LocalhostClustering
            ? [record.Silos.Where(s => s.Instance != 0).ToList(), record.Silos.Where(s => s.Instance == 0).ToList()]
            : new List<List<SiloRecord>> { record.Silos };
        // A wave's silos stop in parallel; their lines are written after, in instance order (a TextWriter is not thread-safe).
        foreach (var wave in waves)
            foreach (var line in await Task.WhenAll(wave.Select(s => StopAsync($"silo {s.Instance}", s.Pid, s.ProcessStart, timeout, cancellationToken))))
                progress.WriteLine(line);
        if (record.Redis is { } redis)
            progress.WriteLine(await StopAsync("redis", redis.Pid, redis.ProcessStart, timeout, cancellationToken));
        folder.Clear();
        return true;
    }

    /// <summary>
    /// Stops one silo gracefully (<c>cluster down --instance N</c>): SIGTERM, so it leaves the membership itself and its
    /// grains deactivate and come back on the others; killed after <paramref name="timeout"/>. The record keeps every
    /// silo (this one then shows as not running) and redis. Refused (exit 2) when N is not recorded, is not running, is
    /// the last live silo (use plain <c>cluster down</c>), or is instance 0 of a Localhost cluster (the primary).
    /// </summary>
    public async Task StopInstanceAsync(int instance, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var record = folder.Load() ?? throw new LocalClusterException($"no cluster recorded in {folder.Path}: nothing to stop", ExitCodes.Usage);
        var silo = record.Silos.FirstOrDefault(s => s.Instance == instance)
                   ?? throw new LocalClusterException($"the cluster in {folder.Path} has no silo {instance} (instances {string.Join(", ", record.Silos.Select(s => s.Instance))})", ExitCodes.Usage);
        if (!record.IsAlive(silo)) throw new LocalClusterException($"silo {instance} (pid {silo.Pid}) is not running", ExitCodes.Usage);
        if (record.LocalhostClustering && instance == 0)
            throw new LocalClusterException("silo 0 is the primary of a Localhost cluster (the others cannot go on without it): stop the whole cluster with `rollup cluster down`", ExitCodes.Usage);
        if (record.AliveSilos().Count == 1)
            throw new LocalClusterException($"silo {instance} is the last one running: stop the cluster with `rollup cluster down`", ExitCodes.Usage);
        progress.WriteLine(await StopAsync($"silo {instance}", silo.Pid, silo.ProcessStart, timeout, cancellationToken));
    }

    /// <summary>Stops one process (SIGTERM, then SIGKILL after <paramref name="timeout"/>); the line that says how it went.</summary>
    private static async Task<string> StopAsync(string what, int pid, DateTimeOffset? processStart, TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (!LocalProcess.IsAlive(pid, processStart)) return $"{what,-9} pid {pid,-8} was not running";
        var clock = Stopwatch.StartNew();
        LocalProcess.Terminate(pid);
        if (await LocalProcess.WaitForExitAsync(pid, processStart, timeout, cancellationToken))
            return $"{what,-9} pid {pid,-8} stopped in {clock.Elapsed.TotalSeconds:0.0} s";
        LocalProcess.Kill(pid);
        await LocalProcess.WaitForExitAsync(pid, processStart, TimeSpan.FromSeconds(10), cancellationToken);
        return $"{what,-9} pid {pid,-8} killed: still running {timeout.TotalSeconds:0} s after SIGTERM";
    }

    /// <summary>
    /// Starts <paramref name="program"/> detached, output to <paramref name="log"/>. Through /bin/sh so the output can go
    /// to a file (a pipe would break when the harness exits); <c>exec</c> and setsid's no-fork path keep the pid the
    /// one Process.Start returns (the new process is never a process-group leader, so setsid does not fork).
    /// </summary>
    private static (int Pid, DateTimeOffset? ProcessStart) Launch(string program, IReadOnlyList<string> arguments, string log)
    {
        var setsid = OperatingSystem.IsWindows() ? null : LocalProcess.FindOnPath("setsid");
        var info = new ProcessStartInfo("/bin/sh") { UseShellExecute = false, WorkingDirectory = Directory.GetCurrentDirectory() };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add(setsid is null ? "log=$1; shift; exec \"$@\" > \"$log\" 2>&1 < /dev/null" : "log=$1; shift; exec \"$0\" \"$@\" > \"$log\" 2>&1 < /dev/null");
        info.ArgumentList.Add(setsid ?? "sh");
        info.ArgumentList.Add(log);
        info.ArgumentList.Add(program);
        foreach (var a in arguments) info.ArgumentList.Add(a);
        File.WriteAllText(log, ""); // a fresh log for this process (the shell truncates it too, but maybe after the first poll)
        using var process = Process.Start(info) ?? throw new LocalClusterException($"cannot start {program}", ExitCodes.Internal);
        return (process.Id, LocalProcess.StartTime(process.Id));
    }

    /// <summary>The dotnet host running this harness (or the one on PATH / in DOTNET_ROOT).</summary>
    private static string? DotnetHost()
    {
        var self = Environment.ProcessPath;
        if (self is not null && Path.GetFileNameWithoutExtension(self).Equals("dotnet", StringComparison.OrdinalIgnoreCase)) return self;
        var root = Environment.GetEnvironmentVariable("DOTNET_ROOT");
        if (!string.IsNullOrEmpty(root) && File.Exists(Path.Combine(root, "dotnet"))) return Path.Combine(root, "dotnet");
        return LocalProcess.FindOnPath("dotnet");
    }

    private static bool PortIsFree(int port)
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

    /// <summary>True when a Redis server on the loopback port answers PING with PONG.</summary>
    public static async Task<bool> RedisAnswersAsync(int port, CancellationToken cancellationToken)
    {
        try
        {
            using var client = new TcpClient();
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(1));
            await client.ConnectAsync(IPAddress.Loopback, port, timeout.Token);
            var stream = client.GetStream();
            await stream.WriteAsync("PING\r\n"u8.ToArray(), timeout.Token);
            var buffer = new byte[64];
            var read = await stream.ReadAsync(buffer, timeout.Token);
            return Encoding.ASCII.GetString(buffer, 0, read).StartsWith("+PONG", StringComparison.Ordinal);
        }
        catch (Exception e) when (e is SocketException or IOException || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            return false;
        }
    }

    private static string ReadShared(string path)
    {
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var reader = new StreamReader(stream);
            return reader.ReadToEnd();
        }
        catch (IOException)
        {
            return "";
        }
    }

    /// <summary>The last few non-empty lines of a log, as one line (what the error message shows).</summary>
    private static string LastLines(string text)
    {
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return lines.Length == 0 ? "(its log is empty)" : string.Join(" | ", lines.TakeLast(3));
    }
}
