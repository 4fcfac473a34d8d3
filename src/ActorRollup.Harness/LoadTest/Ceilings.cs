using System.Diagnostics;
using ActorRollup.Abstractions;
using ActorRollup.Core.Crypto;
using ActorRollup.Core.Transactions;

namespace ActorRollup.Harness.LoadTest;

/// <summary>The machine's limits, measured in the same run so results read as ratios to them (PROTOCOL.md §10).</summary>
public static class Ceilings
{
    /// <summary>Ed25519 verifications per second with every core verifying (NSec, the library the grains use).</summary>
    public static double Ed25519VerifyPerSec(TimeSpan duration)
    {
        using var key = SigningKey.Derive("ceiling", 0);
        var messages = Enumerable.Range(0, 256).Select(i => BitConverter.GetBytes(i).Concat(new byte[120]).ToArray()).ToArray();
        var signatures = messages.Select(m => key.Sign(m)).ToArray();
        // Warm up (JIT, libsodium initialisation) before the measured second.
        for (int i = 0; i < 200; i++) Ed25519.Verify(key.PublicKey, messages[i % messages.Length], signatures[i % messages.Length]);
        long count = 0;
        var clock = Stopwatch.StartNew();
        Parallel.For(0, Environment.ProcessorCount, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, worker =>
        {
            long local = 0;
            while (clock.Elapsed < duration)
            {
                for (int i = 0; i < 64; i++)
                {
                    var k = (int)((local + i) % messages.Length);
                    if (!Ed25519.Verify(key.PublicKey, messages[k], signatures[k])) throw new InvalidOperationException("ceiling: a valid signature failed");
                }
                local += 64;
            }
            Interlocked.Add(ref count, local);
        });
        return count / clock.Elapsed.TotalSeconds;
    }

    /// <summary>
    /// Ethereum sender recoveries per second with every core recovering: <see cref="EthTransactionCodec.DecodeUncached"/>
    /// of distinct signed EIP-1559 transfers (each from its own key) — the whole first decode admission does once per
    /// transaction (RLP, the Keccak-256 hashes of the raw bytes and the signing payload, secp256k1 public-key recovery,
    /// the address), without the recovered-sender cache. Bare <c>Secp256k1.TryRecover</c> alone is about 15% faster.
    /// </summary>
    public static double Secp256k1RecoverPerSec(TimeSpan duration)
    {
        const int Distinct = 256;
        var signed = new Transaction[Distinct];
        Parallel.For(0, Distinct, i =>
        {
            var key = EthKey.Derive("ceiling", (ulong)i);
            signed[i] = EthTransactionCodec.SignDynamicFee(key, 1, (ulong)i, 1_000_000_000, 3_000_000_000, 21_000, key.Address, (UInt128)(1_000 + i));
        });
        var raws = signed.Select(t => t.Encoded).ToArray();
        var senders = signed.Select(t => t.Sender).ToArray();
        // Warm up (JIT, the per-thread libsecp256k1 contexts) before the measured time.
        Parallel.For(0, Environment.ProcessorCount * 8, i => EthTransactionCodec.DecodeUncached(raws[i % Distinct]));
        long count = 0;
        var clock = Stopwatch.StartNew();
        Parallel.For(0, Environment.ProcessorCount, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, worker =>
        {
            long local = 0;
            var offset = worker * (Distinct / Environment.ProcessorCount);
            while (clock.Elapsed < duration)
            {
                for (int i = 0; i < 16; i++)
                {
                    var k = (int)((offset + local + i) % Distinct);
                    if (EthTransactionCodec.DecodeUncached(raws[k]).Sender != senders[k]) throw new InvalidOperationException("ceiling: a sender did not recover");
                }
                local += 16;
            }
            Interlocked.Add(ref count, local);
        });
        return count / clock.Elapsed.TotalSeconds;
    }

    /// <summary>Grain calls per second: many callers, each with fixed work (its own grain, one call at a time).</summary>
    public static async Task<double> OrleansCallsPerSec(IGrainFactory grains, TimeSpan duration, int callers = 256)
    {
        // Warm the grains up first so activation is not measured.
        await Task.WhenAll(Enumerable.Range(0, callers).Select(i => grains.GetGrain<IPingGrain>(i).Ping(i)));
        long count = 0;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, callers).Select(async i =>
        {
            var grain = grains.GetGrain<IPingGrain>(i);
            long local = 0;
            while (clock.Elapsed < duration)
            {
                await grain.Ping(i);
                local++;
            }
            Interlocked.Add(ref count, local);
        }));
        return count / clock.Elapsed.TotalSeconds;
    }
}
