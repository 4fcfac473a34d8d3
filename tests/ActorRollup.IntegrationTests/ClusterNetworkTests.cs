using System.Text.RegularExpressions;
using ActorRollup.Harness.Supervisor;

namespace ActorRollup.IntegrationTests;

/// <summary><c>rollup cluster up --network</c> (docs/NETWORK.md, "A running cluster"): bad values are refused before
/// anything starts; a good one reaches every silo as Network:* settings, is recorded, and <c>status</c> shows each
/// committee member's region.</summary>
[Collection(LocalClusterCollection.Name)]
public sealed class ClusterNetworkTests : IDisposable
{
    private readonly string _state = Directory.CreateTempSubdirectory("actorrollup-clnet-").FullName;

    public void Dispose()
    {
        var record = new ClusterStateFolder(_state).Load();
        foreach (var silo in record?.Silos ?? [])
            if (LocalProcess.IsAlive(silo.Pid, silo.ProcessStart)) LocalProcess.Kill(silo.Pid);
        Directory.Delete(_state, recursive: true);
    }

    [Theory]
    [InlineData("--network aws --regions us-east-1,mars-1", "region 'mars-1' is not in the network 'aws'")]
    [InlineData("--network aws", "--regions: give the members' regions")]
    [InlineData("--regions us-east-1", "--regions needs --network")]
    [InlineData("--network nowhere.json --regions A", "network 'nowhere.json': not 'aws' and no such file")]
    [InlineData("--network aws --regions us-east-1:2,eu-west-1", "give every region a count (R:N) or none")]
    [InlineData("--network aws --regions us-east-1 --client-region eu-west-9", "--client-region: region 'eu-west-9' is not in the network 'aws'")]
    [InlineData("--network aws --regions us-east-1 --validator-regions us-east-1:0", "--validator-regions: regions: the count of 'us-east-1' must be a positive whole number")]
    public async Task Bad_network_values_exit_2_with_one_line_and_start_nothing(string options, string expected)
    {
        var folder = Path.Combine(_state, "st");
        var (exit, stdout, stderr) = await ClusterCommandTests.Run(["cluster", "up", "--silos", "1", "--state", folder, .. options.Split(' ')]);
        Assert.Equal(2, exit);
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("error: ", line);
        Assert.Contains(expected, line);
        Assert.Equal("", stdout);
        Assert.False(Directory.Exists(folder), "nothing may be started or recorded");
    }

    [Fact]
    public async Task Cluster_up_with_a_network_records_it_and_status_shows_each_members_region()
    {
        var siloBase = ClusterCommandTests.FreePortPair();
        var gatewayBase = ClusterCommandTests.FreePortPair(siloBase);
        var matrix = Path.Combine(_state, "two.json");
        await File.WriteAllTextAsync(matrix, """{"rttMs": {"here": {"here": 1, "there": 40}, "there": {"there": 1}}}""");
        var cwd = Directory.GetCurrentDirectory();
        var (exit, stdout, stderr) = await ClusterCommandTests.Run("cluster", "up", "--silos", "1", "--silo-port", siloBase.ToString(), "--gateway-port",
            gatewayBase.ToString(), "--state", _state, "--network", Path.GetRelativePath(cwd, matrix), "--regions", "here:3,there:5");
        try
        {
            Assert.True(exit == 0, $"exit {exit}: {stderr}\n{stdout}");
            Assert.Contains($"network: {matrix}   members here:3,there:5", stdout);
            var record = new ClusterStateFolder(_state).Load()!;
            Assert.Equal(new NetworkRecord { Model = matrix, Regions = "here:3,there:5" }, record.Network);
            // Silo 0 is the first region of --regions (Cluster:Region), recorded and shown.
            Assert.Equal("here", record.Silos[0].Region);
            Assert.Contains("region here", stdout);
            var log = await File.ReadAllTextAsync(record.Silos[0].Log);
            Assert.Contains($"network model {matrix}: members here:3,there:5", log);

            // The configured chain's eight members: seq-000..002 here, seq-003..007 there.
            (exit, stdout, stderr) = await Poll.Until(() => ClusterCommandTests.Run("status", "--state", _state),
                r => r.Exit == 0 && Regex.IsMatch(r.Stdout, @"leader seq-\d{3} .*leader's region (here|there)"), TimeSpan.FromSeconds(60), "status with a leader");
            Assert.Matches(@"network\s+\S+two\.json\s+members here:3,there:5", stdout);
            // Region, then the silo hosting the member (the one silo; "-" while it has no activation).
            var silo = $@"(127\.0\.0\.1:{siloBase}|-)";
            Assert.Matches($@"seq-001\s.*\shere\s+\|?\s*{silo}\s*\|?\s*$", stdout.Split('\n').Single(l => l.Contains("seq-001 ")));
            Assert.Matches($@"seq-006\s.*\sthere\s+\|?\s*{silo}\s*\|?\s*$", stdout.Split('\n').Single(l => l.Contains("seq-006 ")));
            Assert.Contains($"127.0.0.1:{siloBase}", stdout.Split('\n').Single(l => l.Contains("seq-001 ")));
            var leader = Regex.Match(stdout, @"leader (seq-(\d{3})) .*leader's region (\w+)");
            Assert.Equal(int.Parse(leader.Groups[2].Value) < 3 ? "here" : "there", leader.Groups[3].Value);
        }
        finally
        {
            (exit, _, stderr) = await ClusterCommandTests.Run("cluster", "down", "--state", _state);
            Assert.True(exit == 0, stderr);
        }
    }
}
