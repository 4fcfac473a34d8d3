using ActorRollup.Abstractions.Config;
using ActorRollup.Core.Primitives;

namespace ActorRollup.Grains.Validator;

[GenerateSerializer, Alias("ar.ValidatorState")]
public sealed class ValidatorState
{
    [Id(0)] public ChainConfig? Config { get; set; }
    [Id(1)] public ChainGenesis? Genesis { get; set; }
    [Id(2)] public UInt128 Bond { get; set; }
    [Id(3)] public ulong VerifiedHeight { get; set; }
    [Id(4)] public Hash32 VerifiedHash { get; set; }
    [Id(5)] public int ChallengesOpened { get; set; }
    [Id(6)] public int ChallengesWon { get; set; }
    [Id(7)] public int Strikes { get; set; }
    /// <summary>L1 tokens earned as a reporter of successful challenges.</summary>
    [Id(8)] public UInt128 Rewards { get; set; }
    /// <summary>Bond burned for repeated false challenges.</summary>
    [Id(9)] public UInt128 BondBurned { get; set; }
    [Id(10)] public ulong BlocksChecked { get; set; }
    [Id(11)] public string LastViolation { get; set; } = "";
    [Id(12)] public UInt128 InitialBond { get; set; }
    /// <summary>The 32-byte seed of this validator's signing key, handed over by the chain at bootstrap (secret).</summary>
    [Id(13)] public byte[] SigningSeed { get; set; } = [];
    /// <summary>The last challenge ids whose verdict this validator applied (bounded), so a replayed verdict changes nothing.</summary>
    [Id(14)] public List<string> DecidedChallenges { get; set; } = [];
}
