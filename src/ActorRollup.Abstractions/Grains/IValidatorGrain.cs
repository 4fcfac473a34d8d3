using ActorRollup.Abstractions.Security;
using ActorRollup.Abstractions.Config;
using ActorRollup.Abstractions.Messages;
using ActorRollup.Core.Primitives;

namespace ActorRollup.Abstractions;

/// <summary>
/// A bonded validator (key: "chainId/validatorId", PROTOCOL.md §8): keeps a replica of the L2 state,
/// re-executes every committed block, challenges bad ones with a fraud proof and votes on others' challenges.
/// </summary>
[Alias("ar.IValidatorGrain")]
public interface IValidatorGrain : IGrainWithStringKey
{
    /// <summary>Starts the validator from the chain's published genesis with its own signing key's 32-byte seed (the
    /// chain derives it from its secret node-key seed; it must match the validator's published public key).</summary>
    [InternalCall, Alias("Initialize")] Task Initialize(ChainConfig config, ChainGenesis genesis, UInt128 bond, byte[] signingSeed);

    /// <summary>A committed block to re-execute (delivered in height order; gaps are fetched from the chain).</summary>
    [InternalCall, Alias("OnBlockCommitted"), OneWay] Task OnBlockCommitted(CommittedBlock block);

    /// <summary>Another validator's challenge: check the proof against this replica and vote.</summary>
    [InternalCall, Alias("Vote"), AlwaysInterleave] Task<ChallengeVote> Vote(FraudProof proof);

    /// <summary>The chain deleted every block from <paramref name="fromHeight"/>: rewind the replica to its parent.</summary>
    [InternalCall, Alias("OnRolledBack"), AlwaysInterleave] Task OnRolledBack(ulong fromHeight, Hash32 restoredHead);

    /// <summary>Outcome of this validator's challenge: reward, or a strike (and a bond slash past the limit).</summary>
    [InternalCall, Alias("OnChallengeDecided"), AlwaysInterleave] Task OnChallengeDecided(string challengeId, bool succeeded, UInt128 reward);

    [OperatorCall, Alias("InjectFault")] Task InjectFault(ValidatorFaultKind fault);
    [PublicCall, Alias("GetView"), AlwaysInterleave] Task<ValidatorView> GetView();
}
