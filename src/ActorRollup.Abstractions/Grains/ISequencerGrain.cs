using ActorRollup.Abstractions.Security;
using ActorRollup.Abstractions.Config;
using ActorRollup.Abstractions.Messages;
using ActorRollup.Core.Blocks;
using ActorRollup.Core.Primitives;
using ActorRollup.Core.Staking;

namespace ActorRollup.Abstractions;

/// <summary>
/// A sequencer (key: "chainId/sequencerId"): its signer key, stake pool (self + delegated, reward index),
/// status; produces blocks while it leads, attests blocks while on the committee (PROTOCOL.md §1, §5, §7).
/// </summary>
[Alias("ar.ISequencerGrain")]
public interface ISequencerGrain : IGrainWithStringKey
{
    /// <summary>Registration by a staker's signed action (the staker grain locks the self-stake on success).</summary>
    [InternalCall, Alias("Register")] Task<PoolReceipt> Register(ChainConfig config, StakeAction action, byte[] signerSeed, ulong epoch);

    /// <summary>Genesis sequencers are active from epoch 1 (the genesis is the authority); returns the standing.</summary>
    [InternalCall, Alias("ActivateAtGenesis")] Task<StandingUpdate> ActivateAtGenesis();

    // --- leadership and attestation (§7)
    [InternalCall, Alias("BeginLeadership")] Task BeginLeadership(LeadershipTerm term);
    [InternalCall, Alias("EndLeadership")] Task EndLeadership(ulong term);
    /// <summary>Attests a block header as a committee member. Caller: internal — the epoch's leader (a sequencer grain). The caller's deadline goes in
    /// <paramref name="cancellationToken"/>: a crashed member never answers, and cancelling releases the call it holds
    /// (no abandoned call is left to Orleans' response timeout).</summary>
    [InternalCall, Alias("Attest")] Task<AttestationReply> Attest(SignedHeader header, CancellationToken cancellationToken = default);
    /// <summary>Signs a settlement batch as a committee member. Caller: internal — the leader posting the batch; the deadline as for <see cref="Attest"/>.</summary>
    [InternalCall, Alias("SignBatch")] Task<AttestationReply> SignBatch(BatchHeader batch, CancellationToken cancellationToken = default);

    // --- stake pool (§5). Staker grains own positions and call these with an operation id (idempotent: a retried
    // operation returns the first receipt); the chain and rotation credit rewards and slash. None trusts its arguments
    // (docs/SECURITY.md, defence in depth): a pool operation is checked with the staker grain the operation id names
    // (it must have asked for exactly it), a reward against the chain's finalized block, a slash against its evidence,
    // a release against the chain's head. A forged call changes nothing.
    [InternalCall, Alias("Deposit")] Task<PoolReceipt> Deposit(string operationId, Address staker, UInt128 amount, ulong epoch);
    [InternalCall, Alias("Withdraw")] Task<PoolReceipt> Withdraw(string operationId, Address staker, UInt128 positionShares, UInt128 amount, ulong epoch);
    [InternalCall, Alias("PayReward")] Task<PoolReceipt> PayReward(string operationId, Address staker, StakePosition position);
    [InternalCall, Alias("ClaimUnbonding")] Task<PoolReceipt> ClaimUnbonding(string operationId, ulong claimableFromEpoch, UInt128 bucketShares, ulong epoch);
    /// <summary>Credits a finalized block's reward (minted) and fees to this proposer's pool; idempotent per height. Only for
    /// a height settlement has finalized, whose block (the chain's record) this sequencer proposed with exactly these fees.</summary>
    [InternalCall, Alias("CreditBlockReward")] Task CreditBlockReward(ulong height, UInt128 fees);
    [PublicCall, Alias("GetPool"), ReadOnly] Task<SequencerPool?> GetPool();
    [PublicCall, Alias("GetSupply"), ReadOnly] Task<PoolSupply> GetSupply();
    /// <summary>Slashes for proven evidence, once per evidence id: an invalid state root or equivocation only as the chain's
    /// decided slash order names it (offender, kind, epoch, reporters); downtime only for rotation's latest term led by this
    /// sequencer in that epoch after a silence longer than the leader timeout. Anything else is refused (EvidenceMismatch).</summary>
    [InternalCall, Alias("Slash")] Task<SlashResult> Slash(SlashKind kind, Address[] reporters, ulong epoch, string evidenceId);
    /// <summary>Ends a served jail at <paramref name="epoch"/>: only an epoch the chain's head has reached (the epoch of
    /// the next height to commit); a later one releases nothing.</summary>
    [InternalCall, Alias("ReleaseIfDue")] Task ReleaseIfDue(ulong epoch);

    // --- faults and queries
    [OperatorCall, Alias("InjectFault")] Task InjectFault(SequencerFault fault);
    [PublicCall, Alias("GetView"), ReadOnly] Task<SequencerView> GetView();
    [PublicCall, Alias("GetAttestationRtts"), ReadOnly] Task<long[]> GetAttestationRtts();
}
