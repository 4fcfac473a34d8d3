using ActorRollup.Abstractions;
using ActorRollup.Abstractions.Messages;
using ActorRollup.Core.Blocks;
using ActorRollup.Core.Primitives;
using ActorRollup.Core.Transactions;
using ActorRollup.Audit;

namespace ActorRollup.Audit.Tests;

/// <summary>
/// The audit's replay (<see cref="ChainReplay"/>, behind <c>rollup verify</c>) on hand-built chains: an honest chain
/// passes with every block, certificate and transaction counted; each kind of inconsistency — one change to an
/// otherwise honest chain — is reported with its own reason code at the right height, and with nothing else.
/// </summary>
public class ChainReplayTests
{
    private static AuditReport Report(ChainReplay replay, IReadOnlyList<AuditViolation>? live = null) => replay.Report(live ?? [], null, [], 0);

    private static (ulong Height, AuditReason Reason)[] Found(AuditChainBuilder chain) =>
        Report(chain.Replay()).Violations.Select(v => (v.Height, v.Reason)).ToArray();

    /// <summary>Ten blocks over three epochs, transactions in blocks 2, 3, 6 and 9.</summary>
    private static AuditChainBuilder HonestChain()
    {
        var chain = new AuditChainBuilder();
        chain.Add();
        chain.Add(chain.Transfer(0, 1, 100), chain.Transfer(1, 2, 50));
        chain.Add(chain.Transfer(0, 3, 7), chain.Transfer(0, 4, 8), chain.Transfer(2, 0, 1));
        chain.FillTo(5);
        chain.Add(chain.Transfer(3, 5, 11));
        chain.FillTo(8);
        chain.Add(chain.Transfer(5, 0, 1), chain.Transfer(4, 0, 2));
        chain.FillTo(10);
        return chain;
    }

    [Fact]
    public void An_honest_chain_passes_with_every_block_certificate_and_transaction_counted()
    {
        var chain = HonestChain();
        var replay = chain.Replay();
        var live = replay.CheckLive(chain.Live(replay, finalized: 6));
        var report = replay.Report(live, chain.Live(replay, finalized: 6), [], 12);

        Assert.True(report.Passed, string.Join("\n", report.Violations));
        Assert.Empty(report.Gaps);
        Assert.Equal(AuditChainBuilder.ChainId, report.ChainId);
        Assert.Equal((10UL, 10, 8L, 10, 3, 3), (report.Height, report.Blocks, report.Transactions, report.Certificates, report.Epochs, report.Terms));
        Assert.Equal(chain.Blocks[^1].Block.Header.StateRoot.ToString(), report.FinalStateRoot);
        Assert.True(report.SupplyConserved);
    }

    [Fact]
    public void Genesis_signer_keys_come_from_the_published_genesis_never_from_a_seed()
    {
        var chain = HonestChain();
        Assert.Null(chain.Genesis.NodeKeySeed); // the builder hands the audit the published view, as GetGenesis does
        ChainReplay ReplayOf(Abstractions.Config.ChainGenesis genesis)
        {
            var replay = new ChainReplay(genesis, chain.History);
            foreach (var b in chain.Blocks) replay.Apply(b);
            return replay;
        }
        Assert.True(Report(ReplayOf(chain.Genesis)).Passed);

        // No published key for seq-001: reported at genesis, not made up.
        var unpublished = chain.Genesis with
        {
            Sequencers = chain.Genesis.Sequencers.Select(s => s.Id == "seq-001" ? s with { SignerPublicKey = null } : s).ToArray(),
        };
        Assert.Contains(Report(ReplayOf(unpublished)).Violations,
            v => v is { Height: 0, Reason: AuditReason.CommitteeMismatch } && v.Detail.Contains("no signer public key for seq-001"));

        // Another published key: the committees give seq-001 a key the genesis does not name.
        using var stranger = Core.Crypto.SigningKey.Generate();
        var foreign = chain.Genesis with
        {
            Sequencers = chain.Genesis.Sequencers.Select(s => s.Id == "seq-001" ? s with { SignerPublicKey = stranger.PublicKey } : s).ToArray(),
        };
        Assert.Contains(Report(ReplayOf(foreign)).Violations, v => v.Reason == AuditReason.CommitteeMismatch);
    }

