using ActorRollup.Abstractions.Messages;

namespace ActorRollup.Harness.LoadTest;

/// <summary>
/// The figures read per transaction and per block off the final chain's <see cref="BlockView"/>s (docs/LOADTEST.md):
/// the achieved block interval and where each transaction's soft-confirm time went. Accumulated block by block
/// (<see cref="Accumulator"/>, what a run streams its final blocks into) or over a list (the static forms). Exact
/// nearest-rank percentiles in memory bounded by the distinct millisecond values, not by the transactions.
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
        var acc = new Accumulator(inWindow);
        foreach (var b in blocks) acc.AddSoftConfirm(b);
        return acc.SoftConfirm;
    }

    /// <summary>The time between consecutive commits (by height) of the canonical chain, for each block whose commit time
    /// <paramref name="inWindow"/> holds and whose predecessor has one.</summary>
    public static PercentilePair BlockInterval(IEnumerable<BlockView> blocks, Func<long, bool> inWindow)
    {
        var acc = new Accumulator(inWindow);
        foreach (var b in blocks.OrderBy(b => b.Height)) acc.AddInterval(b);
        return acc.BlockInterval;
    }

    /// <summary>p50 and p99 by nearest rank (0, 0 for no values).</summary>
    public static PercentilePair Pair(List<long> values)
    {
        var counts = new ValueCounts();
        foreach (var v in values) counts.Add(v);
        return counts.Pair;
    }

    /// <summary>The nearest-rank percentile: the smallest value at or above <paramref name="percentile"/>% of the values.</summary>
    public static long Rank(IReadOnlyList<long> sorted, double percentile)
    {
        var rank = (int)Math.Ceiling(percentile / 100 * sorted.Count);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Count - 1)];
    }

    /// <summary>The breakdown and the block interval of blocks added in height order, one at a time.</summary>
    public sealed class Accumulator(Func<long, bool> inWindow)
    {
        private readonly ValueCounts _queueing = new(), _attestation = new(), _commit = new(), _interval = new();
        private ulong _previousHeight;
        private long _previousCommittedAtMs;

        /// <summary>Adds the next block of the canonical chain (heights ascending; a skipped height breaks the interval).</summary>
        public void Add(BlockView b)
        {
            AddSoftConfirm(b);
            AddInterval(b);
        }

        internal void AddSoftConfirm(BlockView b)
        {
            long attestation = Math.Max(0, b.AppendReceivedAtMs - b.TimestampMs), commit = Math.Max(0, b.CommittedAtMs - b.AppendReceivedAtMs);
            long counted = 0;
            for (int i = 0; i < b.AdmittedAtMs.Length; i++)
            {
                var admittedAt = b.AdmittedAtMs[i];
                if (admittedAt <= 0 || !inWindow(admittedAt)) continue;
                _queueing.Add(Math.Max(0, b.TimestampMs - admittedAt));
                counted++;
            }
            if (counted == 0 || b.AppendReceivedAtMs <= 0) return;
            // Every transaction of a block shares its attestation round and commit.
            _attestation.Add(attestation, counted);
            _commit.Add(commit, counted);
        }

        internal void AddInterval(BlockView b)
        {
            if (_previousHeight != 0 && _previousHeight + 1 == b.Height && _previousCommittedAtMs > 0 && b.CommittedAtMs > 0 && inWindow(b.CommittedAtMs))
                _interval.Add(Math.Max(0, b.CommittedAtMs - _previousCommittedAtMs));
            _previousHeight = b.Height;
            _previousCommittedAtMs = b.CommittedAtMs;
        }

        public SoftConfirmBreakdown SoftConfirm => new(_queueing.Pair, _attestation.Pair, _commit.Pair);
        public PercentilePair BlockInterval => _interval.Pair;
    }

    /// <summary>How often each value occurred: exact nearest-rank percentiles, memory by distinct value.</summary>
    public sealed class ValueCounts
    {
        private readonly Dictionary<long, long> _counts = [];
        public long Count { get; private set; }

        public void Add(long value, long times = 1)
        {
            if (times <= 0) return;
            _counts[value] = _counts.GetValueOrDefault(value) + times;
            Count += times;
        }

        /// <summary>The nearest-rank percentile (0 for no values).</summary>
        public long Percentile(double percentile)
        {
            if (Count == 0) return 0;
            var rank = Math.Clamp((long)Math.Ceiling(percentile / 100 * Count), 1, Count);
            long seen = 0;
            foreach (var (value, n) in _counts.OrderBy(kv => kv.Key))
            {
                seen += n;
                if (seen >= rank) return value;
            }
            return _counts.Keys.Max();
        }

        public PercentilePair Pair => Count == 0 ? PercentilePair.Zero : new PercentilePair(Percentile(50), Percentile(99));
    }
}
