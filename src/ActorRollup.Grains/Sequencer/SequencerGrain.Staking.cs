using ActorRollup.Abstractions;
using ActorRollup.Abstractions.Config;
using ActorRollup.Abstractions.Messages;
using ActorRollup.Abstractions.Security;
using ActorRollup.Core.Crypto;
using ActorRollup.Core.Primitives;
using ActorRollup.Core.Staking;
using Microsoft.Extensions.Logging;

namespace ActorRollup.Grains.Sequencer;

// The sequencer's stake pool (PROTOCOL.md §5): self-stake and delegations as shares, the lazy reward index with
// commission, unbonding buckets, slashing and jailing. Staker grains own the positions; every pool operation they
// ask for carries an operation id, and a retried operation returns its first receipt.
// Defence in depth (docs/SECURITY.md): a caller id can be forged, so no money moves on an argument alone — a pool
// operation is checked with the staker grain its id names, a block reward against the chain's finalized block, a slash
// against its evidence (the chain's decided slash order, rotation's term record and the chain's silence), a release
// against the chain's head. A forged call is refused and changes nothing.
public sealed partial class SequencerGrain
{
    private const int RecentOperationLimit = 2_048;

    private StakingParameters Staking => _state.State.Config!.ToStakingParameters();

    public async Task<PoolReceipt> Register(ChainConfig config, StakeAction action, byte[] signerSeed, ulong epoch)
    {
        PoolReceipt Refuse(StakingReason reason, string detail)
        {
            _metrics.Refused(ChainId, "register", reason.ToString());
            return new PoolReceipt(reason, 0, 0, 0, 0, detail);
        }
        if (_state.State.Pool is not null) return Refuse(StakingReason.AlreadyRegistered, $"{Id} is already registered");
        if (action is null || config is null) return Refuse(StakingReason.InvalidSequencerId, "no action or no configuration");
        if (action.Kind != StakeActionKind.RegisterSequencer || action.SequencerId != Id || action.ChainId != ChainId)
            return Refuse(StakingReason.InvalidSequencerId, "the action does not register this sequencer");
        if (!action.VerifySignature()) return Refuse(StakingReason.InvalidSignerKey, "the owner's signature does not verify");
        if (signerSeed is null || signerSeed.Length != Ed25519.SeedSize) return Refuse(StakingReason.InvalidSignerKey, "the signer seed is not 32 bytes");
        using (var signer = SigningKey.FromSeed(signerSeed))
            if (!signer.PublicKey.AsSpan().SequenceEqual(action.SignerPublicKey)) return Refuse(StakingReason.InvalidSignerKey, "the signer seed does not match the signed signer key");
        // A signed action proves the owner wants it, not that its staker locked the stake: the staker grain must be
        // waiting for exactly this registration (a replayed signed action would otherwise mint a pool from nothing).
        var requested = new PoolOperation(StakeOperations.Id(action.Staker, action.Nonce), PoolOperationKind.Register, Id, action.Amount, 0, epoch, 0, 0, 0);
        if (await NotRequested(requested, action.Staker) is { } unrequested) return Refuse(unrequested.Reason, unrequested.Detail);
        if (_state.State.Pool is not null) return Refuse(StakingReason.AlreadyRegistered, $"{Id} is already registered");
        var parameters = config.ToStakingParameters();
        var reason = SequencerPool.TryRegister(Id, action.Staker, action.SignerPublicKey, action.Amount, parameters, epoch, out var registered, out var shares);
        if (reason != StakingReason.Ok) return Refuse(reason, reason switch
        {
            StakingReason.NotWhitelisted => $"{action.Staker} is not on the whitelist",
            StakingReason.BelowMinLock => $"self-stake below {Token.Format(parameters.MinLock)}",
            StakingReason.AboveMaxLock => $"self-stake above {Token.Format(parameters.MaxLock)}",
            StakingReason.ZeroAmount => "a self-stake of nothing",
            _ => "self-stake deposit refused",
        });
        var next = registered!;
        // The signer key must never have been used before: rotation holds the chain-wide registry.
        var reserved = await GrainFactory.Rotation(ChainId).RegisterSequencer(StandingOf(next, epoch));
        if (reserved != StakingReason.Ok) return Refuse(reserved, "rotation refused the registration");

        _state.State.Config = config;
        _state.State.SignerSeed = signerSeed;
        _state.State.Pool = next;
        _signer = null;
        await PersistAsync();
        _log.LogInformation("sequencer {Chain}/{Id}: registered by {Owner} with {Stake} tokens", ChainId, Id, action.Staker, Token.Format(action.Amount));
        return new PoolReceipt(StakingReason.Ok, shares, next.RewardIndex, action.Amount, 0);
    }

