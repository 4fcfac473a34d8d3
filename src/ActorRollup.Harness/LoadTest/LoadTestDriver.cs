using System.Runtime.InteropServices;
using ActorRollup.Grains.Infrastructure;
using ActorRollup.Harness.Connection;
using Microsoft.Extensions.DependencyInjection;
using ActorRollup.Harness.Supervisor;
using Spectre.Console;

namespace ActorRollup.Harness.LoadTest;

/// <summary>Runs every committee size in turn, shows live progress, writes the report.</summary>
public sealed class LoadTestDriver(ClusterConnection connection, LoadTestOptions options, TextWriter stdout, bool interactive)
{
    public async Task<(LoadTestReport Report, IReadOnlyList<string> Files)> RunAsync(string commandLine, CancellationToken cancellationToken)
    {
        var started = DateTimeOffset.Now;
        // Long blocking collections would look like a dead leader to the liveness watch.
        System.Runtime.GCSettings.LatencyMode = System.Runtime.GCLatencyMode.SustainedLowLatency;
        stdout.WriteLine($"loadtest{(options.Preset.Length > 0 ? $" ({options.Preset})" : "")}: committees {string.Join(",", options.CommitteeSizes)}, " +
                         $"{options.Validators} validators, {options.Accounts} {options.TxFormat.Name()} accounts, rate {options.Rate?.ToString() ?? "max"}, " +
                         $"{options.Warmup.TotalSeconds:0.#}s warm-up + {options.Duration.TotalSeconds:0.#}s window + drain up to {options.Drain.TotalSeconds:0.#}s, " +
                         $"{options.BlockIntervalMs} ms blocks, on {connection.Where}");
        stdout.WriteLine("measuring ceilings...");
        var ed25519 = Ceilings.Ed25519VerifyPerSec(TimeSpan.FromSeconds(3));
        // An eth run also measures what its admission does per transaction instead: recover the sender.
        double? recover = options.TxFormat == LoadTestTxFormat.Eth ? Ceilings.Secp256k1RecoverPerSec(TimeSpan.FromSeconds(3)) : null;
        var calls = await Ceilings.OrleansCallsPerSec(connection.Grains, TimeSpan.FromSeconds(1.5));
        var ceilings = new CeilingResult(Math.Round(ed25519), Math.Round(calls), recover is { } rc ? Math.Round(rc) : null);
        stdout.WriteLine($"ceilings: {ed25519:0} Ed25519 verifications/s, " + (recover is { } rec ? $"{rec:0} secp256k1 sender recoveries/s, " : "") + $"{calls:0} grain calls/s");
        var (_, ceilingPerSec) = ceilings.SignatureCeiling(options.TxFormat);
        var timeoutGiven = options.LeaderTimeoutMs is not null;
        var machineTimeout = options.LeaderTimeoutMs ?? LoadTestOptions.MachineLeaderTimeoutMs(ceilingPerSec, options.MaxTxPerBlock);
        if (!timeoutGiven)
        {
            options = options with { LeaderTimeoutMs = machineTimeout };
            stdout.WriteLine($"leader timeout {options.LeaderTimeoutMs} ms (from this machine's {(options.TxFormat == LoadTestTxFormat.Eth ? "secp256k1 recovery" : "Ed25519")} ceiling and a {options.MaxTxPerBlock}-transaction block; --leader-timeout sets it)"
                + (options.Network is null ? "" : ", or the network rule's if longer (per run)"));
        }
        NetworkTopology? topology = null;
        if (options.Network is { } network)
        {
            topology = connection.Services.GetService<NetworkTopology>()
                ?? throw new InvalidOperationException("--network: the embedded silo runs no network model");
            stdout.WriteLine($"network {network.Source}: members {network.Members.Text}, validators {network.Validators.Text}, client in {network.ClientRegion}");
        }

        var runs = new List<RunResult>();
        foreach (var size in options.CommitteeSizes)
        {
            _run = runs.Count / options.Chains + 1;
            if (!interactive) stdout.WriteLine(LiveView.Title(size, _run, options.CommitteeSizes.Length) + (options.Chains > 1 ? $" · {options.Chains} chains side by side" : ""));
            var runOptions = options;
            if (options.Network is { } net)
            {
                var quorum = net.QuorumRttMs(size);
                if (!timeoutGiven) runOptions = options with { LeaderTimeoutMs = options.DefaultLeaderTimeoutMs(size, machineTimeout) };
                stdout.WriteLine($"committee {size}: quorum round trip {quorum:0.#} ms over {net.Source}; leader timeout {runOptions.EffectiveLeaderTimeoutMs} ms" +
                                 (timeoutGiven ? " (--leader-timeout)" : $" (max of the machine's {machineTimeout} ms and round_up_100(3 x {quorum:0.#} + 2 x {options.BlockIntervalMs}), at most 10 s)"));
            }
            // --chains N: N runs side by side, each its own chain; cluster-wide faults fire once for all of them.
            var shared = options.Chains > 1 ? new ClusterFaults() : null;
            _latest = new RunProgress?[options.Chains];
            _shownPhase = new string?[options.Chains];
            _header = false;
            var batch = Enumerable.Range(1, options.Chains)
                .Select(k => new LoadTestRun(connection.Grains, runOptions, size, ceilings, p => Show(k, p), topology, k, shared))
                .ToList();
            var results = interactive ? await RunLive(batch, size, cancellationToken) : await Task.WhenAll(batch.Select(r => r.RunAsync(cancellationToken)));
            runs.AddRange(results);
            foreach (var r in results) Summarize(r);
            if (options.Chains > 1 && AggregateResult.Of(results).Single() is { } all)
                stdout.WriteLine($"committee {size}, {all.Chains} chains: {all.CommittedTps:0.#} tx/s committed in all (offered {all.OfferedTps:0.#}; per chain {all.MinChainCommittedTps:0.#} to {all.MaxChainCommittedTps:0.#}), " +
                                 $"worst soft p99 {all.SoftConfirmP99Ms} ms, lost {all.TxLost}, duplicated {all.TxDuplicated}, supply {(all.SupplyConserved ? "conserved" : "VIOLATED")}, " +
                                 $"audits {(all.AuditPassed ? "passed" : "FAILED")}");
        }

        var report = new LoadTestReport(Machine(connection), ceilings, runs, started.ToString("O"), commandLine);
        var files = ReportWriter.Write(report, options.OutputDirectory);
        stdout.WriteLine();
        stdout.Write(ReportWriter.Table(report));
        stdout.WriteLine(ReportWriter.WindowNote(report));
        stdout.WriteLine($"loadtest took {(DateTimeOffset.Now - started).TotalSeconds:0} s");
        stdout.WriteLine();
        foreach (var f in files) stdout.WriteLine($"wrote {f}");
        return (report, files);
    }

