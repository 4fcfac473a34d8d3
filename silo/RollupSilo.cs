using ActorRollup.Abstractions.Config;
using ActorRollup.Grains.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using Orleans.Configuration;
using Orleans.Hosting;
using Orleans.Runtime.MembershipService.SiloMetadata;
using StackExchange.Redis;

namespace ActorRollup.Silo;

/// <summary>How a silo is configured and built — shared by the silo host, the harness's embedded silo and tests.</summary>
public static class RollupSilo
{
    /// <summary>
    /// Configuration sources in order of precedence (later wins): the root appsettings.json (found from the working
    /// directory up, or beside the binary), environment variables prefixed ACTORROLLUP_, then the command line.
    /// "--instance N" is a shortcut for --Cluster:Instance N.
    /// </summary>
    public static void AddConfiguration(IConfigurationBuilder configuration, string[] args)
    {
        var file = FindSettingsFile();
        if (file is not null) configuration.AddJsonFile(file, optional: false, reloadOnChange: false);
        configuration.AddEnvironmentVariables("ACTORROLLUP_");
        configuration.AddCommandLine(args, new Dictionary<string, string> { ["--instance"] = "Cluster:Instance" });
    }

    public static string? FindSettingsFile()
    {
        for (var dir = new DirectoryInfo(Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "appsettings.json");
            if (File.Exists(candidate) && File.Exists(Path.Combine(dir.FullName, "ActorRollup.sln"))) return candidate;
        }
        var beside = Path.Combine(AppContext.BaseDirectory, "appsettings.json");
        return File.Exists(beside) ? beside : null;
    }

    /// <summary>Binds and validates every setting; throws <see cref="OptionsValidationException"/>-style errors naming each bad setting.</summary>
    public static (ClusterSettings Cluster, ChainConfig Chain, GenesisSettings Genesis) Bind(IConfiguration configuration)
    {
        var cluster = configuration.GetSection("Cluster").Get<ClusterSettings>() ?? new ClusterSettings();
        var chain = configuration.GetSection("Chain").Get<ChainConfig>() ?? new ChainConfig();
        var genesis = configuration.GetSection("Genesis").Get<GenesisSettings>() ?? new GenesisSettings();
        var errors = cluster.Validate().Concat(chain.Validate()).Concat(genesis.Validate()).ToList();
        if (errors.Count == 0) errors.AddRange(genesis.ToGenesis(chain, 0, cluster.OperatorKey).Validate());
        if (errors.Count > 0) throw new SettingsException(errors.Distinct().ToList());
        return (cluster, chain, genesis);
    }

    /// <summary>The network model's settings (section <c>Network</c>, docs/NETWORK.md); throws <see cref="SettingsException"/>
    /// naming the bad setting. No <c>Network:Model</c>: no network.</summary>
    public static NetworkOptions BindNetwork(IConfiguration configuration)
    {
        var network = configuration.GetSection("Network").Get<NetworkOptions>() ?? new NetworkOptions();
        var errors = network.Validate();
        if (errors.Count > 0) throw new SettingsException(errors);
        return network;
    }

    /// <summary>The JSON-RPC endpoint's settings (section <c>Rpc</c>, docs/JSON-RPC.md); throws <see cref="SettingsException"/>
    /// naming the bad setting.</summary>
    public static Rpc.RpcSettings BindRpc(IConfiguration configuration)
    {
        var rpc = configuration.GetSection("Rpc").Get<Rpc.RpcSettings>() ?? new Rpc.RpcSettings();
        var errors = rpc.Validate();
        if (errors.Count > 0) throw new SettingsException(errors);
        return rpc;
    }

    /// <summary>Refuses a <c>Cluster:Region</c> the network model does not know (when a model is set).</summary>
    public static void CheckRegion(ClusterSettings cluster, NetworkOptions network)
    {
        if (cluster.Region.Length == 0 || !network.Enabled) return;
        var matrix = Core.Network.LatencyMatrix.Load(network.Model.Trim());
        if (!matrix.Regions.Contains(cluster.Region))
            throw new SettingsException([$"Cluster:Region '{cluster.Region}' is not a region of the network model {network.Model}"]);
    }

    /// <summary>Orleans silo metadata (ORLEANSEXP004) with this silo's region (<see cref="RollupPlacementDirector.RegionKey"/>,
    /// empty = none): the placement director reads every silo's region from the metadata cache.</summary>
    public static void AddRegion(ISiloBuilder silo, string region)
    {
        var metadata = new Dictionary<string, string>();
        if (region.Length > 0) metadata[RollupPlacementDirector.RegionKey] = region;
        silo.UseSiloMetadata(metadata);
    }

