using System.Diagnostics;

namespace ActorRollup.Harness.LoadTest;

/// <summary>Samples this process's working set and managed heap once a second (a background timer) for a run's
/// <c>memoryMb</c>: start, peak, end and one working-set figure per whole minute.</summary>
public sealed class MemorySampler : IDisposable
{
    private readonly object _gate = new();
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly List<double> _perMinute = [];
    private readonly Timer _timer;
    private readonly (double Ws, double Gc) _start;
    private double _peakWs, _peakGc, _lastWs, _lastGc;

    public MemorySampler()
    {
        _start = Read();
        (_peakWs, _peakGc, _lastWs, _lastGc) = (_start.Ws, _start.Gc, _start.Ws, _start.Gc);
        _timer = new Timer(_ => Sample(), null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
    }

    private static (double Ws, double Gc) Read()
    {
        using var process = Process.GetCurrentProcess();
        return (process.WorkingSet64 / 1048576.0, GC.GetGCMemoryInfo().HeapSizeBytes / 1048576.0);
    }

    private void Sample()
    {
        var (ws, gc) = Read();
        lock (_gate)
        {
            (_lastWs, _lastGc) = (ws, gc);
            _peakWs = Math.Max(_peakWs, ws);
            _peakGc = Math.Max(_peakGc, gc);
            while (_clock.Elapsed.TotalMinutes >= _perMinute.Count + 1) _perMinute.Add(Math.Round(ws));
        }
    }

    /// <summary>The figures so far (the latest sample is the end).</summary>
    public MemoryUsage Usage()
    {
        Sample();
        lock (_gate)
            return new MemoryUsage(Math.Round(_start.Ws), Math.Round(_peakWs), Math.Round(_lastWs), Math.Round(_start.Gc), Math.Round(_peakGc), Math.Round(_lastGc), _perMinute.ToArray());
    }

    public void Dispose() => _timer.Dispose();
}