    /// <summary>A run's result lines: its figures, where its time went, audit violations, silo kills.</summary>
    private void Summarize(RunResult r)
    {
        var name = options.Chains > 1 ? $"committee {r.CommitteeSize} chain {r.ChainIndex} ({r.ChainId})" : $"committee {r.CommitteeSize}";
        stdout.WriteLine($"{name}: {r.CommittedTps:0.#} tx/s committed (offered {r.OfferedTps:0.#}{ReportWriter.CeilingShare(r)}), soft p99 {r.LatencyMs.SoftConfirm.P99} ms, " +
                         $"lost {r.TxLost}, duplicated {r.TxDuplicated}, supply {(r.SupplyConserved ? "conserved" : "VIOLATED")}, " +
                         $"audit {(r.Audit is { Passed: true } ? "passed" : "FAILED")} ({r.Audit?.Blocks} blocks, {r.Audit?.Transactions} tx in {r.Audit?.ElapsedMs} ms)");
        stdout.WriteLine("  " + ReportWriter.Breakdown(r));
        if (r.SenderRecovery is { } rec)
            stdout.WriteLine($"  sender recoveries {rec.Recovered} ({rec.PerAdmittedTx:0.###} per admitted tx), recovered-sender cache hits {rec.CacheHits} (hit ratio {rec.CacheHitRatio:0.###})");
        if (r.Audit is { Passed: false } failed)
            foreach (var v in failed.Violations.Take(10)) stdout.WriteLine($"  audit violation at {v}");
        foreach (var k in r.SiloKills.Concat(r.SiloStops))
        {
            stdout.WriteLine($"  {k.Kind} at {k.AtSec:0.#}s: silo {k.Instance} (pid {k.Pid}) {(k.Kind == SiloKill.StopKind ? "stopped" : "killed")}, hosting {Hosted(k.HostedGrains)}; " +
                             $"next block after {Ms(k.NextBlockMs)}, longest gap {Ms(k.LongestGapMs)}, declared dead after {Ms(k.DeclaredDeadMs)}");
            if (k.BreakdownMs is { } b)
                stdout.WriteLine($"    breakdown (ms after the signal): declared dead {Ms(b.DeclaredDead)}, chain active {Ms(b.ChainActive)}, rotation active {Ms(b.RotationActive)}, " +
                                 $"leader active {Ms(b.LeaderActive)}, new term {Ms(b.NewTerm)}, first block proposed {Ms(b.FirstBlockProposed)}, committed {Ms(b.NextBlockCommitted)}");
        }
        if (r.SiloKills.Length + r.SiloStops.Length > 0)
            stdout.WriteLine($"  {r.SubmitCallsFailed} submit calls failed and were offered again ({r.TxAdmittedByFailedCalls} of their transactions had been admitted)");
        if (r.PhasesSec is { } t)
            stdout.WriteLine($"  took {t.Total:0.#} s: signing {t.Signing:0.#}, genesis {t.Genesis:0.#}, warm-up {t.Warmup:0.#}, window {t.Window:0.#}, " +
                             $"drain {t.Drain:0.#}, measure {t.Measure:0.#}, audit {t.Audit:0.#}");
    }

