using ActorRollup.Abstractions;
using ActorRollup.Abstractions.Messages;
using ActorRollup.Abstractions.Security;
using ActorRollup.Core;
using ActorRollup.Core.Blocks;
using ActorRollup.Core.Crypto;
using ActorRollup.Core.Primitives;
using ActorRollup.Core.Transactions;
using ActorRollup.Grains.Infrastructure;
using ActorRollup.Grains.Validator;
using Microsoft.Extensions.DependencyInjection;

namespace ActorRollup.IntegrationTests;

/// <summary>
/// The transaction pipeline and the validators do not trust their callers (issue 10, "defence in depth"): the mempool
/// re-checks what admission checked, every size argument is bounded, admission runs its cheap checks before Ed25519,
/// a validator's state writes never interleave, and a validator takes a block, a rollback or a verdict only as the chain
/// has it. Internal methods are called as the cluster's own grains would (<see cref="TestCallers.AsInternal"/>).
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class PipelineTrustTests(ClusterFixture fixture)
{
    [Fact]
    public async Task A_forged_transaction_handed_straight_to_the_mempool_is_refused_and_cannot_loop_through_rollbacks()
    {
        var chain = await TestChain.Start(fixture.Client, "pipe-forged", accounts: 8);
        try
        {
            await chain.WaitForHeight(1);
            var sender = chain.Account(0);
            var to = chain.Account(1).Address;
            var price = chain.Config.MinGasPrice;
            var signed = Transaction.Create(sender, chain.Id, to, Token.OneToken, 0, price).Encoded.ToArray();
            signed[^1] ^= 1; // the signature no longer verifies; the bytes still decode
            var forged = TransactionCodec.Decode(signed);
            int fits = chain.Config.MaxTransactionBytes - TransactionCodec.FixedSize - chain.Id.Length;
            var cases = new (string What, Transaction Tx, AdmissionReason Expected)[]
            {
                ("a bad signature", forged, AdmissionReason.BadSignature),
                ("another chain", Transaction.Create(sender, "another-chain", to, Token.OneToken, 0, price), AdmissionReason.WrongChain),
                ("a gas price under the minimum", Transaction.Create(sender, chain.Id, to, Token.OneToken, 0, price - 1), AdmissionReason.GasPriceTooLow),
                ("one byte too large", Transaction.Create(sender, chain.Id, to, 1, 0, price, ChainParameters.IntrinsicGas(fits + 1), new byte[fits + 1]), AdmissionReason.TooLarge),
                ("a gas limit under a transfer's", Transaction.Create(sender, chain.Id, to, 1, 0, price, ChainParameters.TransferGas - 1), AdmissionReason.GasLimitTooLow),
                ("a nonce past the window", Transaction.Create(sender, chain.Id, to, 1, (ulong)chain.Config.MaxNonceGap + 1, price), AdmissionReason.NonceTooFarAhead),
            };
            AdmissionResult[] results;
            using (TestCallers.AsInternal()) results = await chain.Mempool.AdmitVerified(cases.Select(c => c.Tx).ToArray());
            for (int i = 0; i < cases.Length; i++)
                Assert.True(cases[i].Expected == results[i].Reason, $"{cases[i].What}: expected {cases[i].Expected}, the mempool said {results[i].Reason}");
            Assert.Equal(0, (await chain.Mempool.GetStats()).Pending);

            // Nothing reached a block: no rollback (so no leader slashed for it), and the sender's nonce is untouched while
            // the chain moves on.
            var head = await chain.Chain.GetHead();
            await chain.WaitForHeight(head.Height + 8);
            Assert.Empty(await chain.Chain.GetRollbacks());
            Assert.Equal(0UL, (await chain.Chain.GetAccounts([sender.Address]))[0].Nonce);

            // The honest transfer with the same fields is admitted and commits once.
            var honest = Transaction.Create(sender, chain.Id, to, Token.OneToken, 0, price);
            Assert.Equal(AdmissionReason.Ok, (await chain.Submit(honest)).Single().Reason);
            await chain.WaitForLevel(honest.Hash, TxLevel.SoftConfirmed);
        }
        finally
        {
            await ChainHalt.Stop(chain);
        }
    }

    [Fact]
    public async Task Mempool_arguments_are_bounded_and_initialize_changes_nothing_unless_the_chain_is_bootstrapping()
    {
        var chain = await TestChain.Start(fixture.Client, "pipe-bounds", c => c.MaxTxPerBlock = 2, accounts: 8);
        try
        {
            await chain.WaitForHeight(1);
            await ChainHalt.Halt(chain);
            var txs = Enumerable.Range(0, 4).Select(i => chain.Transfer(i, 7, Token.OneToken)).ToArray();
            Assert.All(await chain.Submit(txs), r => Assert.Equal(AdmissionReason.Ok, r.Reason));
            var before = Counts(await chain.Mempool.GetStats());

            using (TestCallers.AsInternal())
            {
                // Clamped to Chain:MaxTxPerBlock; a negative count is refused.
                Assert.Equal(2, (await chain.Mempool.TakeBatch(int.MaxValue)).Count);
                await AssertOutOfBounds("TakeBatch(-1)", () => chain.Mempool.TakeBatch(-1));
                await AssertOutOfBounds("GetAdmissions of 100,001 hashes", () => chain.Mempool.GetAdmissions(new Hash32[PipelineLimits.MaxBlockTransactions + 1]));
                await AssertOutOfBounds("AdmitVerified of 10,001", () => chain.Mempool.AdmitVerified(Enumerable.Repeat(txs[0], PipelineLimits.MaxSubmitBatch + 1).ToArray()));
                await AssertOutOfBounds("Requeue with more addresses than entries", () => chain.Mempool.Requeue([], [default], [chain.Account(0).Address]));
                await AssertOutOfBounds("OnCommitted with addresses and accounts of different lengths",
                    () => chain.Mempool.OnCommitted(new CommitNotice(1, [], [chain.Account(0).Address], [], 0, 0)));
                // A second Initialize, with another configuration, changes nothing.
                await chain.Mempool.Initialize(chain.Config with { MempoolCapacity = 1 });
            }
            await AssertOutOfBounds("Submit of 10,001", () => chain.Admission.Submit(new byte[PipelineLimits.MaxSubmitBatch + 1][]));
            Assert.Equal(before, Counts(await chain.Mempool.GetStats()));

            // Initialize of a chain id nobody bootstrapped changes nothing: that mempool stays uninitialized.
            var stray = fixture.Client.Mempool($"pipe-stray-{Guid.NewGuid():N}"[..24]);
            using (TestCallers.AsInternal())
            {
                await stray.Initialize(chain.Config with { ChainId = stray.GetPrimaryKeyString() });
                Assert.Equal(0, (await stray.GetStats()).Capacity);
                Assert.Equal(AdmissionReason.WrongChain, (await stray.AdmitVerified([txs[0]])).Single().Reason);
            }
        }
        finally
        {
            await ChainHalt.Stop(chain);
        }
    }

    [Fact]
    public async Task Admission_refuses_unfunded_senders_and_in_batch_copies_before_verifying_any_signature()
    {
        var chain = await TestChain.Start(fixture.Client, "pipe-dos", accounts: 8);
        try
        {
            await chain.WaitForHeight(1);
            await ChainHalt.Halt(chain);
            // Fresh keys hold nothing; the signatures are garbage, as a flood would send them (free to make).
            var flood = Enumerable.Range(0, 64).Select(_ =>
            {
                using var stranger = SigningKey.Generate();
                var bytes = Transaction.Create(stranger, chain.Id, chain.Account(0).Address, 1, 0, chain.Config.MinGasPrice).Encoded.ToArray();
                bytes[^1] ^= 1;
                return TransactionCodec.Decode(bytes);
            }).ToArray();
            var results = await chain.Admission.Submit(flood.Select(t => t.Encoded).ToArray());
            Assert.All(results, r => Assert.Equal(AdmissionReason.InsufficientBalance, r.Reason));
            // No silo verified any of them: no memo holds a verdict.
            var memos = fixture.Cluster.Silos.Select(s => s.ServiceProvider.GetRequiredService<VerificationMemo>()).ToArray();
            var verified = flood.Count(tx => memos.Any(m => m.TryRecallTransaction(tx, out _)));
            Assert.True(verified == 0, $"{verified} of {flood.Length} unfunded senders' signatures were verified");

            // A copy within one batch is a duplicate (the first is admitted).
            var tx = chain.Transfer(1, 2, Token.OneToken);
            Assert.Equal(new[] { AdmissionReason.Ok, AdmissionReason.Duplicate }, (await chain.Submit(tx, tx)).Select(r => r.Reason));
        }
        finally
        {
            await ChainHalt.Stop(chain);
        }
    }

    [Fact]
    public async Task A_validators_state_writes_do_not_interleave_so_concurrent_rollback_notices_all_complete()
    {
        var chain = await TestChain.Start(fixture.Client, "pipe-serial", validators: 4, accounts: 8);
        try
        {
            await chain.WaitForHeight(3);
            await ChainHalt.Halt(chain);
            var head = await chain.Chain.GetHead();
            var validator = chain.Validator("val-00");
            await Poll.Until(() => validator.GetView(), v => v.VerifiedHeight == head.Height, TimeSpan.FromSeconds(30), "val-00 to verify the head");

            // The rollback notice the chain sends while it rolls back (its head is the restored parent), many at once, as
            // interleaved writes would meet: every one must complete (none fails with an inconsistent state write).
            Task[] notices;
            using (TestCallers.AsInternal()) notices = Enumerable.Range(0, 40).Select(_ => validator.OnRolledBack(head.Height + 1, head.Hash)).ToArray();
            var failures = new List<string>();
            foreach (var n in notices)
            {
                try { await n; }
                catch (Exception e) { failures.Add($"{e.GetType().Name}: {e.Message}"); }
            }
            Assert.True(failures.Count == 0, $"{failures.Count} of {notices.Length} concurrent notices failed; first: {failures.FirstOrDefault()}");
            Assert.Equal(head.Height, (await validator.GetView()).VerifiedHeight);
        }
        finally
        {
            await ChainHalt.Stop(chain);
        }
    }

    [Fact]
    public async Task A_rollback_notice_waits_for_the_turn_that_is_writing_the_validators_state()
    {
        var chain = await TestChain.Start(fixture.Client, "pipe-held-write", validators: 4, accounts: 8);
        try
        {
            var validator = chain.Validator("val-00");
            await chain.WaitForHeight(2);
            Task notice;
            // val-00's write of its opened challenge — inside the turn that applies the bad block — is held open (a
            // networked store's slow round trip). Orleans queues a grain's own state writes, so what could interleave there
            // is the state change itself: a rollback notice rewinding the replica in the middle of that turn.
            using (var watch = HeldWrites.HoldNextWrite(validator.GetGrainId(), state => state is ValidatorState { ChallengesOpened: > 0 }))
            {
                var leader = (await chain.Rotation.GetCurrent())!.LeaderId;
                await chain.Sequencer(leader).InjectFault(new SequencerFault(SequencerFaultKind.WrongStateRoot));
                Assert.Equal(AdmissionReason.Ok, (await chain.Submit(chain.Transfer(0, 1, Token.OneToken))).Single().Reason);
                await watch.Held.WaitAsync(TimeSpan.FromSeconds(30));
                var bad = (await validator.GetView()).VerifiedHeight; // the bad block: applied in memory, being written

                // The other validators' challenge succeeds (val-00's vote interleaves, read only): the chain rewinds its head
                // to the bad block's parent and sends every validator the rollback notice, then waits for them.
                var head = await Poll.Until(() => chain.Chain.GetHead(), h => h.Height < bad, TimeSpan.FromSeconds(30), $"the chain to roll back from {bad}");
                Assert.Equal(bad - 1, head.Height);
                // The same notice from this client, then the same to another validator, answered once that one has checked
                // it against the chain and rewound; then two queries that interleave, which reach val-00 after its notice:
                // a notice that interleaved would have rewound val-00's replica by the time they answer.
                using (TestCallers.AsInternal())
                {
                    notice = validator.OnRolledBack(bad, head.Hash);
                    await chain.Validator("val-01").OnRolledBack(bad, head.Hash).WaitAsync(TimeSpan.FromSeconds(30));
                }
                await validator.GetView();
                var during = await validator.GetView();
                Assert.True(during.VerifiedHeight == bad, $"a rollback notice rewound the replica to {during.VerifiedHeight} inside the turn still writing block {bad}");
                Assert.False(notice.IsCompleted, "the rollback notice ran inside the turn still writing the validator's state");

                watch.Release();
                await notice.WaitAsync(TimeSpan.FromSeconds(30)); // completes, no inconsistent state write
                Assert.Equal(1, watch.MaxInFlight);
            }
            // The rollback completes, and val-00 follows the chain past it with the chain's state.
            var rollback = (await Poll.Until(() => chain.Chain.GetRollbacks(), r => r.Length > 0, TimeSpan.FromSeconds(30), "the rollback recorded"))[0];
            var after = await chain.WaitForHeight(rollback.FromHeight + 2);
            var view = await Poll.Until(() => validator.GetView(), v => v.VerifiedHeight >= after.Height, TimeSpan.FromSeconds(30), "val-00 to follow the chain after the rollback");
            var block = (await chain.Chain.GetBlock(view.VerifiedHeight))!;
            Assert.Equal(block.StateRoot, view.ReplicaRoot);
        }
        finally
        {
            await ChainHalt.Stop(chain);
        }
    }

    [Fact]
    public async Task A_validator_takes_blocks_rollbacks_and_verdicts_only_as_the_chain_has_them()
    {
        var chain = await TestChain.Start(fixture.Client, "pipe-validator", validators: 4, accounts: 8);
        try
        {
            await chain.WaitForHeight(3);
            await ChainHalt.Halt(chain);
            var head = await chain.Chain.GetHead();
            var validator = chain.Validator("val-01");
            var start = await Poll.Until(() => validator.GetView(), v => v.VerifiedHeight == head.Height, TimeSpan.FromSeconds(30), "val-01 to verify the head");
            var real = (await chain.Chain.GetCommittedBlock(head.Height))!;

            using (TestCallers.AsInternal())
            {
                // A block the chain does not have, on top of the replica's head (signed by a stranger, with the real QC).
                using var stranger = SigningKey.Generate();
                var h = real.Block.Header;
                var fake = Block.Create(stranger, chain.Id, head.Height + 1, h.Epoch, h.Term, head.Hash, head.StateRoot, h.TimestampMs + 1, h.ProposerId, default, []);
                await validator.OnBlockCommitted(new CommittedBlock(fake, real.Certificate, 0));
                // A rollback the chain never made, back to genesis.
                await validator.OnRolledBack(1, (await chain.Chain.GetCommittedBlock(1))!.Block.Header.ParentHash);
                // Verdicts the chain never gave: rejections up to the strike limit (which would burn bond) and a win with a reward.
                for (int i = 0; i < chain.Config.FalseChallengeStrikeLimit + 1; i++)
                    await validator.OnChallengeDecided($"{chain.Id}/challenge-{i + 1}", false, 0);
                await validator.OnChallengeDecided($"{chain.Id}/challenge-99", true, Token.FromTokens(1_000));
                // A vote on a proof by a challenger that is not a validator of this chain.
                var vote = await validator.Vote(new FraudProof("val-99", head.Height, head.Hash, head.StateRoot, head.StateRoot, BlockFault.StateRootMismatch, "forged", []));
                Assert.False(vote.Agrees);
            }
            // OnBlockCommitted is one-way; the calls after it (not interleaving) were queued behind it.
            var after = await validator.GetView();
            Assert.Equal(head.Height, after.VerifiedHeight);
            Assert.Equal(start.ReplicaRoot, after.ReplicaRoot);
            Assert.Equal(start.Strikes, after.Strikes);
            Assert.Equal(start.Bond, after.Bond);
            Assert.Equal(start.Rewards, after.Rewards);
            Assert.Equal(start.ChallengesWon, after.ChallengesWon);
            Assert.Equal(start.ChallengesOpened, after.ChallengesOpened);

            // It still follows the real chain.
            await ChainHalt.Resume(chain);
            var next = await chain.WaitForHeight(head.Height + 3);
            await Poll.Until(() => validator.GetView(), v => v.VerifiedHeight >= next.Height, TimeSpan.FromSeconds(30), "val-01 to follow the chain");
            Assert.Empty(await chain.Chain.GetRollbacks());
        }
        finally
        {
            await ChainHalt.Stop(chain);
        }
    }

    private static (int Pending, int Capacity, ulong Admitted, ulong Refused, ulong Committed, ulong Requeued) Counts(MempoolStats s) =>
        (s.Pending, s.Capacity, s.Admitted, s.Refused, s.Committed, s.Requeued);

    private static async Task AssertOutOfBounds(string what, Func<Task> call)
    {
        var e = await Record.ExceptionAsync(call);
        Assert.True(e is CallRefusedException { Reason: CallRefusal.ArgumentOutOfBounds }, $"{what}: expected an argument-out-of-bounds refusal, got {e?.GetType().Name ?? "no exception"}: {e?.Message}");
    }
}
