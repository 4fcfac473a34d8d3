using ActorRollup.Abstractions.Messages;
using ActorRollup.Abstractions.Security;
using Microsoft.Extensions.Logging;

namespace ActorRollup.Grains.Chain;

// History pruning (Chain:HistoryRetentionBlocks; docs/ARCHITECTURE.md §5, docs/PROTOCOL.md §11). With N > 0 the chain
// keeps the N finalized blocks below its finalized height F and everything above; heights below F − N are pruned in
// steps of a settlement batch: first the head record names the new pruned height (readers are refused from then on),
// then the block records are deleted off the commit's path. The pruned height never passes the checkpoint, so a
// reactivated chain always replays from its checkpoint over records it still has.
public sealed partial class ChainGrain
{
    /// <summary>Heights kept for the per-height times (validated / finalized at) when nothing is pruned.</summary>
    private const ulong TimesKept = 10_000;
    /// <summary>The deletion of pruned block records running in the background (one at a time).</summary>
    private Task? _clearing;
    /// <summary>Per-height times are kept from this height on (heights below were dropped in order).</summary>
    private ulong _timesFrom = 1;
    /// <summary>Set while a rollback runs (GetTxStatus must not read a re-queued transaction as a pruned one).</summary>
    private bool _rollingBack;

    private ulong OldestRetainedHeight => _state.State.PrunedHeight + 1;

    private CallRefusedException PrunedRefusal(ulong height) => new(CallRefusal.Pruned,
        $"chain {ChainId}: height {height} is pruned; the chain keeps heights {OldestRetainedHeight} and above (Chain:HistoryRetentionBlocks = {Config.HistoryRetentionBlocks})");

    /// <summary>At finality (in memory; the head record written after it persists it): raises the pruned height when a
    /// whole step of heights fell out of the retention window, and drops their in-memory bookkeeping.</summary>
    private void AdvancePruning()
    {
        var s = _state.State;
        var retention = Config.HistoryRetentionBlocks;
        if (retention > 0 && s.FinalizedHeight > retention + 1)
        {
            var target = Math.Min(s.FinalizedHeight - retention - 1, s.CheckpointHeight);
            // Pruned in steps of a batch: O(1) amortised per block, nothing per transaction on the commit's path.
            if (target >= s.PrunedHeight + (ulong)Config.BatchSize)
            {
                s.PrunedHeight = target;
                DropIndexUpTo(target);
            }
        }
        DropTimesBelow(Math.Max(SaturatingSub(s.FinalizedHeight, TimesKept), s.PrunedHeight + 1));
    }

    private static ulong SaturatingSub(ulong a, ulong b) => a > b ? a - b : 0;

    /// <summary>The lookup index entries of pruned heights.</summary>
    private void DropIndexUpTo(ulong height) => _lookup.RemoveUpTo(height);

    private void DropTimesBelow(ulong height)
    {
        for (; _timesFrom < height; _timesFrom++)
        {
            _validatedAt.Remove(_timesFrom);
            _finalizedAt.Remove(_timesFrom);
        }
    }

    /// <summary>After the head record naming the pruned height is written: deletes the pruned block records not yet
    /// deleted, in the background (interleaving the chain's turns at its awaits, never holding a commit).</summary>
    private void StartClearing()
    {
        var s = _state.State;
        if (s.PruneClearedHeight >= s.PrunedHeight || _clearing is { IsCompleted: false }) return;
        _clearing = ClearPruned(s.PruneClearedHeight + 1, s.PrunedHeight);
    }

    private async Task ClearPruned(ulong from, ulong to)
    {
        try
        {
            for (ulong h = from; h <= to; h++) await _blocks.ClearAsync(BlockKey(h));
            if (to > _state.State.PruneClearedHeight) _state.State.PruneClearedHeight = to; // persisted with the next head write
        }
        catch (Exception e)
        {
            // Nothing is lost: the records stay until the next step deletes again from the cleared height.
            _log.LogWarning("chain {Chain}: deleting pruned block records {From}..{To} failed ({Error}); retried with the next step", ChainId, from, to, e.Message);
        }
    }

    public Task<RetentionView> GetRetention()
    {
        var s = _state.State;
        return Task.FromResult(new RetentionView(s.Genesis?.Config.HistoryRetentionBlocks ?? 0, OldestRetainedHeight, s.PruneClearedHeight,
            s.CheckpointHeight, s.FinalizedHeight, s.Height, _lookup.TransactionCount, _lookup.HeightCount, _recent.Count, _stateAt.Count,
            _validatedAt.Count + _finalizedAt.Count, _blocks?.TagCount ?? 0));
    }
}
