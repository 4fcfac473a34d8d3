using ActorRollup.Abstractions;
using ActorRollup.Abstractions.Config;
using ActorRollup.Abstractions.Messages;
using ActorRollup.Core.Blocks;
using ActorRollup.Core.Crypto;
using ActorRollup.Core.Primitives;
using ActorRollup.Core.State;
using ActorRollup.Grains.Chain;
using ActorRollup.Grains.Infrastructure;
using Microsoft.Extensions.Logging;

namespace ActorRollup.Grains.Validator;

/// <summary>
/// A bonded validator (PROTOCOL.md §8). Keeps its own replica of the L2 state, re-executes every committed block
/// in height order and checks it (<see cref="BlockChecker"/>); reports sound blocks to the chain and challenges bad
/// ones with a signed fraud proof; votes on other validators' challenges by checking the block against its own
/// replica. A false challenge earns a strike; past the limit, part of the bond is burned.
/// </summary>
[MemberPlacement]
public sealed class ValidatorGrain : Grain, IValidatorGrain
{
    private readonly IPersistentState<ValidatorState> _state;
    private readonly VerificationMemo _memo;
    private readonly ExecutionMemo _execution;
    private readonly ILogger<ValidatorGrain> _log;
    private readonly Dictionary<ulong, StateTree> _replica = [];   // recent heights, for challenges and votes
    private readonly Dictionary<ulong, CommitteeSeat[]> _committees = [];
    private readonly Dictionary<ulong, string> _termLeaders = [];
    private readonly HashSet<ulong> _agreedHeights = [];         // heights this validator challenged or voted to roll back
    private ValidatorFaultKind _fault;
    private SigningKey? _key;

    /// <summary>Rejected-challenge verdicts remembered (ids), so a replayed decision changes nothing.</summary>
    private const int DecidedLimit = 256;

    public ValidatorGrain([PersistentState("validator", StorageNames.Rollup)] IPersistentState<ValidatorState> state,
        VerificationMemo memo, ExecutionMemo execution, ILogger<ValidatorGrain> log)
    {
        _state = state;
        _memo = memo;
        _execution = execution;
        _log = log;
    }

