using ActorRollup.Abstractions;
using ActorRollup.Abstractions.Config;
using ActorRollup.Abstractions.Messages;
using ActorRollup.Core.Blocks;
using ActorRollup.Core.Primitives;
using ActorRollup.Core.Scheduling;
using ActorRollup.Core.Staking;

namespace ActorRollup.IntegrationTests;

[Collection(ClusterCollection.Name)]
public sealed class RotationTests(ClusterFixture fixture)
{
    [Theory]
    [InlineData("weighted-round-robin")]
    [InlineData("stake-lottery")]
    public async Task Epoch_leaders_follow_the_schedule_for_the_genesis_stakes(string algorithm)
    {
        var chain = await TestChain.Start(fixture.Client, "schedule", c => { c.ScheduleAlgorithm = algorithm; c.ScheduleSeed = 11; });
        await chain.WaitForHeight(4 * chain.Config.EpochLength + 1, seconds: 60);

        var members = chain.Genesis.Sequencers.Select(s => new CommitteeMember(s.Id, (long)s.StakeTokens)).ToList();
        var expected = LeaderSchedule.Compute(chain.Config.Algorithm, members, 4, chain.Config.ScheduleSeed);
        var actual = new List<string>();
        for (ulong epoch = 1; epoch <= 4; epoch++)
            actual.Add((await chain.Chain.GetBlock((epoch - 1) * chain.Config.EpochLength + 1))!.Proposer);
        Assert.Equal(expected, actual);
        var status = await chain.Rotation.GetStatus();
        Assert.Equal(0, status.Failovers);
    }

    [Fact]
    public async Task Every_epochs_committee_and_terms_stay_readable_after_the_head_record_forgot_them()
    {
        // 5-block epochs: the head record keeps the committees of the last 8 epochs; each epoch's own record keeps the rest.
        var chain = await TestChain.Start(fixture.Client, "epoch-history", c => { c.EpochLength = 5; c.BatchSize = 5; });
        await chain.WaitForHeight(14 * 5 + 1, seconds: 60);
        var genesisCommittee = chain.Genesis.Sequencers.Select(s => s.Id).Order(StringComparer.Ordinal).ToArray();
        for (ulong epoch = 1; epoch <= 14; epoch++)
        {
            var seats = await chain.Rotation.GetCommittee(epoch);
            Assert.Equal(genesisCommittee, seats.Select(s => s.Id).Order(StringComparer.Ordinal).ToArray());
            var terms = await chain.Rotation.GetEpochTerms(epoch);
            Assert.NotEmpty(terms);
            Assert.All(terms, t => Assert.Equal(epoch, t.Epoch));
            Assert.Equal((epoch - 1) * 5 + 1, terms[0].FirstHeight);
            // Each block's proposer is the leader of a recorded term of its epoch.
            var block = await chain.Chain.GetBlock((epoch - 1) * 5 + 1);
            Assert.NotNull(block);
            Assert.Contains(terms, t => t.Term == block.Term && t.LeaderId == block.Proposer);
        }
        Assert.Empty(await chain.Rotation.GetCommittee(10_000));
        Assert.Empty(await chain.Rotation.GetEpochTerms(10_000));
    }

