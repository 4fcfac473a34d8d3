using ActorRollup.Abstractions.Config;
using ActorRollup.Core.Staking;

namespace ActorRollup.Grains.Staker;

/// <summary>A pending unlock held by a staker: bucket shares of one pool's unbonding stake, claimable from an epoch.</summary>
[GenerateSerializer, Alias("ar.StakerUnlock")]
public sealed record StakerUnlock([property: Id(0)] string SequencerId, [property: Id(1)] ulong ClaimableFromEpoch, [property: Id(2)] UInt128 BucketShares, [property: Id(3)] UInt128 Amount)
{
    /// <summary>The core's pending unlock, whose rules (merge, claimable) the staker applies; the unlock epoch is not kept (0).</summary>
    public PendingUnlock ToPending() => new(SequencerId, Amount, BucketShares, 0, ClaimableFromEpoch);

    public static StakerUnlock Of(PendingUnlock unlock) => new(unlock.SequencerId, unlock.ClaimableFromEpoch, unlock.BucketShares, unlock.Amount);
}

[GenerateSerializer, Alias("ar.StakerState")]
public sealed class StakerState
{
    [Id(0)] public ChainConfig? Config { get; set; }
    [Id(1)] public UInt128 Balance { get; set; }
    /// <summary>The next action nonce: each signed action must carry it (replay protection).</summary>
    [Id(2)] public ulong Nonce { get; set; }
    [Id(3)] public Dictionary<string, StakePosition> Positions { get; set; } = [];
    [Id(4)] public List<StakerUnlock> Unlocks { get; set; } = [];
    [Id(5)] public UInt128 RewardsClaimed { get; set; }
    [Id(6)] public UInt128 ReporterRewards { get; set; }
    [Id(7)] public UInt128 Funded { get; set; }
    /// <summary>Evidence ids of the reporter credits received, most recent last (bounded): a credit is applied once per evidence.</summary>
    [Id(8)] public List<string> CreditedEvidence { get; set; } = [];
}
