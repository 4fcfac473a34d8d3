using ActorRollup.Core.Scheduling;
using static ActorRollup.Core.Tests.Scheduling.WrrTestHelpers;

namespace ActorRollup.Core.Tests.Scheduling;

public class LeaderScheduleTests
{
    [Fact]
    public void WeightedRoundRobin_FirstEpochIsCreateThenOneAdvancePerEpoch()
    {
        var members = Members("foo:1000,bar:300,baz:330");
        Assert.Equal(
            ["foo", "baz", "foo", "bar", "foo", "foo", "baz", "foo", "bar", "foo", "foo", "baz"],
            LeaderSchedule.Compute(ScheduleAlgorithm.WeightedRoundRobin, members, 12, 0));

        var wrr = WeightedRoundRobin.Create(members);
        var manual = new List<string> { wrr.CurrentLeader! };
        for (int i = 1; i < 100; i++) manual.Add(wrr.Advance());
        Assert.Equal(manual, LeaderSchedule.Compute(ScheduleAlgorithm.WeightedRoundRobin, members, 100, 0));
    }

    [Fact]
    public void StakeLottery_IsDrawPerEpochWithTermZero()
    {
        var members = Members("foo:1000,bar:300,baz:330");
        var expected = Enumerable.Range(1, 50).Select(e => StakeLottery.Draw(members, 7, (ulong)e, 0)!).ToArray();
        Assert.Equal(expected, LeaderSchedule.Compute(ScheduleAlgorithm.StakeLottery, members, 50, 7));
    }

    [Theory]
    [InlineData(ScheduleAlgorithm.WeightedRoundRobin)]
    [InlineData(ScheduleAlgorithm.StakeLottery)]
    public void ZeroEpochsIsEmpty_NegativeAndInvalidThrow(ScheduleAlgorithm algorithm)
    {
        Assert.Empty(LeaderSchedule.Compute(algorithm, Members("a:1"), 0, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => LeaderSchedule.Compute(algorithm, Members("a:1"), -1, 0));
        Assert.Throws<ArgumentException>(() => LeaderSchedule.Compute(algorithm, [], 3, 0));
        Assert.Throws<ArgumentException>(() => LeaderSchedule.Enumerate(algorithm, Members("a:1,a:2"), 3, 0)); // eager check
    }

    [Fact]
    public void UnknownAlgorithmThrows() =>
        Assert.Throws<ArgumentException>(() => LeaderSchedule.Compute((ScheduleAlgorithm)9, Members("a:1"), 3, 0));
}
