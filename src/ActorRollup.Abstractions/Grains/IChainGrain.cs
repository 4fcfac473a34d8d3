using ActorRollup.Abstractions.Security;
using ActorRollup.Abstractions.Config;
using ActorRollup.Abstractions.Messages;
using ActorRollup.Core.Blocks;
using ActorRollup.Core.Execution;
using ActorRollup.Core.Primitives;

namespace ActorRollup.Abstractions;

/// <summary>
/// The ledger of one chain (key: chain id): canonical blocks with their quorum certificates, the state they
/// produce, head / validated / finalized heights, challenges and rollbacks (PROTOCOL.md §4, §8).
/// </summary>
[Alias("ar.IChainGrain")]
public interface IChainGrain : IGrainWithStringKey
{
    /// <summary>Creates the chain from its genesis and starts every actor of it. Refused when it exists.</summary>
    [OperatorCall, Alias("Bootstrap")] Task<AppendResult> Bootstrap(ChainGenesis genesis);

    /// <summary>Appends a block with its certificate; refused with a reason unless it is the current term's leader's next block.</summary>
    [InternalCall, Alias("AppendBlock")] Task<AppendResult> AppendBlock(Block block, QuorumCertificate certificate);

    /// <summary>The leadership the rotation grain appointed (a new term). Blocks from any other term are refused.
    /// Installed only as rotation recorded it (the chain asks <see cref="IRotationGrain.GetAppointedTerm"/>); any other
    /// term is refused with <see cref="CallRefusedException"/> (<c>contradicts-record</c>) and changes nothing.
    /// Interleaves: rotation may call it while the chain is waiting on rotation.</summary>
    [InternalCall, Alias("SetLeadership"), AlwaysInterleave] Task SetLeadership(LeadershipTerm term);

    /// <summary>A validator re-executed the block at <paramref name="height"/> and found it sound; counted only with
    /// <paramref name="signature"/>, the validator's signature over <see cref="Core.Blocks.ValidationReport"/>.</summary>
    [InternalCall, Alias("ReportValidated"), OneWay] Task ReportValidated(string validatorId, ulong height, Hash32 blockHash, byte[] signature);

    /// <summary>A validator challenges a block with a fraud proof; the other validators vote; success rolls back.</summary>
    [PublicCall, Alias("Challenge")] Task<ChallengeResult> Challenge(FraudProof proof);

    /// <summary>Rollback is only ever the outcome of a successful challenge: this entry point refuses every caller.</summary>
    [InternalCall, Alias("RequestRollback")] Task<AppendResult> RequestRollback(ulong fromHeight, string reason);

    /// <summary>Evidence that a proposer signed two blocks for one height and term.</summary>
    [PublicCall, Alias("ReportEquivocation")] Task<AppendResult> ReportEquivocation(EquivocationEvidence evidence, string reporterId);

