using ActorRollup.Abstractions.Config;
using ActorRollup.Abstractions.Messages;
using ActorRollup.Core.Transactions;

namespace ActorRollup.Grains.Mempool;

/// <summary>The mempool's small head record: configuration, sequence counter, live admission-batch records, counters.</summary>
[GenerateSerializer, Alias("ar.MempoolState")]
public sealed class MempoolState
{
    [Id(0)] public ChainConfig? Config { get; set; }
    [Id(1)] public ulong NextSequence { get; set; }
    [Id(2)] public long NextBatchId { get; set; }
    /// <summary>Admission batches that still hold a pending transaction.</summary>
    [Id(3)] public HashSet<long> LiveBatches { get; set; } = [];
    [Id(4)] public ulong Admitted { get; set; }
    [Id(5)] public ulong Refused { get; set; }
    [Id(6)] public ulong Committed { get; set; }
    [Id(7)] public ulong Requeued { get; set; }
    /// <summary>Order commitments (encrypted policy) of heights up to here are final and cleared.</summary>
    [Id(8)] public ulong OrdersClearedThrough { get; set; }
}

/// <summary>The order commitments of one height (encrypted policy), one per term that committed one: its own record,
/// written before the committed contents are revealed.</summary>
[GenerateSerializer, Alias("ar.OrderCommitments")]
public sealed class OrderCommitments
{
    [Id(0)] public OrderCommitment[] ByTerm { get; init; } = [];
}

/// <summary>One admission batch, written once when admitted: the write-ahead record that makes admission durable.</summary>
[GenerateSerializer, Alias("ar.AdmissionBatch")]
public sealed class AdmissionBatch
{
    [Id(0)] public Transaction[] Transactions { get; init; } = [];
    [Id(1)] public ulong[] Sequences { get; init; } = [];
    [Id(2)] public long[] AdmittedAtMs { get; init; } = [];
}
