using ActorRollup.Core.Primitives;

namespace ActorRollup.Core.Crypto;

/// <summary>
/// Keccak-256 as Ethereum uses it (the original Keccak padding, not FIPS-202 SHA3-256), from Nethereum.Util
/// (thread-safe: checked by a parallel test against sequential results).
/// </summary>
public static class Keccak
{
    private static readonly Nethereum.Util.Sha3Keccack Hasher = Nethereum.Util.Sha3Keccack.Current;

    public static Hash32 Hash(ReadOnlySpan<byte> data) => Hash32.FromBytes(Hasher.CalculateHash(data.ToArray()));

    public static void Hash(ReadOnlySpan<byte> data, Span<byte> destination) => Hasher.CalculateHash(data.ToArray()).CopyTo(destination);

    /// <summary>Keccak-256 of an array already in hand (no copy).</summary>
    public static Hash32 Hash(byte[] data) => Hash32.FromBytes(Hasher.CalculateHash(data));
}
