using ActorRollup.Abstractions;
using ActorRollup.Abstractions.Messages;
using ActorRollup.Core.Blocks;
using ActorRollup.Core.Primitives;
using ActorRollup.Core.Staking;
using ActorRollup.Core.Transactions;

namespace ActorRollup.IntegrationTests;

[Collection(ClusterCollection.Name)]
public sealed class FraudProofTests(ClusterFixture fixture)
{
    /// <summary>Submits transfers from several senders, a few per sender, and returns them in submission order.</summary>
    private static async Task<Transaction[]> SubmitTraffic(TestChain chain, int senders, int perSender)
    {
        var txs = new List<Transaction>();
        for (int round = 0; round < perSender; round++)
            for (int s = 0; s < senders; s++)
                txs.Add(chain.Transfer(10 + s, 40 + s, (UInt128)(1_000 + round)));
        var results = await chain.Submit(txs.ToArray());
        Assert.All(results, r => Assert.Equal(AdmissionReason.Ok, r.Reason));
        return txs.ToArray();
    }

    /// <summary>Every transaction finalized, and each appears in exactly one block of the final chain.</summary>
    private static async Task AssertCommittedExactlyOnce(TestChain chain, IReadOnlyList<Transaction> txs)
    {
        foreach (var tx in txs) await chain.WaitForLevel(tx.Hash, TxLevel.Finalized, seconds: 60);
        var head = await chain.Chain.GetHead();
        var seen = new Dictionary<Hash32, int>();
        for (ulong h = 1; h <= head.Height; h++)
            foreach (var hash in (await chain.Chain.GetBlock(h))!.TransactionHashes)
                seen[hash] = seen.GetValueOrDefault(hash) + 1;
        Assert.All(txs, tx => Assert.Equal(1, seen.GetValueOrDefault(tx.Hash)));
        Assert.All(seen, kv => Assert.Equal(1, kv.Value));
    }

    [Theory]
    [InlineData(SequencerFaultKind.WrongStateRoot, BlockFault.StateRootMismatch)]
    [InlineData(SequencerFaultKind.WrongBalance, BlockFault.StateRootMismatch)]
    public async Task A_wrong_state_root_is_challenged_rolled_back_to_the_parent_and_the_leader_slashed(SequencerFaultKind fault, BlockFault expected)
    {
        var chain = await TestChain.Start(fixture.Client, "bad-root");
        await chain.WaitForHeight(2);
        var term = (await chain.Rotation.GetCurrent())!;
        var offender = chain.Sequencer(term.LeaderId);
        var stakeBefore = (await offender.GetView()).TotalStake;

        await offender.InjectFault(new SequencerFault(fault));
        var txs = await SubmitTraffic(chain, senders: 6, perSender: 3);

        var rollback = (await Poll.Until(() => chain.Chain.GetRollbacks(), r => r.Length > 0, TimeSpan.FromSeconds(30), "a rollback"))[0];
        Assert.Equal(term.LeaderId, rollback.Offender);
        Assert.Equal(expected, rollback.Violation);
        Assert.True(rollback.Depth >= 1);
        // The state went back to the bad block's parent: the root the parent block committed to.
        var parent = await chain.Chain.GetBlock(rollback.FromHeight - 1);
        var parentRoot = parent?.StateRoot ?? (await chain.Validator("val-00").GetView()).ReplicaRoot;
        Assert.Equal(parentRoot, rollback.RestoredStateRoot);

        // Nothing admitted is lost and nothing is committed twice.
        await AssertCommittedExactlyOnce(chain, txs);
        var senders = await chain.Chain.GetAccounts(Enumerable.Range(10, 6).Select(i => chain.Account(i).Address).ToArray());
        Assert.All(senders, a => Assert.Equal(3UL, a.Nonce));

        // Slashed (10%) and jailed; the challengers shared half the slash; a new leader took over at once.
        var view = await offender.GetView();
        Assert.Equal(nameof(SequencerStatus.Jailed), view.Status);
        Assert.Equal(stakeBefore * chain.Config.InvalidRootSlashBps / 10_000, view.Slashed);
        var validators = await Task.WhenAll(chain.Genesis.Validators.Select(v => chain.Validator(v.Id).GetView()));
        var winners = validators.Where(v => v.ChallengesWon > 0).ToArray();
        Assert.NotEmpty(winners);
        UInt128 paid = 0;
        foreach (var w in winners) paid += w.Rewards;
        Assert.True(paid > 0 && paid <= view.Slashed / 2, $"reporters paid {paid} of a {view.Slashed} slash");
        var current = (await chain.Rotation.GetCurrent())!;
        Assert.NotEqual(term.LeaderId, current.LeaderId);
        Assert.True(current.Term > term.Term);
        var audit = await chain.Chain.AuditSupply();
        Assert.True(audit.Conserved, $"supply: {audit}");
        Assert.True(audit.Burned > 0, "half of the slash was burned");
    }

