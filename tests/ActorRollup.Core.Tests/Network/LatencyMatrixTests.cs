using ActorRollup.Core.Network;

namespace ActorRollup.Core.Tests.Network;

public class LatencyMatrixTests
{
    private const string TwoRegions = """{"rttMs": {"A": {"A": 2, "B": 200}, "B": {"B": 2}}}""";

    [Fact]
    public void ParsesTheIssueExampleSymmetrically()
    {
        var m = LatencyMatrix.Parse(TwoRegions);
        Assert.Equal(["A", "B"], m.Regions);
        Assert.Equal(200, m.RttMs("A", "B"));
        Assert.Equal(200, m.RttMs("B", "A"));
        Assert.Equal(2, m.RttMs("B", "B"));
        Assert.Equal(0, m.JitterMs("A", "B"));
        Assert.Equal(0, m.LossPct("A", "B"));
    }

    [Fact]
    public void ReadsJitterAndLossInBothShapes()
    {
        var m = LatencyMatrix.Parse("""{"rttMs": {"A": {"A": 2, "B": 200}, "B": {"B": 2}}, "jitterMs": {"A": {"A": 0, "B": 10}, "B": {"B": 1}}, "lossPct": 5}""");
        Assert.Equal(10, m.JitterMs("B", "A"));
        Assert.Equal(5, m.LossPct("A", "B"));
        Assert.Equal(0, m.LossPct("A", "A"));
        var perPair = LatencyMatrix.Parse("""{"rttMs": {"A": {"A": 2, "B": 200}, "B": {"B": 2}}, "lossPct": {"A": {"A": 1, "B": 50}, "B": {"B": 0}}}""");
        Assert.Equal(50, perPair.LossPct("B", "A"));
        Assert.Equal(1, perPair.LossPct("A", "A"));
    }

    [Theory]
    [InlineData("""{"rttMs": {"A": {"A": 2, "B": 200}}}""", "no value for the pair B–B")]
    [InlineData("""{"rttMs": {"A": {"A": 2, "B": 200}, "B": {"B": 2, "A": 150}}}""", "symmetric")]
    [InlineData("""{"rttMs": {"A": {"A": -1}}}""", "outside 0..60000")]
    [InlineData("""{"rttMs": {"A": {"A": 1e9}}}""", "outside 0..60000")]
    [InlineData("""{"rttMs": {"A": {"A": "NaN"}}}""", "not a number")]
    [InlineData("""{"rttMs": {"A": {"A": 1}}, "latency": 3}""", "unknown key \"latency\"")]
    [InlineData("""{"rttMs": {"A": {"A": 1}}, "lossPct": 101}""", "outside 0..100")]
    [InlineData("""{"rttMs": {"A": {"A": 1}}, "jitterMs": {"A": {"C": 1}}}""", "names region 'C', which \"rttMs\" does not")]
    [InlineData("""{"rttMs": {"A": {"A": 1}}, "jitterMs": {}}""", "jitterMs\" has no value for the pair A–A")]
    [InlineData("""{"rttMs": {"A b": {"A b": 1}}}""", "not a region name")]
    [InlineData("""{"rttMs": {}}""", "names no region")]
    [InlineData("""{"jitterMs": {}}""", "\"rttMs\" is missing")]
    [InlineData("""[1]""", "top level")]
    [InlineData("""{"rttMs": {"A": {"A": 1}""", "not valid JSON")]
    [InlineData("""{"rttMs": {"A": {"A": 1}}, "rttMs": {"A": {"A": 1}}}""", "given twice")]
    public void RefusesBadMatricesWithOneLine(string json, string expected)
    {
        var e = Assert.Throws<FormatException>(() => LatencyMatrix.Parse(json, "t.json"));
        Assert.Contains(expected, e.Message);
        Assert.DoesNotContain('\n', e.Message);
        Assert.StartsWith("network 't.json'", e.Message);
    }

    [Fact]
    public void BoundsTheRegionCount()
    {
        var names = Enumerable.Range(0, LatencyMatrix.MaxRegions + 1).Select(i => $"r{i}").ToList();
        var json = "{\"rttMs\": {" + string.Join(",", names.Select(n => $"\"{n}\": {{\"{n}\": 1}}")) + "}}";
        var e = Assert.Throws<FormatException>(() => LatencyMatrix.Parse(json));
        Assert.Contains($"more than {LatencyMatrix.MaxRegions} regions", e.Message);
    }

    [Fact]
    public void TheBuiltInAwsMatrixIsCompleteAndPlausible()
    {
        var aws = LatencyMatrix.Load("aws");
        Assert.Equal("aws", aws.Name);
        Assert.Contains("us-east-1", aws.Regions);
        Assert.Contains("eu-west-1", aws.Regions);
        Assert.Contains("ap-northeast-1", aws.Regions);
        Assert.True(aws.Regions.Count >= 30);
        // Transatlantic is tens of ms, transpacific over a hundred, within a region a few.
        Assert.InRange(aws.RttMs("us-east-1", "eu-west-1"), 50, 100);
        Assert.InRange(aws.RttMs("ap-northeast-1", "us-east-1"), 120, 200);
        Assert.InRange(aws.RttMs("us-east-1", "us-east-1"), 0, 15);
        Assert.True(aws.JitterMs("us-east-1", "eu-west-1") > 0);
    }

