using ActorRollup.Core.Crypto;
using ActorRollup.Core.Primitives;

namespace ActorRollup.Core.Blocks;

/// <summary>
/// Domain-separated messages that sequencers sign, so a signature made for one purpose can never be replayed
/// as another: a proposal (the leader's header signature), an attestation (a committee member's vote for a
/// block) and a batch (a committee member's signature on an L1 batch).
/// </summary>
public static class Signing
{
    private static readonly byte[] ProposalDomain = "ActorRollup/proposal/v1"u8.ToArray();
    private static readonly byte[] AttestationDomain = "ActorRollup/attest/v1"u8.ToArray();
    private static readonly byte[] BatchDomain = "ActorRollup/batch/v1"u8.ToArray();

    public static byte[] ProposalMessage(in Hash32 blockHash) => Tagged(ProposalDomain, blockHash);
    public static byte[] AttestationMessage(in Hash32 blockHash) => Tagged(AttestationDomain, blockHash);
    public static byte[] BatchMessage(in Hash32 batchHash) => Tagged(BatchDomain, batchHash);

    public static byte[] SignProposal(SigningKey key, in Hash32 blockHash) => key.Sign(ProposalMessage(blockHash));
    public static byte[] SignAttestation(SigningKey key, in Hash32 blockHash) => key.Sign(AttestationMessage(blockHash));
    public static byte[] SignBatch(SigningKey key, in Hash32 batchHash) => key.Sign(BatchMessage(batchHash));

    public static bool VerifyProposal(ReadOnlySpan<byte> publicKey, in Hash32 blockHash, ReadOnlySpan<byte> signature) =>
        Ed25519.Verify(publicKey, ProposalMessage(blockHash), signature);

    public static bool VerifyAttestation(ReadOnlySpan<byte> publicKey, in Hash32 blockHash, ReadOnlySpan<byte> signature) =>
        Ed25519.Verify(publicKey, AttestationMessage(blockHash), signature);

    public static bool VerifyBatch(ReadOnlySpan<byte> publicKey, in Hash32 batchHash, ReadOnlySpan<byte> signature) =>
        Ed25519.Verify(publicKey, BatchMessage(batchHash), signature);

    private static byte[] Tagged(byte[] domain, in Hash32 hash)
    {
        var message = new byte[domain.Length + Hash32.Size];
        domain.CopyTo(message, 0);
        hash.WriteTo(message.AsSpan(domain.Length));
        return message;
    }
}
