using ActorRollup.Core;
using ActorRollup.Core.Blocks;
using ActorRollup.Core.Primitives;
using ActorRollup.Core.Scheduling;
using ActorRollup.Core.Staking;

namespace ActorRollup.Abstractions.Config;

/// <summary>
/// Every protocol parameter of one chain (PROTOCOL.md), with the simulation defaults. Bound from configuration
/// section <c>Chain</c> by the silo (appsettings.json, then environment, then command line) and carried to
/// every grain of the chain at bootstrap. Amounts are whole tokens in configuration and base units inside.
/// </summary>
[GenerateSerializer, Alias("ar.ChainConfig")]
public sealed record ChainConfig
{
    [Id(0)] public string ChainId { get; set; } = "rollup-1";

    // §2 admission
    [Id(1)] public ulong MinGasPrice { get; set; } = 1_000_000_000;
    [Id(2)] public int MaxTransactionBytes { get; set; } = 1024;
    [Id(3)] public int MempoolCapacity { get; set; } = 200_000;
    /// <summary>How far past the account nonce a pending transaction may be.</summary>
    [Id(4)] public int MaxNonceGap { get; set; } = 64;
    /// <summary>The numeric chain id Ethereum transactions sign over (EIP-155) and <c>eth_chainId</c> answers; 0 derives
    /// it from <see cref="ChainId"/> (<see cref="ChainParameters.DeriveEthChainId"/>).</summary>
    [Id(43)] public ulong EthChainId { get; set; }

    // §7 blocks
    [Id(5)] public int BlockIntervalMs { get; set; } = 250;
    [Id(6)] public int MaxTxPerBlock { get; set; } = 5_000;
    [Id(7)] public OrderingPolicy Ordering { get; set; } = OrderingPolicy.Fcfs;
    /// <summary>How long a leader waits for attestations before reporting a failed quorum for this block;
    /// 0 means half the leader timeout. Must be below the leader timeout, or a live leader would be failed over.</summary>
    [Id(8)] public int AttestationTimeoutMs { get; set; }
    /// <summary>Blocks a leader keeps in flight (proposed, not yet appended): it proposes the next block on the previous
    /// one's state while that one is still being attested, so a WAN quorum round trip overlaps the following blocks
    /// (PROTOCOL.md §7). 1 = one block at a time.</summary>
    [Id(41)] public int PipelineDepth { get; set; } = 4;
    public const int MaxPipelineDepth = 16;

    // §6 committee and rotation
    [Id(9)] public ulong EpochLength { get; set; } = 100;
    [Id(10)] public int CommitteeSize { get; set; } = 16;
    [Id(11)] public string ScheduleAlgorithm { get; set; } = "weighted-round-robin";
    [Id(12)] public ulong ScheduleSeed { get; set; }
    /// <summary>Leader timeout; 0 means 4 × block interval (the protocol's default).</summary>
    [Id(13)] public int LeaderTimeoutMs { get; set; }

    // §8 validation, settlement
    [Id(14)] public int BatchSize { get; set; } = 20;
    [Id(15)] public ulong ChallengeWindow { get; set; } = 40;
    /// <summary>Share of committed blocks each validator re-executes, 0 &lt; x ≤ 1.</summary>
    [Id(16)] public double ValidationSampleRate { get; set; } = 1.0;
    /// <summary>False challenges a validator may make before its bond is slashed.</summary>
    [Id(17)] public int FalseChallengeStrikeLimit { get; set; } = 3;
    /// <summary>Share of a validator's bond slashed for repeated false challenges, in basis points.</summary>
    [Id(18)] public uint FalseChallengeSlashBps { get; set; } = 1_000;

    // §5 staking (tokens in configuration)
    [Id(19)] public ulong MinLockTokens { get; set; } = 20_000;
    [Id(20)] public ulong MaxLockTokens { get; set; } = 100_000;
    [Id(21)] public ulong ExitDelayEpochs { get; set; } = 2;
    [Id(22)] public ulong ActivationDelayEpochs { get; set; } = 2;
    [Id(23)] public uint CommissionBps { get; set; } = 1_000;
    /// <summary>Reward minted per block, in base units (0.000761 token).</summary>
    [Id(24)] public string RewardPerBlock { get; set; } = "0.000761";
    [Id(25)] public uint InvalidRootSlashBps { get; set; } = 1_000;
    [Id(26)] public ulong InvalidRootJailEpochs { get; set; } = 10;
    [Id(27)] public uint EquivocationSlashBps { get; set; } = 500;
    [Id(28)] public uint DowntimeSlashBps { get; set; } = 1;
    [Id(29)] public ulong DowntimeJailEpochs { get; set; } = 2;
    [Id(30)] public uint ReporterShareBps { get; set; } = 5_000;
    /// <summary>Owner addresses allowed to register a sequencer; empty = anyone.</summary>
    [Id(31)] public string[] RegistrationWhitelist { get; set; } = [];
    /// <summary>Finalized blocks between two checkpoints of the chain's state: a reactivated chain grain starts from the
    /// last checkpoint and replays only the block records after it (recovery cost O(interval), not O(chain)).</summary>
    [Id(32)] public ulong CheckpointInterval { get; set; } = 1_000;
    /// <summary>How many finalized blocks the chain keeps below its finalized height (block records, transactions and
    /// their index); older history is pruned from memory and storage. 0 = keep the whole chain (the default). When set
    /// it must be at least <see cref="CheckpointInterval"/>, so a reactivated chain grain always finds the blocks after
    /// its last checkpoint. Readers of pruned heights are told so (docs/PROTOCOL.md §11).</summary>
    [Id(42)] public ulong HistoryRetentionBlocks { get; set; }
    /// <summary>Whether operators may inject faults (crash, censor, bad roots, offline validators) into this chain's members.
    /// Off by default (a configured chain is meant to run honestly); load-test chains turn it on.</summary>
    [Id(40)] public bool AllowFaultInjection { get; set; }

