using ActorRollup.Core.Scheduling;
using static ActorRollup.Core.Tests.Scheduling.WrrTestHelpers;

namespace ActorRollup.Core.Tests.Scheduling;

/// <summary>Fairness, determinism, snapshots, membership changes and re-span of §6.1.</summary>
public class WeightedRoundRobinBehaviourTests
{
    public static TheoryData<string> PowerSets => new()
    {
        "foo:1000,bar:300,baz:330",
        "a:1,b:1",
        "a:1,b:2,c:3,d:4",
        "x:7,y:13,z:29,w:1",
        "solo:5",
        "big:97,s1:1,s2:1,s3:1",
        "p:10,q:10,r:10,s:10,t:11",
        "m1:3,m2:5,m3:8,m4:13,m5:21,m6:34",
    };

    // From Create's centred state the priority sum stays 0, so after N steps each member's priority is
    // N·p_i − P·leads_i; priorities stay within ±P, hence leads_i is within 1 of N·p_i/P.
    [Theory]
    [MemberData(nameof(PowerSets))]
    public void Fairness_EachMemberLeadsItsShareWithinOne(string spec)
    {
        var members = Members(spec);
        long total = members.Sum(m => m.Power);
        int epochs = (int)(100 * total);
        var counts = LeaderSchedule.Compute(ScheduleAlgorithm.WeightedRoundRobin, members, epochs, 0)
            .GroupBy(x => x).ToDictionary(g => g.Key, g => g.Count());
        foreach (var m in members)
        {
            long expected = epochs * m.Power / total;
            Assert.InRange(counts.GetValueOrDefault(m.Id), expected - 1, expected + 1);
        }
    }

    [Theory]
    [MemberData(nameof(PowerSets))]
    public void Fairness_EveryPrefixStaysWithinTwoOfItsShare(string spec)
    {
        var members = Members(spec);
        long total = members.Sum(m => m.Power);
        var counts = members.ToDictionary(m => m.Id, _ => 0L);
        int n = 0;
        foreach (var leader in LeaderSchedule.Compute(ScheduleAlgorithm.WeightedRoundRobin, members, (int)(20 * total) + 50, 0))
        {
            n++;
            counts[leader]++;
            foreach (var m in members)
                Assert.InRange(counts[m.Id] * total - (long)n * m.Power, -2 * total, 2 * total);
        }
    }

    [Fact]
    public void Determinism_IndependentComputationsAndInputOrderAgree()
    {
        var members = Members("foo:1000,bar:300,baz:330,qux:77");
        var first = LeaderSchedule.Compute(ScheduleAlgorithm.WeightedRoundRobin, members, 5000, 0);
        var second = LeaderSchedule.Compute(ScheduleAlgorithm.WeightedRoundRobin, members.Reverse().ToArray(), 5000, 0);
        var seedIgnored = LeaderSchedule.Compute(ScheduleAlgorithm.WeightedRoundRobin, members, 5000, 99);
        Assert.Equal(first, second);
        Assert.Equal(first, seedIgnored);
    }

    [Fact]
    public void Snapshot_RoundTripGivesIdenticalFutureSchedule()
    {
        var wrr = WeightedRoundRobin.Create(Members("foo:1000,bar:300,baz:330"));
        for (int i = 0; i < 17; i++) wrr.Advance();
        wrr.UpdateMembers(Members("foo:1000,baz:900,new:55"));
        wrr.Advance();
        wrr.UpdateMembers(Members("foo:10,baz:900,new:55,late:4000")); // pending joiner in the snapshot

        var snapshot = wrr.ToSnapshot();
        Assert.Equal(snapshot.Members.Select(m => m.Id).Order(MemberIdComparer.Instance), snapshot.Members.Select(m => m.Id));
        var restored = WeightedRoundRobin.FromSnapshot(snapshot);
        var shuffled = WeightedRoundRobin.FromSnapshot(snapshot with { Members = snapshot.Members.Reverse().ToArray() });
        AssertSameState(snapshot, restored.ToSnapshot());

        for (int i = 0; i < 2000; i++)
        {
            var expected = wrr.Advance();
            Assert.Equal(expected, restored.Advance());
            Assert.Equal(expected, shuffled.Advance());
        }

        AssertSameState(wrr.ToSnapshot(), restored.ToSnapshot());
    }

    [Fact]
    public void Clone_IsIndependent()
    {
        var wrr = WeightedRoundRobin.Create(Members("a:3,b:5"));
        var clone = wrr.Clone();
        AssertSameState(wrr.ToSnapshot(), clone.ToSnapshot());
        clone.Advance();
        clone.UpdateMembers(Members("a:3"));
        // Create: P = 8, centred to 0; +powers a 3, b 5 → b; b = 5 − 8 = −3. The original is untouched.
        Assert.Equal("a=3 b=-3", Priorities(wrr));
        Assert.Equal("b", wrr.CurrentLeader);
        Assert.Equal(2, wrr.Members.Count);
    }

    [Fact]
    public void Removal_LeavingMemberNeverLeadsAgain()
    {
        var wrr = WeightedRoundRobin.Create(Members("foo:1000,bar:300,baz:330"));
        for (int i = 0; i < 10; i++) wrr.Advance();
        wrr.UpdateMembers(Members("bar:300,baz:330"));
        Assert.False(wrr.TryGetPriority("foo", out _));
        var counts = new Dictionary<string, int>();
        for (int i = 0; i < 630 * 10; i++)
        {
            var leader = wrr.Advance();
            Assert.NotEqual("foo", leader);
            counts[leader] = counts.GetValueOrDefault(leader) + 1;
        }

        Assert.InRange(counts["bar"], 3000 - 2, 3000 + 2);
        Assert.InRange(counts["baz"], 3300 - 2, 3300 + 2);
    }

