using System.Collections.Concurrent;
using ActorRollup.Core.Crypto;
using ActorRollup.Core.Encoding;
using ActorRollup.Core.Primitives;

namespace ActorRollup.Core.Transactions;

/// <summary>
/// Ethereum's signed transaction encodings as a second encoding of <see cref="Transaction"/> (docs/ETHEREUM.md):
/// <list type="bullet">
/// <item>legacy, <c>rlp([nonce, gasPrice, gasLimit, to, value, data, v, r, s])</c> with EIP-155's
/// v = chainId·2 + 35 + yParity, signing Keccak-256(rlp([nonce, gasPrice, gasLimit, to, value, data, chainId, 0, 0]));</item>
/// <item>EIP-1559, <c>0x02 ‖ rlp([chainId, nonce, maxPriorityFeePerGas, maxFeePerGas, gasLimit, to, value, data,
/// accessList, yParity, r, s])</c>, signing Keccak-256(0x02 ‖ rlp([the first nine])).</item>
/// </list>
/// The sender is recovered with secp256k1 (EIP-2 low s) and is the last 20 bytes of Keccak-256 of its public key;
/// the hash is Keccak-256 of the raw bytes. Taken: value transfers (a 20-byte <c>to</c>, an empty access list).
/// Refused, with a <see cref="DecodeError"/> that admission maps to a reason code (checked against ethereum/tests'
/// TransactionTests, tests/ActorRollup.Core.Tests/Vectors): legacy transactions without an EIP-155 chain id (v 27/28,
/// or any v below 35) and, when decoding for a chain, another chain's id — both before the signature is recovered —
/// (<see cref="DecodeError.NoChainId"/>); types 1/3/4 and kinds the chain does not take: contract creation, non-empty
/// access lists (<see cref="DecodeError.Unsupported"/>); unknown types, non-canonical RLP, a nonce or gas limit beyond
/// 64 bits, the nonce 2^64−1 (EIP-2681), a priority fee above the fee cap (a bad encoding); amounts of any width beyond
/// 128 bits (value) or 64 bits (prices) (<see cref="DecodeError.Overflow"/>); r or s of 0, not below n or beyond 256
/// bits, s above n/2, a y-parity other than 0/1, or no key recovering (<see cref="DecodeError.BadSignature"/>).
/// </summary>
public static class EthTransactionCodec
{
    public const byte DynamicFeeType = 0x02;

    /// <summary>Whether <paramref name="bytes"/> start like an Ethereum transaction rather than a native one.</summary>
    /// <remarks>A native transaction starts with its version byte 1 and then a chain-id length of 1–32; an Ethereum
    /// one with an RLP list (0xc0 and above) or a type byte 0x00–0x7f — type 1 (EIP-2930) also starts with 0x01,
    /// but is followed by an RLP list header, never by a byte below 0xc0.</remarks>
    public static bool LooksLikeEthereum(ReadOnlySpan<byte> bytes) =>
        bytes.Length > 0 && (bytes[0] >= 0xc0 || (bytes[0] <= 0x7f && bytes[0] != TransactionCodec.Version) ||
                             (bytes[0] == TransactionCodec.Version && bytes.Length > 1 && bytes[1] >= 0xc0));

    /// <summary>The largest nonce a transaction may carry: EIP-2681 keeps 2^64−1 out, so an account nonce never wraps.</summary>
    public const ulong MaxNonce = ulong.MaxValue - 1;

    /// <summary>Decodes and recovers the sender; throws only <see cref="DecodeException"/>. A sender already recovered
    /// from the same bytes in this process is taken from <see cref="RecoveredSenders"/> (no signing payload, no recovery).</summary>
    public static Transaction Decode(ReadOnlySpan<byte> raw) => Decode(raw, expectedChainId: null);

