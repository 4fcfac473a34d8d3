using ActorRollup.Silo;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

// The ActorRollup silo host: `dotnet run --project silo` (or `-- --instance 1` for a second local silo).
var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = args, DisableDefaults = true });
RollupSilo.AddConfiguration(builder.Configuration, args);
RollupSilo.ConfigureLogging(builder.Logging);

ClusterSettings cluster;
ActorRollup.Abstractions.Config.ChainConfig chain;
GenesisSettings genesis;
ActorRollup.Grains.Infrastructure.NetworkOptions network;
ActorRollup.Rpc.RpcSettings rpc;
try
{
    (cluster, chain, genesis) = RollupSilo.Bind(builder.Configuration);
    network = RollupSilo.BindNetwork(builder.Configuration);
    rpc = RollupSilo.BindRpc(builder.Configuration);
    RollupSilo.CheckRegion(cluster, network);
}
catch (SettingsException e)
{
    Console.Error.WriteLine(e.Message);
    return 2;
}

builder.UseOrleans(silo =>
{
    RollupSilo.ConfigureSilo(silo, cluster);
    RollupSilo.AddNetwork(silo, network);
});
builder.Services.AddSingleton(cluster);
// Ethereum JSON-RPC for the configured chain on Rpc:Port + instance (docs/JSON-RPC.md).
if (rpc.Enabled) ActorRollup.Rpc.RpcServiceCollectionExtensions.AddActorRollupRpc(builder.Services, rpc, rpc.EffectivePort(cluster.Instance), chain.ChainId);
if (genesis.Bootstrap)
{
    builder.Services.AddSingleton(genesis.ToGenesis(chain, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), cluster.ResolveOperatorKey(create: true)));
    builder.Services.AddHostedService<BootstrapService>();
}
using var host = builder.Build();
await host.StartAsync();
if (network.Enabled)
    host.Services.GetRequiredService<ILoggerFactory>().CreateLogger("ActorRollup.Silo").LogInformation(
        "network model {Model}: members {Regions}, validators {ValidatorRegions}, client {ClientRegion} (docs/NETWORK.md)",
        network.Model, network.Regions, network.ValidatorRegions.Length == 0 ? "(same spread)" : network.ValidatorRegions,
        network.ClientRegion.Length == 0 ? "(first region)" : network.ClientRegion);
// The line `rollup cluster up` waits for: the silo has joined the cluster and its gateway accepts clients.
host.Services.GetRequiredService<ILoggerFactory>().CreateLogger("ActorRollup.Silo").LogInformation(
    "silo ready: instance {Instance}, pid {Pid}, silo port {SiloPort}, gateway port {GatewayPort}, cluster {ClusterId}, {Transport}",
    cluster.Instance, Environment.ProcessId, cluster.EffectiveSiloPort, cluster.EffectiveGatewayPort, cluster.ClusterId,
    cluster.Tls.Enabled ? "mutual TLS" : "plain TCP");
await host.WaitForShutdownAsync();
return 0;
