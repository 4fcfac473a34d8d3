using ActorRollup.Core.Blocks;
using ActorRollup.Core.Primitives;

namespace ActorRollup.Abstractions.Messages;

/// <summary>Why the chain refused a block, a challenge or a rollback (stable codes).</summary>
public enum ChainReason
{
    Ok = 0,
    NotBootstrapped = 1,
    AlreadyBootstrapped = 2,
    /// <summary>The block's term is not the current leadership term (a late or partitioned old leader).</summary>
    StaleTerm = 3,
    /// <summary>The proposer is not the leader of the current term.</summary>
    NotLeader = 4,
    /// <summary>The block does not extend the current head.</summary>
    WrongParent = 5,
    WrongHeight = 6,
    WrongChain = 7,
    BadProposerSignature = 8,
    /// <summary>The header's transaction root does not match the body.</summary>
    BadTxRoot = 9,
    /// <summary>The quorum certificate does not carry more than 2/3 of the committee's stake.</summary>
    BadCertificate = 10,
    /// <summary>The block is outside the leader's term range (e.g. past the end of the epoch).</summary>
    OutsideTerm = 11,
    /// <summary>A rollback was asked for without a successful challenge behind it.</summary>
    RollbackWithoutProof = 12,
    /// <summary>The challenged block is finalized: it can never be rolled back.</summary>
    BlockFinalized = 13,
    UnknownBlock = 14,
    UnknownValidator = 15,
    /// <summary>The challenge's proof does not hold: the other validators disagree.</summary>
    ChallengeRejected = 16,
    /// <summary>Evidence that does not verify.</summary>
    BadEvidence = 17,
    InvalidGenesis = 21,
    /// <summary>The header names an L2 fee recipient: on this chain fees go to the proposer's L1 pool (zero recipient).</summary>
    BadFeeRecipient = 22,
}

/// <summary>The chain's refusal code for each block fault (the codes are stable; several faults share one).</summary>
public static class ChainReasons
{
    public static ChainReason Of(BlockFault fault) => fault switch
    {
        BlockFault.None => ChainReason.Ok,
        BlockFault.WrongChain => ChainReason.WrongChain,
        BlockFault.IllegitimateLeader => ChainReason.NotLeader,
        BlockFault.BadProposerSignature => ChainReason.BadProposerSignature,
        BlockFault.BadCertificate => ChainReason.BadCertificate,
        BlockFault.WrongHeight => ChainReason.WrongHeight,
        BlockFault.WrongEpoch or BlockFault.OutsideTerm => ChainReason.OutsideTerm,
        BlockFault.WrongParent => ChainReason.WrongParent,
        BlockFault.TxRootMismatch => ChainReason.BadTxRoot,
        BlockFault.BadFeeRecipient => ChainReason.BadFeeRecipient,
        // Faults only re-execution or the mempool's records reveal: the chain never refuses a block for them.
        _ => throw new ArgumentOutOfRangeException(nameof(fault), fault, "not a fault the chain refuses blocks for"),
    };
}

/// <summary>A leadership term (PROTOCOL.md §6): one leader for a height range of one epoch.</summary>
[GenerateSerializer, Immutable, Alias("ar.LeadershipTerm")]
public sealed record LeadershipTerm(
    [property: Id(0)] string ChainId,
    [property: Id(1)] ulong Epoch,
    [property: Id(2)] ulong Term,
    [property: Id(3)] string LeaderId,
    [property: Id(4)] ulong FirstHeight,
    [property: Id(5)] ulong LastHeight,
    [property: Id(6)] CommitteeSeat[] Committee,
    [property: Id(7)] long StartedAtMs)
{
    public bool Covers(ulong height) => height >= FirstHeight && height <= LastHeight;
    public TermSpan Span => new(Term, LeaderId, Epoch, FirstHeight, LastHeight);
    public long TotalPower => Committee.Sum(s => s.Power);
}

[GenerateSerializer, Immutable, Alias("ar.AppendResult")]
public sealed record AppendResult([property: Id(0)] ChainReason Reason, [property: Id(1)] ulong Height, [property: Id(2)] Hash32 Hash, [property: Id(3)] string? Detail = null)
{
    public bool Ok => Reason == ChainReason.Ok;
}

