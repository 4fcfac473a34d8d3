using ActorRollup.Core.Primitives;
using ActorRollup.Core.Scheduling;
using ActorRollup.Core.Staking;
using static ActorRollup.Core.Tests.Staking.StakingFixture;

namespace ActorRollup.Core.Tests.Staking;

public class StakingLedgerTests
{
    private static readonly StakingParameters HundredPerBlock = new() { RewardPerBlock = Token.FromTokens(100) };

    [Fact]
    public void Registration_takes_self_stake_from_min_to_max_lock_inclusive()
    {
        var ledger = Funded();
        Assert.Equal(StakingReason.BelowMinLock, ledger.RegisterSequencer(Owner, "a", Key(1), T(20_000) - 1, 0).Reason);
        Assert.Equal(StakingReason.AboveMaxLock, ledger.RegisterSequencer(Owner, "a", Key(1), T(100_000) + 1, 0).Reason);
        Assert.Equal(StakingReason.ZeroAmount, ledger.RegisterSequencer(Owner, "a", Key(1), 0, 0).Reason);

        var ok = ledger.RegisterSequencer(Owner, "a", Key(1), T(20_000), 0);
        Assert.Equal(StakingResult.Ok(T(20_000)), ok);
        Assert.Equal(StakingReason.Ok, ledger.RegisterSequencer(Alice, "b", Key(2), T(100_000), 0).Reason);
        Assert.Equal(T(180_000), ledger.BalanceOf(Owner));
        Assert.Equal(T(100_000), ledger.BalanceOf(Alice));
        var pool = ledger.Pool("a")!;
        Assert.Equal(SequencerStatus.Candidate, pool.Status);
        Assert.Equal(T(20_000), pool.TotalStake);
        Assert.Equal(T(20_000), pool.SelfStake);
        Assert.Equal(T(20_000), ledger.PositionValue(Owner, "a"));
        Assert.Equal(Key(1), pool.SignerPublicKey.ToArray());
        AssertSound(ledger);
    }

    [Fact]
    public void Registration_refusals_for_id_key_whitelist_and_balance()
    {
        var ledger = Funded(new StakingParameters { Whitelist = new HashSet<Address> { Owner, Alice, Carol } });
        Assert.Equal(StakingReason.Ok, ledger.RegisterSequencer(Owner, "a", Key(1), T(20_000), 0).Reason);
        Assert.Equal(StakingReason.AlreadyRegistered, ledger.RegisterSequencer(Alice, "a", Key(2), T(20_000), 0).Reason);
        // A taken id is refused as taken whatever else is wrong with the registration, as the sequencer grain refuses it.
        Assert.Equal(StakingReason.AlreadyRegistered, ledger.RegisterSequencer(Alice, "a", Key(2), T(1), 0).Reason);
        Assert.Equal(StakingReason.AlreadyRegistered, ledger.RegisterSequencer(Bob, "a", new byte[31], 0, 0).Reason);
        Assert.Equal(StakingReason.SignerKeyReused, ledger.RegisterSequencer(Alice, "b", Key(1), T(20_000), 0).Reason);
        Assert.Equal(StakingReason.NotWhitelisted, ledger.RegisterSequencer(Bob, "b", Key(2), T(20_000), 0).Reason);
        Assert.Equal(StakingReason.InvalidSignerKey, ledger.RegisterSequencer(Alice, "b", new byte[31], T(20_000), 0).Reason);
        Assert.Equal(StakingReason.InvalidSequencerId, ledger.RegisterSequencer(Alice, "", Key(2), T(20_000), 0).Reason);
        Assert.Equal(StakingReason.NotWhitelisted, ledger.RegisterSequencer(Reporter1, "b", Key(2), T(20_000), 0).Reason);
        Assert.Equal(StakingReason.Ok, ledger.RegisterSequencer(Alice, "b", Key(2), T(20_000), 0).Reason);

        // a key stays used after its sequencer has exited
        Assert.Equal(StakingReason.Ok, ledger.Unlock(Alice, "b", T(20_000), 1).Reason);
        Assert.Equal(SequencerStatus.Exiting, ledger.Pool("b")!.Status);
        Assert.Equal(StakingReason.SignerKeyReused, ledger.RegisterSequencer(Carol, "c", Key(2), T(20_000), 1).Reason);

        var open = Funded();
        Assert.Equal(StakingReason.InsufficientBalance, open.RegisterSequencer(Reporter1, "x", Key(9), T(20_000), 0).Reason);
    }

