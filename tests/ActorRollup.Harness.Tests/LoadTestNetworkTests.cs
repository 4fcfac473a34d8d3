using ActorRollup.Abstractions.Messages;
using ActorRollup.Core.Network;
using ActorRollup.Core.Primitives;
using ActorRollup.Harness.LoadTest;

namespace ActorRollup.Harness.Tests;

/// <summary>A two-region matrix file (A and B 60 ms apart, 1 ms within each) for the network options' tests.</summary>
public sealed class TwoRegionMatrix : IDisposable
{
    public string Folder { get; } = Directory.CreateTempSubdirectory("actorrollup-net-").FullName;
    public string File => Path.Combine(Folder, "ab.json");
    public string BadFile => Path.Combine(Folder, "bad.json");

    public TwoRegionMatrix()
    {
        System.IO.File.WriteAllText(File, """{"rttMs": {"A": {"A": 1, "B": 60}, "B": {"B": 1}}}""");
        System.IO.File.WriteAllText(BadFile, """{"rttMs": {"A": {"A": 1, "B": 60}}}""");
    }

    public void Dispose() => Directory.Delete(Folder, recursive: true);
}

/// <summary>loadtest's network options and faults: every refusal is exit 2 with one line naming the option, before
/// anything runs.</summary>
public sealed class LoadTestNetworkOptionTests(TwoRegionMatrix matrix) : IClassFixture<TwoRegionMatrix>
{
    private static async Task<string> Refused(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var exit = await Cli.RunAsync(["loadtest", .. args], stdout, stderr);
        Assert.True(exit == ExitCodes.Usage, $"exit {exit}: {stderr}{stdout}");
        Assert.Equal("", stdout.ToString());
        return Assert.Single(stderr.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Theory]
    [InlineData("--regions", "A,B")]
    [InlineData("--validator-regions", "A,B")]
    [InlineData("--client-region", "A")]
    public async Task Region_options_need_a_network(string option, string value) =>
        Assert.Equal($"error: {option} needs --network (the regions are places in a network model: --network aws or a JSON matrix file)", await Refused(option, value));

    [Fact]
    public async Task A_network_with_a_gateway_is_refused_the_clusters_settings_apply()
    {
        var line = await Refused("--gateway", "127.0.0.1:1", "--network", matrix.File, "--regions", "A,B");
        Assert.StartsWith("error: --network cannot be used with --gateway: the cluster's Network:* settings apply", line);
    }

    [Fact]
    public async Task A_missing_or_unreadable_matrix_is_refused_naming_it()
    {
        Assert.StartsWith("error: --network 'no-such.json': not 'aws' and no such file", await Refused("--network", "no-such.json", "--regions", "A"));
        var bad = await Refused("--network", matrix.BadFile, "--regions", "A");
        Assert.StartsWith($"error: --network '{matrix.BadFile}':", bad);
        Assert.Contains("no value for the pair B–B", bad);
    }

    [Fact]
    public async Task A_network_needs_regions() =>
        Assert.StartsWith("error: --network needs --regions", await Refused("--network", matrix.File));

    [Theory]
    [InlineData("--regions", "A,C", "error: --regions: region 'C' is not in the network")]
    [InlineData("--regions", "A:2,B", "error: --regions 'A:2,B': give every region a count (R:N) or none")]
    [InlineData("--regions", "A,A", "error: --regions: 'A' is named twice")]
    [InlineData("--regions", "A:x", "error: --regions: the count of 'A' must be a positive whole number")]
    [InlineData("--validator-regions", "Z", "error: --validator-regions: region 'Z' is not in the network")]
    [InlineData("--client-region", "Q", "error: --client-region: region 'Q' is not in the network")]
    public async Task Unknown_or_malformed_regions_are_refused(string option, string value, string expected)
    {
        var args = new List<string> { "--network", matrix.File, "--committee", "4" };
        if (option != "--regions") args.AddRange(["--regions", "A,B"]);
        args.AddRange([option, value]);
        Assert.StartsWith(expected, await Refused([.. args]));
    }

    [Fact]
    public async Task Counts_must_add_up_to_the_committee_size() =>
        Assert.Equal("error: --regions 'A:1,B:2': the counts add up to 3, not the committee size 4",
            await Refused("--network", matrix.File, "--committee", "4", "--regions", "A:1,B:2"));

    [Fact]
    public async Task Counts_in_a_sweep_fit_one_size_and_the_round_robin_form_is_suggested()
    {
        var line = await Refused("--network", matrix.File, "--committee", "4,16", "--regions", "A:2,B:2");
        Assert.Contains("counts fit one committee size (they add up to 4)", line);
        Assert.EndsWith("give the round-robin form A,B", line);
    }

    [Fact]
    public async Task Validator_counts_must_add_up_to_validators() =>
        Assert.Equal("error: --validator-regions 'A:1,B:1': the counts add up to 2, not --validators 3",
            await Refused("--network", matrix.File, "--committee", "4", "--regions", "A,B", "--validators", "3", "--validator-regions", "A:1,B:1"));

    [Theory]
    [InlineData("partition@1s:A", false, "error: --faults: fault 'partition@1s:A' acts on the network model: it needs --network")]
    [InlineData("heal@1s", false, "error: --faults: fault 'heal@1s' acts on the network model: it needs --network")]
    [InlineData("isolate@1s:leader", false, "error: --faults: fault 'isolate@1s:leader' acts on the network model: it needs --network")]
    [InlineData("partition@1s:C", true, "error: --faults: fault 'partition@1s:C': region 'C' is not in the network")]
    [InlineData("isolate@1s:seq-004", true, "error: --faults: fault 'isolate@1s:seq-004': 'seq-004' is not a member of committee 4 (its members are seq-000..seq-003")]
    [InlineData("partition@1s", true, "error: --faults: fault 'partition@1s' needs the region to cut off")]
    [InlineData("isolate@1s", true, "error: --faults: fault 'isolate@1s' needs the member to isolate")]
    [InlineData("heal@1s:A", true, "error: --faults: fault 'heal@1s:A' takes no argument")]
    [InlineData("leader-crash@1s:A", true, "error: --faults: fault 'leader-crash@1s:A' takes no argument")]
    public async Task Network_faults_are_checked_against_the_network_and_committee(string faults, bool withNetwork, string expected)
    {
        var args = new List<string> { "--committee", "4,16", "--faults", faults };
        if (withNetwork) args.AddRange(["--network", matrix.File, "--regions", "A,B"]);
        Assert.StartsWith(expected, await Refused([.. args]));
    }

    [Fact]
    public void Network_faults_parse_with_their_argument()
    {
        var list = FaultSpec.TryParseList("heal@3s,partition@1s:eu-west-1,isolate@2500ms:leader,leader-crash@1s", out var error);
        Assert.Equal("", error);
        Assert.Equal(
            [new FaultSpec("partition", TimeSpan.FromSeconds(1), "eu-west-1"), new FaultSpec("leader-crash", TimeSpan.FromSeconds(1)),
             new FaultSpec("isolate", TimeSpan.FromMilliseconds(2500), "leader"), new FaultSpec("heal", TimeSpan.FromSeconds(3))],
            list!);
        Assert.Equal("partition@1s:eu-west-1", list![0].ToString());
    }

    [Fact]
    public void The_network_describes_every_member_validator_and_the_client()
    {
        var net = LoadTestNetwork.TryCreate(matrix.File, "A:1,B:3", null, null, false, [4], 2, out var error);
        Assert.Null(error);
        var d = net!.Describe(4, 2);
        Assert.Equal(matrix.File, d.File);
        Assert.Null(d.Name);
        Assert.Equal("A", d.ClientRegion);
        Assert.Equal(new Dictionary<string, string> { ["seq-000"] = "A", ["seq-001"] = "B", ["seq-002"] = "B", ["seq-003"] = "B" }, d.Members);
        // Member counts that do not fit the validators deal the same regions round-robin.
        Assert.Equal(new Dictionary<string, string> { ["val-00"] = "A", ["val-01"] = "B" }, d.Validators);
        Assert.Null(LoadTestNetwork.TryCreate(null, null, null, null, true, [4], 4, out error));
        Assert.Null(error);
    }
}

/// <summary>The quorum round trip (Core.Network.QuorumRtt) and the leader-timeout rule built on it.</summary>
public sealed class QuorumRttTests
{
    private static readonly LatencyMatrix Three = LatencyMatrix.Parse(
        """{"rttMs": {"A": {"A": 2, "B": 60, "C": 200}, "B": {"B": 2, "C": 150}, "C": {"C": 2}}, "jitterMs": {"A": {"A": 0, "B": 10, "C": 20}, "B": {"B": 0, "C": 30}, "C": {"C": 0}}}""");