    // Upper bounds (docs/PROTOCOL.md §11 "Settings and their bounds"): every height, epoch and window sum the grains
    // compute from these stays far inside 64 bits, so no setting can wrap a height or make finality immediate.
    public const ulong MaxEpochLength = 1_000_000;
    public const ulong MaxChallengeWindow = 1_000_000;
    public const ulong MaxCheckpointInterval = 1_000_000;
    /// <summary>Bound of every setting counted in epochs (jails, exit and activation delays).</summary>
    public const ulong MaxEpochSetting = 10_000;
    public const int MaxLeaderTimeoutMs = 600_000;
    public const int MaxBatchSize = 10_000;
    public const int MaxMempoolCapacity = 10_000_000;
    public const int MaxNonceGapLimit = 100_000;
    public const int MaxFalseChallengeStrikeLimit = 1_000;

    /// <summary>The floor of the default leader timeout (docs/PROTOCOL.md §4 "Failover"): a healthy leader's block can
    /// be held by a garbage-collection pause or a loaded core for several hundred ms (a 410 ms gap was measured on a busy
    /// 2-core machine at half its capacity, with 100 ms blocks), so the default never fails a leader over sooner. A dead
    /// leader does not wait for it: rotation asks a stalled leader whether it still leads, and re-appoints at once when
    /// its activation is gone.</summary>
    public const int MinDefaultLeaderTimeoutMs = 1_000;

    /// <summary>The leader timeout: <see cref="LeaderTimeoutMs"/> when set, else 4 x <see cref="BlockIntervalMs"/> but
    /// at least <see cref="MinDefaultLeaderTimeoutMs"/>.</summary>
    public int EffectiveLeaderTimeoutMs => LeaderTimeoutMs > 0 ? LeaderTimeoutMs : Math.Max(MinDefaultLeaderTimeoutMs, 4 * BlockIntervalMs);
    public int EffectiveAttestationTimeoutMs => AttestationTimeoutMs > 0 ? AttestationTimeoutMs : Math.Max(1, EffectiveLeaderTimeoutMs / 2);

    public ChainParameters ToChainParameters() => new()
    {
        ChainId = ChainId,
        MinGasPrice = MinGasPrice,
        MaxTransactionBytes = MaxTransactionBytes,
        EthChainId = EthChainId,
    };

    public ScheduleAlgorithm Algorithm =>
        ScheduleAlgorithms.TryParse(ScheduleAlgorithm, out var algorithm) ? algorithm : throw new InvalidOperationException($"Chain:ScheduleAlgorithm '{ScheduleAlgorithm}' is unknown");

    public StakingParameters ToStakingParameters() => new()
    {
        MinLock = Token.FromTokens(MinLockTokens),
        MaxLock = Token.FromTokens(MaxLockTokens),
        ExitDelayEpochs = ExitDelayEpochs,
        ActivationDelayEpochs = ActivationDelayEpochs,
        CommissionBps = CommissionBps,
        RewardPerBlock = Token.TryParse(RewardPerBlock, out var reward) ? reward : throw new InvalidOperationException($"Chain:RewardPerBlock '{RewardPerBlock}' is not an amount"),
        InvalidRootSlashBps = InvalidRootSlashBps,
        InvalidRootJailEpochs = InvalidRootJailEpochs,
        EquivocationSlashBps = EquivocationSlashBps,
        DowntimeSlashBps = DowntimeSlashBps,
        DowntimeJailEpochs = DowntimeJailEpochs,
        ReporterShareBps = ReporterShareBps,
        Whitelist = RegistrationWhitelist.Length == 0 ? null : RegistrationWhitelist.Select(Address.Parse).ToHashSet(),
    };