    /// <summary>The network model's call filter on this silo when <paramref name="network"/> names a model; nothing otherwise.</summary>
    public static void AddNetwork(ISiloBuilder silo, NetworkOptions network)
    {
        if (network.Enabled) silo.Services.AddActorRollupNetwork(network);
    }

    /// <summary>Configures an Orleans silo for ActorRollup: clustering, storage, reminders, failure detection, the grains' services.</summary>
    public static void ConfigureSilo(ISiloBuilder silo, ClusterSettings cluster)
    {
        if (cluster.RedisClustering)
        {
            silo.UseRedisClustering(o => o.ConfigurationOptions = RedisOptions(cluster.Redis));
            silo.Configure<ClusterOptions>(o =>
            {
                o.ServiceId = cluster.ServiceId;
                o.ClusterId = cluster.ClusterId;
            });
            ConfigureAddresses(silo, cluster);
            // The grain directory in Redis too: with Orleans' in-cluster directory a dead silo's directory partition takes
            // the registrations it owned with it, and the survivors deactivate those grains (live ones included) — a
            // second stall after the kill's. In Redis a registration outlives any silo; one pointing at a dead silo is
            // dropped when that silo is declared dead.
            silo.UseRedisGrainDirectoryAsDefault(o => o.ConfigurationOptions = RedisOptions(cluster.Redis));
        }
        else
        {
            silo.UseLocalhostClustering(cluster.EffectiveSiloPort, cluster.EffectiveGatewayPort,
                cluster.Instance == 0 ? null : new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, cluster.PrimarySiloPort),
                cluster.ServiceId, cluster.ClusterId);
        }
        AddRollup(silo, cluster.RedisStorage ? cluster.Redis : null, TimeSpan.FromSeconds(cluster.ProbeTimeoutSeconds));
        AddRegion(silo, cluster.Region);
        var operatorKey = cluster.ResolveOperatorKey(create: true);
        silo.Services.Configure<TrustOptions>(o =>
        {
            o.OperatorKey = operatorKey ?? "";
            o.InternalKey = cluster.InternalKey;
        });
        AddTls(silo, cluster.Tls);
    }

    /// <summary>Where the silo and gateway listen (Cluster:ListenAddress) and what the silo advertises in membership
    /// (Cluster:AdvertisedAddress, default the listen address): the address other silos and clients dial.</summary>
    public static void ConfigureAddresses(ISiloBuilder silo, ClusterSettings cluster)
    {
        silo.Configure<EndpointOptions>(o =>
        {
            o.AdvertisedIPAddress = cluster.AdvertisedIp;
            o.SiloPort = cluster.EffectiveSiloPort;
            o.GatewayPort = cluster.EffectiveGatewayPort;
            o.SiloListeningEndpoint = new System.Net.IPEndPoint(cluster.ListenIp, cluster.EffectiveSiloPort);
            o.GatewayListeningEndpoint = new System.Net.IPEndPoint(cluster.ListenIp, cluster.EffectiveGatewayPort);
        });
    }

    /// <summary>Mutual TLS on the silo and gateway ports and on connections to other silos, when Cluster:Tls:Enabled
    /// (<see cref="Tls.ClusterTls"/>); nothing otherwise (plain TCP).</summary>
    public static void AddTls(ISiloBuilder silo, Tls.TlsSettings tls)
    {
        if (tls.Enabled) Tls.ClusterTls.ConfigureSilo(silo, Tls.ClusterTls.Load(tls));
    }

    /// <summary>Everything but clustering (which a test cluster brings itself): storage and reminders, the grains'
    /// services, the response timeout, and failure detection (<see cref="ConfigureFailureDetection"/>).</summary>
    public static void AddRollup(ISiloBuilder silo, string? redis, TimeSpan probeTimeout)
    {
        AddDurability(silo, redis);
        silo.Services.AddActorRollupGrains();
        // A call in flight to a silo that dies is broken when the silo is declared dead (Orleans fails every request
        // outstanding to it), so this bounds only calls to a silo that is alive but stuck.
        silo.Configure<SiloMessagingOptions>(o => o.ResponseTimeout = TimeSpan.FromSeconds(10));
        ConfigureFailureDetection(silo, probeTimeout);
    }

    /// <summary>
    /// How fast a killed silo is declared dead, and why no healthy one is (docs/CLUSTER.md "Failure detection"). A
    /// killed process's port refuses connections at once, so each probe of it fails immediately and detection is the
    /// probe period times <c>NumMissedProbesLimit</c>: with a 1 s probe and 2 misses (the second one indirect, through
    /// another silo, whose vote counts too) a kill is declared within 1–2.5 s. Against false declarations on a loaded
    /// machine: two votes are still needed (NumVotesForDeathDeclaration 2: one stalled silo cannot evict a healthy one
    /// alone), a probe's own timeout stretches while the probing silo itself is degraded (thread-pool or GC delays,
    /// ExtendProbeTimeoutDuringDegradation), and a silo whose connection carried messages within the monitoring window
    /// is not voted against (EnableConnectionLivenessCheck) — a busy silo that answers grain calls but misses a probe
    /// stays. A silo stopped gracefully announces its own end and needs none of this.
    /// </summary>
    public static void ConfigureFailureDetection(ISiloBuilder silo, TimeSpan probeTimeout)
    {
        silo.Configure<ClusterMembershipOptions>(o =>
        {
            o.ProbeTimeout = probeTimeout;
            o.NumMissedProbesLimit = 2;
            o.NumVotesForDeathDeclaration = 2;
            o.EnableIndirectProbes = true;
            o.ExtendProbeTimeoutDuringDegradation = true;
            o.EnableConnectionLivenessCheck = true;
        });
    }

    /// <summary>
    /// The grains' storage provider ("rollup") and the reminder service: Orleans' Redis providers when
    /// <paramref name="redis"/> is a connection string (durable: survives silo kills and a full restart), memory
    /// otherwise. Shared by the silo host and the test clusters.
    /// </summary>
    public static void AddDurability(ISiloBuilder silo, string? redis)
    {
        if (redis is null)
        {
            silo.AddMemoryGrainStorage(StorageNames.Rollup);
            silo.UseInMemoryReminderService();
        }
        else
        {
            silo.AddRedisGrainStorage(StorageNames.Rollup, o =>
            {
                o.ConfigurationOptions = RedisOptions(redis);
                // Records that are cleared (drained admission batches, rolled-back blocks) are deleted, not kept empty.
                o.DeleteStateOnClear = true;
            });
            silo.UseRedisReminderService(o => o.ConfigurationOptions = RedisOptions(redis));
        }
        // The rotation grain's keep-alive reminder ticks every few seconds (Orleans' default minimum is a minute).
        silo.Configure<ReminderOptions>(o => o.MinimumReminderPeriod = TimeSpan.FromSeconds(1));
    }

    private static ConfigurationOptions RedisOptions(string connection)
    {
        var options = ConfigurationOptions.Parse(connection);
        options.AbortOnConnectFail = false; // keep retrying while redis-server starts or restarts
        return options;
    }

    /// <summary>One-line console logs; Orleans' own chatter only from Warning up, less its false or deliberate
    /// complaints (<see cref="AddNoiseFilters"/>).</summary>
    public static void ConfigureLogging(ILoggingBuilder logging)
    {
        logging.ClearProviders();
        logging.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "HH:mm:ss.fff ";
            o.IncludeScopes = false;
        });
        // The console provider, wrapped so that Orleans' false start-up stall warning is dropped (FalseStallFilter).
        var console = logging.Services.Single(d => d.ServiceType == typeof(ILoggerProvider) && d.ImplementationType == typeof(ConsoleLoggerProvider));
        logging.Services.Remove(console);
        logging.Services.AddSingleton<ILoggerProvider>(sp => new FalseStallFilteringProvider(ActivatorUtilities.CreateInstance<ConsoleLoggerProvider>(sp)));
        logging.SetMinimumLevel(LogLevel.Warning);
        logging.AddFilter("ActorRollup", LogLevel.Information);
        logging.AddFilter("Microsoft.Hosting.Lifetime", LogLevel.Information);
        AddNoiseFilters(logging);
    }

    /// <summary>Orleans categories whose warnings are not news for this application, each with the reason.</summary>
    public static void AddNoiseFilters(ILoggingBuilder logging)
    {
        // Its only warning says that MinimumReminderPeriod is below Orleans' one-minute default. That is deliberate
        // (AddDurability: rotation's keep-alive reminder ticks every few seconds) and is said at every start; its
        // errors (a negative or zero period) still show.
        logging.AddFilter("Orleans.Hosting.ReminderOptionsValidator", LogLevel.Error);
    }
}

/// <summary>Start-up refused: every bad setting, each named.</summary>
public sealed class SettingsException(IReadOnlyList<string> errors) : Exception("invalid settings:\n  " + string.Join("\n  ", errors))
{
    public IReadOnlyList<string> Errors { get; } = errors;
}
