using ActorRollup.Core.Blocks;
using ActorRollup.Core.Primitives;

namespace ActorRollup.Abstractions.Messages;

/// <summary>Why a committee member refused to attest (PROTOCOL.md §7).</summary>
public enum AttestReason
{
    Ok = 0,
    /// <summary>The proposer is not the scheduled leader of the current term for that height.</summary>
    NotLeader = 1,
    BadSignature = 2,
    /// <summary>The parent is not the chain head this member knows.</summary>
    WrongParent = 3,
    /// <summary>This member already attested a different block at that height and term (equivocation seen).</summary>
    Conflicting = 4,
    NotCommitteeMember = 5,
    /// <summary>The member is offline (fault injection) — callers see a timeout or this.</summary>
    Offline = 6,
    WrongChain = 7,
}

[GenerateSerializer, Immutable, Alias("ar.AttestationReply")]
public sealed record AttestationReply([property: Id(0)] string MemberId, [property: Id(1)] AttestReason Reason, [property: Id(2)] byte[]? Signature)
{
    public bool Ok => Reason == AttestReason.Ok;
}

/// <summary>An L1 batch (PROTOCOL.md §8): a height range, the last state root and the hash of the block hashes.</summary>
[GenerateSerializer, Immutable, Alias("ar.BatchHeader")]
public sealed record BatchHeader(
    [property: Id(0)] string ChainId,
    [property: Id(1)] ulong Number,
    [property: Id(2)] ulong FirstHeight,
    [property: Id(3)] ulong LastHeight,
    [property: Id(4)] ulong Epoch,
    [property: Id(5)] Hash32 LastStateRoot,
    [property: Id(6)] Hash32 BlocksHash)
{
    /// <summary>SHA-256 over the canonical encoding of the batch fields.</summary>
    public Hash32 Hash()
    {
        var w = new Core.Encoding.CanonicalWriter(128);
        w.WriteString8(ChainId);
        w.WriteU64(Number);
        w.WriteU64(FirstHeight);
        w.WriteU64(LastHeight);
        w.WriteU64(Epoch);
        w.WriteHash(LastStateRoot);
        w.WriteHash(BlocksHash);
        return Hash32.Sha256(w.Written);
    }

    /// <summary>SHA-256 of the concatenated block hashes of the range, in height order.</summary>
    public static Hash32 HashOfBlocks(IEnumerable<Hash32> blockHashes)
    {
        var w = new Core.Encoding.CanonicalWriter(32 * 32);
        foreach (var h in blockHashes) w.WriteHash(h);
        return Hash32.Sha256(w.Written);
    }
}

/// <summary>Faults a sequencer can be told to commit (PROTOCOL.md §9), for tests and the harness.</summary>
public enum SequencerFaultKind
{
    None = 0,
    /// <summary>Stops producing and answering (its grain calls time out or are refused).</summary>
    Crash = 1,
    /// <summary>Waits <c>DelayMs</c> before each block and each attestation.</summary>
    Slow = 2,
    /// <summary>Puts a wrong state root in its next block.</summary>
    WrongStateRoot = 3,
    /// <summary>Credits itself tokens that do not exist and commits to that state.</summary>
    WrongBalance = 4,
    /// <summary>Signs two different blocks at its next height.</summary>
    Equivocate = 5,
    /// <summary>Leaves the transactions of <c>Target</c> (an address) out of its blocks.</summary>
    Censor = 6,
    /// <summary>Reverses the policy order of its next block.</summary>
    Reorder = 7,
    /// <summary>Inserts a front-running transaction of its own (no admission record) at the head of its next block.</summary>
    FrontRun = 8,
    /// <summary>Does not attest (a committee member down).</summary>
    Offline = 9,
    /// <summary>Under the encrypted policy: after the reveal, appends a transaction of its own (admitted, so with a real
    /// arrival sequence) to its next block, outside the order it committed to.</summary>
    BackRunAfterReveal = 13,
}

[GenerateSerializer, Immutable, Alias("ar.SequencerFault")]
public sealed record SequencerFault(
    [property: Id(0)] SequencerFaultKind Kind,
    [property: Id(1)] int DelayMs = 0,
    [property: Id(2)] string? Target = null,
    /// <summary>Fire once (the next block) rather than until cleared.</summary>
    [property: Id(3)] bool Once = true);

/// <summary>A sequencer as queries show it.</summary>
[GenerateSerializer, Immutable, Alias("ar.SequencerView")]
public sealed record SequencerView(
    [property: Id(0)] string Id,
    [property: Id(1)] string Status,
    [property: Id(2)] Address Owner,
    [property: Id(3)] string SignerPublicKey,
    [property: Id(4)] UInt128 SelfStake,
    [property: Id(5)] UInt128 TotalStake,
    [property: Id(6)] UInt128 RewardPool,
    [property: Id(7)] UInt128 Commission,
    [property: Id(8)] ulong JailedUntilEpoch,
    [property: Id(9)] ulong BlocksProposed,
    [property: Id(10)] ulong Attestations,
    [property: Id(11)] bool Leading,
    [property: Id(12)] ulong LeadingTerm,
    [property: Id(13)] string Fault,
    [property: Id(14)] UInt128 Slashed,
    /// <summary>Number of times this sequencer was slashed.</summary>
    [property: Id(15)] int Slashes);