    [Fact]
    public void A_wrong_state_root_signed_and_certified_is_a_state_root_mismatch_at_that_height_only()
    {
        var chain = new AuditChainBuilder();
        chain.Add(chain.Transfer(0, 1, 5));
        chain.Add([chain.Transfer(1, 2, 5)], s => s.StateRoot = Hash32.Sha256("forged"u8));
        chain.Add(chain.Transfer(2, 3, 5));
        var v = Assert.Single(Report(chain.Replay()).Violations);
        Assert.Equal((2UL, AuditReason.StateRootMismatch, "state-root-mismatch"), (v.Height, v.Reason, v.Code));
    }

    [Fact]
    public void A_transaction_committed_twice_is_a_duplicate()
    {
        var chain = new AuditChainBuilder();
        var tx = chain.Transfer(0, 1, 5);
        chain.Add(tx);
        chain.Add(chain.Transfer(1, 2, 3));
        chain.Add(tx, chain.Transfer(2, 3, 1));
        Assert.Equal([(3UL, AuditReason.DuplicateTx)], Found(chain));
    }

    [Fact]
    public void A_certificate_under_two_thirds_of_the_power_is_a_bad_certificate()
    {
        var chain = new AuditChainBuilder();
        chain.Add();
        chain.Add([], s => s.Attesters = ["seq-000", "seq-001"]);
        var v = Assert.Single(Report(chain.Replay()).Violations);
        Assert.Equal((2UL, AuditReason.BadCertificate), (v.Height, v.Reason));
        Assert.Contains(nameof(QuorumReason.BelowQuorum), v.Detail);
    }

    [Fact]
    public void A_forged_attestation_is_a_bad_certificate_naming_the_member()
    {
        var chain = new AuditChainBuilder();
        chain.Add([], s => s.ForgedKeys["seq-002"] = chain.Signer("seq-003"));
        var v = Assert.Single(Report(chain.Replay()).Violations);
        Assert.Equal((1UL, AuditReason.BadCertificate), (v.Height, v.Reason));
        Assert.Contains("BadSignature", v.Detail);
        Assert.Contains("seq-002", v.Detail);
    }

    [Fact]
    public void A_block_from_a_member_who_is_not_the_terms_leader_is_illegitimate()
    {
        var chain = new AuditChainBuilder();
        var other = chain.Committee.Select(s => s.Id).First(id => id != chain.Schedule[0]);
        chain.Add();
        chain.Add([], s => s.Proposer = other);
        var v = Assert.Single(Report(chain.Replay()).Violations);
        Assert.Equal((2UL, AuditReason.IllegitimateLeader), (v.Height, v.Reason));
        Assert.Contains(other, v.Detail);
    }

    [Fact]
    public void A_broken_parent_link_is_reported()
    {
        var chain = new AuditChainBuilder();
        chain.Add();
        chain.Add([], s => s.Parent = Hash32.Sha256("elsewhere"u8));
        Assert.Equal([(2UL, AuditReason.ParentLink)], Found(chain));
    }

    [Fact]
    public void A_header_transaction_root_that_does_not_match_the_body_is_reported()
    {
        var chain = new AuditChainBuilder();
        chain.Add([chain.Transfer(0, 1, 5)], s => s.TxRoot = Hash32.Zero);
        Assert.Equal([(1UL, AuditReason.TxRootMismatch)], Found(chain));
    }

    [Fact]
    public void A_nonce_gap_and_a_replayed_nonce_are_nonce_order_violations()
    {
        var chain = new AuditChainBuilder();
        chain.Add(chain.Transfer(0, 1, 5));                       // nonce 0
        chain.Add(chain.Transfer(0, 1, 5, nonce: 5));             // gap
        chain.Add(chain.Transfer(1, 2, 5), chain.Transfer(0, 2, 9, nonce: 0)); // a different transaction reusing nonce 0
        var violations = Report(chain.Replay()).Violations;
        Assert.Equal([(2UL, AuditReason.NonceOrder), (3UL, AuditReason.NonceOrder)], violations.Select(v => (v.Height, v.Reason)));
        Assert.Contains("nonce 5, the account's next is 1", violations[0].Detail);
    }

    [Fact]
    public void Transactions_out_of_arrival_order_are_an_ordering_violation()
    {
        var chain = new AuditChainBuilder();
        chain.Add([chain.Transfer(0, 1, 5), chain.Transfer(1, 2, 5)], s => s.Entries.Reverse());
        Assert.Equal([(1UL, AuditReason.OrderingViolation)], Found(chain));
    }

