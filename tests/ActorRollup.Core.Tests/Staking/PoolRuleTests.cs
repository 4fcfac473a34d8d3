using ActorRollup.Core.Primitives;
using ActorRollup.Core.Staking;
using static ActorRollup.Core.Tests.Staking.StakingFixture;

namespace ActorRollup.Core.Tests.Staking;

/// <summary>
/// The pool-side staking rules the ledger and the grains both call: registration, an unlock as asked for in an
/// epoch, a reward claim, an unbonding claim and what it pays.
/// </summary>
public class PoolRuleTests
{
    private static readonly StakingParameters Whitelisted = new() { Whitelist = new HashSet<Address> { Owner, Alice } };

    [Theory]
    [InlineData("p", 1, 32, 20_000UL, StakingReason.Ok)]
    [InlineData("p", 1, 32, 100_000UL, StakingReason.Ok)]
    [InlineData("", 1, 32, 20_000UL, StakingReason.InvalidSequencerId)]
    [InlineData("p", 1, 31, 20_000UL, StakingReason.InvalidSignerKey)]
    [InlineData("p", 1, 33, 0UL, StakingReason.InvalidSignerKey)]     // the key before the amount
    [InlineData("p", 3, 32, 20_000UL, StakingReason.NotWhitelisted)]  // Bob
    [InlineData("p", 3, 32, 0UL, StakingReason.NotWhitelisted)]       // the whitelist before the amount
    [InlineData("p", 1, 32, 0UL, StakingReason.ZeroAmount)]
    [InlineData("p", 1, 32, 19_999UL, StakingReason.BelowMinLock)]
    [InlineData("p", 1, 32, 100_001UL, StakingReason.AboveMaxLock)]
    public void TryRegister_checks_id_key_whitelist_and_lock_bounds_in_order(string id, int owner, int keyLength, ulong tokens, StakingReason expected)
    {
        var key = new byte[keyLength];
        key[0] = 7;
        var reason = SequencerPool.TryRegister(id, Addr(owner), key, T(tokens), Whitelisted, 4, out var pool, out var shares);
        Assert.Equal(expected, reason);
        if (expected != StakingReason.Ok)
        {
            Assert.Null(pool);
            Assert.Equal(UInt128.Zero, shares);
            return;
        }
        Assert.NotNull(pool);
        Assert.Equal(SequencerStatus.Candidate, pool.Status);
        Assert.Equal(4UL, pool.RegisteredEpoch);
        Assert.Equal(T(tokens), pool.TotalStake);
        Assert.Equal(T(tokens), pool.OwnerShares);
        Assert.Equal(T(tokens), shares);
        Assert.Equal(T(tokens), pool.SelfStake);
    }

    private static SequencerPool Pool(out UInt128 aliceShares)
    {
        var p = new StakingParameters();
        Assert.Equal(StakingReason.Ok, SequencerPool.TryRegister("p", Owner, Key(1), T(20_000), p, 0, out var pool, out _));
        Assert.Equal(StakingReason.Ok, pool!.TryDeposit(T(30_000), false, p.MaxLock, 0, out var next, out aliceShares));
        return next;
    }

    [Theory]
    [InlineData(false, 1.0, 1_000UL, 5UL, StakingReason.Ok, 7UL)]
    [InlineData(false, 2.0, 1_000UL, 5UL, StakingReason.UnlockExceedsLocked, 0UL)]  // more shares than the pool
    [InlineData(true, 0.5, 1_000UL, 5UL, StakingReason.UnlockExceedsLocked, 0UL)]   // an owner position that is not the owner's shares
    [InlineData(false, 1.0, 0UL, 5UL, StakingReason.ZeroAmount, 0UL)]
    [InlineData(false, 1.0, 30_001UL, 5UL, StakingReason.UnlockExceedsLocked, 0UL)]
    [InlineData(false, 1.0, 1_000UL, ulong.MaxValue - 1, StakingReason.Overflow, 0UL)] // claimable-from past 64 bits
    public void TryUnlockAt_matches_the_position_and_sets_the_exit_delay(bool byOwner, double positionScale, ulong tokens, ulong epoch,
        StakingReason expected, ulong claimableFrom)
    {
        var pool = Pool(out var aliceShares);
        var owner = byOwner ? pool.OwnerShares : aliceShares;
        var position = positionScale switch { 2.0 => pool.TotalShares + 1, 0.5 => owner / 2, _ => owner };
        var reason = pool.TryUnlockAt(position, T(tokens), byOwner, new StakingParameters(), epoch, out var next, out var burned, out var bucketShares, out var from);
        Assert.Equal(expected, reason);
        Assert.Equal(claimableFrom, from);
        if (expected != StakingReason.Ok)
        {
            Assert.Same(pool, next);
            Assert.Equal((UInt128.Zero, UInt128.Zero), (burned, bucketShares));
            return;
        }
        Assert.Equal(T(49_000), next.TotalStake);
        Assert.Equal(T(1_000), next.Unbonding.Single(b => b.ClaimableFromEpoch == from).Stake);
    }