    [Fact]
    public void Delegation_is_capped_so_the_total_stays_within_max_lock()
    {
        var ledger = Funded();
        Assert.Equal(StakingReason.Ok, ledger.RegisterSequencer(Owner, "a", Key(1), T(20_000), 0).Reason);
        Assert.Equal(StakingReason.Ok, ledger.Delegate(Alice, "a", T(50_000), 0).Reason);
        Assert.Equal(StakingReason.AboveMaxLock, ledger.Delegate(Bob, "a", T(30_000) + 1, 0).Reason);
        Assert.Equal(StakingReason.Ok, ledger.Delegate(Bob, "a", T(30_000), 0).Reason);
        Assert.Equal(T(100_000), ledger.Pool("a")!.TotalStake);
        Assert.Equal(StakingReason.AboveMaxLock, ledger.Delegate(Carol, "a", 1, 0).Reason);
        Assert.Equal(StakingReason.AboveMaxLock, ledger.Delegate(Owner, "a", 1, 0).Reason);
        Assert.Equal(StakingReason.UnknownSequencer, ledger.Delegate(Carol, "zz", 1, 0).Reason);
        Assert.Equal(StakingReason.ZeroAmount, ledger.Delegate(Carol, "a", 0, 0).Reason);

        Assert.Equal(StakingReason.Ok, ledger.Unlock(Alice, "a", T(10_000), 1).Reason); // room again
        Assert.Equal(StakingReason.InsufficientBalance, ledger.Delegate(Reporter1, "a", T(1), 1).Reason);
        Assert.Equal(StakingReason.Ok, ledger.Delegate(Owner, "a", T(10_000), 1).Reason); // the owner adds self-stake
        Assert.Equal(T(30_000), ledger.Pool("a")!.SelfStake);
        AssertSound(ledger);
    }

    [Fact]
    public void Unlock_waits_out_the_exit_delay_then_pays_the_principal()
    {
        var ledger = ThreeStakers();
        Assert.Equal(StakingReason.Ok, ledger.Unlock(Alice, "seq-1", T(10_000), 5).Reason);
        Assert.Equal(T(170_000), ledger.BalanceOf(Alice));
        Assert.Equal(T(20_000), ledger.PositionValue(Alice, "seq-1"));
        var pending = Assert.Single(ledger.PendingUnlocks(Alice));
        Assert.Equal(new PendingUnlock("seq-1", T(10_000), T(10_000), 5, 7), pending);
        Assert.Equal(T(90_000), ledger.Pool("seq-1")!.TotalStake);
        AssertSound(ledger);

        Assert.Equal(StakingReason.ExitDelayNotPassed, ledger.ClaimUnlocked(Alice, 6).Reason); // made + 1
        Assert.Equal(StakingResult.Ok(T(10_000)), ledger.ClaimUnlocked(Alice, 7));             // made + 2
        Assert.Equal(T(180_000), ledger.BalanceOf(Alice));
        Assert.Empty(ledger.PendingUnlocks(Alice));
        Assert.Empty(ledger.Pool("seq-1")!.Unbonding);
        Assert.Equal(StakingReason.NothingToClaim, ledger.ClaimUnlocked(Alice, 8).Reason);
        Assert.Equal(StakingReason.NothingToClaim, ledger.ClaimUnlocked(Carol, 8).Reason);
        AssertSound(ledger);
    }

