using NSec.Cryptography;

namespace ActorRollup.Core.Crypto;

/// <summary>Ed25519 signature verification (NSec / libsodium). Never throws on malformed input.</summary>
public static class Ed25519
{
    public const int PublicKeySize = 32;
    public const int SignatureSize = 64;
    public const int SeedSize = 32;

    internal static readonly SignatureAlgorithm Algorithm = SignatureAlgorithm.Ed25519;

    /// <summary>True when <paramref name="signature"/> is a valid signature of <paramref name="message"/> by <paramref name="publicKey"/>.</summary>
    public static bool Verify(ReadOnlySpan<byte> publicKey, ReadOnlySpan<byte> message, ReadOnlySpan<byte> signature)
    {
        if (publicKey.Length != PublicKeySize || signature.Length != SignatureSize) return false;
        if (!PublicKey.TryImport(Algorithm, publicKey, KeyBlobFormat.RawPublicKey, out var key) || key is null) return false;
        return Algorithm.Verify(key, message, signature);
    }
}

/// <summary>
/// An Ed25519 private key with its public key. Keys come from a fresh random seed or deterministically from
/// (seed text, index), so load tests and replays can sign for the same accounts on every machine.
/// </summary>
public sealed class SigningKey : IDisposable
{
    private static readonly byte[] DerivationDomain = "ActorRollup/key/v1"u8.ToArray();
    private readonly Key _key;

    private SigningKey(Key key)
    {
        _key = key;
        PublicKey = key.PublicKey.Export(KeyBlobFormat.RawPublicKey);
        Address = Primitives.Address.FromPublicKey(PublicKey);
    }

    /// <summary>The 32-byte raw public key.</summary>
    public byte[] PublicKey { get; }

    /// <summary>The account address of <see cref="PublicKey"/>.</summary>
    public Primitives.Address Address { get; }

    public static SigningKey Generate()
    {
        Span<byte> seed = stackalloc byte[Ed25519.SeedSize];
        System.Security.Cryptography.RandomNumberGenerator.Fill(seed);
        return FromSeed(seed);
    }

    /// <summary>The key whose RFC 8032 private seed is <paramref name="seed"/> (32 bytes).</summary>
    public static SigningKey FromSeed(ReadOnlySpan<byte> seed)
    {
        if (seed.Length != Ed25519.SeedSize) throw new ArgumentException("an Ed25519 seed is 32 bytes", nameof(seed));
        var key = Key.Import(Ed25519.Algorithm, seed, KeyBlobFormat.RawPrivateKey);
        return new SigningKey(key);
    }

    /// <summary>
    /// Deterministic key number <paramref name="index"/> of <paramref name="seed"/>:
    /// private seed = SHA-256("ActorRollup/key/v1" ‖ u32be(len(seedUtf8)) ‖ seedUtf8 ‖ u64be(index)).
    /// </summary>
    public static SigningKey Derive(string seed, ulong index) => FromSeed(DeriveSeed(seed, index));

    public static byte[] DeriveSeed(string seed, ulong index)
    {
        ArgumentNullException.ThrowIfNull(seed);
        var seedBytes = System.Text.Encoding.UTF8.GetBytes(seed);
        var w = new Encoding.CanonicalWriter(DerivationDomain.Length + 4 + seedBytes.Length + 8);
        w.WriteRaw(DerivationDomain);
        w.WriteBytesWithLength32(seedBytes);
        w.WriteU64(index);
        return System.Security.Cryptography.SHA256.HashData(w.Written);
    }

    /// <summary>Signs <paramref name="message"/>; returns the 64-byte signature.</summary>
    public byte[] Sign(ReadOnlySpan<byte> message) => Ed25519.Algorithm.Sign(_key, message);

    public void Dispose() => _key.Dispose();
}
