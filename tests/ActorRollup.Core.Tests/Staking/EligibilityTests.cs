using ActorRollup.Core.Primitives;
using ActorRollup.Core.Staking;
using static ActorRollup.Core.Tests.Staking.StakingFixture;

namespace ActorRollup.Core.Tests.Staking;

/// <summary>Committee eligibility, the one rule the ledger, the pool and rotation use.</summary>
public class EligibilityTests
{
    [Theory]
    [InlineData(SequencerStatus.Candidate, 0UL, 5UL, true)]
    [InlineData(SequencerStatus.Active, 0UL, 5UL, true)]
    [InlineData(SequencerStatus.Active, 9UL, 5UL, true)]     // a stale jail end means nothing once released
    [InlineData(SequencerStatus.Jailed, 6UL, 5UL, false)]
    [InlineData(SequencerStatus.Jailed, 6UL, 6UL, true)]     // the jail has run out: counts as released
    [InlineData(SequencerStatus.Jailed, 6UL, 7UL, true)]
    [InlineData(SequencerStatus.Exiting, 0UL, 5UL, false)]
    [InlineData(SequencerStatus.Exiting, 3UL, 5UL, false)]
    [InlineData(SequencerStatus.Tombstoned, 0UL, 5UL, false)]
    public void Eligible_when_candidate_active_or_jail_served(SequencerStatus status, ulong jailedUntil, ulong epoch, bool eligible)
    {
        Assert.Equal(eligible, Eligibility.IsEligibleAt(status, jailedUntil, epoch));
        Assert.Equal(status == SequencerStatus.Jailed && eligible, Eligibility.JailServed(status, jailedUntil, epoch));
        var pool = SequencerPool.Create("p", Owner, Key(1), 0) with { Status = status, JailedUntilEpoch = jailedUntil };
        Assert.Equal(eligible, pool.IsEligibleAt(epoch));
        Assert.Equal(Eligibility.JailServed(status, jailedUntil, epoch), pool.ReleaseAt(epoch, 2).Status != status);
    }

    [Theory]
    [InlineData(SequencerStatus.Active, 0UL, 1UL, true)]
    [InlineData(SequencerStatus.Active, 0UL, 0UL, false)]          // no effective stake
    [InlineData(SequencerStatus.Jailed, 4UL, 1_000_000UL, false)]
    [InlineData(SequencerStatus.Jailed, 3UL, 1_000_000UL, true)]
    [InlineData(SequencerStatus.Tombstoned, 0UL, 1_000_000UL, false)]
    public void Standing_is_eligible_with_positive_effective_stake(SequencerStatus status, ulong jailedUntil, ulong stakeUnits, bool eligible)
    {
        var standing = Eligibility.StandingAt("s", status, jailedUntil, stakeUnits, 3);
        Assert.Equal("s", standing.Id);
        Assert.Equal((UInt128)stakeUnits, standing.Stake);
        Assert.Equal(eligible, standing.Eligible);
    }
}
