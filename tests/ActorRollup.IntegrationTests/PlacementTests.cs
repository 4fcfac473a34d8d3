using Xunit.Abstractions;
using ActorRollup.Core.Network;
using ActorRollup.Core.Placement;
using ActorRollup.Grains.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Runtime.MembershipService.SiloMetadata;
using Orleans.TestingHost;

namespace ActorRollup.IntegrationTests;

/// <summary>
/// Three silos that are regions A, B and C (silo metadata, as <c>Cluster:Region</c> sets it), with a network model of
/// A..D at 2 ms (a study model: the distances do not matter here). The silo-wide member spread is region D, which no
/// silo is: a chain without its own spread has its members placed by the plain rule (as when their region is down).
/// </summary>
public sealed class PlacementClusterFixture : IAsyncLifetime
{
    public static readonly string[] SiloRegions = ["A", "B", "C"];
    private const string Matrix = """{"rttMs": {"A": {"A": 0, "B": 2, "C": 2, "D": 2}, "B": {"B": 0, "C": 2, "D": 2}, "C": {"C": 0, "D": 2}, "D": {"D": 0}}}""";
    private string _file = "";
    public InProcessTestCluster Cluster { get; private set; } = null!;
    public IClusterClient Client => Cluster.Client;

    public async Task InitializeAsync()
    {
        _file = Path.Combine(Path.GetTempPath(), $"actorrollup-place-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(_file, Matrix);
        var network = new NetworkOptions { Model = _file, Regions = "D", ClientRegion = "D", Seed = 5 };
        var builder = new InProcessTestClusterBuilder(3);
        builder.ConfigureSilo((options, silo) =>
        {
            ActorRollup.Silo.RollupSilo.AddDurability(silo, redis: null);
            silo.Services.AddActorRollupGrains();
            ActorRollup.Silo.RollupSilo.AddNetwork(silo, network);
            ActorRollup.Silo.RollupSilo.AddRegion(silo, SiloRegions[int.Parse(options.SiloName.Split('_')[^1]) % SiloRegions.Length]);
            silo.Configure<TrustOptions>(o =>
            {
                o.OperatorKey = TestCallers.OperatorKey;
                o.InternalKey = TestCallers.InternalKey;
            });
        });
        builder.ConfigureClient(client => client.AddOutgoingGrainCallFilter<TestCallers.Presenter>());
        Cluster = builder.Build();
        await Cluster.DeployAsync();
        await Cluster.WaitForLivenessToStabilizeAsync();
        // Each silo learns the others' metadata from membership updates: wait until every silo knows every region.
        await Poll.Until(() => Task.FromResult(Cluster.Silos.Sum(s => Known(s))), n => n == 9, TimeSpan.FromSeconds(30), "every silo knows every silo's region");
    }

    private int Known(InProcessSiloHandle silo)
    {
        var cache = silo.ServiceProvider.GetRequiredService<ISiloMetadataCache>();
        return Cluster.Silos.Count(s => RollupPlacementDirector.SiloRegion(cache, s.SiloAddress) is not null);
    }

    /// <summary>The region each silo is, from its own metadata.</summary>
    public string RegionOf(SiloAddress silo)
    {
        var cache = Cluster.Silos[0].ServiceProvider.GetRequiredService<ISiloMetadataCache>();
        return RollupPlacementDirector.SiloRegion(cache, silo) ?? "?";
    }

    public SiloAddress[] SortedSilos() => RollupPlacementDirector.Sort(Cluster.GetActiveSilos().Select(s => s.SiloAddress));

    public async Task DisposeAsync()
    {
        await Cluster.StopAllSilosAsync();
        await Cluster.DisposeAsync();
        File.Delete(_file);
    }
}

[CollectionDefinition(Name)]
public sealed class PlacementClusterCollection : ICollectionFixture<PlacementClusterFixture>
{
    public const string Name = "placement-cluster";
}

[Collection(PlacementClusterCollection.Name)]
public sealed class PlacementTests(PlacementClusterFixture fixture, ITestOutputHelper output)
{
    private static readonly ulong[] SixStakes = [30_000, 28_000, 26_000, 24_000, 22_000, 20_000];

    [Fact]
    public async Task Members_spread_over_the_silos_by_the_rule_and_the_chain_wide_grains_stay_together()
    {
        var chain = await TestChain.Start(fixture.Client, "place-spread", stakes: SixStakes, validators: 3);
        await chain.WaitForHeight(2);
        var silos = fixture.SortedSilos();
        var members = await HostsOf(chain, chain.Genesis.Sequencers.Select(s => (s.Id, (IAddressable)chain.Sequencer(s.Id))));
        foreach (var (id, host) in members)
            Assert.Equal(silos[PlacementRule.MemberSlot(chain.Id, id, silos.Length)], host);
        Assert.True(members.Values.Distinct().Count() == 3, $"6 members on 3 silos use all three: {Describe(members)}");
        Assert.All(members.Values.GroupBy(h => h), g => Assert.Equal(2, g.Count()));
        var validators = await HostsOf(chain, chain.Genesis.Validators.Select(v => (v.Id, (IAddressable)chain.Validator(v.Id))));
        foreach (var (id, host) in validators)
            Assert.Equal(silos[PlacementRule.MemberSlot(chain.Id, id, silos.Length, PlacementRule.ValidatorStart)], host);
        await AssertChainWideTogether(chain, silos);
        output.WriteLine(Describe(members));
    }