    public async Task<StandingUpdate> ActivateAtGenesis()
    {
        var pool = _state.State.Pool ?? throw new InvalidOperationException($"{Id} is not registered");
        // Only a sequencer the chain's genesis names is active from epoch 1; any other waits out its activation delay.
        var genesis = await GrainFactory.Chain(ChainId).GetGenesis();
        if (genesis is null || !genesis.Sequencers.Any(s => s.Id == Id))
            throw new CallRefusedException(CallRefusal.Unproven, $"{Id} is not a genesis sequencer of {ChainId}");
        pool = _state.State.Pool!;
        if (pool.Status == SequencerStatus.Candidate)
        {
            _state.State.Pool = pool = pool with { Status = SequencerStatus.Active };
            await PersistAsync();
        }
        return StandingOf(pool, 0);
    }

    private StandingUpdate StandingOf(SequencerPool pool, ulong epoch) =>
        new(Id, pool.TotalStake, pool.Status, pool.JailedUntilEpoch, pool.SignerPublicKey.ToArray(), epoch);

    private bool TryReplay(string operationId, out PoolReceipt receipt)
    {
        receipt = null!;
        return operationId is not null && _state.State.RecentOperations.TryGetValue(operationId, out receipt!);
    }

    /// <summary>
    /// Null when the staker grain the operation id names (and, when given, <paramref name="named"/> is that staker) is
    /// waiting for exactly <paramref name="operation"/>; else the refusal. The staker is awaiting this very call, and its
    /// check interleaves.
    /// </summary>
    private async Task<PoolReceipt?> NotRequested(PoolOperation operation, Address? named)
    {
        PoolReceipt Refuse(string detail)
        {
            _metrics.Refused(ChainId, "stake", StakingReason.OperationNotRequested.ToString());
            _log.LogWarning("sequencer {Chain}/{Id}: refused a {Kind} its staker did not ask for ({Detail})", ChainId, Id, operation.Kind, detail);
            return new PoolReceipt(StakingReason.OperationNotRequested, 0, 0, 0, 0, detail);
        }
        if (!StakeOperations.TryParseStaker(operation.OperationId, out var staker)) return Refuse("the operation id names no staker");
        if (named is { } n && n != staker) return Refuse("the operation id names another staker");
        if (!await GrainFactory.Staker(ChainId, staker).Requested(operation)) return Refuse($"{staker} did not ask for this operation");
        return null;
    }

    private async Task<PoolReceipt> Complete(string operationId, PoolReceipt receipt, bool stakeChanged, ulong epoch)
    {
        if (receipt.Ok)
        {
            _state.State.RecentOperations[operationId] = receipt;
            _state.State.RecentOperationOrder.Enqueue(operationId);
            while (_state.State.RecentOperationOrder.Count > RecentOperationLimit)
                _state.State.RecentOperations.Remove(_state.State.RecentOperationOrder.Dequeue());
            await PersistAsync();
            if (stakeChanged) await GrainFactory.Rotation(ChainId).OnStandingChanged(StandingOf(_state.State.Pool!, epoch));
        }
        else
        {
            _metrics.Refused(ChainId, "stake", receipt.Reason.ToString());
        }
        return receipt;
    }

    public async Task<PoolReceipt> Deposit(string operationId, Address staker, UInt128 amount, ulong epoch)
    {
        if (TryReplay(operationId, out var earlier)) return earlier;
        if (_state.State.Pool is null) return new PoolReceipt(StakingReason.UnknownSequencer, 0, 0, 0, 0, $"{Id} is not registered");
        if (await NotRequested(new PoolOperation(operationId, PoolOperationKind.Deposit, Id, amount, 0, epoch, 0, 0, 0), staker) is { } refused) return refused;
        if (TryReplay(operationId, out earlier)) return earlier;
        var pool = _state.State.Pool;
        if (pool is null) return new PoolReceipt(StakingReason.UnknownSequencer, 0, 0, 0, 0, $"{Id} is not registered");
        var reason = pool.TryDeposit(amount, staker == pool.Owner, Staking.MaxLock, epoch, out var next, out var shares);
        if (reason == StakingReason.Ok) _state.State.Pool = next;
        return await Complete(operationId, new PoolReceipt(reason, shares, pool.RewardIndex, amount, 0), reason == StakingReason.Ok, epoch);
    }

