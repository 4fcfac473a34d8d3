using ActorRollup.Abstractions.Messages;

namespace ActorRollup.Harness.LoadTest;

/// <summary>
/// The figures read per transaction and per block off the final chain's <see cref="BlockView"/>s (docs/LOADTEST.md):
/// the achieved block interval and where each transaction's soft-confirm time went. Pure.
/// </summary>
public static class LatencyBreakdown
{
    /// <summary>
    /// Splits the soft-confirm time of every transaction admitted in the window (<paramref name="inWindow"/> of its
    /// admission time) into queueing = TimestampMs (the leader built the block) − AdmittedAtMs, attestationRound =
    /// AppendReceivedAtMs − TimestampMs and commit = CommittedAtMs − AppendReceivedAtMs. A transaction with no admission
    /// time is skipped; a block with no AppendReceivedAtMs (0: unknown) counts in queueing only. Negative parts (clock
    /// steps) count as 0.
    /// </summary>
    public static SoftConfirmBreakdown SoftConfirm(IEnumerable<BlockView> blocks, Func<long, bool> inWindow)
    {
        var queueing = new List<long>();
        var attestation = new List<long>();
        var commit = new List<long>();
        foreach (var b in blocks)
        {
            for (int i = 0; i < b.AdmittedAtMs.Length; i++)
            {
                var admittedAt = b.AdmittedAtMs[i];
                if (admittedAt <= 0 || !inWindow(admittedAt)) continue;
                queueing.Add(Math.Max(0, b.TimestampMs - admittedAt));
                if (b.AppendReceivedAtMs <= 0) continue;
                attestation.Add(Math.Max(0, b.AppendReceivedAtMs - b.TimestampMs));
                commit.Add(Math.Max(0, b.CommittedAtMs - b.AppendReceivedAtMs));
            }
        }
        return new SoftConfirmBreakdown(Pair(queueing), Pair(attestation), Pair(commit));
    }

    /// <summary>The time between consecutive commits (by height) of the canonical chain, for each block whose commit time
    /// <paramref name="inWindow"/> holds and whose predecessor has one.</summary>
    public static PercentilePair BlockInterval(IEnumerable<BlockView> blocks, Func<long, bool> inWindow)
    {
        var intervals = new List<long>();
        BlockView? previous = null;
        foreach (var b in blocks.OrderBy(b => b.Height))
        {
            if (previous is { } p && p.Height + 1 == b.Height && p.CommittedAtMs > 0 && b.CommittedAtMs > 0 && inWindow(b.CommittedAtMs))
                intervals.Add(Math.Max(0, b.CommittedAtMs - p.CommittedAtMs));
            previous = b;
        }
        return Pair(intervals);
    }

    /// <summary>p50 and p99 by nearest rank (0, 0 for no values).</summary>
    public static PercentilePair Pair(List<long> values)
    {
        if (values.Count == 0) return PercentilePair.Zero;
        values.Sort();
        return new PercentilePair(Rank(values, 50), Rank(values, 99));
    }

    /// <summary>The nearest-rank percentile: the smallest value at or above <paramref name="percentile"/>% of the values.</summary>
    public static long Rank(IReadOnlyList<long> sorted, double percentile)
    {
        var rank = (int)Math.Ceiling(percentile / 100 * sorted.Count);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Count - 1)];
    }
}
