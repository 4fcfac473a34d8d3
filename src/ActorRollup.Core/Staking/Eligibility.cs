using ActorRollup.Core.Scheduling;

namespace ActorRollup.Core.Staking;

/// <summary>
/// Who may sit on an epoch's committee (PROTOCOL §6: "the active sequencers (not jailed, not exiting)"), written once
/// for the ledger (<see cref="StakingLedger.Standings"/>), the pool (<see cref="SequencerPool.IsEligibleAt"/>) and the
/// Rotation grain, which holds only each sequencer's status, jail end and stake checkpoints.
/// </summary>
public static class Eligibility
{
    /// <summary>
    /// A jail that has run out by <paramref name="epoch"/>: the status is Jailed and <paramref name="epoch"/> ≥
    /// <paramref name="jailedUntilEpoch"/>. Release is bookkeeping; such a sequencer already counts as released.
    /// </summary>
    public static bool JailServed(SequencerStatus status, ulong jailedUntilEpoch, ulong epoch) =>
        status == SequencerStatus.Jailed && epoch >= jailedUntilEpoch;

    /// <summary>
    /// May sit on the committee of <paramref name="epoch"/>: Candidate or Active, or Jailed with the jail run out by
    /// then (<see cref="JailServed"/>). Exiting and Tombstoned never.
    /// </summary>
    public static bool IsEligibleAt(SequencerStatus status, ulong jailedUntilEpoch, ulong epoch) =>
        status is SequencerStatus.Candidate or SequencerStatus.Active || JailServed(status, jailedUntilEpoch, epoch);

    /// <summary>
    /// The standing of sequencer <paramref name="id"/> for the committee of <paramref name="epoch"/>, ready for
    /// <see cref="CommitteeSelector.Select"/>: <paramref name="effectiveStake"/> is the stake that counts for that
    /// epoch (<see cref="StakeHistory.EffectiveAt"/>); eligible when <see cref="IsEligibleAt"/> and the stake is &gt; 0.
    /// </summary>
    public static SequencerStanding StandingAt(string id, SequencerStatus status, ulong jailedUntilEpoch, UInt128 effectiveStake, ulong epoch) =>
        new(id, effectiveStake, IsEligibleAt(status, jailedUntilEpoch, epoch) && effectiveStake > UInt128.Zero);

    /// <summary>
    /// The recovery from a halt for lack of eligible members (docs/STAKING.md "Jail on a halted chain"): a jail counted
    /// in epochs cannot run out on a chain that produces no epochs, so while rotation is halted because no sequencer is
    /// eligible for <paramref name="epoch"/>, a jail also runs out by wall clock: after the time its remaining epochs
    /// would have taken at the nominal pace, <paramref name="nominalEpochMs"/> (EpochLength × BlockIntervalMs) each.
    /// True when the sequencer is jailed (not tombstoned or exiting) and <paramref name="haltedForMs"/> ≥
    /// (<paramref name="jailedUntilEpoch"/> − <paramref name="epoch"/>) × <paramref name="nominalEpochMs"/> (saturating).
    /// </summary>
    public static bool JailElapsedWhileHalted(SequencerStatus status, ulong jailedUntilEpoch, ulong epoch, long haltedForMs, long nominalEpochMs)
    {
        if (status != SequencerStatus.Jailed) return false;
        if (epoch >= jailedUntilEpoch) return true;
        if (haltedForMs < 0 || nominalEpochMs < 0) return false;
        var remaining = jailedUntilEpoch - epoch;
        var needed = nominalEpochMs != 0 && remaining > (ulong)(long.MaxValue / nominalEpochMs) ? long.MaxValue : (long)remaining * nominalEpochMs;
        return haltedForMs >= needed;
    }
}
