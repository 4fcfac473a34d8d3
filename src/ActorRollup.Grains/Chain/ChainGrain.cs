using ActorRollup.Abstractions;
using ActorRollup.Abstractions.Config;
using ActorRollup.Abstractions.Messages;
using ActorRollup.Abstractions.Security;
using ActorRollup.Core.Blocks;
using ActorRollup.Core.Execution;
using ActorRollup.Core.Primitives;
using ActorRollup.Core.Staking;
using ActorRollup.Core.State;
using ActorRollup.Grains.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orleans.Storage;

namespace ActorRollup.Grains.Chain;

/// <summary>
/// The ledger (PROTOCOL.md §1, §4, §8). Appends the current term's leader's blocks when they carry a quorum
/// certificate, keeps the state they produce (honest execution: the header's root is the leader's claim, which
/// validators check), tracks validated and finalized heights, and turns successful challenges into rollbacks.
/// </summary>
[ChainPlacement]
public sealed partial class ChainGrain : Grain, IChainGrain
{
    /// <summary>The lookup index's bounds (docs/ARCHITECTURE.md §5): the most recent transactions and heights it maps.</summary>
    public const int TxIndexLimit = 2_000_000;
    public const int BlockIndexLimit = 250_000;
    private static readonly TimeSpan VoteTimeout = TimeSpan.FromSeconds(3);

    private readonly IPersistentState<ChainState> _state;
    private readonly TimeProvider _clock;
    private readonly VerificationMemo _memo;
    private readonly ExecutionMemo _execution;
    private readonly RollupMetrics _metrics;
    private readonly NetworkLeaders _leaders;
    private readonly ILogger<ChainGrain> _log;
    private RecordStore<BlockRecord> _blocks = null!;
    private RecordStore<StateCheckpoint> _checkpoints = null!;
    private const string CheckpointKey = "checkpoint";

    // Derived, in memory: rebuilt from the records on activation.
    private StateTree _head = StateTree.Empty;
    private readonly Dictionary<ulong, StateTree> _stateAt = [];       // heights >= finalized (rollback targets)
    private readonly Dictionary<ulong, BlockRecord> _recent = [];      // heights > finalized - margin
    private readonly LookupIndex _lookup = new(TxIndexLimit, BlockIndexLimit);
    private readonly Dictionary<ulong, HashSet<string>> _validations = []; // kept empty: reports count per validator (below)
    /// <summary>Each validator's highest signed report (height, block hash): a validator re-executes in height order, so
    /// a sound report at h covers every height up to h. Bounded by the number of validators, however long they are away.</summary>
    private readonly Dictionary<string, (ulong Height, Hash32 Hash)> _validatedUpTo = new(StringComparer.Ordinal);
    /// <summary>Odd while finalization is crediting pools: <see cref="AuditSupply"/> retries across it (a seqlock).</summary>
    private long _finalizeVersion;
    /// <summary>Set between an append's last check and its commit: a new term waits for it instead of slipping in.</summary>
    private Task? _committing;
    private readonly Dictionary<ulong, long> _validatedAt = [];
    private readonly Dictionary<ulong, long> _finalizedAt = [];
    private long _txSinceLog;

    public ChainGrain(
        [PersistentState("chain", StorageNames.Rollup)] IPersistentState<ChainState> state,
        TimeProvider clock, VerificationMemo memo, ExecutionMemo execution, RollupMetrics metrics, NetworkLeaders leaders, ILogger<ChainGrain> log)
    {
        _leaders = leaders;
        _state = state;
        _clock = clock;
        _memo = memo;
        _execution = execution;
        _metrics = metrics;
        _log = log;
    }

