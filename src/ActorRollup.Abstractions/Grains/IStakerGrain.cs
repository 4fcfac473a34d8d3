using ActorRollup.Abstractions.Security;
using ActorRollup.Abstractions.Config;
using ActorRollup.Abstractions.Messages;
using ActorRollup.Core.Primitives;

namespace ActorRollup.Abstractions;

/// <summary>
/// A staker on the L1 locking pool (key: "chainId/0xaddress", PROTOCOL.md §5): its L1 balance, its locks and
/// delegations, pending unlocks and claimed rewards. Every action must carry the staker's own signature.
/// </summary>
[Alias("ar.IStakerGrain")]
public interface IStakerGrain : IGrainWithStringKey
{
    /// <summary>Genesis funding, once, while the chain bootstraps: the amount must be a genesis owner's funding (the
    /// chain's genesis is the authority, not the arguments; <paramref name="config"/> is ignored for the genesis's own).
    /// Refused (<c>CallRefusedException</c>, "unproven") otherwise; a second Fund changes nothing.</summary>
    [InternalCall, Alias("Fund")] Task Fund(ChainConfig config, UInt128 amount);

    /// <summary>Executes a signed action: register a sequencer, delegate, unlock, claim unlocked principal or rewards.</summary>
    [PublicCall, Alias("Execute")] Task<StakeResult> Execute(StakeAction action, byte[]? sequencerSignerSeed = null);

    /// <summary>Credits a reporter's share of a slash: only what the chain's decided slash order
    /// <paramref name="evidenceId"/> names this staker for (its <c>PerReporter</c>), once per evidence. Refused
    /// (<c>CallRefusedException</c>, "unproven") otherwise, changing nothing.</summary>
    [InternalCall, Alias("CreditReward")] Task CreditReward(UInt128 amount, string evidenceId);

    /// <summary>Whether this staker asked for exactly this pool operation and is waiting for it (the sequencer's check
    /// before it mints shares or pays out). Interleaves: the staker is awaiting that very sequencer call.</summary>
    [InternalCall, Alias("Requested"), AlwaysInterleave] Task<bool> Requested(PoolOperation operation);

    [PublicCall, Alias("GetView"), ReadOnly] Task<StakerView> GetView();
}
