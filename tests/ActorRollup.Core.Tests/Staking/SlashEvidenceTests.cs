using ActorRollup.Core.Primitives;
using ActorRollup.Core.Staking;

namespace ActorRollup.Core.Tests.Staking;

/// <summary>The evidence ids and the downtime rule the sequencer checks before it lets itself be slashed.</summary>
public sealed class SlashEvidenceTests
{
    private static readonly TermRecordView Term = new(7, "seq-001", 3);

    [Fact]
    public void Downtime_ids_round_trip_and_nothing_else_parses_as_one()
    {
        Assert.True(SlashEvidence.TryParseDowntime(SlashEvidence.Downtime(42), out var term));
        Assert.Equal(42UL, term);
        Assert.Equal("downtime-term-42", SlashEvidence.Downtime(42)); // rotation writes this form
        foreach (var bad in new[] { null, "", "downtime-term-", "downtime-term--1", "downtime-term- 4", "downtime-term-4x", "equivocation-1-2",
                     "downtime-term-99999999999999999999999", "downtime-term-" + new string('1', 200) })
            Assert.False(SlashEvidence.TryParseDowntime(bad, out _), bad);
        Assert.False(SlashEvidence.IsWellFormed(new string('x', SlashEvidence.MaxIdLength + 1)));
        Assert.False(SlashEvidence.IsWellFormed(""));
    }

    [Fact]
    public void Downtime_holds_only_for_the_latest_term_of_that_leader_and_epoch_after_a_silence_past_the_timeout()
    {
        Assert.Equal(StakingReason.Ok, SlashEvidence.CheckDowntime("seq-001", 3, Term, true, lastCommitMs: 1_000, termStartMs: 500, nowMs: 2_001, leaderTimeoutMs: 1_000));
        // Silent for exactly the timeout, or less, since the later of the last commit and the term's start: alive.
        Assert.Equal(StakingReason.EvidenceMismatch, SlashEvidence.CheckDowntime("seq-001", 3, Term, true, 1_000, 500, 2_000, 1_000));
        Assert.Equal(StakingReason.EvidenceMismatch, SlashEvidence.CheckDowntime("seq-001", 3, Term, true, 500, 1_500, 2_001, 1_000));
        // Another leader, another epoch, or a term that is no longer the latest.
        Assert.Equal(StakingReason.EvidenceMismatch, SlashEvidence.CheckDowntime("seq-002", 3, Term, true, 0, 0, 10_000, 1_000));
        Assert.Equal(StakingReason.EvidenceMismatch, SlashEvidence.CheckDowntime("seq-001", 4, Term, true, 0, 0, 10_000, 1_000));
        Assert.Equal(StakingReason.EvidenceMismatch, SlashEvidence.CheckDowntime("seq-001", 3, Term, false, 0, 0, 10_000, 1_000));
    }

    [Fact]
    public void Operation_ids_name_their_staker()
    {
        var staker = Address.Parse("0x" + new string('a', 40));
        var id = StakeOperations.Id(staker, 5);
        Assert.True(StakeOperations.TryParseStaker(id, out var parsed));
        Assert.Equal(staker, parsed);
        Assert.True(StakeOperations.TryParseStaker(StakeOperations.ClaimId(id, 2), out parsed));
        Assert.Equal(staker, parsed);
        foreach (var bad in new[] { null, "", "/5", "0x1234/5", "nonsense", new string('a', 500) })
            Assert.False(StakeOperations.TryParseStaker(bad, out _), bad);
    }
}
