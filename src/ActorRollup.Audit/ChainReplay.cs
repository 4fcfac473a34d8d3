using ActorRollup.Abstractions;
using ActorRollup.Abstractions.Config;
using ActorRollup.Abstractions.Messages;
using ActorRollup.Core.Blocks;
using ActorRollup.Core.Execution;
using ActorRollup.Core.Primitives;
using ActorRollup.Core.Scheduling;
using ActorRollup.Core.State;

namespace ActorRollup.Audit;

/// <summary>
/// What the cluster tells an audit about leadership: the committee of each epoch it still holds (rotation keeps the
/// recent ones) and the recorded leadership terms (a bounded, consecutive history). Filled by <see cref="ChainAuditor"/>
/// from the grains, or by hand in tests; <see cref="ChainReplay"/> only reads it.
/// </summary>
public sealed class AuditHistory
{
    public Dictionary<ulong, CommitteeSeat[]> Committees { get; } = [];
    public SortedDictionary<ulong, TermInfo> Terms { get; } = [];

    /// <summary>Replaces the term history with <paramref name="terms"/>, keeping older terms already known (the
    /// rotation's history only drops the oldest, so what was seen once stays true).</summary>
    public void MergeTerms(IEnumerable<TermInfo> terms)
    {
        foreach (var t in terms) Terms[t.Term] = t;
    }
}

/// <summary>The live facts an audit compares the replay with at the end: the head, the chain's supply audit, its
/// rollback records and every sequencer pool's minted and fee totals.</summary>
public sealed record LiveChainState(ChainHead Head, SupplyAudit Supply, RollbackRecord[] Rollbacks, IReadOnlyDictionary<string, PoolSupply> Pools);

/// <summary>
/// An independent replay of a chain from genesis (PROTOCOL.md §2–§8), with nothing but the pure protocol code:
/// blocks are applied one at a time in height order (<see cref="Apply"/>) and each is judged — height, chain, parent
/// link, epoch, term and leader, proposer signature, quorum certificate against the epoch's committee, transaction
/// root, fee recipient, ordering policy and the state root by the core's <see cref="BlockRules"/> and
/// <see cref="TxOrdering"/> (what the chain and the validators call too); transaction signatures, duplicates and
/// execution with nonce order by the audit itself — carrying the honestly executed state forward as the chain does.
/// <see cref="FinishEpochs"/> checks each
/// epoch's committee and leader succession against the schedule algorithm; <see cref="CheckLive"/> compares the
/// result with the chain's head, supply audit, rollback records and reward pools. Deterministic; violations are
/// collected, never thrown.
/// </summary>
public sealed class ChainReplay
{
    /// <summary>Violations kept in the report (every one is counted).</summary>
    public const int ViolationLimit = 1_000;

    private readonly ChainGenesis _genesis;
    private readonly ChainConfig _config;
    private readonly AuditHistory _history;
    private readonly Dictionary<string, byte[]> _genesisKeys = new(StringComparer.Ordinal);
    private readonly CommitteeSeat[] _genesisCommittee;
    private readonly UInt128 _genesisL2;
    /// <summary>Blocks whose transaction hashes the duplicate check remembers; an older transaction committed again uses a
    /// nonce its sender already used, so execution reports it (NonceOrder) instead — a violation either way.</summary>
    public const int DuplicateWindowBlocks = 256;

    private readonly HashSet<Hash32> _seen = [];
    private readonly Queue<Hash32[]> _seenByBlock = new();
    private readonly List<Hash32> _roots = [];            // index = height - _settled; [0] = the settled height's root
    private readonly List<(string Proposer, UInt128 Fees)> _blocks = [];  // index = height - _settled - 1
    /// <summary>Heights folded into <see cref="_settledPools"/> (final: they are never replaced).</summary>
    private ulong _settled;
    private readonly Dictionary<string, (ulong Blocks, UInt128 Fees)> _settledPools = new(StringComparer.Ordinal);
    /// <summary>Roots of settled heights a rollback record names (its restored parent).</summary>
    private readonly Dictionary<ulong, Hash32> _keptRoots = [];
    private readonly Dictionary<ulong, Committee?> _committeeCache = [];
    private readonly SortedSet<ulong> _uncheckedCertificateEpochs = [];
    private readonly SortedSet<ulong> _uncheckedTermBlocks = [];
    private readonly SortedSet<ulong> _uncheckedScheduleEpochs = [];
    private readonly HashSet<ulong> _termsSeen = [];
    private readonly List<AuditViolation> _violations = [];
    private string? _termHistoryNote;
    private StateTree _state;
    private Hash32 _headHash;
    private ulong _lastTerm;
    private ulong _maxEpoch;
    private UInt128 _totalFees;
    private readonly UInt128 _genesisTkn;

