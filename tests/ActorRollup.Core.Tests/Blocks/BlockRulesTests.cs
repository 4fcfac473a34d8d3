using ActorRollup.Core.Blocks;
using ActorRollup.Core.Crypto;
using ActorRollup.Core.Primitives;
using ActorRollup.Core.Scheduling;
using ActorRollup.Core.Transactions;

namespace ActorRollup.Core.Tests.Blocks;

/// <summary>The block rules every checker calls: each fault, the input that triggers it, the fault reported.</summary>
public class BlockRulesTests
{
    private const string ChainId = "rules-test";
    private static readonly SigningKey[] Keys = [TestKeys.Get(600), TestKeys.Get(601), TestKeys.Get(602)];
    private static readonly string[] Ids = ["seq-a", "seq-b", "seq-c"];
    private static readonly SigningKey Stranger = TestKeys.Get(699);
    private static readonly Committee Members = new(Ids.Select((id, i) => new CommitteeSeat(id, Keys[i].PublicKey, 1)));
    private static readonly Hash32 Parent = Hash32.Sha256("parent"u8);
    private static readonly BlockPosition Next = new(ChainId, 5, Parent);
    private static readonly TermSpan Term = new(2, "seq-a", 1, 1, 10);
    private static readonly Epochs TenPerEpoch = new(10);

    private static Block Propose(SigningKey? key = null, string proposer = "seq-a", string chainId = ChainId, ulong height = 5, ulong epoch = 1,
        Hash32? parent = null, Address feeRecipient = default, IReadOnlyList<BlockEntry>? entries = null) =>
        Block.Create(key ?? Keys[0], chainId, height, epoch, 2, parent ?? Parent, Hash32.Sha256("state"u8), 1_700_000_000_000, proposer,
            feeRecipient, entries ?? [new BlockEntry(Transaction.Create(TestKeys.Get(610), ChainId, TestKeys.Get(611).Address, 1, 0, 1_000), 1)]);

    private static QuorumCertificate Certify(Hash32 hash, params int[] signers) =>
        new(hash, signers.Select(i => new CommitteeSignature(Ids[i], Signing.SignAttestation(Keys[i], hash))).ToArray());

    /// <summary>One row of the table: the block, its certificate, and what the chain expects of it.</summary>
    private static (Block Block, QuorumCertificate Certificate, TermSpan Term, Epochs Epochs) Case(string name)
    {
        var good = Propose();
        var other = Propose(height: 6);
        return name switch
        {
            "sound" => (good, Certify(good.Hash, 0, 1, 2), Term, TenPerEpoch),
            "another chain" => Certified(Propose(chainId: "another-chain")),
            "a member who is not the term's leader" => Certified(Propose(Keys[1], "seq-b")),
            "the leader's name, another key's signature" => Certified(Propose(Stranger)),
            "the leader's signature over another header" => (new Block(new SignedHeader(good.Header, other.Signed.ProposerSignature), good.Entries),
                Certify(good.Hash, 0, 1, 2), Term, TenPerEpoch),
            "two of three attestations (exactly 2/3)" => (good, Certify(good.Hash, 0, 1), Term, TenPerEpoch),
            "a full certificate of another block" => (good, Certify(other.Hash, 0, 1, 2), Term, TenPerEpoch),
            "an attestation repeated" => (good, Certify(good.Hash, 0, 1, 1), Term, TenPerEpoch),
            "the next height but one" => Certified(Propose(height: 6)),
            "a forged block at the wrong height" => Certified(Propose(Stranger, height: 9)),
            "an uncertified block at the wrong height" => (other, Certify(other.Hash, 0), Term, TenPerEpoch),
            "the epoch after the term's" => Certified(Propose(epoch: 2)),
            "a height before the term begins" => (good, Certify(good.Hash, 0, 1, 2), Term with { FirstHeight = 6 }, TenPerEpoch),
            "a height after the term ends" => (good, Certify(good.Hash, 0, 1, 2), Term with { LastHeight = 4 }, TenPerEpoch),
            "a term whose epoch is not its heights'" => (good, Certify(good.Hash, 0, 1, 2), Term, new Epochs(4)),
            "another parent" => Certified(Propose(parent: Hash32.Sha256("not the head"u8))),
            "a body that is not the transaction root" => WithBody(good, []),
            "fees to an L2 account" => Certified(Propose(feeRecipient: TestKeys.Get(612).Address)),
            _ => throw new ArgumentException(name),
        };

        static (Block, QuorumCertificate, TermSpan, Epochs) Certified(Block b) => (b, Certify(b.Hash, 0, 1, 2), Term, TenPerEpoch);
        static (Block, QuorumCertificate, TermSpan, Epochs) WithBody(Block b, BlockEntry[] entries) => (b with { Entries = entries }, Certify(b.Hash, 0, 1, 2), Term, TenPerEpoch);
    }

