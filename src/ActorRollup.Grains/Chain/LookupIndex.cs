using ActorRollup.Core.Blocks;
using ActorRollup.Core.Primitives;

namespace ActorRollup.Grains.Chain;

/// <summary>
/// The chain's lookup index, in memory: transaction hash → (height, index in the block) for the transactions a block
/// included, and block hash → height, over one contiguous range of heights. Heights join at the top as blocks commit
/// (or at the bottom while a reactivated chain back-fills older retained blocks), leave at the top with a rollback and
/// at the bottom with pruning or when a limit is reached (the oldest heights go first). A hash always maps to the one
/// indexed height that holds it, so a rollback, a re-commit at another height and an eviction never leave a stale
/// mapping. Not thread-safe: the chain grain's turns use it one at a time.
/// </summary>
internal sealed class LookupIndex(int maxTransactions, int maxHeights)
{
    private readonly Dictionary<Hash32, (ulong Height, int Index)> _txs = [];
    private readonly Dictionary<Hash32, ulong> _blocks = [];
    private readonly Dictionary<ulong, (Hash32 Block, Hash32[] Txs)> _heights = [];
    private ulong _low, _high; // the indexed range [_low, _high]; empty when _heights is empty

    public int TransactionCount => _txs.Count;
    public int HeightCount => _heights.Count;
    /// <summary>The lowest indexed height (0 when nothing is indexed).</summary>
    public ulong LowestHeight => _heights.Count == 0 ? 0 : _low;
    public ulong HighestHeight => _heights.Count == 0 ? 0 : _high;

    /// <summary>Indexes the block at <paramref name="height"/> — the entries <paramref name="included"/> says the block
    /// included — above the range (a commit), or just below it (a back-fill; refused, false, when it would not fit). A
    /// height not adjacent to the range starts the range anew. Evicts the oldest heights past the limits.</summary>
    public bool Add(ulong height, Block block, Func<int, bool> included)
    {
        bool below = _heights.Count > 0 && height + 1 == _low;
        if (_heights.Count > 0 && !below && height != _high + 1)
        {
            if (height >= _low && height <= _high) RemoveFrom(height);
            else Clear();
        }
        var hashes = new List<Hash32>(block.Entries.Count);
        for (int i = 0; i < block.Entries.Count; i++)
            if (included(i)) hashes.Add(block.Entries[i].Transaction.Hash);
        if (below && (_heights.Count + 1 > maxHeights || _txs.Count + hashes.Count > maxTransactions)) return false;

        var indexed = new Hash32[hashes.Count];
        int n = 0;
        for (int i = 0; i < block.Entries.Count; i++)
        {
            if (!included(i)) continue;
            var hash = block.Entries[i].Transaction.Hash;
            // A hash already indexed at another height (a transaction cannot execute twice; only a forged body repeats
            // one) keeps its first mapping.
            if (_txs.TryAdd(hash, (height, i))) indexed[n++] = hash;
        }
        Array.Resize(ref indexed, n);
        _heights[height] = (block.Hash, indexed);
        _blocks[block.Hash] = height;
        if (_heights.Count == 1) _low = _high = height;
        else if (below) _low = height;
        else _high = height;
        while (_heights.Count > 1 && (_heights.Count > maxHeights || _txs.Count > maxTransactions)) RemoveLowest();
        return true;
    }

    public bool TryFindTransaction(Hash32 hash, out ulong height, out int index)
    {
        var found = _txs.TryGetValue(hash, out var at);
        (height, index) = at;
        return found;
    }

    public bool ContainsTransaction(Hash32 hash) => _txs.ContainsKey(hash);

    public bool TryFindBlock(Hash32 hash, out ulong height) => _blocks.TryGetValue(hash, out height);

    /// <summary>A rollback: heights <paramref name="height"/> and above leave.</summary>
    public void RemoveFrom(ulong height)
    {
        if (_heights.Count == 0 || height > _high) return;
        if (height <= _low)
        {
            Clear();
            return;
        }
        for (ulong h = _high; h >= height; h--) Drop(h);
        _high = height - 1;
    }

    /// <summary>Pruning: heights up to <paramref name="height"/> leave.</summary>
    public void RemoveUpTo(ulong height)
    {
        while (_heights.Count > 0 && _low <= height) RemoveLowest();
    }

    private void RemoveLowest()
    {
        Drop(_low);
        if (_heights.Count == 0) _low = _high = 0;
        else _low++;
    }

    private void Drop(ulong height)
    {
        if (!_heights.Remove(height, out var entry)) return;
        _blocks.Remove(entry.Block);
        foreach (var hash in entry.Txs) _txs.Remove(hash);
    }

    private void Clear()
    {
        _txs.Clear();
        _blocks.Clear();
        _heights.Clear();
        _low = _high = 0;
    }
}