    // Queries interleave with everything: they read immutable snapshots, and members call them while the chain
    // may be waiting on those members.
    [PublicCall, Alias("GetHead"), AlwaysInterleave] Task<ChainHead> GetHead();
    [PublicCall, Alias("GetStatus"), AlwaysInterleave] Task<ChainStatus> GetStatus();
    // Block reads answer null above the head (and for 0); a height the chain pruned (below ChainHead.OldestRetainedHeight,
    // Chain:HistoryRetentionBlocks) is refused with CallRefusedException, reason "pruned" — never a silent null.
    [PublicCall, Alias("GetBlock"), AlwaysInterleave] Task<BlockView?> GetBlock(ulong height);
    [PublicCall, Alias("GetCommittedBlock"), AlwaysInterleave] Task<CommittedBlock?> GetCommittedBlock(ulong height);
    /// <summary>A range starting below the oldest retained height is refused (<c>pruned</c>). At most 10,000 heights (<c>ChainGrain.MaxHashesPerQuery</c>, the largest batch); a wider range is refused
    /// (<see cref="CallRefusedException"/>, <c>argument-out-of-bounds</c>).</summary>
    [PublicCall, Alias("GetBlockHashes"), AlwaysInterleave] Task<Hash32[]> GetBlockHashes(ulong fromHeight, ulong toHeight);
    [PublicCall, Alias("GetSnapshot"), AlwaysInterleave] Task<ChainSnapshot> GetSnapshot();
    /// <summary>At most 100,000 addresses (<c>ChainGrain.MaxAccountsPerQuery</c>); more are refused (<c>argument-out-of-bounds</c>).</summary>
    [PublicCall, Alias("GetAccounts"), AlwaysInterleave] Task<Account[]> GetAccounts(Address[] addresses);
    [PublicCall, Alias("GetTxStatus"), AlwaysInterleave] Task<TxStatus> GetTxStatus(Hash32 hash);
    /// <summary>Supply conservation across L2, the L1 pools, stakers and validators (PROTOCOL.md §5). A snapshot: taken
    /// again when a finalization (which moves fees from in flight to the pools) ran between its reads.</summary>
    [PublicCall, Alias("AuditSupply"), AlwaysInterleave] Task<SupplyAudit> AuditSupply();
    [PublicCall, Alias("GetRollbacks"), AlwaysInterleave] Task<RollbackRecord[]> GetRollbacks();
    [PublicCall, Alias("GetGenesis"), AlwaysInterleave] Task<ChainGenesis?> GetGenesis();
    /// <summary>A slash the chain decided (a successful challenge or verified equivocation), by its evidence id, or null:
    /// what the offender, settlement and the reporters' stakers check a slash, a withdrawal or a credit against.</summary>
    [PublicCall, Alias("GetSlashOrder"), AlwaysInterleave] Task<SlashOrder?> GetSlashOrder(string evidenceId);
    /// <summary>The committed block at <paramref name="height"/>'s proposer and fees (what its reward is credited from), or null.</summary>
    [PublicCall, Alias("GetRewardBasis"), AlwaysInterleave] Task<RewardBasis?> GetRewardBasis(ulong height);
    /// <summary>The chain's history retention: its oldest retained height, how far pruned records are deleted, and the
    /// sizes of its in-memory per-height and per-transaction bookkeeping (docs/PROTOCOL.md §11).</summary>
    [PublicCall, Alias("GetRetention"), AlwaysInterleave] Task<RetentionView> GetRetention();
    /// <summary>The last state checkpoint (a finalized height), or null before the first.</summary>
    [PublicCall, Alias("GetCheckpoint"), AlwaysInterleave] Task<StateCheckpoint?> GetCheckpoint();

    // Lookups for the Ethereum JSON-RPC (docs/JSON-RPC.md). The lookup index maps the transactions blocks included and the
    // block hashes of the most recent retained heights (ChainGrain.TxIndexLimit transactions, ChainGrain.BlockIndexLimit
    // heights); it follows rollbacks and pruning, and a reactivated chain back-fills it from its retained blocks.
    /// <summary>The block at <paramref name="height"/> with each entry's outcome; 0 is the genesis block; null above the
    /// head or before bootstrap; a pruned height is refused (<c>pruned</c>), like <see cref="GetBlock"/>.</summary>
    [PublicCall, Alias("GetBlockReceipts"), AlwaysInterleave] Task<BlockReceipts?> GetBlockReceipts(ulong height);
    /// <summary>The same, found by block hash through the lookup index (the genesis hash included); null when the hash
    /// names no indexed block of the chain.</summary>
    [PublicCall, Alias("GetBlockReceiptsByHash"), AlwaysInterleave] Task<BlockReceipts?> GetBlockReceiptsByHash(Hash32 blockHash);
    /// <summary>A transaction a block of the chain included, with its receipt; null when the lookup index holds no such
    /// transaction (pending, unknown, rolled back, pruned or older than the index's bounds).</summary>
    [PublicCall, Alias("GetTransaction"), AlwaysInterleave] Task<TxLookup?> GetTransaction(Hash32 hash);
    /// <summary>Accounts after the block at <paramref name="height"/> (0: the genesis state), when the chain still holds
    /// that state: genesis, and the heights from the one below the finalized height to the head. At most 1,000 addresses (<c>ChainGrain.MaxAccountsAtPerQuery</c>); more are refused
    /// (<c>argument-out-of-bounds</c>).</summary>
    [PublicCall, Alias("GetAccountsAt"), AlwaysInterleave] Task<AccountsAt> GetAccountsAt(ulong height, Address[] addresses);
}
