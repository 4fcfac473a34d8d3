using ActorRollup.Abstractions;
using ActorRollup.Abstractions.Config;
using ActorRollup.Abstractions.Messages;
using ActorRollup.Core.Blocks;
using ActorRollup.Core.Staking;

namespace ActorRollup.Grains.Rotation;

/// <summary>What rotation knows of one sequencer: stake checkpoints by the epoch a change was made in, status, key.</summary>
[GenerateSerializer, Alias("ar.SequencerRecord")]
public sealed class SequencerRecord
{
    [Id(0)] public List<ulong> CheckpointEpochs { get; set; } = [];
    [Id(1)] public List<UInt128> CheckpointStakes { get; set; } = [];
    [Id(2)] public SequencerStatus Status { get; set; }
    [Id(3)] public ulong JailedUntilEpoch { get; set; }
    [Id(4)] public byte[] SignerPublicKey { get; set; } = [];
}

/// <summary>A recent leadership term (bounded history: the non-finalized range needs it for legitimacy checks).</summary>
[GenerateSerializer, Immutable, Alias("ar.TermRecord")]
public sealed record TermRecord([property: Id(0)] ulong Term, [property: Id(1)] string Leader, [property: Id(2)] ulong Epoch, [property: Id(3)] ulong FirstHeight, [property: Id(4)] ulong LastHeight)
{
    public TermInfo ToInfo() => new(Term, Leader, Epoch, FirstHeight, LastHeight);
}

[GenerateSerializer, Alias("ar.RotationState")]
public sealed class RotationState
{
    [Id(0)] public ChainConfig? Config { get; set; }
    [Id(1)] public ulong Epoch { get; set; }
    [Id(2)] public ulong TermCounter { get; set; }
    [Id(3)] public LeadershipTerm? Current { get; set; }
    /// <summary>Weighted-round-robin priorities after the current epoch's step (ids, powers, priorities).</summary>
    [Id(4)] public string[] WrrIds { get; set; } = [];
    [Id(5)] public long[] WrrPowers { get; set; } = [];
    [Id(6)] public long[] WrrPriorities { get; set; } = [];
    [Id(7)] public string? WrrLeader { get; set; }
    [Id(8)] public Dictionary<string, SequencerRecord> Sequencers { get; set; } = [];
    /// <summary>Committees of recent epochs (bounded).</summary>
    [Id(9)] public Dictionary<ulong, CommitteeSeat[]> Committees { get; set; } = [];
    [Id(10)] public List<TermRecord> Terms { get; set; } = [];
    /// <summary>Leaders that failed during the current epoch (skipped by re-span).</summary>
    [Id(11)] public HashSet<string> FailedThisEpoch { get; set; } = [];
    [Id(12)] public ulong LastHeight { get; set; }
    [Id(13)] public long LastBlockMs { get; set; }
    [Id(14)] public bool Halted { get; set; }
    [Id(15)] public string HaltReason { get; set; } = "";
    [Id(16)] public int Failovers { get; set; }
    [Id(18)] public int LeaderChanges { get; set; }
    /// <summary>Set at a failover: the time of the old leader's last block, until the new leader's first block.</summary>
    [Id(19)] public long FailoverPendingSinceMs { get; set; }
    /// <summary>Every signer key ever registered (hex): a key is never used twice.</summary>
    [Id(20)] public HashSet<string> UsedSignerKeys { get; set; } = [];
    [Id(21)] public bool Retired { get; set; }
    [Id(22)] public List<FailoverRecord> FailoverLog { get; set; } = [];
    /// <summary>The failover waiting for the replacement's first block: (failed, replacement, reason, at).</summary>
    [Id(23)] public FailoverRecord? PendingFailover { get; set; }
    /// <summary>When the current halt for lack of members (no eligible sequencer, or every member failed) began; 0: none.
    /// Jails run out by wall clock from here (docs/STAKING.md "Jail on a halted chain").</summary>
    [Id(24)] public long NoMembersSinceMs { get; set; }
}

/// <summary>One epoch's committee and leadership terms, written as its own record when a term starts: the head record
/// keeps only recent epochs, these keep the whole history for audits (<c>rollup verify</c>).</summary>
[GenerateSerializer, Alias("ar.EpochRecord")]
public sealed class EpochRecord
{
    [Id(0)] public CommitteeSeat[] Committee { get; set; } = [];
    [Id(1)] public List<TermRecord> Terms { get; set; } = [];
}
