using ActorRollup.Core.Blocks;
using ActorRollup.Core.Execution;
using ActorRollup.Core.Primitives;

namespace ActorRollup.Abstractions.Messages;

/// <summary>
/// A block with the outcome of each of its entries (what the Ethereum JSON-RPC shows of a block and its receipts,
/// docs/JSON-RPC.md). Height 0 is the genesis block (no entries). <see cref="Outcomes"/> has one element per entry;
/// an honest block's are all <see cref="ExecutionOutcome.Included"/>.
/// </summary>
[GenerateSerializer, Immutable, Alias("ar.BlockReceipts")]
public sealed record BlockReceipts(
    [property: Id(0)] BlockHeader Header,
    [property: Id(1)] BlockEntry[] Entries,
    [property: Id(2)] ExecutionOutcome[] Outcomes,
    [property: Id(3)] ulong BaseFeePerGas)
{
    /// <summary>The receipt of entry <paramref name="index"/> (the core's rule: gas and fee when included, else nothing).</summary>
    public Receipt ReceiptOf(int index) => Receipt.Of(Entries[index].Transaction, Outcomes[index], BaseFeePerGas);

    /// <summary>Gas used by the entries before and including <paramref name="index"/>.</summary>
    public ulong CumulativeGasUsed(int index)
    {
        ulong gas = 0;
        for (int i = 0; i <= index && i < Entries.Length; i++) gas += ReceiptOf(i).GasUsed;
        return gas;
    }

    /// <summary>Gas used by the whole block.</summary>
    public ulong GasUsed => Entries.Length == 0 ? 0 : CumulativeGasUsed(Entries.Length - 1);
}

/// <summary>
/// Where a committed transaction is (its block's height and hash, its index) with its receipt: the chain's lookup
/// index answer (<c>IChainGrain.GetTransaction</c>).
/// </summary>
[GenerateSerializer, Immutable, Alias("ar.TxLookup")]
public sealed record TxLookup(
    [property: Id(0)] ulong Height,
    [property: Id(1)] Hash32 BlockHash,
    [property: Id(2)] int Index,
    [property: Id(3)] BlockEntry Entry,
    [property: Id(4)] ExecutionOutcome Outcome,
    [property: Id(5)] ulong GasUsed,
    [property: Id(6)] ulong CumulativeGasUsed,
    [property: Id(7)] ulong EffectiveGasPrice,
    [property: Id(8)] UInt128 Fee);

/// <summary>Accounts as they were after the block at <see cref="Height"/>, when the chain still holds that state
/// (<see cref="Available"/>): the genesis state, the head, and every height from the one below the finalized height up
/// (the rollback targets). <see cref="OldestStateHeight"/> is the lowest height of that run up to the head.</summary>
[GenerateSerializer, Immutable, Alias("ar.AccountsAt")]
public sealed record AccountsAt(
    [property: Id(0)] ulong Height,
    [property: Id(1)] bool Available,
    [property: Id(2)] ulong OldestStateHeight,
    [property: Id(3)] Account[] Accounts);
