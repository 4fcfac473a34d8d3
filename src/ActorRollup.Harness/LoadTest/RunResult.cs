using System.Text.Json.Serialization;

namespace ActorRollup.Harness.LoadTest;

// The shapes of results.json. Other tools read it: the names are exact (docs/LOADTEST.md documents each).

public sealed record Percentiles(
    [property: JsonPropertyName("p50")] double P50,
    [property: JsonPropertyName("p95")] double P95,
    [property: JsonPropertyName("p99")] double P99);

public sealed record LatencySet(
    [property: JsonPropertyName("softConfirm")] Percentiles SoftConfirm,
    [property: JsonPropertyName("validated")] Percentiles Validated,
    [property: JsonPropertyName("finalized")] Percentiles Finalized);

public sealed record FailoverResult(
    [property: JsonPropertyName("durationMs")] long DurationMs,
    [property: JsonPropertyName("failedLeader")] string FailedLeader = "",
    [property: JsonPropertyName("replacement")] string Replacement = "",
    [property: JsonPropertyName("reason")] string Reason = "",
    [property: JsonPropertyName("atSec")] double AtSec = 0);

public sealed record RollbackResult([property: JsonPropertyName("depth")] int Depth, [property: JsonPropertyName("durationMs")] long DurationMs);

public sealed record RttResult([property: JsonPropertyName("p50")] double P50, [property: JsonPropertyName("p99")] double P99);

