using ActorRollup.Core.Blocks;
using ActorRollup.Core.Crypto;
using ActorRollup.Core.Encoding;
using ActorRollup.Core.Primitives;
using ActorRollup.Core.Transactions;

namespace ActorRollup.Core.Tests.Blocks;

public class BlockTests
{
    private const string ChainId = "block-test";
    private static readonly SigningKey Leader = TestKeys.Get(500);
    private static readonly Address FeeVault = Address.Parse("0x00000000000000000000000000000000000fee00");

    private static BlockEntry Entry(ulong nonce, ulong seq) =>
        new(Transaction.Create(TestKeys.Get(501), ChainId, TestKeys.Get(502).Address, 1, nonce, 1_000), seq);

    private static Block MakeBlock(ulong height = 7, ulong term = 2, IReadOnlyList<BlockEntry>? entries = null, Hash32? stateRoot = null) =>
        Block.Create(Leader, ChainId, height, epoch: 1, term, Hash32.Sha256("parent"u8), stateRoot ?? Hash32.Sha256("state"u8),
            1_700_000_000_000, "seq-a", FeeVault, entries ?? [Entry(0, 10), Entry(1, 11)]);

    [Fact]
    public void Header_encoding_round_trips_and_the_hash_covers_every_field()
    {
        var header = MakeBlock().Header;
        var back = BlockHeader.Decode(header.Encode());
        Assert.Equal(header.Hash, back.Hash);
        Assert.Equal(header.Hash, Hash32.Sha256(header.Encode()));
        BlockHeader[] variants =
        [
            new("block-tesu", header.Height, header.Epoch, header.Term, header.ParentHash, header.TxRoot, header.StateRoot, header.TimestampMs, header.ProposerId, header.FeeRecipient),
            new(header.ChainId, header.Height + 1, header.Epoch, header.Term, header.ParentHash, header.TxRoot, header.StateRoot, header.TimestampMs, header.ProposerId, header.FeeRecipient),
            new(header.ChainId, header.Height, header.Epoch + 1, header.Term, header.ParentHash, header.TxRoot, header.StateRoot, header.TimestampMs, header.ProposerId, header.FeeRecipient),
            new(header.ChainId, header.Height, header.Epoch, header.Term + 1, header.ParentHash, header.TxRoot, header.StateRoot, header.TimestampMs, header.ProposerId, header.FeeRecipient),
            new(header.ChainId, header.Height, header.Epoch, header.Term, Hash32.Zero, header.TxRoot, header.StateRoot, header.TimestampMs, header.ProposerId, header.FeeRecipient),
            new(header.ChainId, header.Height, header.Epoch, header.Term, header.ParentHash, Hash32.Zero, header.StateRoot, header.TimestampMs, header.ProposerId, header.FeeRecipient),
            header.WithStateRoot(Hash32.Zero),
            new(header.ChainId, header.Height, header.Epoch, header.Term, header.ParentHash, header.TxRoot, header.StateRoot, header.TimestampMs + 1, header.ProposerId, header.FeeRecipient),
            new(header.ChainId, header.Height, header.Epoch, header.Term, header.ParentHash, header.TxRoot, header.StateRoot, header.TimestampMs, "seq-b", header.FeeRecipient),
            new(header.ChainId, header.Height, header.Epoch, header.Term, header.ParentHash, header.TxRoot, header.StateRoot, header.TimestampMs, header.ProposerId, default),
        ];
        Assert.Equal(variants.Length, variants.Select(v => v.Hash).Append(header.Hash).Distinct().Count() - 1);
    }

    [Fact]
    public void Header_decoding_rejects_truncation_and_trailing_bytes_with_DecodeException()
    {
        var bytes = MakeBlock().Header.Encode();
        Assert.Throws<DecodeException>(() => BlockHeader.Decode(bytes[..^1]));
        Assert.Throws<DecodeException>(() => BlockHeader.Decode([.. bytes, 0]));
        Assert.Throws<DecodeException>(() => BlockHeader.Decode([]));
    }

