using System.Collections.Concurrent;

namespace ActorRollup.Harness.LoadTest;

/// <summary>
/// The faults that act on the whole cluster rather than on one chain — a silo kill or stop, a region's partition, the
/// heal — shared by the chains a <c>--chains N</c> run drives side by side: each such fault fires once, from whichever
/// chain's run reaches its time first, and every other run gets the same outcome (the same killed silo, whose effect
/// each then measures on its own chain). Faults aimed at a chain's members (leader-crash, isolate, ...) stay per chain.
/// The k-th cluster-wide fault of one run is the k-th of every run: they all fire the same --faults list in order.
/// </summary>
public sealed class ClusterFaults
{
    private readonly ConcurrentDictionary<int, Lazy<Task<object?>>> _fired = new();

    public static bool IsClusterWide(FaultSpec fault) =>
        fault.Kind.StartsWith("silo-", StringComparison.Ordinal) || fault.Kind is FaultSpec.Partition or FaultSpec.Heal;

    /// <summary>The outcome of cluster-wide fault number <paramref name="ordinal"/>: fired by the first caller, shared with the rest.</summary>
    public async Task<T> Once<T>(int ordinal, Func<Task<T>> fire)
    {
        var lazy = _fired.GetOrAdd(ordinal, _ => new Lazy<Task<object?>>(async () => await fire()));
        return (T)(await lazy.Value)!;
    }
}