    [Theory]
    [InlineData(SequencerFaultKind.FrontRun)]
    [InlineData(SequencerFaultKind.Reorder)]
    public async Task A_front_run_insertion_or_a_reordering_is_an_ordering_violation_and_is_rolled_back(SequencerFaultKind fault)
    {
        var chain = await TestChain.Start(fixture.Client, "ordering");
        await chain.WaitForHeight(2);
        var term = (await chain.Rotation.GetCurrent())!;
        await chain.Sequencer(term.LeaderId).InjectFault(new SequencerFault(fault));
        var txs = await SubmitTraffic(chain, senders: 8, perSender: 2);

        var rollback = (await Poll.Until(() => chain.Chain.GetRollbacks(), r => r.Length > 0, TimeSpan.FromSeconds(30), "a rollback"))[0];
        Assert.Equal(BlockFault.OrderingViolation, rollback.Violation);
        Assert.Equal(term.LeaderId, rollback.Offender);
        await AssertCommittedExactlyOnce(chain, txs);
        // The inserted transaction was never admitted: it is not re-queued and never committed.
        Assert.Equal(0UL, (await chain.Chain.GetAccounts([chain.Account(0).Address]))[0].Nonce);
    }

    [Fact]
    public async Task Equivocation_is_proven_and_tombstones_the_leader()
    {
        var chain = await TestChain.Start(fixture.Client, "equivocation");
        await chain.WaitForHeight(2);
        var term = (await chain.Rotation.GetCurrent())!;
        var offender = chain.Sequencer(term.LeaderId);
        var stake = (await offender.GetView()).TotalStake;
        await offender.InjectFault(new SequencerFault(SequencerFaultKind.Equivocate));

        var view = await Poll.Until(() => offender.GetView(), v => v.Status == nameof(SequencerStatus.Tombstoned), TimeSpan.FromSeconds(20), "a tombstone");
        Assert.Equal(stake * chain.Config.EquivocationSlashBps / 10_000, view.Slashed);
        var next = await Poll.Until(() => chain.Rotation.GetCurrent(), t => t!.LeaderId != term.LeaderId, TimeSpan.FromSeconds(20), "a new leader");
        var head = await chain.Chain.GetHead();
        await chain.WaitForHeight(head.Height + 3);
        // A tombstoned sequencer never sits on a committee again.
        await Poll.Until(() => chain.Rotation.GetStatus(), s => s.Epoch > next!.Epoch, TimeSpan.FromSeconds(30), "the next epoch");
        var committee = await chain.Rotation.GetCommittee((await chain.Rotation.GetStatus()).Epoch);
        Assert.DoesNotContain(committee, s => s.Id == term.LeaderId);
        var audit = await chain.Chain.AuditSupply();
        Assert.True(audit.Conserved, $"supply: {audit}");
    }

    [Fact]
    public async Task A_false_challenge_is_refused_and_penalised_and_a_rollback_without_proof_is_refused()
    {
        // The protocol's own checks are exercised directly: these calls present the cluster's internal key, as its grains do.
        using var asInternal = TestCallers.AsInternal();
        var chain = await TestChain.Start(fixture.Client, "false-challenge");
        await chain.WaitForHeight(2);
        await chain.Validator("val-01").InjectFault(ValidatorFaultKind.FalseChallenge);
        var view = await Poll.Until(() => chain.Validator("val-01").GetView(), v => v.Strikes > 0, TimeSpan.FromSeconds(20), "a strike");
        Assert.Equal(1, view.ChallengesOpened);
        Assert.Equal(0, view.ChallengesWon);
        Assert.Empty(await chain.Chain.GetRollbacks());

        var head = await chain.Chain.GetHead();
        var refused = await chain.Chain.RequestRollback(head.Height, "no proof");
        Assert.Equal(ChainReason.RollbackWithoutProof, refused.Reason);
        var later = await chain.WaitForHeight(head.Height + 2);
        Assert.Empty(await chain.Chain.GetRollbacks());
        Assert.Equal(head.Hash, (await chain.Chain.GetBlock(head.Height))!.Hash);
        Assert.Equal(head.StateRoot, later.StateRoot);

        // Past the strike limit, part of the bond is burned.
        for (int i = 1; i < chain.Config.FalseChallengeStrikeLimit; i++)
        {
            await chain.Validator("val-01").InjectFault(ValidatorFaultKind.FalseChallenge);
            await Poll.Until(() => chain.Validator("val-01").GetView(), v => v.Strikes > i, TimeSpan.FromSeconds(20), $"strike {i + 1}");
        }
        var penalised = await chain.Validator("val-01").GetView();
        Assert.Equal(Token.FromTokens(10_000) - Token.FromTokens(10_000) * chain.Config.FalseChallengeSlashBps / 10_000, penalised.Bond);
        Assert.True(later.Height > head.Height);
    }
}
