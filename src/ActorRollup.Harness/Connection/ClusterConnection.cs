using System.Net;
using System.Net.Sockets;
using ActorRollup.Abstractions;
using ActorRollup.Abstractions.Config;
using ActorRollup.Abstractions.Messages;
using ActorRollup.Silo;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ActorRollup.Harness.Connection;

/// <summary>
/// How the harness reaches grains: by default an embedded silo in this process (co-hosted client, no setup, its own
/// free ports so it never collides with a running cluster); with <c>--gateway host:port</c> (repeatable) an Orleans
/// client of a running cluster. A cluster that cannot be reached is one clear <see cref="ClusterUnreachableException"/>.
/// </summary>
public sealed class ClusterConnection : IAsyncDisposable
{
    private readonly IHost _host;
    private Rpc.RpcServer? _rpc;

    private ClusterConnection(IHost host, IGrainFactory grains, bool embedded, ChainConfig chain, GenesisSettings genesis, string where, string? operatorKey)
    {
        _host = host;
        OperatorKey = operatorKey;
        Grains = grains;
        Embedded = embedded;
        DefaultChain = chain;
        Genesis = genesis;
        Where = where;
    }

    public IGrainFactory Grains { get; }
    public bool Embedded { get; }
    /// <summary>The chain named in the configuration (Chain:ChainId), used when a command gets no --chain.</summary>
    public ChainConfig DefaultChain { get; }
    public GenesisSettings Genesis { get; }
    public string Where { get; }
    public IServiceProvider Services => _host.Services;
    /// <summary>The operator key this harness holds (Cluster:OperatorKey; the embedded silo's own when it has none configured), or null.</summary>
    public string? OperatorKey { get; }

    /// <summary>The node-key seed of <paramref name="chainId"/> as this harness can know it: Genesis:NodeKeySeed for the
    /// configured chain, else the one derived from the operator key (GenesisKeys); null with neither.</summary>
    public string? NodeKeySeedOf(string chainId) =>
        GenesisKeys.NodeKeySeedFor(chainId, chainId == DefaultChain.ChainId ? Genesis.NodeKeySeed : null, OperatorKey);

    public static Task<ClusterConnection> OpenAsync(IReadOnlyList<string> gateways, CancellationToken cancellationToken = default) =>
        OpenAsync(gateways, null, cancellationToken);

    /// <summary>The same; a client of a cluster speaks TLS when <see cref="HarnessTls"/> finds a certificate for it
    /// (options, Cluster:Tls, or <paramref name="stateFolder"/> — default .rollup-cluster — recording a TLS cluster).</summary>
    /// <remarks>An embedded silo runs the network model of <paramref name="network"/>, or else of the Network:* settings
    /// (docs/NETWORK.md); a cluster's own silos apply their own settings.</remarks>
    public static async Task<ClusterConnection> OpenAsync(IReadOnlyList<string> gateways, string? stateFolder, CancellationToken cancellationToken = default,
        Grains.Infrastructure.NetworkOptions? network = null)
    {
        var configuration = new ConfigurationManager();
        RollupSilo.AddConfiguration(configuration, []);
        var (cluster, chain, genesis) = RollupSilo.Bind(configuration);
        // With Cluster:Clustering = Redis and no --gateway, the cluster's membership in Redis names the gateways.
        return gateways.Count > 0 || cluster.RedisClustering
            ? await OpenClientAsync(gateways, cluster, chain, genesis, HarnessTls.Resolve(cluster, gateways, stateFolder), cancellationToken)
            : await OpenEmbeddedAsync(cluster, chain, genesis, network ?? RollupSilo.BindNetwork(configuration), RollupSilo.BindRpc(configuration), cancellationToken);
    }

    /// <summary>The JSON-RPC endpoint of the embedded silo (<c>--rpc-port</c>), or null.</summary>
    public Uri? RpcAddress => _rpc?.Address;

