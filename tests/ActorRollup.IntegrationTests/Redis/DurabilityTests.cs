using ActorRollup.Abstractions;
using ActorRollup.Abstractions.Config;
using ActorRollup.Abstractions.Messages;
using ActorRollup.Core.Primitives;
using ActorRollup.Core.Staking;
using ActorRollup.Core.Transactions;
using Orleans.TestingHost;
using Xunit.Abstractions;

namespace ActorRollup.IntegrationTests.Redis;

/// <summary>
/// "Nothing admitted is lost" (PROTOCOL.md §9, a silo killed or restarted), against a real redis-server (Orleans' Redis grain storage and reminders): a silo killed
/// while transactions flow, the silo of the current leader killed, and every silo stopped and the cluster started
/// again. Each test runs its own cluster (the faults are cluster-wide) under its own service id.
/// </summary>
[Collection(RedisCollection.Name)]
public sealed class DurabilityTests(RedisFixture redis, ITestOutputHelper output)
{
    private string Redis => (redis.Server ?? throw new InvalidOperationException("no redis-server")).ConnectionString;

    private static string ServiceId(string name) => $"it-{name}-{Guid.NewGuid().ToString("N")[..8]}";

    [RedisFact]
    public async Task A_silo_killed_under_load_loses_nothing_and_the_chain_goes_on()
    {
        var cluster = await DurableCluster.StartAsync(Redis, ServiceId("kill"), silos: 3);
        try
        {
            using var stop = new CancellationTokenSource();
            var run = await StartUnderLoad(cluster, "kill", stop.Token);
            var (chain, traffic) = (run.Chain, run.Traffic);

            // The silo holding the mempool (where admitted transactions wait) dies abruptly — whichever it is, the
            // test client's gateways included (the client goes on through the others).
            var victim = DurableCluster.HostOf(cluster, chain.Mempool) ?? throw new InvalidOperationException("the mempool is not active");
            var admittedAtKill = traffic.Admitted.Count;
            var headAtKill = await chain.Chain.GetHead();
            await cluster.KillSiloAsync(victim);
            output.WriteLine($"killed {victim.SiloAddress} (host of the mempool) at height {headAtKill.Height} with {admittedAtKill} admitted");

            // The chain keeps going on the others, and admission with it.
            await chain.WaitForHeight(headAtKill.Height + 10, seconds: 60);
            await Poll.Until(() => Task.FromResult(traffic.Admitted.Count), n => n >= admittedAtKill + 200, TimeSpan.FromSeconds(60), "200 more admitted after the kill");
            stop.Cancel();
            await AssertNothingLost(run);
        }
        finally
        {
            await DurableCluster.KillAllAsync(cluster);
        }
    }

    [RedisFact]
    public async Task Killing_the_leaders_silo_begins_a_new_term_and_loses_nothing()
    {
        var cluster = await DurableCluster.StartAsync(Redis, ServiceId("leader"), silos: 3);
        try
        {
            using var stop = new CancellationTokenSource();
            var run = await StartUnderLoad(cluster, "leader-kill", stop.Token);
            var (chain, traffic) = (run.Chain, run.Traffic);

            // The silo that holds the current leader's sequencer grain dies abruptly.
            var term = await chain.Rotation.GetCurrent() ?? throw new InvalidOperationException("no leadership term");
            var victim = DurableCluster.HostOf(cluster, chain.Sequencer(term.LeaderId)) ?? throw new InvalidOperationException($"leader {term.LeaderId} is not active");
            var failoversBefore = (await chain.Rotation.GetStatus()).FailoverLog.Length;
            var headAtKill = await chain.Chain.GetHead();
            await cluster.KillSiloAsync(victim);
            output.WriteLine($"killed {victim.SiloAddress}{(victim == cluster.Silos[0] ? " (the primary)" : "")}, host of leader {term.LeaderId} (term {term.Term}) at height {headAtKill.Height}");

            // Rotation begins a new term from the next height: the same member re-appointed (its activation was lost
            // with the silo, docs/RUNBOOK.md "A dead silo") or, failing that, a failover to the next member.
            var next = await Poll.Until(() => chain.Rotation.GetCurrent(), t => t is not null && t.Term > term.Term, TimeSpan.FromSeconds(60),
                $"a term after {term.Term} (leader {term.LeaderId} died with its silo)");
            var failovers = (await chain.Rotation.GetStatus()).FailoverLog.Skip(failoversBefore).ToList();
            output.WriteLine($"term {next!.Term}: leader {next.LeaderId} from height {next.FirstHeight}" +
                             (failovers.Count == 0 ? $" ({term.LeaderId} re-appointed)" : $"; failovers {string.Join(", ", failovers.Select(f => $"{f.FailedLeader} -> {f.Replacement} ({f.Reason})"))}"));
            await chain.WaitForHeight(headAtKill.Height + 10, seconds: 60);
            stop.Cancel();
            await AssertNothingLost(run);
        }
        finally
        {
            await DurableCluster.KillAllAsync(cluster);
        }
    }

