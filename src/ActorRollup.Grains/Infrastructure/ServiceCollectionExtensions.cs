using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace ActorRollup.Grains.Infrastructure;

public static class ServiceCollectionExtensions
{
    /// <summary>Registers the per-silo services the grains use (verification and execution memos, metrics, clock, the silo's lifetime,
    /// the trust-boundary call filters, the placement directors), and
    /// Orleans' own binary serializer for grain state (the default is Newtonsoft JSON, several times slower for blocks).</summary>
    public static IServiceCollection AddActorRollupGrains(this IServiceCollection services)
    {
        services.AddSingleton<Orleans.Storage.IGrainStorageSerializer, Orleans.Storage.OrleansGrainStorageSerializer>();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<VerificationMemo>();
        services.TryAddSingleton<ExecutionMemo>();
        services.TryAddSingleton<RollupMetrics>();
        services.TryAddSingleton<SiloLifetime>();
        // The chain's current leader, for the network model (docs/NETWORK.md); the model and its filter are added by
        // AddActorRollupNetwork only when a network is configured.
        services.TryAddSingleton<NetworkLeaders>();
        // The trust boundary (docs/SECURITY.md): caller classes enforced on every incoming call, the internal key stamped
        // on every call a grain makes. Keys come from TrustOptions (the silo binds Cluster:OperatorKey / InternalKey).
        services.AddOptions<TrustOptions>();
        services.TryAddSingleton<TrustBoundary>();
        services.AddSingleton<IIncomingGrainCallFilter, TrustBoundaryFilter>();
        services.AddSingleton<IOutgoingGrainCallFilter, InternalKeyStamp>();
        // Placement (docs/ARCHITECTURE.md, "Placement"): a chain's members spread over the silos, its chain-wide grains together.
        services.AddPlacementDirector<MemberPlacement, RollupPlacementDirector>();
        services.AddPlacementDirector<ChainPlacement, RollupPlacementDirector>();
        return services;
    }
}