    [Fact]
    public void Unlock_refusals_and_the_owner_exit()
    {
        var ledger = ThreeStakers();
        Assert.Equal(StakingReason.UnlockExceedsLocked, ledger.Unlock(Alice, "seq-1", T(30_000) + 1, 1).Reason);
        Assert.Equal(StakingReason.UnlockExceedsLocked, ledger.Unlock(Carol, "seq-1", 1, 1).Reason);
        Assert.Equal(StakingReason.UnknownSequencer, ledger.Unlock(Alice, "nope", 1, 1).Reason);
        Assert.Equal(StakingReason.ZeroAmount, ledger.Unlock(Alice, "seq-1", 0, 1).Reason);
        Assert.Equal(StakingReason.SelfStakeBelowMinLock, ledger.Unlock(Owner, "seq-1", 1, 1).Reason);

        Assert.Equal(StakingReason.Ok, ledger.Unlock(Owner, "seq-1", T(20_000), 1).Reason);
        Assert.Equal(SequencerStatus.Exiting, ledger.Pool("seq-1")!.Status);
        Assert.Null(ledger.Position(Owner, "seq-1"));
        Assert.Equal(StakingReason.SequencerNotAcceptingStake, ledger.Delegate(Carol, "seq-1", T(1), 1).Reason);
        Assert.False(ledger.Standings(10).Single().Eligible);
        Assert.Equal(StakingReason.Ok, ledger.Unlock(Bob, "seq-1", T(50_000), 2).Reason); // delegators can still leave
        AssertSound(ledger);
    }

    [Fact]
    public void A_block_reward_splits_into_commission_and_pro_rata_shares_exactly()
    {
        var ledger = ThreeStakers(HundredPerBlock);
        Assert.Equal(StakingResult.Ok(T(100)), ledger.CreditBlockReward("seq-1", 0));
        Assert.Equal(T(10), ledger.Pool("seq-1")!.CommissionAccrued);
        Assert.Equal(T(18) + T(10), ledger.ClaimableRewards(Owner, "seq-1"));
        Assert.Equal(T(27), ledger.ClaimableRewards(Alice, "seq-1"));
        Assert.Equal(T(45), ledger.ClaimableRewards(Bob, "seq-1"));

        Assert.Equal(StakingResult.Ok(T(28)), ledger.ClaimRewards(Owner, "seq-1"));
        Assert.Equal(StakingResult.Ok(T(27)), ledger.ClaimRewards(Alice, "seq-1"));
        Assert.Equal(StakingResult.Ok(T(45)), ledger.ClaimRewards(Bob, "seq-1"));
        Assert.Equal(T(180_028), ledger.BalanceOf(Owner));
        Assert.Equal(T(170_027), ledger.BalanceOf(Alice));
        Assert.Equal(T(150_045), ledger.BalanceOf(Bob));
        Assert.Equal(UInt128.Zero, ledger.Pool("seq-1")!.RewardPool); // these figures divide exactly: no dust
        Assert.Equal(StakingReason.NothingToClaim, ledger.ClaimRewards(Alice, "seq-1").Reason);
        Assert.Equal(StakingReason.UnknownSequencer, ledger.ClaimRewards(Alice, "x").Reason);
        Assert.Equal(T(100), ledger.Minted);
        Assert.Equal(T(100), ledger.RewardsPaid);
        AssertSound(ledger);
    }

