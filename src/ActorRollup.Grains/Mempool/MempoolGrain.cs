using ActorRollup.Abstractions;
using ActorRollup.Abstractions.Config;
using ActorRollup.Abstractions.Messages;
using ActorRollup.Core.Blocks;
using ActorRollup.Core.Execution;
using ActorRollup.Core.Primitives;
using ActorRollup.Core.Transactions;
using ActorRollup.Grains.Infrastructure;
using ActorRollup.Abstractions.Security;
using ActorRollup.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orleans.Storage;

namespace ActorRollup.Grains.Mempool;

/// <summary>
/// The mempool of one chain (PROTOCOL.md §2, §7): stateful admission against the committed accounts (nonce not
/// used, balance covering every pending transaction of the sender), arrival sequence numbers, per-sender nonce
/// queues, capacity back-pressure, and the policy-ordered batches leaders build blocks from. Every admission batch
/// is written once as its own record before it is acknowledged, and kept until every transaction in it is committed
/// in a finalized block: a reactivated mempool recovers both what is pending and the admission records of what is
/// committed but could still be rolled back (validators check arrival order against them; a rollback re-queues
/// them). Nothing admitted is lost.
/// </summary>
[ChainPlacement]
public sealed class MempoolGrain : Grain, IMempoolGrain
{
    private const int RecentCommittedLimit = 1_000_000;

    private readonly IPersistentState<MempoolState> _state;
    private readonly TimeProvider _clock;
    private readonly RollupMetrics _metrics;
    private readonly VerificationMemo _memo;
    private readonly ILogger<MempoolGrain> _log;
    private ChainParameters? _rules;
    private RecordStore<AdmissionBatch> _batches = null!;
    private RecordStore<OrderCommitments> _orders = null!;
    private readonly Dictionary<ulong, OrderCommitment[]> _orderCache = [];  // encrypted: commitments of heights not yet final
    private readonly HashSet<Hash32> _revealed = [];                          // encrypted: pending transactions whose order is committed
    private ulong _ordersFromEarlierUpTo;                                     // heights an earlier activation may have committed orders at

    private sealed record Pending(Transaction Tx, ulong Sequence, long AdmittedAtMs, long BatchId);

    private readonly Dictionary<Hash32, Pending> _pending = [];
    private readonly Dictionary<ulong, Hash32> _bySequence = [];
    private SortedSet<(ulong Price, ulong Sequence)>? _queue;          // pending, in the chain's ordering-policy order
    private readonly Dictionary<Address, SortedDictionary<ulong, Hash32>> _bySender = [];
    private readonly Dictionary<Address, UInt128> _pendingCost = [];
    private readonly Dictionary<Address, UInt128> _pendingTokens = [];     // second-token inputs of pending swaps and token transfers
    private readonly Dictionary<Address, Account> _accounts = [];
    private readonly Dictionary<long, int> _batchLive = [];                 // pending transactions per batch
    private readonly Dictionary<long, ulong> _batchCommitHeight = [];        // highest commit height seen per batch
    private readonly Dictionary<long, ulong> _batchRetireAt = [];            // drained batches: dropped once this height is final
    private readonly Dictionary<Hash32, AdmissionRecord> _recentCommitted = [];
    private readonly Queue<Hash32> _recentOrder = new();
    // A pipelining leader's reservations (TakeBatch): the sequences its in-flight blocks hold, and per sender the nonce
    // after its last reserved transaction. In memory only, for the term that made them; bounded by the in-flight blocks.
    private readonly HashSet<ulong> _reserved = [];
    private readonly Dictionary<Address, ulong> _reservedNext = [];
    private ulong _reservedTerm;

    public MempoolGrain([PersistentState("mempool", StorageNames.Rollup)] IPersistentState<MempoolState> state,
        TimeProvider clock, RollupMetrics metrics, VerificationMemo memo, ILogger<MempoolGrain> log)
    {
        _state = state;
        _clock = clock;
        _metrics = metrics;
        _memo = memo;
        _log = log;
    }

