using ActorRollup.Core.Blocks;
using ActorRollup.Core.Execution;
using ActorRollup.Core;
using ActorRollup.Core.Primitives;
using ActorRollup.Core.State;

namespace ActorRollup.Grains.Infrastructure;

/// <summary>
/// A per-silo memo of block execution, keyed by the exact inputs: the pre-state root and the block hash (which
/// commits to every transaction and its order). Execution is a pure function of those, so a hit returns exactly
/// what re-executing would — the chain and every validator on one silo execute a block once between them, as the
/// verification memo does for signatures. Each silo keeps its own; bounded to the most recent blocks.
/// </summary>
public sealed class ExecutionMemo
{
    private const int Capacity = 256;
    private readonly Dictionary<(Hash32 Pre, Hash32 Block), ExecutionResult> _results = [];
    private readonly Queue<(Hash32, Hash32)> _order = new();
    private readonly Lock _lock = new();

    public long Hits;
    public long Misses;

    /// <summary>The result of executing <paramref name="block"/> on <paramref name="preState"/>, computed at most once per silo.</summary>
    public ExecutionResult Execute(StateTree preState, Block block, ChainParameters chain)
    {
        var key = (preState.Root, block.Hash);
        lock (_lock)
        {
            if (_results.TryGetValue(key, out var known))
            {
                Hits++;
                return known;
            }
        }
        Interlocked.Increment(ref Misses);
        var result = BlockExecutor.Execute(preState, block.Transactions, block.Header.FeeAccount, chain);
        Offer(preState.Root, block.Hash, result);
        return result;
    }

    /// <summary>Records a result computed elsewhere (the leader's execution of exactly the block's transactions).</summary>
    public void Offer(Hash32 preStateRoot, Hash32 blockHash, ExecutionResult result)
    {
        lock (_lock)
        {
            if (!_results.TryAdd((preStateRoot, blockHash), result)) return;
            _order.Enqueue((preStateRoot, blockHash));
            while (_order.Count > Capacity) _results.Remove(_order.Dequeue());
        }
    }
}
