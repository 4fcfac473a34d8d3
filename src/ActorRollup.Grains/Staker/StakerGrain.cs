using ActorRollup.Abstractions;
using ActorRollup.Abstractions.Config;
using ActorRollup.Abstractions.Messages;
using ActorRollup.Abstractions.Security;
using ActorRollup.Core.Crypto;
using ActorRollup.Core.Primitives;
using ActorRollup.Core.Staking;
using ActorRollup.Grains.Infrastructure;
using Microsoft.Extensions.Logging;

namespace ActorRollup.Grains.Staker;

/// <summary>
/// A staker on the L1 locking pool (PROTOCOL.md §5): its L1 balance, its positions in sequencer pools, pending
/// unlocks and claimed rewards. Every action must be signed by the staker's own key and carry its next nonce
/// (§9: stake actions need the staker's signature); a refused action changes nothing. The pool side of each
/// operation is idempotent by operation id ("address/nonce"), so a retried action is applied exactly once.
/// While it waits on a pool operation it answers <see cref="Requested"/> for exactly that operation: the sequencer's
/// check that a Deposit / Withdraw / PayReward / ClaimUnbonding / Register really comes from this staker. L1 tokens enter
/// only as the chain's genesis funding (once) and as reporter credits the chain's decided slash orders name.
/// </summary>
[MemberPlacement]
public sealed class StakerGrain : Grain, IStakerGrain
{
    private readonly IPersistentState<StakerState> _state;
    private readonly RollupMetrics _metrics;
    private readonly ILogger<StakerGrain> _log;

    public StakerGrain([PersistentState("staker", StorageNames.Rollup)] IPersistentState<StakerState> state, RollupMetrics metrics, ILogger<StakerGrain> log)
    {
        _state = state;
        _metrics = metrics;
        _log = log;
    }

    private (string ChainId, string Id) Key => GrainKeys.SplitMember(this.GetPrimaryKeyString());
    private string ChainId => Key.ChainId;
    private Address Address => Address.Parse(Key.Id);
    private StakerState S => _state.State;
    private const int CreditedEvidenceLimit = 1_024;

    /// <summary>The pool operation this staker is waiting on (the grain runs one action at a time), for <see cref="Requested"/>.</summary>
    private PoolOperation? _pending;

    public Task<bool> Requested(PoolOperation operation) => Task.FromResult(operation is not null && _pending is { } pending && pending == operation);

    /// <summary>Runs one pool call with <paramref name="operation"/> declared as this staker's pending request.</summary>
    private async Task<T> AskPool<T>(PoolOperation operation, Func<Task<T>> call)
    {
        _pending = operation;
        try
        {
            return await call();
        }
        finally
        {
            _pending = null;
        }
    }

    public async Task Fund(ChainConfig config, UInt128 amount)
    {
        // The chain's genesis is the authority: funding happens once, while the chain bootstraps (a genesis, no epoch
        // begun yet), and only with a genesis owner's funding (its self-stake plus the owners' liquid L1 tokens).
        if (S.Funded != UInt128.Zero) return; // a second funding changes nothing
        var genesis = await GrainFactory.Chain(ChainId).GetGenesis();
        if (genesis is null) throw new CallRefusedException(CallRefusal.Unproven, $"chain {ChainId} has no genesis: nothing to fund");
        if (await GrainFactory.Rotation(ChainId).GetCurrent() is not null)
            throw new CallRefusedException(CallRefusal.Unproven, "L1 funding is only possible at genesis");
        var liquid = Token.FromTokens(genesis.OwnerL1Tokens);
        if (!genesis.Sequencers.Any(s => checked(Token.FromTokens(s.StakeTokens) + liquid) == amount))
            throw new CallRefusedException(CallRefusal.Unproven, $"{Token.Format(amount)} is no genesis owner's funding");
        if (S.Funded != UInt128.Zero) return;
        S.Config ??= genesis.Config;
        S.Balance = checked(S.Balance + amount);
        S.Funded = amount;
        await _state.WriteStateAsync();
    }