    [Fact]
    public void Fees_are_an_inflow_shared_like_the_minted_reward()
    {
        var ledger = ThreeStakers(new StakingParameters { RewardPerBlock = 0 });
        Assert.Equal(StakingResult.Ok(T(100)), ledger.CreditBlockReward("seq-1", T(100)));
        Assert.Equal(UInt128.Zero, ledger.Minted);
        Assert.Equal(T(100), ledger.FeesIn);
        Assert.Equal(T(27), ledger.ClaimableRewards(Alice, "seq-1"));
        var report = ledger.CheckConservation();
        Assert.True(report.Holds, report.ToString());
        Assert.Equal(T(800_100), report.TotalSupply);

        var defaults = ThreeStakers();
        Assert.Equal(StakingResult.Ok(761_000_000_000_000UL), defaults.CreditBlockReward("seq-1", 0));
        Assert.Equal((UInt128)761_000_000_000_000UL, defaults.Minted);
        Assert.Equal((UInt128)76_100_000_000_000UL, defaults.Pool("seq-1")!.CommissionAccrued);
        Assert.Equal((UInt128)205_470_000_000_000UL, defaults.ClaimableRewards(Alice, "seq-1")); // 0.9 × 0.000761 × 30%
    }

    [Fact]
    public void A_late_delegator_gets_nothing_of_earlier_rewards()
    {
        var ledger = Funded(HundredPerBlock);
        Assert.Equal(StakingReason.Ok, ledger.RegisterSequencer(Owner, "a", Key(1), T(20_000), 0).Reason);
        Assert.Equal(StakingReason.Ok, ledger.CreditBlockReward("a", 0).Reason);
        Assert.Equal(StakingReason.Ok, ledger.Delegate(Alice, "a", T(30_000), 0).Reason);
        Assert.Equal(UInt128.Zero, ledger.ClaimableRewards(Alice, "a"));
        Assert.Equal(StakingReason.Ok, ledger.CreditBlockReward("a", 0).Reason);
        Assert.Equal(T(54), ledger.ClaimableRewards(Alice, "a"));                      // 90 × 30/50
        Assert.Equal(T(100) + T(36) + T(10), ledger.ClaimableRewards(Owner, "a"));   // 90 + 10, then 36 + 10

        // rewards already earned survive a full unlock, and stop accruing after it
        Assert.Equal(StakingReason.Ok, ledger.Unlock(Alice, "a", T(30_000), 1).Reason);
        Assert.Equal(StakingReason.Ok, ledger.CreditBlockReward("a", 0).Reason);
        Assert.Equal(T(54), ledger.ClaimableRewards(Alice, "a"));
        Assert.Equal(StakingResult.Ok(T(54)), ledger.ClaimRewards(Alice, "a"));
        Assert.Null(ledger.Position(Alice, "a"));
        AssertSound(ledger);
    }

    [Fact]
    public void Slashing_cuts_every_position_by_the_same_fraction_and_pays_reporters_half()
    {
        var ledger = ThreeStakers();
        var result = ledger.Slash("seq-1", SlashKind.InvalidStateRoot, [Reporter1, Reporter2], 3);
        Assert.Equal(new SlashResult(StakingReason.Ok, T(10_000), T(5_000), T(2_500), 2, T(5_000), SequencerStatus.Jailed, 14), result);
        Assert.Equal(T(18_000), ledger.PositionValue(Owner, "seq-1"));
        Assert.Equal(T(27_000), ledger.PositionValue(Alice, "seq-1"));
        Assert.Equal(T(45_000), ledger.PositionValue(Bob, "seq-1"));
        Assert.Equal(T(2_500), ledger.BalanceOf(Reporter1));
        Assert.Equal(T(2_500), ledger.BalanceOf(Reporter2));
        Assert.Equal(T(5_000), ledger.Burned);
        Assert.Equal(T(800_000) - T(5_000), ledger.TotalSupply());
        AssertSound(ledger);
    }