    private (string ChainId, string Id) Key => GrainKeys.SplitMember(this.GetPrimaryKeyString());
    private string ChainId => Key.ChainId;
    private string Id => Key.Id;
    private ValidatorState S => _state.State;
    private ulong ReplicaWindow => (S.Config?.ChallengeWindow ?? 40) + 2 * (ulong)(S.Config?.BatchSize ?? 20) + 64;
    private SigningKey SigningKey => _key ??= SigningKey.FromSeed(S.SigningSeed);

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (S.Genesis is not null)
        {
            // Recovery: rebuild the replica at the verified height by re-executing from the chain's last checkpoint
            // (a finalized state, beyond any challenge) or, without one, from genesis.
            var state = GenesisBuilder.BuildState(S.Genesis);
            _replica[0] = state;
            var target = S.VerifiedHeight;
            S.VerifiedHeight = 0;
            S.VerifiedHash = GenesisBuilder.Header(S.Genesis, state.Root).Hash;
            var checkpoint = target > 0 ? await GrainFactory.Chain(ChainId).GetCheckpoint() : null;
            if (checkpoint is not null && checkpoint.Height <= target && checkpoint.ToState() is { } start)
            {
                _replica[checkpoint.Height] = start;
                S.VerifiedHeight = checkpoint.Height;
                S.VerifiedHash = checkpoint.BlockHash;
            }
            var clean = new List<(ulong Height, Hash32 Hash)>();
            for (ulong h = S.VerifiedHeight + 1; h <= target; h = S.VerifiedHeight + 1)
            {
                var (block, pruned) = await FetchBlock(h);
                if (pruned)
                {
                    if (await SkipToCheckpoint()) continue;
                    break;
                }
                var violation = block is null ? null : await Apply(block, report: false);
                if (violation is null) break;
                if (violation == BlockFault.None) clean.Add((h, block!.Block.Hash));
            }
            // The chain writes its validated height with its head record, so reports it had counted but not yet
            // written died with it: what this replica found sound above the chain's validated height is reported again.
            if (clean.Count > 0)
            {
                var validated = (await GrainFactory.Chain(ChainId).GetHead()).ValidatedHeight;
                foreach (var (height, hash) in clean.Where(c => c.Height > validated))
                    _ = GrainFactory.Chain(ChainId).ReportValidated(Id, height, hash, Core.Blocks.ValidationReport.Sign(SigningKey, ChainId, height, hash));
            }
        }
        await base.OnActivateAsync(cancellationToken);
    }

    public async Task Initialize(ChainConfig config, ChainGenesis genesis, UInt128 bond, byte[] signingSeed)
    {
        if (S.Genesis is not null) return;
        // The key must be the one the genesis publishes for this validator: its proofs are checked against that.
        if (genesis.Validator(Id)?.PublicKey is not { } published || signingSeed.Length != Ed25519.SeedSize)
            throw new Abstractions.Security.CallRefusedException(Abstractions.Security.CallRefusal.KeyMismatch, $"validator {ChainId}/{Id}: no published key, or the seed is not {Ed25519.SeedSize} bytes");
        using (var key = SigningKey.FromSeed(signingSeed))
            if (!key.PublicKey.AsSpan().SequenceEqual(published))
                throw new Abstractions.Security.CallRefusedException(Abstractions.Security.CallRefusal.KeyMismatch, $"validator {ChainId}/{Id}: the seed does not derive the published key");
        S.SigningSeed = signingSeed;
        S.Config = config;
        S.Genesis = genesis;
        S.Bond = bond;
        S.InitialBond = bond;
        var state = GenesisBuilder.BuildState(genesis);
        _replica[0] = state;
        S.VerifiedHash = GenesisBuilder.Header(genesis, state.Root).Hash;
        await _state.WriteStateAsync();
    }

    public Task InjectFault(ValidatorFaultKind fault)
    {
        if (S.Config is null)
            throw new Abstractions.Security.CallRefusedException(Abstractions.Security.CallRefusal.UnknownMember,
                $"chain '{ChainId}' has no member '{Id}'");
        if (!S.Config.AllowFaultInjection)
            throw new Abstractions.Security.CallRefusedException(Abstractions.Security.CallRefusal.FaultInjectionDisabled,
                $"chain '{ChainId}' does not allow fault injection (Chain:AllowFaultInjection is off)");
        if (fault != ValidatorFaultKind.None) _log.LogWarning("validator {Chain}/{Id}: fault {Fault} injected", ChainId, Id, fault);
        else if (_fault != ValidatorFaultKind.None) _log.LogInformation("validator {Chain}/{Id}: fault {Fault} cleared", ChainId, Id, _fault);
        _fault = fault;
        return Task.CompletedTask;
    }

    // ---------------------------------------------------------------- following the chain

    public async Task OnBlockCommitted(CommittedBlock block)
    {
        if (S.Genesis is null || _fault == ValidatorFaultKind.Offline) return;
        var height = block.Block.Header.Height;
        if (height <= S.VerifiedHeight) return;
        // Fill a gap (missed while offline, or delivered out of order) from the chain, in height order.
        for (ulong h = S.VerifiedHeight + 1; h < height; h = S.VerifiedHeight + 1)
        {
            var (missing, pruned) = await FetchBlock(h);
            if (pruned)
            {
                if (await SkipToCheckpoint()) continue;
                return;
            }
            if (missing is null || await Apply(missing, report: true) is null) return;
        }
        if (height != S.VerifiedHeight + 1) return;
        // Defence in depth: the delivered block is applied only as the chain has it at that height (one cheap query for
        // the one block of the call; blocks fetched from the chain above need no such check).
        var onChain = await GrainFactory.Chain(ChainId).GetBlockHashes(height, height);
        if (onChain.Length != 1 || onChain[0] != block.Block.Hash)
        {
            _log.LogWarning("validator {Chain}/{Id}: a delivered block {Height} {Hash} is not the chain's block at that height: ignored",
                ChainId, Id, height, block.Block.Hash.ToHex()[..12]);
            return;
        }
        await Apply(block, report: true);
    }

    /// <summary>The chain's block at <paramref name="height"/> (null when it has none), or <c>Pruned</c> when the chain no
    /// longer holds it (Chain:HistoryRetentionBlocks: this validator fell behind the retention window).</summary>
    private async Task<(CommittedBlock? Block, bool Pruned)> FetchBlock(ulong height)
    {
        try
        {
            return (await GrainFactory.Chain(ChainId).GetCommittedBlock(height), false);
        }
        catch (Abstractions.Security.CallRefusedException e) when (e.Reason == Abstractions.Security.CallRefusal.Pruned)
        {
            return (null, true);
        }
    }

    /// <summary>
    /// A validator behind the chain's retained history cannot re-execute the pruned blocks: it resumes from the chain's
    /// checkpoint (a finalized state, beyond any challenge — what a reactivated validator starts from too). The blocks
    /// between went unchecked by this validator; they were final. False when the checkpoint is not ahead of the replica.
    /// </summary>
    private async Task<bool> SkipToCheckpoint()
    {
        var checkpoint = await GrainFactory.Chain(ChainId).GetCheckpoint();
        if (checkpoint is null || checkpoint.Height <= S.VerifiedHeight || checkpoint.ToState() is not { } state) return false;
        _log.LogWarning("validator {Chain}/{Id}: blocks from {From} are pruned from the chain; resuming from its checkpoint at {Checkpoint}",
            ChainId, Id, S.VerifiedHeight + 1, checkpoint.Height);
        _replica.Clear();
        _replica[checkpoint.Height] = state;
        S.VerifiedHeight = checkpoint.Height;
        S.VerifiedHash = checkpoint.BlockHash;
        await _state.WriteStateAsync();
        return true;
    }

    /// <summary>Checks and applies one block on top of the replica: the violation found (None when sound), or null when
    /// the block does not extend the replica.</summary>
    private async Task<BlockFault?> Apply(CommittedBlock committed, bool report)
    {
        var header = committed.Block.Header;
        if (header.Height != S.VerifiedHeight + 1 || header.ParentHash != S.VerifiedHash) return null;
        var pre = _replica[S.VerifiedHeight];
        var context = await ContextOf(committed);
        if (header.Height != S.VerifiedHeight + 1 || header.ParentHash != S.VerifiedHash) return null; // rolled back meanwhile
        var full = BlockChecker.IsSampled(Id, header.Hash, S.Config!.ValidationSampleRate);
        var verdict = BlockChecker.Check(committed, pre, context, S.Config!, _memo, _execution, full);
        S.VerifiedHeight = header.Height;
        S.VerifiedHash = header.Hash;
        S.BlocksChecked++;
        _replica[header.Height] = verdict.PostState;
        _replica.Remove(header.Height - Math.Min(header.Height, ReplicaWindow));
        if (!report) return verdict.Violation;
        // The verified height is written once a batch, so a reactivated validator resumes near it (from the chain's
        // checkpoint when that is at or below it) instead of re-executing from genesis.
        if (header.Height % (ulong)S.Config!.BatchSize == 0) await _state.WriteStateAsync();

        if (verdict.Violation == BlockFault.None && _fault == ValidatorFaultKind.FalseChallenge)
        {
            _fault = ValidatorFaultKind.None;
            await OpenChallenge(header, pre.Root, Hash32.Sha256("false challenge"u8), BlockFault.StateRootMismatch, "false challenge (fault injection)");
        }
        else if (verdict.Violation == BlockFault.None)
        {
            _ = GrainFactory.Chain(ChainId).ReportValidated(Id, header.Height, header.Hash, Core.Blocks.ValidationReport.Sign(SigningKey, ChainId, header.Height, header.Hash));
        }
        else
        {
            S.LastViolation = $"{header.Height}: {verdict.Violation} {verdict.Detail}";
            _log.LogWarning("validator {Chain}/{Id}: block {Height} by {Proposer} is bad: {Violation} — {Detail}",
                ChainId, Id, header.Height, header.ProposerId, verdict.Violation, verdict.Detail);
            await OpenChallenge(header, pre.Root, verdict.PostState.Root, verdict.Violation, verdict.Detail);
        }
        return verdict.Violation;
    }

    /// <summary>
    /// Opens a challenge without waiting for it inside this turn: the chain calls back into this validator while it
    /// decides (<see cref="OnRolledBack"/>, <see cref="OnChallengeDecided"/>), and those calls do not interleave — every
    /// state write of a validator happens in a turn of its own. The chain's answer (the authoritative verdict on this
    /// validator's own challenge) is applied in a grain-timer turn of its own too.
    /// </summary>
    private async Task OpenChallenge(BlockHeader header, Hash32 preRoot, Hash32 recomputedRoot, BlockFault violation, string detail)
    {
        var proof = new FraudProof(Id, header.Height, header.Hash, preRoot, recomputedRoot, violation, detail, []);
        proof = proof with { ChallengerSignature = SigningKey.Sign(ChainGrain.ProofPayload(proof)) };
        S.ChallengesOpened++;
        Remember(_agreedHeights, header.Height);
        await _state.WriteStateAsync();
        _ = AwaitVerdict(proof);
    }

    private async Task AwaitVerdict(FraudProof proof)
    {
        ChallengeResult result;
        try
        {
            result = await GrainFactory.Chain(ChainId).Challenge(proof);
        }
        catch (Exception e)
        {
            _log.LogWarning("validator {Chain}/{Id}: challenge of block {Height} got no answer: {Error}", ChainId, Id, proof.Height, e.Message);
            return;
        }
        _log.LogInformation("validator {Chain}/{Id}: challenge of block {Height}: {Reason} (succeeded: {Succeeded})",
            ChainId, Id, proof.Height, result.Reason, result.Succeeded);
        if (result.Reason != ChainReason.ChallengeRejected) return;
        // The strike is the chain's answer to this validator's own call — no other caller can forge it. Applied in a
        // non-interleaving turn, after whatever turn is running now.
        IGrainTimer? timer = null;
        timer = this.RegisterGrainTimer(async () =>
        {
            timer?.Dispose();
            await Strike(result.ChallengeId);
        }, new GrainTimerCreationOptions { DueTime = TimeSpan.Zero, Period = Timeout.InfiniteTimeSpan });
    }

    private static void Remember(HashSet<ulong> set, ulong height)
    {
        set.Add(height);
        if (set.Count > 1_024) set.Remove(set.Min());
    }

    private async Task<BlockContext> ContextOf(CommittedBlock committed)
    {
        var header = committed.Block.Header;
        if (!_committees.TryGetValue(header.Epoch, out var committee) || committee.Length == 0)
        {
            committee = await GrainFactory.Rotation(ChainId).GetCommittee(header.Epoch);
            _committees[header.Epoch] = committee;
            if (_committees.Count > 8) _committees.Remove(_committees.Keys.Min());
        }
        if (!_termLeaders.TryGetValue(header.Term, out var leader))
        {
            leader = await GrainFactory.Rotation(ChainId).GetLeaderAt(header.Height, header.Term);
            if (leader is not null) _termLeaders[header.Term] = leader;
            if (_termLeaders.Count > 256) _termLeaders.Remove(_termLeaders.Keys.Min());
        }
        var admissions = committed.Block.Entries.Count == 0
            ? []
            : await GrainFactory.Mempool(ChainId).GetAdmissions(committed.Block.Entries.Select(e => e.Transaction.Hash).ToArray());
        Hash32[]? committedOrder = null;
        if (S.Config?.Ordering == OrderingPolicy.Encrypted && committed.Block.Entries.Count > 0)
            committedOrder = (await GrainFactory.Mempool(ChainId).GetOrderCommitment(header.Height)).FirstOrDefault(c => c.Term == header.Term)?.Order;
        return new BlockContext(committee, leader, admissions) { CommittedOrder = committedOrder };
    }

    // ---------------------------------------------------------------- challenges

    public async Task<ChallengeVote> Vote(FraudProof proof)
    {
        if (S.Genesis is null || _fault == ValidatorFaultKind.Offline) return new ChallengeVote(Id, false, "offline");
        // Cheap checks first: nothing is read or executed for a proof that cannot be a real challenge of a block this
        // replica can judge.
        if (proof is null || proof.Height == 0 || proof.ChallengerId == Id || !S.Genesis.Validators.Any(v => v.Id == proof.ChallengerId))
            return new ChallengeVote(Id, false, "not a challenge by another validator of this chain");
        if (proof.Height > S.VerifiedHeight + ReplicaWindow || !_replica.Keys.Any(h => h < proof.Height))
            return new ChallengeVote(Id, false, "outside what this replica can rebuild");
        var (committed, _) = await FetchBlock(proof.Height);
        if (committed is null || committed.Block.Hash != proof.BlockHash) return new ChallengeVote(Id, false, "no such block on the chain");
        var pre = await PreStateOf(proof.Height);
        if (pre is null) return new ChallengeVote(Id, false, "cannot rebuild the pre-state");
        var verdict = BlockChecker.Check(committed, pre, await ContextOf(committed), S.Config!, _memo, _execution);
        if (verdict.Violation == BlockFault.None) return new ChallengeVote(Id, false, "the block re-executes soundly");
        Remember(_agreedHeights, proof.Height);
        return new ChallengeVote(Id, true, $"{verdict.Violation}: {verdict.Detail}");
    }

    /// <summary>The replica's state before <paramref name="height"/>, re-executing forward from the nearest kept state when needed.</summary>
    private async Task<StateTree?> PreStateOf(ulong height)
    {
        if (_replica.TryGetValue(height - 1, out var pre)) return pre;
        var from = _replica.Keys.Where(h => h < height).DefaultIfEmpty(ulong.MaxValue).Max();
        if (from == ulong.MaxValue) return null;
        var state = _replica[from];
        for (ulong h = from + 1; h < height; h++)
        {
            var (block, _) = await FetchBlock(h);
            if (block is null) return null;
            state = _execution.Execute(state, block.Block, S.Config!.ToChainParameters()).PostState;
        }
        return state;
    }

    /// <summary>
    /// Rewinds the replica only as the chain recorded the rollback: while the chain rolls back it waits on this call,
    /// and its head is then exactly the restored parent (<paramref name="fromHeight"/> − 1, <paramref name="restoredHead"/>).
    /// Any other call changes nothing. Not interleaving: it waits for a running <see cref="Apply"/> to finish its turn.
    /// </summary>
    public async Task OnRolledBack(ulong fromHeight, Hash32 restoredHead)
    {
        if (S.Genesis is null || fromHeight == 0) return;
        var head = await GrainFactory.Chain(ChainId).GetHead();
        if (head.Height + 1 != fromHeight || head.Hash != restoredHead)
        {
            _log.LogWarning("validator {Chain}/{Id}: a rollback from {Height} to {Hash} is not the chain's (head {Head} {HeadHash}): ignored",
                ChainId, Id, fromHeight, restoredHead.ToHex()[..12], head.Height, head.Hash.ToHex()[..12]);
            return;
        }
        bool changed = false;
        foreach (var h in _replica.Keys.Where(h => h >= fromHeight).ToList()) changed |= _replica.Remove(h);
        if (S.VerifiedHeight >= fromHeight - 1 && (S.VerifiedHeight != fromHeight - 1 || S.VerifiedHash != restoredHead))
        {
            S.VerifiedHeight = fromHeight - 1;
            S.VerifiedHash = restoredHead;
            changed = true;
        }
        if (changed) await _state.WriteStateAsync();
    }

    /// <summary>
    /// A won challenge counts (and its reward is credited) only when the chain rolled back under that challenge id at a
    /// height this validator challenged or voted against, and once per id. A rejection strikes nothing here: the
    /// challenger's strike comes from the chain's answer to its own <c>Challenge</c> call (<see cref="AwaitVerdict"/>),
    /// which no other caller can forge.
    /// </summary>
    public async Task OnChallengeDecided(string challengeId, bool succeeded, UInt128 reward)
    {
        if (S.Genesis is null || string.IsNullOrEmpty(challengeId) || challengeId.Length > 128) return;
        if (!succeeded || S.DecidedChallenges.Contains(challengeId)) return;
        var rollback = (await GrainFactory.Chain(ChainId).GetRollbacks()).FirstOrDefault(r => r.ChallengeId == challengeId);
        if (rollback is null || !_agreedHeights.Contains(rollback.FromHeight))
        {
            _log.LogWarning("validator {Chain}/{Id}: a won challenge {Challenge} the chain has no rollback of this validator's for: ignored", ChainId, Id, challengeId);
            return;
        }
        S.ChallengesWon++;
        S.Rewards += reward;
        RecordDecided(challengeId);
        await _state.WriteStateAsync();
    }

    /// <summary>A strike for this validator's challenge <paramref name="challengeId"/> that the chain rejected (its answer), once.</summary>
    private async Task Strike(string challengeId)
    {
        if (S.DecidedChallenges.Contains(challengeId)) return;
        S.Strikes++;
        if (S.Strikes >= S.Config!.FalseChallengeStrikeLimit)
        {
            var cut = S.Bond * S.Config.FalseChallengeSlashBps / 10_000;
            S.Bond -= cut;
            S.BondBurned += cut;
            _log.LogWarning("validator {Chain}/{Id}: {Strikes} false challenges — {Cut} of its bond burned", ChainId, Id, S.Strikes, Token.Format(cut));
        }
        RecordDecided(challengeId);
        await _state.WriteStateAsync();
    }

    private void RecordDecided(string challengeId)
    {
        S.DecidedChallenges.Add(challengeId);
        if (S.DecidedChallenges.Count > DecidedLimit) S.DecidedChallenges.RemoveAt(0);
    }

    public Task<ValidatorView> GetView() =>
        Task.FromResult(new ValidatorView(Id, S.Bond, S.VerifiedHeight, _replica.TryGetValue(S.VerifiedHeight, out var r) ? r.Root : default,
            S.ChallengesOpened, S.ChallengesWon, S.Strikes, S.Rewards, _fault.ToString(), S.BlocksChecked, S.LastViolation));
}
