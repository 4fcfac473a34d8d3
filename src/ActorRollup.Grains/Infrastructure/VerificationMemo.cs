using System.Collections.Concurrent;
using ActorRollup.Core.Primitives;

namespace ActorRollup.Grains.Infrastructure;

/// <summary>
/// A per-silo memo of pure checks (signature verification), keyed by a hash of the exact bytes checked: public key,
/// message and signature. The outcome is by definition the same as re-checking, so admission, the chain and every
/// validator on one silo verify each signature once. Bounded: cleared wholesale past <see cref="Capacity"/> entries.
/// </summary>
public sealed class VerificationMemo
{
    public const int Capacity = 2_000_000;
    private ConcurrentDictionary<Hash32, bool> _results = new();

    public long Hits;
    public long Misses;

    /// <summary>The verdict for (public key, message, signature), computing it with <paramref name="verify"/> once.</summary>
    public bool Verify(ReadOnlySpan<byte> publicKey, ReadOnlySpan<byte> message, ReadOnlySpan<byte> signature, Func<bool> verify) =>
        Memoized(KeyOf(publicKey, message, signature), verify);

    /// <summary>Memoized transaction signature check, keyed by the transaction hash: it is over the full encoding,
    /// signature included, so equal hashes mean identical bytes.</summary>
    public bool VerifyTransaction(Core.Transactions.Transaction tx) => Memoized(tx.Hash, tx.VerifySignature);

    private bool Memoized(Hash32 key, Func<bool> verify)
    {
        if (_results.TryGetValue(key, out var known))
        {
            Interlocked.Increment(ref Hits);
            return known;
        }
        Interlocked.Increment(ref Misses);
        var result = verify();
        if (_results.Count >= Capacity) _results = new ConcurrentDictionary<Hash32, bool>();
        _results[key] = result;
        return result;
    }

    private static Hash32 KeyOf(ReadOnlySpan<byte> publicKey, ReadOnlySpan<byte> message, ReadOnlySpan<byte> signature)
    {
        using var sha = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);
        Span<byte> len = stackalloc byte[4];
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(len, publicKey.Length);
        sha.AppendData(len);
        sha.AppendData(publicKey);
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(len, message.Length);
        sha.AppendData(len);
        sha.AppendData(message);
        sha.AppendData(signature);
        Span<byte> digest = stackalloc byte[32];
        sha.GetHashAndReset(digest);
        return Hash32.FromBytes(digest);
    }
}