    [RedisFact]
    public async Task Every_silo_stopped_and_started_again_resumes_the_same_chain()
    {
        var serviceId = ServiceId("restart");
        var first = await DurableCluster.StartAsync(Redis, serviceId, silos: 2);
        TestChain chain;
        ChainHead before;
        StakerView stakerBefore;
        Dictionary<string, (UInt128 Stake, UInt128 Rewards)> stakesBefore;
        MempoolStats mempoolBefore;
        Transaction[] gapFillers;
        Transaction[] waiting;
        try
        {
            chain = await TestChain.Start(first.Client, "restart", accounts: 16);
            var committed = new List<Hash32>();
            for (int i = 0; i < 8; i++)
            {
                var tx = chain.Transfer(i, i + 1, 5);
                Assert.Equal(AdmissionReason.Ok, (await chain.Submit(tx))[0].Reason);
                committed.Add(tx.Hash);
            }
            foreach (var hash in committed) await chain.WaitForLevel(hash, TxLevel.SoftConfirmed);

            // A pending unlock: a genesis owner delegates to another pool, then unlocks part of it.
            var owner = GenesisKeys.SequencerOwner(chain.NodeKeySeed, chain.Id, "seq-001");
            var staker = chain.Client.Staker(chain.Id, owner.Address);
            Assert.True((await staker.Execute(StakeAction.Create(owner, chain.Id, StakeActionKind.Delegate, "seq-000", Token.FromTokens(500), (await staker.GetView()).Nonce))).Ok);
            Assert.True((await staker.Execute(StakeAction.Create(owner, chain.Id, StakeActionKind.Unlock, "seq-000", Token.FromTokens(200), (await staker.GetView()).Nonce))).Ok);

            // Transactions that must wait in the mempool across the restart: each one's predecessor nonce is held back.
            gapFillers = new Transaction[3];
            waiting = new Transaction[3];
            for (int i = 0; i < 3; i++)
            {
                gapFillers[i] = chain.Transfer(10 + i, 0, 1);
                waiting[i] = chain.Transfer(10 + i, 0, 1);
            }
            Assert.All(await chain.Submit(waiting), r => Assert.Equal(AdmissionReason.Ok, r.Reason));

            before = await chain.Chain.GetHead();
            stakerBefore = await staker.GetView();
            stakesBefore = await Stakes(chain);
            mempoolBefore = await chain.Mempool.GetStats();
            Assert.Equal(3, mempoolBefore.Pending);
            Assert.Single(stakerBefore.PendingUnlocks);
        }
        finally
        {
            // Every silo dies at once, abruptly: only what is in Redis survives.
            await DurableCluster.KillAllAsync(first);
        }

        var second = await DurableCluster.StartAsync(Redis, serviceId, silos: 2);
        try
        {
            chain = chain.Through(second.Client);
            var after = await chain.Chain.GetHead();
            output.WriteLine($"before: height {before.Height} epoch {before.Epoch} term {before.Term} root {before.StateRoot}");
            output.WriteLine($"after:  height {after.Height} epoch {after.Epoch} term {after.Term} root {after.StateRoot}");
            // The same head (a block committed as the silos died may have been rolled forward on top of it).
            Assert.True(after.Height >= before.Height, $"head went back from {before.Height} to {after.Height}");
            var block = await chain.Chain.GetBlock(before.Height);
            Assert.NotNull(block);
            Assert.Equal(before.Hash, block.Hash);
            Assert.Equal(before.StateRoot, block.StateRoot);
            Assert.Equal(before.Term, block.Term);
            Assert.True(after.Epoch >= before.Epoch);
            if (after.Height == before.Height) Assert.Equal(before.StateRoot, after.StateRoot);

            var owner = GenesisKeys.SequencerOwner(chain.NodeKeySeed, chain.Id, "seq-001");
            var stakerAfter = await chain.Client.Staker(chain.Id, owner.Address).GetView();
            Assert.Equal(stakerBefore.Nonce, stakerAfter.Nonce);
            Assert.Equal(stakerBefore.Balance, stakerAfter.Balance);
            // The same pending unlock (its amount can only shrink by a downtime slash of its pool: the restart fails the
            // dead leader over, and the pool of a failed-over leader pays the downtime penalty).
            var unlockBefore = Assert.Single(stakerBefore.PendingUnlocks);
            var unlockAfter = Assert.Single(stakerAfter.PendingUnlocks);
            Assert.Equal((unlockBefore.SequencerId, unlockBefore.ClaimableFromEpoch), (unlockAfter.SequencerId, unlockAfter.ClaimableFromEpoch));
            Assert.True(unlockAfter.Amount <= unlockBefore.Amount && unlockAfter.Amount >= unlockBefore.Amount * 9_990 / 10_000,
                $"unlock {unlockBefore.Amount} before, {unlockAfter.Amount} after");
            await AssertStakesIntact(chain, stakesBefore);
            var mempoolAfter = await chain.Mempool.GetStats();
            Assert.Equal(mempoolBefore.Pending, mempoolAfter.Pending);

            // The chain goes on (rotation's reminder brings the liveness watch back, which fails the dead leader
            // over), and the waiting transactions commit once their predecessors arrive.
            await chain.WaitForHeight(after.Height + 5, seconds: 60);
            Assert.All(await chain.Submit(gapFillers), r => Assert.Equal(AdmissionReason.Ok, r.Reason));
            await Ledger.AssertEveryAdmittedCommittedOnce(chain, gapFillers.Concat(waiting).Select(t => t.Hash).ToArray());
        }
        finally
        {
            await DurableCluster.KillAllAsync(second);
        }
    }

