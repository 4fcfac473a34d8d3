using System.Collections.Concurrent;
using ActorRollup.Core.Blocks;
using ActorRollup.Core.Crypto;
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
    /// <summary>Entries added to <see cref="_results"/> (ConcurrentDictionary.Count takes every lock of the table: on the
    /// admission's parallel hot path that contended with the writers).</summary>
    private int _stored;

    public long Hits;
    public long Misses;
    /// <summary>Transactions the mempool had to verify itself because this silo's memo had no verdict for them (admitted
    /// through another silo, or the memo was cleared since).</summary>
    public long Rechecks;

    public void CountRechecks(int count) => Interlocked.Add(ref Rechecks, count);

    public VerificationMemo() => Verifier = VerifyEd25519;

    /// <summary>This memo as the core's signature check (one delegate, made once): what the block rules are given.</summary>
    public SignatureVerifier Verifier { get; }

    /// <summary>The memoized Ed25519 verdict for (public key, message, signature).</summary>
    public bool VerifyEd25519(ReadOnlySpan<byte> publicKey, ReadOnlySpan<byte> message, ReadOnlySpan<byte> signature)
    {
        var key = KeyOf(publicKey, message, signature);
        if (TryRecall(key, out var known)) return known;
        var result = Ed25519.Verify(publicKey, message, signature);
        Store(key, result);
        return result;
    }

    /// <summary>Memoized transaction signature check, keyed by the transaction hash: it is over the full encoding,
    /// signature included, so equal hashes mean identical bytes. An Ethereum transaction has nothing to memoize: its
    /// signature was checked when it was decoded (its sender is recovered from it, <see cref="Core.Transactions.Transaction.VerifySignature"/>).</summary>
    public bool VerifyTransaction(Core.Transactions.Transaction tx) => tx.IsEthereum || Memoized(tx.Hash, tx.VerifySignature);

    /// <summary>The verdict this memo already holds for <paramref name="tx"/>'s signature, without verifying anything:
    /// false when it holds none. How the mempool accepts a signature admission verified on this silo. An Ethereum
    /// transaction's is always known (verified: decoding it recovered its sender).</summary>
    public bool TryRecallTransaction(Core.Transactions.Transaction tx, out bool verified)
    {
        if (tx.IsEthereum)
        {
            verified = true;
            return true;
        }
        return TryRecall(tx.Hash, out verified);
    }

    private bool Memoized(Hash32 key, Func<bool> verify)
    {
        if (TryRecall(key, out var known)) return known;
        var result = verify();
        Store(key, result);
        return result;
    }

    private bool TryRecall(Hash32 key, out bool verdict)
    {
        if (_results.TryGetValue(key, out verdict))
        {
            Interlocked.Increment(ref Hits);
            return true;
        }
        Interlocked.Increment(ref Misses);
        return false;
    }

    private void Store(Hash32 key, bool result)
    {
        var results = _results;
        if (!results.TryAdd(key, result)) return; // a verdict is the same whoever stores it
        if (Interlocked.Increment(ref _stored) < Capacity) return;
        // Full: start again (a racing writer may land in the old table; it is only a memo).
        if (ReferenceEquals(Interlocked.CompareExchange(ref _results, new ConcurrentDictionary<Hash32, bool>(), results), results))
            Interlocked.Exchange(ref _stored, 0);
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
