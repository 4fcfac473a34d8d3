using System.Diagnostics.Metrics;

namespace ActorRollup.Grains.Infrastructure;

/// <summary>
/// The grains' metrics, on one <see cref="Meter"/> named "ActorRollup" (System.Diagnostics.Metrics): readable with
/// dotnet-counters, OpenTelemetry or a MeterListener. Every instrument carries the chain id as a tag.
/// </summary>
public sealed class RollupMetrics : IDisposable
{
    public const string MeterName = "ActorRollup";
    private readonly Meter _meter;

    public RollupMetrics(IMeterFactory? factory = null)
    {
        _meter = factory?.Create(MeterName) ?? new Meter(MeterName);
        Blocks = _meter.CreateCounter<long>("actorrollup.blocks", "{block}", "Blocks appended to a chain");
        TxCommitted = _meter.CreateCounter<long>("actorrollup.tx.committed", "{transaction}", "Transactions soft-confirmed");
        TxAdmitted = _meter.CreateCounter<long>("actorrollup.tx.admitted", "{transaction}", "Transactions admitted to a mempool");
        Refusals = _meter.CreateCounter<long>("actorrollup.refusals", "{refusal}", "Refused inputs and calls, by reason");
        Failovers = _meter.CreateCounter<long>("actorrollup.failovers", "{failover}", "Leader failovers (re-spans)");
        LeaderReappointments = _meter.CreateCounter<long>("actorrollup.leader_reappointments", "{term}",
            "Terms given again to the same leader after its activation was lost with its silo");
        Rollbacks = _meter.CreateCounter<long>("actorrollup.rollbacks", "{rollback}", "Rollbacks after successful challenges");
        Slashes = _meter.CreateCounter<long>("actorrollup.slashes", "{slash}", "Sequencers slashed");
        SoftConfirmLatency = _meter.CreateHistogram<double>("actorrollup.latency.soft_confirm", "ms", "Admission to soft confirmation");
        ValidatedLatency = _meter.CreateHistogram<double>("actorrollup.latency.validated", "ms", "Admission to validation");
        FinalizedLatency = _meter.CreateHistogram<double>("actorrollup.latency.finalized", "ms", "Admission to finality");
        AttestationRtt = _meter.CreateHistogram<double>("actorrollup.attestation.rtt", "ms", "Leader's round trip to gather a quorum certificate");
        CallsRefused = _meter.CreateCounter<long>("actorrollup.calls.refused", "{call}", "Grain calls refused at the trust boundary, by reason and method");
        MempoolSize = _meter.CreateUpDownCounter<long>("actorrollup.mempool.size", "{transaction}", "Pending transactions");
    }

    public Counter<long> Blocks { get; }
    public Counter<long> TxCommitted { get; }
    public Counter<long> TxAdmitted { get; }
    public Counter<long> Refusals { get; }
    public Counter<long> Failovers { get; }
    public Counter<long> LeaderReappointments { get; }
    public Counter<long> Rollbacks { get; }
    public Counter<long> Slashes { get; }
    public Histogram<double> SoftConfirmLatency { get; }
    public Histogram<double> ValidatedLatency { get; }
    public Histogram<double> FinalizedLatency { get; }
    public Histogram<double> AttestationRtt { get; }
    public UpDownCounter<long> MempoolSize { get; }
    public Counter<long> CallsRefused { get; }

    public void Refused(string chainId, string what, string reason) =>
        Refusals.Add(1, new KeyValuePair<string, object?>("chain", chainId), new("what", what), new("reason", reason));

    /// <summary>A call refused at the trust boundary (no chain tag: the filter does not read the call's arguments).</summary>
    public void CallRefused(string method, string reason) =>
        CallsRefused.Add(1, new KeyValuePair<string, object?>("method", method), new("reason", reason));

    public void Dispose() => _meter.Dispose();
}
