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
    /// <summary>Genesis funding (the genesis is the authority).</summary>
    [InternalCall, Alias("Fund")] Task Fund(ChainConfig config, UInt128 amount);

    /// <summary>Executes a signed action: register a sequencer, delegate, unlock, claim unlocked principal or rewards.</summary>
    [PublicCall, Alias("Execute")] Task<StakeResult> Execute(StakeAction action, byte[]? sequencerSignerSeed = null);

    /// <summary>Credits a reporter's share of a slash (called by the chain after a successful challenge).</summary>
    [InternalCall, Alias("CreditReward")] Task CreditReward(UInt128 amount, string reason);

    [PublicCall, Alias("GetView"), ReadOnly] Task<StakerView> GetView();
}
