using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace ActorRollup.Grains.Infrastructure;

public static class ServiceCollectionExtensions
{
    /// <summary>Registers the per-silo services the grains use (verification and execution memos, metrics, clock, the silo's lifetime), and
    /// Orleans' own binary serializer for grain state (the default is Newtonsoft JSON, several times slower for blocks).</summary>
    public static IServiceCollection AddActorRollupGrains(this IServiceCollection services)
    {
        services.AddSingleton<Orleans.Storage.IGrainStorageSerializer, Orleans.Storage.OrleansGrainStorageSerializer>();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<VerificationMemo>();
        services.TryAddSingleton<ExecutionMemo>();
        services.TryAddSingleton<RollupMetrics>();
        services.TryAddSingleton<SiloLifetime>();
        return services;
    }
}
