using ActorRollup.Abstractions;
using ActorRollup.Abstractions.Messages;
using ActorRollup.Core;
using ActorRollup.Core.Transactions;
using ActorRollup.Grains.Infrastructure;
using Orleans.Concurrency;

namespace ActorRollup.Grains.Mempool;

/// <summary>
/// The stateless front of admission (key: chain id). Runs as a stateless worker on every silo, so decoding and
/// Ed25519 verification — the expensive, pure part of admission — spread over every core; the survivors go to the
/// chain's mempool for the stateful checks in one call per batch.
/// </summary>
[StatelessWorker]
public sealed class AdmissionGrain(VerificationMemo memo, RollupMetrics metrics) : Grain, IAdmissionGrain
{
    private ChainParameters? _chain;

    public async Task<AdmissionResult[]> Submit(byte[][] encodedTransactions)
    {
        // One result per input: a missing batch is no input, answered with no result rather than an exception.
        encodedTransactions ??= [];
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
        // Pure checks in parallel; the signature check goes through the per-silo memo.
        Parallel.For(0, encodedTransactions.Length, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, i =>
        {
            var bytes = encodedTransactions[i] ?? [];
            var reason = TransactionRules.CheckStateless(bytes, chain, out var tx, verifySignature: false);
            if (reason == AdmissionReason.Ok && !memo.VerifyTransaction(tx!)) reason = AdmissionReason.BadSignature;
            results[i] = new AdmissionResult(reason, tx?.Hash ?? default, 0);
            if (reason == AdmissionReason.Ok) decoded[i] = tx;
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
    }
}
