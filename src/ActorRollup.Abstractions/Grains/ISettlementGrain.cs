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
    /// <summary>Once, for a chain whose genesis exists (the genesis's config is used, not the argument); refused
    /// ("unproven") for a chain id with no genesis. A second call changes nothing.</summary>
    [InternalCall, Alias("Initialize")] Task Initialize(ChainConfig config);
    [InternalCall, Alias("PostBatch")] Task<SettlementReason> PostBatch(BatchHeader batch, CommitteeSignature[] signatures, CommitteeSeat[] committee);
    /// <summary>The chain head moved: batches whose challenge window has passed become final. Returns the finalized height.
    /// Settlement advances only to the chain's committed head (it reads it: a larger <paramref name="height"/> is clamped)
    /// and stamps finality with its own clock (<paramref name="nowMs"/> is ignored).</summary>
    [InternalCall, Alias("OnHead")] Task<ulong> OnHead(ulong height, long nowMs);
    /// <summary>The chain's challenge <paramref name="challengeId"/> rolls back from <paramref name="fromHeight"/>: batches
    /// covering those blocks are withdrawn. Refused, changing nothing, when the height is final (<c>Finalized</c>: the
    /// chain then does not roll back) or no decided challenge of the chain names that rollback (<c>Unproven</c>).</summary>
    [InternalCall, Alias("Revert")] Task<SettlementReason> Revert(string challengeId, ulong fromHeight);
    [PublicCall, Alias("GetView"), ReadOnly] Task<SettlementView> GetView();
}
