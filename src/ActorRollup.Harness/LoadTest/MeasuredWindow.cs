namespace ActorRollup.Harness.LoadTest;

/// <summary>
/// The measured window of a run on the wall clock (Unix ms): from the end of the warm-up to the end of the load,
/// before the drain; half-open, [StartMs, EndMs). Offered and committed tx/s are both counted in it: an offer by the
/// time its submit call was sent, a commit by its block's commit time.
/// </summary>
public readonly record struct MeasuredWindow(long StartMs, long EndMs)
{
    /// <summary>The window of a run whose traffic started at <paramref name="trafficStartMs"/>.</summary>
    public static MeasuredWindow After(long trafficStartMs, TimeSpan warmup, TimeSpan duration)
    {
        var start = trafficStartMs + (long)warmup.TotalMilliseconds;
        return new MeasuredWindow(start, start + (long)duration.TotalMilliseconds);
    }

    public double Seconds => (EndMs - StartMs) / 1000.0;

    public bool Contains(long atMs) => atMs >= StartMs && atMs < EndMs;

    /// <summary>The sum of the counts stamped inside the window.</summary>
    public long CountIn(IEnumerable<(long AtMs, long Count)> stamped)
    {
        long total = 0;
        foreach (var (at, count) in stamped)
            if (Contains(at)) total += count;
        return total;
    }

    /// <summary>Events per second over the window (0 for an empty window), to a tenth.</summary>
    public double Rate(long count) => EndMs <= StartMs ? 0 : Math.Round(count / Seconds, 1);

    /// <summary>Counts per whole second since <paramref name="originMs"/>, for the seconds before the window ends
    /// (warm-up included); what falls before the origin or after the end is left out.</summary>
    public double[] PerSecond(long originMs, IEnumerable<(long AtMs, long Count)> stamped)
    {
        var seconds = new double[Math.Max(0, (int)Math.Ceiling((EndMs - originMs) / 1000.0))];
        foreach (var (at, count) in stamped)
        {
            if (at < originMs || at >= EndMs) continue;
            seconds[(at - originMs) / 1000] += count;
        }
        return seconds;
    }
}
