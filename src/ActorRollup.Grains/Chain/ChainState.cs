using ActorRollup.Abstractions.Config;
using ActorRollup.Abstractions.Messages;
using ActorRollup.Core.Blocks;
using ActorRollup.Core.Execution;
using ActorRollup.Core.Primitives;

namespace ActorRollup.Grains.Chain;

/// <summary>
/// The chain grain's small, bounded head record. Blocks live in their own records (<see cref="BlockRecord"/>),
/// one per height, written once — never a whole history per block.
/// </summary>
[GenerateSerializer, Alias("ar.ChainState")]
public sealed class ChainState
{
    /// <summary>The published genesis (<see cref="GenesisKeys.Publish"/>): no node-key seed, the members' public keys.</summary>
    [Id(0)] public ChainGenesis? Genesis { get; set; }
    [Id(1)] public ulong Height { get; set; }
    [Id(2)] public Hash32 HeadHash { get; set; }
    [Id(3)] public ulong ValidatedHeight { get; set; }
    [Id(4)] public ulong FinalizedHeight { get; set; }
    [Id(5)] public LeadershipTerm? Term { get; set; }
    [Id(6)] public Hash32 GenesisHash { get; set; }
    /// <summary>The most recent rollbacks (bounded).</summary>
    [Id(7)] public List<RollbackRecord> Rollbacks { get; set; } = [];
    /// <summary>False challenges per validator (strikes).</summary>
    [Id(8)] public Dictionary<string, int> Strikes { get; set; } = [];
    [Id(9)] public ulong ChallengeCounter { get; set; }
    /// <summary>Validator bonds (whole tokens) for the > 2/3-of-bond rules.</summary>
    [Id(10)] public Dictionary<string, ulong> ValidatorBonds { get; set; } = [];
    /// <summary>Proposers already tombstoned for equivocation (evidence is acted on once).</summary>
    [Id(11)] public HashSet<string> Tombstoned { get; set; } = [];
    /// <summary>Hashes of recently rolled-back blocks (bounded): written before their records are deleted, so a
    /// reactivated chain never mistakes a record a rollback left behind for a commit it must roll forward.</summary>
    [Id(12)] public List<Hash32> RolledBackHashes { get; set; } = [];
    /// <summary>Height of the last state checkpoint written (0: none yet).</summary>
    [Id(13)] public ulong CheckpointHeight { get; set; }
    /// <summary>The secret node-key seed of the genesis members' keys: kept here only, never returned by a query; the
    /// chain hands each member its own key from it at bootstrap (internal calls).</summary>
    [Id(14)] public string? NodeKeySeed { get; set; }
    /// <summary>History pruning (Chain:HistoryRetentionBlocks, ChainGrain.Pruning.cs): heights 1..PrunedHeight are no
    /// longer held — readers are refused with <c>pruned</c>. Raised at finality, never above the checkpoint height, so a
    /// reactivated chain always finds the block records after its checkpoint.</summary>
    [Id(15)] public ulong PrunedHeight { get; set; }
    /// <summary>Block records deleted up to this height (at most one prune step behind <see cref="PrunedHeight"/> in the
    /// head record; a reactivated chain deletes again from here, so no record is left behind by a crash).</summary>
    [Id(16)] public ulong PruneClearedHeight { get; set; }
    /// <summary>The slashes the chain decided, most recent last (bounded; ChainGrain.Evidence.cs): the evidence the
    /// offender, settlement and the reporters' stakers check. A high id keeps clear of the head record's other fields.</summary>
    [Id(40)] public List<SlashOrder> SlashOrders { get; set; } = [];
}

/// <summary>One committed block: the block, its certificate, when it was committed, and the accounts it changed
/// (the post-state diff), so the state can be rebuilt by replaying diffs without re-executing.</summary>
[GenerateSerializer, Alias("ar.BlockRecord")]
public sealed class BlockRecord
{
    [Id(0)] public required Block Block { get; init; }
    [Id(1)] public required QuorumCertificate Certificate { get; init; }
    [Id(2)] public long CommittedAtMs { get; init; }
    [Id(3)] public Address[] TouchedAddresses { get; init; } = [];
    [Id(4)] public Account[] TouchedAccounts { get; init; } = [];
    [Id(5)] public long SignedPower { get; init; }
    [Id(6)] public long CommitteePower { get; init; }
    /// <summary>The fees of the included transactions (bridged to the proposer's L1 pool).</summary>
    [Id(7)] public UInt128 Fees { get; init; }
    /// <summary>Admission time of each transaction (0 when unknown), for latency figures.</summary>
    [Id(8)] public long[] AdmittedAtMs { get; init; } = [];
    /// <summary>When the append call arrived (its certificate complete), for the soft-confirm breakdown; 0 when unknown.</summary>
    [Id(9)] public long AppendReceivedAtMs { get; init; }
    /// <summary>Each entry's execution outcome, kept only when an entry did not succeed: a failed call (it is in the block,
    /// nonce used and gas paid, its effect excluded) or a forged body (an honest leader includes only what executes, and
    /// validators challenge the rest); empty when every entry succeeded.</summary>
    [Id(10)] public ExecutionOutcome[] Outcomes { get; init; } = [];

    /// <summary>Whether entry <paramref name="index"/> executed (it paid its fee and holds its nonce; a failed call's effect is
    /// excluded).</summary>
    public bool Included(int index) => Outcomes.Length == 0 || ExecutionOutcomes.InBlock(Outcomes[index]);

    /// <summary><see cref="Outcomes"/> for an execution: empty when every entry succeeded.</summary>
    public static ExecutionOutcome[] OutcomesOf(ExecutionResult result) =>
        result.AllSucceeded ? [] : result.Receipts.Select(r => r.Outcome).ToArray();
}
