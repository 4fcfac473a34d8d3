using ActorRollup.Abstractions;
using ActorRollup.Grains.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;

namespace ActorRollup.IntegrationTests;

/// <summary>A one-silo cluster with a two-region network: "near" and "far", 200 ms apart (2 ms within each).
/// Members seq-000..004 are near, seq-005..009 far; the client is near.</summary>
public sealed class NetworkClusterFixture : IAsyncLifetime
{
    public const string Matrix = """{"rttMs": {"near": {"near": 2, "far": 200}, "far": {"far": 2}}}""";
    private string _file = "";
    public InProcessTestCluster Cluster { get; private set; } = null!;
    public IClusterClient Client => Cluster.Client;

    public async Task InitializeAsync()
    {
        _file = Path.Combine(Path.GetTempPath(), $"actorrollup-net-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(_file, Matrix);
        var network = new NetworkOptions { Model = _file, Regions = "near:5,far:5", ClientRegion = "near", Seed = 11 };
        var builder = new InProcessTestClusterBuilder(1);
        builder.ConfigureSilo((_, silo) =>
        {
            ActorRollup.Silo.RollupSilo.AddDurability(silo, redis: null);
            silo.Services.AddActorRollupGrains();
            ActorRollup.Silo.RollupSilo.AddNetwork(silo, network);
            silo.Configure<TrustOptions>(o =>
            {
                o.OperatorKey = TestCallers.OperatorKey;
                o.InternalKey = TestCallers.InternalKey;
            });
        });
        builder.ConfigureClient(client => client.AddOutgoingGrainCallFilter<TestCallers.Presenter>());
        Cluster = builder.Build();
        await Cluster.DeployAsync();
    }

    public async Task DisposeAsync()
    {
        await Cluster.StopAllSilosAsync();
        await Cluster.DisposeAsync();
        File.Delete(_file);
    }
}

[CollectionDefinition(Name)]
public sealed class NetworkClusterCollection : ICollectionFixture<NetworkClusterFixture>
{
    public const string Name = "network-cluster";
}

[Collection(NetworkClusterCollection.Name)]
public sealed class NetworkTests(NetworkClusterFixture fixture)
{
    [Fact]
    public async Task AttestationsAcrossRegionsTakeTheRoundTripAndWithinARegionDoNot()
    {
        static void Slow(Abstractions.Config.ChainConfig c)
        {
            c.BlockIntervalMs = 100;
            c.LeaderTimeoutMs = 10_000;
            c.CommitteeSize = 10;
        }
        // All five members near: every attestation stays in the region.
        var local = await TestChain.Start(fixture.Client, "net-local", Slow, stakes: [30_000, 28_000, 26_000, 24_000, 22_000], validators: 1);
        // Ten members, half the stake in each region: no region holds a two-thirds quorum, so every quorum crosses.
        var wide = await TestChain.Start(fixture.Client, "net-wide", Slow, stakes: Enumerable.Repeat(30_000UL, 10).ToArray(), validators: 1);

        async Task<long[]> Rtts(TestChain chain, int members) =>
            (await Task.WhenAll(Enumerable.Range(0, members).Select(i => chain.Sequencer($"seq-{i:D3}").GetAttestationRtts()))).SelectMany(r => r).ToArray();

        var wideRtts = await Poll.Until(() => Rtts(wide, 10), r => r.Length >= 3, TimeSpan.FromSeconds(60), "attestations on the two-region chain");
        var localRtts = await Poll.Until(() => Rtts(local, 5), r => r.Length >= 3, TimeSpan.FromSeconds(60), "attestations on the one-region chain");
        // Microseconds. Medians: an activation or a GC pause on a loaded machine may stretch one round.
        static long Median(long[] r) => r.Order().ElementAt(r.Length / 2);
        Assert.True(wideRtts.Min() >= 200_000, $"two-region attestation rtts (µs): {string.Join(",", wideRtts)}");
        Assert.True(Median(localRtts) < 100_000, $"one-region attestation rtts (µs): {string.Join(",", localRtts)}");
        using (TestCallers.AsOperator())
        {
            await local.Rotation.Retire();
            await wide.Rotation.Retire();
        }
    }
}

[Collection(ClusterCollection.Name)]
public sealed class NoNetworkTests(ClusterFixture fixture)
{
    [Fact]
    public async Task WithoutANetworkNoFilterIsRegisteredAndCallsAreNotDelayed()
    {
        foreach (var silo in fixture.Cluster.Silos)
        {
            Assert.Null(silo.ServiceProvider.GetService<NetworkTopology>());
            Assert.DoesNotContain(silo.ServiceProvider.GetServices<IOutgoingGrainCallFilter>(), f => f is NetworkFilter);
        }
        // A chain whose members would be 200 ms apart under NetworkClusterFixture's spread attests at memory speed here.
        static void Config(Abstractions.Config.ChainConfig c) => c.CommitteeSize = 10;
        var chain = await TestChain.Start(fixture.Client, "nonet", Config, stakes: Enumerable.Repeat(30_000UL, 10).ToArray(), validators: 1);
        var rtts = await Poll.Until(async () => (await Task.WhenAll(Enumerable.Range(0, 10).Select(i => chain.Sequencer($"seq-{i:D3}").GetAttestationRtts()))).SelectMany(r => r).ToArray(),
            r => r.Length >= 3, TimeSpan.FromSeconds(60), "attestations without a network");
        Assert.True(rtts.Order().ElementAt(rtts.Length / 2) < 100_000, $"attestation rtts (µs): {string.Join(",", rtts)}");
        using (TestCallers.AsOperator()) await chain.Rotation.Retire();
    }
}
