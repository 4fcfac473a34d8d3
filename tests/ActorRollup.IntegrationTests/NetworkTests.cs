using ActorRollup.Abstractions;
using ActorRollup.Abstractions.Config;
using ActorRollup.Abstractions.Messages;
using ActorRollup.Core.Blocks;
using ActorRollup.Core.Network;
using ActorRollup.Core.Transactions;
using ActorRollup.Grains.Infrastructure;
using ActorRollup.Harness.Audit;
using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;

namespace ActorRollup.IntegrationTests;

/// <summary>A one-silo cluster with a network of six regions: "near" and "far", 200 ms apart (2 ms within each), and
/// A, B, C, D, 40 ms from each other and from near (200 ms from far). Members seq-000..004 are near, seq-005..009 far,
/// seq-010..013 in A, B, C and D (one each: a region holding one member of a four-member committee is a minority the
/// other three outvote); the validators val-00..04 and the client are near. Lost calls time out after 2 s.</summary>
public sealed class NetworkClusterFixture : IAsyncLifetime
{
    public const string Matrix = """
        {"rttMs": {
          "near": {"near": 2, "far": 200, "A": 40, "B": 40, "C": 40, "D": 40},
          "far": {"far": 2, "A": 200, "B": 200, "C": 200, "D": 200},
          "A": {"A": 2, "B": 40, "C": 40, "D": 40}, "B": {"B": 2, "C": 40, "D": 40}, "C": {"C": 2, "D": 40}, "D": {"D": 2}}}
        """;
    private string _file = "";
    public InProcessTestCluster Cluster { get; private set; } = null!;
    public IClusterClient Client => Cluster.Client;
    /// <summary>The silo's network model (partitions are cut and healed on it) and node mapping.</summary>
    public NetworkModel Model => Cluster.Silos[0].ServiceProvider.GetRequiredService<NetworkModel>();
    public NetworkTopology Topology => Cluster.Silos[0].ServiceProvider.GetRequiredService<NetworkTopology>();