    public async Task<PoolReceipt> Withdraw(string operationId, Address staker, UInt128 positionShares, UInt128 amount, ulong epoch)
    {
        if (TryReplay(operationId, out var earlier)) return earlier;
        if (_state.State.Pool is null) return new PoolReceipt(StakingReason.UnknownSequencer, 0, 0, 0, 0, $"{Id} is not registered");
        if (await NotRequested(new PoolOperation(operationId, PoolOperationKind.Withdraw, Id, amount, positionShares, epoch, 0, 0, 0), staker) is { } refused) return refused;
        if (TryReplay(operationId, out earlier)) return earlier;
        var pool = _state.State.Pool;
        if (pool is null) return new PoolReceipt(StakingReason.UnknownSequencer, 0, 0, 0, 0, $"{Id} is not registered");
        var reason = pool.TryUnlockAt(positionShares, amount, staker == pool.Owner, Staking, epoch, out var next, out var burned, out var bucketShares, out var claimableFrom);
        if (reason == StakingReason.Ok) _state.State.Pool = next;
        // Shares = shares burned from the position; Amount = the unbonding-bucket shares the staker now holds.
        return await Complete(operationId, new PoolReceipt(reason, burned, pool.RewardIndex, bucketShares, claimableFrom), reason == StakingReason.Ok, epoch);
    }

    public async Task<PoolReceipt> PayReward(string operationId, Address staker, StakePosition position)
    {
        if (TryReplay(operationId, out var earlier)) return earlier;
        if (_state.State.Pool is null) return new PoolReceipt(StakingReason.UnknownSequencer, 0, 0, 0, 0, $"{Id} is not registered");
        if (position is null) return new PoolReceipt(StakingReason.NothingToClaim, 0, 0, 0, 0, "no position");
        var requested = new PoolOperation(operationId, PoolOperationKind.PayReward, Id, 0, position.Shares, 0, 0, position.Checkpoint, position.Settled);
        if (await NotRequested(requested, staker) is { } refused) return refused;
        if (TryReplay(operationId, out earlier)) return earlier;
        var pool = _state.State.Pool;
        if (pool is null) return new PoolReceipt(StakingReason.UnknownSequencer, 0, 0, 0, 0, $"{Id} is not registered");
        var reason = pool.TryClaimRewards(staker, position, out var next, out _, out var total);
        if (reason != StakingReason.Ok)
            return new PoolReceipt(reason, 0, pool.RewardIndex, 0, 0,
                position.Shares > pool.TotalShares || position.Checkpoint > pool.RewardIndex ? "the position does not match the pool" : "no reward to claim");
        _state.State.Pool = next;
        return await Complete(operationId, new PoolReceipt(StakingReason.Ok, 0, pool.RewardIndex, total, 0), false, 0);
    }

    public async Task<PoolReceipt> ClaimUnbonding(string operationId, ulong claimableFromEpoch, UInt128 bucketShares, ulong epoch)
    {
        if (TryReplay(operationId, out var earlier)) return earlier;
        if (_state.State.Pool is null) return new PoolReceipt(StakingReason.UnknownSequencer, 0, 0, 0, 0, $"{Id} is not registered");
        var requested = new PoolOperation(operationId, PoolOperationKind.ClaimUnbonding, Id, 0, bucketShares, epoch, claimableFromEpoch, 0, 0);
        if (await NotRequested(requested, null) is { } refused) return refused;
        if (TryReplay(operationId, out earlier)) return earlier;
        var pool = _state.State.Pool;
        if (pool is null) return new PoolReceipt(StakingReason.UnknownSequencer, 0, 0, 0, 0, $"{Id} is not registered");
        var reason = pool.TryClaimUnbonding(claimableFromEpoch, bucketShares, epoch, out var next, out var amount);
        if (reason != StakingReason.Ok)
            return new PoolReceipt(reason, 0, 0, 0, claimableFromEpoch,
                reason == StakingReason.ExitDelayNotPassed ? $"claimable from epoch {claimableFromEpoch}" : "no such unbonding stake");
        _state.State.Pool = next;
        return await Complete(operationId, new PoolReceipt(StakingReason.Ok, 0, pool.RewardIndex, amount, claimableFromEpoch), false, epoch);
    }