    public ChainReplay(ChainGenesis genesis, AuditHistory history)
    {
        _genesis = genesis;
        _config = genesis.Config;
        _history = history;
        _state = GenesisBuilder.BuildState(genesis);
        _genesisL2 = Core.Execution.Genesis.TotalBalance(_state);
        _genesisTkn = Core.Execution.Genesis.TotalTokens(_state);
        _headHash = GenesisBuilder.Header(genesis, _state.Root).Hash;
        _roots.Add(_state.Root);
        // Genesis signer keys come from the published genesis (the public view): the audit never derives a member key.
        foreach (var s in genesis.Sequencers)
        {
            if (s.SignerPublicKey is { Length: Core.Crypto.Ed25519.PublicKeySize } key) _genesisKeys[s.Id] = key;
            else Add(0, AuditReason.CommitteeMismatch, $"the genesis publishes no signer public key for {s.Id}");
        }
        // Epoch 1's committee follows from the genesis alone: every genesis sequencer is active with its genesis stake.
        _genesisCommittee = CommitteeSelector
            .Select(genesis.Sequencers.Select(s => new SequencerStanding(s.Id, Token.FromTokens(s.StakeTokens), true)), _config.CommitteeSize)
            .Select(m => new CommitteeSeat(m.Id, _genesisKeys.GetValueOrDefault(m.Id) ?? [], m.Power))
            .ToArray();
    }

    public ulong Height => _settled + (ulong)_blocks.Count;
    public Hash32 HeadHash => _headHash;
    public StateTree State => _state;
    public long Transactions { get; private set; }
    public int Certificates { get; private set; }
    public int ViolationCount { get; private set; }
    public IReadOnlyList<AuditViolation> Violations => _violations;
    public UInt128 GenesisSupply =>
        _genesisL2
        + _genesis.Sequencers.Aggregate(UInt128.Zero, (sum, s) => sum + Token.FromTokens(s.StakeTokens) + Token.FromTokens(_genesis.OwnerL1Tokens))
        + _genesis.Validators.Aggregate(UInt128.Zero, (sum, v) => sum + Token.FromTokens(v.BondTokens));

    private Epochs Epochs => new(_config.EpochLength);

    /// <summary>Records a failed block-rule check under its audit reason; a sound one adds nothing.</summary>
    private void Add(ulong height, BlockCheck check)
    {
        if (!check.Ok) Add(height, AuditReasons.Of(check.Fault), check.Detail);
    }

    private void Add(ulong height, AuditReason reason, string detail)
    {
        ViolationCount++;
        if (_violations.Count < ViolationLimit) _violations.Add(new AuditViolation(height, reason, detail));
    }

    /// <summary>The committee of <paramref name="epoch"/>: the one rotation holds, else for epoch 1 the genesis one;
    /// null when unknown. A malformed committee is reported once and treated as unknown.</summary>
    private Committee? CommitteeOf(ulong epoch)
    {
        if (_committeeCache.TryGetValue(epoch, out var cached)) return cached;
        CommitteeSeat[]? seats = _history.Committees.TryGetValue(epoch, out var known) && known.Length > 0 ? known
            : epoch == 1 ? _genesisCommittee : null;
        if (seats is null) return null; // not cached: a later history refresh may bring it
        Committee? committee;
        try
        {
            committee = new Committee(seats);
        }
        catch (Exception e) when (e is ArgumentException or OverflowException)
        {
            Add(Epochs.FirstHeight(epoch), AuditReason.CommitteeMismatch, $"committee of epoch {epoch} is malformed: {e.Message}");
            committee = null;
        }
        if (committee is not null) CheckCommittee(epoch, seats);
        _committeeCache[epoch] = committee;
        return committee;
    }