[GenerateSerializer, Immutable, Alias("ar.ChainHead")]
public sealed record ChainHead(
    [property: Id(0)] ulong Height,
    [property: Id(1)] Hash32 Hash,
    [property: Id(2)] Hash32 StateRoot,
    [property: Id(3)] ulong Epoch,
    [property: Id(4)] ulong Term,
    [property: Id(5)] ulong ValidatedHeight,
    [property: Id(6)] ulong FinalizedHeight)
{
    /// <summary>The lowest height whose block the chain still holds (1 when nothing is pruned): with
    /// <c>Chain:HistoryRetentionBlocks</c> set, blocks below it were pruned and reading them is refused with
    /// <c>pruned</c> (docs/PROTOCOL.md §11). 0 from a chain that predates pruning (read it as 1).</summary>
    [Id(7)] public ulong OldestRetainedHeight { get; init; }
}

/// <summary>The chain's history retention (docs/PROTOCOL.md §11) and the sizes of its per-height and per-transaction
/// bookkeeping in memory: what an operator (and the tests) check stays bounded over a long run.</summary>
[GenerateSerializer, Immutable, Alias("ar.RetentionView")]
public sealed record RetentionView(
    [property: Id(0)] ulong HistoryRetentionBlocks,
    [property: Id(1)] ulong OldestRetainedHeight,
    [property: Id(2)] ulong RecordsDeletedUpTo,
    [property: Id(3)] ulong CheckpointHeight,
    [property: Id(4)] ulong FinalizedHeight,
    [property: Id(5)] ulong Height,
    /// <summary>Transactions the lookup index maps (hash → height, index).</summary>
    [property: Id(6)] int TxIndexEntries,
    /// <summary>Heights the lookup index covers (block hash → height, and their transactions).</summary>
    [property: Id(7)] int IndexedHeights,
    [property: Id(8)] int CachedBlocks,
    [property: Id(9)] int RollbackStates,
    [property: Id(10)] int HeightTimes,
    [property: Id(11)] int RecordTags);

/// <summary>What the chain tells the mempool after a commit: which transactions left it, the new accounts, and the
/// finalized height (admission records of transactions committed at or below it are no longer needed).</summary>
[GenerateSerializer, Immutable, Alias("ar.CommitNotice")]
public sealed record CommitNotice(
    [property: Id(0)] ulong Height,
    [property: Id(1)] Hash32[] Committed,
    [property: Id(2)] Address[] TouchedAddresses,
    [property: Id(3)] Core.Execution.Account[] TouchedAccounts,
    [property: Id(4)] long CommittedAtMs,
    [property: Id(5)] ulong FinalizedHeight);

/// <summary>A committed block as validators receive it.</summary>
[GenerateSerializer, Immutable, Alias("ar.CommittedBlock")]
public sealed record CommittedBlock([property: Id(0)] Block Block, [property: Id(1)] QuorumCertificate Certificate, [property: Id(2)] long CommittedAtMs);

/// <summary>
/// A fraud proof (PROTOCOL.md §8): the challenged block, the pre-state root the challenger executed it on, the
/// root it recomputed and the violation found. Other validators check it independently against their own replicas.
/// </summary>
[GenerateSerializer, Immutable, Alias("ar.FraudProof")]
public sealed record FraudProof(
    [property: Id(0)] string ChallengerId,
    [property: Id(1)] ulong Height,
    [property: Id(2)] Hash32 BlockHash,
    [property: Id(3)] Hash32 PreStateRoot,
    [property: Id(4)] Hash32 RecomputedRoot,
    [property: Id(5)] BlockFault Violation,
    [property: Id(6)] string Detail,
    [property: Id(7)] byte[] ChallengerSignature);

[GenerateSerializer, Immutable, Alias("ar.ChallengeResult")]
public sealed record ChallengeResult(
    [property: Id(0)] ChainReason Reason,
    [property: Id(1)] string ChallengeId,
    [property: Id(2)] bool Succeeded,
    [property: Id(3)] ulong RolledBackFrom,
    [property: Id(4)] int DeletedBlocks,
    [property: Id(5)] int RequeuedTransactions,
    [property: Id(6)] string[] Agreed,
    [property: Id(7)] string[] Disagreed);