    private string ChainId => this.GetPrimaryKeyString();
    private long NowMs => _clock.GetUtcNow().ToUnixTimeMilliseconds();

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var storage = ServiceProvider.GetRequiredKeyedService<IGrainStorage>(StorageNames.Rollup);
        _batches = new RecordStore<AdmissionBatch>(storage, this.GetGrainId());
        _orders = new RecordStore<OrderCommitments>(storage, this.GetGrainId());
        if (_state.State.Config is null) return;
        // Recovery: reload every live admission batch; transactions the chain has committed since are dropped.
        var loaded = new List<(AdmissionBatch Batch, long Id)>();
        foreach (var id in _state.State.LiveBatches.Order())
        {
            var batch = await _batches.ReadAsync(BatchKey(id));
            if (batch is not null) loaded.Add((batch, id));
        }
        var senders = loaded.SelectMany(b => b.Batch.Transactions).Select(t => t.Sender).Distinct().ToArray();
        await LoadAccounts(senders);
        var head = await GrainFactory.Chain(ChainId).GetHead();
        // A leader may have committed an order one height past the head, its block never appended.
        _ordersFromEarlierUpTo = head.Height + (ulong)Math.Max(1, Config.PipelineDepth);
        int committed = 0;
        foreach (var (batch, id) in loaded)
        {
            for (int i = 0; i < batch.Transactions.Length; i++)
            {
                var tx = batch.Transactions[i];
                if (tx.Nonce < _accounts[tx.Sender].Nonce)
                {
                    // Committed (at some height up to the head): its admission record is kept until that is final.
                    RememberCommitted(new AdmissionRecord(tx.Hash, batch.Sequences[i], batch.AdmittedAtMs[i]));
                    _batchCommitHeight[id] = head.Height;
                    committed++;
                    continue;
                }
                if (_pending.ContainsKey(tx.Hash)) continue; // re-queued after a rollback: the newer batch holds it too
                Add(new Pending(tx, batch.Sequences[i], batch.AdmittedAtMs[i], id));
            }
            if (!_batchLive.ContainsKey(id)) _batchRetireAt[id] = head.Height;
        }
        foreach (var id in _state.State.LiveBatches.Where(id => !loaded.Any(b => b.Id == id)).ToList()) _state.State.LiveBatches.Remove(id);
        await DropFinalBatches(head.FinalizedHeight);
        _log.LogInformation("mempool {Chain} recovered {Count} pending and {Committed} committed, not yet final transaction(s) from {Batches} batch record(s)",
            ChainId, _pending.Count, committed, loaded.Count);
        await base.OnActivateAsync(cancellationToken);
    }

    private static string BatchKey(long id) => $"batch-{id}";

    public async Task Initialize(ChainConfig config)
    {
        // Once initialized, nothing changes; before, only the chain's own genesis (written before the chain initializes
        // its mempool) is a source of configuration: the argument must merely agree on the chain.
        if (_state.State.Config is not null) return;
        var genesis = await GrainFactory.Chain(ChainId).GetGenesis();
        if (genesis is null || config?.ChainId != ChainId || genesis.Config.ChainId != ChainId)
        {
            _log.LogWarning("mempool {Chain}: Initialize ignored — {Why}", ChainId,
                genesis is null ? "the chain has no genesis" : "the configuration names another chain");
            return;
        }
        _state.State.Config = genesis.Config;
        await _state.WriteStateAsync();
    }

    private ChainConfig Config => _state.State.Config ?? throw new InvalidOperationException($"mempool {ChainId} not initialized");
    private ChainParameters Rules => _rules ??= Config.ToChainParameters();

    private static void Bound(string what, long count, long max)
    {
        if (count > max)
            throw new CallRefusedException(CallRefusal.ArgumentOutOfBounds, $"{what}: {count} is more than the bound of {max}");
    }
    private SortedSet<(ulong Price, ulong Sequence)> Queue => _queue ??= new(TxOrdering.Comparer(Config.Ordering));

    // ---------------------------------------------------------------- admission

    public async Task<AdmissionReason[]> Screen(Transaction[] transactions)
    {
        transactions ??= [];
        Bound("Screen transactions", transactions.Length, PipelineLimits.MaxSubmitBatch);
        var reasons = new AdmissionReason[transactions.Length];
        if (_state.State.Config is null)
        {
            Array.Fill(reasons, AdmissionReason.WrongChain);
            return reasons;
        }
        // Read only: senders the mempool has not cached are read from the chain for this look and not kept (an
        // interleaved read must not overwrite what a commit updated meanwhile).
        var unknown = transactions.Where(t => t is not null).Select(t => t.Sender).Where(a => !_accounts.ContainsKey(a)).Distinct().ToArray();
        var fetched = new Dictionary<Address, Account>();
        if (unknown.Length > 0)
        {
            var accounts = await GrainFactory.Chain(ChainId).GetAccounts(unknown);
            for (int i = 0; i < unknown.Length; i++) fetched[unknown[i]] = accounts[i];
        }
        var config = Config;
        for (int i = 0; i < transactions.Length; i++)
        {
            var tx = transactions[i];
            if (tx is null) { reasons[i] = AdmissionReason.BadEncoding; continue; }
            var account = _accounts.TryGetValue(tx.Sender, out var cached) ? cached : fetched.GetValueOrDefault(tx.Sender);
            reasons[i] = CheckState(tx, account, config);
        }
        return reasons;
    }

    public async Task<AdmissionResult[]> AdmitVerified(Transaction[] transactions)
    {
        transactions ??= [];
        Bound("AdmitVerified transactions", transactions.Length, PipelineLimits.MaxSubmitBatch);
        var results = new AdmissionResult[transactions.Length];
        if (_state.State.Config is null)
        {
            Array.Fill(results, new AdmissionResult(AdmissionReason.WrongChain, default, 0));
            return results;
        }
        var config = Config;
        var rules = Rules;
        // Defence in depth: every cheap rule again, then the signature — from this silo's verification memo (where
        // admission on this silo left its verdict: a lookup), verified here only when the memo does not know it.
        var reasons = new AdmissionReason[transactions.Length];
        for (int i = 0; i < transactions.Length; i++)
            reasons[i] = transactions[i] is null ? AdmissionReason.BadEncoding : TransactionRules.CheckStateless(transactions[i], rules, verifySignature: false);
        var unverified = new List<int>();
        for (int i = 0; i < transactions.Length; i++)
        {
            if (reasons[i] != AdmissionReason.Ok) continue;
            if (!_memo.TryRecallTransaction(transactions[i], out var verified)) unverified.Add(i);
            else if (!verified) reasons[i] = AdmissionReason.BadSignature;
        }
        if (unverified.Count > 0)
        {
            // Admission ran on another silo (or the memo was cleared since): verify here, in parallel.
            _memo.CountRechecks(unverified.Count);
            Parallel.ForEach(unverified, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, i =>
            {
                if (!_memo.VerifyTransaction(transactions[i])) reasons[i] = AdmissionReason.BadSignature;
            });
        }

        await LoadAccounts(transactions.Where((t, i) => reasons[i] == AdmissionReason.Ok).Select(t => t.Sender).Where(a => !_accounts.ContainsKey(a)).Distinct().ToArray());
        var now = NowMs;
        long batchId = _state.State.NextBatchId;
        var admitted = new List<Pending>();
        for (int i = 0; i < transactions.Length; i++)
        {
            var tx = transactions[i];
            var reason = reasons[i] != AdmissionReason.Ok ? reasons[i] : Check(tx, config);
            if (reason != AdmissionReason.Ok)
            {
                results[i] = new AdmissionResult(reason, tx?.Hash ?? default, 0);
                _state.State.Refused++;
                continue;
            }
            var pending = new Pending(tx, ++_state.State.NextSequence, now, batchId);
            Add(pending);
            admitted.Add(pending);
            results[i] = new AdmissionResult(AdmissionReason.Ok, tx.Hash, pending.Sequence);
        }
        if (admitted.Count > 0)
        {
            // Write-ahead: the batch record and the head record are durable before anyone hears "admitted".
            _state.State.Admitted += (ulong)admitted.Count;
            await WriteBatch(batchId, admitted);
            _metrics.TxAdmitted.Add(admitted.Count, new KeyValuePair<string, object?>("chain", ChainId));
        }
        await _state.WriteStateAsync();
        return results;
    }

    /// <summary>Writes one admission batch as its own record (written once) and registers it as live.</summary>
    private async Task WriteBatch(long batchId, List<Pending> batch)
    {
        _state.State.NextBatchId++;
        _state.State.LiveBatches.Add(batchId);
        await _batches.WriteAsync(BatchKey(batchId), new AdmissionBatch
        {
            Transactions = batch.Select(p => p.Tx).ToArray(),
            Sequences = batch.Select(p => p.Sequence).ToArray(),
            AdmittedAtMs = batch.Select(p => p.AdmittedAtMs).ToArray(),
        });
    }

    private AdmissionReason Check(Transaction tx, ChainConfig config) => CheckState(tx, _accounts[tx.Sender], config);

    /// <summary>The stateful checks against <paramref name="account"/>, the sender's committed account: duplicate,
    /// capacity, then the core's sender rules (nonce used or held, nonce window, balance covering every pending cost).</summary>
    private AdmissionReason CheckState(Transaction tx, Account account, ChainConfig config)
    {
        if (_pending.ContainsKey(tx.Hash) || _recentCommitted.ContainsKey(tx.Hash)) return AdmissionReason.Duplicate;
        if (_pending.Count >= config.MempoolCapacity) return AdmissionReason.MempoolFull;
        bool held = _bySender.TryGetValue(tx.Sender, out var queue) && queue.ContainsKey(tx.Nonce);
        return TransactionRules.CheckSender(tx, account, held, _pendingCost.GetValueOrDefault(tx.Sender), config.MaxNonceGap,
            _pendingTokens.GetValueOrDefault(tx.Sender));
    }

    private async Task LoadAccounts(Address[] addresses)
    {
        if (addresses.Length == 0) return;
        var accounts = await GrainFactory.Chain(ChainId).GetAccounts(addresses);
        for (int i = 0; i < addresses.Length; i++) _accounts[addresses[i]] = accounts[i];
    }

    private void Add(Pending p)
    {
        var tx = p.Tx;
        _pending[tx.Hash] = p;
        _bySequence[p.Sequence] = tx.Hash;
        Queue.Add((TxOrdering.PriorityPrice(tx, Rules.BaseFeePerGas), p.Sequence));
        if (!_bySender.TryGetValue(tx.Sender, out var queue)) _bySender[tx.Sender] = queue = [];
        queue[tx.Nonce] = tx.Hash;
        var (native, tokens) = TransactionRules.CostOf(tx);
        _pendingCost[tx.Sender] = _pendingCost.GetValueOrDefault(tx.Sender) + native;
        if (tokens > 0) _pendingTokens[tx.Sender] = _pendingTokens.GetValueOrDefault(tx.Sender) + tokens;
        _batchLive[p.BatchId] = _batchLive.GetValueOrDefault(p.BatchId) + 1;
        _metrics.MempoolSize.Add(1, new KeyValuePair<string, object?>("chain", ChainId));
    }

    private Pending? Remove(Hash32 hash)
    {
        if (!_pending.Remove(hash, out var p)) return null;
        _revealed.Remove(hash);
        var tx = p.Tx;
        // Its sender's last reserved transaction leaves: the committed account nonce takes over.
        if (_reserved.Remove(p.Sequence) && _reservedNext.TryGetValue(tx.Sender, out var next) && next == tx.Nonce + 1) _reservedNext.Remove(tx.Sender);
        _bySequence.Remove(p.Sequence);
        Queue.Remove((TxOrdering.PriorityPrice(tx, Rules.BaseFeePerGas), p.Sequence));
        if (_bySender.TryGetValue(tx.Sender, out var queue))
        {
            queue.Remove(tx.Nonce);
            if (queue.Count == 0) _bySender.Remove(tx.Sender);
        }
        var (native, tokens) = TransactionRules.CostOf(tx);
        var cost = _pendingCost[tx.Sender] - native;
        if (cost == 0) _pendingCost.Remove(tx.Sender); else _pendingCost[tx.Sender] = cost;
        if (tokens > 0)
        {
            var held = _pendingTokens[tx.Sender] - tokens;
            if (held == 0) _pendingTokens.Remove(tx.Sender); else _pendingTokens[tx.Sender] = held;
        }
        if ((_batchLive[p.BatchId] -= 1) == 0) _batchLive.Remove(p.BatchId);
        _metrics.MempoolSize.Add(-1, new KeyValuePair<string, object?>("chain", ChainId));
        return p;
    }

    // ---------------------------------------------------------------- block building

    public Task<PendingBatch> TakeBatch(int max, string? excludedSender = null, ulong term = 0, bool extend = false)
    {
        if (max < 0) throw new CallRefusedException(CallRefusal.ArgumentOutOfBounds, $"TakeBatch: max {max} is negative");
        if (_state.State.Config is null) return Task.FromResult(new PendingBatch([], []));
        var taken = Select(max, excludedSender, term, extend);
        return Task.FromResult(new PendingBatch(taken.Select(p => p.Tx).ToArray(), taken.Select(p => p.Sequence).ToArray()));
    }

    public Task<SealedBatch> TakeSealedBatch(int max, string? excludedSender = null, ulong term = 0, bool extend = false)
    {
        if (max < 0) throw new CallRefusedException(CallRefusal.ArgumentOutOfBounds, $"TakeSealedBatch: max {max} is negative");
        if (_state.State.Config is null) return Task.FromResult(new SealedBatch([], []));
        RequireEncrypted("TakeSealedBatch");
        var taken = Select(max, excludedSender, term, extend);
        return Task.FromResult(new SealedBatch(taken.Select(p => p.Tx.Hash).ToArray(), taken.Select(p => p.Sequence).ToArray()));
    }

    /// <summary>The next batch in policy order (TakeBatch's selection): executable transactions only (each sender's
    /// nonces without a gap), after those reserved for the term's blocks in flight when <paramref name="extend"/>.</summary>
    private List<Pending> Select(int max, string? excludedSender, ulong term, bool extend)
    {
        // Reservations: a fresh take (or a newer term's) releases them; an older term's take neither uses nor makes any.
        bool reserve = term > 0 && term >= _reservedTerm;
        if (reserve && (!extend || term > _reservedTerm)) ReleaseReservations();
        if (reserve) _reservedTerm = term;
        bool skipReserved = reserve && extend;
        max = Math.Min(max, Config.MaxTxPerBlock); // clamped: no block holds more
        Address? excluded = excludedSender is not null && Address.TryParse(excludedSender, out var parsed) ? parsed : null;
        var taken = new List<Pending>(Math.Min(max, _pending.Count));
        var nextNonce = new Dictionary<Address, ulong>();
        // The core's ordering policy: the queue is sorted by TxOrdering's comparison for the chain's policy.
        foreach (var (_, sequence) in Queue)
        {
            if (taken.Count >= max) break;
            if (skipReserved && _reserved.Contains(sequence)) continue; // in a block still being attested
            var p = _pending[_bySequence[sequence]];
            var tx = p.Tx;
            if (excluded is { } x && tx.Sender == x) continue;
            if (!nextNonce.TryGetValue(tx.Sender, out var expected))
                expected = skipReserved && _reservedNext.TryGetValue(tx.Sender, out var after) ? after
                    : _accounts.TryGetValue(tx.Sender, out var a) ? a.Nonce : 0;
            if (tx.Nonce != expected) continue; // a gap: it waits for the missing nonce
            nextNonce[tx.Sender] = expected + 1;
            taken.Add(p);
        }
        if (reserve)
        {
            foreach (var p in taken) _reserved.Add(p.Sequence);
            foreach (var (sender, next) in nextNonce) _reservedNext[sender] = next;
        }
        return taken;
    }

    private void RequireEncrypted(string method)
    {
        if (Config.Ordering != OrderingPolicy.Encrypted)
            throw new CallRefusedException(CallRefusal.ArgumentOutOfBounds,
                $"{method}: chain {ChainId} orders {OrderingPolicies.Name(Config.Ordering)}, not encrypted");
    }

    // ---------------------------------------------------------------- order commitments (encrypted policy)

    public async Task<PendingBatch> CommitOrder(ulong height, ulong term, Hash32[] order)
    {
        ArgumentNullException.ThrowIfNull(order);
        if (_state.State.Config is null) return new PendingBatch([], []);
        RequireEncrypted("CommitOrder");
        if (height == 0) throw new CallRefusedException(CallRefusal.ArgumentOutOfBounds, "CommitOrder: height 0 is genesis");
        if (EncryptedOrder.CheckCommitment(order, Config.MaxTxPerBlock) is { } bad)
            throw new CallRefusedException(CallRefusal.ArgumentOutOfBounds, "CommitOrder: " + bad);
        var commitments = await CommitmentsAt(height, forWrite: true);
        var commitment = commitments.FirstOrDefault(c => c.Term == term);
        if (commitment is null)
        {
            // Durable before anything is revealed: the commitment is what the validators hold the block to.
            commitment = new OrderCommitment(height, term, order, NowMs);
            var all = commitments.Append(commitment).ToArray();
            await _orders.WriteAsync(OrderKey(height), new OrderCommitments { ByTerm = all });
            _orderCache[height] = all;
        }
        var txs = new List<Transaction>(commitment.Order.Length);
        var seqs = new List<ulong>(commitment.Order.Length);
        foreach (var hash in commitment.Order)
        {
            if (!_pending.TryGetValue(hash, out var p)) continue; // committed meanwhile, or never admitted: nothing to reveal
            txs.Add(p.Tx);
            seqs.Add(p.Sequence);
            _revealed.Add(hash);
        }
        return new PendingBatch(txs.ToArray(), seqs.ToArray());
    }

    public async Task<OrderCommitment[]> GetOrderCommitment(ulong height)
    {
        if (_state.State.Config is null || height == 0 || height <= _state.State.OrdersClearedThrough) return [];
        return await CommitmentsAt(height, forWrite: false);
    }

    private static string OrderKey(ulong height) => $"order-{height}";

    private async Task<OrderCommitment[]> CommitmentsAt(ulong height, bool forWrite)
    {
        if (_orderCache.TryGetValue(height, out var cached)) return cached;
        var record = await _orders.ReadAsync(OrderKey(height), forWrite);
        var found = record?.ByTerm ?? [];
        if (forWrite || found.Length > 0) _orderCache[height] = found;
        return found;
    }

    /// <summary>Clears the order commitments of heights now final: those this activation knows, and every height an
    /// earlier activation may have left one at (up to the head it started from).</summary>
    private async Task ClearFinalOrders(ulong finalizedHeight)
    {
        var cleared = _state.State.OrdersClearedThrough;
        if (finalizedHeight <= cleared || (_orderCache.Count == 0 && _ordersFromEarlierUpTo <= cleared)) return;
        var heights = _orderCache.Keys.Where(h => h <= finalizedHeight).ToList();
        for (var h = cleared + 1; h <= Math.Min(finalizedHeight, _ordersFromEarlierUpTo); h++)
            if (!_orderCache.ContainsKey(h)) heights.Add(h);
        foreach (var h in heights)
        {
            if (_orderCache.TryGetValue(h, out var c)) foreach (var o in c) foreach (var hash in o.Order) _revealed.Remove(hash);
            await _orders.ClearAsync(OrderKey(h));
            _orderCache.Remove(h);
        }
        _state.State.OrdersClearedThrough = finalizedHeight;
    }

    private void ReleaseReservations()
    {
        _reserved.Clear();
        _reservedNext.Clear();
    }

    // ---------------------------------------------------------------- commits and rollbacks

    public async Task OnCommitted(CommitNotice notice)
    {
        ArgumentNullException.ThrowIfNull(notice);
        Bound("OnCommitted transactions", notice.Committed?.Length ?? 0, PipelineLimits.MaxBlockTransactions);
        Bound("OnCommitted touched accounts", notice.TouchedAddresses?.Length ?? 0, 2L * PipelineLimits.MaxBlockTransactions + 1);
        if (notice.Committed is null || notice.TouchedAddresses is null || notice.TouchedAccounts is null || notice.TouchedAddresses.Length != notice.TouchedAccounts.Length)
            throw new CallRefusedException(CallRefusal.ArgumentOutOfBounds, "OnCommitted: the touched addresses and accounts differ in length");
        foreach (var hash in notice.Committed)
        {
            var p = Remove(hash);
            if (p is null) continue;
            RememberCommitted(new AdmissionRecord(p.Tx.Hash, p.Sequence, p.AdmittedAtMs));
            _batchCommitHeight[p.BatchId] = Math.Max(_batchCommitHeight.GetValueOrDefault(p.BatchId), notice.Height);
            if (!_batchLive.ContainsKey(p.BatchId)) _batchRetireAt[p.BatchId] = _batchCommitHeight[p.BatchId];
        }
        _state.State.Committed += (ulong)notice.Committed.Length;
        for (int i = 0; i < notice.TouchedAddresses.Length; i++) _accounts[notice.TouchedAddresses[i]] = notice.TouchedAccounts[i];
        await DropFinalBatches(notice.FinalizedHeight);
    }

    private void RememberCommitted(AdmissionRecord record)
    {
        _recentCommitted[record.Hash] = record with { Committed = true };
        _recentOrder.Enqueue(record.Hash);
        while (_recentOrder.Count > RecentCommittedLimit) _recentCommitted.Remove(_recentOrder.Dequeue());
    }

    /// <summary>Drops the records of batches with nothing pending whose every transaction is in a finalized block
    /// (beyond any rollback): the head record first, so a batch it names always exists.</summary>
    private async Task DropFinalBatches(ulong finalizedHeight)
    {
        var ordersCleared = _state.State.OrdersClearedThrough;
        await ClearFinalOrders(finalizedHeight);
        var final = _batchRetireAt.Where(kv => kv.Value <= finalizedHeight && !_batchLive.ContainsKey(kv.Key)).Select(kv => kv.Key).ToList();
        if (final.Count == 0)
        {
            if (_state.State.OrdersClearedThrough != ordersCleared) await _state.WriteStateAsync();
            return;
        }
        foreach (var id in final)
        {
            _state.State.LiveBatches.Remove(id);
            _batchRetireAt.Remove(id);
            _batchCommitHeight.Remove(id);
        }
        await _state.WriteStateAsync();
        foreach (var id in final) await _batches.ClearAsync(BatchKey(id));
    }

    public async Task<int> Requeue(BlockEntry[] entries, Account[] restoredAccounts, Address[] restoredAddresses)
    {
        entries ??= [];
        Bound("Requeue entries", entries.Length, PipelineLimits.MaxRequeueEntries);
        Bound("Requeue addresses", restoredAddresses?.Length ?? 0, entries.Length);
        if (_state.State.Config is null || entries.Any(e => e?.Transaction is null)) return 0;
        ReleaseReservations(); // a rollback: the nonces reserved ahead of the old head no longer hold
        // The restored accounts come from the chain itself (its head is already the rolled-back state; GetAccounts
        // interleaves with the rollback waiting on this call), not from the arguments: the senders and every cached
        // recipient of the deleted blocks, whose cached balances included the deleted blocks too.
        var refresh = entries.Select(e => e.Transaction.Sender)
            .Concat(entries.Select(e => e.Transaction.Recipient).Where(_accounts.ContainsKey)).Distinct().ToArray();
        await LoadAccounts(refresh);
        var rules = Rules;
        var now = NowMs;
        long batchId = _state.State.NextBatchId;
        var back = new List<Pending>();
        int dropped = 0;
        foreach (var entry in entries.OrderBy(e => e.ArrivalSequence))
        {
            var tx = entry.Transaction;
            if (_pending.ContainsKey(tx.Hash)) continue;
            // Only what was admitted comes back: a transaction the proposer inserted itself was never in line.
            if (!_recentCommitted.Remove(tx.Hash, out var record)) continue;
            if (tx.Nonce < _accounts.GetValueOrDefault(tx.Sender).Nonce) continue; // impossible on the restored state
            // Never a transaction the stateless rules or its signature convict (off the hot path: only what comes back is
            // verified, through the memo): a forged transaction that reached a block cannot loop through rollbacks.
            if (TransactionRules.CheckStateless(tx, rules, verifySignature: false) != AdmissionReason.Ok || !_memo.VerifyTransaction(tx))
            {
                dropped++;
                continue;
            }
            // Original arrival sequence: the re-queued transactions keep their place in line.
            var p = new Pending(tx, entry.ArrivalSequence, record.AdmittedAtMs != 0 ? record.AdmittedAtMs : now, batchId);
            Add(p);
            back.Add(p);
        }
        if (back.Count > 0)
        {
            _state.State.Requeued += (ulong)back.Count;
            await WriteBatch(batchId, back);
            await _state.WriteStateAsync();
        }
        if (dropped > 0) _log.LogWarning("mempool {Chain}: {Dropped} transaction(s) of the rolled-back blocks fail the stateless rules or their signature: not re-queued", ChainId, dropped);
        _log.LogInformation("mempool {Chain}: re-queued {Count} transaction(s) after a rollback", ChainId, back.Count);
        return back.Count;
    }

    // ---------------------------------------------------------------- queries

    public Task<AdmissionRecord[]> GetAdmissions(Hash32[] hashes)
    {
        hashes ??= [];
        Bound("GetAdmissions hashes", hashes.Length, PipelineLimits.MaxBlockTransactions);
        return Task.FromResult(hashes.Select(h =>
            _pending.TryGetValue(h, out var p) ? new AdmissionRecord(h, p.Sequence, p.AdmittedAtMs)
            : _recentCommitted.TryGetValue(h, out var r) ? r
            : new AdmissionRecord(h, 0, 0)).ToArray());
    }

    public async Task<ulong> GetPendingNonce(Address sender)
    {
        if (_state.State.Config is null) return 0;
        // Every sender with a pending transaction is cached (admission loads its account first); one that is not has
        // none pending: its committed nonce, read from the chain and not kept (as Screen does).
        var nonce = _accounts.TryGetValue(sender, out var account) ? account.Nonce : (await GrainFactory.Chain(ChainId).GetAccounts([sender]))[0].Nonce;
        if (_bySender.TryGetValue(sender, out var queue))
            while (queue.ContainsKey(nonce)) nonce++;
        return nonce;
    }

    public Task<PendingView> ViewPending(int max)
    {
        if (max < 1 || max > PipelineLimits.MaxViewPending)
            throw new CallRefusedException(CallRefusal.ArgumentOutOfBounds, $"ViewPending: max {max} is outside 1..{PipelineLimits.MaxViewPending}");
        if (_state.State.Config is null) return Task.FromResult(new PendingView([], 0, false));
        if (Config.Ordering == OrderingPolicy.Encrypted) return Task.FromResult(new PendingView([], _pending.Count, true));
        var visible = new List<BlockEntry>(Math.Min(max, _pending.Count));
        foreach (var (_, sequence) in Queue)
        {
            if (visible.Count >= max) break;
            visible.Add(new BlockEntry(_pending[_bySequence[sequence]].Tx, sequence));
        }
        return Task.FromResult(new PendingView(visible.ToArray(), _pending.Count, false));
    }

    public Task<BlockEntry?> GetPendingTransaction(Hash32 hash) =>
        Task.FromResult(_pending.TryGetValue(hash, out var p) && !IsSealed(hash) ? new BlockEntry(p.Tx, p.Sequence) : null);

    /// <summary>Under the encrypted policy a pending transaction's contents stay sealed until its order is committed.</summary>
    private bool IsSealed(Hash32 hash) => _state.State.Config is { Ordering: OrderingPolicy.Encrypted } && !_revealed.Contains(hash);

    public Task<MempoolStats> GetStats()
    {
        // Stuck: executable now (nonce equals the account's) yet waiting longer than 20 block intervals.
        var threshold = NowMs - 20L * (_state.State.Config?.BlockIntervalMs ?? 250);
        var stuck = _pending.Values
            .Where(p => p.AdmittedAtMs < threshold && _accounts.TryGetValue(p.Tx.Sender, out var a) && a.Nonce == p.Tx.Nonce)
            .ToList();
        var s = _state.State;
        return Task.FromResult(new MempoolStats(_pending.Count, s.Config?.MempoolCapacity ?? 0, s.Admitted, s.Refused, s.Committed, s.Requeued,
            stuck.Count, stuck.Select(p => p.Tx.Sender.ToString()).Distinct().Take(10).ToArray()));
    }
}