    /// <summary>Every problem with this configuration, each naming its setting (Chain:Name).</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (!Enum.IsDefined(Ordering)) errors.Add($"Chain:Ordering {(int)Ordering} is not a policy");
        else if (!OrderingPolicies.IsImplemented(Ordering))
            errors.Add($"Chain:Ordering {OrderingPolicies.Name(Ordering)} is not implemented yet (issue 14: {OrderingPolicies.ImplementedSpellings} are)");
        if (!ChainParameters.IsValidChainId(ChainId)) errors.Add($"Chain:ChainId '{ChainId}' must be 1-32 characters of a-z, 0-9 and '-'");
        if (EthChainId > ChainParameters.MaxEthChainId) errors.Add($"Chain:EthChainId must be between 1 and {ChainParameters.MaxEthChainId} (0 = derived from Chain:ChainId)");
        if (MaxTransactionBytes < 160 || MaxTransactionBytes > 65_536) errors.Add("Chain:MaxTransactionBytes must be between 160 and 65536");
        if (MempoolCapacity < 1 || MempoolCapacity > MaxMempoolCapacity) errors.Add($"Chain:MempoolCapacity must be between 1 and {MaxMempoolCapacity}");
        if (MaxNonceGap < 1 || MaxNonceGap > MaxNonceGapLimit) errors.Add($"Chain:MaxNonceGap must be between 1 and {MaxNonceGapLimit}");
        if (BlockIntervalMs < 5 || BlockIntervalMs > 60_000) errors.Add("Chain:BlockIntervalMs must be between 5 and 60000");
        if (MaxTxPerBlock < 1 || MaxTxPerBlock > 100_000) errors.Add("Chain:MaxTxPerBlock must be between 1 and 100000");
        if (LeaderTimeoutMs < 0 || LeaderTimeoutMs > MaxLeaderTimeoutMs) errors.Add($"Chain:LeaderTimeoutMs must be between 0 and {MaxLeaderTimeoutMs} (0 = 4 x BlockIntervalMs, at least 1000)");
        else if (AttestationTimeoutMs < 0) errors.Add("Chain:AttestationTimeoutMs must be >= 0 (0 = half the leader timeout)");
        else if (EffectiveAttestationTimeoutMs >= EffectiveLeaderTimeoutMs) errors.Add("Chain:AttestationTimeoutMs must be below the leader timeout (Chain:LeaderTimeoutMs)");
        if (PipelineDepth < 1 || PipelineDepth > MaxPipelineDepth) errors.Add($"Chain:PipelineDepth must be between 1 and {MaxPipelineDepth}");
        if (EpochLength < 2 || EpochLength > MaxEpochLength) errors.Add($"Chain:EpochLength must be between 2 and {MaxEpochLength}");
        if (CommitteeSize < 1 || CommitteeSize > 1_024) errors.Add("Chain:CommitteeSize must be between 1 and 1024");
        if (!ScheduleAlgorithms.TryParse(ScheduleAlgorithm, out _)) errors.Add($"Chain:ScheduleAlgorithm '{ScheduleAlgorithm}' must be weighted-round-robin or stake-lottery");
        if (BatchSize < 1 || BatchSize > MaxBatchSize) errors.Add($"Chain:BatchSize must be between 1 and {MaxBatchSize}");
        else if (EpochLength % (ulong)BatchSize != 0) errors.Add("Chain:BatchSize must divide Chain:EpochLength (a batch never spans two committees)");
        if (ChallengeWindow < 1 || ChallengeWindow > MaxChallengeWindow) errors.Add($"Chain:ChallengeWindow must be between 1 and {MaxChallengeWindow}");
        if (CheckpointInterval < 1 || CheckpointInterval > MaxCheckpointInterval) errors.Add($"Chain:CheckpointInterval must be between 1 and {MaxCheckpointInterval}");
        else if (HistoryRetentionBlocks != 0 && HistoryRetentionBlocks < CheckpointInterval)
            errors.Add("Chain:HistoryRetentionBlocks must be 0 (keep every block) or at least Chain:CheckpointInterval");
        if (!(ValidationSampleRate > 0 && ValidationSampleRate <= 1)) errors.Add("Chain:ValidationSampleRate must be in (0, 1]");
        if (FalseChallengeStrikeLimit < 1 || FalseChallengeStrikeLimit > MaxFalseChallengeStrikeLimit) errors.Add($"Chain:FalseChallengeStrikeLimit must be between 1 and {MaxFalseChallengeStrikeLimit}");
        if (FalseChallengeSlashBps > 10_000) errors.Add("Chain:FalseChallengeSlashBps must be <= 10000");
        foreach (var (name, value) in new[] { ("ExitDelayEpochs", ExitDelayEpochs), ("ActivationDelayEpochs", ActivationDelayEpochs),
                     ("InvalidRootJailEpochs", InvalidRootJailEpochs), ("DowntimeJailEpochs", DowntimeJailEpochs) })
            if (value > MaxEpochSetting) errors.Add($"Chain:{name} must be at most {MaxEpochSetting}");
        if (!Token.TryParse(RewardPerBlock, out _)) errors.Add($"Chain:RewardPerBlock '{RewardPerBlock}' is not a token amount");
        if (RegistrationWhitelist.Length > 10_000) errors.Add("Chain:RegistrationWhitelist must name at most 10000 owners");
        else foreach (var owner in RegistrationWhitelist)
            if (!Address.TryParse(owner, out _)) errors.Add($"Chain:RegistrationWhitelist entry '{owner}' is not a 0x address");
        if (errors.Count == 0)
            errors.AddRange(ToStakingParameters().Validate().Select(e => e.StartsWith("Staking:", StringComparison.Ordinal) ? "Chain:" + e["Staking:".Length..] : e));
        return errors;
    }
}
