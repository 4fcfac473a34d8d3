using System.Globalization;
using System.Text;
using System.Text.Json;

namespace ActorRollup.Harness.LoadTest;

/// <summary>Writes results.json, results.csv, summary.md and the PNG charts into the output folder.</summary>
public static class ReportWriter
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    public static IReadOnlyList<string> Write(LoadTestReport report, string directory)
    {
        Directory.CreateDirectory(directory);
        var files = new List<string>();
        var json = Path.Combine(directory, "results.json");
        File.WriteAllText(json, JsonSerializer.Serialize(report, Json));
        files.Add(json);

        var csv = Path.Combine(directory, "results.csv");
        File.WriteAllText(csv, Csv(report));
        files.Add(csv);

        files.AddRange(Charts.Write(report, directory));

        var md = Path.Combine(directory, "summary.md");
        File.WriteAllText(md, Markdown(report, files.Where(f => f.EndsWith(".png", StringComparison.Ordinal)).Select(Path.GetFileName).ToList()!));
        files.Add(md);
        return files;
    }

    private static string F(double v) => v.ToString("0.#", CultureInfo.InvariantCulture);

    private static string Csv(LoadTestReport report)
    {
        var sb = new StringBuilder();
        sb.AppendLine("committeeSize,validators,durationSec,offeredTps,committedTps,softP50,softP95,softP99,validatedP50,validatedP99,finalizedP50,finalizedP99,blocks,epochs,leaderChanges,failovers,maxFailoverMs,rollbacks,maxRollbackMs,slashes,txAdmitted,txCommitted,txLost,txDuplicated,supplyConserved,attestationRttP50,attestationRttP99,blockIntervalP50,blockIntervalP99,queueingP50,attestationRoundP50,commitP50,quorumRttMs,chainId,chainIndex,chains,txFormat,committedToSignatureCeiling");
        foreach (var r in report.Runs)
        {
            var l = r.LatencyMs;
            sb.AppendLine(string.Join(',',
                r.CommitteeSize, r.Validators, F(r.DurationSec), F(r.OfferedTps), F(r.CommittedTps),
                F(l.SoftConfirm.P50), F(l.SoftConfirm.P95), F(l.SoftConfirm.P99), F(l.Validated.P50), F(l.Validated.P99),
                F(l.Finalized.P50), F(l.Finalized.P99), r.Blocks, r.Epochs, r.LeaderChanges, r.Failovers.Length,
                r.Failovers.Length == 0 ? "" : r.Failovers.Max(f => f.DurationMs).ToString(CultureInfo.InvariantCulture),
                r.Rollbacks.Length, r.Rollbacks.Length == 0 ? "" : r.Rollbacks.Max(x => x.DurationMs).ToString(CultureInfo.InvariantCulture),
                r.Slashes, r.TxAdmitted, r.TxCommitted, r.TxLost, r.TxDuplicated, r.SupplyConserved ? "true" : "false",
                F(r.AttestationRttMs.P50), F(r.AttestationRttMs.P99),
                r.BlockIntervalMs is { } bi ? F(bi.P50) : "", r.BlockIntervalMs is { } bj ? F(bj.P99) : "",
                r.SoftConfirmBreakdownMs is { } sq ? F(sq.Queueing.P50) : "", r.SoftConfirmBreakdownMs is { } sa ? F(sa.AttestationRound.P50) : "",
                r.SoftConfirmBreakdownMs is { } sc ? F(sc.Commit.P50) : "", r.QuorumRttMs is { } q ? F(q) : "", r.ChainId, r.ChainIndex, r.Chains,
                r.TxFormat, r.CommittedToSignatureCeiling is { } share ? share.ToString("0.####", CultureInfo.InvariantCulture) : ""));
        }
        return sb.ToString();
    }

    public static string Table(LoadTestReport report)
    {
        var sb = new StringBuilder();
        sb.AppendLine("| committee | format | offered tx/s | committed tx/s | of ceiling | soft p50/p99 ms | validated p99 ms | finalized p99 ms | blocks | failovers (ms) | rollbacks (ms) | slashes | admitted | lost | dup | supply | attest p99 ms |");
        sb.AppendLine("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
        foreach (var r in report.Runs)
        {
            sb.AppendLine($"| {r.CommitteeSize}{(r.Chains > 1 ? $" chain {r.ChainIndex}" : "")} | {r.TxFormat} | {F(r.OfferedTps)} | {F(r.CommittedTps)} | {Percent(r.CommittedToSignatureCeiling)} | {F(r.LatencyMs.SoftConfirm.P50)} / {F(r.LatencyMs.SoftConfirm.P99)} | " +
                          $"{F(r.LatencyMs.Validated.P99)} | {F(r.LatencyMs.Finalized.P99)} | {r.Blocks} | " +
                          $"{(r.Failovers.Length == 0 ? "0" : string.Join(", ", r.Failovers.Select(f => f.DurationMs)))} | " +
                          $"{(r.Rollbacks.Length == 0 ? "0" : string.Join(", ", r.Rollbacks.Select(x => $"{x.DurationMs} (depth {x.Depth})")))} | " +
                          $"{r.Slashes} | {r.TxAdmitted} | {r.TxLost} | {r.TxDuplicated} | {(r.SupplyConserved ? "conserved" : "VIOLATED")} | {F(r.AttestationRttMs.P99)} |");
        }
        // Side-by-side chains (--chains): one more row per committee size, the chains taken together (sums; worst latency).
        foreach (var a in report.Aggregates.Where(a => a.Chains > 1))
            sb.AppendLine($"| **{a.CommitteeSize}, {a.Chains} chains** | | {F(a.OfferedTps)} | **{F(a.CommittedTps)}** | | {F(a.SoftConfirmP50Ms)} / {F(a.SoftConfirmP99Ms)} (worst) | | | {a.Blocks} | {a.Failovers} | | | " +
                          $"{a.TxAdmitted} | {a.TxLost} | {a.TxDuplicated} | {(a.SupplyConserved ? "conserved" : "VIOLATED")} | |");
        return sb.ToString();
    }

    /// <summary>"37.5 %" for a fraction, "-" when there is none.</summary>
    public static string Percent(double? fraction) => fraction is { } f ? (100 * f).ToString("0.#", CultureInfo.InvariantCulture) + " %" : "-";

    /// <summary>", 51.2 % of the secp256k1 recovery ceiling": a run's committed tx/s against its format's signature
    /// ceiling, for the console line after "offered N"; empty when there is none.</summary>
    public static string CeilingShare(RunResult r) => r.CommittedToSignatureCeiling is { } f
        ? $"; {Percent(f)} of the {CeilingTitle(r.SignatureCeiling)} ceiling"
        : "";

    /// <summary>What a <c>signatureCeiling</c> name counts, in words.</summary>
    public static string CeilingTitle(string? name) => name switch
    {
        "secp256k1RecoverPerSec" => "secp256k1 recovery",
        "ed25519VerifyPerSec" => "Ed25519 verification",
        _ => name ?? "signature",
    };

    /// <summary>One line of a run's timing figures: the achieved block interval, where soft-confirm time went, and over a
    /// network the quorum and attestation round trips.</summary>
    public static string Breakdown(RunResult r)
    {
        string P(PercentilePair? p) => p is null ? "-" : $"{F(p.P50)}/{F(p.P99)}";
        var b = r.SoftConfirmBreakdownMs;
        return $"block interval p50/p99 {P(r.BlockIntervalMs)} ms; soft-confirm p50/p99 = queueing {P(b?.Queueing)} + attestation round {P(b?.AttestationRound)} + commit {P(b?.Commit)} ms; " +
               $"attestation rtt p50/p99 {F(r.AttestationRttMs.P50)}/{F(r.AttestationRttMs.P99)} ms" +
               (r.QuorumRttMs is { } q ? $"; quorum rtt {F(q)} ms" : "");
    }

    /// <summary>What offered and committed tx/s count, in one sentence for the console and summary.md.</summary>
    public static string WindowNote(LoadTestReport report)
    {
        var windows = report.Runs.Select(r => (r.WarmupSec, r.DurationSec)).Distinct().ToList();
        var which = windows.Count == 1
            ? $"the {F(windows[0].DurationSec)} s after the {F(windows[0].WarmupSec)} s warm-up, before the drain"
            : "after each run's warm-up, before its drain";
        return $"Offered and committed tx/s are both over the measured window ({which}): offered counts the transactions sent in it " +
               "(by send time; a re-offer after back-pressure counts once), committed the transactions in blocks committed in it.";
    }

    private static string Markdown(LoadTestReport report, List<string> charts)
    {
        var m = report.Machine;
        var sb = new StringBuilder();
        sb.AppendLine("# ActorRollup load test");
        sb.AppendLine();
        sb.AppendLine($"`{report.Command}` — started {report.StartedAt}");
        sb.AppendLine();
        sb.AppendLine($"Machine: {m.Cores} cores, {m.Cpu}, {F(m.MemoryGiB)} GiB, {m.Os}, {m.Runtime}; cluster: {m.Cluster}.");
        sb.AppendLine($"Ceilings measured in this run: Ed25519 {F(report.Ceilings.Ed25519VerifyPerSec)} verifications/s on all cores; " +
                      (report.Ceilings.Secp256k1RecoverPerSec is { } rec ? $"secp256k1 {F(rec)} sender recoveries/s on all cores (an Ethereum transaction's whole first decode); " : "") +
                      $"{F(report.Ceilings.OrleansCallsPerSec)} grain calls/s.");
        sb.AppendLine();
        sb.Append(Table(report));
        sb.AppendLine();
        sb.AppendLine(WindowNote(report));
        sb.AppendLine();
        foreach (var r in report.Runs)
        {
            sb.AppendLine($"- committee {r.CommitteeSize}{(r.Chains > 1 ? $" chain {r.ChainIndex} of {r.Chains}" : "")} (`{r.ChainId}`, {r.TxFormat} transactions): committed/ceiling = {Percent(r.CommittedToSignatureCeiling ?? r.CommittedTps / Math.Max(1, report.Ceilings.Ed25519VerifyPerSec))} of {(r.SignatureCeiling == "secp256k1RecoverPerSec" ? "secp256k1 sender recoveries/s" : "Ed25519 verifications/s")}; " +
                          (r.SenderRecovery is { } sr ? $"{sr.Recovered} sender recoveries ({sr.PerAdmittedTx.ToString("0.###", CultureInfo.InvariantCulture)} per admitted transaction), {sr.CacheHits} recovered-sender cache hits (hit ratio {sr.CacheHitRatio.ToString("0.###", CultureInfo.InvariantCulture)}); " : "") +
                          $"{r.TxRefused} refused for good{(r.Refusals.Count == 0 ? "" : " (" + string.Join(", ", r.Refusals.Select(kv => $"{kv.Key} {kv.Value}")) + ")")} — back-pressure refusals were re-offered and are not counted (status counts them); faults: " +
                          (r.Faults.Length == 0 ? "none" : string.Join(", ", r.Faults.Select(f => $"{f.Kind}@{F(f.AtSec)}s on {f.Target}"))) +
                          $"; failovers: {(r.Failovers.Length == 0 ? "none" : string.Join("; ", r.Failovers.Select(f => $"{f.FailedLeader} → {f.Replacement} at {F(f.AtSec)}s in {f.DurationMs} ms ({f.Reason})")))}" +
                          $"; {r.PresignedTx} transactions pre-signed{(r.GeneratorExhausted ? " (all offered: the generator ran out)" : "")}; supply: {r.SupplyAudit}" +
                          (r.PhasesSec is { } t
                              ? $"; took {F(t.Total)} s (signing {F(t.Signing)}, genesis {F(t.Genesis)}, warm-up {F(t.Warmup)}, window {F(t.Window)}, " +
                                $"drain {F(t.Drain)}, measure {F(t.Measure)}, audit {F(t.Audit)})."
                              : "."));
            if (r.Audit is { } audit)
                sb.AppendLine($"  - audit (`rollup verify`): **{(audit.Passed ? "passed" : "FAILED")}** — {audit.Blocks} blocks, {audit.Transactions} transactions, " +
                              $"{audit.Certificates} certificates, {audit.Epochs} epochs, {audit.Terms} terms replayed from genesis in {audit.ElapsedMs} ms; " +
                              $"final state root {audit.FinalStateRoot}" +
                              (audit.ViolationCount == 0 ? "" : $"; {audit.ViolationCount} violation(s): " + string.Join("; ", audit.Violations.Take(10))) +
                              (audit.Gaps.Length == 0 ? "" : "; not checked: " + string.Join("; ", audit.Gaps)) + ".");
            sb.AppendLine($"  - timing: {Breakdown(r)}.");
            if (r.Network is { } n)
                sb.AppendLine($"  - network `{n.Name ?? n.File}`: client in {n.ClientRegion}; members " +
                              string.Join(", ", n.Members.GroupBy(kv => kv.Value).Select(g => $"{g.Key} {g.Count()}")) + "; validators " +
                              string.Join(", ", n.Validators.GroupBy(kv => kv.Value).Select(g => $"{g.Key} {g.Count()}")) + ".");
        }
        sb.AppendLine();
        foreach (var chart in charts) sb.AppendLine($"![{chart}]({chart})");
        return sb.ToString();
    }
}