    [Fact]
    public void The_split_remainder_is_burned_and_reporters_are_distinct_and_not_the_owner()
    {
        var ledger = ThreeStakers();
        var r = ledger.Slash("seq-1", SlashKind.InvalidStateRoot, [Reporter1, Reporter2, Reporter3, Reporter1, Owner], 3);
        var each = T(5_000) / 3;
        Assert.Equal(each, r.PerReporter);
        Assert.Equal(3, r.ReportersPaid);
        Assert.Equal(T(10_000) - 3 * each, r.Burned);
        Assert.Equal((UInt128)2, T(5_000) - 3 * each); // two base units of dust burned
        Assert.Equal(each, ledger.BalanceOf(Reporter1));
        Assert.Equal(T(180_000), ledger.BalanceOf(Owner));
        AssertSound(ledger);

        var unreported = ThreeStakers();
        var u = unreported.Slash("seq-1", SlashKind.Downtime, [], 3);
        Assert.Equal(T(10), u.Slashed);   // 0.01% of 100,000
        Assert.Equal(T(10), u.Burned);
        Assert.Equal(6UL, u.JailedUntilEpoch); // offence epoch 3 + 1 + 2 jail epochs: off the committees of 4 and 5
        AssertSound(unreported);
    }

    [Fact]
    public void Jail_holds_until_its_epoch_then_releases()
    {
        var ledger = ThreeStakers();
        Assert.Empty(ledger.ReleaseJailed(0));
        Assert.Equal(["seq-1"], ledger.ActivateCandidates(2));
        Assert.Equal(SequencerStatus.Active, ledger.Pool("seq-1")!.Status);
        Assert.True(ledger.Slash("seq-1", SlashKind.InvalidStateRoot, [Reporter1], 3).IsOk);
        Assert.Equal(SequencerStatus.Jailed, ledger.Pool("seq-1")!.Status);
        // jailed 10 epochs for an offence in epoch 3: off the ten committees of epochs 4..13, eligible from 14
        Assert.False(ledger.Standings(4).Single().Eligible);
        Assert.False(ledger.Standings(13).Single().Eligible);
        Assert.True(ledger.Standings(14).Single().Eligible);
        Assert.Equal(StakingReason.SequencerNotAcceptingStake, ledger.Delegate(Carol, "seq-1", T(1), 13).Reason);
        Assert.Empty(ledger.ReleaseJailed(13));
        Assert.Equal(["seq-1"], ledger.ReleaseJailed(14));
        Assert.Equal(SequencerStatus.Active, ledger.Pool("seq-1")!.Status);

        // a second offence while jailed extends the jail, never shortens it
        Assert.True(ledger.Slash("seq-1", SlashKind.InvalidStateRoot, [], 15).IsOk);
        Assert.True(ledger.Slash("seq-1", SlashKind.Downtime, [], 16).IsOk);
        Assert.Equal(26UL, ledger.Pool("seq-1")!.JailedUntilEpoch);
        AssertSound(ledger);
    }

    [Fact]
    public void Equivocation_tombstones_for_good_but_delegators_can_leave()
    {
        var ledger = ThreeStakers();
        var r = ledger.Slash("seq-1", SlashKind.Equivocation, [Reporter1], 3);
        Assert.Equal(T(5_000), r.Slashed);
        Assert.Equal(T(2_500), r.ToReporters);
        Assert.Equal(SequencerStatus.Tombstoned, r.StatusAfter);
        Assert.Empty(ledger.ReleaseJailed(1_000));
        Assert.Equal(SequencerStatus.Tombstoned, ledger.Pool("seq-1")!.Status);
        Assert.False(ledger.Standings(2_000).Single().Eligible);
        Assert.Equal(StakingReason.AlreadyTombstoned, ledger.Slash("seq-1", SlashKind.InvalidStateRoot, [Reporter1], 2_000).Reason);
        Assert.Equal(StakingReason.SequencerNotAcceptingStake, ledger.Delegate(Carol, "seq-1", T(1), 2_000).Reason);
        Assert.Equal(StakingReason.Ok, ledger.Unlock(Alice, "seq-1", T(28_500), 2_000).Reason);
        Assert.Equal(StakingReason.Ok, ledger.Unlock(Owner, "seq-1", T(19_000), 2_000).Reason);
        Assert.Equal(SequencerStatus.Tombstoned, ledger.Pool("seq-1")!.Status);
        Assert.Equal(StakingResult.Ok(T(28_500)), ledger.ClaimUnlocked(Alice, 2_002));
        AssertSound(ledger);
    }

