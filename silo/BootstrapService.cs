using ActorRollup.Abstractions;
using ActorRollup.Abstractions.Config;
using ActorRollup.Abstractions.Messages;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ActorRollup.Silo;

/// <summary>Bootstraps the configured chain once the silo runs (instance 0 only; an existing chain is kept).</summary>
public sealed class BootstrapService(IGrainFactory grains, ChainGenesis genesis, ClusterSettings cluster, ILogger<BootstrapService> log) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (cluster.Instance != 0) return;
        // Bootstrap is an operator call: the silo presents the operator key like any operator's tool.
        using var asOperator = Abstractions.Security.CallerScope.AsOperator(cluster.ResolveOperatorKey(create: true) ?? "");
        var result = await grains.Chain(genesis.Config.ChainId).Bootstrap(genesis);
        if (result.Reason == ChainReason.AlreadyBootstrapped)
            log.LogInformation("chain {Chain} already exists at height {Height}", genesis.Config.ChainId, result.Height);
        else if (!result.Ok)
            log.LogError("chain {Chain} could not be bootstrapped: {Reason} {Detail}", genesis.Config.ChainId, result.Reason, result.Detail);
    }
}