    public async Task InitializeAsync()
    {
        _file = Path.Combine(Path.GetTempPath(), $"actorrollup-net-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(_file, Matrix);
        var network = new NetworkOptions { Model = _file, Regions = "near:5,far:5,A:1,B:1,C:1,D:1", ClientRegion = "near", Seed = 11,
            LostCallTimeout = TimeSpan.FromSeconds(2) };
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

[Collection(NetworkClusterCollection.Name)]
public sealed class PartitionTests(NetworkClusterFixture fixture)
{
    /// <summary>Four members, one in each of A, B, C, D, equal stake: any three are a quorum, any two are not. A 1 s
    /// leader timeout (25 WAN round trips), an epoch longer than the test (no rotation but the failover).</summary>
    private Task<TestChain> FourRegions(string name) => TestChain.Start(fixture.Client, name, c =>
    {
        c.BlockIntervalMs = 100;
        c.LeaderTimeoutMs = 1_000;
        c.EpochLength = 1_000;
        c.CommitteeSize = 4;
    }, stakes: [30_000, 30_000, 30_000, 30_000], validators: 2, firstMember: 10);

    /// <summary>One transfer from each of <paramref name="senders"/>, every one admitted.</summary>
    private static async Task<List<Transaction>> Traffic(TestChain chain, IEnumerable<int> senders)
    {
        var txs = senders.Select(i => chain.Transfer(i, (i + 1) % chain.AccountCount, 1)).ToList();
        var results = await chain.Submit([.. txs]);
        Assert.All(results, r => Assert.Equal(AdmissionReason.Ok, r.Reason));
        return txs;
    }

    private static async Task<List<BlockView>> Blocks(TestChain chain, ulong from, ulong to)
    {
        var blocks = new List<BlockView>();
        for (ulong h = from; h <= to; h++) blocks.Add((await chain.Chain.GetBlock(h))!);
        return blocks;
    }

    /// <summary>No fork: one block per height 1..head, each on its predecessor; every transaction at most once, and each
    /// of <paramref name="submitted"/> exactly once.</summary>
    private static async Task AssertOneChainEachTxOnce(TestChain chain, IReadOnlyList<Transaction> submitted)
    {
        var head = await chain.Chain.GetHead();
        var included = new List<ActorRollup.Core.Primitives.Hash32>();
        ActorRollup.Core.Primitives.Hash32? parent = null;
        for (ulong h = 1; h <= head.Height; h++)
        {
            var committed = (await chain.Chain.GetCommittedBlock(h))!;
            var header = committed.Block.Signed.Header;
            Assert.Equal(h, header.Height);
            if (parent is { } p) Assert.Equal(p, header.ParentHash);
            parent = committed.Block.Hash;
            included.AddRange(committed.Block.Transactions.Select(t => t.Hash));
        }
        Assert.Equal(included.Count, included.Distinct().Count());
        foreach (var tx in submitted) Assert.Single(included, tx.Hash);
    }

    private static async Task AssertAuditPasses(TestChain chain)
    {
        using (TestCallers.AsOperator()) await chain.Rotation.Retire();
        var report = await new ChainAuditor(chain.Client).AuditAsync(chain.Id);
        Assert.True(report.Passed, string.Join("\n", report.Violations));
        Assert.Empty(report.Gaps);
        Assert.True(report.SupplyConserved);
        Assert.True((await chain.Chain.AuditSupply()).Conserved);
    }

    [Fact]
    public async Task Cutting_off_the_leaders_region_fails_over_to_the_majority_refuses_the_old_leaders_term_and_heals()
    {
        var chain = await FourRegions("net-cut");
        var txs = await Traffic(chain, Enumerable.Range(0, 10));
        await chain.WaitForHeight(3);
        var old = (await chain.Rotation.GetCurrent())!;
        var region = fixture.Topology.MemberRegion(chain.Id, old.LeaderId);

        fixture.Model.CutOff(region);
        try
        {
            txs.AddRange(await Traffic(chain, Enumerable.Range(10, 10)));
            // The other three hold a quorum: a leader outside the cut region takes over and commits.
            var next = (await Poll.Until(() => chain.Rotation.GetCurrent(), t => t!.Term > old.Term && fixture.Topology.MemberRegion(chain.Id, t.LeaderId) != region,
                TimeSpan.FromSeconds(20), $"a leader outside {region}"))!;
            await chain.WaitForHeight(next.FirstHeight + 2, seconds: 20);
            txs.AddRange(await Traffic(chain, Enumerable.Range(20, 10)));
            await chain.WaitForHeight(next.FirstHeight + 5, seconds: 20);

            // The cut-off leader's term ends below the failover height: no block of its term above it.
            var head = await chain.Chain.GetHead();
            var after = await Blocks(chain, next.FirstHeight, head.Height);
            Assert.All(after, b => Assert.True(b.Term >= next.Term && b.Proposer != old.LeaderId, $"block {b.Height}: term {b.Term} by {b.Proposer}"));
            // And a late block of the old term, signed by the old leader, is refused by term.
            using (TestCallers.AsInternal())
            {
                using var signer = GenesisKeys.SequencerSigner(chain.NodeKeySeed, chain.Id, old.LeaderId);
                var late = Block.Create(signer, chain.Id, head.Height + 1, old.Epoch, old.Term, head.Hash, head.StateRoot,
                    DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), old.LeaderId, default, []);
                Assert.Equal(ChainReason.StaleTerm, (await chain.Chain.AppendBlock(late, new QuorumCertificate(late.Hash, []))).Reason);
            }
        }
        finally
        {
            fixture.Model.Heal();
        }

        // Healed: the chain keeps producing and the old leader's region attests again.
        var attested = (await chain.Sequencer(old.LeaderId).GetView()).Attestations;
        var healedAt = (await chain.Chain.GetHead()).Height;
        txs.AddRange(await Traffic(chain, Enumerable.Range(30, 10)));
        await Poll.Until(() => chain.Sequencer(old.LeaderId).GetView(), v => v.Attestations > attested, TimeSpan.FromSeconds(20),
            $"{old.LeaderId} in {region} attesting again");
        await chain.WaitForHeight(healedAt + 5, seconds: 20);
        foreach (var tx in txs) await chain.WaitForLevel(tx.Hash, TxLevel.SoftConfirmed, seconds: 20);
        await AssertOneChainEachTxOnce(chain, txs);
        await AssertAuditPasses(chain);
    }

    // Failed before lost calls honoured the caller's deadline: a lost Attest waited Network:LostCallTimeout (2 s here)
    // instead of the leader's attestation deadline, so the leader looked silent to rotation and was failed over and
    // penalised before its quorum-failure report, every member in turn (rotation halted with "every committee member has
    // failed" and stayed halted after heal until the jails ran out).
    [Fact]
    public async Task A_partition_where_no_side_has_a_quorum_halts_visibly_and_resumes_after_heal()
    {
        var chain = await FourRegions("net-split");
        var txs = await Traffic(chain, Enumerable.Range(0, 10));
        await chain.WaitForHeight(3);
        var leader = (await chain.Rotation.GetCurrent())!.LeaderId;
        var region = fixture.Topology.MemberRegion(chain.Id, leader);
        var other = new[] { "A", "B", "C", "D" }.First(r => r != region);

        // Sides {region}, {other} and the remaining two: none holds more than two thirds of the power.
        fixture.Model.CutOff(region);
        fixture.Model.CutOff(other);
        ulong haltedAt;
        try
        {
            txs.AddRange(await Traffic(chain, Enumerable.Range(10, 10)));
            var halted = await Poll.Until(() => chain.Status(), s => s.Halted, TimeSpan.FromSeconds(20), "a visible halt");
            haltedAt = (await chain.Chain.GetHead()).Height;
            // Still halted, with no new block, two leader timeouts later.
            var since = DateTime.UtcNow;
            var still = await Poll.Until(() => chain.Status(), _ => DateTime.UtcNow - since > TimeSpan.FromMilliseconds(2 * chain.Config.LeaderTimeoutMs),
                TimeSpan.FromSeconds(20), "two leader timeouts");
            Assert.True(still.Halted, $"halted ({halted.HaltReason}), then not: {still.HaltReason}");
            Assert.Equal(haltedAt, (await chain.Chain.GetHead()).Height);
        }
        finally
        {
            fixture.Model.Heal();
        }

        await chain.WaitForHeight(haltedAt + 5, seconds: 20);
        // Rotation clears the halt on its next watch after the chain moved on (and a late report of a round that failed
        // before its block got its quorum does not bring it back).
        await Poll.Until(() => chain.Status(), s => !s.Halted, TimeSpan.FromSeconds(10), "the halt to clear after heal");
        await chain.WaitForHeight((await chain.Chain.GetHead()).Height + 3, seconds: 20);
        var rot = await chain.Rotation.GetStatus();
        var after = await chain.Status();
        Assert.False(after.Halted, $"halted again: {after.HaltReason}; failovers {rot.Failovers}: {string.Join(" | ", rot.FailoverLog.Select(f => $"{f.FailedLeader}->{f.Replacement} {f.Reason}"))}");
        foreach (var tx in txs) await chain.WaitForLevel(tx.Hash, TxLevel.SoftConfirmed, seconds: 20);
        await AssertOneChainEachTxOnce(chain, txs);
        await AssertAuditPasses(chain);
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