    private static async Task<ClusterConnection> OpenEmbeddedAsync(ClusterSettings cluster, ChainConfig chain, GenesisSettings genesis,
        Grains.Infrastructure.NetworkOptions network, Rpc.RpcSettings rpc, CancellationToken cancellationToken)
    {
        var embedded = new ClusterSettings
        {
            SiloPort = FreePort(),
            GatewayPort = FreePort(),
            ServiceId = cluster.ServiceId,
            ClusterId = $"{cluster.ClusterId}-embedded-{Environment.ProcessId}",
            // Cluster:Storage = Redis makes the embedded silo durable too: its chains outlive the harness process.
            Storage = cluster.Storage,
            Redis = cluster.Redis,
        };
        embedded.PrimarySiloPort = embedded.SiloPort;
        // The embedded silo and this process share the user's operator key (Cluster:OperatorKey or its file), so a chain
        // an embedded run leaves in Redis storage is operated on by the same key from a later run or a real silo, and the
        // configured chain's genesis owners' keys (derived from it) are the same each time.
        embedded.OperatorKey = cluster.ResolveOperatorKey(create: true) ?? "";
        embedded.InternalKey = cluster.InternalKey;
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        // The embedded silo is quiet: the harness owns stdout. ACTORROLLUP_SILO_LOG=path writes its log to a file.
        builder.Logging.ClearProviders();
        var logFile = Environment.GetEnvironmentVariable("ACTORROLLUP_SILO_LOG");
        if (!string.IsNullOrEmpty(logFile))
        {
            builder.Logging.AddProvider(new FileLoggerProvider(logFile));
            builder.Logging.SetMinimumLevel(LogLevel.Warning);
            builder.Logging.AddFilter("ActorRollup", LogLevel.Information);
        }
        else
        {
            builder.Logging.SetMinimumLevel(LogLevel.Critical);
        }
        builder.UseOrleans(silo =>
        {
            RollupSilo.ConfigureSilo(silo, embedded);
            RollupSilo.AddNetwork(silo, network);
            // The embedded harness is the operator of its own silo: the silo's outgoing filter presents the key on its
            // hosted-client operator calls (one filter, not a second one every grain call would pass through).
            silo.Services.Configure<Grains.Infrastructure.TrustOptions>(o => o.HostedClientIsOperator = true);
        });
        var host = builder.Build();
        await host.StartAsync(cancellationToken);
        var connection = new ClusterConnection(host, host.Services.GetRequiredService<IGrainFactory>(), true, chain, genesis, "embedded silo", embedded.OperatorKey);
        if (HarnessRpc.Port is { } port)
        {
            try
            {
                // The embedded harness's hosted client presents the operator key (above); the endpoint only ever makes
                // public calls (queries and admission), so that key grants it nothing.
                connection._rpc = await Rpc.RpcServer.StartAsync(connection.Grains, rpc, port, chain.ChainId, null, cancellationToken);
            }
            catch (IOException e)
            {
                await connection.DisposeAsync();
                throw new ClusterUnreachableException($"{HarnessRpc.OptionName} {port}: cannot listen on {rpc.Host}:{port}: {Cli.OneLine(e.Message)}");
            }
        }
        return connection;
    }

