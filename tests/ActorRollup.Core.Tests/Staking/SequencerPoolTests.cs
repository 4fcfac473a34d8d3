using ActorRollup.Core.Staking;
using static ActorRollup.Core.Tests.Staking.StakingFixture;

namespace ActorRollup.Core.Tests.Staking;

/// <summary>The pool on its own, as a Sequencer grain would hold it.</summary>
public class SequencerPoolTests
{
    private static readonly UInt128 Max = T(100_000);

    private static SequencerPool PoolWith(params ulong[] tokens)
    {
        var pool = SequencerPool.Create("p", Owner, Key(1), 0);
        bool owner = true;
        foreach (var t in tokens)
        {
            Assert.Equal(StakingReason.Ok, pool.TryDeposit(T(t), owner, Max, 0, out pool, out _));
            owner = false;
        }
        return pool;
    }

    [Fact]
    public void First_deposit_is_one_to_one_then_at_the_share_price()
    {
        var pool = SequencerPool.Create("p", Owner, Key(1), 0);
        Assert.Equal(StakingReason.Ok, pool.TryDeposit(T(20_000), true, Max, 0, out pool, out var s1));
        Assert.Equal(T(20_000), s1);
        Assert.Equal(StakingReason.Ok, pool.TrySlash(1000, 0, out pool, out var slashed)); // price 0.9
        Assert.Equal(T(2_000), slashed);
        Assert.Equal(StakingReason.Ok, pool.TryDeposit(T(9), false, Max, 0, out pool, out var s2));
        Assert.Equal(T(10), s2); // 9 × 20000 / 18000
        Assert.Equal(T(9), pool.ValueOf(s2));
        Assert.Equal(T(18_000), pool.SelfStake);
    }

    [Fact]
    public void Unlock_burns_shares_rounded_up_so_those_who_stay_never_lose()
    {
        var pool = PoolWith(20_000, 10_000);
        Assert.Equal(StakingReason.Ok, pool.TrySlash(1, 0, out pool, out _)); // 29997 tokens over 30000 shares
        var aliceShares = T(10_000);
        var before = pool.ValueOf(pool.OwnerShares);
        Assert.Equal(StakingReason.Ok, pool.TryUnlock(aliceShares, 1, false, T(20_000), 2, out var next, out var burned, out var bucketShares));
        Assert.Equal((UInt128)2, burned); // ceil(1 × 30000 / 29997) = 2 shares for 1 base unit
        Assert.True(next.ValueOf(next.OwnerShares) >= before);
        Assert.Equal((UInt128)1, bucketShares);
        Assert.Equal(T(29_997) - 1, next.TotalStake);
        Assert.Single(next.Unbonding);
        Assert.Equal((UInt128)1, next.UnbondingStake);
    }

    [Fact]
    public void Unlocking_the_whole_value_burns_every_share_of_the_position()
    {
        var pool = PoolWith(20_000, 10_000);
        Assert.Equal(StakingReason.Ok, pool.TrySlash(1, 0, out pool, out _));
        var value = pool.ValueOf(T(10_000));
        Assert.Equal(StakingReason.Ok, pool.TryUnlock(T(10_000), value, false, T(20_000), 2, out var next, out var burned, out _));
        Assert.Equal(T(10_000), burned);
        Assert.Equal(next.OwnerShares, next.TotalShares);
        Assert.Equal(SequencerStatus.Candidate, next.Status);
    }

    [Fact]
    public void Rounding_goes_against_the_mover_in_base_units()
    {
        var pool = SequencerPool.Create("p", Owner, Key(1), 0);
        Assert.Equal(StakingReason.Ok, pool.TryDeposit(3, true, Max, 0, out pool, out _));
        Assert.Equal(StakingReason.Ok, pool.TryDeposit(3, false, Max, 0, out pool, out _));
        Assert.Equal(StakingReason.Ok, pool.TrySlash(3_334, 0, out pool, out var slashed));
        Assert.Equal((UInt128)2, slashed); // 4 base units over 6 shares
        Assert.Equal(StakingReason.Ok, pool.TryDeposit(1, false, Max, 0, out var deposited, out var minted));
        Assert.Equal((UInt128)1, minted); // floor(1 × 6 / 4), not 2
        // unlocking 1 of a 3-share position (worth 2) burns ceil(1 × 6 / 4) = 2, and the 1 share left would be
        // worth floor(1 × 3 / 4) = 0, so it is burned too: nothing worthless is left behind
        Assert.Equal(StakingReason.Ok, pool.TryUnlock(3, 1, false, 0, 2, out var next, out var burned, out _));
        Assert.Equal((UInt128)3, burned);
        Assert.Equal((UInt128)3, next.TotalShares);
        Assert.Equal((UInt128)3, next.ValueOf(next.OwnerShares)); // the owner, who stayed, gained the rounding
        Assert.Equal((UInt128)5, deposited.TotalStake);
    }

