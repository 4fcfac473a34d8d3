using ActorRollup.Core.Primitives;
using ActorRollup.Core.Staking;

namespace ActorRollup.Abstractions.Messages;

/// <summary>
/// A slash the chain decided — a successful challenge (<see cref="SlashKind.InvalidStateRoot"/>, rolled back from
/// <see cref="FromHeight"/>) or verified equivocation evidence — recorded by the chain before it asks the offender to
/// slash itself, and completed with the outcome. The better source the money paths check (docs/SECURITY.md): the offender
/// slashes only for an order naming it with these very arguments, settlement withdraws batches only for a rollback order,
/// a staker is credited only the <see cref="PerReporter"/> the order names it for.
/// </summary>
[GenerateSerializer, Immutable, Alias("ar.SlashOrder")]
public sealed record SlashOrder(
    [property: Id(0)] string EvidenceId,
    [property: Id(1)] string Offender,
    [property: Id(2)] SlashKind Kind,
    [property: Id(3)] ulong Epoch,
    [property: Id(4)] Address[] Reporters,
    /// <summary>The first height the rollback deletes (0 for equivocation).</summary>
    [property: Id(5)] ulong FromHeight,
    /// <summary>True once the offender's slash answered; then <see cref="PerReporter"/> and <see cref="Rewarded"/> hold.</summary>
    [property: Id(6)] bool Decided,
    [property: Id(7)] UInt128 PerReporter,
    /// <summary>The reporters paid <see cref="PerReporter"/> each (the slash result's first reporters, in order).</summary>
    [property: Id(8)] Address[] Rewarded)
{
    /// <summary>Whether a slash call carries exactly this order's arguments.</summary>
    public bool Matches(string offender, SlashKind kind, ulong epoch, IReadOnlyList<Address> reporters) =>
        Offender == offender && Kind == kind && Epoch == epoch && Reporters.AsSpan().SequenceEqual(reporters.ToArray());
}

/// <summary>What a block's reward is credited from (the chain's record of the block): its proposer and its fees, and
/// when it was committed (the downtime rule's last sign of life).</summary>
[GenerateSerializer, Immutable, Alias("ar.RewardBasis")]
public sealed record RewardBasis([property: Id(0)] ulong Height, [property: Id(1)] string ProposerId, [property: Id(2)] UInt128 Fees,
    [property: Id(3)] long CommittedAtMs);

public enum PoolOperationKind
{
    Register = 1,
    Deposit = 2,
    Withdraw = 3,
    PayReward = 4,
    ClaimUnbonding = 5,
}

/// <summary>
/// A pool operation as the staker grain asked for it: the sequencer checks a Deposit / Withdraw / PayReward /
/// ClaimUnbonding / Register call against the staker's own record of it (the better source) before it mints a share or
/// pays out. Amount, Shares and the epochs are the call's arguments (unused ones 0).
/// </summary>
[GenerateSerializer, Immutable, Alias("ar.PoolOperation")]
public sealed record PoolOperation(
    [property: Id(0)] string OperationId,
    [property: Id(1)] PoolOperationKind Kind,
    [property: Id(2)] string SequencerId,
    [property: Id(3)] UInt128 Amount,
    [property: Id(4)] UInt128 Shares,
    [property: Id(5)] ulong Epoch,
    [property: Id(6)] ulong ClaimableFromEpoch,
    [property: Id(7)] UInt128 Checkpoint,
    [property: Id(8)] UInt128 Settled);
