using System.Security.Cryptography;
using ActorRollup.Core.Scheduling;
using static ActorRollup.Core.Tests.Scheduling.WrrTestHelpers;

namespace ActorRollup.Core.Tests.Scheduling;

public class StakeLotteryTests
{
    /// <summary>
    /// An independent re-derivation of the generator in docs/SCHEDULING.md, written from the text with
    /// SHA256 directly (no code shared with the implementation). Returns the leader and how many 64-bit
    /// samples were rejected.
    /// </summary>
    private static (string? Leader, int Rejected) Reference(
        IEnumerable<CommitteeMember> members, ulong seed, ulong epoch, ulong term = 0, ISet<string>? excluded = null)
    {
        static byte[] U64(ulong v)
        {
            var b = new byte[8];
            for (int k = 7; k >= 0; k--, v >>= 8) b[k] = (byte)v;
            return b;
        }

        var eligible = members.Where(m => excluded is null || !excluded.Contains(m.Id))
            .OrderBy(m => System.Text.Encoding.UTF8.GetBytes(m.Id), Comparer<byte[]>.Create((x, y) => x.AsSpan().SequenceCompareTo(y)))
            .ToList();
        if (eligible.Count == 0) return (null, 0);
        UInt128 p = 0;
        foreach (var m in eligible) p += (ulong)m.Power;

        byte[] epochSeed = SHA256.HashData(
            "ActorRollup/lottery/v1"u8.ToArray().Concat(U64(seed)).Concat(U64(epoch)).Concat(U64(term)).ToArray());
        UInt128 twoTo64 = (UInt128)ulong.MaxValue + 1;
        int rejected = 0;
        for (ulong i = 0; ; i++)
        {
            byte[] block = SHA256.HashData(epochSeed.Concat(U64(i)).ToArray());
            UInt128 x = 0;
            for (int k = 0; k < 8; k++) x = (x << 8) | block[k];
            if (x >= twoTo64 - twoTo64 % p)
            {
                rejected++;
                continue;
            }

            UInt128 r = x % p, cumulative = 0;
            foreach (var m in eligible)
            {
                cumulative += (ulong)m.Power;
                if (cumulative > r) return (m.Id, rejected);
            }
        }
    }

    private static readonly CommitteeMember[] FooBarBaz = Members("foo:1000,bar:300,baz:330");

    // P = ⌊2^64/17⌋ + 1 = 1085102592571150096 (≤ long.MaxValue/8); 2^64 mod P = 1085102592571150080, so about
    // 5.9% of samples are rejected — enough to exercise rejection sampling.
    private static readonly CommitteeMember[] Huge = [new("a", 542551296285575048), new("b", 542551296285575048)];

    // Vectors computed once, independently (Python hashlib from the docs/SCHEDULING.md text), and confirmed by
    // Reference() below.
    [Fact]
    public void FixedVectors()
    {
        Assert.Equal("05abbd060cc43519852c047a56e7e176635c3ba17556d11ea18019c52c088ad6",
            Convert.ToHexStringLower(StakeLottery.EpochSeed(7, 1, 0)));

        string[] seed7 = ["baz", "foo", "foo", "foo", "baz", "foo", "foo", "foo", "baz", "bar", "baz", "bar"];
        string[] seed0 = ["baz", "foo", "foo", "bar", "foo", "bar", "foo", "foo", "foo", "bar", "foo", "foo"];
        Assert.Equal(seed7, LeaderSchedule.Compute(ScheduleAlgorithm.StakeLottery, FooBarBaz, 12, 7));
        Assert.Equal(seed0, LeaderSchedule.Compute(ScheduleAlgorithm.StakeLottery, FooBarBaz, 12, 0));
        Assert.Equal(seed7, Enumerable.Range(1, 12).Select(e => Reference(FooBarBaz, 7, (ulong)e).Leader));

        // Term 1 with baz excluded (a re-span draw).
        string[] respan = ["foo", "foo", "foo", "foo", "foo", "foo", "foo", "foo", "foo", "foo", "bar", "foo"];
        var excluded = new HashSet<string> { "baz" };
        Assert.Equal(respan, Enumerable.Range(1, 12).Select(e => StakeLottery.Draw(FooBarBaz, 7, (ulong)e, 1, excluded)));

        // Rejection sampling: epoch 5 rejects its first sample; the plain first sample would have chosen "b".
        string[] huge = ["a", "a", "a", "a", "a", "a", "b", "b", "a", "a", "b", "a"];
        Assert.Equal(huge, LeaderSchedule.Compute(ScheduleAlgorithm.StakeLottery, Huge, 12, 1));
        Assert.Equal((string?)"a", Reference(Huge, 1, 5).Leader);
        Assert.Equal(1, Reference(Huge, 1, 5).Rejected);
    }