    [Fact]
    public void Proposer_signature_verifies_only_for_the_proposer_and_the_exact_header()
    {
        var block = MakeBlock();
        Assert.True(block.Signed.VerifySignature(Leader.PublicKey));
        Assert.False(block.Signed.VerifySignature(TestKeys.Get(999).PublicKey));
        var forged = new SignedHeader(block.Header.WithStateRoot(Hash32.Zero), block.Signed.ProposerSignature);
        Assert.False(forged.VerifySignature(Leader.PublicKey));
        // An attestation signature over the same hash is not a proposal signature (domain separation).
        var attestation = Signing.SignAttestation(Leader, block.Hash);
        Assert.False(Signing.VerifyProposal(Leader.PublicKey, block.Hash, attestation));
    }

    [Fact]
    public void Tx_root_commits_to_order_and_arrival_sequence()
    {
        var a = Entry(0, 10);
        var b = Entry(1, 11);
        Assert.Equal(Hash32.Zero, TxRoot.Compute([]));
        var single = TxRoot.Compute([a]);
        Assert.Equal(Hash32.Sha256([0x00, .. a.Transaction.Hash.ToArray(), 0, 0, 0, 0, 0, 0, 0, 10]), single);
        var ab = TxRoot.Compute([a, b]);
        Assert.Equal(Hash32.Sha256([0x01, .. single.ToArray(), .. TxRoot.Compute([b]).ToArray()]), ab);
        Assert.NotEqual(ab, TxRoot.Compute([b, a]));
        Assert.NotEqual(ab, TxRoot.Compute([a, b with { ArrivalSequence = 12 }]));
        // Three leaves: the odd last node is carried up unchanged.
        var c = Entry(2, 12);
        Assert.Equal(Hash32.Sha256([0x01, .. ab.ToArray(), .. TxRoot.Compute([c]).ToArray()]), TxRoot.Compute([a, b, c]));
        Assert.True(BlockRules.CheckTxRoot(MakeBlock(entries: [a, b])).Ok);
        Assert.Equal(BlockFault.TxRootMismatch, BlockRules.CheckTxRoot(MakeBlock(entries: [a, b]) with { Entries = [b, a] }).Fault);
    }

    private static (Committee Committee, SigningKey[] Keys) MakeCommittee(params long[] powers)
    {
        var keys = powers.Select((_, i) => TestKeys.Get((ulong)(600 + i))).ToArray();
        return (new Committee(powers.Select((p, i) => new CommitteeSeat($"m{i}", keys[i].PublicKey, p))), keys);
    }

    private static QuorumCertificate Certify(Hash32 hash, SigningKey[] keys, params int[] members) =>
        new(hash, members.Select(i => new CommitteeSignature($"m{i}", Signing.SignAttestation(keys[i], hash))).ToArray());

    [Theory]
    [InlineData(new long[] { 1, 1, 1 }, new[] { 0, 1, 2 }, QuorumReason.Ok)]
    [InlineData(new long[] { 1, 1, 1 }, new[] { 0, 1 }, QuorumReason.BelowQuorum)]          // exactly 2/3 is not enough
    [InlineData(new long[] { 1, 1, 1, 1 }, new[] { 0, 1, 2 }, QuorumReason.Ok)]             // 3/4 > 2/3
    [InlineData(new long[] { 50, 10, 10, 10 }, new[] { 0, 1 }, QuorumReason.Ok)]            // 60/80 by stake
    [InlineData(new long[] { 50, 10, 10, 10 }, new[] { 1, 2, 3 }, QuorumReason.BelowQuorum)] // 3 of 4 members, 30/80 stake
    [InlineData(new long[] { 2, 1 }, new[] { 0 }, QuorumReason.BelowQuorum)]               // 2/3 exactly
    public void Quorum_needs_more_than_two_thirds_of_the_stake(long[] powers, int[] signers, QuorumReason expected)
    {
        var (committee, keys) = MakeCommittee(powers);
        var hash = MakeBlock().Hash;
        Assert.Equal(expected, Certify(hash, keys, signers).Verify(hash, committee).Reason);
    }

