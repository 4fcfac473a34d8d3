using ActorRollup.Abstractions;
using ActorRollup.Abstractions.Messages;
using ActorRollup.Abstractions.Security;
using ActorRollup.Core;
using ActorRollup.Core.Primitives;
using ActorRollup.Core.Transactions;
using ActorRollup.Grains.Infrastructure;
using Orleans.Concurrency;

namespace ActorRollup.Grains.Mempool;

/// <summary>
/// The stateless front of admission (key: chain id). Runs as a stateless worker on every silo, so decoding and
/// Ed25519 verification — the expensive, pure part of admission — spread over every core; the survivors go to the
/// chain's mempool for the stateful checks in one call per batch. Cheap checks come first (PROTOCOL.md §2): the batch
/// length bound, size, decoding and the stateless rules, a duplicate within the batch, a signature this silo already
/// found bad, then the mempool's cheap look at each sender (<see cref="IMempoolGrain.Screen"/>); only what survives
/// all of them is verified. An Ethereum transaction's signature is checked as it decodes (its sender is recovered from
/// it, in step 1's parallel loop), so the memo knows it verified and it skips the screen and step 4.
/// </summary>
[StatelessWorker]
public sealed class AdmissionGrain(VerificationMemo memo, RollupMetrics metrics) : Grain, IAdmissionGrain
{
    /// <summary>Below this many signatures still to verify the mempool's screen costs about what it saves, and is skipped.</summary>
    public const int ScreenThreshold = 16;

    private ChainParameters? _chain;

    public async Task<AdmissionResult[]> Submit(byte[][] encodedTransactions)
    {
        // One result per input: a missing batch is no input, answered with no result rather than an exception.
        encodedTransactions ??= [];
        if (encodedTransactions.Length > PipelineLimits.MaxSubmitBatch)
            throw new CallRefusedException(CallRefusal.ArgumentOutOfBounds,
                $"Submit: {encodedTransactions.Length} transactions in one batch; at most {PipelineLimits.MaxSubmitBatch}");
        var chainId = this.GetPrimaryKeyString();
        _chain ??= (await GrainFactory.Chain(chainId).GetGenesis())?.Config.ToChainParameters();
        var results = new AdmissionResult[encodedTransactions.Length];
        if (_chain is null)
        {
            Array.Fill(results, new AdmissionResult(AdmissionReason.WrongChain, default, 0));
            return results;
        }

        var chain = _chain;
        var decoded = new Transaction?[encodedTransactions.Length];
        // 1. Size, decoding and the stateless rules, no signature yet (pure, in parallel).
        Parallel.For(0, encodedTransactions.Length, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, i =>
        {
            var bytes = encodedTransactions[i] ?? [];
            var reason = TransactionRules.CheckStateless(bytes, chain, out var tx, verifySignature: false);
            results[i] = new AdmissionResult(reason, tx?.Hash ?? default, 0);
            if (reason == AdmissionReason.Ok) decoded[i] = tx;
        });

        // 2. A second copy within the batch, and a signature this silo already found bad: no verification for either.
        var seen = new HashSet<Hash32>();
        var unverified = new List<int>();
        for (int i = 0; i < decoded.Length; i++)
        {
            if (decoded[i] is not { } tx) continue;
            var reason = AdmissionReason.Ok;
            if (!seen.Add(tx.Hash)) reason = AdmissionReason.Duplicate;
            else if (memo.TryRecallTransaction(tx, out var verified)) { if (!verified) reason = AdmissionReason.BadSignature; }
            else unverified.Add(i);
            if (reason != AdmissionReason.Ok) Refuse(i, reason);
        }

        // 3. The mempool's cheap look at each sender (duplicate, nonce, balance, capacity) before any Ed25519.
        if (unverified.Count >= ScreenThreshold)
        {
            var screened = await GrainFactory.Mempool(chainId).Screen(unverified.Select(i => decoded[i]!).ToArray());
            for (int k = 0; k < screened.Length; k++)
                if (screened[k] != AdmissionReason.Ok) Refuse(unverified[k], screened[k]);
            unverified = unverified.Where(i => decoded[i] is not null).ToList();
        }

        // 4. Signatures, last, through the per-silo memo (which the mempool reads them back from).
        Parallel.ForEach(unverified, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, i =>
        {
            if (!memo.VerifyTransaction(decoded[i]!)) Refuse(i, AdmissionReason.BadSignature);
        });

        var valid = decoded.Where(t => t is not null).Select(t => t!).ToArray();
        if (valid.Length > 0)
        {
            var stateful = await GrainFactory.Mempool(chainId).AdmitVerified(valid);
            for (int i = 0, j = 0; i < results.Length; i++)
                if (decoded[i] is not null) results[i] = stateful[j++];
        }
        foreach (var r in results)
            if (!r.Admitted) metrics.Refused(chainId, "transaction", r.Reason.ToString());
        return results;

        void Refuse(int i, AdmissionReason reason)
        {
            results[i] = new AdmissionResult(reason, decoded[i]!.Hash, 0);
            decoded[i] = null;
        }
    }
}