    [Theory]
    [InlineData("sound", BlockFault.None)]
    [InlineData("another chain", BlockFault.WrongChain)]
    [InlineData("a member who is not the term's leader", BlockFault.IllegitimateLeader)]
    [InlineData("the leader's name, another key's signature", BlockFault.BadProposerSignature)]
    [InlineData("the leader's signature over another header", BlockFault.BadProposerSignature)]
    [InlineData("two of three attestations (exactly 2/3)", BlockFault.BadCertificate)]
    [InlineData("a full certificate of another block", BlockFault.BadCertificate)]
    [InlineData("an attestation repeated", BlockFault.BadCertificate)]
    [InlineData("the next height but one", BlockFault.WrongHeight)]
    // Authority before position: a forged or uncertified block is reported as such, whatever height it names.
    [InlineData("a forged block at the wrong height", BlockFault.BadProposerSignature)]
    [InlineData("an uncertified block at the wrong height", BlockFault.BadCertificate)]
    [InlineData("the epoch after the term's", BlockFault.OutsideTerm)]
    [InlineData("a height before the term begins", BlockFault.OutsideTerm)]
    [InlineData("a height after the term ends", BlockFault.OutsideTerm)]
    [InlineData("a term whose epoch is not its heights'", BlockFault.WrongEpoch)]
    [InlineData("another parent", BlockFault.WrongParent)]
    [InlineData("a body that is not the transaction root", BlockFault.TxRootMismatch)]
    [InlineData("fees to an L2 account", BlockFault.BadFeeRecipient)]
    public void Validate_reports_the_first_fault_in_authority_then_position_order(string name, BlockFault expected)
    {
        var (block, certificate, term, epochs) = Case(name);
        var check = BlockRules.Validate(block, certificate, Next, term, Members, epochs, BlockRules.Direct, out var quorum);
        Assert.Equal(expected, check.Fault);
        Assert.Equal(expected == BlockFault.None, check.Ok);
        Assert.Equal(expected == BlockFault.None, check.Detail.Length == 0);
        if (expected == BlockFault.None) Assert.Equal((3L, 3L), (quorum.SignedPower, quorum.TotalPower));
    }

    [Theory]
    [InlineData(0, BlockFault.None)]
    [InlineData(1, BlockFault.IllegitimateLeader)]   // on the committee, but not the term's leader
    [InlineData(2, BlockFault.IllegitimateLeader)]   // the term has no leader at that height
    public void CheckLeader_needs_the_terms_leader(int row, BlockFault expected)
    {
        string? leader = row switch { 0 => "seq-a", 1 => "seq-b", _ => null };
        Assert.Equal(expected, BlockRules.CheckLeader(Propose().Header, leader).Fault);
    }

    [Fact]
    public void CheckProposerSignature_needs_a_committee_seat_and_the_seats_key()
    {
        Assert.True(BlockRules.CheckProposerSignature(Propose().Signed, Members, BlockRules.Direct).Ok);
        var off = BlockRules.CheckProposerSignature(Propose(Stranger, "mallory").Signed, Members, BlockRules.Direct);
        Assert.Equal(BlockFault.IllegitimateLeader, off.Fault);
        Assert.Contains("mallory", off.Detail);
        Assert.Equal(BlockFault.BadProposerSignature, BlockRules.CheckProposerSignature(Propose(Keys[1]).Signed, Members, BlockRules.Direct).Fault);
    }

