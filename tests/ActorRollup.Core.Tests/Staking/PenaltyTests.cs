using ActorRollup.Core.Primitives;
using ActorRollup.Core.Staking;
using static ActorRollup.Core.Tests.Staking.StakingFixture;

namespace ActorRollup.Core.Tests.Staking;

/// <summary>The jail length and the slash split, the rules the ledger and the Sequencer grain share.</summary>
public class PenaltyTests
{
    [Theory]
    [InlineData(0UL, 0UL, 1UL)]     // no jail: eligible again for the very next committee
    [InlineData(0UL, 2UL, 3UL)]     // off the committees of epochs 1 and 2
    [InlineData(3UL, 10UL, 14UL)]   // off epochs 4..13
    [InlineData(41UL, 2UL, 44UL)]
    public void A_jail_of_n_epochs_keeps_the_offender_off_the_next_n_committees(ulong offence, ulong jailEpochs, ulong until)
    {
        Assert.Equal(until, Penalty.JailedUntil(offence, jailEpochs));
        for (ulong e = offence + 1; e < offence + 1 + jailEpochs; e++)
            Assert.False(Eligibility.IsEligibleAt(SequencerStatus.Jailed, until, e));
        Assert.True(Eligibility.IsEligibleAt(SequencerStatus.Jailed, until, offence + 1 + jailEpochs));
    }

    [Fact]
    public void A_jail_past_the_last_epoch_overflows() =>
        Assert.Throws<OverflowException>(() => Penalty.JailedUntil(ulong.MaxValue - 2, 2));

    /// <summary>Reporters as address indexes ("" = none; 1 = Owner), the slash in base units, the share, and the split.</summary>
    [Theory]
    [InlineData("10,11", 10_000UL, 5_000U, "10,11", 2_500UL, 5_000UL, 5_000UL)]
    [InlineData("10,11,12,10,1", 10_000UL, 5_000U, "10,11,12", 1_666UL, 4_998UL, 5_002UL)] // distinct, owner dropped, dust burned
    [InlineData("", 10UL, 5_000U, "", 0UL, 0UL, 10UL)]                                    // no reporter: all burned
    [InlineData("1,1", 10UL, 5_000U, "", 0UL, 0UL, 10UL)]                                 // only the owner: all burned
    [InlineData("10,11,12", 5UL, 5_000U, "", 0UL, 0UL, 5UL)]                              // a share of 0 each: nobody rewarded
    [InlineData("12,10", 999UL, 10_000U, "12,10", 499UL, 998UL, 1UL)]                     // order kept; 100% share
    [InlineData("10", 999UL, 0U, "", 0UL, 0UL, 999UL)]                                    // 0% share
    public void The_split_is_equal_per_distinct_reporter_without_the_owner_and_the_rest_burned(
        string reporters, ulong slashed, uint shareBps, string rewarded, ulong each, ulong toReporters, ulong burned)
    {
        static Address[] Parse(string s) => s.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(i => Addr(int.Parse(i))).ToArray();
        var split = Penalty.Split(slashed, Parse(reporters), Owner, shareBps);
        Assert.Equal(Parse(rewarded), split.Rewarded);
        Assert.Equal((UInt128)each, split.PerReporter);
        Assert.Equal((UInt128)toReporters, split.ToReporters);
        Assert.Equal((UInt128)burned, split.Burned);
        Assert.Equal((UInt128)slashed, split.ToReporters + split.Burned);
    }

    [Fact]
    public void A_share_above_100_percent_throws() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => Penalty.Split(1, [Reporter1], Owner, 10_001));

    public static TheoryData<SlashKind, SequencerStatus, StakingReason, SequencerStatus, ulong> Offences => new()
    {
        // kind, status before, reason, status after, jailed until (offence in epoch 3; defaults: root 10, downtime 2)
        { SlashKind.InvalidStateRoot, SequencerStatus.Active, StakingReason.Ok, SequencerStatus.Jailed, 14 },
        { SlashKind.Downtime, SequencerStatus.Active, StakingReason.Ok, SequencerStatus.Jailed, 6 },
        { SlashKind.Downtime, SequencerStatus.Candidate, StakingReason.Ok, SequencerStatus.Jailed, 6 },
        { SlashKind.Equivocation, SequencerStatus.Active, StakingReason.Ok, SequencerStatus.Tombstoned, 0 },
        { SlashKind.InvalidStateRoot, SequencerStatus.Exiting, StakingReason.Ok, SequencerStatus.Exiting, 0 },
        { SlashKind.Downtime, SequencerStatus.Tombstoned, StakingReason.AlreadyTombstoned, SequencerStatus.Tombstoned, 0 },
    };

    [Theory]
    [MemberData(nameof(Offences))]
    public void TryPenalize_slashes_splits_and_jails_or_tombstones(
        SlashKind kind, SequencerStatus before, StakingReason reason, SequencerStatus after, ulong until)
    {
        var parameters = new StakingParameters();
        var pool = SequencerPool.Create("p", Owner, Key(1), 0);
        Assert.Equal(StakingReason.Ok, pool.TryDeposit(T(100_000), true, parameters.MaxLock, 0, out pool, out _));
        pool = pool with { Status = before };

        var result = pool.TryPenalize(kind, parameters, [Reporter1, Reporter2, Owner], 3, out var next, out var split);

        Assert.Equal(reason, result.Reason);
        Assert.Equal(after, next.Status);
        Assert.Equal(until, result.JailedUntilEpoch);
        if (reason != StakingReason.Ok)
        {
            Assert.Same(pool, next);
            Assert.Empty(split.Rewarded);
            return;
        }
        var (bps, _, _) = parameters.PenaltyFor(kind);
        var slashed = StakeMath.ApplyBps(T(100_000), bps);
        Assert.Equal(slashed, result.Slashed);
        Assert.Equal(T(100_000) - slashed, next.TotalStake);
        var expected = Penalty.Split(slashed, [Reporter1, Reporter2], Owner, parameters.ReporterShareBps);
        Assert.Equal((expected.PerReporter, expected.ToReporters, expected.Burned), (split.PerReporter, split.ToReporters, split.Burned));
        Assert.Equal([Reporter1, Reporter2], split.Rewarded);
        Assert.Equal(split.PerReporter, result.PerReporter);
        Assert.Equal(2, result.ReportersPaid);
        Assert.Equal(split.ToReporters, result.ToReporters);
        Assert.Equal(split.Burned, result.Burned);
    }

    [Fact]
    public void TryPenalize_refuses_an_invalid_rate_and_changes_nothing()
    {
        var parameters = new StakingParameters();
        var pool = SequencerPool.Create("p", Owner, Key(1), 0);
        Assert.Equal(StakingReason.Ok, pool.TryDeposit(T(50_000), true, parameters.MaxLock, 0, out pool, out _));
        var result = pool.TryPenalize(SlashKind.Downtime, parameters with { DowntimeSlashBps = 0 }, [Reporter1], 3, out var next, out _);
        Assert.Equal(StakingReason.InvalidSlashRate, result.Reason);
        Assert.Same(pool, next);
        Assert.Equal(StakingReason.Overflow, pool.TryPenalize(SlashKind.Downtime, parameters, [], ulong.MaxValue, out next, out _).Reason);
        Assert.Same(pool, next);
    }
}