    public async Task CreditBlockReward(ulong height, UInt128 fees)
    {
        var pool = _state.State.Pool;
        if (pool is null || _state.State.Config is null) return;
        // Rewards arrive when a block is final, in height order per proposer; a retried credit is applied once.
        if (height <= _state.State.LastRewardedHeight) return;
        // A reward needs its finalized block: settlement (the L1) has finalized the height, and the chain's record of the
        // block names this sequencer as proposer with exactly these fees. Anything else mints nothing.
        var basis = await GrainFactory.Chain(ChainId).GetRewardBasis(height);
        var finalized = (await GrainFactory.Settlement(ChainId).GetView()).FinalizedHeight;
        if (basis is null || basis.ProposerId != Id || basis.Fees != fees || height > finalized)
        {
            _metrics.Refused(ChainId, "reward", StakingReason.EvidenceMismatch.ToString());
            _log.LogWarning("sequencer {Chain}/{Id}: refused a reward for block {Height} ({Detail})", ChainId, Id, height,
                basis is null ? "no such block" : height > finalized ? $"not final (settlement finalized {finalized})"
                : basis.ProposerId != Id ? $"proposed by {basis.ProposerId}" : "fees differ from the block's");
            return;
        }
        pool = _state.State.Pool!;
        if (height <= _state.State.LastRewardedHeight) return; // credited meanwhile (the grain is reentrant)
        var minted = Staking.RewardPerBlock;
        var reason = pool.TryDistribute(checked(minted + fees), Staking.CommissionBps, out var next, out _);
        if (reason != StakingReason.Ok)
        {
            _log.LogError("sequencer {Chain}/{Id}: reward for block {Height} not credited: {Reason}", ChainId, Id, height, reason);
            return;
        }
        _state.State.Pool = next;
        _state.State.LastRewardedHeight = height;
        _state.State.Minted += minted;
        _state.State.FeesIn += fees;
        await PersistAsync();
    }

    public async Task<SlashResult> Slash(SlashKind kind, Address[] reporters, ulong epoch, string evidenceId)
    {
        if (_state.State.Pool is null) return SlashResult.Refused(StakingReason.UnknownSequencer);
        reporters ??= [];
        if (_state.State.SlashEvidence.Contains(evidenceId ?? "")) return SlashResult.Refused(StakingReason.AlreadyApplied);
        var proven = await ProveSlash(kind, reporters, epoch, evidenceId!);
        if (proven != StakingReason.Ok)
        {
            _metrics.Refused(ChainId, "slash", proven.ToString());
            _log.LogWarning("sequencer {Chain}/{Id}: refused a {Kind} slash without its evidence ('{Evidence}', epoch {Epoch})",
                ChainId, Id, kind, evidenceId is { Length: <= SlashEvidence.MaxIdLength } ? evidenceId : "(too long)", epoch);
            return SlashResult.Refused(proven);
        }
        // Once per evidence (checked again: the grain is reentrant and the proof awaited).
        if (!_state.State.SlashEvidence.Add(evidenceId!)) return SlashResult.Refused(StakingReason.AlreadyApplied);
        var pool = _state.State.Pool!;
        // The ledger's rule (docs/STAKING.md): reporters count once each and the offender's own owner not at all; order
        // is kept, so a caller paying its list in order pays the right ones; the split's remainder and the rest are burned.
        var result = pool.TryPenalize(kind, Staking, reporters, epoch, out var next, out var split);
        if (!result.IsOk)
        {
            _state.State.SlashEvidence.Remove(evidenceId!);
            return result;
        }
        var (slashed, paid, burned) = (result.Slashed, split.ToReporters, split.Burned);
        _state.State.Pool = next;
        _state.State.Slashed += slashed;
        _state.State.Burned += burned;
        _state.State.PaidToReporters += paid;
        await PersistAsync();
        _log.LogWarning("sequencer {Chain}/{Id}: slashed {Amount} for {Kind} ({Status}{Until}); {Paid} to {Reporters} reporter(s), {Burned} burned",
            ChainId, Id, Token.Format(slashed), kind, next.Status, next.Status == SequencerStatus.Jailed ? $" until epoch {next.JailedUntilEpoch}" : "",
            Token.Format(paid), split.Rewarded.Count, Token.Format(burned));
        // Rotation may be the caller: tell it without waiting.
        _ = GrainFactory.Rotation(ChainId).OnStandingChanged(StandingOf(next, epoch));
        return result;
    }