    [Fact]
    public void Unlocked_stake_stays_slashable_until_it_is_claimable()
    {
        var ledger = ThreeStakers();
        Assert.Equal(StakingReason.Ok, ledger.Unlock(Bob, "seq-1", T(10_000), 1).Reason);   // claimable from 3
        Assert.Equal(StakingReason.Ok, ledger.Unlock(Alice, "seq-1", T(10_000), 2).Reason); // claimable from 4
        var r = ledger.Slash("seq-1", SlashKind.InvalidStateRoot, [], 3);
        Assert.Equal(T(8_000) + T(1_000), r.Slashed); // 10% of 80k bonded + Alice's bucket; Bob's is claimable at 3
        Assert.Equal(StakingResult.Ok(T(10_000)), ledger.ClaimUnlocked(Bob, 3));
        Assert.Equal(StakingReason.ExitDelayNotPassed, ledger.ClaimUnlocked(Alice, 3).Reason);
        Assert.Equal(StakingResult.Ok(T(9_000)), ledger.ClaimUnlocked(Alice, 4));
        Assert.Empty(ledger.PendingUnlocks(Alice));
        Assert.Empty(ledger.PendingUnlocks(Bob));
        Assert.Empty(ledger.Pool("seq-1")!.Unbonding);
        AssertSound(ledger);
    }

    [Fact]
    public void A_stake_change_counts_for_the_committee_two_epochs_later()
    {
        var ledger = Funded();
        Assert.Equal(StakingReason.Ok, ledger.RegisterSequencer(Owner, "a", Key(1), T(20_000), 0).Reason); // genesis
        Assert.Equal(StakingReason.Ok, ledger.RegisterSequencer(Carol, "b", Key(2), T(40_000), 1).Reason);
        // the genesis snapshot (end of epoch 0) serves the first two epochs; b's registration in epoch 1 counts from 3
        Assert.Equal([new SequencerStanding("a", T(20_000), true), new SequencerStanding("b", 0, false)], ledger.Standings(0));
        Assert.Equal([new SequencerStanding("a", T(20_000), true), new SequencerStanding("b", 0, false)], ledger.Standings(2));
        Assert.Equal([new SequencerStanding("a", T(20_000), true), new SequencerStanding("b", T(40_000), true)], ledger.Standings(3));
        Assert.Equal(["a"], ledger.ActivateCandidates(2));
        Assert.Equal(["b"], ledger.ActivateCandidates(3));

        Assert.Equal(StakingReason.Ok, ledger.Delegate(Alice, "a", T(30_000), 5).Reason);
        Assert.Equal(StakingReason.Ok, ledger.Delegate(Bob, "a", T(10_000), 5).Reason);
        Assert.Equal(T(20_000), ledger.Standings(6)[0].Stake);
        Assert.Equal(T(60_000), ledger.Standings(7)[0].Stake);
        Assert.Equal(StakingReason.Ok, ledger.Unlock(Alice, "a", T(30_000), 8).Reason);
        Assert.Equal(T(60_000), ledger.Standings(9)[0].Stake);
        Assert.Equal(T(30_000), ledger.Standings(10)[0].Stake);

        ledger.PruneHistory(9);
        Assert.Equal(T(60_000), ledger.Standings(9)[0].Stake);
        Assert.Equal(2, ledger.History("a")!.Checkpoints.Count);
        AssertSound(ledger);
    }