    /// <summary>
    /// Decodes and recovers the sender; throws only <see cref="DecodeException"/>. With <paramref name="expectedChainId"/>,
    /// a transaction signed for another chain id is refused (<see cref="DecodeError.NoChainId"/>) before its signature
    /// is recovered — the replay-protection check comes first, as in Ethereum clients, and costs no recovery.
    /// </summary>
    public static Transaction Decode(ReadOnlySpan<byte> raw, ulong? expectedChainId) => Decode(raw, expectedChainId, useCache: true);

    /// <summary>
    /// <see cref="Decode(ReadOnlySpan{byte})"/> without the recovered-sender cache: every call recovers, and nothing is
    /// added to the cache. For measuring what a first decode costs (the load test's recovery ceiling, the benchmarks);
    /// the chain uses <see cref="Decode(ReadOnlySpan{byte})"/>.
    /// </summary>
    public static Transaction DecodeUncached(ReadOnlySpan<byte> raw) => Decode(raw, expectedChainId: null, useCache: false);

    /// <summary>Process-wide counts of sender recoveries done by <see cref="Decode(ReadOnlySpan{byte})"/> and of decodes
    /// the cache answered instead (<see cref="DecodeUncached"/> counts in neither).</summary>
    public static (long Recovered, long CacheHits) SenderRecoveryCounts => RecoveredSenders.Counts;

    private static Transaction Decode(ReadOnlySpan<byte> raw, ulong? expectedChainId, bool useCache)
    {
        if (raw.IsEmpty) throw new DecodeException(DecodeError.Truncated, "transaction: empty");
        byte first = raw[0];
        if (first >= 0xc0) return DecodeLegacy(raw, expectedChainId, useCache);
        if (first == DynamicFeeType) return DecodeDynamicFee(raw, expectedChainId, useCache);
        if (first is 0x01 or 0x03 or 0x04)
            throw new DecodeException(DecodeError.Unsupported, $"type: transaction type {first} is not supported (legacy and type 2 are)");
        if (first <= 0x7f) throw new DecodeException(DecodeError.InvalidField, $"type: unknown transaction type {first}");
        throw new DecodeException(DecodeError.InvalidField, "transaction: neither an RLP list nor a typed transaction");
    }

    private static Transaction DecodeLegacy(ReadOnlySpan<byte> raw, ulong? expectedChainId, bool useCache)
    {
        var outer = new RlpReader(raw);
        var r = outer.ReadList("transaction");
        outer.ExpectEnd("transaction");
        var nonce = ReadNonce(ref r);
        var gasPrice = ReadPrice(ref r, "gasPrice");
        var gasLimit = r.ReadUInt64("gasLimit");
        var to = ReadRecipient(ref r);
        var value = ReadValue(ref r);
        var data = r.ReadString("data").ToArray();
        var vBytes = r.ReadScalar("v", int.MaxValue);
        Span<byte> sigR = stackalloc byte[32], sigS = stackalloc byte[32];
        ReadSignatureScalar(ref r, "r", sigR);
        ReadSignatureScalar(ref r, "s", sigS);
        r.ExpectEnd("transaction");

        if (vBytes.Length > 8) throw new DecodeException(DecodeError.NoChainId, "v: implies a chain id beyond 64 bits");
        ulong v = 0;
        foreach (var b in vBytes) v = (v << 8) | b;
        if (v is 27 or 28) throw new DecodeException(DecodeError.NoChainId, "v: 27/28, a transaction without EIP-155 replay protection");
        if (v < 35) throw new DecodeException(DecodeError.NoChainId, $"v: {v} carries no EIP-155 chain id (v = chainId·2 + 35 or 36)");
        ulong chainId = (v - 35) / 2;
        int parity = (int)((v - 35) % 2);
        CheckChain(chainId, expectedChainId);

        var hash = Keccak.Hash(raw);
        if (!(useCache && RecoveredSenders.TryGet(hash, out var sender)))
        {
            var payload = new RlpWriter().UInt(nonce).UInt(gasPrice).UInt(gasLimit).String(to.ToArray()).UInt(value).String(data)
                .UInt(chainId).UInt(0).UInt(0).ToList();
            sender = RecoverSender(hash, Keccak.Hash(payload), sigR, sigS, parity, useCache);
        }
        return new Transaction(TxFormat.EthLegacy, chainId, nonce, gasPrice, gasPrice, gasLimit, to, value, data,
            Concat(sigR, sigS), v, sender, raw.ToArray(), hash);
    }

