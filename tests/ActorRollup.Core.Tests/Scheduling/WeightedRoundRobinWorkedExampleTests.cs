using ActorRollup.Core.Scheduling;
using static ActorRollup.Core.Tests.Scheduling.WrrTestHelpers;

namespace ActorRollup.Core.Tests.Scheduling;

/// <summary>
/// PROTOCOL §6.1 examples worked out by hand. Notation: P = total power; a step is
/// (a) rescale if max − min &gt; 2P, (b) subtract ⌊avg⌋, (c) add powers, pick max (ties: byte-wise smaller id),
/// leader −= P. Priorities are listed in byte-wise id order.
/// </summary>
public class WeightedRoundRobinWorkedExampleTests
{
    // foo:1000, bar:300, baz:330; P = 1630; join priority −(1630 + 1630/8) = −(1630 + 203) = −1833.
    // Step 1: diff 0; avg −1833 → all 0; +powers → bar 300, baz 330, foo 1000 → foo; foo 1000−1630 = −630.
    // Step 2: diff 330−(−630) = 960 ≤ 3260; sum 0 → avg 0; +powers → bar 600, baz 660, foo 370 → baz; baz −970.
    // Step 3: diff 1570; avg 0; +powers → bar 900, baz −640, foo 1370 → foo; foo −260.
    // Step 4: diff 1540; avg 0; +powers → bar 1200, baz −310, foo 740 → bar; bar −430.
    [Fact]
    public void FooBarBaz_FirstFourEpochs()
    {
        var wrr = WeightedRoundRobin.Create(Members("foo:1000,bar:300,baz:330"));
        Assert.Equal(1630, wrr.TotalPower);
        Assert.Equal("foo", wrr.CurrentLeader);
        Assert.Equal("bar=300 baz=330 foo=-630", Priorities(wrr));

        Assert.Equal("baz", wrr.Advance());
        Assert.Equal("bar=600 baz=-970 foo=370", Priorities(wrr));

        Assert.Equal("foo", wrr.Advance());
        Assert.Equal("bar=900 baz=-640 foo=-260", Priorities(wrr));

        Assert.Equal("bar", wrr.Advance());
        Assert.Equal("bar=-430 baz=-310 foo=740", Priorities(wrr));
        Assert.Equal("bar", wrr.CurrentLeader);
    }

    // a, b, c with power 10 each; P = 30; join −33 each.
    // Step 1: centre → 0,0,0; +10 → 10,10,10; tie → a; a = −20.                 a −20, b 10,  c 10
    // Step 2: sum 0; +10 → a −10, b 20, c 20; tie b/c → b; b = −10.              a −10, b −10, c 20
    // Step 3: sum 0; +10 → a 0, b 0, c 30 → c; c = 0.                            a 0,   b 0,   c 0
    // Step 4 repeats step 1: the rotation is a, b, c in id order.
    [Fact]
    public void EqualPowers_RotateInIdOrder()
    {
        var wrr = WeightedRoundRobin.Create(Members("c:10,a:10,b:10"));
        var leaders = new List<string> { wrr.CurrentLeader! };
        var states = new List<string> { Priorities(wrr) };
        for (int i = 0; i < 5; i++)
        {
            leaders.Add(wrr.Advance());
            states.Add(Priorities(wrr));
        }

        Assert.Equal(["a", "b", "c", "a", "b", "c"], leaders);
        Assert.Equal(["a=-20 b=10 c=10", "a=-10 b=-10 c=20", "a=0 b=0 c=0"], states.Take(3));
    }

    // Two members of equal power tie at step 1; the byte-wise smaller id leads first.
    // U+FF21 'Ａ' is EF BC A1 in UTF-8, U+1F600 '😀' is F0 9F 98 80: byte-wise Ａ < 😀, although in UTF-16
    // (string.CompareOrdinal) 😀 = D83D DE00 sorts before Ａ = FF21. "B" (0x42) < "a" (0x61); "a" < "ab".
    [Theory]
    [InlineData("\uFF21", "\U0001F600")]
    [InlineData("B", "a")]
    [InlineData("a", "ab")]
    [InlineData("a\u00E9", "a\uFFFF")] // C3 A9 < EF BF BF
    public void Tie_GoesToByteWiseSmallerId(string smaller, string larger)
    {
        var wrr = WeightedRoundRobin.Create([new(larger, 5), new(smaller, 5)]);
        Assert.Equal(smaller, wrr.CurrentLeader);
        Assert.Equal(larger, wrr.Advance());
        Assert.Equal(smaller, wrr.Advance());
    }

    // Create a:1, b:1 (P = 2, join −2): centre → 0,0; +1 → 1,1; tie → a; a = −1.    a −1, b 1
    // Join c:2: P = 4, c = −(4 + 4/8) = −4.                                          a −1, b 1, c −4
    // Step: diff 5 ≤ 8 (no rescale). sum −4, avg −4/3 = −1.33…: floor −2 (truncation would give −1).
    //   centre (−(−2)): a 1, b 3, c −2; +powers: a 2, b 4, c 0 → b; b = 4 − 4 = 0.   a 2, b 0, c 0
    // With truncation the result would be a 1, b −1, c −1.
    [Fact]
    public void Centre_UsesFloorOfNegativeNonIntegerAverage_AfterJoin()
    {
        var wrr = WeightedRoundRobin.Create(Members("a:1,b:1"));
        Assert.Equal("a=-1 b=1", Priorities(wrr));
        wrr.UpdateMembers(Members("a:1,b:1,c:2"));
        Assert.Equal("a=-1 b=1 c=-4", Priorities(wrr));

        Assert.Equal("b", wrr.Advance());
        Assert.Equal("a=2 b=0 c=0", Priorities(wrr));
    }

