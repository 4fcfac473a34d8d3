using ActorRollup.Core.Scheduling;
using static ActorRollup.Core.Tests.Scheduling.WrrTestHelpers;

namespace ActorRollup.Core.Tests.Scheduling;

/// <summary>The one leader choice rotation, the audit and the schedule command use.</summary>
public class LeaderRotationTests
{
    private static readonly CommitteeMember[] FooBarBaz = Members("foo:1000,bar:300,baz:330");

    /// <summary>Committees of successive epochs ("|" between epochs) and the leaders the rotation must choose.</summary>
    public static TheoryData<ScheduleAlgorithm, string, ulong> Committees => new()
    {
        { ScheduleAlgorithm.WeightedRoundRobin, "foo:1000,bar:300,baz:330|foo:1000,bar:300,baz:330|foo:1000,bar:300,baz:330", 0 },
        { ScheduleAlgorithm.WeightedRoundRobin, "a:5,b:5|a:5,b:5,c:20|c:20,b:5|b:5|a:1,b:1,c:1,d:1", 0 },
        { ScheduleAlgorithm.WeightedRoundRobin, "x:1|x:1,y:100|y:100,z:3|x:7,z:3", 0 },
        { ScheduleAlgorithm.StakeLottery, "foo:1000,bar:300,baz:330|foo:1000,bar:300|bar:300,baz:330", 7 },
        { ScheduleAlgorithm.StakeLottery, "a:5,b:5|a:5,b:5,c:20|c:20,b:5|b:5", 0 },
    };

    [Theory]
    [MemberData(nameof(Committees))]
    public void BeginEpoch_is_create_then_update_and_advance_for_wrr_and_the_term_0_draw_for_the_lottery(
        ScheduleAlgorithm algorithm, string committees, ulong seed)
    {
        var epochs = committees.Split('|').Select(Members).ToArray();
        var rotation = new LeaderRotation(algorithm, seed);
        WeightedRoundRobin? wrr = null;
        for (int i = 0; i < epochs.Length; i++)
        {
            ulong epoch = (ulong)i + 1;
            string expected;
            if (algorithm == ScheduleAlgorithm.StakeLottery)
            {
                expected = StakeLottery.Draw(epochs[i], seed, epoch)!;
            }
            else
            {
                if (wrr is null) wrr = WeightedRoundRobin.Create(epochs[i]);
                else { wrr.UpdateMembers(epochs[i]); wrr.Advance(); }
                expected = wrr.CurrentLeader!;
            }
            Assert.Equal(expected, rotation.BeginEpoch(epoch, epochs[i]));
        }
    }

    [Theory]
    [InlineData(ScheduleAlgorithm.WeightedRoundRobin)]
    [InlineData(ScheduleAlgorithm.StakeLottery)]
    public void Carried_state_continues_exactly_where_it_was_saved(ScheduleAlgorithm algorithm)
    {
        var committees = new[] { FooBarBaz, Members("foo:1000,bar:300"), Members("foo:900,bar:300,baz:330,qux:50") };
        var straight = new LeaderRotation(algorithm, 3);
        var saved = new LeaderRotation(algorithm, 3);
        for (int e = 1; e <= 30; e++)
        {
            var committee = committees[e % committees.Length];
            var restored = new LeaderRotation(algorithm, 3, saved.WrrState);
            Assert.Equal(straight.BeginEpoch((ulong)e, committee), restored.BeginEpoch((ulong)e, committee));
            saved = restored;
        }
        Assert.Equal(algorithm == ScheduleAlgorithm.WeightedRoundRobin, saved.WrrState is not null);
        Assert.Equal(algorithm == ScheduleAlgorithm.WeightedRoundRobin, saved.CarriesState);
    }