    [Fact]
    public async Task Members_of_a_region_are_placed_on_that_regions_silo()
    {
        // The chain's own spread (as a load test gives each run): seq-000,001 in A, 002,003 in B, 004,005 in C;
        // validators round-robin C, A, B. Every silo's model gets it before any of the chain's grains is called.
        var chain = await TestChain.Start(fixture.Client, "place-region", stakes: SixStakes, validators: 3, configure: config =>
        {
            foreach (var silo in fixture.Cluster.Silos)
                silo.ServiceProvider.GetRequiredService<NetworkTopology>().Assign(config.ChainId, RegionSpec.Parse("A:2,B:2,C:2"), RegionSpec.Parse("C,A,B"));
        });
        await chain.WaitForHeight(2);
        var members = await HostsOf(chain, chain.Genesis.Sequencers.Select(s => (s.Id, (IAddressable)chain.Sequencer(s.Id))));
        string[] expected = ["A", "A", "B", "B", "C", "C"];
        Assert.Equal(expected, chain.Genesis.Sequencers.Select(s => fixture.RegionOf(members[s.Id])).ToArray());
        var validators = await HostsOf(chain, chain.Genesis.Validators.Select(v => (v.Id, (IAddressable)chain.Validator(v.Id))));
        Assert.Equal(["C", "A", "B"], chain.Genesis.Validators.Select(v => fixture.RegionOf(validators[v.Id])).ToArray());
        await AssertChainWideTogether(chain, fixture.SortedSilos());
        // And the chain works across them: a transfer commits.
        var tx = chain.Transfer(0, 1, 5);
        Assert.Equal(Core.Transactions.AdmissionReason.Ok, (await chain.Submit(tx))[0].Reason);
        await chain.WaitForLevel(tx.Hash, Abstractions.Messages.TxLevel.SoftConfirmed);
        foreach (var silo in fixture.Cluster.Silos) silo.ServiceProvider.GetRequiredService<NetworkTopology>().Unassign(chain.Id);
    }

    [Fact]
    public async Task Every_silo_learns_the_leader_from_the_members_it_hosts()
    {
        var chain = await TestChain.Start(fixture.Client, "place-leader", stakes: SixStakes, validators: 3);
        await chain.WaitForHeight(3);
        var status = await chain.Status();
        // Every silo hosts members (6 on 3), so every silo's leader table names the chain's leader after a few blocks.
        await Poll.Until(async () =>
        {
            var leader = (await chain.Status()).Leader;
            return fixture.Cluster.Silos.Select(s => s.ServiceProvider.GetRequiredService<NetworkLeaders>().Get(chain.Id)).All(l => l == leader);
        }, ok => ok, TimeSpan.FromSeconds(20), $"every silo's NetworkLeaders names the leader (was {status.Leader})");
    }

    private async Task AssertChainWideTogether(TestChain chain, SiloAddress[] silos)
    {
        var wide = await HostsOf(chain, [("chain", chain.Chain), ("mempool", chain.Mempool), ("rotation", chain.Rotation), ("settlement", chain.Settlement)]);
        var expected = silos[PlacementRule.ChainSlot(chain.Id, silos.Length)];
        Assert.All(wide, w => Assert.Equal(expected, w.Value));
    }

    /// <summary>Where each grain is active (each polled until it is: members activate as the chain starts).</summary>
    private async Task<Dictionary<string, SiloAddress>> HostsOf(TestChain chain, IEnumerable<(string Name, IAddressable Grain)> grains)
    {
        var management = fixture.Client.GetGrain<IManagementGrain>(0);
        var hosts = new Dictionary<string, SiloAddress>();
        foreach (var (name, grain) in grains)
            hosts[name] = await Poll.Until(() => management.GetActivationAddress(grain).AsTask(), a => a is not null, TimeSpan.FromSeconds(20), $"{name} of {chain.Id} active")
                          ?? throw new InvalidOperationException();
        return hosts;
    }

    private string Describe(Dictionary<string, SiloAddress> hosts) =>
        string.Join("; ", hosts.GroupBy(h => h.Value).Select(g => $"{g.Key} ({fixture.RegionOf(g.Key)}): {string.Join(",", g.Select(x => x.Key))}"));
}
