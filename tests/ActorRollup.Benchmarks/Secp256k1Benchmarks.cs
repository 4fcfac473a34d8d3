using ActorRollup.Core.Crypto;
using ActorRollup.Core.Primitives;
using ActorRollup.Core.Transactions;
using BenchmarkDotNet.Attributes;
using NBitcoin.Secp256k1;

namespace ActorRollup.Benchmarks;

/// <summary>
/// An Ethereum transaction's admission cost (issue 13, docs/ETHEREUM.md "secp256k1 recovery: measured"): public-key
/// recovery with Secp256k1.Net (bitcoin-core's libsecp256k1, native) and with NBitcoin.Secp256k1 (pure C#), both over
/// the same <see cref="Pool"/> distinct type-2 transfers and both checked in the set-up to recover every signer's key;
/// the Core's own <see cref="Secp256k1.TryRecover"/> (range checks + Secp256k1.Net); and Keccak-256 of one transfer.
/// Each invocation takes the next transaction of the pool.
/// </summary>
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 10)]
[MemoryDiagnoser, MinColumn, MedianColumn, MaxColumn]
public class Secp256k1Benchmarks
{
    public const int Pool = 4_096;

    private byte[][] _digests = [];
    private byte[][] _compact = [];
    private int[] _recoveryIds = [];
    private byte[][] _raw = [];
    private int _next;
    private Secp256k1Net.Secp256k1 _native = null!;

    /// <summary>Distinct signed type-2 transfers of 256 keys: their raw bytes, signing digests, r ‖ s and recovery ids.</summary>
    internal static (byte[][] Raw, byte[][] Digests, byte[][] Compact, int[] RecoveryIds, EthKey[] Signers) Transfers(int count)
    {
        var keys = Enumerable.Range(0, 256).Select(i => EthKey.Derive("bench-secp256k1", (ulong)i)).ToArray();
        var to = Address.Parse("0x3535353535353535353535353535353535353535");
        var raw = new byte[count][];
        var digests = new byte[count][];
        var compact = new byte[count][];
        var ids = new int[count];
        var signers = new EthKey[count];
        for (int i = 0; i < count; i++)
        {
            signers[i] = keys[i % keys.Length];
            var tx = EthTransactionCodec.SignDynamicFee(signers[i], 1, (ulong)(i / keys.Length), 1_000_000_000, 30_000_000_000, 21_000, to, (UInt128)(1_000_000 + i));
            raw[i] = tx.Encoded;
            digests[i] = Keccak.Hash(EthTransactionCodec.SigningPayloadDynamicFee(1, tx.Nonce, tx.PriorityFeePerGas, tx.GasPrice, tx.GasLimit, to, tx.Value, [])).ToArray();
            compact[i] = tx.Signature;
            ids[i] = (int)tx.SignatureV;
        }
        return (raw, digests, compact, ids, signers);
    }

    [GlobalSetup]
    public void Setup()
    {
        (_raw, _digests, _compact, _recoveryIds, var signers) = Transfers(Pool);
        _native = new Secp256k1Net.Secp256k1((_, _) => { });
        Span<byte> a = stackalloc byte[65], b = stackalloc byte[65], c = stackalloc byte[64];
        for (_next = 0; _next < Pool; _next++)
        {
            if (!RecoverNative(a) || !RecoverNBitcoin(b) || !Secp256k1.TryRecover(_digests[_next], _compact[_next].AsSpan(0, 32), _compact[_next].AsSpan(32), _recoveryIds[_next], c))
                throw new InvalidOperationException($"transfer {_next}: a library recovers no key");
            if (!a.SequenceEqual(b) || !a[1..].SequenceEqual(signers[_next].PublicKey) || !c.SequenceEqual(signers[_next].PublicKey))
                throw new InvalidOperationException($"transfer {_next}: the libraries recover different keys");
        }
        _next = 0;
    }