    [Fact]
    public void Standings_feed_committee_selection()
    {
        var ledger = Funded();
        Assert.True(ledger.RegisterSequencer(Owner, "a", Key(1), T(20_000), 0).IsOk);
        Assert.True(ledger.RegisterSequencer(Alice, "b", Key(2), T(50_000), 0).IsOk);
        Assert.True(ledger.RegisterSequencer(Bob, "c", Key(3), T(30_000), 0).IsOk);
        Assert.True(ledger.Slash("b", SlashKind.Downtime, [], 0).IsOk); // jailed 2 epochs: off the committees of epochs 1 and 2
        var committee = CommitteeSelector.Select(ledger.Standings(1), 2);
        Assert.Equal(["a", "c"], committee.Select(m => m.Id));
        Assert.Equal([20_000L, 30_000L], committee.Select(m => m.Power));
        Assert.Equal(["a", "c"], CommitteeSelector.Select(ledger.Standings(2), 2).Select(m => m.Id));
        Assert.Equal(["b", "c"], CommitteeSelector.Select(ledger.Standings(3), 2).Select(m => m.Id));
    }

    [Fact]
    public void Time_never_goes_backwards_and_genesis_closes()
    {
        var ledger = ThreeStakers();
        Assert.False(ledger.GenesisOpen);
        Assert.Equal(StakingReason.GenesisClosed, ledger.Fund(Carol, 1).Reason);
        Assert.Equal(StakingReason.ZeroAmount, ledger.Delegate(Carol, "seq-1", 0, 5).Reason);
        Assert.Equal(0UL, ledger.CurrentEpoch); // a refusal does not move time either
        Assert.Equal(StakingReason.Ok, ledger.Unlock(Alice, "seq-1", T(1), 5).Reason);
        Assert.Equal(StakingReason.EpochRegressed, ledger.Unlock(Alice, "seq-1", T(1), 4).Reason);
        Assert.Equal(StakingReason.EpochRegressed, ledger.Delegate(Carol, "seq-1", T(1), 4).Reason);
        Assert.Equal(StakingReason.EpochRegressed, ledger.ClaimUnlocked(Alice, 4).Reason);
        Assert.Equal(StakingReason.EpochRegressed, ledger.Slash("seq-1", SlashKind.Downtime, [], 4).Reason);
        Assert.Equal(StakingReason.EpochRegressed, ledger.RegisterSequencer(Carol, "c", Key(3), T(20_000), 4).Reason);
        Assert.Equal(5UL, ledger.CurrentEpoch);
    }

