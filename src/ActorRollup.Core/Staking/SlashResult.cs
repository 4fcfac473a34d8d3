namespace ActorRollup.Core.Staking;

/// <summary>
/// Outcome of <see cref="StakingLedger.Slash"/> (PROTOCOL §5): <see cref="Slashed"/> = <see cref="ToReporters"/> +
/// <see cref="Burned"/>; each rewarded reporter received <see cref="PerReporter"/>.
/// </summary>
public readonly record struct SlashResult(
    StakingReason Reason,
    UInt128 Slashed,
    UInt128 ToReporters,
    UInt128 PerReporter,
    int ReportersPaid,
    UInt128 Burned,
    SequencerStatus StatusAfter,
    ulong JailedUntilEpoch)
{
    public bool IsOk => Reason == StakingReason.Ok;

    public static SlashResult Refused(StakingReason reason) => new(reason, 0, 0, 0, 0, 0, default, 0);
}