    [Theory]
    [InlineData(1, 1)]
    [InlineData(3, 3)]
    [InlineData(4, 3)]
    [InlineData(6, 5)]
    [InlineData(7, 5)]
    [InlineData(16, 11)]
    public void A_quorum_is_more_than_two_thirds_of_the_seats(int seats, int quorum) => Assert.Equal(quorum, QuorumRtt.QuorumSeats(seats));

    [Fact]
    public void One_region_costs_its_own_round_trip_and_a_single_member_nothing()
    {
        Assert.Equal(2, QuorumRtt.WorstMs(Three, ["A", "A", "A", "A"]));
        Assert.Equal(0, QuorumRtt.WorstMs(Three, ["C"]));
    }

    [Fact]
    public void Two_plus_two_crosses_regions_for_every_leader()
    {
        // 3 of 4 seats: the leader, its neighbour, one member across (60 + 10 jitter).
        Assert.Equal(70, QuorumRtt.ForLeaderMs(Three, ["A", "A", "B", "B"], 0));
        Assert.Equal(70, QuorumRtt.WorstMs(Three, ["A", "A", "B", "B"]));
    }

    [Fact]
    public void The_worst_leader_is_the_farthest_one()
    {
        // Committee A, A, B, C: from A the third seat is B (70); from B it is A (70); from C the nearest two are B (180) and A (220).
        string[] regions = ["A", "A", "B", "C"];
        Assert.Equal(70, QuorumRtt.ForLeaderMs(Three, regions, 1));
        Assert.Equal(220, QuorumRtt.ForLeaderMs(Three, regions, 3));
        Assert.Equal(220, QuorumRtt.WorstMs(Three, regions));
        // A majority in one region keeps the quorum there for its leaders, not for the others.
        Assert.Equal(2, QuorumRtt.ForLeaderMs(Three, ["A", "A", "A", "A", "A", "C"], 0));
        Assert.Equal(220, QuorumRtt.WorstMs(Three, ["A", "A", "A", "A", "A", "C"]));
    }