    /// <summary>
    /// Whether the slash has its evidence: an invalid state root or equivocation only as the chain's decided slash order
    /// names it (this offender, kind, epoch and reporters, not yet answered); downtime only by
    /// <see cref="SlashEvidence.CheckDowntime"/> against rotation's term record and the chain's last commit. Every read
    /// is of a query that interleaves: the chain or rotation asking is waiting on this call.
    /// </summary>
    private async Task<StakingReason> ProveSlash(SlashKind kind, Address[] reporters, ulong epoch, string evidenceId)
    {
        if (!SlashEvidence.IsWellFormed(evidenceId) || reporters.Length > SlashEvidence.MaxReporters || !Enum.IsDefined(kind))
            return StakingReason.EvidenceMismatch;
        var chain = GrainFactory.Chain(ChainId);
        if (kind is SlashKind.InvalidStateRoot or SlashKind.Equivocation)
        {
            var order = await chain.GetSlashOrder(evidenceId);
            return order is not null && !order.Decided && order.Matches(Id, kind, epoch, reporters) ? StakingReason.Ok : StakingReason.EvidenceMismatch;
        }
        if (!SlashEvidence.TryParseDowntime(evidenceId, out var term) || reporters.Length != 0) return StakingReason.EvidenceMismatch;
        var terms = await GrainFactory.Rotation(ChainId).GetTerms();
        var record = terms.FirstOrDefault(t => t.Term == term);
        if (record is null) return StakingReason.EvidenceMismatch;
        var head = await chain.GetHead();
        var lastCommitMs = head.Height == 0 ? 0 : (await chain.GetRewardBasis(head.Height))?.CommittedAtMs ?? 0;
        var termStartMs = _term is { } led && led.Term == term ? led.StartedAtMs : 0;
        return SlashEvidence.CheckDowntime(Id, epoch, new TermRecordView(record.Term, record.LeaderId, record.Epoch), terms[^1].Term == term,
            lastCommitMs, termStartMs, NowMs, _state.State.Config?.EffectiveLeaderTimeoutMs ?? 0);
    }

    public async Task ReleaseIfDue(ulong epoch)
    {
        var pool = _state.State.Pool;
        if (pool is null || _state.State.Config is null) return;
        if (!Eligibility.JailServed(pool.Status, pool.JailedUntilEpoch, epoch)) return; // nothing due: nothing to check
        // A release needs its epoch to have come: the chain's head has reached it (the epoch of the next height to commit).
        var head = await GrainFactory.Chain(ChainId).GetHead();
        var reached = new Core.Scheduling.Epochs(_state.State.Config.EpochLength).Of(head.Height + 1);
        if (epoch > reached && !await JailElapsedWhileHalted(pool))
        {
            _metrics.Refused(ChainId, "release", StakingReason.EvidenceMismatch.ToString());
            _log.LogWarning("sequencer {Chain}/{Id}: refused a release at epoch {Epoch}: the chain has reached epoch {Reached}", ChainId, Id, epoch, reached);
            return;
        }
        pool = _state.State.Pool!;
        var next = pool.ReleaseAt(epoch, Staking.ActivationDelayEpochs);
        if (ReferenceEquals(next, pool) || next == pool) return;
        _state.State.Pool = next;
        await PersistAsync();
        _ = GrainFactory.Rotation(ChainId).OnStandingChanged(StandingOf(next, epoch));
    }

    /// <summary>The other release rotation makes: on a chain halted for lack of members, a jail also runs out by wall clock
    /// (docs/STAKING.md, "Jail on a halted chain") — checked here against rotation's own record of the halt.</summary>
    private async Task<bool> JailElapsedWhileHalted(SequencerPool pool)
    {
        var status = await GrainFactory.Rotation(ChainId).GetStatus();
        if (status.NoMembersSinceMs <= 0) return false;
        var config = _state.State.Config!;
        var nominalEpochMs = checked((long)config.EpochLength * config.BlockIntervalMs);
        return Eligibility.JailElapsedWhileHalted(pool.Status, pool.JailedUntilEpoch, status.Epoch, NowMs - status.NoMembersSinceMs, nominalEpochMs);
    }

    public Task<SequencerPool?> GetPool() => Task.FromResult(_state.State.Pool);

    public Task<PoolSupply> GetSupply()
    {
        var s = _state.State;
        var pool = s.Pool;
        return Task.FromResult(new PoolSupply(pool?.TotalStake ?? 0, pool?.UnbondingStake ?? 0, pool?.RewardPool ?? 0,
            s.Minted, s.FeesIn, s.Burned, s.PaidToReporters));
    }
}
