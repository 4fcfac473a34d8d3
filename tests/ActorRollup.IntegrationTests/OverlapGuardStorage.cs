using System.Collections.Concurrent;
using ActorRollup.Grains.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;

namespace ActorRollup.IntegrationTests;

/// <summary>
/// Wraps the test cluster's memory storage so that, for the grain types it guards, a write or clear of a record that
/// starts while another of the same record is still in flight is refused with <see cref="InconsistentStateException"/>
/// — what a networked, etag-checked store (Redis) does to two overlapping writes of one grain's state, and what the
/// in-process memory store hides. Only validator grains are guarded (issue 10: their interleaved writes).
/// </summary>
internal sealed class OverlapGuardStorage(IGrainStorage inner, IReadOnlySet<string> guardedTypes) : IGrainStorage
{
    private readonly ConcurrentDictionary<(GrainId, string), byte> _inFlight = new();

    public static void Install(IServiceCollection services, params string[] guardedTypes)
    {
        var original = services.Last(d => d.ServiceType == typeof(IGrainStorage) && d.IsKeyedService && Equals(d.ServiceKey, StorageNames.Rollup));
        services.Remove(original);
        var types = guardedTypes.ToHashSet(StringComparer.Ordinal);
        services.AddKeyedSingleton<IGrainStorage>(StorageNames.Rollup, (sp, key) =>
            new OverlapGuardStorage((IGrainStorage)original.KeyedImplementationFactory!(sp, key), types));
    }

    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) => inner.ReadStateAsync(stateName, grainId, grainState);

    public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        Guarded(stateName, grainId, () => inner.WriteStateAsync(stateName, grainId, grainState));

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        Guarded(stateName, grainId, () => inner.ClearStateAsync(stateName, grainId, grainState));

    private async Task Guarded(string stateName, GrainId grainId, Func<Task> operation)
    {
        if (!guardedTypes.Contains(grainId.Type.ToString()!))
        {
            await operation();
            return;
        }
        var key = (grainId, stateName);
        if (!_inFlight.TryAdd(key, 0))
            throw new InconsistentStateException($"overlapping write of {stateName} of {grainId}: another write of it is still in flight");
        try
        {
            await Task.Yield(); // a networked store's round trip: the caller's turn is free meanwhile
            await operation();
        }
        finally
        {
            _inFlight.TryRemove(key, out _);
        }
    }
}