    [Fact]
    public void A_transaction_whose_signature_does_not_verify_is_reported()
    {
        var chain = new AuditChainBuilder();
        var bytes = chain.Transfer(0, 1, 5).Encoded.ToArray();
        bytes[^1] ^= 0x01; // the last byte is the signature's
        var forged = TransactionCodec.Decode(bytes);
        chain.Add(forged);
        Assert.Equal([(1UL, AuditReason.BadTxSignature)], Found(chain));
    }

    [Fact]
    public void A_lower_term_after_a_higher_one_is_a_term_regression()
    {
        var chain = new AuditChainBuilder();
        var (a, b) = (chain.Schedule[0], chain.Committee.Select(s => s.Id).First(id => id != chain.Schedule[0]));
        chain.SetTerms(
            new TermInfo(1, a, 1, 1, 4),
            new TermInfo(2, b, 1, 3, 4), // a failover at height 3
            new TermInfo(3, chain.Schedule[1], 2, 5, 8));
        chain.FillTo(3);
        chain.Add([], s => (s.Term, s.Proposer) = (1, a)); // the old leader's late block
        chain.FillTo(5);
        Assert.Equal([(4UL, AuditReason.TermRegression)], Found(chain));
    }

    [Fact]
    public void A_block_of_a_term_rotation_never_appointed_is_an_unknown_term()
    {
        var chain = new AuditChainBuilder();
        chain.Add();
        chain.Add([], s => s.Term = 99);
        Assert.Equal([(2UL, AuditReason.UnknownTerm)], Found(chain));
    }

    [Fact]
    public void A_block_outside_its_terms_heights_or_with_the_wrong_epoch_is_reported()
    {
        var chain = new AuditChainBuilder();
        chain.FillTo(4);
        chain.Add([], s => (s.Term, s.Proposer, s.Epoch) = (1, chain.Schedule[0], 1)); // height 5 claimed for epoch 1's term
        var found = Found(chain);
        Assert.Contains((5UL, AuditReason.WrongEpoch), found);
        Assert.Contains((5UL, AuditReason.OutsideTerm), found);
    }

    [Fact]
    public void An_epoch_that_begins_with_a_leader_the_schedule_did_not_pick_is_a_schedule_mismatch()
    {
        var chain = new AuditChainBuilder();
        var usurper = chain.Committee.Select(s => s.Id).First(id => id != chain.Schedule[1]);
        chain.History.Terms[2] = chain.History.Terms[2] with { LeaderId = usurper };
        chain.FillTo(9);
        var v = Assert.Single(Report(chain.Replay()).Violations);
        Assert.Equal((5UL, AuditReason.ScheduleMismatch), (v.Height, v.Reason));
        Assert.Contains($"schedules {chain.Schedule[1]}", v.Detail);
    }

    [Fact]
    public void A_leader_replaced_in_an_epoch_and_appointed_again_in_it_is_reported()
    {
        var chain = new AuditChainBuilder();
        var (first, second) = (chain.Schedule[1], chain.Committee.Select(s => s.Id).First(id => id != chain.Schedule[1]));
        chain.SetTerms(
            new TermInfo(1, chain.Schedule[0], 1, 1, 4),
            new TermInfo(2, first, 2, 5, 8),
            new TermInfo(3, second, 2, 6, 8),  // failover
            new TermInfo(4, first, 2, 7, 8),   // the failed leader again
            new TermInfo(5, chain.Schedule[2], 3, 9, 12));
        chain.FillTo(9);
        Assert.Equal([(7UL, AuditReason.LeaderReappointed)], Found(chain));
    }

    [Fact]
    public void An_epoch_one_committee_other_than_the_genesis_one_is_a_committee_mismatch()
    {
        var chain = new AuditChainBuilder();
        chain.History.Committees[1] = chain.Committee.Select(s => s.Id == "seq-003" ? s with { Power = 1 } : s).ToArray();
        chain.FillTo(2);
        Assert.Contains((1UL, AuditReason.CommitteeMismatch), Found(chain));

        var forgedKey = new AuditChainBuilder();
        forgedKey.History.Committees[2] = forgedKey.Committee.Select(s => s.Id == "seq-001" ? s with { PublicKey = forgedKey.Signer("seq-002").PublicKey } : s).ToArray();
        forgedKey.FillTo(5);
        Assert.Contains((5UL, AuditReason.CommitteeMismatch), Found(forgedKey));
    }

