using System.Text;
using System.Text.Json.Serialization;
using ActorRollup.Core.Blocks;

namespace ActorRollup.Audit;

/// <summary>
/// What an audit found wrong, one code per rule of the protocol the replay checks. The codes are stable: scripts,
/// results.json and the tests match on <see cref="AuditReasons.Code"/> (the kebab-case name), not on the detail text.
/// </summary>
public enum AuditReason
{
    /// <summary>A block is missing or carries another height than its position (the chain must be contiguous).</summary>
    HeightGap,
    /// <summary>The header names another chain.</summary>
    WrongChain,
    /// <summary>The parent hash is not the hash of the block below (or of block 0).</summary>
    ParentLink,
    /// <summary>The header's epoch is not the fixed height range the height falls in (PROTOCOL.md §6).</summary>
    WrongEpoch,
    /// <summary>A block carries a lower term than the block below: terms only go up.</summary>
    TermRegression,
    /// <summary>A block's term was never appointed by rotation (within the history rotation keeps).</summary>
    UnknownTerm,
    /// <summary>The proposer is not its term's leader, or not on its epoch's committee.</summary>
    IllegitimateLeader,
    /// <summary>The block's height or epoch lies outside its term's range.</summary>
    OutsideTerm,
    /// <summary>An epoch's first term was not given to the leader the schedule algorithm picks, or not from the epoch's first height.</summary>
    ScheduleMismatch,
    /// <summary>A leader replaced during an epoch (failover) was appointed again in the same epoch.</summary>
    LeaderReappointed,
    /// <summary>A committee is malformed, over the size limit, differs from the genesis one for epoch 1, or gives a genesis sequencer a foreign key.</summary>
    CommitteeMismatch,
    /// <summary>The proposer's signature over the header does not verify under its committee key.</summary>
    BadProposerSignature,
    /// <summary>The quorum certificate does not verify against the epoch's committee (wrong block, unknown or duplicate signer, bad signature, 2/3 not reached).</summary>
    BadCertificate,
    /// <summary>The header's transaction root does not match the body.</summary>
    TxRootMismatch,
    /// <summary>The header names an L2 fee recipient; fees go to the proposer's L1 pool.</summary>
    BadFeeRecipient,
    /// <summary>A transaction's signature does not verify.</summary>
    BadTxSignature,
    /// <summary>A transaction hash is committed a second time.</summary>
    DuplicateTx,
    /// <summary>The transactions of a block are not in the chain's ordering-policy order.</summary>
    OrderingViolation,
    /// <summary>A transaction's nonce is not its sender's next nonce (a gap or a replay).</summary>
    NonceOrder,
    /// <summary>A transaction fails execution for another reason (balance, gas limit, chain id, overflow).</summary>
    TxNotExecutable,
    /// <summary>The header's state root differs from the root the replay computed.</summary>
    StateRootMismatch,
    /// <summary>The chain's head (height, hash or state root) is not where the replay ended.</summary>
    HeadMismatch,
    /// <summary>A rollback record is inconsistent: no challenge behind it, or a restored root that is not the canonical parent's.</summary>
    RollbackMismatch,
    /// <summary>The chain's supply audit does not balance: total ≠ genesis + minted − burned.</summary>
    SupplyNotConserved,
    /// <summary>The chain's genesis supply differs from the supply the genesis configuration defines.</summary>
    GenesisSupplyMismatch,
    /// <summary>L2 balances differ from the replay, or genesis L2 balances ≠ L2 balances + every fee paid.</summary>
    L2SupplyMismatch,
    /// <summary>Fees of non-final blocks (on their way to the L1 pools) differ from the replay's.</summary>
    FeesInFlightMismatch,
    /// <summary>A proposer's pool was minted or paid fees for other than its finalized blocks.</summary>
    RewardMismatch,
}

/// <summary>Stable text codes of <see cref="AuditReason"/>.</summary>
public static class AuditReasons
{
    /// <summary>The audit's reason for a fault of the core's block rules.</summary>
    public static AuditReason Of(BlockFault fault) => fault switch
    {
        BlockFault.WrongHeight => AuditReason.HeightGap,
        BlockFault.WrongChain => AuditReason.WrongChain,
        BlockFault.WrongParent => AuditReason.ParentLink,
        BlockFault.WrongEpoch => AuditReason.WrongEpoch,
        BlockFault.IllegitimateLeader => AuditReason.IllegitimateLeader,
        BlockFault.OutsideTerm => AuditReason.OutsideTerm,
        BlockFault.BadProposerSignature => AuditReason.BadProposerSignature,
        BlockFault.BadCertificate => AuditReason.BadCertificate,
        BlockFault.TxRootMismatch => AuditReason.TxRootMismatch,
        BlockFault.BadFeeRecipient => AuditReason.BadFeeRecipient,
        BlockFault.OrderingViolation => AuditReason.OrderingViolation,
        BlockFault.StateRootMismatch => AuditReason.StateRootMismatch,
        BlockFault.InvalidTransaction => AuditReason.TxNotExecutable,
        _ => throw new ArgumentOutOfRangeException(nameof(fault), fault, "not a fault"),
    };

