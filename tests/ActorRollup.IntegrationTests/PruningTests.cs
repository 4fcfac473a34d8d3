using ActorRollup.Abstractions;
using ActorRollup.Abstractions.Messages;
using ActorRollup.Abstractions.Security;
using ActorRollup.Core.Primitives;
using ActorRollup.Core.Transactions;
using ActorRollup.Grains.Chain;
using ActorRollup.Grains.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;

namespace ActorRollup.IntegrationTests;

/// <summary>
/// History retention (Chain:HistoryRetentionBlocks, docs/ARCHITECTURE.md §5): a chain run past several retention
/// windows answers "pruned" for old heights, deletes their records, keeps its bookkeeping bounded, reactivates from its
/// checkpoint, and still validates, challenges and conserves supply inside the window.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class PruningTests(ClusterFixture fixture)
{
    private const ulong Retention = 20;

    private Task<TestChain> StartPruned(string name) => TestChain.Start(fixture.Client, name, c =>
    {
        c.EpochLength = 10;
        c.BatchSize = 5;
        c.CheckpointInterval = 20;
        c.HistoryRetentionBlocks = Retention;
    });

    /// <summary>Transfers from every account in turn, paced, until cancelled: blocks carry transactions all along.</summary>
    private static async Task<List<Transaction>> Traffic(TestChain chain, CancellationToken stop)
    {
        var sent = new List<Transaction>();
        for (int round = 0; !stop.IsCancellationRequested; round++)
        {
            var txs = Enumerable.Range(0, 8).Select(i => chain.Transfer((round * 8 + i) % 32, 32 + i, 1)).ToArray();
            var results = await chain.Submit(txs);
            Assert.All(results, r => Assert.Equal(AdmissionReason.Ok, r.Reason));
            sent.AddRange(txs);
            try { await Task.Delay(40, stop); } catch (OperationCanceledException) { }
        }
        return sent;
    }

    private static async Task<CallRefusedException> AssertPruned(Func<Task> read)
    {
        var e = await Assert.ThrowsAsync<CallRefusedException>(read);
        Assert.Equal(CallRefusal.Pruned, e.Reason);
        return e;
    }

    private async Task<bool> RecordExists(TestChain chain, ulong height)
    {
        var storage = fixture.Cluster.Silos[0].ServiceProvider.GetRequiredKeyedService<IGrainStorage>(StorageNames.Rollup);
        var state = new GrainState<BlockRecord>();
        await storage.ReadStateAsync($"block-{height}", chain.Chain.GetGrainId(), state);
        return state.RecordExists;
    }

    /// <summary>What the retention rule and the bookkeeping bounds promise, checked against one view.</summary>
    private static void AssertBounded(RetentionView v, ChainHead head)
    {
        Assert.Equal(Retention, v.HistoryRetentionBlocks);
        Assert.Equal(v.OldestRetainedHeight, head.OldestRetainedHeight);
        // At least N finalized blocks below the finalized height are kept; at most N plus a checkpoint interval and a step.
        Assert.True(v.OldestRetainedHeight + Retention <= Math.Max(v.FinalizedHeight, Retention + 1), $"keeps too little: {v}");
        Assert.True(v.FinalizedHeight - v.OldestRetainedHeight <= Retention + 20 + 5 + 1, $"keeps too much: {v}");
        Assert.True(v.OldestRetainedHeight - 1 <= v.CheckpointHeight, $"pruned past the checkpoint: {v}");
        var retained = (int)(v.Height - v.OldestRetainedHeight + 1);
        // Records of pruned heights are deleted in the background: until then (up to RecordsDeletedUpTo) they keep their tags.
        var awaitingDeletion = (int)Math.Max(0L, (long)v.OldestRetainedHeight - 1 - (long)v.RecordsDeletedUpTo);
        Assert.True(v.RecordTags <= retained + awaitingDeletion + 2, $"record tags: {v}");
        Assert.True(v.HeightTimes <= 2 * retained, $"per-height times: {v}");
        Assert.True(v.CachedBlocks <= (int)(v.Height - v.FinalizedHeight) + 64, $"cached blocks: {v}");
        Assert.True(v.RollbackStates <= (int)(v.Height - v.FinalizedHeight) + 2, $"rollback states: {v}");
        Assert.True(v.TxIndexEntries <= retained * 8 * 4, $"tx index: {v}"); // ≤ the traffic of the retained blocks
        Assert.True(v.IndexedHeights <= retained, $"lookup index heights: {v}");
    }

    [Fact]
    public async Task Old_heights_answer_pruned_their_records_go_and_the_chain_reactivates_from_its_checkpoint()
    {
        var chain = await StartPruned("prune");
        var first = chain.Transfer(40, 41, 1); // from an account the traffic below does not use
        Assert.Equal(AdmissionReason.Ok, (await chain.Submit(first))[0].Reason);
        var early = await chain.WaitForLevel(first.Hash, TxLevel.SoftConfirmed);
        using var stop = new CancellationTokenSource();
        var traffic = Traffic(chain, stop.Token);

        // Several retention windows.
        await Poll.Until(() => chain.Chain.GetHead(), h => h.FinalizedHeight >= 5 * Retention, TimeSpan.FromSeconds(90), $"finalized {5 * Retention}");
        var head = await chain.Chain.GetHead();
        var view = await chain.Chain.GetRetention();
        AssertBounded(view, head);
        Assert.True(head.OldestRetainedHeight > 2 * Retention, $"pruning keeps up: {view}");

        // Readers of pruned heights are told so, with the reason code; retained heights read as before.
        var refusal = await AssertPruned(() => chain.Chain.GetCommittedBlock(1));
        Assert.Contains($"{head.OldestRetainedHeight}", refusal.Message);
        await AssertPruned(() => chain.Chain.GetBlock(1));
        await AssertPruned(() => chain.Chain.GetRewardBasis(1));
        await AssertPruned(() => chain.Chain.GetBlockHashes(1, 3));
        var oldest = await chain.Chain.GetBlock(head.OldestRetainedHeight);
        Assert.NotNull(oldest);
        Assert.NotNull(await chain.Chain.GetCommittedBlock(head.Height));
        Assert.Null(await chain.Chain.GetBlock(head.Height + 1_000)); // above the head: null, as before

        // A transaction of a pruned block: finalized, marked pruned (its block is gone).
        Assert.True(early.Height < head.OldestRetainedHeight);
        var pruned = await chain.Chain.GetTxStatus(first.Hash);
        Assert.True(pruned.Pruned, $"{pruned}");
        Assert.Equal(TxLevel.Finalized, pruned.Level);
        Assert.Equal(early.ArrivalSequence, pruned.ArrivalSequence);
        Assert.True(pruned.OldestRetainedHeight >= head.OldestRetainedHeight);
        // A transaction of a retained block (a recent one: pruning moves on while the test reads) is found at its height.
        var recent = (await chain.Chain.GetBlock(head.Height))!;
        var retainedTx = recent.TransactionHashes.FirstOrDefault();
        if (retainedTx != default)
        {
            var status = await chain.Chain.GetTxStatus(retainedTx);
            Assert.False(status.Pruned);
            Assert.Equal(recent.Height, status.Height);
        }

        // The records of pruned heights are deleted from storage (in the background: polled), retained ones are kept.
        await Poll.Until(() => chain.Chain.GetRetention(), v => v.RecordsDeletedUpTo >= head.OldestRetainedHeight - 1, TimeSpan.FromSeconds(30), "pruned records deleted");
        Assert.False(await RecordExists(chain, 1));
        Assert.False(await RecordExists(chain, head.OldestRetainedHeight - 1));
        var current = await chain.Chain.GetRetention(); // pruning moves on meanwhile: a finalized height is always retained
        Assert.True(await RecordExists(chain, current.FinalizedHeight));

        // Deactivated, the chain comes back from its checkpoint over the records it kept, and goes on.
        await TestDeactivation.DeactivateChain(chain.Chain);
        var resumed = await chain.Chain.GetHead();
        Assert.True(resumed.Height >= head.Height);
        Assert.True(resumed.OldestRetainedHeight >= head.OldestRetainedHeight);
        await Poll.Until(() => chain.Chain.GetHead(), h => h.FinalizedHeight >= resumed.FinalizedHeight + 2 * Retention, TimeSpan.FromSeconds(90), "finality goes on after reactivation");
        await Poll.Until(() => chain.Chain.GetHead(), h => h.ValidatedHeight >= resumed.Height + Retention, TimeSpan.FromSeconds(60), "validation goes on after reactivation");
        head = await chain.Chain.GetHead();
        AssertBounded(await chain.Chain.GetRetention(), head);
        Assert.True(head.OldestRetainedHeight > resumed.OldestRetainedHeight, "pruning goes on after reactivation");

        stop.Cancel();
        var sent = await traffic;
        // Nothing admitted is lost: every transfer finalizes (those in pruned blocks answer finalized and pruned).
        foreach (var tx in sent.TakeLast(16)) await chain.WaitForLevel(tx.Hash, TxLevel.Finalized, seconds: 60);
        var accounts = await chain.Chain.GetAccounts(Enumerable.Range(0, 32).Select(i => chain.Account(i).Address).ToArray());
        Assert.Equal((ulong)sent.Count, accounts.Aggregate(0UL, (n, a) => n + a.Nonce));
        Assert.Equal(1UL, (await chain.Chain.GetAccounts([chain.Account(40).Address]))[0].Nonce);
        var audit = await chain.Chain.AuditSupply();
        Assert.True(audit.Conserved, $"supply: {audit}");
    }

    [Fact]
    public async Task A_validator_behind_the_retained_history_resumes_from_the_checkpoint_and_challenges_still_roll_back()
    {
        var chain = await StartPruned("prune-val");
        using var stop = new CancellationTokenSource();
        var traffic = Traffic(chain, stop.Token);
        var lagging = chain.Validator("val-03");
        await chain.WaitForHeight(2);
        await lagging.InjectFault(ValidatorFaultKind.Offline);
        var behind = (await lagging.GetView()).VerifiedHeight;

        // The chain prunes past what the offline validator verified.
        await Poll.Until(() => chain.Chain.GetHead(), h => h.OldestRetainedHeight > behind + Retention, TimeSpan.FromSeconds(90), "pruned past the offline validator");
        await lagging.InjectFault(ValidatorFaultKind.None);
        var head = await chain.Chain.GetHead();
        // It resumes from the chain's checkpoint and follows the head again.
        await Poll.Until(() => lagging.GetView(), v => v.VerifiedHeight >= head.Height, TimeSpan.FromSeconds(60), "the lagging validator catches up");

        // A bad block inside the window is still challenged and rolled back; nothing is lost; supply is conserved.
        var term = (await chain.Rotation.GetCurrent())!;
        await chain.Sequencer(term.LeaderId).InjectFault(new SequencerFault(SequencerFaultKind.WrongStateRoot));
        var rollback = (await Poll.Until(() => chain.Chain.GetRollbacks(), r => r.Length > 0, TimeSpan.FromSeconds(30), "a rollback"))[0];
        Assert.Equal(term.LeaderId, rollback.Offender);
        Assert.True(rollback.FromHeight > (await chain.Chain.GetHead()).FinalizedHeight - Retention);
        await Poll.Until(() => chain.Chain.GetHead(), h => h.FinalizedHeight > rollback.FromHeight + Retention, TimeSpan.FromSeconds(90), "finality past the rollback");

        stop.Cancel();
        var sent = await traffic;
        foreach (var tx in sent.TakeLast(16)) await chain.WaitForLevel(tx.Hash, TxLevel.Finalized, seconds: 60);
        var accounts = await chain.Chain.GetAccounts(Enumerable.Range(0, 32).Select(i => chain.Account(i).Address).ToArray());
        Assert.Equal((ulong)sent.Count, accounts.Aggregate(0UL, (n, a) => n + a.Nonce));
        AssertBounded(await chain.Chain.GetRetention(), await chain.Chain.GetHead());
        var audit = await chain.Chain.AuditSupply();
        Assert.True(audit.Conserved, $"supply: {audit}");
    }
}
