using ActorRollup.Abstractions.Security;
using ActorRollup.Abstractions.Config;
using ActorRollup.Abstractions.Messages;
using ActorRollup.Core.Blocks;
using ActorRollup.Core.Staking;

namespace ActorRollup.Abstractions;

/// <summary>A sequencer's standing as rotation tracks it: its stake history and whether it may sit on a committee.</summary>
[GenerateSerializer, Immutable, Alias("ar.StandingUpdate")]
public sealed record StandingUpdate(
    [property: Id(0)] string SequencerId,
    [property: Id(1)] UInt128 TotalStake,
    [property: Id(2)] SequencerStatus Status,
    [property: Id(3)] ulong JailedUntilEpoch,
    [property: Id(4)] byte[] SignerPublicKey,
    [property: Id(5)] ulong EpochMade);

/// <summary>One completed failover: who failed, why, when, and how long until the replacement's first block.</summary>
[GenerateSerializer, Immutable, Alias("ar.FailoverRecord")]
public sealed record FailoverRecord(
    [property: Id(0)] string FailedLeader,
    [property: Id(1)] string Replacement,
    [property: Id(2)] string Reason,
    [property: Id(3)] long AtMs,
    [property: Id(4)] long DurationMs);

[GenerateSerializer, Immutable, Alias("ar.RotationStatus")]
public sealed record RotationStatus(
    [property: Id(0)] ulong Epoch,
    [property: Id(1)] LeadershipTerm? Current,
    [property: Id(2)] bool Halted,
    [property: Id(3)] string HaltReason,
    [property: Id(4)] int Failovers,
    [property: Id(5)] long[] FailoverDurationsMs,
    [property: Id(6)] int LeaderChanges,
    /// <summary>The most recent completed failovers (bounded), in order.</summary>
    [property: Id(7)] FailoverRecord[] FailoverLog,
    /// <summary>Since when (Unix ms) rotation has been halted for lack of members; 0 when it is not (docs/STAKING.md,
    /// "Jail on a halted chain": what a sequencer checks before a release by wall clock).</summary>
    [property: Id(8)] long NoMembersSinceMs = 0);

/// <summary>One leadership term as rotation's bounded term history records it: who was appointed to lead which heights
/// of which epoch. What an audit needs to judge every block's proposer and term (the chain keeps only the current term).</summary>
[GenerateSerializer, Immutable, Alias("ar.TermInfo")]
public sealed record TermInfo(
    [property: Id(0)] ulong Term,
    [property: Id(1)] string LeaderId,
    [property: Id(2)] ulong Epoch,
    [property: Id(3)] ulong FirstHeight,
    [property: Id(4)] ulong LastHeight)
{
    public Core.Blocks.TermSpan Span => new(Term, LeaderId, Epoch, FirstHeight, LastHeight);
}

/// <summary>
/// Committee and leader rotation of one chain (key: chain id, PROTOCOL.md §6): committee snapshot per epoch,
/// leader per epoch by the configured algorithm, leadership terms, liveness watch and failover (re-span).
/// </summary>
[Alias("ar.IRotationGrain")]
public interface IRotationGrain : IGrainWithStringKey
{
    [InternalCall, Alias("Initialize")] Task Initialize(ChainConfig config, StandingUpdate[] genesisStandings, ulong genesisHeight);

    /// <summary>The chain committed a block; a height at or past the epoch's last one (checked against the chain's head)
    /// ends the epoch and epochs catch up from the head. Ignored unless it names a block of a term rotation appointed.
    /// Returns the new term when one began (the chain applies it before the next append).</summary>
    [InternalCall, Alias("OnBlockCommitted")] Task<LeadershipTerm?> OnBlockCommitted(ulong height, ulong term, string proposerId, long committedAtMs);

    /// <summary>Registers a new sequencer: refused when the id exists or the signer key was ever used before.</summary>
    [InternalCall, Alias("RegisterSequencer")] Task<StakingReason> RegisterSequencer(StandingUpdate standing);

