using ActorRollup.Core.Primitives;

namespace ActorRollup.Core.Staking;

/// <summary>
/// The penalty rules of PROTOCOL §5 written once, for the ledger and the Sequencer grain alike: how long a jail lasts
/// and how a slash is split between the reporters and the burn. <see cref="SequencerPool.TryPenalize"/> applies both.
/// </summary>
public static class Penalty
{
    /// <summary>
    /// The first epoch at which a jail of <paramref name="jailEpochs"/> epochs for an offence in
    /// <paramref name="offenceEpoch"/> has run out: <c>offenceEpoch + 1 + jailEpochs</c>. The committee of the offence
    /// epoch is already sitting (the offender only loses its leadership in it), and a jailed sequencer leaves the
    /// committee from the next epoch on (§5), so "jail N epochs" keeps it off the N whole committees
    /// offenceEpoch + 1 .. offenceEpoch + N; it may sit again from offenceEpoch + N + 1 (docs/STAKING.md).
    /// </summary>
    /// <exception cref="OverflowException">The epoch does not fit 64 bits.</exception>
    public static ulong JailedUntil(ulong offenceEpoch, ulong jailEpochs) => checked(offenceEpoch + 1 + jailEpochs);

    /// <summary>
    /// Splits <paramref name="slashed"/> (§5 "a share of a slash rewards the reporting validator(s); the rest is
    /// burned"): the reporters are made distinct (first occurrence kept, order kept) and the slashed sequencer's own
    /// <paramref name="owner"/> is dropped, so it cannot win back part of its own slash. The reporters' part is
    /// floor(slashed × <paramref name="reporterShareBps"/> / 10000), shared equally (rounded down); the split's
    /// remainder and the rest are burned. With no reporter left, or a share that rounds to 0 each, all is burned and
    /// nobody counts as rewarded.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="reporterShareBps"/> &gt; 10000.</exception>
    public static ReporterSplit Split(UInt128 slashed, IEnumerable<Address> reporters, Address owner, uint reporterShareBps)
    {
        ArgumentNullException.ThrowIfNull(reporters);
        if (reporterShareBps > StakeMath.BpsDenominator) throw new ArgumentOutOfRangeException(nameof(reporterShareBps));
        var distinct = new List<Address>();
        foreach (var r in reporters)
            if (r != owner && !distinct.Contains(r)) distinct.Add(r);
        if (distinct.Count == 0) return new ReporterSplit([], UInt128.Zero, UInt128.Zero, slashed);
        var each = StakeMath.ApplyBps(slashed, reporterShareBps) / (UInt128)(ulong)distinct.Count;
        if (each == UInt128.Zero) return new ReporterSplit([], UInt128.Zero, UInt128.Zero, slashed);
        var paid = each * (UInt128)(ulong)distinct.Count; // ≤ slashed: cannot overflow
        return new ReporterSplit(distinct, each, paid, slashed - paid);
    }
}

/// <summary>
/// How one slash is divided (<see cref="Penalty.Split"/>): each of <see cref="Rewarded"/> (distinct, in the order
/// reported, never the offender's owner) receives <see cref="PerReporter"/>; <see cref="ToReporters"/> =
/// PerReporter × |Rewarded|; <see cref="Burned"/> is the rest of the slash.
/// </summary>
public sealed record ReporterSplit(IReadOnlyList<Address> Rewarded, UInt128 PerReporter, UInt128 ToReporters, UInt128 Burned);