public sealed record FiredFault(
    [property: JsonPropertyName("kind")] string Kind,
    [property: JsonPropertyName("atSec")] double AtSec,
    [property: JsonPropertyName("target")] string Target,
    /// <summary>The argument the fault was given after ':' (partition, isolate), absent for the others.</summary>
    [property: JsonPropertyName("argument"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Argument = null);

/// <summary>A p50 and a p99, in ms.</summary>
public sealed record PercentilePair([property: JsonPropertyName("p50")] double P50, [property: JsonPropertyName("p99")] double P99)
{
    public static readonly PercentilePair Zero = new(0, 0);
}

/// <summary>Where a transaction's soft-confirm time went (docs/LOADTEST.md): waiting to be built into a block, the
/// block's attestation round, and the chain's commit.</summary>
public sealed record SoftConfirmBreakdown(
    [property: JsonPropertyName("queueing")] PercentilePair Queueing,
    [property: JsonPropertyName("attestationRound")] PercentilePair AttestationRound,
    [property: JsonPropertyName("commit")] PercentilePair Commit);

/// <summary>results.json's <c>network</c> of a run (docs/NETWORK.md): the matrix (<c>name</c> for the built-in one,
/// <c>file</c> otherwise) and the region of the client, of every member and of every validator.</summary>
public sealed record NetworkResult
{
    [JsonPropertyName("name"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Name { get; init; }
    [JsonPropertyName("file"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? File { get; init; }
    [JsonPropertyName("clientRegion")] public string ClientRegion { get; init; } = "";
    [JsonPropertyName("members")] public Dictionary<string, string> Members { get; init; } = [];
    [JsonPropertyName("validators")] public Dictionary<string, string> Validators { get; init; } = [];
}

/// <summary>Reads <c>blockIntervalMs</c> as a <see cref="PercentilePair"/>; a bare number (results written before it held
/// the achieved interval, when it was the configured one) reads as null, so --compare still reads old folders.</summary>
public sealed class AchievedIntervalConverter : JsonConverter<PercentilePair?>
{
    public override PercentilePair? Read(ref System.Text.Json.Utf8JsonReader reader, Type typeToConvert, System.Text.Json.JsonSerializerOptions options)
    {
        if (reader.TokenType == System.Text.Json.JsonTokenType.Number) return null;
        if (reader.TokenType == System.Text.Json.JsonTokenType.Null) return null;
        return System.Text.Json.JsonSerializer.Deserialize<PercentilePair>(ref reader, options);
    }

    public override void Write(System.Text.Json.Utf8JsonWriter writer, PercentilePair? value, System.Text.Json.JsonSerializerOptions options)
    {
        if (value is null) writer.WriteNullValue();
        else System.Text.Json.JsonSerializer.Serialize(writer, value, options);
    }
}

public sealed record RunResult
{
    [JsonPropertyName("committeeSize")] public int CommitteeSize { get; init; }
    [JsonPropertyName("validators")] public int Validators { get; init; }
    /// <summary>The measured window: after the warm-up, before the drain. Offered and committed tx/s are both over it.</summary>
    [JsonPropertyName("durationSec")] public double DurationSec { get; init; }
    /// <summary>Transactions offered for good in the window (by the time their submit call was sent; a re-offer after
    /// back-pressure counts once), per second of the window.</summary>
    [JsonPropertyName("offeredTps")] public double OfferedTps { get; init; }
    /// <summary>Transactions in blocks committed in the window (by the block's commit time), per second of the window.</summary>
    [JsonPropertyName("committedTps")] public double CommittedTps { get; init; }
    [JsonPropertyName("latencyMs")] public required LatencySet LatencyMs { get; init; }
    [JsonPropertyName("blocks")] public int Blocks { get; init; }
    [JsonPropertyName("epochs")] public ulong Epochs { get; init; }
    [JsonPropertyName("leaderChanges")] public int LeaderChanges { get; init; }
    [JsonPropertyName("failovers")] public FailoverResult[] Failovers { get; init; } = [];
    [JsonPropertyName("rollbacks")] public RollbackResult[] Rollbacks { get; init; } = [];
    [JsonPropertyName("slashes")] public int Slashes { get; init; }
    [JsonPropertyName("txAdmitted")] public long TxAdmitted { get; init; }
    [JsonPropertyName("txCommitted")] public long TxCommitted { get; init; }
    [JsonPropertyName("txLost")] public long TxLost { get; init; }
    [JsonPropertyName("txDuplicated")] public long TxDuplicated { get; init; }
    [JsonPropertyName("supplyConserved")] public bool SupplyConserved { get; init; }
    [JsonPropertyName("attestationRttMs")] public required RttResult AttestationRttMs { get; init; }

    // Beyond the required fields: what a reader needs to interpret the run.
    /// <summary>The traffic's encoding (--tx-format): "native" or "eth"; results written before it read as native.</summary>
    [JsonPropertyName("txFormat")] public string TxFormat { get; init; } = "native";
    /// <summary>The <c>ceilings</c> field this run's committed tx/s is compared with: ed25519VerifyPerSec (native) or
    /// secp256k1RecoverPerSec (eth).</summary>
    [JsonPropertyName("signatureCeiling")] public string? SignatureCeiling { get; init; }
    /// <summary><see cref="CommittedTps"/> over that ceiling (a fraction: 0.5 = half of it).</summary>
    [JsonPropertyName("committedToSignatureCeiling")] public double? CommittedToSignatureCeiling { get; init; }
    /// <summary>Sender recoveries and cache hits over the run (eth runs with the embedded silo; null otherwise).</summary>
    [JsonPropertyName("senderRecovery"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public SenderRecoveryResult? SenderRecovery { get; init; }
    [JsonPropertyName("chainId")] public string ChainId { get; init; } = "";
    /// <summary>Which of the committee size's side-by-side chains this run is (1..<see cref="Chains"/>, --chains).</summary>
    [JsonPropertyName("chainIndex")] public int ChainIndex { get; init; } = 1;
    /// <summary>How many chains ran side by side at this committee size (--chains; 1 = one chain).</summary>
    [JsonPropertyName("chains")] public int Chains { get; init; } = 1;
    /// <summary>The configured block interval (--block-interval).</summary>
    [JsonPropertyName("targetBlockIntervalMs")] public int TargetBlockIntervalMs { get; init; }
    /// <summary>The achieved interval between consecutive commits (CommittedAtMs) of blocks committed in the window.</summary>
    [JsonPropertyName("blockIntervalMs"), JsonConverter(typeof(AchievedIntervalConverter))] public PercentilePair? BlockIntervalMs { get; init; }
    /// <summary>The soft-confirm time of the window's transactions split into queueing, attestation round and commit.</summary>
    [JsonPropertyName("softConfirmBreakdownMs")] public SoftConfirmBreakdown? SoftConfirmBreakdownMs { get; init; }
    /// <summary>The network the run had (null without --network).</summary>
    [JsonPropertyName("network")] public NetworkResult? Network { get; init; }
    /// <summary>The worst quorum round trip of the run's committee over the network (QuorumRtt.WorstMs; null without --network).</summary>
    [JsonPropertyName("quorumRttMs")] public double? QuorumRttMs { get; init; }
    [JsonPropertyName("leaderTimeoutMs")] public int LeaderTimeoutMs { get; init; }
    /// <summary>Blocks the leader kept in flight (Chain:PipelineDepth, --pipeline-depth).</summary>
    [JsonPropertyName("pipelineDepth")] public int PipelineDepth { get; init; }
    [JsonPropertyName("offeredRate")] public string OfferedRate { get; init; } = "max";
    [JsonPropertyName("txRefused")] public long TxRefused { get; init; }
    /// <summary>Offers handed back to be made again (a back-pressure refusal, or a failed call), counted each time.</summary>
    [JsonPropertyName("txReoffered")] public long TxReoffered { get; init; }
    [JsonPropertyName("refusals")] public Dictionary<string, long> Refusals { get; init; } = [];
    [JsonPropertyName("faults")] public FiredFault[] Faults { get; init; } = [];
    /// <summary>The warm-up before the window; the timelines and fault times count from its start.</summary>
    [JsonPropertyName("warmupSec")] public double WarmupSec { get; init; }
    /// <summary>Committed transactions per second of the run, warm-up and window, by block commit time.</summary>
    [JsonPropertyName("tpsTimeline")] public double[] TpsTimeline { get; init; } = [];
    /// <summary>Offered transactions per second of the run, warm-up and window, counted as offeredTps is.</summary>
    [JsonPropertyName("offeredTimeline")] public double[] OfferedTimeline { get; init; } = [];
    /// <summary>Wall time of each phase of the run.</summary>
    [JsonPropertyName("phasesSec")] public PhaseSeconds? PhasesSec { get; init; }
    [JsonPropertyName("supplyAudit")] public string SupplyAudit { get; init; } = "";
    /// <summary>Transactions signed before the traffic started: the first lookahead batch (the "signing" phase).</summary>
    [JsonPropertyName("presignedTx")] public long PresignedTx { get; init; }
    /// <summary>Transactions signed in all, before and during the run (the signer keeps a bounded lookahead per worker).</summary>
    [JsonPropertyName("signedTx")] public long SignedTx { get; init; }
    /// <summary>Heights of the final chain the measurement could not read (pruned before it got to them); must be 0.</summary>
    [JsonPropertyName("blocksUnread")] public long BlocksUnread { get; init; }
    /// <summary>Committed hashes the run did not follow whose sender and nonce could not be read; must be 0.</summary>
    [JsonPropertyName("txUnresolved")] public long TxUnresolved { get; init; }
    /// <summary>The harness process's memory over the run (embedded silo included), sampled each second.</summary>
    [JsonPropertyName("memoryMb")] public MemoryUsage? MemoryMb { get; init; }
    [JsonPropertyName("generatorExhausted")] public bool GeneratorExhausted { get; init; }
    /// <summary>The chain audit run at the end of the run (<c>rollup verify</c>'s report): a replay from genesis to the head.</summary>
    [JsonPropertyName("audit")] public ActorRollup.Audit.AuditReport? Audit { get; init; }
    [JsonPropertyName("siloKills")] public SiloKillResult[] SiloKills { get; init; } = [];
    /// <summary>Each <c>silo-stop</c> (graceful, SIGTERM): the same fields as <see cref="SiloKills"/>.</summary>
    [JsonPropertyName("siloStops")] public SiloKillResult[] SiloStops { get; init; } = [];
    /// <summary>Where the run's grains were active, per silo: at the start of the load and after each silo kill
    /// (docs/LOADTEST.md; an embedded run shows its one silo).</summary>
    [JsonPropertyName("placement")] public PlacementSample[] Placement { get; init; } = [];
    /// <summary>Submit calls that failed as a whole (timed out, or their silo died) and were offered again.</summary>
    [JsonPropertyName("submitCallsFailed")] public long SubmitCallsFailed { get; init; }
    /// <summary>Transactions of those calls that had been admitted all the same (the second offer was answered Duplicate or NonceUsed).</summary>
    [JsonPropertyName("txAdmittedByFailedCalls")] public long TxAdmittedByFailedCalls { get; init; }
}

/// <summary>The process's memory over a run, in MB: working set (what the OS holds for it) start, peak and end; the
/// same for the managed heap after the last GC (<c>gcHeap*</c>); and the working set at the end of each whole minute.</summary>
public sealed record MemoryUsage(
    [property: JsonPropertyName("start")] double Start,
    [property: JsonPropertyName("peak")] double Peak,
    [property: JsonPropertyName("end")] double End,
    [property: JsonPropertyName("gcHeapStart")] double GcHeapStart,
    [property: JsonPropertyName("gcHeapPeak")] double GcHeapPeak,
    [property: JsonPropertyName("gcHeapEnd")] double GcHeapEnd,
    [property: JsonPropertyName("perMinute")] double[] PerMinute);

/// <summary>Wall seconds of a run's phases: signing the traffic, genesis until the first block, warm-up, the measured
/// window, the drain, reading the figures off the final chain (and retiring it), the audit; and the run's total.</summary>
public sealed record PhaseSeconds(
    [property: JsonPropertyName("signing")] double Signing,
    [property: JsonPropertyName("genesis")] double Genesis,
    [property: JsonPropertyName("warmup")] double Warmup,
    [property: JsonPropertyName("window")] double Window,
    [property: JsonPropertyName("drain")] double Drain,
    [property: JsonPropertyName("measure")] double Measure,
    [property: JsonPropertyName("audit")] double Audit,
    [property: JsonPropertyName("total")] double Total);

public sealed record Machine(
    [property: JsonPropertyName("cores")] int Cores,
    [property: JsonPropertyName("os")] string Os,
    [property: JsonPropertyName("runtime")] string Runtime,
    [property: JsonPropertyName("cpu")] string Cpu,
    [property: JsonPropertyName("memoryGiB")] double MemoryGiB,
    [property: JsonPropertyName("cluster")] string Cluster);

public sealed record CeilingResult(
    [property: JsonPropertyName("ed25519VerifyPerSec")] double Ed25519VerifyPerSec,
    [property: JsonPropertyName("orleansCallsPerSec")] double OrleansCallsPerSec,
    /// <summary>Ethereum sender recoveries per second on all cores (<see cref="Ceilings.Secp256k1RecoverPerSec"/>);
    /// measured only with --tx-format eth, absent otherwise.</summary>
    [property: JsonPropertyName("secp256k1RecoverPerSec"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] double? Secp256k1RecoverPerSec = null)
{
    /// <summary>The ceiling a run of <paramref name="format"/> is compared with — what admission does once per
    /// transaction: Ed25519 verifications (native) or sender recoveries (eth) — named as its results.json field.</summary>
    public (string Name, double PerSec) SignatureCeiling(LoadTestTxFormat format) => format == LoadTestTxFormat.Eth
        ? ("secp256k1RecoverPerSec", Secp256k1RecoverPerSec ?? 0)
        : ("ed25519VerifyPerSec", Ed25519VerifyPerSec);
}

/// <summary>results.json <c>senderRecovery</c> of an eth run with the embedded silo: Ethereum sender recoveries and
/// recovered-sender cache hits in the harness process (its silo included) from the start of the run to the end of its
/// drain, process-wide (with --chains, every chain's together).</summary>
public sealed record SenderRecoveryResult(
    [property: JsonPropertyName("recovered")] long Recovered,
    [property: JsonPropertyName("cacheHits")] long CacheHits,
    /// <summary><see cref="Recovered"/> per admitted transaction: how many times each was recovered end to end.</summary>
    [property: JsonPropertyName("perAdmittedTx")] double PerAdmittedTx,
    /// <summary>Hits over lookups (hits + recoveries).</summary>
    [property: JsonPropertyName("cacheHitRatio")] double CacheHitRatio);

public sealed record LoadTestReport(
    [property: JsonPropertyName("machine")] Machine Machine,
    [property: JsonPropertyName("ceilings")] CeilingResult Ceilings,
    [property: JsonPropertyName("runs")] List<RunResult> Runs,
    [property: JsonPropertyName("startedAt")] string StartedAt,
    [property: JsonPropertyName("command")] string Command)
{
    /// <summary>Per committee size, the side-by-side chains taken together (one entry per size, also for one chain).</summary>
    [JsonPropertyName("aggregates")] public List<AggregateResult> Aggregates { get; init; } = AggregateResult.Of(Runs);
}

/// <summary>results.json's <c>aggregates</c>: the chains that ran side by side at one committee size (--chains), taken
/// together. Throughputs and counts are sums over the chains (their windows run at the same time); latencies are the
/// worst chain's; the checks hold only when they hold on every chain.</summary>
public sealed record AggregateResult
{
    [JsonPropertyName("committeeSize")] public int CommitteeSize { get; init; }
    [JsonPropertyName("chains")] public int Chains { get; init; }
    [JsonPropertyName("chainIds")] public string[] ChainIds { get; init; } = [];
    [JsonPropertyName("offeredTps")] public double OfferedTps { get; init; }
    [JsonPropertyName("committedTps")] public double CommittedTps { get; init; }
    /// <summary>The slowest chain's committed tx/s and the fastest's: how evenly the cluster shared itself out.</summary>
    [JsonPropertyName("minChainCommittedTps")] public double MinChainCommittedTps { get; init; }
    [JsonPropertyName("maxChainCommittedTps")] public double MaxChainCommittedTps { get; init; }
    [JsonPropertyName("softConfirmP50Ms")] public double SoftConfirmP50Ms { get; init; }
    [JsonPropertyName("softConfirmP99Ms")] public double SoftConfirmP99Ms { get; init; }
    [JsonPropertyName("blocks")] public int Blocks { get; init; }
    [JsonPropertyName("txAdmitted")] public long TxAdmitted { get; init; }
    [JsonPropertyName("txCommitted")] public long TxCommitted { get; init; }
    [JsonPropertyName("txLost")] public long TxLost { get; init; }
    [JsonPropertyName("txDuplicated")] public long TxDuplicated { get; init; }
    [JsonPropertyName("failovers")] public int Failovers { get; init; }
    [JsonPropertyName("supplyConserved")] public bool SupplyConserved { get; init; }
    [JsonPropertyName("auditPassed")] public bool AuditPassed { get; init; }

    /// <summary>One entry per committee size of <paramref name="runs"/>, in the order the sizes first appear.</summary>
    public static List<AggregateResult> Of(IEnumerable<RunResult>? runs) => (runs ?? []).GroupBy(r => r.CommitteeSize).Select(g => new AggregateResult
    {
        CommitteeSize = g.Key,
        Chains = g.Count(),
        ChainIds = g.Select(r => r.ChainId).ToArray(),
        OfferedTps = Math.Round(g.Sum(r => r.OfferedTps), 1),
        CommittedTps = Math.Round(g.Sum(r => r.CommittedTps), 1),
        MinChainCommittedTps = g.Min(r => r.CommittedTps),
        MaxChainCommittedTps = g.Max(r => r.CommittedTps),
        SoftConfirmP50Ms = g.Max(r => r.LatencyMs?.SoftConfirm?.P50 ?? 0),
        SoftConfirmP99Ms = g.Max(r => r.LatencyMs?.SoftConfirm?.P99 ?? 0),
        Blocks = g.Sum(r => r.Blocks),
        TxAdmitted = g.Sum(r => r.TxAdmitted),
        TxCommitted = g.Sum(r => r.TxCommitted),
        TxLost = g.Sum(r => r.TxLost),
        TxDuplicated = g.Sum(r => r.TxDuplicated),
        Failovers = g.Sum(r => r.Failovers?.Length ?? 0),
        SupplyConserved = g.All(r => r.SupplyConserved),
        AuditPassed = g.All(r => r.Audit is { Passed: true }),
    }).ToList();
}
