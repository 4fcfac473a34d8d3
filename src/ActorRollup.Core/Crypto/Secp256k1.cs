using ActorRollup.Core.Primitives;

namespace ActorRollup.Core.Crypto;

/// <summary>
/// secp256k1 as Ethereum uses it: public-key recovery from (r, s, recovery id) over a 32-byte digest, EIP-2's
/// low-s rule, and signing for the harness and tests. Backed by Secp256k1.Net (bitcoin-core's libsecp256k1,
/// native, one context per thread); chosen over NBitcoin.Secp256k1 by measurement (docs/ETHEREUM.md).
/// Never throws on malformed signatures: recovery returns false.
/// </summary>
public static class Secp256k1
{
    /// <summary>The group order n, big-endian.</summary>
    private static ReadOnlySpan<byte> Order => [
        0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFE,
        0xBA, 0xAE, 0xDC, 0xE6, 0xAF, 0x48, 0xA0, 0x3B, 0xBF, 0xD2, 0x5E, 0x8C, 0xD0, 0x36, 0x41, 0x41];

    /// <summary>n / 2, big-endian: EIP-2 refuses s above it.</summary>
    private static ReadOnlySpan<byte> HalfOrder => [
        0x7F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
        0x5D, 0x57, 0x6E, 0x73, 0x57, 0xA4, 0x50, 0x1D, 0xDF, 0xE9, 0x2F, 0x46, 0x68, 0x1B, 0x20, 0xA0];

    /// <summary>
    /// Recovers the 64-byte uncompressed public key (x ‖ y, no 0x04 prefix) that signed <paramref name="digest"/>.
    /// False when r or s is 0 or not below n, s is above n/2 (EIP-2), the recovery id is not 0 or 1, or no key
    /// recovers. <paramref name="r"/> and <paramref name="s"/> are 32-byte big-endian.
    /// </summary>
    public static bool TryRecover(ReadOnlySpan<byte> digest, ReadOnlySpan<byte> r, ReadOnlySpan<byte> s, int recoveryId, Span<byte> publicKey64)
    {
        if (digest.Length != 32 || r.Length != 32 || s.Length != 32 || publicKey64.Length != 64) return false;
        if (recoveryId is not (0 or 1)) return false;
        if (IsZero(r) || IsZero(s) || r.SequenceCompareTo(Order) >= 0 || s.SequenceCompareTo(HalfOrder) > 0) return false;
        Span<byte> compact = stackalloc byte[64];
        r.CopyTo(compact);
        s.CopyTo(compact[32..]);
        Span<byte> parsed = stackalloc byte[65];
        Span<byte> key = stackalloc byte[64];
        Span<byte> serialized = stackalloc byte[65];
        var lib = Context;
        if (!lib.EcdsaRecoverableSignatureParseCompact(parsed, compact, recoveryId)) return false;
        if (!lib.EcdsaRecover(key, parsed, digest)) return false;
        nuint length = 65;
        if (!lib.EcPubkeySerialize(serialized, ref length, key, Secp256k1Net.Secp256k1EcFlags.Uncompressed) || length != 65) return false;
        serialized[1..].CopyTo(publicKey64);
        return true;
    }

    // One libsecp256k1 context per thread (a context is not shared across threads by this wrapper). The error callback
    // only fires on API misuse, which the checks above rule out; it is kept alive for the life of the process.
    [ThreadStatic] private static Secp256k1Net.Secp256k1? _context;
    private static readonly Secp256k1Net.ErrorCallbackDelegate IgnoreMisuse = (_, _) => { };
    private static Secp256k1Net.Secp256k1 Context => _context ??= new Secp256k1Net.Secp256k1(IgnoreMisuse);

    /// <summary>The Ethereum address of a 64-byte public key: the last 20 bytes of its Keccak-256.</summary>
    public static Address AddressOf(ReadOnlySpan<byte> publicKey64)
    {
        if (publicKey64.Length != 64) throw new ArgumentException("a secp256k1 public key is 64 bytes (x ‖ y)", nameof(publicKey64));
        Span<byte> digest = stackalloc byte[32];
        Keccak.Hash(publicKey64, digest);
        return Address.FromBytes(digest[12..]);
    }

    private static bool IsZero(ReadOnlySpan<byte> value) => value.IndexOfAnyExcept((byte)0) < 0;

    internal static bool IsValidSecretKey(ReadOnlySpan<byte> secret) =>
        secret.Length == 32 && !IsZero(secret) && secret.SequenceCompareTo(Order) < 0;

