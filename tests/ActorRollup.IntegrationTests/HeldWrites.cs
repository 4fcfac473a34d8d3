using System.Collections.Concurrent;
using ActorRollup.Grains.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;

namespace ActorRollup.IntegrationTests;

/// <summary>
/// The test cluster's "rollup" storage, wrapped so a test can hold one grain's next state write open (a networked
/// store's round trip, as long as the test wants) and count the writes of that grain's records that were in flight at
/// once. The memory store completes a write within microseconds, so two writes of one record almost never overlap there
/// by chance; held open, an interleaving call that writes meanwhile overlaps for certain. Grains no test watches go
/// straight to the memory store.
/// </summary>
internal sealed class HeldWrites(IGrainStorage inner) : IGrainStorage
{
    private static readonly ConcurrentDictionary<GrainId, Watch> Watches = new();

    /// <summary>Replaces the registered "rollup" storage provider with this wrapper around it.</summary>
    public static void Install(IServiceCollection services)
    {
        var original = services.Last(d => d.ServiceType == typeof(IGrainStorage) && d.IsKeyedService && Equals(d.ServiceKey, StorageNames.Rollup));
        services.Remove(original);
        services.AddKeyedSingleton<IGrainStorage>(StorageNames.Rollup, (sp, key) =>
            new HeldWrites(original.KeyedImplementationFactory is { } factory
                ? (IGrainStorage)factory(sp, key)
                : (IGrainStorage)(original.KeyedImplementationInstance ?? ActivatorUtilities.CreateInstance(sp, original.KeyedImplementationType!))));
    }

    /// <summary>Holds <paramref name="grain"/>'s next write (or clear) whose state <paramref name="when"/> selects (any,
    /// without it) until <see cref="Watch.Release"/>, and counts the overlaps of its writes until disposed.</summary>
    public static Watch HoldNextWrite(GrainId grain, Func<object?, bool>? when = null)
    {
        var watch = new Watch(grain, when ?? (_ => true));
        if (!Watches.TryAdd(grain, watch)) throw new InvalidOperationException($"{grain} is already watched");
        return watch;
    }

    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) => inner.ReadStateAsync(stateName, grainId, grainState);

    public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        !Watches.IsEmpty && Watches.TryGetValue(grainId, out var watch)
            ? watch.Write(grainState.State, () => inner.WriteStateAsync(stateName, grainId, grainState))
            : inner.WriteStateAsync(stateName, grainId, grainState);

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        !Watches.IsEmpty && Watches.TryGetValue(grainId, out var watch)
            ? watch.Write(grainState.State, () => inner.ClearStateAsync(stateName, grainId, grainState))
            : inner.ClearStateAsync(stateName, grainId, grainState);

    public sealed class Watch(GrainId grain, Func<object?, bool> when) : IDisposable
    {
        private readonly TaskCompletionSource _held = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _inFlight, _maxInFlight, _writes, _taken;

        /// <summary>Completes when the next write has started and is being held.</summary>
        public Task Held => _held.Task;
        /// <summary>The most writes of the grain's records that were in flight at one time.</summary>
        public int MaxInFlight => Volatile.Read(ref _maxInFlight);
        public int Writes => Volatile.Read(ref _writes);

        public void Release() => _released.TrySetResult();

        public void Dispose()
        {
            Watches.TryRemove(grain, out _);
            Release();
        }

        internal async Task Write(object? state, Func<Task> write)
        {
            var inFlight = Interlocked.Increment(ref _inFlight);
            int max;
            while (inFlight > (max = Volatile.Read(ref _maxInFlight)) && Interlocked.CompareExchange(ref _maxInFlight, inFlight, max) != max) { }
            try
            {
                Interlocked.Increment(ref _writes);
                if (Volatile.Read(ref _taken) == 0 && when(state) && Interlocked.Exchange(ref _taken, 1) == 0)
                {
                    _held.TrySetResult();
                    await _released.Task;
                }
                await write();
            }
            finally
            {
                Interlocked.Decrement(ref _inFlight);
            }
        }
    }
}
