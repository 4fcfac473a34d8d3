using ActorRollup.Core.Crypto;
using ActorRollup.Core.Encoding;

namespace ActorRollup.Core.Scheduling;

/// <summary>
/// A leader's signed statement that it is alive but could not gather a quorum for <c>height</c> of <c>term</c>
/// (PROTOCOL.md §6): what lets rotation halt visibly instead of failing the leader over. Only the term's leader can sign
/// it, so no one else can suppress a failover; domain-separated from every other signed message.
/// </summary>
public static class QuorumFailureReport
{
    private static readonly byte[] Domain = "ActorRollup/no-quorum/v1"u8.ToArray();

    public static byte[] Message(string chainId, ulong term, ulong height)
    {
        var w = new CanonicalWriter();
        w.WriteRaw(Domain);
        w.WriteString8(chainId);
        w.WriteU64(term);
        w.WriteU64(height);
        return w.ToArray();
    }

    public static byte[] Sign(SigningKey leader, string chainId, ulong term, ulong height) => leader.Sign(Message(chainId, term, height));

    public static bool Verify(ReadOnlySpan<byte> leaderPublicKey, string chainId, ulong term, ulong height, ReadOnlySpan<byte> signature) =>
        signature.Length == Ed25519.SignatureSize && Ed25519.Verify(leaderPublicKey, Message(chainId, term, height), signature);
}
