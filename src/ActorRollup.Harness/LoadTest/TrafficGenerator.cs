using System.Collections.Concurrent;
using System.Diagnostics;
using System.Threading.Channels;
using ActorRollup.Abstractions;
using ActorRollup.Core.Crypto;
using ActorRollup.Core.Primitives;
using ActorRollup.Core.Transactions;

namespace ActorRollup.Harness.LoadTest;

/// <summary>
/// The run's transfers, signed in bounded batches ahead of the offer (<see cref="LookaheadSigner"/>) and offered to a
/// chain's admission grain. Fair by construction: each worker owns a fixed slice of accounts and submits one batch at a
/// time (no tight loop can starve another); with a rate, each worker paces its own share. Transactions the mempool
/// refuses for back-pressure (MempoolFull, or a nonce gap that back-pressure caused) are offered again, first; any other
/// refusal is counted and dropped. A submit call that fails as a whole (it timed out, or the silo it went through died)
/// may still have admitted some of its transactions: they are offered again, and for them a Duplicate or NonceUsed
/// answer means the first offer got in (each account's nonces are signed once, so nothing else can hold the nonce) —
/// counted admitted once, so lost and duplicated stay exact. Every offered and admitted transaction is reported to the
/// <see cref="TxLedger"/> and every offer to the offered series; nothing per transaction is kept here.
/// </summary>
public sealed class TrafficGenerator
{
    private readonly IAdmissionGrain _admission;
    private readonly LookaheadSigner _signer;
    private readonly TxLedger _ledger;
    private readonly StampedSeries _offered;
    private readonly int _batchSize;
    private readonly double? _ratePerWorker;

    public long Offered;
    public long Admitted;
    public long Refused;
    public long FailedCalls;
    /// <summary>Transactions handed back to be offered again (back-pressure refusals and failed calls), each time.</summary>
    public long Reoffers;
    /// <summary>Transactions of failed calls that, offered again, turned out to have been admitted by the failed call.</summary>
    public long RecoveredAfterFailedCall;
    public readonly ConcurrentDictionary<AdmissionReason, long> RefusalReasons = new();
    private long _exhausted;

    /// <param name="offered">Per submit call: when it was sent (Unix ms) and how many of its transactions were offered
    /// for good (taken or refused, not handed back by back-pressure) — what offered tx/s over a window counts.</param>
    public TrafficGenerator(IAdmissionGrain admission, LookaheadSigner signer, TxLedger ledger, StampedSeries offered, int batchSize, int? rate)
    {
        _admission = admission;
        _signer = signer;
        _ledger = ledger;
        _offered = offered;
        _ratePerWorker = rate is null ? null : (double)rate / signer.Workers;
        // Paced workers send about 20 batches a second, so the offered rate is smooth rather than bursts of a full batch.
        _batchSize = _ratePerWorker is { } r ? Math.Clamp((int)Math.Ceiling(r / 20), 1, batchSize) : batchSize;
    }

    /// <summary>Every worker offered its whole supply of signed transactions before the window closed (the offered rate
    /// was capped by it).</summary>
    public bool Exhausted => Interlocked.Read(ref _exhausted) == _signer.Workers;

    public Task RunAsync(CancellationToken stop) => Task.WhenAll(Enumerable.Range(0, _signer.Workers).Select(w => Task.Run(() => Worker(w, stop))));

    private async Task Worker(int worker, CancellationToken stop)
    {
        var queue = _signer.Reader(worker);
        var retry = new List<Transaction>();
        var uncertain = new HashSet<Hash32>();
        bool drained = false;
        var clock = Stopwatch.StartNew();
        long sent = 0;
        while (!stop.IsCancellationRequested && (!drained || retry.Count > 0))
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
            while (batch.Count < _batchSize && queue.TryRead(out var next)) batch.Add(next);
            if (batch.Count == 0)
            {
                // The signer is behind (or done): wait for the next transaction rather than spin.
                try
                {
                    if (!await queue.WaitToReadAsync(stop)) drained = true;
                }
                catch (OperationCanceledException) { break; }
                continue;
            }
            var fresh = batch.Count;
            foreach (var t in batch) _ledger.Offer(t);
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
            if (fresh > outcome.Retried) _offered.Add(sentAtMs, fresh - outcome.Retried);
            if (outcome.Retried > 0)
            {
                Interlocked.Add(ref Reoffers, outcome.Retried);
                try { await Task.Delay(outcome.Failed ? 200 : 10, stop); } catch (OperationCanceledException) { break; }
            }
        }
        if (drained && retry.Count == 0) Interlocked.Increment(ref _exhausted); // ran out, not stopped
    }

    private readonly record struct AdmissionResultSummary(int Retried, bool Failed = false);

    private AdmissionResultSummary Tally(List<Transaction> batch, Abstractions.Messages.AdmissionResult[] results, List<Transaction> retry, HashSet<Hash32> uncertain)
    {
        int retried = 0, admitted = 0;
        for (int i = 0; i < batch.Count; i++)
        {
            var r = results[i];
            if (r.Admitted || (r.Reason is AdmissionReason.Duplicate or AdmissionReason.NonceUsed && uncertain.Contains(batch[i].Hash)))
            {
                if (!r.Admitted) Interlocked.Increment(ref RecoveredAfterFailedCall);
                admitted++;
                uncertain.Remove(batch[i].Hash);
                _ledger.Admit(batch[i].Hash);
                continue;
            }
            if (r.Reason is AdmissionReason.MempoolFull or AdmissionReason.NonceTooFarAhead)
            {
                retry.Add(batch[i]);
                retried++;
                continue;
            }
            uncertain.Remove(batch[i].Hash);
            _ledger.Refuse(batch[i].Hash);
            Interlocked.Increment(ref Refused);
            RefusalReasons.AddOrUpdate(r.Reason, 1, (_, n) => n + 1);
        }
        Interlocked.Add(ref Admitted, admitted);
        return new AdmissionResultSummary(retried);
    }
}