    public async Task<StakeResult> Execute(StakeAction action, byte[]? sequencerSignerSeed = null)
    {
        StakeResult Refuse(StakingReason reason, string detail)
        {
            _metrics.Refused(ChainId, "stake", reason.ToString());
            return new StakeResult(reason, 0, detail);
        }
        if (action.ChainId != ChainId) return Refuse(StakingReason.BadSignature, $"the action is for chain '{action.ChainId}'");
        // Checked before the address is derived from it: a key of the wrong length has no address.
        if (action.StakerPublicKey is not { Length: Ed25519.PublicKeySize }) return Refuse(StakingReason.BadSignature, "the staker key is not a 32-byte Ed25519 key");
        if (action.Staker != Address) return Refuse(StakingReason.BadSignature, $"signed by {action.Staker}, not by {Address}");
        if (!action.VerifySignature()) return Refuse(StakingReason.BadSignature, "the signature does not verify");
        if (action.Nonce != S.Nonce) return Refuse(StakingReason.BadNonce, $"nonce {action.Nonce}, expected {S.Nonce}");
        var config = S.Config ??= (await GrainFactory.Chain(ChainId).GetGenesis())?.Config;
        if (config is null) return Refuse(StakingReason.UnknownSequencer, "the chain does not exist");
        var epoch = (await GrainFactory.Rotation(ChainId).GetStatus()).Epoch;
        var operation = StakeOperations.Id(Address, action.Nonce);
        var sequencer = GrainFactory.Sequencer(ChainId, action.SequencerId);

        StakeResult result;
        switch (action.Kind)
        {
            case StakeActionKind.RegisterSequencer:
            {
                if (action.Amount > S.Balance) return Refuse(StakingReason.InsufficientBalance, $"balance {Token.Format(S.Balance)}");
                if (sequencerSignerSeed is null) return Refuse(StakingReason.InvalidSignerKey, "the signer seed is missing");
                var receipt = await AskPool(new PoolOperation(operation, PoolOperationKind.Register, action.SequencerId, action.Amount, 0, epoch, 0, 0, 0),
                    () => sequencer.Register(config, action, sequencerSignerSeed, epoch));
                if (!receipt.Ok) return Refuse(receipt.Reason, receipt.Detail);
                S.Balance -= action.Amount;
                S.Positions[action.SequencerId] = StakePosition.Empty(receipt.RewardIndex).AddShares(receipt.Shares, receipt.RewardIndex);
                result = new StakeResult(StakingReason.Ok, action.Amount, $"registered {action.SequencerId}");
                break;
            }
            case StakeActionKind.Delegate:
            {
                if (action.Amount == 0) return Refuse(StakingReason.ZeroAmount, "nothing to delegate");
                if (action.Amount > S.Balance) return Refuse(StakingReason.InsufficientBalance, $"balance {Token.Format(S.Balance)}");
                var receipt = await AskPool(new PoolOperation(operation, PoolOperationKind.Deposit, action.SequencerId, action.Amount, 0, epoch, 0, 0, 0),
                    () => sequencer.Deposit(operation, Address, action.Amount, epoch));
                if (!receipt.Ok) return Refuse(receipt.Reason, receipt.Detail);
                S.Balance -= action.Amount;
                var position = S.Positions.GetValueOrDefault(action.SequencerId) ?? StakePosition.Empty(receipt.RewardIndex);
                S.Positions[action.SequencerId] = position.AddShares(receipt.Shares, receipt.RewardIndex);
                result = new StakeResult(StakingReason.Ok, action.Amount, $"delegated to {action.SequencerId}");
                break;
            }
            case StakeActionKind.Unlock:
            {
                if (!S.Positions.TryGetValue(action.SequencerId, out var position) || position.Shares == 0)
                    return Refuse(StakingReason.UnlockExceedsLocked, $"no stake with {action.SequencerId}");
                var receipt = await AskPool(new PoolOperation(operation, PoolOperationKind.Withdraw, action.SequencerId, action.Amount, position.Shares, epoch, 0, 0, 0),
                    () => sequencer.Withdraw(operation, Address, position.Shares, action.Amount, epoch));
                if (!receipt.Ok) return Refuse(receipt.Reason, receipt.Detail);
                S.Positions[action.SequencerId] = position.RemoveShares(receipt.Shares, receipt.RewardIndex);
                // The ledger's bookkeeping: an unlock into a bucket already held merges with it (one claim pays both).
                var book = PendingUnlock.Record(S.Unlocks.Select(u => u.ToPending()).ToList(),
                    new PendingUnlock(action.SequencerId, action.Amount, receipt.Amount, epoch, receipt.ClaimableFromEpoch));
                S.Unlocks = book.Select(StakerUnlock.Of).ToList();
                result = new StakeResult(StakingReason.Ok, action.Amount, $"claimable from epoch {receipt.ClaimableFromEpoch}");
                break;
            }
            case StakeActionKind.ClaimUnlocked:
            {
                var due = S.Unlocks.Where(u => u.ToPending().IsClaimableAt(epoch)).ToList();
                if (due.Count == 0)
                    return S.Unlocks.Count > 0
                        ? Refuse(StakingReason.ExitDelayNotPassed, $"first claimable at epoch {S.Unlocks.Min(u => u.ClaimableFromEpoch)}, now {epoch}")
                        : Refuse(StakingReason.NothingToClaim, "no pending unlock");
                UInt128 total = 0;
                for (int i = 0; i < due.Count; i++)
                {
                    var u = due[i];
                    var claim = StakeOperations.ClaimId(operation, i);
                    var receipt = await AskPool(new PoolOperation(claim, PoolOperationKind.ClaimUnbonding, u.SequencerId, 0, u.BucketShares, epoch, u.ClaimableFromEpoch, 0, 0),
                        () => GrainFactory.Sequencer(ChainId, u.SequencerId).ClaimUnbonding(claim, u.ClaimableFromEpoch, u.BucketShares, epoch));
                    if (!receipt.Ok) continue;
                    S.Unlocks.Remove(u);
                    S.Balance += receipt.Amount;
                    total += receipt.Amount;
                }
                result = new StakeResult(StakingReason.Ok, total, $"claimed {due.Count} unlock(s)");
                break;
            }
            case StakeActionKind.ClaimRewards:
            {
                // No position is not necessarily nothing to claim: an owner that left its own pool keeps earning the
                // commission of its last blocks as they become final (docs/STAKING.md, choice 7). The pool decides.
                var position = S.Positions.GetValueOrDefault(action.SequencerId) ?? StakePosition.Empty(UInt128.Zero);
                var receipt = await AskPool(new PoolOperation(operation, PoolOperationKind.PayReward, action.SequencerId, 0, position.Shares, 0, 0, position.Checkpoint, position.Settled),
                    () => sequencer.PayReward(operation, Address, position));
                if (!receipt.Ok) return Refuse(receipt.Reason, receipt.Detail);
                S.Positions[action.SequencerId] = position.Claim(receipt.RewardIndex, out _);
                S.Balance += receipt.Amount;
                S.RewardsClaimed += receipt.Amount;
                result = new StakeResult(StakingReason.Ok, receipt.Amount, $"rewards from {action.SequencerId}");
                break;
            }
            default:
                return Refuse(StakingReason.ZeroAmount, $"unknown action {action.Kind}");
        }
        S.Nonce++;
        foreach (var empty in S.Positions.Where(p => p.Value.IsEmpty).Select(p => p.Key).ToList()) S.Positions.Remove(empty);
        await _state.WriteStateAsync();
        return result;
    }

