using ActorRollup.Core.Blocks;
using ActorRollup.Core.Primitives;

namespace ActorRollup.Abstractions.Messages;

public enum SettlementReason
{
    Ok = 0,
    /// <summary>The batch does not start right after the last posted batch.</summary>
    OutOfOrder = 1,
    /// <summary>The signatures do not carry more than 2/3 of the committee's stake.</summary>
    BadCertificate = 2,
    /// <summary>The batch does not match the chain's blocks.</summary>
    Mismatch = 3,
    AlreadyPosted = 4,
    NotInitialized = 5,
    /// <summary>A withdrawal of batches reaching a finalized height: finality is never undone.</summary>
    Finalized = 6,
    /// <summary>A withdrawal of batches that no rollback the chain decided asks for.</summary>
    Unproven = 7,
}

[GenerateSerializer, Immutable, Alias("ar.PostedBatch")]
public sealed record PostedBatch(
    [property: Id(0)] BatchHeader Header,
    [property: Id(1)] CommitteeSignature[] Signatures,
    [property: Id(2)] long PostedAtMs,
    [property: Id(3)] bool Final,
    [property: Id(4)] long FinalizedAtMs);

[GenerateSerializer, Immutable, Alias("ar.SettlementView")]
public sealed record SettlementView(
    [property: Id(0)] ulong PostedHeight,
    [property: Id(1)] ulong FinalizedHeight,
    [property: Id(2)] ulong BatchesPosted,
    [property: Id(3)] ulong BatchesFinal,
    [property: Id(4)] ulong BatchesReverted,
    [property: Id(5)] PostedBatch[] Recent);