    private void CheckCommittee(ulong epoch, CommitteeSeat[] seats)
    {
        var at = Epochs.FirstHeight(epoch);
        if (seats.Length > _config.CommitteeSize)
            Add(at, AuditReason.CommitteeMismatch, $"committee of epoch {epoch} has {seats.Length} members, more than Chain:CommitteeSize {_config.CommitteeSize}");
        foreach (var seat in seats)
            if (_genesisKeys.TryGetValue(seat.Id, out var key) && !key.AsSpan().SequenceEqual(seat.PublicKey))
                Add(at, AuditReason.CommitteeMismatch, $"committee of epoch {epoch} gives genesis sequencer {seat.Id} a key that is not its genesis signer key");
        if (epoch != 1) return;
        var expected = _genesisCommittee.ToDictionary(s => s.Id, StringComparer.Ordinal);
        var same = seats.Length == expected.Count && seats.All(s => expected.TryGetValue(s.Id, out var e) && e.Power == s.Power);
        if (!same)
            Add(at, AuditReason.CommitteeMismatch,
                $"committee of epoch 1 is [{string.Join(", ", seats.Select(s => $"{s.Id}:{s.Power}"))}], the genesis gives [{string.Join(", ", _genesisCommittee.Select(s => $"{s.Id}:{s.Power}"))}]");
    }

    /// <summary>Judges the next block (height <see cref="Height"/> + 1) and applies it to the replayed state.</summary>
    public void Apply(CommittedBlock committed)
    {
        ArgumentNullException.ThrowIfNull(committed);
        var block = committed.Block;
        var header = block.Header;
        var h = Height + 1;

        // The core's block rules, each fault reported (the chain refuses at the first).
        Add(h, BlockRules.CheckHeight(header, h));
        Add(h, BlockRules.CheckChain(header, _config.ChainId));
        Add(h, BlockRules.CheckParent(header, _headHash));
        Add(h, BlockRules.CheckEpoch(header, h, Epochs));
        _maxEpoch = Math.Max(_maxEpoch, Epochs.Of(h));
        if (header.Term < _lastTerm) Add(h, AuditReason.TermRegression, $"term {header.Term} after term {_lastTerm}");
        _termsSeen.Add(header.Term);
        CheckTerm(h, header);

        // Authority: the proposer's signature and the certificate, against the committee of the header's epoch.
        var committee = CommitteeOf(header.Epoch);
        if (committee is null)
        {
            _uncheckedCertificateEpochs.Add(header.Epoch);
        }
        else
        {
            Add(h, BlockRules.CheckProposerSignature(block.Signed, committee, BlockRules.Direct));
            Add(h, BlockRules.CheckCertificate(committed.Certificate, header.Hash, committee, BlockRules.Direct, out _));
            Certificates++;
        }

        Add(h, BlockRules.CheckTxRoot(block));
        Add(h, BlockRules.CheckFeeRecipient(header));

        // Transactions: signatures (in parallel), duplicates, ordering, then execution in block order.
        var entries = block.Entries;
        var txs = block.Transactions;
        var signed = new bool[txs.Count];
        Parallel.For(0, txs.Count, i => signed[i] = txs[i].VerifySignature());
        var duplicate = new bool[txs.Count];
        for (int i = 0; i < txs.Count; i++)
        {
            if (!signed[i]) Add(h, AuditReason.BadTxSignature, $"transaction {i} ({txs[i].Hash.Short()}) has a bad signature");
            if (!_seen.Add(txs[i].Hash))
            {
                duplicate[i] = true;
                Add(h, AuditReason.DuplicateTx, $"transaction {i} ({txs[i].Hash.Short()}) was already committed");
            }
        }
        Add(h, TxOrdering.CheckOrder(entries, _config.Ordering, _config.MinGasPrice));

        var result = BlockExecutor.Execute(_state, txs, header.FeeAccount, _config.ToChainParameters());
        for (int i = 0; i < result.Receipts.Count; i++)
        {
            var outcome = result.Receipts[i].Outcome;
            if (ExecutionOutcomes.InBlock(outcome) || duplicate[i]) continue;
            var tx = txs[i];
            if (outcome is ExecutionOutcome.NonceTooLow or ExecutionOutcome.NonceTooHigh)
                Add(h, AuditReason.NonceOrder, $"transaction {i} ({tx.Hash.Short()}) of {tx.Sender} has nonce {tx.Nonce}, the account's next is {AccountNonce(result, txs, i)}");
            else
                Add(h, AuditReason.TxNotExecutable, $"transaction {i} ({tx.Hash.Short()}) fails execution: {outcome}");
        }
        Add(h, BlockRules.CheckStateRoot(header, result.PostState.Root));

        // The chain carries the honest state forward whatever root the header claims; so does the replay.
        _state = result.PostState;
        _headHash = header.Hash;
        _lastTerm = Math.Max(_lastTerm, header.Term);
        _roots.Add(_state.Root);
        _blocks.Add((header.ProposerId, result.TotalFees));
        _seenByBlock.Enqueue(txs.Select(t => t.Hash).ToArray());
        while (_seenByBlock.Count > DuplicateWindowBlocks)
            foreach (var old in _seenByBlock.Dequeue()) _seen.Remove(old);
        _totalFees += result.TotalFees;
        Transactions += txs.Count;
    }