    [Fact]
    public void Voting_power_decides_how_far_the_quorum_reaches()
    {
        // A, A, B, B with powers 1, 1, 1, 10 (total 13, a quorum is more than 8.67): the heavy member leads alone, at no
        // cost; a light leader in A needs the heavy member across (60 + 10 jitter).
        long[] powers = [1, 1, 1, 10];
        string[] regions = ["A", "A", "B", "B"];
        Assert.Equal(0, QuorumRtt.ForLeaderMs(Three, regions, 3, powers));
        Assert.Equal(70, QuorumRtt.ForLeaderMs(Three, regions, 0, powers));
        Assert.Equal(70, QuorumRtt.WorstMs(Three, regions, powers));
        // Equal powers are the equal-seat case.
        Assert.Equal(QuorumRtt.WorstMs(Three, ["A", "A", "B", "C"]), QuorumRtt.WorstMs(Three, ["A", "A", "B", "C"], [5, 5, 5, 5]));
        Assert.Throws<ArgumentException>(() => QuorumRtt.ForLeaderMs(Three, regions, 0, [1, 1, 1]));
        Assert.Throws<ArgumentException>(() => QuorumRtt.ForLeaderMs(Three, regions, 0, [1, 1, 0, 1]));
    }

    [Theory]
    // quorum rtt, block interval, machine rule, expected
    [InlineData(0.0, 100, 400, 400)]       // no network cost: the machine rule
    [InlineData(60.0, 100, 400, 400)]      // 380 -> 400
    [InlineData(70.0, 100, 400, 500)]      // 410 -> 500
    [InlineData(250.0, 100, 900, 1_000)]   // 950 -> 1000
    [InlineData(250.0, 100, 2_000, 2_000)] // never below the machine rule
    [InlineData(5_000.0, 100, 400, 10_000)] // capped at 10 s
    public void The_network_leader_timeout_is_three_quorum_round_trips_and_two_intervals(double q, int interval, int machine, int expected) =>
        Assert.Equal(expected, QuorumRtt.LeaderTimeoutMs(q, interval, machine));
}

/// <summary>The block interval and soft-confirm breakdown read off BlockViews.</summary>
public sealed class LatencyBreakdownTests
{
    private static BlockView Block(ulong height, long built, long appendReceived, long committed, params long[] admitted) =>
        new(height, Hash32.Zero, Hash32.Zero, 0, 1, "seq-000", Hash32.Zero, Hash32.Zero, admitted.Length, [], 0, 0, built, committed, 0, 0,
            admitted.Select(_ => Hash32.Zero).ToArray(), admitted, UInt128.Zero) { AppendReceivedAtMs = appendReceived };

