using ActorRollup.Abstractions.Config;
using ActorRollup.Abstractions.Messages;
using ActorRollup.Core.Primitives;
using ActorRollup.Core.Staking;

namespace ActorRollup.Grains.Sequencer;

/// <summary>A sequencer's persistent state: its signer key, its stake pool, counters and recent operation receipts.</summary>
[GenerateSerializer, Alias("ar.SequencerState")]
public sealed class SequencerState
{
    [Id(0)] public ChainConfig? Config { get; set; }
    /// <summary>The Ed25519 private seed of the signer key (the simulation's node holds its own key).</summary>
    [Id(1)] public byte[] SignerSeed { get; set; } = [];
    [Id(2)] public SequencerPool? Pool { get; set; }
    [Id(3)] public ulong BlocksProposed { get; set; }
    [Id(4)] public ulong Attestations { get; set; }
    /// <summary>Receipts of recent staking operations by id, so a retried operation is applied once (bounded).</summary>
    [Id(5)] public Dictionary<string, PoolReceipt> RecentOperations { get; set; } = [];
    [Id(6)] public Queue<string> RecentOperationOrder { get; set; } = new();
    /// <summary>The highest height whose block reward this pool was credited: rewards come at finality in height
    /// order, so a retried credit (height at or below it) is applied once.</summary>
    [Id(7)] public ulong LastRewardedHeight { get; set; }
    [Id(8)] public UInt128 Slashed { get; set; }
    [Id(9)] public HashSet<string> SlashEvidence { get; set; } = [];
    [Id(10)] public UInt128 Minted { get; set; }
    [Id(11)] public UInt128 FeesIn { get; set; }
    [Id(12)] public UInt128 Burned { get; set; }
    [Id(13)] public UInt128 PaidToReporters { get; set; }

}
