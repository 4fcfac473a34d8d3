using ActorRollup.Abstractions;
using ActorRollup.Abstractions.Config;
using ActorRollup.Abstractions.Messages;
using ActorRollup.Core.Blocks;
using ActorRollup.Core.Crypto;
using ActorRollup.Core.Primitives;
using ActorRollup.Grains.Chain;

namespace ActorRollup.IntegrationTests;

/// <summary>PROTOCOL.md §9, last row: blocks only from the current term's leader with a real quorum certificate,
/// rollbacks only from successful challenges, challenges never against finalized blocks. Each refusal is a reason
/// code and leaves the chain unchanged.</summary>
[Collection(ClusterCollection.Name)]
public sealed class AuthorityTests(ClusterFixture fixture)
{
    private static Block Forge(TestChain chain, SigningKey key, string proposer, LeadershipTerm term, ChainHead head) =>
        Block.Create(key, chain.Id, head.Height + 1, term.Epoch, term.Term, head.Hash, head.StateRoot,
            DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), proposer, default, []);

    private static QuorumCertificate Certify(TestChain chain, Block block, IEnumerable<string> members) =>
        new(block.Hash, members.Select(m =>
        {
            using var key = GenesisKeys.SequencerSigner(chain.NodeKeySeed, chain.Id, m);
            return new CommitteeSignature(m, Signing.SignAttestation(key, block.Hash));
        }).ToArray());

    [Fact]
    public async Task Blocks_from_a_non_leader_or_with_a_forged_or_short_certificate_are_refused_and_change_nothing()
    {
        // The protocol's own checks are exercised directly: these calls present the cluster's internal key, as its grains do.
        using var asInternal = TestCallers.AsInternal();
        var chain = await TestChain.Start(fixture.Client, "authority");
        await chain.WaitForHeight(2);
        var term = (await chain.Rotation.GetCurrent())!;
        var head = await chain.Chain.GetHead();
        var others = term.Committee.Where(s => s.Id != term.LeaderId).Select(s => s.Id).ToArray();
        using var leaderKey = GenesisKeys.SequencerSigner(chain.NodeKeySeed, chain.Id, term.LeaderId);

        // A committee member that is not the leader proposes, with everyone's attestations.
        using (var otherKey = GenesisKeys.SequencerSigner(chain.NodeKeySeed, chain.Id, others[0]))
        {
            var usurper = Forge(chain, otherKey, others[0], term, head);
            Assert.Equal(ChainReason.NotLeader, (await chain.Chain.AppendBlock(usurper, Certify(chain, usurper, term.Committee.Select(s => s.Id)))).Reason);
        }
        // The leader's name, another key's signature.
        using (var stranger = SigningKey.Generate())
        {
            var forged = Forge(chain, stranger, term.LeaderId, term, head);
            Assert.Equal(ChainReason.BadProposerSignature, (await chain.Chain.AppendBlock(forged, Certify(chain, forged, term.Committee.Select(s => s.Id)))).Reason);
        }
        var block = Forge(chain, leaderKey, term.LeaderId, term, head);
        // A forged attestation: a member's signature over another block.
        var other = Forge(chain, leaderKey, term.LeaderId, term, head with { Height = head.Height + 5 });
        var forgedQc = new QuorumCertificate(block.Hash, [.. Certify(chain, block, others.Skip(1)).Signatures, Certify(chain, other, [others[0]]).Signatures[0]]);
        var refused = await chain.Chain.AppendBlock(block, forgedQc);
        Assert.Equal(ChainReason.BadCertificate, refused.Reason);
        Assert.Contains("BadSignature", refused.Detail);
        // A certificate under quorum: the leader alone.
        var shortQc = Certify(chain, block, [term.LeaderId]);
        refused = await chain.Chain.AppendBlock(block, shortQc);
        Assert.Equal(ChainReason.BadCertificate, refused.Reason);
        Assert.Contains("BelowQuorum", refused.Detail);
        // An attestation from outside the committee.
        var outsider = new QuorumCertificate(block.Hash, [.. Certify(chain, block, term.Committee.Select(s => s.Id)).Signatures, new CommitteeSignature("mallory", new byte[64])]);
        Assert.Equal(ChainReason.BadCertificate, (await chain.Chain.AppendBlock(block, outsider)).Reason);

        // None of it touched the chain: the state root is the same (no transfers: empty blocks leave it alone), and every
        // block there is the real leader's, with its real certificate.
        var after = await chain.Chain.GetHead();
        Assert.Equal(head.StateRoot, after.StateRoot);
        for (ulong h = head.Height + 1; h <= after.Height; h++)
        {
            var b = (await chain.Chain.GetBlock(h))!;
            Assert.NotEqual(block.Hash, b.Hash);
            Assert.True(b.SignedPower * 3 > b.CommitteePower * 2);
        }
    }

    [Fact]
    public async Task A_challenge_against_a_finalized_block_is_refused()
    {
        var chain = await TestChain.Start(fixture.Client, "finalized");
        var head = await Poll.Until(() => chain.Chain.GetHead(), h => h.FinalizedHeight >= 2, TimeSpan.FromSeconds(30), "a finalized block");
        var block = (await chain.Chain.GetBlock(1))!;
        using var key = GenesisKeys.Validator(chain.NodeKeySeed, chain.Id, "val-00");
        var proof = new FraudProof("val-00", 1, block.Hash, Hash32.Zero, Hash32.Sha256("x"u8), BlockFault.StateRootMismatch, "test", []);
        proof = proof with { ChallengerSignature = key.Sign(ChainGrain.ProofPayload(proof)) };
        var result = await chain.Chain.Challenge(proof);
        Assert.Equal(ChainReason.BlockFinalized, result.Reason);
        Assert.False(result.Succeeded);
        // An unsigned (or wrongly signed) proof is refused before anyone votes.
        var unsigned = proof with { Height = head.Height, BlockHash = (await chain.Chain.GetBlock(head.Height))!.Hash, ChallengerSignature = new byte[64] };
        Assert.Equal(ChainReason.BadEvidence, (await chain.Chain.Challenge(unsigned)).Reason);
        Assert.Empty(await chain.Chain.GetRollbacks());
        Assert.Equal(block.Hash, (await chain.Chain.GetBlock(1))!.Hash);
        var after = await chain.Chain.GetHead();
        Assert.Equal(head.StateRoot, after.StateRoot);
        Assert.True(after.Height >= head.Height && after.FinalizedHeight >= head.FinalizedHeight, $"the chain went back: {head} -> {after}");
    }
}