    /// <summary>The 64-byte public key of a 32-byte secret key.</summary>
    internal static byte[] PublicKeyOf(ReadOnlySpan<byte> secret)
    {
        var full = Secp256k1Net.Secp256k1.CreatePublicKey(secret, compressed: false);
        return full[1..];
    }

    /// <summary>Signs <paramref name="digest"/> (RFC 6979 nonce, low s): 32-byte r, 32-byte s and the recovery id.</summary>
    /// <remarks>Through this thread's context (the library's static helper measured ~15% slower per signature on the
    /// project's 2-core VM); libsecp256k1's default nonce function is RFC 6979 and it always produces a low s.</remarks>
    internal static (byte[] R, byte[] S, int RecoveryId) Sign(ReadOnlySpan<byte> digest, ReadOnlySpan<byte> secret)
    {
        if (digest.Length != 32) throw new ArgumentException("a secp256k1 digest is 32 bytes", nameof(digest));
        Span<byte> recoverable = stackalloc byte[65];
        Span<byte> compact = stackalloc byte[64];
        var lib = Context;
        if (!lib.EcdsaSignRecoverable(recoverable, digest, secret) || !lib.EcdsaRecoverableSignatureSerializeCompact(compact, out var recoveryId, recoverable))
            throw new ArgumentException("secp256k1: signing failed (invalid secret key)", nameof(secret));
        return (compact[..32].ToArray(), compact[32..].ToArray(), recoveryId);
    }
}

/// <summary>
/// A secp256k1 private key with its Ethereum address. Deterministic keys derive from (seed text, index) the way
/// Ed25519 load-test keys do, under their own domain, so a harness that knows the seed signs for the same accounts.
/// </summary>
public sealed class EthKey
{
    private static readonly byte[] DerivationDomain = "ActorRollup/eth-key/v1"u8.ToArray();
    private readonly byte[] _secret;

    public EthKey(ReadOnlySpan<byte> secret)
    {
        if (!Secp256k1.IsValidSecretKey(secret)) throw new ArgumentException("a secp256k1 secret key is 32 bytes in [1, n-1]", nameof(secret));
        _secret = secret.ToArray();
        PublicKey = Secp256k1.PublicKeyOf(_secret);
        Address = Secp256k1.AddressOf(PublicKey);
    }

    /// <summary>The 64-byte uncompressed public key (x ‖ y).</summary>
    public byte[] PublicKey { get; }

    /// <summary>The account address: last 20 bytes of Keccak-256 of <see cref="PublicKey"/>.</summary>
    public Address Address { get; }

    /// <summary>The secret key, 32 bytes big-endian (for handing to other Ethereum tools in tests).</summary>
    public byte[] SecretKey => (byte[])_secret.Clone();

    public static EthKey Parse(string hex)
    {
        Span<byte> secret = stackalloc byte[32];
        if (!Hex.TryParseFixed(hex, secret)) throw new FormatException("a secp256k1 secret key is 32 bytes of 0x-hex");
        return new EthKey(secret);
    }

    /// <summary>
    /// Key number <paramref name="index"/> of <paramref name="seed"/>: secret = SHA-256("ActorRollup/eth-key/v1" ‖
    /// u32be(len(seedUtf8)) ‖ seedUtf8 ‖ u64be(index) ‖ u32be(counter)), the first counter that gives a valid key.
    /// </summary>
    public static EthKey Derive(string seed, ulong index)
    {
        ArgumentNullException.ThrowIfNull(seed);
        var seedBytes = System.Text.Encoding.UTF8.GetBytes(seed);
        for (uint counter = 0; ; counter++)
        {
            var w = new Encoding.CanonicalWriter(DerivationDomain.Length + 4 + seedBytes.Length + 12);
            w.WriteRaw(DerivationDomain);
            w.WriteBytesWithLength32(seedBytes);
            w.WriteU64(index);
            w.WriteU32(counter);
            var secret = System.Security.Cryptography.SHA256.HashData(w.Written);
            if (Secp256k1.IsValidSecretKey(secret)) return new EthKey(secret);
        }
    }

    /// <summary>Signs a 32-byte digest: r, s (low), recovery id.</summary>
    public (byte[] R, byte[] S, int RecoveryId) Sign(ReadOnlySpan<byte> digest) => Secp256k1.Sign(digest, _secret);
}