/// <summary>A validator's vote on someone else's challenge.</summary>
[GenerateSerializer, Immutable, Alias("ar.ChallengeVote")]
public sealed record ChallengeVote([property: Id(0)] string ValidatorId, [property: Id(1)] bool Agrees, [property: Id(2)] string Reason);

/// <summary>Rollback record: which blocks were deleted and why, and how long the rollback took.</summary>
[GenerateSerializer, Immutable, Alias("ar.RollbackRecord")]
public sealed record RollbackRecord(
    [property: Id(0)] string ChallengeId,
    [property: Id(1)] ulong FromHeight,
    [property: Id(2)] int Depth,
    [property: Id(3)] string Offender,
    [property: Id(4)] BlockFault Violation,
    [property: Id(5)] long BadBlockCommittedAtMs,
    [property: Id(6)] long RestoredAtMs,
    [property: Id(7)] Hash32 RestoredStateRoot);

/// <summary>A block as queries show it.</summary>
[GenerateSerializer, Immutable, Alias("ar.BlockView")]
public sealed record BlockView(
    [property: Id(0)] ulong Height,
    [property: Id(1)] Hash32 Hash,
    [property: Id(2)] Hash32 ParentHash,
    [property: Id(3)] ulong Epoch,
    [property: Id(4)] ulong Term,
    [property: Id(5)] string Proposer,
    [property: Id(6)] Hash32 StateRoot,
    [property: Id(7)] Hash32 TxRoot,
    [property: Id(8)] int TransactionCount,
    [property: Id(9)] string[] Attesters,
    [property: Id(10)] long SignedPower,
    [property: Id(11)] long CommitteePower,
    [property: Id(12)] long TimestampMs,
    [property: Id(13)] long CommittedAtMs,
    [property: Id(14)] long ValidatedAtMs,
    [property: Id(15)] long FinalizedAtMs,
    [property: Id(16)] Hash32[] TransactionHashes,
    /// <summary>When each transaction was admitted to the mempool (0 when unknown), in block order.</summary>
    [property: Id(17)] long[] AdmittedAtMs,
    [property: Id(18)] UInt128 Fees)
{
    /// <summary>When the chain received the block's append call, its quorum certificate complete (0 when unknown, e.g. a
    /// block appended before this field existed). TimestampMs (the leader built the block) → this → CommittedAtMs splits a
    /// transaction's soft-confirm time into the attestation round and the commit.</summary>
    [Id(19)] public long AppendReceivedAtMs { get; init; }
}

/// <summary>Confirmation level of a transaction (PROTOCOL.md §4).</summary>
public enum TxLevel
{
    Unknown = 0,
    Admitted = 1,
    SoftConfirmed = 2,
    Validated = 3,
    Finalized = 4,
}

/// <summary>A transaction's status with the time it reached each level (0 = not yet).</summary>
[GenerateSerializer, Immutable, Alias("ar.TxStatus")]
public sealed record TxStatus(
    [property: Id(0)] Hash32 Hash,
    [property: Id(1)] TxLevel Level,
    [property: Id(2)] ulong Height,
    [property: Id(3)] ulong ArrivalSequence,
    [property: Id(4)] long AdmittedAtMs,
    [property: Id(5)] long SoftConfirmedAtMs,
    [property: Id(6)] long ValidatedAtMs,
    [property: Id(7)] long FinalizedAtMs)
{
    /// <summary>The chain's oldest retained height when it answered (<see cref="ChainHead.OldestRetainedHeight"/>): an
    /// <see cref="TxLevel.Unknown"/> answer with this above 1 means the transaction is neither in the retained blocks nor
    /// in the mempool — committed in a pruned block below this height, or never seen.</summary>
    [Id(8)] public ulong OldestRetainedHeight { get; init; }
    /// <summary>True when the transaction was committed in a block the chain has pruned (below
    /// <see cref="OldestRetainedHeight"/>): <see cref="Level"/> is then Finalized and <see cref="Height"/> 0 (not kept).</summary>
    [Id(9)] public bool Pruned { get; init; }
}