    /// <summary>The sender's next nonce just before transaction <paramref name="index"/>: its nonce before the block plus
    /// its transactions included earlier in the block.</summary>
    private ulong AccountNonce(ExecutionResult result, IReadOnlyList<Core.Transactions.Transaction> txs, int index)
    {
        var sender = txs[index].Sender;
        ulong nonce = _state.Get(sender).Nonce;
        for (int j = 0; j < index; j++)
            if (result.Receipts[j].Included && txs[j].Sender == sender) nonce++;
        return nonce;
    }

    private void CheckTerm(ulong h, BlockHeader header)
    {
        var terms = _history.Terms;
        if (terms.TryGetValue(header.Term, out var term))
        {
            Add(h, BlockRules.CheckLeader(header, term.LeaderId));
            Add(h, BlockRules.CheckTermRange(header, h, term.Span));
            return;
        }
        if (terms.Count > 0 && (header.Term == 0 || header.Term > terms.Keys.Max()))
            Add(h, AuditReason.UnknownTerm, $"term {header.Term} was never appointed (rotation's latest term is {terms.Keys.Max()})");
        else
            _uncheckedTermBlocks.Add(h);
    }

    /// <summary>
    /// Per epoch seen: the committee is well formed (and epoch 1's is the genesis one); the epoch's first term went to
    /// the leader the schedule algorithm picks (weighted round robin replayed from epoch 1 over the committees, or the
    /// stake lottery of that epoch) from the epoch's first height; every term's leader sits on the committee; and a
    /// leader replaced during the epoch is never appointed again in it. Recomputed on each call, from the history as it is then.
    /// </summary>
    public IReadOnlyList<AuditViolation> FinishEpochs()
    {
        var found = new List<AuditViolation>();
        void Found(ulong height, AuditReason reason, string detail) => found.Add(new AuditViolation(height, reason, detail));
        _uncheckedScheduleEpochs.Clear();
        var terms = _history.Terms;
        ulong oldestTerm = terms.Count == 0 ? 0 : terms.Keys.Min();
        // The leader choice rotation makes, replayed over the committees; weighted round robin carries its priorities
        // from epoch to epoch, so a committee the history no longer holds breaks its replay from there on.
        var rotation = new LeaderRotation(_config.Algorithm, _config.ScheduleSeed);
        bool broken = false;
        for (ulong epoch = 1; epoch <= _maxEpoch; epoch++)
        {
            var committee = CommitteeOf(epoch);
            var seats = committee is null ? null : (_history.Committees.TryGetValue(epoch, out var known) && known.Length > 0 ? known : _genesisCommittee);
            string? scheduled = null;
            if (seats is null)
            {
                broken = true;
            }
            else if (!rotation.CarriesState || !broken)
            {
                try
                {
                    scheduled = rotation.BeginEpoch(epoch, seats.Select(s => new CommitteeMember(s.Id, s.Power)).ToList());
                }
                catch (ArgumentException)
                {
                    broken = true; // malformed committee: already reported by CommitteeOf
                }
            }

            var ofEpoch = terms.Values.Where(t => t.Epoch == epoch).OrderBy(t => t.Term).ToList();
            // The first recorded term of the epoch is its scheduled one only if the history reaches back to it.
            bool complete = ofEpoch.Count > 0 && (ofEpoch[0].Term == 1 || terms.ContainsKey(ofEpoch[0].Term - 1));
            if (!complete || scheduled is null)
            {
                _uncheckedScheduleEpochs.Add(epoch);
            }
            else
            {
                var first = ofEpoch[0];
                if (!string.Equals(first.LeaderId, scheduled, StringComparison.Ordinal))
                    Found(first.FirstHeight, AuditReason.ScheduleMismatch, $"epoch {epoch} began with term {first.Term} led by {first.LeaderId}; {_config.ScheduleAlgorithm} schedules {scheduled}");
                if (first.FirstHeight != Epochs.FirstHeight(epoch))
                    Found(first.FirstHeight, AuditReason.ScheduleMismatch, $"epoch {epoch}'s first term {first.Term} starts at height {first.FirstHeight}, not {Epochs.FirstHeight(epoch)}");
            }

            var replaced = new HashSet<string>(StringComparer.Ordinal);
            for (int i = 0; i < ofEpoch.Count; i++)
            {
                var t = ofEpoch[i];
                if (committee is not null && !committee.TryGet(t.LeaderId, out _))
                    Found(t.FirstHeight, AuditReason.IllegitimateLeader, $"term {t.Term} of epoch {epoch} is led by {t.LeaderId}, who is not on the epoch's committee");
                if (i == 0) continue;
                var before = ofEpoch[i - 1];
                if (string.Equals(before.LeaderId, t.LeaderId, StringComparison.Ordinal)) continue;
                replaced.Add(before.LeaderId);
                if (replaced.Contains(t.LeaderId))
                    Found(t.FirstHeight, AuditReason.LeaderReappointed, $"term {t.Term} of epoch {epoch} reappoints {t.LeaderId}, who was replaced earlier in the epoch");
            }
        }
        _termHistoryNote = oldestTerm > 1 ? $"rotation's term history starts at term {oldestTerm} (it keeps the most recent terms)" : null;
        return found;
    }