    [Fact]
    public async Task A_stake_change_counts_for_the_committee_two_epochs_after_it_was_made()
    {
        var chain = await TestChain.Start(fixture.Client, "stake-delay", c => c.EpochLength = 40);
        // Wait for the start of an epoch so the delegation lands well inside it.
        var epoch = (await chain.Rotation.GetStatus()).Epoch;
        await Poll.Until(() => chain.Rotation.GetStatus(), s => s.Epoch > epoch, TimeSpan.FromSeconds(30), "a new epoch");
        var made = (await chain.Rotation.GetStatus()).Epoch;

        using var owner = GenesisKeys.SequencerOwner(chain.NodeKeySeed, chain.Id, "seq-000");
        var staker = fixture.Client.Staker(chain.Id, owner.Address);
        var nonce = (await staker.GetView()).Nonce; // 1: the genesis registration used nonce 0
        var delegation = StakeAction.Create(owner, chain.Id, StakeActionKind.Delegate, "seq-003", Token.FromTokens(30_000), nonce);
        var result = await staker.Execute(delegation);
        Assert.True(result.Ok, $"{result.Reason} {result.Detail}");
        Assert.Equal(made, (await chain.Rotation.GetStatus()).Epoch);

        await Poll.Until(() => chain.Rotation.GetStatus(), s => s.Epoch >= made + 2, TimeSpan.FromSeconds(60), $"epoch {made + 2}");
        long PowerOf(CommitteeSeat[] seats) => seats.Single(s => s.Id == "seq-003").Power;
        Assert.Equal(24_000, PowerOf(await chain.Rotation.GetCommittee(made)));
        Assert.Equal(24_000, PowerOf(await chain.Rotation.GetCommittee(made + 1)));
        Assert.Equal(54_000, PowerOf(await chain.Rotation.GetCommittee(made + 2)));
    }

    [Fact]
    public async Task A_crashed_leader_is_failed_over_in_time_its_late_block_is_refused_and_it_pays_the_downtime_penalty()
    {
        // The protocol's own checks are exercised directly: these calls present the cluster's internal key, as its grains do.
        using var asInternal = TestCallers.AsInternal();
        var chain = await TestChain.Start(fixture.Client, "crash");
        await chain.WaitForHeight(3);
        var term = (await chain.Rotation.GetCurrent())!;
        var leader = chain.Sequencer(term.LeaderId);
        var stakeBefore = (await leader.GetView()).TotalStake;

        await leader.InjectFault(new SequencerFault(SequencerFaultKind.Crash, Once: false));
        var next = await Poll.Until(() => chain.Rotation.GetCurrent(), t => t!.Term > term.Term, TimeSpan.FromSeconds(20), "a failover");
        Assert.NotEqual(term.LeaderId, next!.LeaderId);
        Assert.Equal(term.Epoch, next.Epoch);
        var head = await chain.WaitForHeight(next.FirstHeight + 2);

        // Failover duration: the old leader's last block to the new leader's first (PROTOCOL.md §10).
        var status = await chain.Rotation.GetStatus();
        Assert.Equal(1, status.Failovers);
        var duration = Assert.Single(status.FailoverDurationsMs);
        var record = Assert.Single(status.FailoverLog);
        Assert.Equal((term.LeaderId, next.LeaderId, duration), (record.FailedLeader, record.Replacement, record.DurationMs));
        Assert.Contains("no block", record.Reason);
        var budget = chain.Config.EffectiveLeaderTimeoutMs + chain.Config.BlockIntervalMs;
        Assert.True(duration <= 2 * budget, $"failover took {duration} ms; the target is {budget} ms (twice that tolerated on a loaded machine)");

        // The old leader's late block for its old term is refused: it can never fork the chain.
        using var signer = GenesisKeys.SequencerSigner(chain.NodeKeySeed, chain.Id, term.LeaderId);
        var late = Block.Create(signer, chain.Id, head.Height + 1, term.Epoch, term.Term, head.Hash, head.StateRoot,
            DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), term.LeaderId, default, []);
        var refused = await chain.Chain.AppendBlock(late, new QuorumCertificate(late.Hash, []));
        Assert.Equal(ChainReason.StaleTerm, refused.Reason);
        // It changed nothing: the next block at that height is the new leader's, and the state root is the same.
        await chain.WaitForHeight(head.Height + 1);
        var successor = (await chain.Chain.GetBlock(head.Height + 1))!;
        Assert.NotEqual(late.Hash, successor.Hash);
        Assert.Equal(head.StateRoot, successor.StateRoot);

