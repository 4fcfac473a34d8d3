using ActorRollup.Core.Blocks;
using ActorRollup.Core.Primitives;
using ActorRollup.Core.Transactions;

namespace ActorRollup.Abstractions.Messages;

/// <summary>The outcome of one submitted transaction: admitted with its arrival sequence, or refused with a reason.</summary>
[GenerateSerializer, Immutable, Alias("ar.AdmissionResult")]
public readonly record struct AdmissionResult(
    [property: Id(0)] AdmissionReason Reason,
    [property: Id(1)] Hash32 Hash,
    [property: Id(2)] ulong ArrivalSequence)
{
    public bool Admitted => Reason == AdmissionReason.Ok;
}

/// <summary>Transactions the leader may put in its next block, in policy order, with their arrival sequences.</summary>
[GenerateSerializer, Immutable, Alias("ar.PendingBatch")]
public sealed record PendingBatch([property: Id(0)] Transaction[] Transactions, [property: Id(1)] ulong[] ArrivalSequences)
{
    public int Count => Transactions.Length;
    public IReadOnlyList<BlockEntry> Entries() => Transactions.Select((t, i) => new BlockEntry(t, ArrivalSequences[i])).ToArray();
}

/// <summary>The sealed batch a leader of an <c>encrypted</c> chain takes (<c>IMempoolGrain.TakeSealedBatch</c>): the
/// hashes and arrival sequences of the transactions it may commit to, in first-come order, without their contents.</summary>
[GenerateSerializer, Immutable, Alias("ar.SealedBatch")]
public sealed record SealedBatch([property: Id(0)] Hash32[] Hashes, [property: Id(1)] ulong[] ArrivalSequences)
{
    public int Count => Hashes.Length;
}

/// <summary>An order commitment of an <c>encrypted</c> chain (PROTOCOL.md §12.5): the leader of <see cref="Term"/> committed
/// to <see cref="Order"/> (transaction hashes) for <see cref="Height"/> before the contents were revealed to it; recorded
/// durably at <see cref="CommittedAtMs"/>, before the reveal.</summary>
[GenerateSerializer, Immutable, Alias("ar.OrderCommitment")]
public sealed record OrderCommitment(
    [property: Id(0)] ulong Height,
    [property: Id(1)] ulong Term,
    [property: Id(2)] Hash32[] Order,
    [property: Id(3)] long CommittedAtMs);

/// <summary>The public mempool's view (<c>IMempoolGrain.ViewPending</c>): visible pending transactions in policy order, and
/// the number pending in all (visible or sealed).</summary>
[GenerateSerializer, Immutable, Alias("ar.PendingView")]
public sealed record PendingView([property: Id(0)] BlockEntry[] Visible, [property: Id(1)] int PendingCount, [property: Id(2)] bool Sealed);

/// <summary>The admission record of a transaction, as validators check it (0 sequence = never admitted).</summary>
[GenerateSerializer, Immutable, Alias("ar.AdmissionRecord")]
public readonly record struct AdmissionRecord([property: Id(0)] Hash32 Hash, [property: Id(1)] ulong ArrivalSequence, [property: Id(2)] long AdmittedAtMs) : IAdmissionRecord
{
    public bool Known => ArrivalSequence != 0;
    /// <summary>The mempool saw this transaction committed (its record kept for rollbacks and validators, not pending).</summary>
    [Id(3)] public bool Committed { get; init; }
}

[GenerateSerializer, Immutable, Alias("ar.MempoolStats")]
public sealed record MempoolStats(
    [property: Id(0)] int Pending,
    [property: Id(1)] int Capacity,
    [property: Id(2)] ulong Admitted,
    [property: Id(3)] ulong Refused,
    [property: Id(4)] ulong Committed,
    [property: Id(5)] ulong Requeued,
    /// <summary>Admitted transactions that have waited longer than the stuck threshold (censorship shows here).</summary>
    [property: Id(6)] int Stuck,
    [property: Id(7)] string[] StuckSenders);