    private static string Ms(long? ms) => ms is { } v ? $"{v} ms" : "-";

    /// <summary>"chain, mempool, 16 sequencers, 4 validators": the run's grains on a killed silo, members counted.</summary>
    private static string Hosted(string[] grains)
    {
        if (grains.Length == 0) return "none of the run's grains";
        var single = grains.Where(g => !g.Contains(' ')).ToList();
        var counted = grains.Where(g => g.Contains(' ')).GroupBy(g => g[..g.IndexOf(' ')]).Select(g => g.Count() == 1 ? g.Single() : $"{g.Count()} {g.Key}s");
        return string.Join(", ", single.Concat(counted));
    }

    private readonly LiveView _view = new(options);
    private readonly Lock _showLock = new();
    private RunProgress?[] _latest = [];
    private int _run;
    private string?[] _shownPhase = [];
    private bool _header;

    /// <summary>Off a terminal: a line per sample of the warm-up, the window and the drain, and one when any other phase
    /// begins; with side-by-side chains each line starts with its chain ("n2").</summary>
    private void Show(int chain, RunProgress progress)
    {
        lock (_showLock)
        {
            _latest[chain - 1] = progress;
            if (interactive) return;
            var prefix = options.Chains > 1 ? $"n{chain} ".PadRight(4) : "";
            if (!_header) stdout.WriteLine((options.Chains > 1 ? "    " : "") + LiveView.Header());
            _header = true;
            if (progress.Phase is RunPhase.Warmup or RunPhase.Load or RunPhase.Drain || progress.Phase != _shownPhase[chain - 1])
                stdout.WriteLine(prefix + _view.Line(progress));
            _shownPhase[chain - 1] = progress.Phase;
        }
    }

    /// <summary>On a terminal: a live panel per chain of the batch, refreshed twice a second until every run ends.</summary>
    private async Task<RunResult[]> RunLive(List<LoadTestRun> batch, int size, CancellationToken cancellationToken)
    {
        RunResult[]? results = null;
        var runs = options.CommitteeSizes.Length;
        await AnsiConsole.Live(new Markup(Markup.Escape(LiveView.Title(size, _run, runs)))).StartAsync(async ctx =>
        {
            var work = Task.WhenAll(batch.Select(r => r.RunAsync(cancellationToken)));
            while (!work.IsCompleted)
            {
                await Task.WhenAny(work, Task.Delay(500, CancellationToken.None));
                RunProgress?[] latest;
                lock (_showLock) latest = _latest.ToArray();
                var panels = latest.Select((p, i) => p is null ? null : _view.Render(p, _run, runs, options.Chains > 1 ? (i + 1, options.Chains) : null)).OfType<Spectre.Console.Rendering.IRenderable>().ToList();
                if (panels.Count == 0) continue;
                ctx.UpdateTarget(panels.Count == 1 ? panels[0] : new Rows(panels));
                ctx.Refresh();
            }
            results = await work;
        });
        return results!;
    }

    private static Machine Machine(ClusterConnection connection)
    {
        var cpu = "unknown";
        try
        {
            cpu = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? cpu;
        }
        catch (IOException)
        {
        }
        var memory = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / (1024.0 * 1024 * 1024);
        return new Machine(Environment.ProcessorCount, RuntimeInformation.OSDescription, RuntimeInformation.FrameworkDescription, cpu,
            Math.Round(memory, 1), connection.Embedded ? "embedded silo (co-hosted client)" : $"client of {connection.Where}");
    }
}