    [Theory]
    [InlineData(0UL, true)]
    [InlineData(5UL, true)]
    [InlineData(ulong.MaxValue - 2, true)]
    [InlineData(ulong.MaxValue - 1, false)]
    public void ClaimableFrom_is_the_epoch_plus_the_exit_delay(ulong epoch, bool fits)
    {
        Assert.Equal(fits, new StakingParameters().TryClaimableFrom(epoch, out var from));
        Assert.Equal(fits ? epoch + 2 : 0, from);
    }

    [Theory]
    [InlineData(1, true, StakingReason.Ok)]          // the owner: its reward and the commission
    [InlineData(2, true, StakingReason.Ok)]          // a delegator: its reward only
    [InlineData(3, false, StakingReason.NothingToClaim)] // no position, not the owner
    [InlineData(1, false, StakingReason.Ok)]         // the owner without a position still has the commission
    public void TryClaimRewards_pays_pending_reward_and_the_owners_commission(int staker, bool withPosition, StakingReason expected)
    {
        var pool = Pool(out var aliceShares);
        Assert.Equal(StakingReason.Ok, pool.TryDistribute(T(100), 1_000, out pool, out var commission));
        var shares = staker == 1 ? pool.OwnerShares : aliceShares;
        StakePosition? position = withPosition ? StakePosition.Empty(0).AddShares(shares, 0) : null;
        var address = Addr(staker);
        var claimable = pool.ClaimableBy(address, position);

        var reason = pool.TryClaimRewards(address, position, out var next, out var claimed, out var paid);

        Assert.Equal(expected, reason);
        if (expected != StakingReason.Ok)
        {
            Assert.Same(pool, next);
            Assert.Equal(UInt128.Zero, paid);
            return;
        }
        Assert.Equal(claimable, paid);
        var reward = position?.PendingReward(pool.RewardIndex) ?? 0;
        Assert.Equal(reward + (staker == 1 ? commission : 0), paid);
        Assert.Equal(pool.RewardPool - paid, next.RewardPool);
        Assert.Equal(staker == 1 ? UInt128.Zero : commission, next.CommissionAccrued);
        if (position is null) Assert.Null(claimed);
        else Assert.Equal(new StakePosition(position.Shares, pool.RewardIndex, 0), claimed);
        Assert.Equal(UInt128.Zero, next.ClaimableBy(address, claimed));
    }

    [Fact]
    public void TryClaimRewards_refuses_a_position_that_does_not_match_the_pool()
    {
        var pool = Pool(out _);
        Assert.Equal(StakingReason.Ok, pool.TryDistribute(T(100), 1_000, out pool, out _));
        foreach (var forged in new[] { new StakePosition(pool.TotalShares + 1, 0, 0), new StakePosition(1, pool.RewardIndex + 1, 0) })
        {
            Assert.Equal(StakingReason.NothingToClaim, pool.TryClaimRewards(Alice, forged, out var next, out _, out var paid));
            Assert.Same(pool, next);
            Assert.Equal(UInt128.Zero, paid);
        }
    }

