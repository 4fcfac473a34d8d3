using ActorRollup.Abstractions.Messages;
using ActorRollup.Core.Blocks;
using ActorRollup.Core.Transactions;

namespace ActorRollup.IntegrationTests;

/// <summary>The remaining faults of PROTOCOL.md §9: slow leader, censorship, a validator offline.</summary>
[Collection(ClusterCollection.Name)]
public sealed class FaultTests(ClusterFixture fixture)
{
    [Fact]
    public async Task A_slow_leader_keeps_producing_and_is_not_failed_over_below_the_timeout()
    {
        // Slow (300 ms a block) but well inside a 3 s timeout, so even a loaded machine never makes it look dead.
        var chain = await TestChain.Start(fixture.Client, "slow", c => { c.LeaderTimeoutMs = 3_000; c.EpochLength = 200; });
        await chain.WaitForHeight(2);
        var term = (await chain.Rotation.GetCurrent())!;
        var delay = chain.Config.EffectiveLeaderTimeoutMs / 10;
        await chain.Sequencer(term.LeaderId).InjectFault(new SequencerFault(SequencerFaultKind.Slow, DelayMs: delay, Once: false));
        var start = await chain.Chain.GetHead();
        var later = await chain.WaitForHeight(start.Height + 6);
        var blocks = await Task.WhenAll(Enumerable.Range(1, 6).Select(i => chain.Chain.GetBlock(start.Height + (ulong)i)));
        Assert.All(blocks, b => Assert.Equal(term.LeaderId, b!.Proposer));
        Assert.Equal(0, (await chain.Rotation.GetStatus()).Failovers);
        // Blocks came at the slow pace, not the configured interval.
        var span = blocks[^1]!.TimestampMs - blocks[0]!.TimestampMs;
        Assert.True(span >= 4 * delay, $"6 slow blocks spanned {span} ms");
        await chain.Sequencer(term.LeaderId).InjectFault(new SequencerFault(SequencerFaultKind.None));
        Assert.True(later.Height > start.Height);
    }

    [Fact]
    public async Task Censorship_shows_as_stuck_admitted_transactions_of_the_censored_sender()
    {
        // A long epoch: the censoring leader stays leader for the whole test.
        var chain = await TestChain.Start(fixture.Client, "censor", c => c.EpochLength = 400);
        await chain.WaitForHeight(2);
        var term = (await chain.Rotation.GetCurrent())!;
        var victim = chain.Account(3).Address;
        await chain.Sequencer(term.LeaderId).InjectFault(new SequencerFault(SequencerFaultKind.Censor, Target: victim.ToString(), Once: false));
        var censored = chain.Transfer(3, 4, 10);
        var other = chain.Transfer(5, 6, 10);
        Assert.All(await chain.Submit(censored, other), r => Assert.Equal(AdmissionReason.Ok, r.Reason));

        await chain.WaitForLevel(other.Hash, TxLevel.SoftConfirmed);
        var stats = await Poll.Until(() => chain.Mempool.GetStats(), s => s.Stuck > 0, TimeSpan.FromSeconds(20), "a stuck transaction");
        Assert.Equal([victim.ToString()], stats.StuckSenders);
        Assert.Equal(TxLevel.Admitted, (await chain.Chain.GetTxStatus(censored.Hash)).Level);

        // Once the leader stops censoring (or is replaced), the transaction goes through.
        await chain.Sequencer(term.LeaderId).InjectFault(new SequencerFault(SequencerFaultKind.None));
        await chain.WaitForLevel(censored.Hash, TxLevel.SoftConfirmed);
        Assert.Equal(0, (await chain.Mempool.GetStats()).Stuck);
    }

    [Fact]
    public async Task With_a_validator_offline_the_others_still_catch_and_roll_back_a_bad_block()
    {
        var chain = await TestChain.Start(fixture.Client, "validator-offline");
        await chain.WaitForHeight(2);
        await chain.Validator("val-03").InjectFault(ValidatorFaultKind.Offline);
        var term = (await chain.Rotation.GetCurrent())!;
        await chain.Sequencer(term.LeaderId).InjectFault(new SequencerFault(SequencerFaultKind.WrongStateRoot));
        var tx = chain.Transfer(7, 8, 99);
        Assert.Equal(AdmissionReason.Ok, (await chain.Submit(tx))[0].Reason);

        var rollback = (await Poll.Until(() => chain.Chain.GetRollbacks(), r => r.Length > 0, TimeSpan.FromSeconds(30), "a rollback"))[0];
        Assert.Equal(term.LeaderId, rollback.Offender);
        await chain.WaitForLevel(tx.Hash, TxLevel.Validated);
        Assert.Equal(0, (await chain.Validator("val-03").GetView()).ChallengesWon);
        await chain.Validator("val-03").InjectFault(ValidatorFaultKind.None);
        // Back online, it catches up from the chain.
        var head = await chain.Chain.GetHead();
        await Poll.Until(() => chain.Validator("val-03").GetView(), v => v.VerifiedHeight >= head.Height, TimeSpan.FromSeconds(20), "val-03 to catch up");
    }

    [Fact]
    public async Task With_sampled_validation_blocks_are_still_validated_and_a_wrong_root_is_still_caught()
    {
        // Each validator fully checks a quarter of the blocks; execution and the state root are checked on all.
        var chain = await TestChain.Start(fixture.Client, "sampled", c => c.ValidationSampleRate = 0.25);
        var head = await chain.WaitForHeight(3);
        await Poll.Until(() => chain.Chain.GetHead(), h => h.ValidatedHeight >= head.Height, TimeSpan.FromSeconds(20), "validation with sampling");
        var term = (await chain.Rotation.GetCurrent())!;
        await chain.Sequencer(term.LeaderId).InjectFault(new SequencerFault(SequencerFaultKind.WrongStateRoot));
        Assert.Equal(AdmissionReason.Ok, (await chain.Submit(chain.Transfer(9, 10, 5)))[0].Reason);
        var rollback = (await Poll.Until(() => chain.Chain.GetRollbacks(), r => r.Length > 0, TimeSpan.FromSeconds(30), "a rollback"))[0];
        Assert.Equal(BlockFault.StateRootMismatch, rollback.Violation);
    }
}