    public static TheoryData<string, ulong> Sets => new()
    {
        { "foo:1000,bar:300,baz:330", 0 },
        { "foo:1000,bar:300,baz:330", 7 },
        { "a:1,b:1,c:1", ulong.MaxValue },
        { "x:1,\uFF21:2,\U0001F600:3,B:4,a:5", 42 },
        { "solo:9", 3 },
    };

    [Theory]
    [MemberData(nameof(Sets))]
    public void MatchesIndependentDerivation(string spec, ulong seed)
    {
        var members = Members(spec);
        for (ulong epoch = 0; epoch < 300; epoch++)
            foreach (ulong term in new ulong[] { 0, 1, 5 })
                Assert.Equal(Reference(members, seed, epoch, term).Leader, StakeLottery.Draw(members, seed, epoch, term));
    }

    [Fact]
    public void MatchesIndependentDerivation_WithRejections()
    {
        int rejected = 0;
        for (ulong epoch = 1; epoch <= 400; epoch++)
        {
            var (leader, r) = Reference(Huge, 1, epoch);
            rejected += r;
            Assert.Equal(leader, StakeLottery.Draw(Huge, 1, epoch));
        }

        Assert.InRange(rejected, 5, 60); // expected ≈ 400 · 0.0588 ≈ 24
    }

    [Fact]
    public void Deterministic_AndInputOrderIrrelevant()
    {
        var shuffled = new[] { FooBarBaz[2], FooBarBaz[0], FooBarBaz[1] };
        for (ulong epoch = 1; epoch <= 500; epoch++)
        {
            var a = StakeLottery.Draw(FooBarBaz, 11, epoch);
            Assert.Equal(a, StakeLottery.Draw(FooBarBaz, 11, epoch));
            Assert.Equal(a, StakeLottery.Draw(shuffled, 11, epoch));
        }

        Assert.Equal(
            LeaderSchedule.Compute(ScheduleAlgorithm.StakeLottery, FooBarBaz, 300, 5),
            LeaderSchedule.Compute(ScheduleAlgorithm.StakeLottery, shuffled, 300, 5));
        Assert.NotEqual(
            LeaderSchedule.Compute(ScheduleAlgorithm.StakeLottery, FooBarBaz, 300, 5),
            LeaderSchedule.Compute(ScheduleAlgorithm.StakeLottery, FooBarBaz, 300, 6));
    }

    [Theory]
    [InlineData("foo:1000,bar:300,baz:330", 1UL)]
    [InlineData("a:1,b:2,c:3,d:4", 2UL)]
    [InlineData("whale:97,s1:1,s2:1,s3:1", 3UL)]
    public void Frequencies_WithinFiveSigma(string spec, ulong seed)
    {
        const int n = 20_000;
        var members = Members(spec);
        double total = members.Sum(m => m.Power);
        var counts = LeaderSchedule.Compute(ScheduleAlgorithm.StakeLottery, members, n, seed)
            .GroupBy(x => x).ToDictionary(g => g.Key, g => g.Count());
        foreach (var m in members)
        {
            double p = m.Power / total, mean = n * p, sigma = Math.Sqrt(n * p * (1 - p));
            Assert.InRange(counts.GetValueOrDefault(m.Id), mean - 5 * sigma, mean + 5 * sigma);
        }
    }

    [Fact]
    public void Excluded_NeverDrawn_NullWhenAllExcluded()
    {
        var excluded = new HashSet<string> { "foo", "baz" };
        for (ulong epoch = 1; epoch <= 300; epoch++)
        {
            Assert.Equal("bar", StakeLottery.Draw(FooBarBaz, 3, epoch, 1, excluded));
            var one = new HashSet<string> { "foo" };
            Assert.NotEqual("foo", StakeLottery.Draw(FooBarBaz, 3, epoch, 2, one));
        }

        Assert.Null(StakeLottery.Draw(FooBarBaz, 3, 1, 1, new HashSet<string> { "foo", "bar", "baz" }));
    }

    [Fact]
    public void Term_ChangesTheDraw()
    {
        var term0 = Enumerable.Range(1, 50).Select(e => StakeLottery.Draw(FooBarBaz, 9, (ulong)e, 0)).ToArray();
        var term1 = Enumerable.Range(1, 50).Select(e => StakeLottery.Draw(FooBarBaz, 9, (ulong)e, 1)).ToArray();
        Assert.NotEqual(term0, term1);
    }

    [Fact]
    public void RejectsInvalidCommittee()
    {
        Assert.Throws<ArgumentException>(() => StakeLottery.Draw([], 0, 1));
        Assert.Throws<ArgumentException>(() => StakeLottery.Draw(Members("a:1,a:1"), 0, 1));
        Assert.Throws<ArgumentException>(() => StakeLottery.Draw(Members("a:-1"), 0, 1));
    }
}