    public async Task CreditReward(UInt128 amount, string evidenceId)
    {
        // A credit needs its evidence: the chain's decided slash order names this staker among the reporters it paid, at
        // exactly this share (what the offender's pool gave up for it). Once per evidence.
        if (!SlashEvidence.IsWellFormed(evidenceId)) throw new CallRefusedException(CallRefusal.Unproven, "a reporter credit needs its evidence id");
        if (S.CreditedEvidence.Contains(evidenceId)) return;
        var order = await GrainFactory.Chain(ChainId).GetSlashOrder(evidenceId);
        if (order is null || !order.Decided || !order.Rewarded.Contains(Address) || order.PerReporter != amount || amount == UInt128.Zero)
        {
            _metrics.Refused(ChainId, "credit", StakingReason.EvidenceMismatch.ToString());
            throw new CallRefusedException(CallRefusal.Unproven, $"no decided slash '{evidenceId}' pays {Address} {Token.Format(amount)}");
        }
        if (S.CreditedEvidence.Contains(evidenceId)) return;
        S.Balance = checked(S.Balance + amount);
        S.ReporterRewards = checked(S.ReporterRewards + amount);
        S.CreditedEvidence.Add(evidenceId);
        if (S.CreditedEvidence.Count > CreditedEvidenceLimit) S.CreditedEvidence.RemoveRange(0, S.CreditedEvidence.Count - CreditedEvidenceLimit);
        await _state.WriteStateAsync();
        _log.LogInformation("staker {Chain}/{Address}: credited {Amount} (reporter of {Evidence} against {Offender})", ChainId, Address, Token.Format(amount), evidenceId, order.Offender);
    }

    public async Task<StakerView> GetView()
    {
        var positions = new List<PositionView>();
        foreach (var (id, position) in S.Positions)
        {
            var pool = await GrainFactory.Sequencer(ChainId, id).GetPool();
            var value = pool is null ? UInt128.Zero : pool.ValueOf(position.Shares);
            var pending = pool is null ? UInt128.Zero : pool.ClaimableBy(Address, position);
            positions.Add(new PositionView(id, value, pending));
        }
        var unlocks = new List<UnlockView>();
        foreach (var u in S.Unlocks) unlocks.Add(new UnlockView(u.SequencerId, await UnlockValue(u), u.ClaimableFromEpoch));
        return new StakerView(Address, S.Balance, positions.ToArray(), unlocks.ToArray(), S.Nonce, S.RewardsClaimed);
    }

    /// <summary>
    /// What a pending unlock would pay now: its share of the pool's unbonding bucket, which a slash during the exit delay
    /// cuts (docs/STAKING.md, choice 1) — not the amount originally unlocked.
    /// </summary>
    private async Task<UInt128> UnlockValue(StakerUnlock unlock)
    {
        var pool = await GrainFactory.Sequencer(ChainId, unlock.SequencerId).GetPool();
        return pool is not null && pool.TryGetUnbondingPayout(unlock.ClaimableFromEpoch, unlock.BucketShares, out var payout) ? payout : unlock.Amount;
    }
}
