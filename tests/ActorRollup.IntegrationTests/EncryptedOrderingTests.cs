using ActorRollup.Abstractions;
using ActorRollup.Abstractions.Messages;
using ActorRollup.Abstractions.Security;
using ActorRollup.Core.Blocks;
using ActorRollup.Core.Primitives;
using ActorRollup.Core.Transactions;

namespace ActorRollup.IntegrationTests;

/// <summary>The encrypted ordering policy (PROTOCOL.md §12.5): commit-reveal through the mempool, the order commitment
/// each block is checked against, the sealed public view, and a leader that inserts after the reveal rolled back.</summary>
[Collection(ClusterCollection.Name)]
public sealed class EncryptedOrderingTests(ClusterFixture fixture)
{
    private static Task<TestChain> Start(ClusterFixture fixture, string name, Action<Abstractions.Config.ChainConfig>? more = null) =>
        TestChain.Start(fixture.Client, name, c => { c.Ordering = OrderingPolicy.Encrypted; more?.Invoke(c); });

    private static async Task<Transaction[]> SubmitTraffic(TestChain chain, int senders, int perSender)
    {
        var txs = new List<Transaction>();
        for (int round = 0; round < perSender; round++)
            for (int s = 0; s < senders; s++)
                txs.Add(chain.Transfer(10 + s, 40 + s, (UInt128)(1_000 + round)));
        Assert.All(await chain.Submit(txs.ToArray()), r => Assert.Equal(AdmissionReason.Ok, r.Reason));
        return txs.ToArray();
    }

    [Fact]
    public async Task Every_block_holds_the_order_committed_before_the_reveal_and_the_public_view_is_sealed()
    {
        var chain = await Start(fixture, "enc-flow");
        try
        {
            await chain.WaitForHeight(1);
            var txs = await SubmitTraffic(chain, senders: 6, perSender: 3);
            var view = await chain.Mempool.ViewPending(100);
            Assert.True(view.Sealed);
            Assert.Empty(view.Visible);
            foreach (var tx in txs) await chain.WaitForLevel(tx.Hash, TxLevel.Validated, seconds: 60);

            var head = await chain.Chain.GetHead();
            int checkedBlocks = 0;
            for (ulong h = 1; h <= head.Height; h++)
            {
                var block = (await chain.Chain.GetBlock(h))!;
                if (block.TransactionHashes.Length == 0) continue;
                var commitment = (await chain.Mempool.GetOrderCommitment(h)).SingleOrDefault(c => c.Term == block.Term);
                if (commitment is null && h <= head.FinalizedHeight) continue; // cleared once final
                Assert.NotNull(commitment);
                // The core rule, on the block's hashes: an order-preserving subsequence of the commitment.
                int next = 0;
                foreach (var hash in block.TransactionHashes)
                {
                    while (next < commitment!.Order.Length && commitment.Order[next] != hash) next++;
                    Assert.True(next < commitment.Order.Length, $"block {h}: {hash.ToHex()[..12]} outside its commitment");
                    next++;
                }
                checkedBlocks++;
            }
            Assert.True(checkedBlocks > 0, "no block with transactions still had its commitment to check");
            Assert.Empty(await chain.Chain.GetRollbacks());
            var audit = await chain.Chain.AuditSupply();
            Assert.True(audit.Conserved, $"supply: {audit}");
        }
        finally { await ChainHalt.Stop(chain); }
    }

