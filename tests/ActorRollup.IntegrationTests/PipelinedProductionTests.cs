using ActorRollup.Abstractions;
using ActorRollup.Abstractions.Messages;
using ActorRollup.Core.Primitives;
using ActorRollup.Core.Transactions;

namespace ActorRollup.IntegrationTests;

/// <summary>
/// Pipelined block production (PROTOCOL.md §7, issue 11): a leader proposes the next block on the previous one's state
/// while that one is being attested, so over a WAN the block cadence is the block interval, not the quorum round trip;
/// and the mempool's reservations hand each in-flight block transactions the blocks before it do not hold.
/// </summary>
[Collection(NetworkClusterCollection.Name)]
public sealed class PipelinedProductionTests(NetworkClusterFixture fixture)
{
    private static void Wan(Abstractions.Config.ChainConfig c, int depth)
    {
        c.BlockIntervalMs = 100;
        c.LeaderTimeoutMs = 10_000;
        c.CommitteeSize = 10;
        c.EpochLength = 1_000; // one term for the whole test: only a term's first block is proposed alone
        c.PipelineDepth = depth;
    }

    [Fact]
    public async Task Over_a_200ms_quorum_round_trip_a_pipelined_leader_commits_a_block_per_interval_and_loses_nothing()
    {
        // Ten members, half the stake in each region 200 ms apart: every quorum crosses.
        var stakes = Enumerable.Repeat(30_000UL, 10).ToArray();
        var piped = await TestChain.Start(fixture.Client, "pipe-wan", c => Wan(c, 4), stakes: stakes, validators: 1, accounts: 16);
        var single = await TestChain.Start(fixture.Client, "pipe-one", c => Wan(c, 1), stakes: stakes, validators: 1, accounts: 16);
        try
        {
            // Traffic while the blocks are measured: each account sends in sequence (nonces in flight across blocks).
            var txs = Enumerable.Range(0, 5).SelectMany(_ => Enumerable.Range(0, 16).Select(i => piped.Transfer(i, (i + 1) % 16, Token.OneToken))).ToArray();
            await piped.WaitForHeight(2, seconds: 60);
            foreach (var chunk in txs.Chunk(16))
                Assert.All(await piped.Submit(chunk), r => Assert.Equal(AdmissionReason.Ok, r.Reason));

            async Task<double> MedianGapMs(TestChain chain)
            {
                var head = await chain.WaitForHeight(24, seconds: 90);
                var blocks = await Task.WhenAll(Enumerable.Range(4, 20).Select(h => chain.Chain.GetBlock((ulong)h)));
                var gaps = blocks.Zip(blocks.Skip(1), (a, b) => (double)(b!.CommittedAtMs - a!.CommittedAtMs)).Order().ToArray();
                return gaps[gaps.Length / 2];
            }
            var pipedGap = await MedianGapMs(piped);
            var singleGap = await MedianGapMs(single);
            // One block at a time pays the 200 ms round trip per block; four in flight commit one per 100 ms interval.
            Assert.True(singleGap >= 200, $"one block in flight: median gap between commits {singleGap} ms (expected the 200 ms round trip or more)");
            Assert.True(pipedGap < 170, $"four blocks in flight: median gap between commits {pipedGap} ms (expected about the 100 ms interval)");

            // Every transaction committed exactly once, in nonce order per sender, with no rollback.
            foreach (var tx in txs) await piped.WaitForLevel(tx.Hash, TxLevel.SoftConfirmed, seconds: 60);
            var head2 = await piped.Chain.GetHead();
            var all = (await Task.WhenAll(Enumerable.Range(1, (int)head2.Height).Select(h => piped.Chain.GetBlock((ulong)h))))
                .SelectMany(b => b!.TransactionHashes).ToList();
            Assert.Equal(all.Count, all.Distinct().Count());
            Assert.All(txs, tx => Assert.Contains(tx.Hash, all));
            Assert.Empty(await piped.Chain.GetRollbacks());
            var nonces = await piped.Chain.GetAccounts(Enumerable.Range(0, 16).Select(i => piped.Account(i).Address).ToArray());
            Assert.All(nonces, a => Assert.Equal(5UL, a.Nonce));
        }
        finally
        {
            await ChainHalt.Stop(piped);
            await ChainHalt.Stop(single);
        }
    }
}

/// <summary>The mempool's reservations for a pipelining leader (IMempoolGrain.TakeBatch).</summary>
[Collection(ClusterCollection.Name)]
public sealed class MempoolReservationTests(ClusterFixture fixture)
{
    [Fact]
    public async Task An_extending_take_continues_after_the_reserved_transactions_and_a_fresh_or_newer_take_releases_them()
    {
        var chain = await TestChain.Start(fixture.Client, "pipe-reserve", c => c.MaxTxPerBlock = 100, accounts: 8);
        try
        {
            await chain.WaitForHeight(1);
            await ChainHalt.Halt(chain);
            // Sender 0: nonces 0, 1, 2; sender 1: nonce 0; sender 2: nonces 0, 1.
            var txs = new[] { chain.Transfer(0, 7, 1), chain.Transfer(0, 7, 1), chain.Transfer(0, 7, 1), chain.Transfer(1, 7, 1), chain.Transfer(2, 7, 1), chain.Transfer(2, 7, 1) };
            Assert.All(await chain.Submit(txs), r => Assert.Equal(AdmissionReason.Ok, r.Reason));
            var term = ((await chain.Rotation.GetStatus()).Current?.Term ?? 0) + 100;
            static HashSet<Hash32> Hashes(PendingBatch b) => b.Transactions.Select(t => t.Hash).ToHashSet();

            using (TestCallers.AsInternal())
            {
                var first = await chain.Mempool.TakeBatch(3, null, term, extend: false);
                Assert.Equal(3, first.Count); // fcfs: sender 0's three
                var next = await chain.Mempool.TakeBatch(100, null, term, extend: true);
                Assert.Equal(3, next.Count);
                Assert.Empty(Hashes(first).Intersect(Hashes(next)));
                Assert.Equal(txs.Select(t => t.Hash).ToHashSet(), Hashes(first).Union(Hashes(next)).ToHashSet());
                // Everything is reserved now: another extension finds nothing.
                Assert.Equal(0, (await chain.Mempool.TakeBatch(100, null, term, extend: true)).Count);
                // An older term's take neither uses nor disturbs the reservations.
                Assert.Equal(6, (await chain.Mempool.TakeBatch(100, null, term - 1, extend: true)).Count);
                Assert.Equal(0, (await chain.Mempool.TakeBatch(100, null, term, extend: true)).Count);
                // A fresh take (a pipeline started over) releases them and starts from the committed nonces.
                Assert.Equal(6, (await chain.Mempool.TakeBatch(100, null, term, extend: false)).Count);
                // A newer term's extension releases the old term's reservations too.
                Assert.Equal(6, (await chain.Mempool.TakeBatch(100, null, term + 1, extend: true)).Count);
                // A take without a term (no pipeline) sees everything and reserves nothing.
                Assert.Equal(6, (await chain.Mempool.TakeBatch(100)).Count);
                Assert.Equal(0, (await chain.Mempool.TakeBatch(100, null, term + 1, extend: true)).Count);
            }
            // The leader back online commits every one of them exactly once.
            await ChainHalt.Resume(chain);
            foreach (var tx in txs) await chain.WaitForLevel(tx.Hash, TxLevel.SoftConfirmed);
        }
        finally
        {
            await ChainHalt.Stop(chain);
        }
    }
}