    [Fact]
    public void CheckCertificate_names_the_quorum_reason_and_member()
    {
        var block = Propose();
        var forged = new QuorumCertificate(block.Hash, [.. Certify(block.Hash, 0, 1).Signatures, new CommitteeSignature("seq-c", Signing.SignAttestation(Keys[2], Parent))]);
        var check = BlockRules.CheckCertificate(forged, block.Hash, Members, BlockRules.Direct, out var quorum);
        Assert.Equal(BlockFault.BadCertificate, check.Fault);
        Assert.Equal(QuorumReason.BadSignature, quorum.Reason);
        Assert.Contains("BadSignature", check.Detail);
        Assert.Contains("seq-c", check.Detail);
    }

    [Theory]
    [InlineData(true, BlockFault.None)]
    [InlineData(false, BlockFault.StateRootMismatch)]
    public void CheckStateRoot_compares_the_header_with_re_execution(bool same, BlockFault expected)
    {
        var header = Propose().Header;
        Assert.Equal(expected, BlockRules.CheckStateRoot(header, same ? header.StateRoot : Hash32.Sha256("other"u8)).Fault);
    }

    [Fact]
    public void Signature_checks_go_through_the_verifier_given()
    {
        var block = Propose();
        var certificate = Certify(block.Hash, 0, 1, 2);
        int calls = 0;
        SignatureVerifier counting = (key, message, signature) => { calls++; return Ed25519.Verify(key, message, signature); };
        Assert.True(BlockRules.Validate(block, certificate, Next, Term, Members, TenPerEpoch, counting, out _).Ok);
        Assert.Equal(4, calls); // the proposal and three attestations
        SignatureVerifier refusing = (_, _, _) => false;
        Assert.Equal(BlockFault.BadProposerSignature, BlockRules.Validate(block, certificate, Next, Term, Members, TenPerEpoch, refusing, out _).Fault);
    }

    [Fact]
    public void Fault_values_that_fraud_proofs_carry_are_stable()
    {
        Assert.Equal(
            new[] { 0, 1, 2, 3, 4, 5, 6 },
            new[] { BlockFault.None, BlockFault.StateRootMismatch, BlockFault.TxRootMismatch, BlockFault.InvalidTransaction, BlockFault.BadCertificate,
                BlockFault.IllegitimateLeader, BlockFault.OrderingViolation }.Select(f => (int)f));
    }

    [Theory]
    // header height, header epoch, the block's place in the chain, fault of the epoch check, fault of the term-range check
    [InlineData(5UL, 1UL, 5UL, BlockFault.None, BlockFault.None)]
    [InlineData(5UL, 2UL, 5UL, BlockFault.WrongEpoch, BlockFault.OutsideTerm)]
    // a forged header height with a matching epoch is still judged at the block's place (epoch 2, past the term)
    [InlineData(5UL, 1UL, 15UL, BlockFault.WrongEpoch, BlockFault.OutsideTerm)]
    [InlineData(0UL, 0UL, 12UL, BlockFault.WrongEpoch, BlockFault.OutsideTerm)]
    public void Epoch_and_term_range_are_judged_at_the_blocks_place(ulong height, ulong epoch, ulong place, BlockFault epochFault, BlockFault termFault)
    {
        var header = Propose(height: height, epoch: epoch).Header;
        Assert.Equal(epochFault, BlockRules.CheckEpoch(header, place, TenPerEpoch).Fault);
        Assert.Equal(termFault, BlockRules.CheckTermRange(header, place, Term).Fault);
        // Without a place, the header's own height is the place.
        Assert.Equal(BlockRules.CheckEpoch(header, height, TenPerEpoch), BlockRules.CheckEpoch(header, TenPerEpoch));
    }
}