        // Downtime penalty: 0.01% of its stake, jailed for two epochs (PROTOCOL.md §5).
        var view = await leader.GetView();
        Assert.Equal(nameof(SequencerStatus.Jailed), view.Status);
        Assert.Equal(stakeBefore * chain.Config.DowntimeSlashBps / 10_000, view.Slashed);
        Assert.Equal(stakeBefore - view.Slashed, view.TotalStake);
        var audit = await chain.Chain.AuditSupply();
        Assert.True(audit.Conserved, $"supply: {audit}");
        await leader.InjectFault(new SequencerFault(SequencerFaultKind.None));
    }

    [Fact]
    public async Task With_more_than_a_third_of_the_stake_offline_the_chain_halts_visibly_and_resumes_when_they_return()
    {
        var chain = await TestChain.Start(fixture.Client, "halt");
        await chain.WaitForHeight(2);
        var term = (await chain.Rotation.GetCurrent())!;
        long total = term.TotalPower, offline = 0;
        var down = new List<string>();
        foreach (var seat in term.Committee.Where(s => s.Id != term.LeaderId).OrderByDescending(s => s.Power))
        {
            if (3 * offline > total) break;
            down.Add(seat.Id);
            offline += seat.Power;
        }
        foreach (var id in down) await chain.Sequencer(id).InjectFault(new SequencerFault(SequencerFaultKind.Offline, Once: false));

        var halted = await Poll.Until(() => chain.Status(), s => s.Halted, TimeSpan.FromSeconds(20), "a visible halt");
        Assert.Contains("no quorum", halted.HaltReason);
        var stuckAt = halted.SoftConfirmedHeight;
        var stillHalted = await Poll.Until(() => chain.Status(), s => s.Halted, TimeSpan.FromSeconds(5), "still halted");
        Assert.InRange(stillHalted.SoftConfirmedHeight, stuckAt, stuckAt + 1);
        Assert.Equal(0, (await chain.Rotation.GetStatus()).Failovers); // the leader is alive: no one is penalised

        foreach (var id in down) await chain.Sequencer(id).InjectFault(new SequencerFault(SequencerFaultKind.None));
        var resumed = await Poll.Until(() => chain.Status(), s => !s.Halted && s.SoftConfirmedHeight > stuckAt + 2, TimeSpan.FromSeconds(20), "the chain to resume");
        Assert.Equal(term.LeaderId, resumed.Leader);
    }

    [Fact]
    public async Task Two_chains_in_one_cluster_do_not_interfere()
    {
        var a = await TestChain.Start(fixture.Client, "pair-a");
        var b = await TestChain.Start(fixture.Client, "pair-b");
        // The same load-test keys exist on both chains; a transaction signed for A is refused by B.
        var txA = a.Transfer(0, 1, 100);
        var onB = await b.Submit(txA);
        Assert.Equal(Core.Transactions.AdmissionReason.WrongChain, onB[0].Reason);
        Assert.Equal(Core.Transactions.AdmissionReason.Ok, (await a.Submit(txA))[0].Reason);
        var txB = b.Transfer(5, 6, 7);
        Assert.Equal(Core.Transactions.AdmissionReason.Ok, (await b.Submit(txB))[0].Reason);

        // Crash A's leader: A fails over, B does not notice.
        var leaderA = (await a.Rotation.GetCurrent())!;
        await a.Sequencer(leaderA.LeaderId).InjectFault(new SequencerFault(SequencerFaultKind.Crash, Once: false));
        await Poll.Until(() => a.Rotation.GetStatus(), s => s.Failovers >= 1, TimeSpan.FromSeconds(20), "A's failover");
        await a.WaitForLevel(txA.Hash, TxLevel.SoftConfirmed);
        await b.WaitForLevel(txB.Hash, TxLevel.SoftConfirmed);
        Assert.Equal(0, (await b.Rotation.GetStatus()).Failovers);
        Assert.Equal(TxLevel.Unknown, (await b.Chain.GetTxStatus(txA.Hash)).Level);
        Assert.Equal(TxLevel.Unknown, (await a.Chain.GetTxStatus(txB.Hash)).Level);
        var accountOnB = (await b.Chain.GetAccounts([a.Account(0).Address]))[0];
        Assert.Equal(0UL, accountOnB.Nonce);
        await a.Sequencer(leaderA.LeaderId).InjectFault(new SequencerFault(SequencerFaultKind.None));
    }
}