    /// <summary>The kebab-case code: <c>StateRootMismatch</c> → <c>state-root-mismatch</c>, <c>L2SupplyMismatch</c> → <c>l2-supply-mismatch</c>.</summary>
    public static string Code(AuditReason reason)
    {
        var name = reason.ToString();
        var sb = new StringBuilder(name.Length + 4);
        for (int i = 0; i < name.Length; i++)
        {
            var c = name[i];
            if (char.IsUpper(c) && i > 0 && (char.IsLower(name[i - 1]) || char.IsDigit(name[i - 1]))) sb.Append('-');
            sb.Append(char.ToLowerInvariant(c));
        }
        return sb.ToString();
    }
}

/// <summary>One violation: the height it concerns (the chain head for whole-chain checks), its reason code and what was seen.</summary>
public sealed record AuditViolation(
    [property: JsonPropertyName("height"), JsonPropertyOrder(0)] ulong Height,
    [property: JsonIgnore] AuditReason Reason,
    [property: JsonPropertyName("detail"), JsonPropertyOrder(2)] string Detail)
{
    [JsonPropertyName("reason"), JsonPropertyOrder(1)] public string Code => AuditReasons.Code(Reason);

    public override string ToString() => $"height {Height}: {Code}: {Detail}";
}

/// <summary>
/// The verdict of one audit (<c>rollup verify</c>, and the <c>audit</c> object of a load test's results.json): how much
/// of the chain was replayed and checked, every violation found (the first <see cref="ChainReplay.ViolationLimit"/>;
/// <see cref="ViolationCount"/> counts them all), and the gaps — checks the replay could not make because the cluster
/// no longer holds what they need (e.g. committees of a chain older than rotation's epoch records). Gaps are reported, never counted as passed checks.
/// </summary>
public sealed record AuditReport
{
    [JsonPropertyName("chainId")] public string ChainId { get; init; } = "";
    [JsonPropertyName("passed")] public bool Passed => ViolationCount == 0;
    /// <summary>The head height the replay reached (blocks 1..Height).</summary>
    [JsonPropertyName("height")] public ulong Height { get; init; }
    [JsonPropertyName("blocks")] public int Blocks { get; init; }
    [JsonPropertyName("transactions")] public long Transactions { get; init; }
    [JsonPropertyName("certificates")] public int Certificates { get; init; }
    [JsonPropertyName("epochs")] public int Epochs { get; init; }
    [JsonPropertyName("terms")] public int Terms { get; init; }
    [JsonPropertyName("rollbacks")] public int Rollbacks { get; init; }
    [JsonPropertyName("finalStateRoot")] public string FinalStateRoot { get; init; } = "";
    /// <summary>Whether the chain's own supply audit balanced (null when the chain kept moving and it was not compared).</summary>
    [JsonPropertyName("supplyConserved")] public bool? SupplyConserved { get; init; }
    /// <summary>The chain's supply audit the replay was compared with (null when it was not compared).</summary>
    [JsonPropertyName("supply")] public AuditSupply? Supply { get; init; }
    [JsonPropertyName("elapsedMs")] public long ElapsedMs { get; init; }
    [JsonPropertyName("violationCount")] public int ViolationCount { get; init; }
    [JsonPropertyName("violations")] public AuditViolation[] Violations { get; init; } = [];
    [JsonPropertyName("gaps")] public string[] Gaps { get; init; } = [];
}

/// <summary>The supply figures of the chain's audit, in tokens (exact decimal strings): total = genesis + minted − burned when conserved.</summary>
public sealed record AuditSupply(
    [property: JsonPropertyName("total")] string Total,
    [property: JsonPropertyName("expected")] string Expected,
    [property: JsonPropertyName("genesis")] string Genesis,
    [property: JsonPropertyName("minted")] string Minted,
    [property: JsonPropertyName("burned")] string Burned);
