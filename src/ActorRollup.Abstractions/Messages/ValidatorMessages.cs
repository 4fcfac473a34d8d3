using ActorRollup.Core.Primitives;

namespace ActorRollup.Abstractions.Messages;

/// <summary>Faults a validator can be told to commit (PROTOCOL.md §9).</summary>
public enum ValidatorFaultKind
{
    None = 0,
    /// <summary>Ignores blocks and votes (offline).</summary>
    Offline = 1,
    /// <summary>Challenges the next valid block it sees (a false challenge).</summary>
    FalseChallenge = 2,
}

[GenerateSerializer, Immutable, Alias("ar.ValidatorView")]
public sealed record ValidatorView(
    [property: Id(0)] string Id,
    [property: Id(1)] UInt128 Bond,
    [property: Id(2)] ulong VerifiedHeight,
    [property: Id(3)] Hash32 ReplicaRoot,
    [property: Id(4)] int ChallengesOpened,
    [property: Id(5)] int ChallengesWon,
    [property: Id(6)] int Strikes,
    [property: Id(7)] UInt128 Rewards,
    [property: Id(8)] string Fault,
    [property: Id(9)] ulong BlocksChecked,
    [property: Id(10)] string LastViolation);