    private static async Task<ClusterConnection> OpenClientAsync(IReadOnlyList<string> gateways, ClusterSettings cluster, ChainConfig chain, GenesisSettings genesis,
        (Silo.Tls.TlsMaterial? Material, string Source) tls, CancellationToken cancellationToken)
    {
        var endpoints = gateways.Select(ParseGateway).ToArray();
        var operatorKey = cluster.ResolveOperatorKey(create: false);
        var where = gateways.Count > 0 ? string.Join(", ", gateways) : $"the gateways in Redis at {cluster.Redis}";
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.ClearProviders();
        builder.UseOrleansClient(client =>
        {
            if (endpoints.Length > 0)
            {
                client.UseStaticClustering(endpoints);
            }
            else
            {
                var redis = StackExchange.Redis.ConfigurationOptions.Parse(cluster.Redis);
                redis.AbortOnConnectFail = false;
                client.UseRedisClustering(o => o.ConfigurationOptions = redis);
            }
            client.Configure<Orleans.Configuration.ClusterOptions>(o =>
            {
                o.ClusterId = cluster.ClusterId;
                o.ServiceId = cluster.ServiceId;
            });
            client.Configure<Orleans.Configuration.ClientMessagingOptions>(o => o.ResponseTimeout = TimeSpan.FromSeconds(10));
            // Operator commands (bootstrap, faults, retire) present the operator key; without one they are refused.
            if (operatorKey is not null) client.AddOutgoingGrainCallFilter(new OperatorKeyPresenter(operatorKey));
            if (tls.Material is not null) Silo.Tls.ClusterTls.ConfigureClient(client, tls.Material);
        });
        var host = builder.Build();
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(15));
            var started = Task.Run(() => StartAndPingAsync(host, timeout.Token, cancellationToken), CancellationToken.None);
            // A gateway that refuses this client's TLS (or its lack of it) drops the connection and the Orleans client
            // just retries: when the start is slow, one handshake of our own says whether that is why.
            if (endpoints.Length > 0 && await Task.WhenAny(started, Task.Delay(ProbeAfter, cancellationToken)) != started)
            {
                var probe = TlsRefusalAsync(endpoints, tls.Material, cancellationToken);
                _ = probe.ContinueWith(t => t.Exception, TaskScheduler.Default);
                if (await Task.WhenAny(started, probe) == probe && await probe is { } refusal)
                {
                    await timeout.CancelAsync();
                    _ = started.ContinueWith(t => t.Exception, TaskScheduler.Default); // observed: it fails once cancelled
                    await Task.WhenAny(started, Task.Delay(TimeSpan.FromSeconds(2), CancellationToken.None));
                    throw new TlsRefusedException(refusal);
                }
            }
            var client = await started;
            return new ClusterConnection(host, client, false, chain, genesis, where, operatorKey);
        }
        catch (TlsRefusedException e)
        {
            host.Dispose();
            throw new ClusterUnreachableException($"cannot reach the cluster at {where} (cluster id '{cluster.ClusterId}'): {e.Message}");
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            host.Dispose();
            var why = e is OperationCanceledException or TimeoutException ? "no gateway answered within 15 s" : Cli.OneLine(e.Message);
            var transport = tls.Material is null ? "plain TCP" : $"mutual TLS with {tls.Source}";
            throw new ClusterUnreachableException($"cannot reach the cluster at {where} (cluster id '{cluster.ClusterId}', {transport}): {why}");
        }
    }

    /// <summary>How long a client may take to start before <see cref="TlsProbe"/> is asked why.</summary>
    private static readonly TimeSpan ProbeAfter = TimeSpan.FromSeconds(1);

    private static async Task<IClusterClient> StartAndPingAsync(IHost host, CancellationToken startToken, CancellationToken cancellationToken)
    {
        await host.StartAsync(startToken);
        var client = host.Services.GetRequiredService<IClusterClient>();
        await client.GetGrain<IPingGrain>(0).Ping(0).WaitAsync(TimeSpan.FromSeconds(10), cancellationToken);
        return client;
    }

    /// <summary>The reason every gateway refuses this client's transport, or null when one does not (then the wait goes on).</summary>
    private static async Task<string?> TlsRefusalAsync(IPEndPoint[] endpoints, Silo.Tls.TlsMaterial? material, CancellationToken cancellationToken)
    {
        var results = await Task.WhenAll(endpoints.Select(e => TlsProbe.ProbeAsync(e, material, TimeSpan.FromSeconds(3), cancellationToken)));
        bool Refusal(TlsProbe.Result r) => material is null
            ? r.Outcome is TlsProbe.Outcome.Refused
            : r.Outcome is TlsProbe.Outcome.Refused or TlsProbe.Outcome.GatewayUntrusted or TlsProbe.Outcome.NotTls;
        if (!results.All(Refusal)) return null;
        var detail = results[0].Detail;
        return material is null
            ? detail + ": this client speaks plain TCP; give --tls-cert/--tls-key/--tls-ca, Cluster:Tls, or the --state folder of a `cluster up --tls` cluster"
            : detail;
    }

    private sealed class TlsRefusedException(string message) : Exception(message);

    /// <summary>Splits a <c>--gateway</c> value into host and port (1-65535); false when it is not host:port.</summary>
    public static bool TrySplitGateway(string text, out string host, out int port)
    {
        var colon = text.LastIndexOf(':');
        host = colon > 0 ? text[..colon] : "";
        port = 0;
        return colon > 0
               && int.TryParse(text[(colon + 1)..], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out port)
               && port is >= 1 and <= 65535;
    }

    private static IPEndPoint ParseGateway(string text)
    {
        if (!TrySplitGateway(text, out var host, out var port))
            throw new ClusterUnreachableException($"--gateway '{text}' is not host:port");
        if (!IPAddress.TryParse(host, out var address))
        {
            try
            {
                address = Dns.GetHostAddresses(host).First(a => a.AddressFamily == AddressFamily.InterNetwork);
            }
            catch (Exception e) when (e is SocketException or InvalidOperationException)
            {
                throw new ClusterUnreachableException($"--gateway '{text}': host '{host}' does not resolve");
            }
        }
        return new IPEndPoint(address, port);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Makes sure the configured default chain exists (an embedded silo starts empty); returns its id.</summary>
    public async Task<string> EnsureDefaultChainAsync()
    {
        var chain = Grains.Chain(DefaultChain.ChainId);
        if (await chain.GetGenesis() is null)
        {
            var result = await chain.Bootstrap(Genesis.ToGenesis(DefaultChain, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), OperatorKey));
            if (!result.Ok && result.Reason != ChainReason.AlreadyBootstrapped)
                throw new InvalidOperationException($"cannot bootstrap {DefaultChain.ChainId}: {result.Reason} {result.Detail}");
        }
        return DefaultChain.ChainId;
    }

    public async ValueTask DisposeAsync()
    {
        if (_rpc is not null) await _rpc.DisposeAsync();
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await _host.StopAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
        }
        _host.Dispose();
    }
}

/// <summary>The cluster named by --gateway cannot be reached; the message says where and why, in one line.</summary>
public sealed class ClusterUnreachableException(string message) : Exception(message);
