namespace ActorRollup.Core.Staking;

/// <summary>
/// One staker's stake in one sequencer pool (PROTOCOL §1 Staker grain): its pool shares, the pool's reward
/// index when it was last settled, and the rewards settled so far. Immutable: every change returns a new value.
/// Lazy accounting (§5): pending reward = settled + floor(shares × (index − checkpoint) / scale).
/// </summary>
public sealed record StakePosition(UInt128 Shares, UInt128 Checkpoint, UInt128 Settled)
{
    /// <summary>An empty position checkpointed at <paramref name="index"/>.</summary>
    public static StakePosition Empty(UInt128 index) => new(UInt128.Zero, index, UInt128.Zero);

    /// <summary>True when the position holds neither shares nor unclaimed rewards.</summary>
    public bool IsEmpty => Shares == UInt128.Zero && Settled == UInt128.Zero;

    /// <summary>Rewards earned up to the pool index <paramref name="index"/> and not yet claimed.</summary>
    public UInt128 PendingReward(UInt128 index)
    {
        if (index < Checkpoint) throw new ArgumentException("the reward index never decreases", nameof(index));
        return checked(Settled + StakeMath.MulDivFloor(Shares, index - Checkpoint, SequencerPool.IndexScale));
    }

    /// <summary>Folds the rewards earned up to <paramref name="index"/> into <see cref="Settled"/> (required before the share count changes).</summary>
    public StakePosition SettleAt(UInt128 index) => new(Shares, index, PendingReward(index));

    /// <summary>Settles at <paramref name="index"/> then adds <paramref name="shares"/>.</summary>
    public StakePosition AddShares(UInt128 shares, UInt128 index)
    {
        var settled = SettleAt(index);
        return settled with { Shares = checked(settled.Shares + shares) };
    }

    /// <summary>Settles at <paramref name="index"/> then removes <paramref name="shares"/>.</summary>
    public StakePosition RemoveShares(UInt128 shares, UInt128 index)
    {
        var settled = SettleAt(index);
        return settled with { Shares = checked(settled.Shares - shares) };
    }

    /// <summary>The position after its pending reward (returned in <paramref name="paid"/>) is claimed at <paramref name="index"/>.</summary>
    public StakePosition Claim(UInt128 index, out UInt128 paid)
    {
        paid = PendingReward(index);
        return new StakePosition(Shares, index, UInt128.Zero);
    }
}