    [Theory]
    [InlineData(ScheduleAlgorithm.WeightedRoundRobin, "", 5UL)]
    [InlineData(ScheduleAlgorithm.WeightedRoundRobin, "foo", 5UL)]
    [InlineData(ScheduleAlgorithm.WeightedRoundRobin, "foo,baz", 6UL)]
    [InlineData(ScheduleAlgorithm.WeightedRoundRobin, "foo,bar,baz", 7UL)]
    [InlineData(ScheduleAlgorithm.StakeLottery, "", 5UL)]
    [InlineData(ScheduleAlgorithm.StakeLottery, "foo", 5UL)]
    [InlineData(ScheduleAlgorithm.StakeLottery, "foo,baz", 9UL)]
    [InlineData(ScheduleAlgorithm.StakeLottery, "foo,bar,baz", 2UL)]
    public void Replacement_is_respan_for_wrr_and_the_new_terms_draw_for_the_lottery(ScheduleAlgorithm algorithm, string excludedIds, ulong term)
    {
        var excluded = excludedIds.Split(',', StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.Ordinal);
        var rotation = new LeaderRotation(algorithm, 11);
        rotation.BeginEpoch(1, FooBarBaz);
        rotation.BeginEpoch(2, FooBarBaz);
        var before = rotation.WrrState;

        var replacement = rotation.Replacement(2, term, FooBarBaz, excluded);

        string? expected;
        if (algorithm == ScheduleAlgorithm.StakeLottery)
        {
            expected = StakeLottery.Draw(FooBarBaz, 11, 2, term, excluded);
        }
        else
        {
            var wrr = WeightedRoundRobin.Create(FooBarBaz);
            wrr.Advance();
            expected = wrr.ReSpan(excluded);
        }
        Assert.Equal(expected, replacement);
        if (excluded.Count == FooBarBaz.Length) Assert.Null(replacement);
        else Assert.DoesNotContain(replacement!, excluded);
        // A failover does not change what the next epoch schedules.
        if (before is not null) AssertSameState(before, rotation.WrrState!);
    }

    [Theory]
    [InlineData(ScheduleAlgorithm.WeightedRoundRobin, 1UL, 0)]
    [InlineData(ScheduleAlgorithm.WeightedRoundRobin, 4UL, 9)]
    [InlineData(ScheduleAlgorithm.StakeLottery, 1UL, 12)]
    [InlineData(ScheduleAlgorithm.StakeLottery, 6UL, 3)]
    public void Upcoming_is_what_later_epochs_would_begin_with_the_same_committee(ScheduleAlgorithm algorithm, ulong epoch, int count)
    {
        var rotation = new LeaderRotation(algorithm, 5);
        for (ulong e = 1; e <= epoch; e++) rotation.BeginEpoch(e, FooBarBaz);
        var state = rotation.WrrState;
        var upcoming = rotation.Upcoming(epoch, FooBarBaz, count).ToList();

        var replay = new LeaderRotation(algorithm, 5);
        var expected = new List<string>();
        for (ulong e = 1; e < epoch + (ulong)count; e++)
        {
            var leader = replay.BeginEpoch(e, FooBarBaz);
            if (e >= epoch) expected.Add(leader);
        }
        if (count > 0) Assert.Equal(expected, upcoming);
        else Assert.Empty(upcoming);
        if (state is not null) AssertSameState(state, rotation.WrrState!); // Upcoming changes nothing
    }

    [Fact]
    public void Bad_arguments_throw()
    {
        Assert.Throws<ArgumentException>(() => new LeaderRotation((ScheduleAlgorithm)9, 0));
        var wrr = new LeaderRotation(ScheduleAlgorithm.WeightedRoundRobin, 0);
        Assert.Throws<InvalidOperationException>(() => wrr.Replacement(1, 1, FooBarBaz, new HashSet<string>()));
        Assert.Throws<InvalidOperationException>(() => wrr.Upcoming(1, FooBarBaz, 3));
        Assert.Throws<ArgumentException>(() => wrr.BeginEpoch(1, []));
        Assert.Throws<ArgumentException>(() => wrr.BeginEpoch(1, Members("a:1,a:2")));
        Assert.Null(wrr.WrrState); // a refused committee begins nothing
        wrr.BeginEpoch(1, FooBarBaz);
        Assert.Throws<ArgumentOutOfRangeException>(() => wrr.Upcoming(1, FooBarBaz, -1));
        Assert.Throws<ArgumentException>(() => new LeaderRotation(ScheduleAlgorithm.StakeLottery, 0).BeginEpoch(1, Members("a:0")));
    }
}