    [Fact]
    public async Task A_commitment_holds_for_its_height_and_term_and_contents_stay_sealed_until_it_is_made()
    {
        var chain = await Start(fixture, "enc-commit", c => c.MaxTxPerBlock = 100);
        try
        {
            await chain.WaitForHeight(1);
            await ChainHalt.Halt(chain);
            var txs = new[] { chain.Transfer(1, 7, 1), chain.Transfer(2, 7, 1), chain.Transfer(3, 7, 1) };
            Assert.All(await chain.Submit(txs), r => Assert.Equal(AdmissionReason.Ok, r.Reason));
            // Sealed: neither the public view nor a lookup by hash shows the contents.
            Assert.Empty((await chain.Mempool.ViewPending(10)).Visible);
            Assert.Null(await chain.Mempool.GetPendingTransaction(txs[0].Hash));
            var height = (await chain.Chain.GetHead()).Height + 1000; // far above anything the chain will reach here
            var term = ((await chain.Rotation.GetStatus()).Current?.Term ?? 0) + 100;

            using (TestCallers.AsInternal())
            {
                var sealedBatch = await chain.Mempool.TakeSealedBatch(100, null, term);
                Assert.Equal(txs.Select(t => t.Hash), sealedBatch.Hashes); // first come, first served, hashes only
                var order = new[] { sealedBatch.Hashes[2], sealedBatch.Hashes[0] };
                var revealed = await chain.Mempool.CommitOrder(height, term, order);
                Assert.Equal(order, revealed.Transactions.Select(t => t.Hash));
                Assert.Equal(new[] { sealedBatch.ArrivalSequences[2], sealedBatch.ArrivalSequences[0] }, revealed.ArrivalSequences);
                // A second order for the same height and term is not made: the first is revealed again.
                var again = await chain.Mempool.CommitOrder(height, term, sealedBatch.Hashes);
                Assert.Equal(order, again.Transactions.Select(t => t.Hash));
                // Another term may commit its own order at that height (after a rollback, a make-up term).
                var other = await chain.Mempool.CommitOrder(height, term + 1, [sealedBatch.Hashes[1]]);
                Assert.Equal(txs[1].Hash, Assert.Single(other.Transactions).Hash);

                var recorded = await chain.Mempool.GetOrderCommitment(height);
                Assert.Equal(2, recorded.Length);
                Assert.Equal(order, recorded.Single(c => c.Term == term).Order);
                // Committed contents are no longer sealed.
                Assert.NotNull(await chain.Mempool.GetPendingTransaction(txs[0].Hash));
                Assert.NotNull(await chain.Mempool.GetPendingTransaction(txs[1].Hash));

                // Bounds: too many, a hash twice, height 0 — refused, nothing recorded.
                await AssertOutOfBounds(() => chain.Mempool.CommitOrder(height + 1, term, Enumerable.Range(0, 101).Select(i => Hash32.Sha256([(byte)i])).ToArray()));
                await AssertOutOfBounds(() => chain.Mempool.CommitOrder(height + 1, term, [txs[0].Hash, txs[0].Hash]));
                await AssertOutOfBounds(() => chain.Mempool.CommitOrder(0, term, [txs[0].Hash]));
                Assert.Empty(await chain.Mempool.GetOrderCommitment(height + 1));
            }
        }
        finally { await ChainHalt.Stop(chain); }
    }

    [Fact]
    public async Task The_commit_reveal_steps_are_refused_on_a_chain_with_another_policy()
    {
        var chain = await TestChain.Start(fixture.Client, "enc-other");
        try
        {
            using (TestCallers.AsInternal())
            {
                await AssertOutOfBounds(() => chain.Mempool.TakeSealedBatch(10));
                await AssertOutOfBounds(() => chain.Mempool.CommitOrder(5, 1, []));
            }
        }
        finally { await ChainHalt.Stop(chain); }
    }

    [Fact]
    public async Task A_leader_that_appends_its_own_transaction_after_the_reveal_is_rolled_back()
    {
        var chain = await Start(fixture, "enc-backrun");
        try
        {
            await chain.WaitForHeight(2);
            var term = (await chain.Rotation.GetCurrent())!;
            await chain.Sequencer(term.LeaderId).InjectFault(new SequencerFault(SequencerFaultKind.BackRunAfterReveal));
            var txs = await SubmitTraffic(chain, senders: 8, perSender: 2);

            var rollback = (await Poll.Until(() => chain.Chain.GetRollbacks(), r => r.Length > 0, TimeSpan.FromSeconds(30), "a rollback"))[0];
            Assert.Equal(BlockFault.OrderingViolation, rollback.Violation);
            Assert.Equal(term.LeaderId, rollback.Offender);
            // Everyone's transactions still land, each once; the inserted one was admitted, so it lands too — in order.
            foreach (var tx in txs) await chain.WaitForLevel(tx.Hash, TxLevel.Finalized, seconds: 60);
            var head = await chain.Chain.GetHead();
            var seen = new Dictionary<Hash32, int>();
            for (ulong h = 1; h <= head.Height; h++)
                foreach (var hash in (await chain.Chain.GetBlock(h))!.TransactionHashes)
                    seen[hash] = seen.GetValueOrDefault(hash) + 1;
            Assert.All(txs, tx => Assert.Equal(1, seen.GetValueOrDefault(tx.Hash)));
            Assert.All(seen, kv => Assert.Equal(1, kv.Value));
            var audit = await chain.Chain.AuditSupply();
            Assert.True(audit.Conserved, $"supply: {audit}");
        }
        finally { await ChainHalt.Stop(chain); }
    }

    private static async Task AssertOutOfBounds(Func<Task> call)
    {
        var e = await Record.ExceptionAsync(call);
        Assert.True(e is CallRefusedException { Reason: CallRefusal.ArgumentOutOfBounds }, $"expected argument-out-of-bounds, got {e?.GetType().Name ?? "no exception"}: {e?.Message}");
    }
}