    private string ChainId => this.GetPrimaryKeyString();
    private ChainGenesis Genesis => _state.State.Genesis ?? throw new InvalidOperationException("chain not bootstrapped");
    private ChainConfig Config => Genesis.Config;
    private long NowMs => _clock.GetUtcNow().ToUnixTimeMilliseconds();

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var storage = ServiceProvider.GetRequiredKeyedService<IGrainStorage>(StorageNames.Rollup);
        _blocks = new RecordStore<BlockRecord>(storage, this.GetGrainId());
        _checkpoints = new RecordStore<StateCheckpoint>(storage, this.GetGrainId());
        if (_state.State.Genesis is null) return;
        if (_state.State.Term is { } term) _leaders.Set(ChainId, term.LeaderId, term.Term);
        // Rebuild the state from the last checkpoint (or genesis) by replaying the recorded diffs of the blocks after
        // it (no re-execution needed).
        var state = GenesisBuilder.BuildState(_state.State.Genesis);
        _stateAt[0] = state;
        ulong from = 1;
        if (await _checkpoints.ReadAsync(CheckpointKey) is { } checkpoint && checkpoint.Height <= _state.State.Height)
        {
            state = checkpoint.ToState()
                ?? throw new InvalidOperationException($"chain {ChainId}: the checkpoint at height {checkpoint.Height} does not match its root");
            _stateAt[checkpoint.Height] = state;
            from = checkpoint.Height + 1;
        }
        for (ulong h = from; h <= _state.State.Height; h++)
        {
            // With pruning on, the version tag is kept: the record will be deleted once it leaves the retention window.
            var record = await _blocks.ReadAsync(BlockKey(h), forWrite: Config.HistoryRetentionBlocks > 0) ?? throw new InvalidOperationException($"chain {ChainId}: block record {h} is missing");
            state = Apply(state, h, record);
        }
        _head = state;
        _timesFrom = Math.Max(_state.State.PrunedHeight + 1, SaturatingSub(_state.State.FinalizedHeight, TimesKept)); // none kept yet
        await RollForward();
        StartClearing(); // what an earlier activation named pruned but had not deleted yet
        StartBackfill(); // the lookup index of the retained blocks at or below the checkpoint (not replayed)
        await base.OnActivateAsync(cancellationToken);
    }

    private StateTree Apply(StateTree state, ulong height, BlockRecord record)
    {
        state = state.SetMany(record.TouchedAddresses.Zip(record.TouchedAccounts, (a, acc) => new KeyValuePair<Address, Account>(a, acc)));
        if (height + 1 >= _state.State.FinalizedHeight) _stateAt[height] = state;
        if (height + 64 > _state.State.FinalizedHeight) _recent[height] = record;
        IndexTransactions(height, record);
        return state;
    }

    /// <summary>
    /// The block record is the commit point: an activation that died after writing a block's record but before its
    /// head record left a committed block the head does not name yet (the mempool may already have let its
    /// transactions go). Such blocks — each the child of the head, not rolled back — are taken into the head; the
    /// others (what a rollback left behind) are deleted. The rest of the commit (mempool, rotation, settlement)
    /// follows on a timer once the activation is done.
    /// </summary>
    private async Task RollForward()
    {
        var s = _state.State;
        var forward = new List<BlockRecord>();
        for (ulong h = s.Height + 1; ; h++)
        {
            var record = await _blocks.ReadAsync(BlockKey(h));
            if (record is null) break;
            if ((ulong)forward.Count == h - s.Height - 1 && record.Block.Header.ParentHash == (forward.Count > 0 ? forward[^1].Block.Hash : s.HeadHash)
                && !s.RolledBackHashes.Contains(record.Block.Hash))
            {
                forward.Add(record);
                continue;
            }
            await _blocks.ClearAsync(BlockKey(h));
        }
        if (forward.Count == 0) return;
        foreach (var record in forward)
        {
            var height = record.Block.Header.Height;
            _head = Apply(_head, height, record);
            s.Height = height;
            s.HeadHash = record.Block.Hash;
        }
        await _state.WriteStateAsync();
        _log.LogWarning("chain {Chain}: rolled forward {Count} block(s) committed by an earlier activation; head {Height}", ChainId, forward.Count, s.Height);
        IGrainTimer? timer = null;
        timer = this.RegisterGrainTimer(async _ =>
        {
            try
            {
                foreach (var record in forward) await CompleteCommit(record);
                timer?.Dispose();
            }
            catch (Exception e)
            {
                _log.LogWarning(e, "chain {Chain}: completing rolled-forward commits failed; retrying", ChainId);
            }
        }, new GrainTimerCreationOptions { DueTime = TimeSpan.Zero, Period = TimeSpan.FromSeconds(1) });
    }

    private static string BlockKey(ulong height) => $"block-{height}";

    // ---------------------------------------------------------------- bootstrap

    public async Task<AppendResult> Bootstrap(ChainGenesis genesis)
    {
        if (_state.State.Genesis is not null) return new(ChainReason.AlreadyBootstrapped, _state.State.Height, _state.State.HeadHash);
        if (genesis.Config.ChainId != ChainId) return new(ChainReason.WrongChain, 0, default, $"genesis is for '{genesis.Config.ChainId}'");
        var errors = genesis.Validate();
        if (errors.Count > 0) return new(ChainReason.InvalidGenesis, 0, default, string.Join("; ", errors));
        // The members' keys derive from the secret seed; what is stored as the genesis (and returned by GetGenesis) is
        // the public view, with the seed kept apart.
        var (published, keyError) = GenesisKeys.Publish(genesis);
        if (published is null) return new(ChainReason.InvalidGenesis, 0, default, keyError);
        var nodeKeySeed = genesis.NodeKeySeed!;
        genesis = published;

        var state = GenesisBuilder.BuildState(genesis);
        var header = GenesisBuilder.Header(genesis, state.Root);
        _head = state;
        _stateAt[0] = state;
        _state.State.Genesis = genesis;
        _state.State.NodeKeySeed = nodeKeySeed;
        _state.State.GenesisHash = header.Hash;
        _state.State.HeadHash = header.Hash;
        _state.State.ValidatorBonds = genesis.Validators.ToDictionary(v => v.Id, v => v.BondTokens);
        await _state.WriteStateAsync();

        var config = genesis.Config;
        // Setting a chain up is not traffic of the modelled deployment: with a WAN model its hundreds of sequential
        // registration calls would take minutes for a large committee (docs/NETWORK.md).
        using var unmodelled = NetworkFilter.Unmodelled();
        await GrainFactory.Mempool(ChainId).Initialize(config);
        await GrainFactory.Settlement(ChainId).Initialize(config);
        await Task.WhenAll(genesis.Validators.Select(v =>
            GrainFactory.Validator(ChainId, v.Id).Initialize(config, genesis, Token.FromTokens(v.BondTokens), GenesisKeys.ValidatorSeed(nodeKeySeed, ChainId, v.Id))));

        // Genesis sequencers register through the real path: the owner's staker grain locks the self-stake.
        var standings = new List<StandingUpdate>();
        foreach (var s in genesis.Sequencers)
        {
            using var owner = GenesisKeys.SequencerOwner(nodeKeySeed, ChainId, s.Id);
            var signerSeed = GenesisKeys.SequencerSignerSeed(nodeKeySeed, ChainId, s.Id);
            using var signer = Core.Crypto.SigningKey.FromSeed(signerSeed);
            var stake = Token.FromTokens(s.StakeTokens);
            var staker = GrainFactory.Staker(ChainId, owner.Address);
            await staker.Fund(config, checked(stake + Token.FromTokens(genesis.OwnerL1Tokens)));
            var action = StakeAction.Create(owner, ChainId, StakeActionKind.RegisterSequencer, s.Id, stake, 0, signer.PublicKey);
            var result = await staker.Execute(action, signerSeed);
            if (!result.Ok) throw new InvalidOperationException($"genesis registration of {s.Id} failed: {result.Reason} {result.Detail}");
            standings.Add(await GrainFactory.Sequencer(ChainId, s.Id).ActivateAtGenesis());
        }
        await GrainFactory.Rotation(ChainId).Initialize(config, standings.ToArray(), 0);
        await RecordInRegistry(genesis);
        _log.LogInformation("chain {Chain} bootstrapped: genesis {Hash}, {Accounts} accounts, {Sequencers} sequencers, {Validators} validators",
            ChainId, header.Hash.ToHex()[..12], state.Count, genesis.Sequencers.Length, genesis.Validators.Length);
        return new(ChainReason.Ok, 0, header.Hash);
    }

    /// <summary>Lists the new chain in the cluster's registry (what `rollup status` shows as recent chains). The listing is
    /// informational: a failure to write it is logged and does not undo the bootstrap.</summary>
    private async Task RecordInRegistry(ChainGenesis genesis)
    {
        try
        {
            await GrainFactory.ChainRegistryGrain().Record(new ChainEntry(ChainId, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(),
                genesis.Config.CommitteeSize, genesis.Sequencers.Length, genesis.Validators.Length));
        }
        catch (Exception e) when (e is OrleansException or TimeoutException)
        {
            _log.LogWarning("chain {Chain} is not listed in the chain registry: {Error}", ChainId, e.Message);
        }
    }

    // ---------------------------------------------------------------- leadership

    /// <summary>A pushed term is installed only as rotation recorded it: the chain asks rotation for that term (an
    /// interleaving query) and refuses one rotation does not hold or that differs from its record in any field.</summary>
    public async Task SetLeadership(LeadershipTerm term)
    {
        var current = _state.State.Term;
        if (current is not null && term.Term <= current.Term) return;
        var recorded = await GrainFactory.Rotation(ChainId).GetAppointedTerm(term.Term);
        if (recorded is null || !SameTerm(recorded, term))
        {
            _metrics.Refused(ChainId, "term", CallRefusal.ContradictsRecord);
            _log.LogWarning("chain {Chain}: refused term {Term} (leader {Leader}): rotation holds no such term", ChainId, term.Term, term.LeaderId);
            throw new CallRefusedException(CallRefusal.ContradictsRecord, $"term {term.Term} is not a term rotation appointed");
        }
        await InstallTerm(recorded);
    }

    /// <summary>Installs a term that came from rotation itself; waits for an append between its last check and its commit.</summary>
    private async Task InstallTerm(LeadershipTerm term)
    {
        while (_committing is { } committing) await committing;
        var current = _state.State.Term;
        if (current is null || term.Term > current.Term)
        {
            _state.State.Term = term;
            _leaders.Set(ChainId, term.LeaderId, term.Term); // the network model places the chain-wide grains with the leader
        }
        // Persisted with the next block or challenge; a reactivated chain asks rotation for the current term.
    }

    private static bool SameTerm(LeadershipTerm a, LeadershipTerm b) =>
        a.ChainId == b.ChainId && a.Epoch == b.Epoch && a.Term == b.Term && a.LeaderId == b.LeaderId && a.FirstHeight == b.FirstHeight
        && a.LastHeight == b.LastHeight && a.Committee.Length == b.Committee.Length
        && a.Committee.Zip(b.Committee).All(p => p.First.Id == p.Second.Id && p.First.Power == p.Second.Power && p.First.PublicKey.AsSpan().SequenceEqual(p.Second.PublicKey));

    // ---------------------------------------------------------------- append

    /// <summary>
    /// Appends the current term's leader's certified block, in the four steps of CometBFT's ApplyBlock: validate (the
    /// core's block rules against the head and the term), execute (honestly, on the head's state), persist (the block
    /// record, then the mempool lets go, then the head in memory), notify (rotation, settlement, the head record,
    /// validators). A refused block changes nothing.
    /// </summary>
    public async Task<AppendResult> AppendBlock(Block block, QuorumCertificate certificate)
    {
        var received = NowMs;
        var (refusal, quorum) = await ValidateBlock(block, certificate);
        if (refusal is not null) return refusal;
        var executed = ExecuteBlock(block);
        var (record, late) = await PersistBlock(block, certificate, quorum, executed, received);
        if (late is not null) return late;
        await NotifyBlock(record!, executed.Committed.Length);
        return new AppendResult(ChainReason.Ok, block.Header.Height, block.Header.Hash);
    }

    /// <summary>The chain's own preconditions (a genesis, this chain, the current term), then
    /// <see cref="BlockRules.Validate"/> against the head and the term: the refusal, or null and the certificate's count.</summary>
    private async Task<(AppendResult? Refusal, QuorumCheck Quorum)> ValidateBlock(Block block, QuorumCertificate certificate)
    {
        var s = _state.State;
        var header = block.Header;
        if (s.Genesis is null) return (Refuse(header, ChainReason.NotBootstrapped, "the chain has no genesis"), default);
        // Another chain's block is refused as such before any term is looked up (Validate repeats this string compare).
        var check = BlockRules.CheckChain(header, ChainId);
        if (!check.Ok) return (Refuse(header, ChainReasons.Of(check.Fault), check.Detail), default);
        var term = s.Term ?? await RefreshTerm();
        // A block from a newer term than the chain knows: the chain missed a hand-over (e.g. it was reactivated).
        if (term is not null && header.Term > term.Term) term = await RefreshTerm();
        if (term is null) return (Refuse(header, ChainReason.StaleTerm, "no leadership term yet"), default);
        if (header.Term != term.Term) return (Refuse(header, ChainReason.StaleTerm, $"block term {header.Term}, current term {term.Term}"), default);
        // Authority before position (the order BlockRules.Validate keeps): a forged block is refused as forged, whatever height it names.
        check = BlockRules.Validate(block, certificate, new BlockPosition(ChainId, s.Height + 1, s.HeadHash), term.Span, new Committee(term.Committee),
            new Core.Scheduling.Epochs(Config.EpochLength), _memo.Verifier, out var quorum);
        return check.Ok ? (null, quorum) : (Refuse(header, ChainReasons.Of(check.Fault), check.Detail), default);
    }

    private AppendResult Refuse(BlockHeader header, ChainReason reason, string detail)
    {
        _metrics.Refused(ChainId, "block", reason.ToString());
        return new AppendResult(reason, header.Height, header.Hash, detail);
    }

    /// <summary>What a block did to the head's state, and the hashes of the transactions it included.</summary>
    private readonly record struct BlockExecution(ExecutionResult Result, Address[] Addresses, Account[] Accounts, Hash32[] Committed);

    /// <summary>Honest execution: the chain's state is what the transactions do, whatever root the leader claims.</summary>
    private BlockExecution ExecuteBlock(Block block)
    {
        var result = _execution.Execute(_head, block, Config.ToChainParameters());
        var diff = DiffOf(result);
        var committed = block.Entries.Where((_, i) => result.Receipts[i].Included).Select(e => e.Transaction.Hash).ToArray();
        return new BlockExecution(result, diff.Addresses, diff.Accounts, committed);
    }

    /// <summary>
    /// The block record is the commit point, and it is durable before the mempool lets go of the block's transactions:
    /// nothing admitted can fall between. Then the head moves in memory (the head record follows in <see cref="NotifyBlock"/>).
    /// </summary>
    private async Task<(BlockRecord? Record, AppendResult? Refusal)> PersistBlock(Block block, QuorumCertificate certificate, QuorumCheck quorum, BlockExecution executed, long receivedAtMs)
    {
        var s = _state.State;
        var header = block.Header;
        var now = NowMs;
        var mempool = GrainFactory.Mempool(ChainId);
        var admittedAt = (await mempool.GetAdmissions(executed.Committed)).Select(a => a.AdmittedAtMs).ToArray();
        var record = new BlockRecord
        {
            Block = block,
            Certificate = certificate,
            CommittedAtMs = now,
            TouchedAddresses = executed.Addresses,
            TouchedAccounts = executed.Accounts,
            SignedPower = quorum.SignedPower,
            CommitteePower = quorum.TotalPower,
            Fees = executed.Result.TotalFees,
            AdmittedAtMs = AlignAdmissions(block, executed.Result, admittedAt),
            AppendReceivedAtMs = receivedAtMs,
            Outcomes = BlockRecord.OutcomesOf(executed.Result),
        };
        // Re-checked after the await above (a new term, a rollback or another commit may have interleaved): a block
        // from a term replaced meanwhile is refused here, before the commit point, and a new term waits for the commit.
        if (s.Term is not { } term || term.Term != header.Term) return (null, Refuse(header, ChainReason.StaleTerm, $"term {header.Term} was replaced while the block was being appended"));
        if (s.Height + 1 != header.Height || s.HeadHash != header.ParentHash) return (null, Refuse(header, ChainReason.WrongParent, "the head moved while the block was being appended"));
        var commit = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _committing = commit.Task;
        try
        {
            await _blocks.WriteAsync(BlockKey(header.Height), record);
            _head = executed.Result.PostState;
            _stateAt[header.Height] = _head;
            _recent[header.Height] = record;
            s.Height = header.Height;
            s.HeadHash = header.Hash;
        }
        finally
        {
            _committing = null;
            commit.SetResult();
        }
        // Indexed before the mempool hears of the commit: a transaction the mempool counts as committed is always found
        // in the index while its block is retained (GetTxStatus reads an unindexed committed one as pruned).
        IndexTransactions(header.Height, record);
        await mempool.OnCommitted(new CommitNotice(header.Height, executed.Committed, executed.Addresses, executed.Accounts, now, s.FinalizedHeight));
        RecordSoftConfirmLatency(record);
        _metrics.Blocks.Add(1, new KeyValuePair<string, object?>("chain", ChainId));
        _metrics.TxCommitted.Add(executed.Committed.Length, new KeyValuePair<string, object?>("chain", ChainId));
        return (record, null);
    }

    /// <summary>Rotation, settlement and the head record (<see cref="NotifyCommitted"/>), then the validators.</summary>
    private async Task NotifyBlock(BlockRecord record, int committedCount)
    {
        var s = _state.State;
        var header = record.Block.Header;
        await NotifyCommitted(header, record.CommittedAtMs);

        _txSinceLog += committedCount;
        if (header.Height % (ulong)Config.BatchSize == 0)
        {
            _log.LogInformation("chain {Chain}: height {Height} epoch {Epoch} term {Term} leader {Leader}: {Tx} tx in the last {Blocks} blocks; validated {Validated}, finalized {Finalized}",
                ChainId, header.Height, header.Epoch, header.Term, header.ProposerId, _txSinceLog, Config.BatchSize, s.ValidatedHeight, s.FinalizedHeight);
            _txSinceLog = 0;
        }

        var delivery = new CommittedBlock(record.Block, record.Certificate, record.CommittedAtMs);
        foreach (var v in Genesis.Validators) _ = GrainFactory.Validator(ChainId, v.Id).OnBlockCommitted(delivery);
    }

    /// <summary>Rotation, settlement (finality, which credits rewards), then the head record.</summary>
    private async Task NotifyCommitted(BlockHeader header, long now)
    {
        // A lost notice is not fatal: rotation's watch reads the head and catches epochs up from it.
        LeadershipTerm? newTerm = null;
        try
        {
            newTerm = await GrainFactory.Rotation(ChainId).OnBlockCommitted(header.Height, header.Term, header.ProposerId, now);
        }
        catch (Exception e) when (e is TimeoutException or OrleansException)
        {
            _log.LogWarning("chain {Chain}: rotation's notice of block {Height} was lost ({Error}); rotation catches up from the head", ChainId, header.Height, e.Message);
        }
        if (newTerm is not null) await InstallTerm(newTerm);
        // Finality is L1-side bookkeeping (the settlement layer's clock and the reward credits it triggers), not a message
        // a deployment's sequencer waits for on every block: outside the network model (docs/NETWORK.md).
        using (NetworkFilter.Unmodelled())
        {
            var finalized = await GrainFactory.Settlement(ChainId).OnHead(header.Height, now);
            await MarkFinalized(finalized, now);
        }
        await _state.WriteStateAsync();
        StartClearing();
    }

    /// <summary>The rest of a rolled-forward commit: each step tolerates being repeated.</summary>
    private async Task CompleteCommit(BlockRecord record)
    {
        var header = record.Block.Header;
        if (header.Height > _state.State.Height || _recent.GetValueOrDefault(header.Height)?.Block.Hash != record.Block.Hash) return; // rolled back since
        // Which transactions the block included: execution on the parent's state is deterministic (and memoized).
        var result = _execution.Execute(_stateAt[header.Height - 1], record.Block, Config.ToChainParameters());
        var committed = record.Block.Entries.Where((_, i) => result.Receipts[i].Included).Select(e => e.Transaction.Hash).ToArray();
        await GrainFactory.Mempool(ChainId).OnCommitted(new CommitNotice(header.Height, committed, record.TouchedAddresses, record.TouchedAccounts,
            record.CommittedAtMs, _state.State.FinalizedHeight));
        await NotifyCommitted(header, NowMs);
        var delivery = new CommittedBlock(record.Block, record.Certificate, record.CommittedAtMs);
        foreach (var v in Genesis.Validators) _ = GrainFactory.Validator(ChainId, v.Id).OnBlockCommitted(delivery);
    }

    private static (Address[] Addresses, Account[] Accounts) DiffOf(ExecutionResult result)
    {
        // The post-state values of every account the block touched, in key order (deterministic).
        var touched = result.TouchedAddresses;
        return (touched.ToArray(), touched.Select(a => result.PostState.Get(a)).ToArray());
    }

    private static long[] AlignAdmissions(Block block, ExecutionResult result, long[] admittedAtOfCommitted)
    {
        var times = new long[block.Entries.Count];
        int j = 0;
        for (int i = 0; i < times.Length; i++)
            if (result.Receipts[i].Included && j < admittedAtOfCommitted.Length) times[i] = admittedAtOfCommitted[j++];
        return times;
    }

    private async Task<LeadershipTerm?> RefreshTerm()
    {
        var term = await GrainFactory.Rotation(ChainId).GetCurrent();
        if (term is not null) await InstallTerm(term);
        return _state.State.Term;
    }

    /// <summary>The block's hash and the transactions it included join the lookup index (a failed entry changed nothing:
    /// it is not found as committed).</summary>
    private void IndexTransactions(ulong height, BlockRecord record) => _lookup.Add(height, record.Block, record.Included);

    private void RecordSoftConfirmLatency(BlockRecord record)
    {
        var tag = new KeyValuePair<string, object?>("chain", ChainId);
        foreach (var admitted in record.AdmittedAtMs)
            if (admitted > 0) _metrics.SoftConfirmLatency.Record(record.CommittedAtMs - admitted, tag);
    }

    // ---------------------------------------------------------------- validation and finality

    /// <summary>
    /// A validator's signed report that the block <paramref name="blockHash"/> at <paramref name="height"/> is sound
    /// (<see cref="ValidationReport"/>, checked against the validator's key): a report that does not verify, or names a
    /// hash that is not the chain's block at that height, changes nothing. Validated height: the highest height that
    /// validators holding more than 2/3 of the bond have reported up to (each re-executes in order).
    /// </summary>
    public Task ReportValidated(string validatorId, ulong height, Hash32 blockHash, byte[] signature)
    {
        var s = _state.State;
        if (s.Genesis is null || validatorId is null || !s.ValidatorBonds.ContainsKey(validatorId)) return Task.CompletedTask;
        if (height <= s.ValidatedHeight || height > s.Height) return Task.CompletedTask;
        if (!_recent.TryGetValue(height, out var record) || record.Block.Hash != blockHash) return Task.CompletedTask;
        if (_validatedUpTo.TryGetValue(validatorId, out var known) && known.Height >= height && StillCanonical(known)) return Task.CompletedTask;
        if (!ValidationReport.Verify(ValidatorPublicKey(validatorId), ChainId, height, blockHash, signature ?? []))
        {
            _metrics.Refused(ChainId, "validation-report", CallRefusal.ContradictsRecord);
            return Task.CompletedTask;
        }
        _validatedUpTo[validatorId] = (height, blockHash);

        // The bond-weighted > 2/3 point of the validators' reported heights (reports on a rolled-back branch do not count).
        ulong total = s.ValidatorBonds.Values.Aggregate(0UL, (a, b) => a + b);
        decimal signed = 0;
        ulong reached = 0;
        foreach (var (id, upTo) in _validatedUpTo.Where(kv => StillCanonical(kv.Value)).OrderByDescending(kv => kv.Value.Height).Select(kv => (kv.Key, kv.Value)))
        {
            signed += s.ValidatorBonds.GetValueOrDefault(id);
            if (3 * signed > 2 * (decimal)total) { reached = upTo.Height; break; }
        }
        var now = NowMs;
        var tag = new KeyValuePair<string, object?>("chain", ChainId);
        while (s.ValidatedHeight < Math.Min(reached, s.Height))
        {
            s.ValidatedHeight++;
            _validatedAt[s.ValidatedHeight] = now;
            if (_recent.TryGetValue(s.ValidatedHeight, out var validated))
                foreach (var admitted in validated.AdmittedAtMs)
                    if (admitted > 0) _metrics.ValidatedLatency.Record(now - admitted, tag);
        }
        return Task.CompletedTask;
    }

    /// <summary>A report names a block still on the chain (heights no longer cached are final, never rolled back).</summary>
    private bool StillCanonical((ulong Height, Hash32 Hash) report) =>
        report.Height <= _state.State.Height && (_recent.TryGetValue(report.Height, out var r) ? r.Block.Hash == report.Hash : report.Height <= _state.State.FinalizedHeight);

    /// <summary>A validator's published public key (empty when the genesis names no such validator: no signature verifies).</summary>
    private byte[] ValidatorPublicKey(string validatorId) => Genesis.Validator(validatorId)?.PublicKey ?? [];

    /// <summary>
    /// Every <c>CheckpointInterval</c> finalized blocks, the state at the height below the finalized one (the lowest
    /// height any rollback could return to) is written whole; the head record names it with the next write.
    /// </summary>
    private async Task WriteCheckpointIfDue()
    {
        var s = _state.State;
        if (s.FinalizedHeight < 1) return;
        var height = s.FinalizedHeight - 1;
        if (height < s.CheckpointHeight + Config.CheckpointInterval || !_stateAt.TryGetValue(height, out var state)) return;
        if (await ReadRecord(height) is not { } record) return;
        await _checkpoints.WriteAsync(CheckpointKey, StateCheckpoint.Of(height, record.Block.Hash, state));
        s.CheckpointHeight = height;
    }

    /// <summary>
    /// Blocks up to <paramref name="finalized"/> are final: their proposers' pools are credited the block reward (minted)
    /// and the fees — at finality, so a rolled-back block never pays — and their rollback states are dropped.
    /// </summary>
    private async Task MarkFinalized(ulong finalized, long now)
    {
        var s = _state.State;
        if (finalized <= s.FinalizedHeight) return;
        _finalizeVersion++; // odd: pools are being credited
        try
        {
            await CreditFinalized(finalized, now);
        }
        finally
        {
            _finalizeVersion++;
        }
    }

    private async Task CreditFinalized(ulong finalized, long now)
    {
        var s = _state.State;
        var tag = new KeyValuePair<string, object?>("chain", ChainId);
        for (ulong h = s.FinalizedHeight + 1; h <= finalized; h++)
        {
            _finalizedAt[h] = now;
            var record = await ReadRecord(h);
            if (record is null) continue;
            foreach (var admitted in record.AdmittedAtMs)
                if (admitted > 0) _metrics.FinalizedLatency.Record(now - admitted, tag);
            await GrainFactory.Sequencer(ChainId, record.Block.Header.ProposerId).CreditBlockReward(h, record.Fees);
        }
        // A final record is never written again; with pruning on its tag is kept until the record is deleted.
        if (Config.HistoryRetentionBlocks == 0)
            for (ulong h = s.FinalizedHeight + 1; h <= finalized; h++) _blocks.Forget(BlockKey(h));
        s.FinalizedHeight = finalized;
        await WriteCheckpointIfDue();
        AdvancePruning();
        // Finalized blocks can never be rolled back: drop their rollback states and cached records.
        foreach (var h in _stateAt.Keys.Where(h => h + 1 < finalized).ToList()) _stateAt.Remove(h);
        foreach (var h in _recent.Keys.Where(h => h + 64 <= finalized).ToList()) _recent.Remove(h);
    }
}