    [Fact]
    public void Owner_rules_on_unlock()
    {
        var pool = PoolWith(25_000, 10_000);
        Assert.Equal(StakingReason.SelfStakeBelowMinLock, pool.TryUnlock(pool.OwnerShares, T(5_001), true, T(20_000), 2, out var same, out _, out _));
        Assert.Same(pool, same);
        Assert.Equal(StakingReason.Ok, pool.TryUnlock(pool.OwnerShares, T(5_000), true, T(20_000), 2, out var partial, out _, out _));
        Assert.Equal(T(20_000), partial.SelfStake);
        Assert.Equal(StakingReason.Ok, partial.TryUnlock(partial.OwnerShares, T(20_000), true, T(20_000), 2, out var exited, out _, out _));
        Assert.Equal(SequencerStatus.Exiting, exited.Status);
        Assert.Equal(UInt128.Zero, exited.OwnerShares);
        Assert.Equal(T(25_000), exited.UnbondingStake);
        Assert.Equal(StakingReason.SequencerNotAcceptingStake, exited.TryDeposit(T(1), false, Max, 2, out _, out _));
    }

    [Fact]
    public void Distribution_is_commission_then_index_and_keeps_the_dust()
    {
        var pool = PoolWith(20_000, 30_000, 50_000);
        Assert.Equal(StakingReason.Ok, pool.TryDistribute(T(100), 1000, out pool, out var commission));
        Assert.Equal(T(10), commission);
        Assert.Equal(T(100), pool.RewardPool);
        Assert.Equal((UInt128)900_000_000_000_000UL, pool.RewardIndex); // 90 tokens / 100,000 shares, scaled 10^18
        var owner = StakePosition.Empty(0) with { Shares = T(20_000) };
        Assert.Equal(T(18), owner.PendingReward(pool.RewardIndex));

        var odd = PoolWith(20_000);
        Assert.Equal(StakingReason.Ok, odd.TryDeposit(7, false, Max, 0, out odd, out _)); // 20,000 tokens + 7 base units of shares
        Assert.Equal(StakingReason.Ok, odd.TryDistribute(1_000_001, 0, out odd, out _));
        var paid = StakeMath.MulDivFloor(odd.TotalShares, odd.RewardIndex, SequencerPool.IndexScale);
        Assert.True(paid <= odd.RewardPool);
        Assert.True(odd.RewardPool - paid > UInt128.Zero); // dust stays in the pool
    }

    [Fact]
    public void Reward_to_a_pool_without_shares_is_all_commission()
    {
        var pool = SequencerPool.Create("p", Owner, Key(1), 0);
        Assert.Equal(StakingReason.Ok, pool.TryDistribute(T(1), 1000, out pool, out var commission));
        Assert.Equal(T(1), commission);
        Assert.Equal(UInt128.Zero, pool.RewardIndex);
    }

    [Fact]
    public void Slash_rate_must_be_1_to_10000_bps_and_spares_claimable_buckets()
    {
        var pool = PoolWith(20_000, 10_000);
        Assert.Equal(StakingReason.InvalidSlashRate, pool.TrySlash(0, 0, out _, out _));
        Assert.Equal(StakingReason.InvalidSlashRate, pool.TrySlash(10_001, 0, out _, out _));
        Assert.Equal(StakingReason.Ok, pool.TryUnlock(T(10_000), T(4_000), false, 0, 2, out pool, out _, out _));
        Assert.Equal(StakingReason.Ok, pool.TryUnlock(T(6_000), T(6_000), false, 0, 4, out pool, out _, out _));
        Assert.Equal(StakingReason.Ok, pool.TrySlash(1000, 2, out pool, out var slashed)); // at epoch 2 the first bucket is claimable
        Assert.Equal(T(2_000) + T(600), slashed);
        Assert.Equal(T(4_000), pool.Unbonding[0].Stake);
        Assert.Equal(T(5_400), pool.Unbonding[1].Stake);
    }

    [Fact]
    public void Jail_release_and_tombstone()
    {
        var pool = PoolWith(20_000);
        var jailed = pool.Jail(12);
        Assert.Equal(SequencerStatus.Jailed, jailed.Status);
        Assert.False(jailed.IsEligibleAt(11));
        Assert.True(jailed.IsEligibleAt(12));
        Assert.Equal(12UL, jailed.Jail(5).JailedUntilEpoch); // never shortened
        Assert.Same(jailed, jailed.ReleaseAt(11, 2));
        Assert.Equal(SequencerStatus.Active, jailed.ReleaseAt(12, 2).Status);
        var late = SequencerPool.Create("q", Owner, Key(2), 5);
        Assert.Equal(SequencerStatus.Candidate, late.Jail(6).ReleaseAt(6, 2).Status); // registration stake not yet effective
        Assert.Equal(SequencerStatus.Active, late.Jail(6).ReleaseAt(7, 2).Status);
        Assert.Equal(SequencerStatus.Active, pool.ActivateAt(0, 2).Status);          // genesis registrations at once
        var dead = pool.Tombstone();
        Assert.Same(dead, dead.Jail(100));
        Assert.Same(dead, dead.ReleaseAt(1000, 2));
        Assert.False(dead.IsEligibleAt(1000));
    }
}
