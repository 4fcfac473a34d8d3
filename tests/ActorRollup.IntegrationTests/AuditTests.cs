using ActorRollup.Abstractions;
using ActorRollup.Abstractions.Config;
using ActorRollup.Abstractions.Messages;
using ActorRollup.Core.Blocks;
using ActorRollup.Core.Primitives;
using ActorRollup.Core.Transactions;
using ActorRollup.Audit;
using ActorRollup.Harness.Audit;

namespace ActorRollup.IntegrationTests;

/// <summary>
/// The chain audit behind <c>rollup verify</c> (<see cref="ChainAuditor"/>) on real chains of the shared cluster: it
/// passes on a chain that went through transactions, a byzantine-root rollback, a crash failover and epoch changes
/// with committee changes, while the chain keeps producing; and the chain's own blocks, changed in one place and
/// re-signed with the genesis keys, fail with that change's reason code.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class AuditTests(ClusterFixture fixture)
{
    private static async Task<Transaction[]> SubmitTraffic(TestChain chain, int firstAccount, int senders, int perSender)
    {
        var txs = new List<Transaction>();
        for (int round = 0; round < perSender; round++)
            for (int s = 0; s < senders; s++)
                txs.Add(chain.Transfer(firstAccount + s, 50 + s, (UInt128)(1_000 + round)));
        Assert.All(await chain.Submit(txs.ToArray()), r => Assert.Equal(AdmissionReason.Ok, r.Reason));
        return txs.ToArray();
    }

    [Fact]
    public async Task The_audit_passes_on_a_live_chain_with_transactions_a_rollback_a_failover_and_epoch_changes()
    {
        var chain = await TestChain.Start(fixture.Client, "audit");
        try
        {
            await chain.WaitForHeight(2);
            var txs = new List<Transaction>(await SubmitTraffic(chain, 0, senders: 5, perSender: 2));

            // A byzantine leader: a wrong state root, challenged and rolled back; its transactions are committed again.
            var byzantine = (await chain.Rotation.GetCurrent())!;
            await chain.Sequencer(byzantine.LeaderId).InjectFault(new SequencerFault(SequencerFaultKind.WrongStateRoot));
            txs.AddRange(await SubmitTraffic(chain, 10, senders: 5, perSender: 2));
            var rollback = (await Poll.Until(() => chain.Chain.GetRollbacks(), r => r.Length > 0, TimeSpan.FromSeconds(30), "a rollback"))[0];
            Assert.Equal(byzantine.LeaderId, rollback.Offender);

            // A crashed leader: failed over after the leader timeout, jailed, so the next epoch's committee is smaller.
            var crashed = (await chain.Rotation.GetCurrent())!;
            await chain.Sequencer(crashed.LeaderId).InjectFault(new SequencerFault(SequencerFaultKind.Crash, Once: false));
            var replacement = await Poll.Until(() => chain.Rotation.GetCurrent(), t => t!.Term > crashed.Term && t.LeaderId != crashed.LeaderId,
                TimeSpan.FromSeconds(30), "a failover");
            await chain.Sequencer(crashed.LeaderId).InjectFault(new SequencerFault(SequencerFaultKind.None));
            txs.AddRange(await SubmitTraffic(chain, 20, senders: 5, perSender: 2));

            // Two epoch changes past the faults, every transaction committed, nothing left to challenge.
            await chain.WaitForHeight(Math.Max(replacement!.LastHeight, 2 * chain.Config.EpochLength) + 3, seconds: 60);
            foreach (var tx in txs) await chain.WaitForLevel(tx.Hash, TxLevel.Validated, seconds: 60);

            // The chain keeps producing blocks while it is audited, at a deployment's pace rather than the test config's
            // 50 ms: the audit compares the live state only while the head holds still, and on a loaded 2-core machine
            // reading it takes longer than 50 ms (the audit then gave up after 400 rounds). Every member proposes and
            // attests 150 ms late meanwhile; blocks still come well inside the leader timeout.
            foreach (var s in chain.Genesis.Sequencers)
                await chain.Sequencer(s.Id).InjectFault(new SequencerFault(SequencerFaultKind.Slow, DelayMs: 150, Once: false));
            var report = await new ChainAuditor(fixture.Client) { MaxRounds = 400 }.AuditAsync(chain.Id);
            foreach (var s in chain.Genesis.Sequencers) await chain.Sequencer(s.Id).InjectFault(new SequencerFault(SequencerFaultKind.None));

            Assert.True(report.Passed, string.Join("\n", report.Violations));
            Assert.Empty(report.Gaps);
            Assert.True(report.SupplyConserved);
            Assert.Equal(chain.Id, report.ChainId);
            Assert.Equal(report.Blocks, report.Certificates);
            Assert.True(report.Height > 2 * chain.Config.EpochLength, $"height {report.Height}");
            Assert.True(report.Epochs >= 3, $"{report.Epochs} epochs");
            Assert.True(report.Terms >= 4, $"{report.Terms} terms: three epochs, a rollback's and a crash's failover");
            Assert.True(report.Rollbacks >= 1);
            Assert.True(report.Transactions >= txs.Count, $"{report.Transactions} transactions replayed, {txs.Count} submitted");
            // The head it reached is the chain's, with the chain's own state root, at that moment or a little before.
            var head = await chain.Chain.GetHead();
            Assert.True(report.Height <= head.Height);
            Assert.Equal((await chain.Chain.GetBlock(report.Height))!.StateRoot.ToString(), report.FinalStateRoot);
            var committees = await Task.WhenAll(Enumerable.Range(1, report.Epochs).Select(e => chain.Rotation.GetCommittee((ulong)e)));
            Assert.Contains(committees, c => c.Length < chain.Genesis.Sequencers.Length); // the jailed leaders left the committee
        }
        finally
        {
            await chain.Rotation.Retire();
        }
    }

    [Fact]
    public async Task The_chains_own_blocks_changed_in_one_place_and_re_signed_fail_with_that_reason()
    {
        var chain = await TestChain.Start(fixture.Client, "audit-tamper");
        AuditHistory history;
        List<CommittedBlock> blocks;
        try
        {
            await chain.WaitForHeight(2);
            var txs = await SubmitTraffic(chain, 0, senders: 4, perSender: 2);
            foreach (var tx in txs) await chain.WaitForLevel(tx.Hash, TxLevel.SoftConfirmed);
        }
        finally
        {
            await chain.Rotation.Retire();
        }
        // The retired chain holds still: read it as the auditor does (the published genesis, as any client sees it).
        var published = (await chain.Chain.GetGenesis())!;
        var head = await chain.Chain.GetHead();
        history = new AuditHistory();
        history.MergeTerms(await chain.Rotation.GetTerms());
        for (ulong e = 1; e <= head.Epoch; e++) history.Committees[e] = await chain.Rotation.GetCommittee(e);
        blocks = [];
        for (ulong h = 1; h <= head.Height; h++) blocks.Add((await chain.Chain.GetCommittedBlock(h))!);

        AuditViolation[] Audit(IEnumerable<CommittedBlock> input)
        {
            var replay = new ChainReplay(published, history);
            foreach (var b in input) replay.Apply(b);
            return replay.Report([], null, [], 0).Violations;
        }
        Assert.Empty(Audit(blocks));

        // Re-sign a changed last block as its leader and every committee member would: only the change itself is wrong.
        CommittedBlock Resign(CommittedBlock original, IReadOnlyList<BlockEntry> entries, Hash32? stateRoot = null)
        {
            var h = original.Block.Header;
            using var leader = GenesisKeys.SequencerSigner(chain.NodeKeySeed, chain.Id, h.ProposerId);
            var block = Block.Create(leader, chain.Id, h.Height, h.Epoch, h.Term, h.ParentHash, stateRoot ?? h.StateRoot, h.TimestampMs, h.ProposerId, default, entries);
            var signatures = history.Committees[h.Epoch].Select(seat =>
            {
                using var key = GenesisKeys.SequencerSigner(chain.NodeKeySeed, chain.Id, seat.Id);
                return new CommitteeSignature(seat.Id, Signing.SignAttestation(key, block.Hash));
            }).ToList();
            return new CommittedBlock(block, new QuorumCertificate(block.Hash, signatures), original.CommittedAtMs);
        }

        var withTx = blocks.FindIndex(b => b.Block.Entries.Count > 0);
        var first = blocks[withTx].Block.Entries[0];
        var last = blocks[^1];
        var sequence = last.Block.Entries.Count == 0 ? first.ArrivalSequence + 1_000_000 : last.Block.Entries[^1].ArrivalSequence + 1;

        // A transaction committed again in the last block (its execution fails on the nonce, so the state root holds).
        var duplicated = Resign(last, [.. last.Block.Entries, new BlockEntry(first.Transaction, sequence)]);
        var v = Assert.Single(Audit([.. blocks[..^1], duplicated]));
        Assert.Equal((last.Block.Header.Height, AuditReason.DuplicateTx), (v.Height, v.Reason));

        // A state root the replay does not reach.
        var forged = Resign(last, last.Block.Entries, Hash32.Sha256("forged"u8));
        v = Assert.Single(Audit([.. blocks[..^1], forged]));
        Assert.Equal((last.Block.Header.Height, AuditReason.StateRootMismatch), (v.Height, v.Reason));

        // The certificate of another block (the original's, on the changed one).
        var swapped = duplicated with { Certificate = last.Certificate };
        Assert.Contains((last.Block.Header.Height, AuditReason.BadCertificate), Audit([.. blocks[..^1], swapped]).Select(x => (x.Height, x.Reason)));

        // A block dropped: the next one is out of place and no longer links to its parent.
        Assert.True(blocks.Count >= 3, $"{blocks.Count} blocks");
        var gap = Audit(blocks.Where((_, i) => i != 1)).Select(x => (x.Height, x.Reason)).ToArray();
        Assert.Contains((2UL, AuditReason.HeightGap), gap);
        Assert.Contains((2UL, AuditReason.ParentLink), gap);
    }
}