    // Snapshot a −1, b 0, c 0, powers 1 (P = 3). sum −1, avg −1/3: floor −1 (truncation 0).
    // centre: a 0, b 1, c 1; +1: a 1, b 2, c 2; tie b/c → b; b = 2 − 3 = −1.         a 1, b −1, c 2
    // (Truncation: a 0, b −2, c 1.)
    [Fact]
    public void Centre_UsesFloorOfNegativeNonIntegerAverage_FromSnapshot()
    {
        var wrr = WeightedRoundRobin.FromSnapshot(Snapshot(null, ("a", 1, -1), ("b", 1, 0), ("c", 1, 0)));
        Assert.Equal("b", wrr.Advance());
        Assert.Equal("a=1 b=-1 c=2", Priorities(wrr));
    }

    // Create a:1000, b:1000, c:1: P = 2001; all centred to 0; +powers: a 1000, b 1000, c 1; tie → a; a = −1001.
    // Update a:1, b:1, c:1 (P = 3, 2P = 6). Step: diff 1000 − (−1001) = 2001 > 6 → ratio ⌈2001/6⌉ = 334
    //   (6·333 = 1998 < 2001): a −1001/334 = −2.99… → −2 (toward zero; floor would be −3), b 1000/334 → 2,
    //   c 1/334 → 0. sum 0 → avg 0. +1: a −1, b 3, c 1 → b; b = 3 − 3 = 0.             a −1, b 0, c 1
    [Fact]
    public void Rescale_AfterPowerDrop_TruncatesTowardZero()
    {
        var wrr = WeightedRoundRobin.Create(Members("a:1000,b:1000,c:1"));
        Assert.Equal("a=-1001 b=1000 c=1", Priorities(wrr));
        wrr.UpdateMembers(Members("a:1,b:1,c:1"));
        Assert.Equal("b", wrr.Advance());
        Assert.Equal("a=-1 b=0 c=1", Priorities(wrr));
    }

    // Same genesis (a −1001, b 1000, c 1). Update: a leaves, b drops to 1, c stays 1, d joins with 2:
    //   P = 4, d = −(4 + 4/8) = −4.                                                    b 1000, c 1, d −4
    // Step: diff 1004 > 8 → ratio ⌈1004/8⌉ = 126 (8·125 = 1000 < 1004): b 1000/126 = 7.9 → 7, c 0,
    //   d −4/126 → 0 (toward zero). sum 7 → avg ⌊7/3⌋ = 2: b 5, c −2, d −2. +powers: b 6, c −1, d 0 → b;
    //   b = 6 − 4 = 2.                                                                  b 2, c −1, d 0
    [Fact]
    public void Rescale_AfterJoinRemovalAndPowerChange()
    {
        var wrr = WeightedRoundRobin.Create(Members("a:1000,b:1000,c:1"));
        wrr.UpdateMembers(Members("b:1,c:1,d:2"));
        Assert.Equal("b=1000 c=1 d=-4", Priorities(wrr));
        Assert.Equal("b", wrr.Advance());
        Assert.Equal("b=2 c=-1 d=0", Priorities(wrr));
    }

    // a:1 at long.MaxValue, b:1 at long.MinValue (P = 2, 2P = 4). max − min = 2^64 − 1 saturates to
    // long.MaxValue = 2^63 − 1 > 4 → ratio ⌈(2^63 − 1)/4⌉ = 2^61 = 2305843009213693952.
    //   a (2^63 − 1)/2^61 = 3.99… → 3; b −2^63/2^61 = −4. sum −1 → avg ⌊−0.5⌋ = −1: a 4, b −3.
    //   +1: a 5, b −2 → a; a = 5 − 2 = 3.                                                a 3, b −2
    [Fact]
    public void Saturation_DiffBetweenExtremesSaturates()
    {
        var wrr = WeightedRoundRobin.FromSnapshot(Snapshot(null, ("a", 1, long.MaxValue), ("b", 1, long.MinValue)));
        Assert.Equal("a", wrr.Advance());
        Assert.Equal("a=3 b=-2", Priorities(wrr));
    }

    // a:1 at long.MaxValue, b:1 at long.MaxValue − 1: diff 1 ≤ 4, no rescale. The sum 2^64 − 3 overflows 64 bits
    // (computed in 128): avg ⌊(2^64 − 3)/2⌋ = 2^63 − 2 = long.MaxValue − 1 → a 1, b 0; +1: a 2, b 1 → a; a = 0.
    [Fact]
    public void Saturation_AverageOfHugePrioritiesDoesNotOverflow()
    {
        var wrr = WeightedRoundRobin.FromSnapshot(Snapshot(null, ("a", 1, long.MaxValue), ("b", 1, long.MaxValue - 1)));
        Assert.Equal("a", wrr.Advance());
        Assert.Equal("a=0 b=1", Priorities(wrr));
    }

    // Both at long.MinValue with powers 1 and 2 (P = 3): diff 0, avg long.MinValue → 0, 0; +powers: a 1, b 2 → b;
    // b = 2 − 3 = −1.                                                                    a 1, b −1
    [Fact]
    public void Saturation_AllAtMinValue()
    {
        var wrr = WeightedRoundRobin.FromSnapshot(Snapshot(null, ("a", 1, long.MinValue), ("b", 2, long.MinValue)));
        Assert.Equal("b", wrr.Advance());
        Assert.Equal("a=1 b=-1", Priorities(wrr));
    }
}