/// <summary>Everything `status` shows about a chain.</summary>
[GenerateSerializer, Immutable, Alias("ar.ChainStatus")]
public sealed record ChainStatus(
    [property: Id(0)] string ChainId,
    [property: Id(1)] ulong SoftConfirmedHeight,
    [property: Id(2)] ulong ValidatedHeight,
    [property: Id(3)] ulong FinalizedHeight,
    [property: Id(4)] ulong Epoch,
    [property: Id(5)] ulong Term,
    [property: Id(6)] string Leader,
    [property: Id(7)] CommitteeSeat[] Committee,
    [property: Id(8)] int MempoolSize,
    [property: Id(9)] bool Halted,
    [property: Id(10)] string HaltReason,
    [property: Id(11)] Hash32 HeadHash,
    [property: Id(12)] Hash32 StateRoot,
    [property: Id(13)] int Failovers,
    [property: Id(14)] int Rollbacks,
    [property: Id(15)] UInt128 L2Supply);

/// <summary>The chain head with its full state (how a new leader or a recovering validator catches up).</summary>
[GenerateSerializer, Immutable, Alias("ar.ChainSnapshot")]
public sealed record ChainSnapshot([property: Id(0)] ulong Height, [property: Id(1)] Hash32 Hash, [property: Id(2)] Core.State.StateTree State);

/// <summary>
/// The supply-conservation audit of a chain (PROTOCOL.md §5): every place a token can be — L2 accounts, fees of
/// blocks not yet final (on their way to the L1 pools), L1 balances, bonded, unbonding and reward-pool stake,
/// validator bonds and rewards — against genesis plus minted minus burned.
/// </summary>
[GenerateSerializer, Immutable, Alias("ar.SupplyAudit")]
public sealed record SupplyAudit(
    [property: Id(0)] UInt128 L2Balances,
    [property: Id(1)] UInt128 FeesInFlight,
    [property: Id(2)] UInt128 L1Balances,
    [property: Id(3)] UInt128 Bonded,
    [property: Id(4)] UInt128 Unbonding,
    [property: Id(5)] UInt128 RewardPools,
    [property: Id(6)] UInt128 ValidatorBonds,
    [property: Id(7)] UInt128 ValidatorRewards,
    [property: Id(8)] UInt128 Genesis,
    [property: Id(9)] UInt128 Minted,
    [property: Id(10)] UInt128 Burned,
    [property: Id(11)] UInt128 TknBalances = default,
    [property: Id(12)] UInt128 GenesisTkn = default)
{
    public UInt128 Total => L2Balances + FeesInFlight + L1Balances + Bonded + Unbonding + RewardPools + ValidatorBonds + ValidatorRewards;
    public UInt128 Expected => Genesis + Minted - Burned;

    /// <summary>The second token (TKN) lives on L2 only and nothing mints or burns it: every account's TKN, the pool's
    /// reserve included, sums to the genesis TKN.</summary>
    public bool TknConserved => TknBalances == GenesisTkn;

    /// <summary>Both supplies are conserved: the native token across L2 and L1, and TKN.</summary>
    public bool Conserved => Total == Expected && TknConserved;
}

/// <summary>The chain's whole L2 state at a finalized height and that height's block hash — the chain's one
/// <c>checkpoint</c> record (overwritten), where a reactivated chain grain, and a reactivated validator, start instead of
/// genesis. The root is kept to check the accounts on reading.</summary>
[GenerateSerializer, Immutable, Alias("ar.StateCheckpoint")]
public sealed record StateCheckpoint(
    [property: Id(0)] ulong Height,
    [property: Id(1)] Hash32 BlockHash,
    [property: Id(2)] Hash32 Root,
    [property: Id(3)] Address[] Addresses,
    [property: Id(4)] Core.Execution.Account[] Accounts)
{
    public static StateCheckpoint Of(ulong height, Hash32 blockHash, Core.State.StateTree state)
    {
        var accounts = state.Enumerate().ToArray();
        return new(height, blockHash, state.Root, accounts.Select(a => a.Key).ToArray(), accounts.Select(a => a.Value).ToArray());
    }

    /// <summary>The state the checkpoint holds; null when its accounts do not produce its root (a damaged record).</summary>
    public Core.State.StateTree? ToState()
    {
        var state = Core.State.StateTree.FromAccounts(Addresses.Zip(Accounts, (a, acc) => new KeyValuePair<Address, Core.Execution.Account>(a, acc)));
        return state.Root == Root ? state : null;
    }
}