    private static Transaction DecodeDynamicFee(ReadOnlySpan<byte> raw, ulong? expectedChainId, bool useCache)
    {
        var outer = new RlpReader(raw[1..]);
        var r = outer.ReadList("transaction");
        outer.ExpectEnd("transaction");
        var chainIdBytes = r.ReadScalar("chainId", int.MaxValue);
        if (chainIdBytes.Length > 8) throw new DecodeException(DecodeError.NoChainId, "chainId: beyond 64 bits");
        ulong chainId = 0;
        foreach (var b in chainIdBytes) chainId = (chainId << 8) | b;
        var nonce = ReadNonce(ref r);
        var tip = ReadPrice(ref r, "maxPriorityFeePerGas");
        var maxFee = ReadPrice(ref r, "maxFeePerGas");
        var gasLimit = r.ReadUInt64("gasLimit");
        var to = ReadRecipient(ref r);
        var value = ReadValue(ref r);
        var data = r.ReadString("data").ToArray();
        var accessList = r.ReadList("accessList");
        if (!accessList.AtEnd) throw new DecodeException(DecodeError.Unsupported, "accessList: must be empty (no contracts to warm)");
        var yParity = r.ReadScalar("yParity", int.MaxValue);
        Span<byte> sigR = stackalloc byte[32], sigS = stackalloc byte[32];
        ReadSignatureScalar(ref r, "r", sigR);
        ReadSignatureScalar(ref r, "s", sigS);
        r.ExpectEnd("transaction");
        if (yParity.Length > 1 || (yParity.Length == 1 && yParity[0] > 1))
            throw new DecodeException(DecodeError.BadSignature, "yParity: not 0 or 1");
        if (tip > maxFee) throw new DecodeException(DecodeError.InvalidField, "maxPriorityFeePerGas: above maxFeePerGas");
        CheckChain(chainId, expectedChainId);

        var hash = Keccak.Hash(raw);
        if (!(useCache && RecoveredSenders.TryGet(hash, out var sender)))
        {
            var payload = SigningPayloadDynamicFee(chainId, nonce, tip, maxFee, gasLimit, to, value, data);
            sender = RecoverSender(hash, Keccak.Hash(payload), sigR, sigS, yParity.IsEmpty ? 0 : 1, useCache);
        }
        return new Transaction(TxFormat.EthDynamicFee, chainId, nonce, maxFee, tip, gasLimit, to, value, data,
            Concat(sigR, sigS), yParity.IsEmpty ? 0UL : 1UL, sender, raw.ToArray(), hash);
    }

    private static void CheckChain(ulong chainId, ulong? expectedChainId)
    {
        if (expectedChainId is { } expected && chainId != expected)
            throw new DecodeException(DecodeError.NoChainId, $"chainId: {chainId}, this chain's is {expected}");
    }

    private static ulong ReadNonce(ref RlpReader r)
    {
        var nonce = r.ReadUInt64("nonce");
        if (nonce > MaxNonce) throw new DecodeException(DecodeError.InvalidField, "nonce: 2^64-1 is not a valid nonce (EIP-2681)");
        return nonce;
    }

    // Amounts of any width are read, so that a price or value too wide for the chain is an overflow however wide it is.
    private static ulong ReadPrice(ref RlpReader r, string field)
    {
        var bytes = r.ReadScalar(field, int.MaxValue);
        if (bytes.Length > 8) throw new DecodeException(DecodeError.Overflow, $"{field}: beyond 64 bits");
        ulong value = 0;
        foreach (var b in bytes) value = (value << 8) | b;
        return value;
    }