/// <summary>
/// Signs a run's transfers ahead of the offer, a bounded lookahead per worker: worker w owns accounts w, w + W, w + 2W, …
/// and its queue interleaves them round by round (round r is every account's nonce r), so each account's nonces come in
/// order and the whole sequence is fixed by the seed, as when everything was signed up front. <see cref="Prime"/> signs
/// the first batch (the run's "signing" phase); <see cref="Start"/> keeps every worker's queue topped up on background
/// tasks while the run goes. At most <see cref="Lookahead"/> signed transactions wait per worker. The keys are the run's
/// format's (<see cref="LoadTestKeys"/>); for eth the run sets the lookahead to each worker's whole supply, so
/// <see cref="Prime"/> signs everything and nothing is left to sign during the run.
/// </summary>
public sealed class LookaheadSigner : IDisposable
{
    private readonly LoadTestKeys _keys;
    private readonly ulong[] _prices;
    private readonly int _perAccount;
    private readonly Channel<Transaction>[] _queues;
    private readonly long[] _nextIndex;   // per worker: index of the next transaction to sign in its interleaved order
    private readonly int[][] _accounts;   // per worker: the accounts it owns
    private long _signed;
    private Task _background = Task.CompletedTask;
    private readonly CancellationTokenSource _stop = new();

    /// <param name="keys">The load-test accounts' keys, in the run's format (owned: disposed with the signer).</param>
    /// <param name="prices">Gas price per account.</param>
    /// <param name="perAccount">Nonces signed per account over the whole run (0..perAccount-1).</param>
    /// <param name="lookahead">Signed transactions kept waiting per worker, at least 1.</param>
    public LookaheadSigner(LoadTestKeys keys, ulong[] prices, int perAccount, int workers, int lookahead)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(workers, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(lookahead, 1);
        _keys = keys;
        _prices = prices;
        _perAccount = perAccount;
        Workers = workers;
        Lookahead = lookahead;
        _accounts = Enumerable.Range(0, workers).Select(w => Enumerable.Range(0, keys.Count).Where(a => a % workers == w).ToArray()).ToArray();
        _nextIndex = new long[workers];
        _queues = Enumerable.Range(0, workers)
            .Select(_ => Channel.CreateBounded<Transaction>(new BoundedChannelOptions(lookahead) { SingleReader = true, SingleWriter = true, FullMode = BoundedChannelFullMode.Wait }))
            .ToArray();
    }

    public int Workers { get; }
    public int Lookahead { get; }

    /// <summary>The accounts' addresses, by index.</summary>
    public IReadOnlyList<Address> Accounts => _keys.Addresses;

    /// <summary>Transactions the run will sign in all (every account's nonces 0..perAccount-1).</summary>
    public long Total => (long)_perAccount * _keys.Count;

    /// <summary>Transactions signed so far.</summary>
    public long Signed => Interlocked.Read(ref _signed);

    /// <summary>Worker <paramref name="worker"/>'s queue, in its order.</summary>
    public ChannelReader<Transaction> Reader(int worker) => _queues[worker].Reader;

    /// <summary>Fills every worker's queue to the lookahead (in parallel); returns how many were signed.</summary>
    public long Prime()
    {
        var before = Signed;
        Parallel.For(0, Workers, w =>
        {
            while (_queues[w].Reader.Count < Lookahead && SignNext(w) is { } tx)
                if (!_queues[w].Writer.TryWrite(tx)) throw new InvalidOperationException("lookahead queue full while priming");
            if (Remaining(w) == 0) _queues[w].Writer.TryComplete();
        });
        return Signed - before;
    }

    /// <summary>Starts the background signing: each worker's queue is topped up as the worker takes from it.</summary>
    public void Start()
    {
        _background = Task.WhenAll(Enumerable.Range(0, Workers).Select(w => Task.Run(() => Fill(w, _stop.Token))));
    }

    private long Remaining(int w) => (long)_accounts[w].Length * _perAccount - _nextIndex[w];

    private Transaction? SignNext(int w)
    {
        if (Remaining(w) <= 0) return null;
        var mine = _accounts[w];
        var index = _nextIndex[w]++;
        var account = mine[(int)(index % mine.Length)];
        var nonce = (ulong)(index / mine.Length);
        Interlocked.Increment(ref _signed);
        return Sign(account, nonce);
    }

    /// <summary>Account <paramref name="account"/>'s transfer with nonce <paramref name="nonce"/> (to the next account).</summary>
    public Transaction Sign(int account, ulong nonce) =>
        _keys.Transfer(account, _keys.Addresses[(account + 1) % _keys.Count], (UInt128)(1_000 + nonce), nonce, _prices[account]);

    private async Task Fill(int w, CancellationToken stop)
    {
        var writer = _queues[w].Writer;
        try
        {
            while (SignNext(w) is { } tx)
                await writer.WriteAsync(tx, stop);
            writer.TryComplete();
        }
        catch (Exception e) when (e is OperationCanceledException or ChannelClosedException)
        {
            writer.TryComplete();
        }
    }

    /// <summary>Stops the background signing and waits for it.</summary>
    public async Task StopAsync()
    {
        _stop.Cancel();
        foreach (var q in _queues) q.Writer.TryComplete();
        try { await _background; } catch (OperationCanceledException) { }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _stop.Dispose();
        _keys.Dispose();
    }
}
