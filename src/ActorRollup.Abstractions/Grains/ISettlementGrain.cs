using ActorRollup.Abstractions.Security;
using ActorRollup.Abstractions.Config;
using ActorRollup.Abstractions.Messages;
using ActorRollup.Core.Blocks;

namespace ActorRollup.Abstractions;

/// <summary>
/// The simulated L1 of one chain (key: chain id, PROTOCOL.md §8): batches signed by a committee quorum,
/// challenge windows and finality. A finalized block can never be rolled back.
/// </summary>
[Alias("ar.ISettlementGrain")]
public interface ISettlementGrain : IGrainWithStringKey
{
    [InternalCall, Alias("Initialize")] Task Initialize(ChainConfig config);
    [InternalCall, Alias("PostBatch")] Task<SettlementReason> PostBatch(BatchHeader batch, CommitteeSignature[] signatures, CommitteeSeat[] committee);
    /// <summary>The chain head moved: batches whose challenge window has passed become final. Returns the finalized height.</summary>
    [InternalCall, Alias("OnHead")] Task<ulong> OnHead(ulong height, long nowMs);
    /// <summary>A rollback deleted blocks from <paramref name="fromHeight"/>: batches covering them are withdrawn.</summary>
    [InternalCall, Alias("Revert")] Task Revert(ulong fromHeight);
    [PublicCall, Alias("GetView"), ReadOnly] Task<SettlementView> GetView();
}
