namespace ActorRollup.Harness.LoadTest;

/// <summary>
/// Counts stamped with a wall-clock time (Unix ms), accumulated as they happen: the total inside the measured window and
/// one bucket per whole second from <paramref name="originMs"/> to the window's end (warm-up included) — what
/// <see cref="MeasuredWindow.CountIn"/> and <see cref="MeasuredWindow.PerSecond"/> read off a full log, in memory that
/// depends on the run's length in seconds only. Thread-safe.
/// </summary>
public sealed class StampedSeries(MeasuredWindow window, long originMs)
{
    private readonly long[] _seconds = new long[Math.Max(0, (int)Math.Ceiling((window.EndMs - originMs) / 1000.0))];
    private long _inWindow;

    public void Add(long atMs, long count)
    {
        if (window.Contains(atMs)) Interlocked.Add(ref _inWindow, count);
        if (atMs >= originMs && atMs < window.EndMs) Interlocked.Add(ref _seconds[(atMs - originMs) / 1000], count);
    }

    /// <summary>The sum of the counts stamped inside the window.</summary>
    public long InWindow => Interlocked.Read(ref _inWindow);

    /// <summary>Counts per whole second since the origin, for the seconds before the window ends.</summary>
    public double[] PerSecond() => _seconds.Select(c => (double)Interlocked.Read(ref c)).ToArray();
}