    /// <summary>r or s, left-padded to 32 bytes; wider than 256 bits it cannot be below n (a bad signature).</summary>
    private static void ReadSignatureScalar(ref RlpReader r, string field, scoped Span<byte> destination32)
    {
        var bytes = r.ReadScalar(field, int.MaxValue);
        if (bytes.Length > 32) throw new DecodeException(DecodeError.BadSignature, $"{field}: beyond 256 bits");
        destination32.Clear();
        bytes.CopyTo(destination32[(32 - bytes.Length)..]);
    }

    private static UInt128 ReadValue(ref RlpReader r)
    {
        var bytes = r.ReadScalar("value", int.MaxValue);
        if (bytes.Length > 16) throw new DecodeException(DecodeError.Overflow, "value: beyond 128 bits");
        UInt128 value = 0;
        foreach (var b in bytes) value = (value << 8) | b;
        return value;
    }

    private static Address ReadRecipient(ref RlpReader r)
    {
        var to = r.ReadString("to");
        if (to.IsEmpty) throw new DecodeException(DecodeError.Unsupported, "to: contract creation is not supported (value transfers only)");
        if (to.Length != Address.Size) throw new DecodeException(DecodeError.InvalidField, $"to: {to.Length} bytes, an address is 20");
        return Address.FromBytes(to);
    }

    private static byte[] Concat(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b)
    {
        var result = new byte[a.Length + b.Length];
        a.CopyTo(result);
        b.CopyTo(result.AsSpan(a.Length));
        return result;
    }

    internal static byte[] SigningPayloadDynamicFee(ulong chainId, ulong nonce, ulong tip, ulong maxFee, ulong gasLimit,
        Address to, UInt128 value, byte[] data)
    {
        var list = new RlpWriter().UInt(chainId).UInt(nonce).UInt(tip).UInt(maxFee).UInt(gasLimit).String(to.ToArray())
            .UInt(value).String(data).Raw([0xc0]).ToList();
        var payload = new byte[1 + list.Length];
        payload[0] = DynamicFeeType;
        list.CopyTo(payload, 1);
        return payload;
    }

    /// <summary>Recovers the sender of the transaction <paramref name="hash"/> names from its signing digest and adds it to
    /// the cache (when <paramref name="useCache"/>); the caller looked the cache up first.</summary>
    private static Address RecoverSender(Hash32 hash, Hash32 digest, ReadOnlySpan<byte> sigR, ReadOnlySpan<byte> sigS, int parity, bool useCache)
    {
        Span<byte> digestBytes = stackalloc byte[32];
        digest.WriteTo(digestBytes);
        Span<byte> publicKey = stackalloc byte[64];
        if (!Secp256k1.TryRecover(digestBytes, sigR, sigS, parity, publicKey))
            throw new DecodeException(DecodeError.BadSignature, "signature: r, s or v invalid, s above n/2 (EIP-2), or no key recovers");
        var sender = Secp256k1.AddressOf(publicKey);
        if (useCache) RecoveredSenders.Add(hash, sender);
        return sender;
    }

