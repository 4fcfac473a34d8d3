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
}