    [Fact]
    public void LoadsAFileAndNamesAMissingOne()
    {
        var path = Path.Combine(Path.GetTempPath(), $"net-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, TwoRegions);
        try
        {
            Assert.Equal(path, LatencyMatrix.Load(path).Name);
        }
        finally
        {
            File.Delete(path);
        }
        var e = Assert.Throws<FormatException>(() => LatencyMatrix.Load(path));
        Assert.Contains("no such file", e.Message);
    }
}

public class RegionSpecTests
{
    [Fact]
    public void CountsAssignInIdOrderAndRoundRobinDealsOut()
    {
        Assert.Equal(["A", "A", "B", "C", "C", "C"], RegionSpec.Parse("A:2,B:1,C:3", 6));
        Assert.Equal(["A", "B", "C", "A", "B"], RegionSpec.Parse("A,B,C", 5));
        Assert.Equal(["A", "B"], RegionSpec.Parse(" A , B ", 2));
    }

    [Fact]
    public void ACountedSpecWrapsPastItsTotalInASilo()
    {
        var spec = RegionSpec.Parse("A:1,B:2");
        Assert.Equal("A", spec.RegionOf(3));
        Assert.Equal("B", spec.RegionOf(5));
    }

    [Theory]
    [InlineData("A:2,B:2", "add up to 4, not 3")]
    [InlineData("A:0,B:3", "positive whole number")]
    [InlineData("A:-1,B:4", "positive whole number")]
    [InlineData("A:x", "positive whole number")]
    [InlineData("A,A", "named twice")]
    [InlineData("A:1,B", "a count (R:N) or none")]
    [InlineData("A,,B", "not a region name")]
    [InlineData("", "empty")]
    [InlineData("a b", "not a region name")]
    public void RefusesBadSpecsWithOneLine(string spec, string expected)
    {
        var e = Assert.Throws<FormatException>(() => RegionSpec.Parse(spec, 3));
        Assert.Contains(expected, e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void NamesTheRegionTheMatrixLacks()
    {
        var m = LatencyMatrix.Parse("""{"rttMs": {"A": {"A": 2, "B": 200}, "B": {"B": 2}}}""", "two");
        RegionSpec.Parse("A,B").CheckIn(m);
        var e = Assert.Throws<FormatException>(() => RegionSpec.Parse("A:1,Z:2").CheckIn(m));
        Assert.Contains("region 'Z' is not in the network 'two'", e.Message);
    }
}

public class NetworkModelTests
{
    private static readonly LatencyMatrix Matrix = LatencyMatrix.Parse(
        """{"rttMs": {"A": {"A": 2, "B": 200}, "B": {"B": 2}}, "jitterMs": {"A": {"A": 0, "B": 20}, "B": {"B": 0}}, "lossPct": {"A": {"A": 0, "B": 30}, "B": {"B": 0}}}""");

    private static readonly NetNode A1 = new("A", "a1"), A2 = new("A", "a2"), B1 = new("B", "b1");

    [Fact]
    public void OneWayIsHalfTheRoundTripPlusBoundedJitter()
    {
        var model = new NetworkModel(Matrix, 7, TimeSpan.FromSeconds(1));
        Assert.Equal(TimeSpan.FromMilliseconds(1), model.Send(A1, A2).Delay);
        Assert.Equal(Leg.Free, model.Send(A1, A1));
        var delivered = Enumerable.Range(0, 2000).Select(_ => model.Send(A1, B1)).Where(l => !l.Lost).Select(l => l.Delay.TotalMilliseconds).ToList();
        Assert.All(delivered, ms => Assert.InRange(ms, 100, 110));
        Assert.True(delivered.Max() - delivered.Min() > 5, "jitter varies the delay");
    }

    [Fact]
    public void LossIsASeededBernoulli()
    {
        var model = new NetworkModel(Matrix, 7, TimeSpan.FromSeconds(1));
        int lost = Enumerable.Range(0, 4000).Count(_ => model.Send(A1, B1).Lost);
        Assert.InRange(lost, 4000 * 0.25, 4000 * 0.35);
        Assert.DoesNotContain(Enumerable.Range(0, 100), _ => model.Send(A1, A2).Lost);
    }

    [Fact]
    public void TheSameSeedGivesTheSameSequence()
    {
        List<Leg> Run(ulong seed)
        {
            var m = new NetworkModel(Matrix, seed, TimeSpan.FromSeconds(1));
            return Enumerable.Range(0, 200).Select(_ => m.Send(A1, B1)).ToList();
        }
        Assert.Equal(Run(42), Run(42));
        Assert.NotEqual(Run(42), Run(43));
    }

    [Fact]
    public void PartitionsCutRegionsAndNodesUntilHealed()
    {
        var clean = LatencyMatrix.Parse("""{"rttMs": {"A": {"A": 2, "B": 200}, "B": {"B": 2}}}""");
        var model = new NetworkModel(clean, 1, TimeSpan.FromSeconds(1));
        model.CutOff("B");
        Assert.True(model.Send(A1, B1).Lost);
        Assert.True(model.Send(B1, A1).Lost);
        Assert.False(model.Send(A1, A2).Lost);
        Assert.False(model.Send(B1, new NetNode("B", "b2")).Lost);
        model.Heal();
        Assert.False(model.Send(A1, B1).Lost);
        model.Isolate("a2");
        Assert.True(model.Send(A1, A2).Lost);
        Assert.True(model.Send(A2, B1).Lost);
        Assert.False(model.Send(A1, B1).Lost);
        Assert.False(model.Send(A2, A2).Lost);
        model.Heal();
        Assert.False(model.Send(A1, A2).Lost);
        Assert.Throws<ArgumentException>(() => model.CutOff("Z"));
    }

    [Fact]
    public void IsSafeToCallFromManyThreads()
    {
        var model = new NetworkModel(Matrix, 3, TimeSpan.FromSeconds(1));
        Parallel.For(0, 20_000, i =>
        {
            var leg = model.Send(A1, B1);
            if (!leg.Lost) Assert.InRange(leg.Delay.TotalMilliseconds, 100, 110);
            if (i % 1000 == 0) { model.Isolate("x" + i); model.Heal(); }
        });
    }
}