    [RedisFact]
    public async Task A_restarted_chain_starts_from_its_last_checkpoint_not_from_genesis()
    {
        var serviceId = ServiceId("checkpoint");
        var first = await DurableCluster.StartAsync(Redis, serviceId, silos: 1);
        TestChain chain;
        ChainHead before;
        try
        {
            chain = await TestChain.Start(first.Client, "checkpoint", c => c.CheckpointInterval = 5, accounts: 8);
            var tx = chain.Transfer(0, 1, 7);
            Assert.Equal(AdmissionReason.Ok, (await chain.Submit(tx))[0].Reason);
            await chain.WaitForLevel(tx.Hash, TxLevel.Finalized, seconds: 60);
            // Finality runs a challenge window behind the head: wait until a checkpoint well past height 1 is due.
            await Poll.Until(() => chain.Chain.GetHead(), h => h.FinalizedHeight >= 12, TimeSpan.FromSeconds(60), "finalized height 12");
            // Validators write their verified height once a batch: let them get a batch or two past the checkpoint.
            var finalized = (await chain.Chain.GetHead()).FinalizedHeight;
            await Poll.Until(() => chain.Chain.GetHead(), h => h.ValidatedHeight >= finalized + 12, TimeSpan.FromSeconds(60), $"validated height {finalized + 12}");
            before = await chain.Chain.GetHead();
        }
        finally
        {
            await DurableCluster.KillAllAsync(first);
        }

        // The oldest block records go: a chain that replayed from genesis could not come back without them.
        using (var redisClient = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync(Redis))
        {
            var db = redisClient.GetDatabase();
            for (int h = 1; h <= 5; h++)
                Assert.True(await db.KeyDeleteAsync($"{serviceId}/state/chain/{chain.Id}/block-{h}"), $"block-{h} was not where the keys are expected");
        }

        var second = await DurableCluster.StartAsync(Redis, serviceId, silos: 1);
        try
        {
            chain = chain.Through(second.Client);
            var after = await chain.Chain.GetHead();
            Assert.True(after.Height >= before.Height);
            var block = await chain.Chain.GetBlock(before.Height);
            Assert.NotNull(block);
            Assert.Equal(before.Hash, block.Hash);
            Assert.Equal(before.StateRoot, block.StateRoot);
            var accounts = await chain.Chain.GetAccounts([chain.Account(1).Address]);
            Assert.Equal(Token.FromTokens(1_000) + 7, accounts[0].Balance);
            await chain.WaitForHeight(after.Height + 5, seconds: 60);
            // The validators come back from the same checkpoint (re-executing from genesis would need block 1) and
            // go on validating new blocks.
            await Poll.Until(() => chain.Chain.GetHead(), h => h.ValidatedHeight > after.Height, TimeSpan.FromSeconds(60), $"validated past {after.Height}");
        }
        finally
        {
            await DurableCluster.KillAllAsync(second);
        }
    }

