namespace ActorRollup.Core.Staking;

/// <summary>
/// A staker's unlock in its exit delay (PROTOCOL §5): <see cref="Amount"/> was unlocked from
/// <see cref="SequencerId"/> in epoch <see cref="UnlockedAtEpoch"/> and is claimable from
/// <see cref="ClaimableFromEpoch"/> = unlock epoch + ExitDelayEpochs. The principal has left the bonded
/// stake but stays slashable until it is claimable, so the amount paid out is the value of
/// <see cref="BucketShares"/> in the pool's <see cref="UnbondingBucket"/> — <see cref="Amount"/> less any slash.
/// </summary>
public sealed record PendingUnlock(string SequencerId, UInt128 Amount, UInt128 BucketShares, ulong UnlockedAtEpoch, ulong ClaimableFromEpoch)
{
    /// <summary>True when the exit delay has passed at <paramref name="epoch"/>.</summary>
    public bool IsClaimableAt(ulong epoch) => epoch >= ClaimableFromEpoch;

    /// <summary>
    /// A staker's pending unlocks after <paramref name="unlock"/> is added (§5), for the ledger and the Staker grain
    /// alike: an unlock from the same pool that becomes claimable in the same epoch sits in the same unbonding bucket,
    /// so it is merged into the existing entry (amounts and bucket shares added; the entry keeps its place and its
    /// unlock epoch) and one claim pays it; otherwise it is appended. The input is not changed.
    /// </summary>
    /// <exception cref="OverflowException">A merged amount or share count does not fit 128 bits.</exception>
    public static IReadOnlyList<PendingUnlock> Record(IReadOnlyList<PendingUnlock> unlocks, PendingUnlock unlock)
    {
        ArgumentNullException.ThrowIfNull(unlocks);
        ArgumentNullException.ThrowIfNull(unlock);
        var list = new List<PendingUnlock>(unlocks);
        int i = list.FindIndex(u => u.SequencerId == unlock.SequencerId && u.ClaimableFromEpoch == unlock.ClaimableFromEpoch);
        if (i < 0)
        {
            list.Add(unlock);
            return list;
        }
        list[i] = list[i] with
        {
            Amount = checked(list[i].Amount + unlock.Amount),
            BucketShares = checked(list[i].BucketShares + unlock.BucketShares),
        };
        return list;
    }
}
