using System.Collections.Concurrent;
using System.Diagnostics;
using ActorRollup.Abstractions;
using ActorRollup.Core.Primitives;
using ActorRollup.Core.Transactions;

namespace ActorRollup.Harness.LoadTest;

/// <summary>
/// Offers pre-signed transfers to a chain's admission grain. Fair by construction: each worker owns a fixed slice
/// of accounts and submits one batch at a time (no tight loop can starve another); with a rate, each worker paces
/// its own share. Transactions the mempool refuses for back-pressure (MempoolFull, or a nonce gap that back-pressure
/// caused) are offered again, first; any other refusal is counted and dropped. A submit call that fails as a whole
/// (it timed out, or the silo it went through died) may still have admitted some of its transactions: they are offered
/// again, and for them a Duplicate or NonceUsed answer means the first offer got in (each account's nonces are signed
/// once, so nothing else can hold the nonce) — counted admitted once, so lost and duplicated stay exact.
/// </summary>
public sealed class TrafficGenerator
{
    private readonly IAdmissionGrain _admission;
    private readonly Transaction[][] _byWorker;
    private readonly int _batchSize;
    private readonly double? _ratePerWorker;

    public long Offered;
    public long Admitted;
    public long Refused;
    public long FailedCalls;
    /// <summary>Transactions of failed calls that, offered again, turned out to have been admitted by the failed call.</summary>
    public long RecoveredAfterFailedCall;
    public readonly ConcurrentDictionary<AdmissionReason, long> RefusalReasons = new();
    public readonly ConcurrentBag<(Hash32 Hash, long AtMs)> AdmittedLog = [];
    /// <summary>Per submit call: when it was sent (Unix ms) and how many of its transactions were offered for good
    /// (taken or refused, not handed back by back-pressure) — what offered tx/s over a window counts.</summary>
    public readonly ConcurrentQueue<(long AtMs, long Count)> OfferLog = new();
    private long _exhausted;

    public TrafficGenerator(IAdmissionGrain admission, IReadOnlyList<Transaction[]> perAccount, int workers, int batchSize, int? rate)
    {
        _admission = admission;
        _ratePerWorker = rate is null ? null : (double)rate / workers;
        // Paced workers send about 20 batches a second, so the offered rate is smooth rather than bursts of a full batch.
        _batchSize = _ratePerWorker is { } r ? Math.Clamp((int)Math.Ceiling(r / 20), 1, batchSize) : batchSize;
        // Worker w owns accounts w, w + W, w + 2W, ...; its queue interleaves them round by round, nonces in order.
        _byWorker = Enumerable.Range(0, workers).Select(w =>
        {
            var mine = perAccount.Where((_, i) => i % workers == w).ToArray();
            var rounds = mine.Length == 0 ? 0 : mine.Max(a => a.Length);
            var queue = new List<Transaction>();
            for (int r = 0; r < rounds; r++)
                foreach (var account in mine)
                    if (r < account.Length) queue.Add(account[r]);
            return queue.ToArray();
        }).ToArray();
    }

    /// <summary>Every worker offered its whole pre-signed queue before the window closed (the offered rate was capped by it).</summary>
    public bool Exhausted => Interlocked.Read(ref _exhausted) == _byWorker.Length;

    public Task RunAsync(CancellationToken stop) => Task.WhenAll(_byWorker.Select((queue, w) => Task.Run(() => Worker(queue, stop))));

    private async Task Worker(Transaction[] queue, CancellationToken stop)
    {
        var retry = new List<Transaction>();
        var uncertain = new HashSet<Hash32>();
        int next = 0;
        var clock = Stopwatch.StartNew();
        long sent = 0;
        while (!stop.IsCancellationRequested && (next < queue.Length || retry.Count > 0))
        {
            if (_ratePerWorker is { } rate)
            {
                var due = TimeSpan.FromSeconds(sent / rate);
                var wait = due - clock.Elapsed;
                if (wait > TimeSpan.Zero)
                {
                    try { await Task.Delay(wait, stop); } catch (OperationCanceledException) { break; }
                }
            }
            var batch = new List<Transaction>(_batchSize);
            batch.AddRange(retry);
            retry.Clear();
            while (batch.Count < _batchSize && next < queue.Length) batch.Add(queue[next++]);
            var fresh = batch.Count;
            var sentAtMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            AdmissionResultSummary outcome;
            try
            {
                var results = await _admission.Submit(batch.Select(t => t.Encoded).ToArray());
                outcome = Tally(batch, results, retry, uncertain);
            }
            catch (Exception e) when (e is TimeoutException or OrleansException)
            {
                // The call failed as a whole: some of the batch may have been admitted all the same. Offer it again.
                Interlocked.Increment(ref FailedCalls);
                foreach (var t in batch) uncertain.Add(t.Hash);
                retry.AddRange(batch);
                outcome = new AdmissionResultSummary(batch.Count, Failed: true);
            }
            sent += fresh - outcome.Retried;
            Interlocked.Add(ref Offered, fresh - outcome.Retried);
            if (fresh > outcome.Retried) OfferLog.Enqueue((sentAtMs, fresh - outcome.Retried));
            if (outcome.Retried > 0)
            {
                try { await Task.Delay(outcome.Failed ? 200 : 10, stop); } catch (OperationCanceledException) { break; }
            }
        }
        if (next >= queue.Length && retry.Count == 0) Interlocked.Increment(ref _exhausted); // ran out, not stopped
    }

    private readonly record struct AdmissionResultSummary(int Retried, bool Failed = false);

    private AdmissionResultSummary Tally(List<Transaction> batch, Abstractions.Messages.AdmissionResult[] results, List<Transaction> retry, HashSet<Hash32> uncertain)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        int retried = 0, admitted = 0;
        for (int i = 0; i < batch.Count; i++)
        {
            var r = results[i];
            if (r.Admitted || (r.Reason is AdmissionReason.Duplicate or AdmissionReason.NonceUsed && uncertain.Contains(batch[i].Hash)))
            {
                if (!r.Admitted) Interlocked.Increment(ref RecoveredAfterFailedCall);
                admitted++;
                uncertain.Remove(batch[i].Hash);
                AdmittedLog.Add((batch[i].Hash, now));
                continue;
            }
            if (r.Reason is AdmissionReason.MempoolFull or AdmissionReason.NonceTooFarAhead)
            {
                retry.Add(batch[i]);
                retried++;
                continue;
            }
            uncertain.Remove(batch[i].Hash);
            Interlocked.Increment(ref Refused);
            RefusalReasons.AddOrUpdate(r.Reason, 1, (_, n) => n + 1);
        }
        Interlocked.Add(ref Admitted, admitted);
        return new AdmissionResultSummary(retried);
    }
}
