using ActorRollup.Abstractions;
using ActorRollup.Abstractions.Messages;
using ActorRollup.Core.Transactions;

namespace ActorRollup.IntegrationTests;

/// <summary>
/// A bad block at the last height of an epoch is found after the next epoch began. The rollback deletes a height of an
/// ended epoch; rotation produces it again in that epoch (a make-up term), then the next epoch's leader goes on
/// (RotationGrain.ResumeAfter). Before that fix the height was offered under the new epoch, which every attester
/// refuses (an epoch is a fixed height range), and the chain stopped.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class EpochEdgeRollbackTests(ClusterFixture fixture)
{
    private const ulong EpochLength = 10;

    [Fact]
    public async Task A_bad_block_at_the_last_height_of_an_epoch_is_produced_again_in_its_epoch_and_the_chain_goes_on()
    {
        // The fault fires on the leader's next block; injected when the head is one below an epoch's end it lands on
        // that last height unless the leader was faster than the injection (then another chain is tried).
        for (int attempt = 0; ; attempt++)
        {
            var chain = await TestChain.Start(fixture.Client, $"edge-{attempt}", c => { c.EpochLength = EpochLength; c.BatchSize = 5; });
            using var stop = new CancellationTokenSource();
            var sent = new List<Transaction>();
            var traffic = Task.Run(async () =>
            {
                for (int round = 0; !stop.IsCancellationRequested; round++)
                {
                    var txs = Enumerable.Range(0, 4).Select(i => chain.Transfer((round * 4 + i) % 32, 32 + i, 1)).ToArray();
                    Assert.All(await chain.Submit(txs), r => Assert.Equal(AdmissionReason.Ok, r.Reason));
                    sent.AddRange(txs);
                    try { await Task.Delay(20, stop.Token); } catch (OperationCanceledException) { }
                }
            });
            await Poll.Until(() => chain.Chain.GetHead(), x => x.Height >= 2 * EpochLength && x.Height % EpochLength == EpochLength - 1,
                TimeSpan.FromSeconds(60), "the head one below an epoch's end");
            var term = (await chain.Rotation.GetCurrent())!;
            await chain.Sequencer(term.LeaderId).InjectFault(new SequencerFault(SequencerFaultKind.WrongStateRoot));
            var rollback = (await Poll.Until(() => chain.Chain.GetRollbacks(), r => r.Length > 0, TimeSpan.FromSeconds(30), "a rollback"))[0];
            await Poll.Until(() => chain.Chain.GetHead(), x => x.FinalizedHeight > rollback.FromHeight + EpochLength, TimeSpan.FromSeconds(60),
                $"finality past the rollback from {rollback.FromHeight}");
            stop.Cancel();
            await traffic;
            if (rollback.FromHeight % EpochLength != 0)
            {
                Assert.True(attempt < 5, $"no bad block landed on an epoch's last height in {attempt + 1} chains");
                continue;
            }

            // The height was produced again in its own epoch, by another member, and the next epoch followed.
            var again = (await chain.Chain.GetBlock(rollback.FromHeight))!;
            var next = (await chain.Chain.GetBlock(rollback.FromHeight + 1))!;
            Assert.Equal(rollback.FromHeight / EpochLength, again.Epoch);
            Assert.NotEqual(rollback.Offender, again.Proposer);
            Assert.Equal(again.Epoch + 1, next.Epoch);
            // Nothing admitted is lost; supply is conserved.
            foreach (var tx in sent.TakeLast(16)) await chain.WaitForLevel(tx.Hash, TxLevel.Finalized, seconds: 60);
            var accounts = await chain.Chain.GetAccounts(Enumerable.Range(0, 32).Select(i => chain.Account(i).Address).ToArray());
            Assert.Equal((ulong)sent.Count, accounts.Aggregate(0UL, (n, a) => n + a.Nonce));
            var audit = await chain.Chain.AuditSupply();
            Assert.True(audit.Conserved, $"supply: {audit}");
            return;
        }
    }
}
