namespace ActorRollup.Core.Network;

/// <summary>A node of the network: a region and a name unique among nodes (calls between two grains of one node cost
/// nothing).</summary>
public readonly record struct NetNode(string Region, string Name);

/// <summary>One direction of a call: lost, or delivered after <see cref="Delay"/>.</summary>
public readonly record struct Leg(bool Lost, TimeSpan Delay)
{
    public static readonly Leg Free = new(false, TimeSpan.Zero);
}

/// <summary>
/// The deterministic delay model (docs/NETWORK.md). A message from one node to another takes
/// rtt/2 + a jitter sample drawn uniformly from [0, jitter/2] (so a round trip pays the round-trip time plus
/// 0..jitter), and is lost with the pair's loss probability. Draws come from a counter-based generator keyed by
/// the seed: the n-th draw of a model is the same for the same seed, without a lock. Partitions: a cut-off region
/// reaches no other region, an isolated node no other node; a message across a cut is lost.
/// Thread-safe: the silo's call filter calls it from many threads.
/// </summary>
public sealed class NetworkModel
{
    private readonly ulong _seed;
    private long _draws;
    private volatile Partition _partition = Partition.None;

    public NetworkModel(LatencyMatrix matrix, ulong seed, TimeSpan lostCallTimeout)
    {
        if (lostCallTimeout <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(lostCallTimeout), "the lost-call timeout must be positive");
        Matrix = matrix;
        _seed = seed;
        LostCallTimeout = lostCallTimeout;
    }

    public LatencyMatrix Matrix { get; }

    /// <summary>How long the caller of a lost call waits before it hears a <see cref="TimeoutException"/>.</summary>
    public TimeSpan LostCallTimeout { get; }

    /// <summary>One message from <paramref name="from"/> to <paramref name="to"/>.</summary>
    public Leg Send(NetNode from, NetNode to)
    {
        if (from.Name == to.Name && from.Region == to.Region) return Leg.Free;
        if (_partition.Cuts(from, to)) return new Leg(true, TimeSpan.Zero);
        int a = Matrix.Index(from.Region), b = Matrix.Index(to.Region);
        double loss = Matrix.LossPct(a, b);
        if (loss > 0 && NextUnit() * 100 < loss) return new Leg(true, TimeSpan.Zero);
        double ms = Matrix.RttMs(a, b) / 2;
        double jitter = Matrix.JitterMs(a, b);
        if (jitter > 0) ms += NextUnit() * jitter / 2;
        return new Leg(false, TimeSpan.FromMilliseconds(ms));
    }

    /// <summary>The next draw in [0, 1): SplitMix64 of (seed, draw number).</summary>
    internal double NextUnit()
    {
        ulong z = _seed + 0x9E3779B97F4A7C15UL * (ulong)Interlocked.Increment(ref _draws);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        z ^= z >> 31;
        return (z >> 11) * (1.0 / (1UL << 53));
    }

    /// <summary>Cuts <paramref name="region"/> off from every other region (it must be in the matrix).</summary>
    public void CutOff(string region)
    {
        Matrix.Index(region);
        Update(p => p with { Regions = p.Regions.Add(region) });
    }

    /// <summary>Cuts the node named <paramref name="node"/> off from every other node.</summary>
    public void Isolate(string node) => Update(p => p with { Nodes = p.Nodes.Add(node) });

    /// <summary>Ends every partition.</summary>
    public void Heal() => _partition = Partition.None;

    /// <summary>The cut-off regions and isolated nodes now in force.</summary>
    public (IReadOnlySet<string> Regions, IReadOnlySet<string> Nodes) Partitions
    {
        get
        {
            var p = _partition;
            return (p.Regions, p.Nodes);
        }
    }

    private void Update(Func<Partition, Partition> change)
    {
        lock (this) _partition = change(_partition);
    }

    private sealed record Partition(System.Collections.Immutable.ImmutableHashSet<string> Regions, System.Collections.Immutable.ImmutableHashSet<string> Nodes)
    {
        public static readonly Partition None = new(System.Collections.Immutable.ImmutableHashSet.Create<string>(StringComparer.Ordinal),
            System.Collections.Immutable.ImmutableHashSet.Create<string>(StringComparer.Ordinal));

        public bool Cuts(NetNode from, NetNode to) =>
            (Regions.Count > 0 && from.Region != to.Region && (Regions.Contains(from.Region) || Regions.Contains(to.Region)))
            || (Nodes.Count > 0 && from.Name != to.Name && (Nodes.Contains(from.Name) || Nodes.Contains(to.Name)));
    }
}
