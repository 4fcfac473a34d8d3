namespace ActorRollup.Core.Staking;

/// <summary>
/// Principal unlocked from one pool that becomes claimable in the same epoch (PROTOCOL §5 exit delay). A bucket
/// is a small share pool of its own, so a slash cuts every pending unlock in it pro rata in O(1). Immutable.
/// </summary>
public sealed record UnbondingBucket(ulong ClaimableFromEpoch, UInt128 Stake, UInt128 Shares)
{
    /// <summary>
    /// Adds <paramref name="amount"/>: 1:1 shares into an empty bucket, otherwise floor(amount × shares / stake)
    /// (rounding favours those already waiting). Returns null if the bucket was slashed to zero value
    /// while still holding shares (nothing can be priced against it).
    /// </summary>
    public UnbondingBucket? Add(UInt128 amount, out UInt128 minted)
    {
        if (Shares == UInt128.Zero)
        {
            // Withdraw hands the last holder everything, so a bucket without shares holds no stake either.
            minted = amount;
            return this with { Stake = checked(Stake + amount), Shares = amount };
        }
        if (Stake == UInt128.Zero) { minted = UInt128.Zero; return null; }
        minted = StakeMath.MulDivFloor(amount, Shares, Stake);
        if (minted == UInt128.Zero) return null;
        return this with { Stake = checked(Stake + amount), Shares = checked(Shares + minted) };
    }

    /// <summary>Value of <paramref name="shares"/> of this bucket: floor(shares × stake / total shares).</summary>
    public UInt128 ValueOf(UInt128 shares) =>
        Shares == UInt128.Zero ? UInt128.Zero : StakeMath.MulDivFloor(shares, Stake, Shares);

    /// <summary>
    /// What withdrawing <paramref name="shares"/> pays now: their value, except that the last holder (all the shares)
    /// gets all that is left. Throws when there are fewer shares.
    /// </summary>
    public UInt128 PayoutOf(UInt128 shares)
    {
        if (shares > Shares) throw new ArgumentException("more bucket shares than exist", nameof(shares));
        return shares == Shares ? Stake : ValueOf(shares);
    }

    /// <summary>Removes <paramref name="shares"/>, paying <see cref="PayoutOf"/> in <paramref name="amount"/>.</summary>
    public UnbondingBucket Withdraw(UInt128 shares, out UInt128 amount)
    {
        amount = PayoutOf(shares);
        return this with { Stake = checked(Stake - amount), Shares = Shares - shares };
    }

    /// <summary>Cuts the bucket's stake by floor(stake × bps / 10000), returned in <paramref name="slashed"/>.</summary>
    public UnbondingBucket Slash(uint bps, out UInt128 slashed)
    {
        slashed = StakeMath.ApplyBps(Stake, bps);
        return this with { Stake = Stake - slashed };
    }
}
