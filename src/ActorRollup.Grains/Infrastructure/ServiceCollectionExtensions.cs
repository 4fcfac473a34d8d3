using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace ActorRollup.Grains.Infrastructure;

public static class ServiceCollectionExtensions
{
    /// <summary>Registers the per-silo services the grains use (verification memo, metrics, clock).</summary>
    public static IServiceCollection AddActorRollupGrains(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<VerificationMemo>();
        services.TryAddSingleton<RollupMetrics>();
        return services;
    }
}