    /// <summary>
    /// Compares the replay (which must have reached the head) with the live chain: head height, hash and state root;
    /// the chain's supply audit balances and its genesis and L2 parts match the replay; fees of non-final blocks;
    /// each proposer's minted rewards and fees for its finalized blocks; each rollback restored the canonical parent's
    /// state. Returns the violations without recording them: the caller decides whether they persist.
    /// </summary>
    public IReadOnlyList<AuditViolation> CheckLive(LiveChainState live)
    {
        var found = new List<AuditViolation>();
        void Found(ulong height, AuditReason reason, string detail) => found.Add(new AuditViolation(height, reason, detail));
        var head = live.Head;
        var h = Height;
        if (head.Height != h || head.Hash != _headHash || head.StateRoot != _state.Root)
            Found(head.Height, AuditReason.HeadMismatch,
                $"chain head {head.Height} {head.Hash.Short()} state {head.StateRoot.Short()}; replay ended at {h} {_headHash.Short()} state {_state.Root.Short()}");

        var supply = live.Supply;
        if (supply.Total != supply.Expected) Found(h, AuditReason.SupplyNotConserved, $"total {supply.Total} != expected {supply.Expected} (genesis {supply.Genesis} + minted {supply.Minted} - burned {supply.Burned})");
        if (!supply.TknConserved) Found(h, AuditReason.SupplyNotConserved, $"TKN: the chain holds {supply.TknBalances}, its genesis {supply.GenesisTkn}");
        var tkn = Core.Execution.Genesis.TotalTokens(_state);
        if (tkn != _genesisTkn || supply.TknBalances != tkn)
            Found(h, AuditReason.SupplyNotConserved, $"TKN: the replay holds {tkn}, the chain {supply.TknBalances}, the genesis {_genesisTkn}");
        if (supply.Genesis != GenesisSupply) Found(h, AuditReason.GenesisSupplyMismatch, $"the chain counts a genesis supply of {supply.Genesis}; the genesis defines {GenesisSupply}");
        var l2 = Core.Execution.Genesis.TotalBalance(_state);
        if (supply.L2Balances != l2) Found(h, AuditReason.L2SupplyMismatch, $"the chain holds {supply.L2Balances} on L2; the replay {l2}");
        if (l2 + _totalFees != _genesisL2) Found(h, AuditReason.L2SupplyMismatch, $"L2 balances {l2} + fees paid {_totalFees} != genesis L2 balances {_genesisL2}");

        var finalized = Math.Max(_settled, Math.Min(head.FinalizedHeight, h));
        UInt128 inFlight = 0;
        for (ulong x = finalized + 1; x <= h; x++) inFlight += _blocks[(int)(x - _settled) - 1].Fees;
        if (supply.FeesInFlight != inFlight) Found(h, AuditReason.FeesInFlightMismatch, $"the chain counts {supply.FeesInFlight} in fees of blocks {finalized + 1}..{h}; the replay {inFlight}");

        var reward = _config.ToStakingParameters().RewardPerBlock;
        var expected = new Dictionary<string, (ulong Blocks, UInt128 Fees)>(_settledPools, StringComparer.Ordinal);
        for (ulong x = _settled + 1; x <= finalized; x++)
        {
            var (proposer, fees) = _blocks[(int)(x - _settled) - 1];
            var e = expected.GetValueOrDefault(proposer);
            expected[proposer] = (e.Blocks + 1, e.Fees + fees);
        }
        foreach (var id in expected.Keys.Union(live.Pools.Keys).Order(StringComparer.Ordinal))
        {
            var e = expected.GetValueOrDefault(id);
            if (!live.Pools.TryGetValue(id, out var pool))
            {
                Found(h, AuditReason.RewardMismatch, $"{id} proposed {e.Blocks} finalized blocks but has no pool");
                continue;
            }
            if (pool.Minted != reward * e.Blocks || pool.FeesIn != e.Fees)
                Found(h, AuditReason.RewardMismatch, $"{id}'s pool was minted {pool.Minted} and paid {pool.FeesIn} in fees; its {e.Blocks} finalized blocks give {reward * e.Blocks} and {e.Fees}");
        }

        for (int i = 0; i < live.Rollbacks.Length; i++)
        {
            var r = live.Rollbacks[i];
            if (string.IsNullOrEmpty(r.ChallengeId)) Found(r.FromHeight, AuditReason.RollbackMismatch, $"rollback from {r.FromHeight} has no challenge behind it");
            if (r.FromHeight == 0 || r.FromHeight - 1 > h) continue;
            // A later, deeper rollback replaced the parent: this record's root is of a chain that no longer exists.
            bool superseded = live.Rollbacks.Skip(i + 1).Any(later => later.FromHeight <= r.FromHeight - 1);
            if (superseded || RootAt(r.FromHeight - 1) is not { } root) continue;
            if (r.RestoredStateRoot != root)
                Found(r.FromHeight, AuditReason.RollbackMismatch,
                    $"rollback {r.ChallengeId} restored state {r.RestoredStateRoot.Short()}; the canonical state at height {r.FromHeight - 1} is {root.Short()}");
        }
        return found;
    }