    [Fact]
    public void A_committee_the_cluster_no_longer_holds_is_a_gap_not_a_pass_or_a_violation()
    {
        var chain = HonestChain();
        chain.History.Committees.Remove(2);
        var report = Report(chain.Replay());
        Assert.True(report.Passed, string.Join("\n", report.Violations));
        Assert.Equal(6, report.Certificates); // epochs 1 and 3: heights 1-4 and 9-10
        Assert.Contains(report.Gaps, g => g.StartsWith("certificates and proposer signatures of epochs 2 not checked", StringComparison.Ordinal));
        Assert.Contains(report.Gaps, g => g.StartsWith("schedule of epochs 2..3 not checked", StringComparison.Ordinal));
    }

    [Fact]
    public void The_live_chain_must_end_where_the_replay_ends_with_its_supply_rewards_and_rollbacks_consistent()
    {
        var chain = HonestChain();
        var replay = chain.Replay();
        var honest = chain.Live(replay, finalized: 6);
        Assert.Empty(replay.CheckLive(honest));

        IEnumerable<AuditReason> Reasons(LiveChainState live) => replay.CheckLive(live).Select(v => v.Reason);
        Assert.Equal([AuditReason.HeadMismatch], Reasons(honest with { Head = honest.Head with { StateRoot = Hash32.Sha256("x"u8) } }));
        Assert.Equal([AuditReason.SupplyNotConserved], Reasons(honest with { Supply = honest.Supply with { Burned = 1 } }));
        Assert.Equal([AuditReason.SupplyNotConserved, AuditReason.GenesisSupplyMismatch],
            Reasons(honest with { Supply = honest.Supply with { Genesis = honest.Supply.Genesis + 1 } }));
        Assert.Equal([AuditReason.SupplyNotConserved, AuditReason.FeesInFlightMismatch],
            Reasons(honest with { Supply = honest.Supply with { FeesInFlight = honest.Supply.FeesInFlight + 1 } }));
        Assert.Equal([AuditReason.SupplyNotConserved, AuditReason.L2SupplyMismatch],
            Reasons(honest with { Supply = honest.Supply with { L2Balances = honest.Supply.L2Balances - 1 } }));
        var leader = chain.Schedule[0];
        var pools = new Dictionary<string, PoolSupply>(honest.Pools) { [leader] = honest.Pools[leader] with { Minted = honest.Pools[leader].Minted + 1 } };
        Assert.Equal([AuditReason.RewardMismatch], Reasons(honest with { Pools = pools }));

        // A rollback restored the canonical parent's state; one that claims another state, or lacks a challenge, is inconsistent.
        var parentRoot = chain.Blocks[4].Block.Header.StateRoot;
        var rollback = new RollbackRecord("c/challenge-1", 6, 1, leader, BlockFault.StateRootMismatch, 0, 0, parentRoot);
        Assert.Empty(replay.CheckLive(honest with { Rollbacks = [rollback] }));
        Assert.Equal([AuditReason.RollbackMismatch], Reasons(honest with { Rollbacks = [rollback with { RestoredStateRoot = Hash32.Zero }] }));
        Assert.Equal([AuditReason.RollbackMismatch], Reasons(honest with { Rollbacks = [rollback with { ChallengeId = "" }] }));
        // A later, deeper rollback replaced that parent: the earlier record's root is no longer comparable.
        var deeper = rollback with { ChallengeId = "c/challenge-2", FromHeight = 3, RestoredStateRoot = chain.Blocks[1].Block.Header.StateRoot };
        Assert.Empty(replay.CheckLive(honest with { Rollbacks = [rollback with { RestoredStateRoot = Hash32.Zero }, deeper] }));
    }

    [Theory]
    [InlineData(AuditReason.StateRootMismatch, "state-root-mismatch")]
    [InlineData(AuditReason.L2SupplyMismatch, "l2-supply-mismatch")]
    [InlineData(AuditReason.DuplicateTx, "duplicate-tx")]
    [InlineData(AuditReason.BadCertificate, "bad-certificate")]
    public void Reason_codes_are_kebab_case(AuditReason reason, string code) => Assert.Equal(code, AuditReasons.Code(reason));
}
