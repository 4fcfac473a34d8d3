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

    /// <summary>A committed block to re-execute (delivered in height order; gaps are fetched from the chain). Applied only
    /// when it is the chain's block at its height.</summary>
    [InternalCall, Alias("OnBlockCommitted"), OneWay] Task OnBlockCommitted(CommittedBlock block);

    /// <summary>Another validator's challenge: check the proof against this replica and vote (cheap checks of the proof
    /// first). Read only, so it may interleave.</summary>
    [InternalCall, Alias("Vote"), AlwaysInterleave] Task<ChallengeVote> Vote(FraudProof proof);

    /// <summary>The chain deleted every block from <paramref name="fromHeight"/>: rewind the replica to its parent — only
    /// when the chain's head is that parent. Not interleaving: the validator's state writes are serialized.</summary>
    [InternalCall, Alias("OnRolledBack")] Task OnRolledBack(ulong fromHeight, Hash32 restoredHead);

    /// <summary>Outcome of a challenge this validator made or voted for: a win and its reward, only for a rollback the chain
    /// recorded under that id; a rejection is taken from the chain's answer to the challenger's own call instead (a forged
    /// one strikes nothing). Not interleaving.</summary>
    [InternalCall, Alias("OnChallengeDecided")] Task OnChallengeDecided(string challengeId, bool succeeded, UInt128 reward);

    [OperatorCall, Alias("InjectFault")] Task InjectFault(ValidatorFaultKind fault);
    [PublicCall, Alias("GetView"), AlwaysInterleave] Task<ValidatorView> GetView();
}