    /// <summary>The replayed state root at <paramref name="height"/>, or null for a settled height no rollback named.</summary>
    private Hash32? RootAt(ulong height)
    {
        if (height >= _settled) return _roots[(int)(height - _settled)];
        if (_keptRoots.TryGetValue(height, out var kept)) return kept;
        _rootGaps.Add(height);
        return null;
    }

    private readonly SortedSet<ulong> _rootGaps = [];

    /// <summary>
    /// Folds the replayed heights up to <paramref name="height"/> (final ones: never rolled back) into running totals, so
    /// the replay's memory does not grow with the chain: per proposer its finalized blocks and fees, and the roots of
    /// the heights <paramref name="rollbacks"/> restored to (later rollbacks can only reach heights above a final one).
    /// </summary>
    public void Settle(ulong height, IEnumerable<RollbackRecord> rollbacks)
    {
        height = Math.Min(height, Height);
        if (height <= _settled) return;
        foreach (var r in rollbacks)
            if (r.FromHeight >= 1 && r.FromHeight - 1 >= _settled && r.FromHeight - 1 < height)
                _keptRoots[r.FromHeight - 1] = _roots[(int)(r.FromHeight - 1 - _settled)];
        var count = (int)(height - _settled);
        for (int i = 0; i < count; i++)
        {
            var (proposer, fees) = _blocks[i];
            var e = _settledPools.GetValueOrDefault(proposer);
            _settledPools[proposer] = (e.Blocks + 1, e.Fees + fees);
        }
        _blocks.RemoveRange(0, count);
        _roots.RemoveRange(0, count);
        _settled = height;
    }

