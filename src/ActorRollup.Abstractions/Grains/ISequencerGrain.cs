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
    [Alias("Register")] Task<PoolReceipt> Register(ChainConfig config, StakeAction action, byte[] signerSeed, ulong epoch);

    /// <summary>Genesis sequencers are active from epoch 1 (the genesis is the authority); returns the standing.</summary>
    [Alias("ActivateAtGenesis")] Task<StandingUpdate> ActivateAtGenesis();

    // --- leadership and attestation (§7)
    [Alias("BeginLeadership")] Task BeginLeadership(LeadershipTerm term);
    [Alias("EndLeadership")] Task EndLeadership(ulong term);
    /// <summary>Attests a block header as a committee member. Caller: internal — the epoch's leader (a sequencer grain). The caller's deadline goes in
    /// <paramref name="cancellationToken"/>: a crashed member never answers, and cancelling releases the call it holds
    /// (no abandoned call is left to Orleans' response timeout).</summary>
    [Alias("Attest")] Task<AttestationReply> Attest(SignedHeader header, CancellationToken cancellationToken = default);
    /// <summary>Signs a settlement batch as a committee member. Caller: internal — the leader posting the batch; the deadline as for <see cref="Attest"/>.</summary>
    [Alias("SignBatch")] Task<AttestationReply> SignBatch(BatchHeader batch, CancellationToken cancellationToken = default);

    // --- stake pool (§5). Staker grains own positions and call these with an operation id (idempotent: a retried
    // operation returns the first receipt); the chain and rotation credit rewards and slash.
    [Alias("Deposit")] Task<PoolReceipt> Deposit(string operationId, Address staker, UInt128 amount, ulong epoch);
    [Alias("Withdraw")] Task<PoolReceipt> Withdraw(string operationId, Address staker, UInt128 positionShares, UInt128 amount, ulong epoch);
    [Alias("PayReward")] Task<PoolReceipt> PayReward(string operationId, Address staker, StakePosition position);
    [Alias("ClaimUnbonding")] Task<PoolReceipt> ClaimUnbonding(string operationId, ulong claimableFromEpoch, UInt128 bucketShares, ulong epoch);
    /// <summary>Credits a finalized block's reward (minted) and fees to this proposer's pool; idempotent per height.</summary>
    [Alias("CreditBlockReward")] Task CreditBlockReward(ulong height, UInt128 fees);
    [Alias("GetPool"), ReadOnly] Task<SequencerPool?> GetPool();
    [Alias("GetSupply"), ReadOnly] Task<PoolSupply> GetSupply();
    [Alias("Slash")] Task<SlashResult> Slash(SlashKind kind, Address[] reporters, ulong epoch, string evidenceId);
    [Alias("ReleaseIfDue")] Task ReleaseIfDue(ulong epoch);

    // --- faults and queries
    [Alias("InjectFault")] Task InjectFault(SequencerFault fault);
    [Alias("GetView"), ReadOnly] Task<SequencerView> GetView();
    [Alias("GetAttestationRtts"), ReadOnly] Task<long[]> GetAttestationRtts();
}
