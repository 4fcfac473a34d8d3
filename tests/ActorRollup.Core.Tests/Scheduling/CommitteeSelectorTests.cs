using ActorRollup.Core.Primitives;
using ActorRollup.Core.Scheduling;

namespace ActorRollup.Core.Tests.Scheduling;

public class CommitteeSelectorTests
{
    private static SequencerStanding S(string id, string tokens, bool eligible = true)
    {
        Assert.True(Token.TryParse(tokens, out var stake));
        return new SequencerStanding(id, stake, eligible);
    }

    private static string Show(IReadOnlyList<CommitteeMember> committee) =>
        string.Join(',', committee.Select(m => $"{m.Id}:{m.Power}"));

    [Fact]
    public void CapsByStakeDescending_ReturnsSortedById()
    {
        var candidates = new[] { S("e", "50000"), S("a", "20000"), S("d", "90000"), S("c", "30000"), S("b", "100000") };
        Assert.Equal("b:100000,d:90000", Show(CommitteeSelector.Select(candidates, 2)));
        Assert.Equal("b:100000,c:30000,d:90000,e:50000", Show(CommitteeSelector.Select(candidates, 4)));
        Assert.Equal("a:20000,b:100000,c:30000,d:90000,e:50000", Show(CommitteeSelector.Select(candidates, 10)));
    }

    [Fact]
    public void TiesByByteWiseId()
    {
        // Equal stake: byte-wise order is "B" < "a" < "\uFF21" < "\U0001F600".
        var candidates = new[] { S("\U0001F600", "10"), S("a", "10"), S("\uFF21", "10"), S("B", "10"), S("top", "11") };
        Assert.Equal("B:10,top:11", Show(CommitteeSelector.Select(candidates, 2)));
        Assert.Equal("B:10,a:10,top:11", Show(CommitteeSelector.Select(candidates, 3)));
        Assert.Equal("B:10,a:10,top:11,\uFF21:10", Show(CommitteeSelector.Select(candidates, 4)));
    }

    [Fact]
    public void IneligibleExcluded_EvenWithTheMostStake()
    {
        var candidates = new[] { S("jailed", "100000", eligible: false), S("a", "20000"), S("b", "30000") };
        Assert.Equal("a:20000,b:30000", Show(CommitteeSelector.Select(candidates, 2)));
        Assert.Empty(CommitteeSelector.Select([S("x", "5", eligible: false)], 3));
    }

    [Fact]
    public void PowerIsWholeTokens_SubTokenStakeLeftOut()
    {
        var candidates = new[] { S("a", "10.999999999999999999"), S("b", "1"), S("c", "0.999999999999999999"), S("d", "0") };
        Assert.Equal("a:10,b:1", Show(CommitteeSelector.Select(candidates, 10)));
    }

    [Fact]
    public void ExactStakeOrdersBeforeTruncation()
    {
        // 10.5 > 10.2 tokens: both have power 10, the cap keeps the larger exact stake.
        var candidates = new[] { S("a", "10.2"), S("b", "10.5") };
        Assert.Equal("b:10", Show(CommitteeSelector.Select(candidates, 1)));
    }

    [Fact]
    public void InputOrderIrrelevant()
    {
        var candidates = new[] { S("x", "7"), S("y", "7"), S("z", "9"), S("w", "1") };
        Assert.Equal(Show(CommitteeSelector.Select(candidates, 3)), Show(CommitteeSelector.Select(candidates.Reverse(), 3)));
    }

    [Fact]
    public void RejectsBadInput()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => CommitteeSelector.Select([S("a", "1")], 0));
        Assert.Throws<ArgumentException>(() => CommitteeSelector.Select([S("a", "1"), S("a", "2")], 3));
        Assert.Throws<ArgumentException>(() => CommitteeSelector.Select([S("", "1")], 3));
        // More whole tokens than the voting-power cap (and than 64 bits).
        Assert.Throws<ArgumentException>(() => CommitteeSelector.Select([new SequencerStanding("rich", UInt128.MaxValue, true)], 3));
        Assert.Throws<ArgumentException>(() => CommitteeSelector.Select(
            [S("a", "1000000000000000000"), S("b", "1000000000000000000")], 3)); // total > long.MaxValue/8
    }
}