    [GlobalCleanup]
    public void Cleanup() => _native.Dispose();

    private int Next() => _next = (_next + 1) & (Pool - 1);

    private bool RecoverNative(Span<byte> uncompressed65)
    {
        Span<byte> signature = stackalloc byte[65];
        Span<byte> key = stackalloc byte[64];
        nuint length = 65;
        return _native.EcdsaRecoverableSignatureParseCompact(signature, _compact[_next], _recoveryIds[_next])
               && _native.EcdsaRecover(key, signature, _digests[_next])
               && _native.EcPubkeySerialize(uncompressed65, ref length, key, Secp256k1Net.Secp256k1EcFlags.Uncompressed);
    }

    private bool RecoverNBitcoin(Span<byte> uncompressed65)
    {
        if (!SecpRecoverableECDSASignature.TryCreateFromCompact(_compact[_next], _recoveryIds[_next], out var signature)) return false;
        if (!ECPubKey.TryRecover(Context.Instance, signature!, _digests[_next], out var key)) return false;
        key!.WriteToSpan(false, uncompressed65, out int length);
        return length == 65;
    }

    [Benchmark(Baseline = true, Description = "recover: Secp256k1.Net (libsecp256k1)")]
    public bool RecoverWithSecp256k1Net()
    {
        Next();
        Span<byte> key = stackalloc byte[65];
        return RecoverNative(key);
    }

    [Benchmark(Description = "recover: NBitcoin.Secp256k1")]
    public bool RecoverWithNBitcoin()
    {
        Next();
        Span<byte> key = stackalloc byte[65];
        return RecoverNBitcoin(key);
    }

    [Benchmark(Description = "recover: Core Secp256k1.TryRecover")]
    public bool RecoverWithCore()
    {
        int i = Next();
        Span<byte> key = stackalloc byte[64];
        return Secp256k1.TryRecover(_digests[i], _compact[i].AsSpan(0, 32), _compact[i].AsSpan(32), _recoveryIds[i], key);
    }

    [Benchmark(Description = "Keccak-256 of a type-2 transfer (Nethereum.Util)")]
    public Hash32 KeccakOfTransfer() => Keccak.Hash(_raw[Next()]);
}

/// <summary>
/// The whole <see cref="EthTransactionCodec.Decode(ReadOnlySpan{byte})"/> of a type-2 transfer: RLP, Keccak of the
/// signing payload and of the raw bytes, recovery, the address. Cold: the recovered-sender cache (keyed by hash) is
/// emptied before each iteration and every invocation of the iteration decodes a different transfer, so each one
/// recovers. Warm: the same transfers again, their senders cached (what a second decode of the same bytes costs).
/// </summary>
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 10, invocationCount: Secp256k1Benchmarks.Pool)]
[MemoryDiagnoser, MinColumn, MedianColumn, MaxColumn]
public class EthDecodeBenchmarks
{
    private byte[][] _raw = [];
    private int _next;

    [GlobalSetup]
    public void Setup() => _raw = Secp256k1Benchmarks.Transfers(Secp256k1Benchmarks.Pool).Raw;

    [IterationSetup(Target = nameof(DecodeCold))]
    public void Forget()
    {
        RecoveredSenders.Clear();
        _next = 0;
    }

    [IterationSetup(Target = nameof(DecodeWarm))]
    public void Remember()
    {
        foreach (var raw in _raw) EthTransactionCodec.Decode(raw);
        _next = 0;
    }

    [Benchmark(Baseline = true, Description = "decode type-2 transfer, cache cold")]
    public Transaction DecodeCold() => EthTransactionCodec.Decode(_raw[_next++ & (Secp256k1Benchmarks.Pool - 1)]);

    [Benchmark(Description = "decode type-2 transfer, sender cached")]
    public Transaction DecodeWarm() => EthTransactionCodec.Decode(_raw[_next++ & (Secp256k1Benchmarks.Pool - 1)]);
}
