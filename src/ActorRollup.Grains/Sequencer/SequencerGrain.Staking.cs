using ActorRollup.Abstractions;
using ActorRollup.Abstractions.Config;
using ActorRollup.Abstractions.Messages;
using ActorRollup.Core.Crypto;
using ActorRollup.Core.Primitives;
using ActorRollup.Core.Staking;
using Microsoft.Extensions.Logging;

namespace ActorRollup.Grains.Sequencer;

// The sequencer's stake pool (PROTOCOL.md §5): self-stake and delegations as shares, the lazy reward index with
// commission, unbonding buckets, slashing and jailing. Staker grains own the positions; every pool operation they
// ask for carries an operation id, and a retried operation returns its first receipt.
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
        if (action.Kind != StakeActionKind.RegisterSequencer || action.SequencerId != Id || action.ChainId != ChainId)
            return Refuse(StakingReason.InvalidSequencerId, "the action does not register this sequencer");
        if (!action.VerifySignature()) return Refuse(StakingReason.InvalidSignerKey, "the owner's signature does not verify");
        if (signerSeed.Length != Ed25519.SeedSize) return Refuse(StakingReason.InvalidSignerKey, "the signer seed is not 32 bytes");
        using (var signer = SigningKey.FromSeed(signerSeed))
            if (!signer.PublicKey.AsSpan().SequenceEqual(action.SignerPublicKey)) return Refuse(StakingReason.InvalidSignerKey, "the signer seed does not match the signed signer key");
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
        if (pool.Status == SequencerStatus.Candidate)
        {
            _state.State.Pool = pool = pool with { Status = SequencerStatus.Active };
            await PersistAsync();
        }
        return StandingOf(pool, 0);
    }

    private StandingUpdate StandingOf(SequencerPool pool, ulong epoch) =>
        new(Id, pool.TotalStake, pool.Status, pool.JailedUntilEpoch, pool.SignerPublicKey.ToArray(), epoch);

    private bool TryReplay(string operationId, out PoolReceipt receipt) => _state.State.RecentOperations.TryGetValue(operationId, out receipt!);

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
        var pool = _state.State.Pool;
        if (pool is null) return new PoolReceipt(StakingReason.UnknownSequencer, 0, 0, 0, 0, $"{Id} is not registered");
        var reason = pool.TryDeposit(amount, staker == pool.Owner, Staking.MaxLock, epoch, out var next, out var shares);
        if (reason == StakingReason.Ok) _state.State.Pool = next;
        return await Complete(operationId, new PoolReceipt(reason, shares, pool.RewardIndex, amount, 0), reason == StakingReason.Ok, epoch);
    }

    public async Task<PoolReceipt> Withdraw(string operationId, Address staker, UInt128 positionShares, UInt128 amount, ulong epoch)
    {
        if (TryReplay(operationId, out var earlier)) return earlier;
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
        var pool = _state.State.Pool;
        if (pool is null) return SlashResult.Refused(StakingReason.UnknownSequencer);
        if (!_state.State.SlashEvidence.Add(evidenceId)) return SlashResult.Refused(StakingReason.AlreadyTombstoned);
        // The ledger's rule (docs/STAKING.md): reporters count once each and the offender's own owner not at all; order
        // is kept, so a caller paying its list in order pays the right ones; the split's remainder and the rest are burned.
        var result = pool.TryPenalize(kind, Staking, reporters, epoch, out var next, out var split);
        if (!result.IsOk) return result;
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

    public async Task ReleaseIfDue(ulong epoch)
    {
        var pool = _state.State.Pool;
        if (pool is null || _state.State.Config is null) return;
        var next = pool.ReleaseAt(epoch, Staking.ActivationDelayEpochs);
        if (ReferenceEquals(next, pool) || next == pool) return;
        _state.State.Pool = next;
        await PersistAsync();
        _ = GrainFactory.Rotation(ChainId).OnStandingChanged(StandingOf(next, epoch));
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