    /// <summary>A stake, status or jail change; it counts for committees two epochs after it was made.</summary>
    [InternalCall, Alias("OnStandingChanged")] Task OnStandingChanged(StandingUpdate update);

    /// <summary>The leader is alive but could not gather a quorum: the chain halts visibly instead of failing over (for at
    /// most 60 leader timeouts). Counted only when <paramref name="leaderSignature"/> is the current term's leader's
    /// signature over <see cref="Core.Scheduling.QuorumFailureReport"/>; anything else is ignored.</summary>
    [InternalCall, Alias("ReportQuorumFailure")] Task ReportQuorumFailure(string leaderId, ulong term, ulong height, long gatheredPower, long totalPower, byte[] leaderSignature, bool reachedNoMember = false);

    /// <summary>The leader of <paramref name="term"/> must go now (rollback, equivocation); the new term starts right
    /// after <paramref name="headHeight"/> (after a rollback, the restored head). Returns the new term.</summary>
    [InternalCall, Alias("ForceFailover")] Task<LeadershipTerm?> ForceFailover(ulong term, string reason, ulong headHeight);

    /// <summary>Retires the chain: the leader stops producing and the liveness watch stops (load-test chains end this way,
    /// so finished runs never share the machine with the next one). Permanent.</summary>
    [OperatorCall, Alias("Retire")] Task Retire();

    [PublicCall, Alias("GetCurrent"), ReadOnly] Task<LeadershipTerm?> GetCurrent();

    /// <summary>The term numbered <paramref name="term"/> exactly as rotation appointed it, while it is the current one
    /// (else null): what the chain checks a pushed term against. Interleaves: rotation pushes the term while it waits.</summary>
    [PublicCall, Alias("GetAppointedTerm"), AlwaysInterleave] Task<LeadershipTerm?> GetAppointedTerm(ulong term);

    /// <summary>The leader of <paramref name="term"/> if that term covers <paramref name="height"/>, else null.</summary>
    [PublicCall, Alias("GetLeaderAt"), ReadOnly] Task<string?> GetLeaderAt(ulong height, ulong term);

    /// <summary>The committee of an epoch (any epoch the chain has reached: older ones come from the epoch's record).</summary>
    [PublicCall, Alias("GetCommittee"), ReadOnly] Task<CommitteeSeat[]> GetCommittee(ulong epoch);

    /// <summary>Every leadership term of one epoch, oldest first (from the epoch's record), for audits of any age.</summary>
    [PublicCall, Alias("GetEpochTerms"), AlwaysInterleave] Task<TermInfo[]> GetEpochTerms(ulong epoch);

    /// <summary>Leaders of the next <paramref name="count"/> epochs from the current one, for the current membership.
    /// <paramref name="count"/> is 0..1024 (<c>RotationGrain.MaxScheduleCount</c>); beyond it the call is refused
    /// (<see cref="CallRefusedException"/>, <c>argument-out-of-bounds</c>).</summary>
    [PublicCall, Alias("GetSchedule"), ReadOnly] Task<string[]> GetSchedule(int count);

    /// <summary>Interleaves: a sequencer asked to release itself while rotation waits on it reads the halt from here.</summary>
    [PublicCall, Alias("GetStatus"), AlwaysInterleave] Task<RotationStatus> GetStatus();

    /// <summary>The recorded leadership terms, oldest first (the most recent 256; term numbers are consecutive), for
    /// audits. Interleaves: it only copies the history, and an audit should never queue behind an epoch change.</summary>
    [PublicCall, Alias("GetTerms"), AlwaysInterleave] Task<TermInfo[]> GetTerms();

    /// <summary>Every sequencer ever registered on the chain.</summary>
    [PublicCall, Alias("GetSequencerIds"), ReadOnly] Task<string[]> GetSequencerIds();
}