    // After Create(foo:1000, bar:300, baz:330): bar 300, baz 330, foo −630. qux:370 joins: P = 2000,
    // qux = −(2000 + 2000/8) = −2250; the others keep their priorities; nothing steps.
    [Fact]
    public void Join_StartsAtMinusPPlusPOver8_ThenGetsItsFairShare()
    {
        var wrr = WeightedRoundRobin.Create(Members("foo:1000,bar:300,baz:330"));
        wrr.UpdateMembers(Members("foo:1000,bar:300,baz:330,qux:370"));
        Assert.Equal(2000, wrr.TotalPower);
        Assert.Equal("bar=300 baz=330 foo=-630 qux=-2250", Priorities(wrr));
        Assert.Equal("foo", wrr.CurrentLeader);

        // The joiner waits at first (it cannot lead the very next epoch)…
        Assert.NotEqual("qux", wrr.Advance());
        // …and then leads its share: 370 of every 2000 epochs, within a small bound.
        for (int i = 0; i < 100; i++) wrr.Advance();
        int qux = 0;
        for (int i = 0; i < 20_000; i++) if (wrr.Advance() == "qux") qux++;
        Assert.InRange(qux, 3700 - 2, 3700 + 2);
    }

    // Create(foo:1000, bar:300, baz:330): bar 300, baz 330, foo −630 (epoch 1 foo). Raise bar to 5000 (P = 6330).
    // Next step: diff 960, avg 0; +powers: bar 5300, baz 660, foo 370 → bar (without the change: baz);
    // bar = 5300 − 6330 = −1030.
    [Fact]
    public void PowerChange_AppliesAtTheNextStep()
    {
        var wrr = WeightedRoundRobin.Create(Members("foo:1000,bar:300,baz:330"));
        var unchanged = wrr.Clone();
        wrr.UpdateMembers(Members("foo:1000,bar:5000,baz:330"));
        Assert.Equal("bar=300 baz=330 foo=-630", Priorities(wrr)); // update does not step
        Assert.Equal("foo", wrr.CurrentLeader);

        Assert.Equal("baz", unchanged.Advance());
        Assert.Equal("bar", wrr.Advance());
        Assert.Equal("bar=-1030 baz=660 foo=370", Priorities(wrr));
    }

    // State after Create(foo:1000, bar:300, baz:330): bar 300, baz 330, foo −630. The hypothetical next step
    // gives bar 600, baz 660, foo 370, so the replacement order is baz, bar, foo.
    [Theory]
    [InlineData("", "baz")]
    [InlineData("foo", "baz")]
    [InlineData("baz", "bar")]
    [InlineData("baz,bar", "foo")]
    [InlineData("baz,foo", "bar")]
    [InlineData("baz,bar,foo", null)]
    [InlineData("baz,bar,foo,stranger", null)]
    public void ReSpan_PicksHighestNonExcluded(string excluded, string? expected)
    {
        var wrr = WeightedRoundRobin.Create(Members("foo:1000,bar:300,baz:330"));
        var set = excluded.Split(',', StringSplitOptions.RemoveEmptyEntries).ToHashSet();
        Assert.Equal(expected, wrr.ReSpan(set));
    }

    [Theory]
    [MemberData(nameof(PowerSets))]
    public void ReSpan_NeverReturnsExcluded_NeverMutates_NullWhenAllExcluded(string spec)
    {
        var members = Members(spec);
        var wrr = WeightedRoundRobin.Create(members);
        var ids = members.Select(m => m.Id).ToArray();
        for (int epoch = 0; epoch < 200; epoch++)
        {
            var before = wrr.ToSnapshot();
            Assert.Equal(wrr.Clone().Advance(), wrr.ReSpan(new HashSet<string>()));

            // Exclude members one by one, as successive failovers in one epoch would.
            var excluded = new HashSet<string>();
            for (int k = 0; k < ids.Length; k++)
            {
                var replacement = wrr.ReSpan(excluded);
                Assert.NotNull(replacement);
                Assert.DoesNotContain(replacement, excluded);
                Assert.Contains(replacement, ids);
                excluded.Add(replacement);
            }

            Assert.Null(wrr.ReSpan(excluded));
            AssertSameState(before, wrr.ToSnapshot());
            wrr.Advance();
        }
    }

    [Fact]
    public void Create_RejectsInvalidCommittees()
    {
        Assert.Throws<ArgumentException>(() => WeightedRoundRobin.Create([]));
        Assert.Throws<ArgumentException>(() => WeightedRoundRobin.Create(Members("a:1,a:2")));
        Assert.Throws<ArgumentException>(() => WeightedRoundRobin.Create(Members("a:0")));
        var wrr = WeightedRoundRobin.Create(Members("a:1"));
        Assert.Throws<ArgumentException>(() => wrr.UpdateMembers([]));
        Assert.Equal("a=0", Priorities(wrr)); // a failed update leaves the state unchanged
        Assert.Throws<ArgumentException>(() => WeightedRoundRobin.FromSnapshot(Snapshot(null, ("a", 1, 0), ("a", 2, 0))));
    }
}
