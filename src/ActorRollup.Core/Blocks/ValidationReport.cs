using ActorRollup.Core.Crypto;
using ActorRollup.Core.Encoding;
using ActorRollup.Core.Primitives;

namespace ActorRollup.Core.Blocks;

/// <summary>
/// A validator's signed statement that it re-executed the block <c>blockHash</c> at <c>height</c> of <c>chainId</c>
/// and found it sound (PROTOCOL.md §8): the chain counts a block validated only from these, checked against the
/// validator's public key, never from a validator id alone. Domain-separated from every other signed message.
/// </summary>
public static class ValidationReport
{
    private static readonly byte[] Domain = "ActorRollup/validated/v1"u8.ToArray();

    public static byte[] Message(string chainId, ulong height, in Hash32 blockHash)
    {
        var w = new CanonicalWriter();
        w.WriteRaw(Domain);
        w.WriteString8(chainId);
        w.WriteU64(height);
        w.WriteHash(blockHash);
        return w.ToArray();
    }

    public static byte[] Sign(SigningKey validator, string chainId, ulong height, in Hash32 blockHash) => validator.Sign(Message(chainId, height, blockHash));

    public static bool Verify(ReadOnlySpan<byte> validatorPublicKey, string chainId, ulong height, in Hash32 blockHash, ReadOnlySpan<byte> signature) =>
        signature.Length == Ed25519.SignatureSize && Ed25519.Verify(validatorPublicKey, Message(chainId, height, blockHash), signature);
}