    /// <summary>Signs a legacy EIP-155 transfer with <paramref name="key"/>.</summary>
    public static Transaction SignLegacy(EthKey key, ulong chainId, ulong nonce, ulong gasPrice, ulong gasLimit, Address to,
        UInt128 value, byte[]? data = null)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(nonce, MaxNonce);
        data ??= [];
        var payload = new RlpWriter().UInt(nonce).UInt(gasPrice).UInt(gasLimit).String(to.ToArray()).UInt(value).String(data)
            .UInt(chainId).UInt(0).UInt(0).ToList();
        var (sigR, sigS, parity) = key.Sign(Keccak.Hash(payload).ToArray());
        ulong v = checked(chainId * 2 + 35 + (ulong)parity);
        var raw = new RlpWriter().UInt(nonce).UInt(gasPrice).UInt(gasLimit).String(to.ToArray()).UInt(value).String(data)
            .UInt(v).UInt256(sigR).UInt256(sigS).ToList();
        return new Transaction(TxFormat.EthLegacy, chainId, nonce, gasPrice, gasPrice, gasLimit, to, value, data,
            Concat(sigR, sigS), v, key.Address, raw, Keccak.Hash(raw));
    }

    /// <summary>Signs an EIP-1559 (type 2) transfer with <paramref name="key"/>.</summary>
    public static Transaction SignDynamicFee(EthKey key, ulong chainId, ulong nonce, ulong maxPriorityFeePerGas, ulong maxFeePerGas,
        ulong gasLimit, Address to, UInt128 value, byte[]? data = null)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(nonce, MaxNonce);
        if (maxPriorityFeePerGas > maxFeePerGas) throw new ArgumentException("the priority fee is above the fee cap", nameof(maxPriorityFeePerGas));
        data ??= [];
        var payload = SigningPayloadDynamicFee(chainId, nonce, maxPriorityFeePerGas, maxFeePerGas, gasLimit, to, value, data);
        var (sigR, sigS, parity) = key.Sign(Keccak.Hash(payload).ToArray());
        var list = new RlpWriter().UInt(chainId).UInt(nonce).UInt(maxPriorityFeePerGas).UInt(maxFeePerGas).UInt(gasLimit)
            .String(to.ToArray()).UInt(value).String(data).Raw([0xc0]).UInt((ulong)parity).UInt256(sigR).UInt256(sigS).ToList();
        var raw = new byte[1 + list.Length];
        raw[0] = DynamicFeeType;
        list.CopyTo(raw, 1);
        return new Transaction(TxFormat.EthDynamicFee, chainId, nonce, maxFeePerGas, maxPriorityFeePerGas, gasLimit, to, value,
            data, Concat(sigR, sigS), (ulong)parity, key.Address, raw, Keccak.Hash(raw));
    }
}

/// <summary>
/// Senders already recovered, by transaction hash (Keccak-256 of the raw bytes, so an entry can only ever be hit by
/// the same bytes). A transaction is decoded again wherever it crosses a silo boundary; recovery costs tens of
/// microseconds, the lookup well under one. Two bounded generations: when the current one fills it becomes the
/// previous one, so the cache holds between one and two generations of the most recent senders.
/// </summary>
internal static class RecoveredSenders
{
    private const int GenerationSize = 1 << 18;
    private static ConcurrentDictionary<Hash32, Address> _current = new();
    private static ConcurrentDictionary<Hash32, Address> _previous = new();
    private static readonly object Rotate = new();

    private static long _recovered, _hits;
    private static int _currentCount;

    /// <summary>Senders recovered and added so far (<see cref="Add"/>), and lookups answered from the cache (<see cref="TryGet"/>).</summary>
    public static (long Recovered, long CacheHits) Counts => (Interlocked.Read(ref _recovered), Interlocked.Read(ref _hits));

    public static bool TryGet(Hash32 hash, out Address sender)
    {
        if (!_current.TryGetValue(hash, out sender) && !_previous.TryGetValue(hash, out sender)) return false;
        Interlocked.Increment(ref _hits);
        return true;
    }

    /// <summary>Forgets every sender (benchmarks of cold decoding: tests/ActorRollup.Benchmarks).</summary>
    internal static void Clear()
    {
        lock (Rotate)
        {
            _current = new ConcurrentDictionary<Hash32, Address>();
            _previous = new ConcurrentDictionary<Hash32, Address>();
            Interlocked.Exchange(ref _currentCount, 0);
        }
    }

    public static void Add(Hash32 hash, Address sender)
    {
        Interlocked.Increment(ref _recovered);
        var current = _current;
        if (!current.TryAdd(hash, sender)) return;
        // Counted here rather than with ConcurrentDictionary.Count, which takes every lock of the table and contended with
        // the parallel admission's writers.
        if (Interlocked.Increment(ref _currentCount) < GenerationSize) return;
        lock (Rotate)
        {
            if (!ReferenceEquals(current, _current)) return;
            _previous = current;
            _current = new ConcurrentDictionary<Hash32, Address>();
            Interlocked.Exchange(ref _currentCount, 0);
        }
    }
}