    [Fact]
    public void Each_transaction_splits_into_queueing_attestation_round_and_commit()
    {
        var blocks = new[]
        {
            Block(1, built: 1_000, appendReceived: 1_070, committed: 1_075, 990, 950),  // queueing 10, 50; attestation 70; commit 5
            Block(2, built: 1_100, appendReceived: 1_180, committed: 1_200, 1_090),     // queueing 10; attestation 80; commit 20
            Block(3, built: 1_200, appendReceived: 0, committed: 1_300, 1_150),         // unknown append time: queueing only (50)
            Block(4, built: 1_300, appendReceived: 1_400, committed: 1_410, 0, 100),    // no admission time; 100 is outside the window
        };
        var b = LatencyBreakdown.SoftConfirm(blocks, at => at >= 900);
        Assert.Equal(new PercentilePair(10, 50), b.Queueing);               // 10, 10, 50, 50
        Assert.Equal(new PercentilePair(70, 80), b.AttestationRound);       // 70, 70, 80
        Assert.Equal(new PercentilePair(5, 20), b.Commit);                  // 5, 5, 20
    }

    [Fact]
    public void The_block_interval_is_between_consecutive_commits_in_the_window()
    {
        var blocks = new[]
        {
            Block(3, 0, 0, 1_300), Block(1, 0, 0, 1_000), Block(2, 0, 0, 1_100), Block(4, 0, 0, 1_600), Block(6, 0, 0, 1_700),
        };
        // 2: 100, 3: 200, 4: 300 (6 has no predecessor 5); block 1 has none either.
        Assert.Equal(new PercentilePair(200, 300), LatencyBreakdown.BlockInterval(blocks, _ => true));
        Assert.Equal(new PercentilePair(100, 100), LatencyBreakdown.BlockInterval(blocks, at => at < 1_200));
        Assert.Equal(PercentilePair.Zero, LatencyBreakdown.BlockInterval([], _ => true));
    }

    [Fact]
    public void Percentiles_are_nearest_rank() =>
        Assert.Equal(new PercentilePair(50, 99), LatencyBreakdown.Pair(Enumerable.Range(1, 100).Select(i => (long)i).Reverse().ToList()));
}
