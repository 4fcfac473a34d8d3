using ActorRollup.Harness.LoadTest;

namespace ActorRollup.Harness.Tests;

/// <summary>loadtest --chains: the option's bounds, the aggregate of side-by-side chains, and cluster-wide faults fired once.</summary>
public sealed class ChainsOptionTests
{
    [Theory]
    [InlineData("0")]
    [InlineData("17")]
    public async Task Chains_out_of_range_is_refused_with_one_line(string value)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var exit = await Cli.RunAsync(["loadtest", "--chains", value], stdout, stderr);
        Assert.Equal(ExitCodes.Usage, exit);
        Assert.Equal("", stdout.ToString());
        Assert.Equal($"error: --chains must be from 1 to {LoadTestOptions.MaxChains}", Assert.Single(stderr.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries)));
    }

    private static RunResult Run(int size, int index, double tps, double p99, long committed, long lost = 0, bool audit = true) => new()
    {
        CommitteeSize = size,
        ChainIndex = index,
        Chains = 2,
        ChainId = $"c{size}-n{index}",
        OfferedTps = tps + 1,
        CommittedTps = tps,
        TxCommitted = committed,
        TxAdmitted = committed + lost,
        TxLost = lost,
        SupplyConserved = true,
        LatencyMs = new LatencySet(new Percentiles(p99 / 2, p99, p99), new Percentiles(0, 0, 0), new Percentiles(0, 0, 0)),
        AttestationRttMs = new RttResult(0, 0),
        Audit = new ActorRollup.Audit.AuditReport { ViolationCount = audit ? 0 : 1 },
    };

    [Fact]
    public void The_aggregate_sums_throughput_and_counts_takes_the_worst_latency_and_holds_a_check_only_when_every_chain_does()
    {
        var runs = new[] { Run(4, 1, 100, 50, 1_000), Run(4, 2, 300, 80, 3_000, lost: 2, audit: false), Run(16, 1, 200, 40, 2_000), Run(16, 2, 220, 45, 2_200) };
        var aggregates = AggregateResult.Of(runs);
        Assert.Equal([4, 16], aggregates.Select(a => a.CommitteeSize));
        var four = aggregates[0];
        Assert.Equal((2, 400.0, 402.0, 100.0, 300.0, 80.0, 4_000L, 2L), (four.Chains, four.CommittedTps, four.OfferedTps, four.MinChainCommittedTps, four.MaxChainCommittedTps, four.SoftConfirmP99Ms, four.TxCommitted, four.TxLost));
        Assert.False(four.AuditPassed);
        Assert.Equal(["c4-n1", "c4-n2"], four.ChainIds);
        Assert.True(aggregates[1].AuditPassed);
        Assert.Equal(420.0, aggregates[1].CommittedTps);
    }

    [Fact]
    public async Task A_cluster_wide_fault_fires_once_and_every_chain_gets_its_outcome()
    {
        var faults = new ClusterFaults();
        int fired = 0;
        var gate = new TaskCompletionSource();
        async Task<string> Fire()
        {
            Interlocked.Increment(ref fired);
            await gate.Task;
            return "silo 2 killed";
        }
        var first = Task.WhenAll(Enumerable.Range(0, 3).Select(_ => faults.Once(0, Fire)));
        gate.SetResult();
        Assert.All(await first, o => Assert.Equal("silo 2 killed", o));
        Assert.Equal(1, fired);
        // The next cluster-wide fault is a fault of its own.
        Assert.Equal("silo 2 killed", await faults.Once(1, Fire));
        Assert.Equal(2, fired);
        Assert.True(ClusterFaults.IsClusterWide(new FaultSpec("silo-kill", TimeSpan.Zero)));
        Assert.True(ClusterFaults.IsClusterWide(new FaultSpec(FaultSpec.Partition, TimeSpan.Zero, "eu-west-1")));
        Assert.False(ClusterFaults.IsClusterWide(new FaultSpec("leader-crash", TimeSpan.Zero)));
        Assert.False(ClusterFaults.IsClusterWide(new FaultSpec(FaultSpec.Isolate, TimeSpan.Zero, "leader")));
    }
}
