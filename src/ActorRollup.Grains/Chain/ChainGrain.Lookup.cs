using ActorRollup.Abstractions.Config;
using ActorRollup.Abstractions.Messages;
using ActorRollup.Abstractions.Security;
using ActorRollup.Core.Blocks;
using ActorRollup.Core.Execution;
using ActorRollup.Core.Primitives;
using ActorRollup.Core.State;
using Microsoft.Extensions.Logging;

namespace ActorRollup.Grains.Chain;

// Lookups by hash and the state at a height: what the Ethereum JSON-RPC reads (docs/JSON-RPC.md). Queries: they read the
// lookup index and immutable records, and interleave with everything.
public sealed partial class ChainGrain
{
    /// <summary>The most addresses one <see cref="GetAccountsAt"/> call reads.</summary>
    public const int MaxAccountsAtPerQuery = 1_000;

    /// <summary>The back-fill of the lookup index a reactivated chain runs (one at a time).</summary>
    private Task? _backfill;

    public async Task<BlockReceipts?> GetBlockReceipts(ulong height)
    {
        if (_state.State.Genesis is null) return null;
        if (height == 0) return GenesisReceipts();
        var record = await ReadRecord(height);
        return record is null ? null : ReceiptsOf(record);
    }

    public async Task<BlockReceipts?> GetBlockReceiptsByHash(Hash32 blockHash)
    {
        var s = _state.State;
        if (s.Genesis is null) return null;
        if (blockHash == s.GenesisHash) return GenesisReceipts();
        if (!_lookup.TryFindBlock(blockHash, out var height)) return null;
        var record = await ReadIndexed(height);
        return record is not null && record.Block.Hash == blockHash ? ReceiptsOf(record) : null;
    }

    public async Task<TxLookup?> GetTransaction(Hash32 hash)
    {
        if (_state.State.Genesis is null || !_lookup.TryFindTransaction(hash, out var height, out var index)) return null;
        var record = await ReadIndexed(height);
        if (record is null || index >= record.Block.Entries.Count || record.Block.Entries[index].Transaction.Hash != hash) return null;
        var block = ReceiptsOf(record);
        var receipt = block.ReceiptOf(index);
        var entry = block.Entries[index];
        return new TxLookup(height, record.Block.Hash, index, entry, receipt.Outcome, receipt.GasUsed, block.CumulativeGasUsed(index),
            entry.Transaction.EffectiveGasPrice(block.BaseFeePerGas), receipt.Fee);
    }

    public Task<AccountsAt> GetAccountsAt(ulong height, Address[] addresses)
    {
        if (addresses is null || addresses.Length > MaxAccountsAtPerQuery)
            throw new CallRefusedException(CallRefusal.ArgumentOutOfBounds, $"GetAccountsAt reads at most {MaxAccountsAtPerQuery} addresses");
        var s = _state.State;
        if (s.Genesis is null) return Task.FromResult(new AccountsAt(height, false, 0, []));
        // The states held: the head, and every height down from it that is still a rollback target.
        ulong oldest = s.Height;
        while (oldest > 0 && _stateAt.ContainsKey(oldest - 1)) oldest--;
        // The genesis state is always at hand (GenesisBuilder keeps it per genesis).
        StateTree? state = height == s.Height ? _head
            : height >= oldest && height < s.Height ? _stateAt.GetValueOrDefault(height)
            : height == 0 ? GenesisBuilder.BuildState(Genesis)
            : null;
        return Task.FromResult(state is null
            ? new AccountsAt(height, false, oldest, [])
            : new AccountsAt(height, true, oldest, addresses.Select(a => state.Get(a)).ToArray()));
    }

    /// <summary>A record the lookup index names: null when it went meanwhile (a rollback, or pruned since the lookup).</summary>
    private async Task<BlockRecord?> ReadIndexed(ulong height)
    {
        try
        {
            return await ReadRecord(height);
        }
        catch (CallRefusedException e) when (e.Reason == CallRefusal.Pruned)
        {
            return null;
        }
    }

    private BlockReceipts ReceiptsOf(BlockRecord record)
    {
        var entries = record.Block.Entries as BlockEntry[] ?? record.Block.Entries.ToArray();
        var outcomes = new ExecutionOutcome[entries.Length]; // ExecutionOutcome.Included is 0
        if (record.Outcomes.Length == entries.Length) Array.Copy(record.Outcomes, outcomes, entries.Length);
        return new BlockReceipts(record.Block.Header, entries, outcomes, Config.ToChainParameters().BaseFeePerGas);
    }

    private BlockReceipts GenesisReceipts() =>
        new(GenesisBuilder.Header(Genesis, GenesisBuilder.BuildState(Genesis).Root), [], [], Config.ToChainParameters().BaseFeePerGas);

    /// <summary>
    /// On activation the lookup index holds the blocks replayed after the checkpoint; the retained blocks at or below it
    /// (final, so never rolled back) join it in the background, newest first, until the index is full or the oldest
    /// retained height is reached. Until then a transaction of those blocks is not found yet (readers poll).
    /// </summary>
    private void StartBackfill()
    {
        var s = _state.State;
        if (_backfill is { IsCompleted: false } || s.Height == 0) return;
        var from = _lookup.HeightCount == 0 ? s.Height : _lookup.LowestHeight - 1;
        if (from == 0 || from <= s.PrunedHeight) return;
        _backfill = Backfill(from);
    }

    private async Task Backfill(ulong from)
    {
        int added = 0;
        try
        {
            for (ulong h = from; h >= 1; h--)
            {
                if (h <= _state.State.PrunedHeight) break;
                var record = await _blocks.ReadAsync(BlockKey(h));
                // Checked after the read: pruning may have passed this height, or the index may have changed its range.
                if (record is null || h <= _state.State.PrunedHeight || (_lookup.HeightCount > 0 && _lookup.LowestHeight != h + 1)) break;
                if (!_lookup.Add(h, record.Block, record.Included)) break; // full
                added++;
            }
            if (added > 0) _log.LogInformation("chain {Chain}: lookup index back-filled {Count} retained block(s) below height {From}", ChainId, added, from + 1);
        }
        catch (Exception e)
        {
            _log.LogWarning("chain {Chain}: the lookup index back-fill stopped after {Count} block(s): {Error}", ChainId, added, e.Message);
        }
    }
}