    [Fact]
    public void Certificate_faults_are_named()
    {
        var (committee, keys) = MakeCommittee(1, 1, 1, 1);
        var hash = MakeBlock().Hash;
        var other = MakeBlock(height: 8).Hash;
        Assert.Equal(QuorumReason.WrongBlock, Certify(hash, keys, 0, 1, 2).Verify(other, committee).Reason);
        Assert.Equal(QuorumReason.DuplicateMember, Certify(hash, keys, 0, 1, 1, 2).Verify(hash, committee).Reason);
        var outsider = new QuorumCertificate(hash, [.. Certify(hash, keys, 0, 1, 2).Signatures, new CommitteeSignature("x", Signing.SignAttestation(TestKeys.Get(1), hash))]);
        Assert.Equal(QuorumReason.UnknownMember, outsider.Verify(hash, committee).Reason);
        // A member's signature over a different block, presented for this one: forged attestation.
        var forged = new QuorumCertificate(hash, [.. Certify(hash, keys, 0, 1).Signatures, new CommitteeSignature("m2", Signing.SignAttestation(keys[2], other))]);
        var check = forged.Verify(hash, committee);
        Assert.Equal(QuorumReason.BadSignature, check.Reason);
        Assert.Equal("m2", check.Member);
        // A proposal signature is not an attestation.
        var wrongDomain = new QuorumCertificate(hash, [.. Certify(hash, keys, 0, 1).Signatures, new CommitteeSignature("m2", Signing.SignProposal(keys[2], hash))]);
        Assert.Equal(QuorumReason.BadSignature, wrongDomain.Verify(hash, committee).Reason);
    }

    [Fact]
    public void Committee_rejects_duplicate_members_and_non_positive_power()
    {
        var key = TestKeys.Get(1).PublicKey;
        Assert.Throws<ArgumentException>(() => new Committee([new("a", key, 1), new("a", key, 2)]));
        Assert.Throws<ArgumentException>(() => new Committee([new("a", key, 0)]));
    }

    [Fact]
    public void Equivocation_evidence_needs_two_different_signed_blocks_for_one_slot()
    {
        var first = MakeBlock(entries: [Entry(0, 10)]);
        var second = MakeBlock(entries: [Entry(0, 10), Entry(1, 11)]);
        Assert.Equal(EvidenceReason.Ok, new EquivocationEvidence(first.Signed, second.Signed).Verify(Leader.PublicKey));
        Assert.Equal(EvidenceReason.SameBlock, new EquivocationEvidence(first.Signed, first.Signed).Verify(Leader.PublicKey));
        Assert.Equal(EvidenceReason.DifferentSlot, new EquivocationEvidence(first.Signed, MakeBlock(height: 8).Signed).Verify(Leader.PublicKey));
        Assert.Equal(EvidenceReason.DifferentSlot, new EquivocationEvidence(first.Signed, MakeBlock(term: 3).Signed).Verify(Leader.PublicKey));
        Assert.Equal(EvidenceReason.BadSignature, new EquivocationEvidence(first.Signed, second.Signed).Verify(TestKeys.Get(4).PublicKey));
        var unsigned = new SignedHeader(second.Header.WithStateRoot(Hash32.Zero), second.Signed.ProposerSignature);
        Assert.Equal(EvidenceReason.BadSignature, new EquivocationEvidence(first.Signed, unsigned).Verify(Leader.PublicKey));
        var otherProposer = Block.Create(Leader, ChainId, 7, 1, 2, Hash32.Sha256("parent"u8), Hash32.Zero, 0, "seq-b", FeeVault, []);
        Assert.Equal(EvidenceReason.DifferentProposers, new EquivocationEvidence(first.Signed, otherProposer.Signed).Verify(Leader.PublicKey));
    }
}