    private sealed record UnderLoad(TestChain Chain, Dictionary<string, (UInt128 Stake, UInt128 Rewards)> StakesBefore, Traffic Traffic, Task Load);

    /// <summary>A fresh chain with transfers flowing (at least 200 admitted) and its sequencers' stakes before any fault.</summary>
    private static async Task<UnderLoad> StartUnderLoad(InProcessTestCluster cluster, string name, CancellationToken stop)
    {
        var chain = await TestChain.Start(cluster.Client, name, accounts: 32);
        await chain.WaitForHeight(3);
        var stakes = await Stakes(chain);
        var traffic = new Traffic(chain);
        var load = traffic.RunAsync(stop);
        await Poll.Until(() => Task.FromResult(traffic.Admitted.Count), n => n >= 200, TimeSpan.FromSeconds(30), "200 admitted before the kill");
        return new UnderLoad(chain, stakes, traffic, load);
    }

    /// <summary>After the traffic stopped: nothing refused, every admitted transaction committed exactly once, supply
    /// conserved, stakes and reward pools intact.</summary>
    private async Task AssertNothingLost(UnderLoad run)
    {
        await run.Load;
        output.WriteLine($"admitted {run.Traffic.Admitted.Count}, failed calls retried {run.Traffic.FailedCalls}");
        Assert.Empty(run.Traffic.Refused);
        await Ledger.AssertEveryAdmittedCommittedOnce(run.Chain, run.Traffic.Admitted);
        await AssertStakesIntact(run.Chain, run.StakesBefore);
    }

    private static async Task<Dictionary<string, (UInt128 Stake, UInt128 Rewards)>> Stakes(TestChain chain)
    {
        var stakes = new Dictionary<string, (UInt128, UInt128)>();
        foreach (var s in chain.Genesis.Sequencers)
        {
            var view = await chain.Sequencer(s.Id).GetView();
            stakes[s.Id] = (view.TotalStake, view.RewardPool);
        }
        return stakes;
    }

    /// <summary>Stakes only ever go down by a downtime slash of a leader that was failed over (one per failover);
    /// reward pools only grow (nobody claims in these tests).</summary>
    private static async Task AssertStakesIntact(TestChain chain, Dictionary<string, (UInt128 Stake, UInt128 Rewards)> before)
    {
        var failovers = (await chain.Rotation.GetStatus()).FailoverLog;
        foreach (var (id, (stake, rewards)) in before)
        {
            var view = await chain.Sequencer(id).GetView();
            int slashes = failovers.Count(f => f.FailedLeader == id);
            var floor = stake * (UInt128)(10_000 - slashes * (int)chain.Config.DowntimeSlashBps) / 10_000 - (UInt128)slashes;
            Assert.True(view.TotalStake <= stake && view.TotalStake >= floor, $"{id}: stake {stake} before, {view.TotalStake} after ({slashes} failover(s))");
            Assert.True(view.RewardPool >= rewards, $"{id}: reward pool {rewards} before, {view.RewardPool} after");
        }
    }
}