    [Theory]
    [InlineData(4UL, 0, StakingReason.ExitDelayNotPassed)]
    [InlineData(5UL, 0, StakingReason.Ok)]
    [InlineData(9UL, 1, StakingReason.Ok)]
    [InlineData(5UL, 2, StakingReason.NothingToClaim)] // more shares than the bucket
    [InlineData(7UL, 3, StakingReason.NothingToClaim)] // no bucket claimable from that epoch
    public void TryClaimUnbonding_waits_for_the_exit_delay_and_pays_the_slashed_value(ulong epoch, int ask, StakingReason expected)
    {
        var pool = Pool(out var aliceShares);
        var p = new StakingParameters();
        Assert.Equal(StakingReason.Ok, pool.TryUnlockAt(aliceShares, T(10_000), false, p, 3, out pool, out _, out var bucketShares, out var from));
        Assert.Equal(StakingReason.Ok, pool.TrySlash(1_000, 3, out pool, out _)); // the pending unlock loses 10%
        var (at, shares) = ask switch
        {
            1 => (from, bucketShares / 2),
            2 => (from, bucketShares + 1),
            3 => (from + 1, bucketShares),
            _ => (from, bucketShares),
        };
        var reason = pool.TryClaimUnbonding(at, shares, epoch, out var next, out var amount);
        Assert.Equal(expected, reason);
        if (expected != StakingReason.Ok)
        {
            Assert.Same(pool, next);
            Assert.Equal(UInt128.Zero, amount);
            Assert.Equal(ask is 2 or 3 ? false : true, pool.TryGetUnbondingPayout(at, shares, out _));
            return;
        }
        Assert.True(pool.TryGetUnbondingPayout(at, shares, out var payout));
        Assert.Equal(payout, amount);
        Assert.Equal(ask == 1 ? T(4_500) : T(9_000), amount);
        Assert.Equal(pool.UnbondingStake - amount, next.UnbondingStake);
    }

    [Theory]
    [InlineData(10UL, 10UL, 10UL, 10UL)]  // everything: all that is left
    [InlineData(10UL, 3UL, 10UL, 3UL)]
    [InlineData(7UL, 3UL, 10UL, 2UL)]     // floor(3 × 7 / 10)
    [InlineData(7UL, 10UL, 10UL, 7UL)]    // the last holder gets the rest
    [InlineData(0UL, 4UL, 4UL, 0UL)]
    public void Bucket_payout_is_the_share_value_and_the_last_holder_gets_the_rest(ulong stake, ulong shares, ulong total, ulong payout)
    {
        var bucket = new UnbondingBucket(5, stake, total);
        Assert.Equal((UInt128)payout, bucket.PayoutOf(shares));
        bucket.Withdraw(shares, out var amount);
        Assert.Equal((UInt128)payout, amount);
        Assert.Throws<ArgumentException>(() => bucket.PayoutOf(total + 1));
    }
}

/// <summary>The pending-unlock bookkeeping the ledger and the Staker grain share.</summary>
public class PendingUnlockTests
{
    [Theory]
    [InlineData("a@5", "a@5", "a@5:30/3")]               // same pool, same claimable epoch: merged
    [InlineData("a@5", "a@6", "a@5:10/1 a@6:20/2")]      // a later bucket: appended
    [InlineData("a@5", "b@5", "a@5:10/1 b@5:20/2")]      // another pool: appended
    [InlineData("a@5 b@5", "a@5", "a@5:30/3 b@5:10/1")]  // merged in place, order kept
    [InlineData("", "a@5", "a@5:20/2")]
    public void Record_merges_an_unlock_into_the_same_bucket_and_appends_otherwise(string before, string added, string after)
    {
        static PendingUnlock Parse(string s, ulong amount, ulong shares)
        {
            var at = s.IndexOf('@');
            var from = ulong.Parse(s[(at + 1)..]);
            return new PendingUnlock(s[..at], amount, shares, from - 2, from);
        }
        var list = before.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(s => Parse(s, 10, 1)).ToList();
        var snapshot = list.ToList();
        var result = PendingUnlock.Record(list, Parse(added, 20, 2));
        Assert.Equal(after, string.Join(' ', result.Select(u => $"{u.SequencerId}@{u.ClaimableFromEpoch}:{u.Amount}/{u.BucketShares}")));
        Assert.Equal(snapshot, list); // the input is not changed
        Assert.All(result, u => Assert.Equal(u.ClaimableFromEpoch - 2, u.UnlockedAtEpoch));
    }

    [Fact]
    public void Record_overflow_throws()
    {
        var full = new PendingUnlock("a", UInt128.MaxValue, 1, 0, 2);
        Assert.Throws<OverflowException>(() => PendingUnlock.Record([full], full with { Amount = 1 }));
    }

    [Theory]
    [InlineData(4UL, false)]
    [InlineData(5UL, true)]
    [InlineData(6UL, true)]
    public void Claimable_from_its_epoch_on(ulong epoch, bool claimable) =>
        Assert.Equal(claimable, new PendingUnlock("a", 1, 1, 3, 5).IsClaimableAt(epoch));
}