    [Fact]
    public void Every_refusal_leaves_the_ledger_exactly_as_it_was()
    {
        var ledger = ThreeStakers(HundredPerBlock with { Whitelist = new HashSet<Address> { Owner, Carol, Reporter1 } });
        Assert.True(ledger.CreditBlockReward("seq-1", 12_345).IsOk);
        Assert.True(ledger.Unlock(Bob, "seq-1", T(1_000), 2).IsOk);
        Assert.True(ledger.Slash("seq-1", SlashKind.Downtime, [Reporter1], 2).IsOk); // jailed until 2 + 1 + 2
        Assert.True(ledger.ReleaseJailed(5).Count == 1);
        Assert.True(ledger.Unlock(Alice, "seq-1", T(1_000), 5).IsOk);
        AssertSound(ledger);

        var refusals = new (StakingReason Expected, Func<StakingReason> Op)[]
        {
            (StakingReason.GenesisClosed, () => ledger.Fund(Carol, T(1)).Reason),
            (StakingReason.EpochRegressed, () => ledger.Delegate(Carol, "seq-1", T(1), 4).Reason),
            (StakingReason.NotWhitelisted, () => ledger.RegisterSequencer(Bob, "b", Key(2), T(20_000), 6).Reason),
            (StakingReason.AlreadyRegistered, () => ledger.RegisterSequencer(Carol, "seq-1", Key(2), T(20_000), 6).Reason),
            (StakingReason.SignerKeyReused, () => ledger.RegisterSequencer(Carol, "c", Key(1), T(20_000), 6).Reason),
            (StakingReason.BelowMinLock, () => ledger.RegisterSequencer(Carol, "c", Key(2), T(20_000) - 1, 6).Reason),
            (StakingReason.AboveMaxLock, () => ledger.RegisterSequencer(Carol, "c", Key(2), T(100_000) + 1, 6).Reason),
            (StakingReason.InsufficientBalance, () => ledger.RegisterSequencer(Reporter1, "c", Key(2), T(20_000), 6).Reason),
            (StakingReason.InvalidSignerKey, () => ledger.RegisterSequencer(Carol, "c", new byte[33], T(20_000), 6).Reason),
            (StakingReason.InvalidSequencerId, () => ledger.RegisterSequencer(Carol, "", Key(2), T(20_000), 6).Reason),
            (StakingReason.ZeroAmount, () => ledger.Delegate(Carol, "seq-1", 0, 6).Reason),
            (StakingReason.UnknownSequencer, () => ledger.Delegate(Carol, "nope", T(1), 6).Reason),
            (StakingReason.AboveMaxLock, () => ledger.Delegate(Carol, "seq-1", T(3_000), 6).Reason),
            (StakingReason.InsufficientBalance, () => ledger.Delegate(Reporter2, "seq-1", T(1), 6).Reason),
            (StakingReason.UnlockExceedsLocked, () => ledger.Unlock(Bob, "seq-1", T(50_000), 6).Reason),
            (StakingReason.UnlockExceedsLocked, () => ledger.Unlock(Carol, "seq-1", T(1), 6).Reason),
            (StakingReason.SelfStakeBelowMinLock, () => ledger.Unlock(Owner, "seq-1", T(1), 6).Reason),
            (StakingReason.ExitDelayNotPassed, () => ledger.ClaimUnlocked(Alice, 6).Reason),
            (StakingReason.NothingToClaim, () => ledger.ClaimUnlocked(Carol, 6).Reason),
            (StakingReason.NothingToClaim, () => ledger.ClaimRewards(Carol, "seq-1").Reason),
            (StakingReason.UnknownSequencer, () => ledger.ClaimRewards(Carol, "nope").Reason),
            (StakingReason.UnknownSequencer, () => ledger.CreditBlockReward("nope", 1).Reason),
            (StakingReason.UnknownSequencer, () => ledger.Slash("nope", SlashKind.Downtime, [], 6).Reason),
            (StakingReason.EpochRegressed, () => ledger.Slash("seq-1", SlashKind.Downtime, [Reporter1], 4).Reason),
        };
        foreach (var (expected, op) in refusals)
        {
            var before = ledger.Dump();
            Assert.Equal(expected, op());
            Assert.Equal(before, ledger.Dump());
        }
        Assert.Equal(5UL, ledger.CurrentEpoch); // refusals made at epoch 6 did not move time

        Assert.Equal(StakingReason.Ok, ledger.Slash("seq-1", SlashKind.Equivocation, [], 5).Reason);
        var tombstoned = ledger.Dump();
        Assert.Equal(StakingReason.AlreadyTombstoned, ledger.Slash("seq-1", SlashKind.Downtime, [Reporter1], 5).Reason);
        Assert.Equal(StakingReason.SequencerNotAcceptingStake, ledger.Delegate(Carol, "seq-1", T(1), 5).Reason);
        Assert.Equal(tombstoned, ledger.Dump());
        AssertSound(ledger);
    }

    [Fact]
    public void An_overflowing_credit_is_refused_and_changes_nothing()
    {
        var ledger = ThreeStakers();
        var before = ledger.Dump();
        Assert.Equal(StakingReason.Overflow, ledger.CreditBlockReward("seq-1", UInt128.MaxValue).Reason);
        Assert.Equal(before, ledger.Dump());
        AssertSound(ledger);
    }
}