    /// <summary>The report: counts, violations (block checks, epoch checks and <paramref name="live"/>), gaps.</summary>
    public AuditReport Report(IReadOnlyList<AuditViolation> live, LiveChainState? state, IEnumerable<string> extraGaps, long elapsedMs)
    {
        var epochs = FinishEpochs();
        var all = _violations.Concat(epochs).Concat(live).OrderBy(v => v.Height).ThenBy(v => v.Reason).Take(ViolationLimit).ToArray();
        var gaps = new List<string>();
        if (_uncheckedCertificateEpochs.Count > 0)
            gaps.Add($"certificates and proposer signatures of epochs {Ranges(_uncheckedCertificateEpochs)} not checked: rotation no longer holds those committees");
        if (_uncheckedTermBlocks.Count > 0)
            gaps.Add($"leader terms of heights {Ranges(_uncheckedTermBlocks)} not checked: rotation's term history no longer reaches them");
        if (_uncheckedScheduleEpochs.Count > 0)
            gaps.Add($"schedule of epochs {Ranges(_uncheckedScheduleEpochs)} not checked: their first term or a committee up to them is no longer held");
        if (_termHistoryNote is not null) gaps.Add(_termHistoryNote);
        if (_rootGaps.Count > 0) gaps.Add($"rollbacks restoring heights {Ranges(_rootGaps)} not checked: the replay had settled those heights before it learned of the rollback");
        gaps.AddRange(extraGaps);
        return new AuditReport
        {
            ChainId = _config.ChainId,
            Height = Height,
            Blocks = (int)Height,
            Transactions = Transactions,
            Certificates = Certificates,
            Epochs = (int)_maxEpoch,
            Terms = _termsSeen.Count,
            Rollbacks = state?.Rollbacks.Length ?? 0,
            FinalStateRoot = _state.Root.ToString(),
            SupplyConserved = state?.Supply.Conserved,
            Supply = state is null ? null : new AuditSupply(Token.Format(state.Supply.Total), Token.Format(state.Supply.Expected),
                Token.Format(state.Supply.Genesis), Token.Format(state.Supply.Minted), Token.Format(state.Supply.Burned)),
            ElapsedMs = elapsedMs,
            ViolationCount = ViolationCount + epochs.Count + live.Count,
            Violations = all,
            Gaps = gaps.ToArray(),
        };
    }

    /// <summary>"1..3, 7, 9..12".</summary>
    private static string Ranges(IEnumerable<ulong> values)
    {
        var parts = new List<string>();
        ulong? start = null, end = null;
        foreach (var v in values)
        {
            if (start is null) { start = end = v; continue; }
            if (v == end + 1) { end = v; continue; }
            parts.Add(start == end ? $"{start}" : $"{start}..{end}");
            start = end = v;
        }
        if (start is not null) parts.Add(start == end ? $"{start}" : $"{start}..{end}");
        return string.Join(", ", parts);
    }
}
