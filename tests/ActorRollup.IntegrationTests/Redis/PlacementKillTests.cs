using Xunit.Abstractions;
using ActorRollup.Core.Placement;
using ActorRollup.Grains.Infrastructure;
using Orleans.TestingHost;

namespace ActorRollup.IntegrationTests.Redis;

/// <summary>
/// The committee spread over three silos (Redis storage: a killed silo's grains come back from Redis): killing a silo
/// that hosts part of the committee but not the chain-wide grains takes only those members, and the chain goes on with
/// nothing lost.
/// </summary>
[Collection(RedisCollection.Name)]
public sealed class PlacementKillTests(RedisFixture redis, ITestOutputHelper output)
{
    private string Redis => (redis.Server ?? throw new InvalidOperationException("no redis-server")).ConnectionString;

    [RedisFact]
    public async Task Killing_a_silo_that_hosts_part_of_the_committee_keeps_the_chain_going_with_nothing_lost()
    {
        var cluster = await DurableCluster.StartAsync(Redis, $"it-placekill-{Guid.NewGuid().ToString("N")[..8]}", silos: 3);
        try
        {
            var chain = await TestChain.Start(cluster.Client, "place-kill", stakes: [30_000, 28_000, 26_000, 24_000, 22_000, 20_000], accounts: 32);
            await chain.WaitForHeight(3);
            using var stop = new CancellationTokenSource();
            var traffic = new Traffic(chain);
            var load = traffic.RunAsync(stop.Token);
            await Poll.Until(() => Task.FromResult(traffic.Admitted.Count), n => n >= 200, TimeSpan.FromSeconds(30), "200 admitted before the kill");

            // Where the rule put everything: six members 2/2/2, the chain-wide grains together on one silo.
            var silos = RollupPlacementDirector.Sort(cluster.GetActiveSilos().Select(s => s.SiloAddress));
            var chainHost = DurableCluster.HostOf(cluster, chain.Chain) ?? throw new InvalidOperationException("the chain grain is not active");
            Assert.Equal(silos[PlacementRule.ChainSlot(chain.Id, silos.Length)], chainHost.SiloAddress);
            Assert.Equal(chainHost.SiloAddress, DurableCluster.HostOf(cluster, chain.Mempool)?.SiloAddress);
            var members = chain.Genesis.Sequencers.ToDictionary(s => s.Id, s => DurableCluster.HostOf(cluster, chain.Sequencer(s.Id))?.SiloAddress);
            var victim = cluster.GetActiveSilos().OfType<InProcessSiloHandle>()
                .First(s => !s.SiloAddress.Equals(chainHost.SiloAddress) && members.Values.Any(m => s.SiloAddress.Equals(m)));
            var dying = members.Where(m => victim.SiloAddress.Equals(m.Value)).Select(m => m.Key).ToArray();
            Assert.Equal(2, dying.Length);

            var admittedAtKill = traffic.Admitted.Count;
            var headAtKill = await chain.Chain.GetHead();
            await cluster.KillSiloAsync(victim);
            output.WriteLine($"killed {victim.SiloAddress} hosting {string.Join(", ", dying)} at height {headAtKill.Height} with {admittedAtKill} admitted");

            await chain.WaitForHeight(headAtKill.Height + 10, seconds: 60);
            await Poll.Until(() => Task.FromResult(traffic.Admitted.Count), n => n >= admittedAtKill + 200, TimeSpan.FromSeconds(60), "200 more admitted after the kill");
            // The dead silo's members answer again, from a survivor.
            foreach (var id in dying) Assert.Equal(id, (await chain.Sequencer(id).GetView()).Id);
            stop.Cancel();
            await load;
            Assert.Empty(traffic.Refused);
            await Ledger.AssertEveryAdmittedCommittedOnce(chain, traffic.Admitted);
        }
        finally
        {
            await DurableCluster.KillAllAsync(cluster);
        }
    }
}
