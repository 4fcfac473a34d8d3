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
                         $"{options.Validators} validators, {options.Accounts} accounts, rate {options.Rate?.ToString() ?? "max"}, " +
                         $"{options.Warmup.TotalSeconds:0.#}s warm-up + {options.Duration.TotalSeconds:0.#}s window + drain up to {options.Drain.TotalSeconds:0.#}s, " +
                         $"{options.BlockIntervalMs} ms blocks, on {connection.Where}");
        stdout.WriteLine("measuring ceilings...");
        var ed25519 = Ceilings.Ed25519VerifyPerSec(TimeSpan.FromSeconds(3));
        var calls = await Ceilings.OrleansCallsPerSec(connection.Grains, TimeSpan.FromSeconds(1.5));
        stdout.WriteLine($"ceilings: {ed25519:0} Ed25519 verifications/s, {calls:0} grain calls/s");
        var timeoutGiven = options.LeaderTimeoutMs is not null;
        var machineTimeout = options.LeaderTimeoutMs ?? LoadTestOptions.MachineLeaderTimeoutMs(ed25519, options.MaxTxPerBlock);
        if (!timeoutGiven)
        {
            options = options with { LeaderTimeoutMs = machineTimeout };
            stdout.WriteLine($"leader timeout {options.LeaderTimeoutMs} ms (from this machine's Ed25519 ceiling and a {options.MaxTxPerBlock}-transaction block; --leader-timeout sets it)"
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
            _run = runs.Count + 1;
            _shownPhase = null;
            if (!interactive) stdout.WriteLine(LiveView.Title(size, _run, options.CommitteeSizes.Length));
            var runOptions = options;
            if (options.Network is { } net)
            {
                var quorum = net.QuorumRttMs(size);
                if (!timeoutGiven) runOptions = options with { LeaderTimeoutMs = options.DefaultLeaderTimeoutMs(size, machineTimeout) };
                stdout.WriteLine($"committee {size}: quorum round trip {quorum:0.#} ms over {net.Source}; leader timeout {runOptions.EffectiveLeaderTimeoutMs} ms" +
                                 (timeoutGiven ? " (--leader-timeout)" : $" (max of the machine's {machineTimeout} ms and round_up_100(3 x {quorum:0.#} + 2 x {options.BlockIntervalMs}), at most 10 s)"));
            }
            var run = new LoadTestRun(connection.Grains, runOptions, size, ed25519, Show, topology);
            runs.Add(interactive ? await RunLive(run, size, cancellationToken) : await run.RunAsync(cancellationToken));
            var r = runs[^1];
            stdout.WriteLine($"committee {size}: {r.CommittedTps:0.#} tx/s committed (offered {r.OfferedTps:0.#}), soft p99 {r.LatencyMs.SoftConfirm.P99} ms, " +
                             $"lost {r.TxLost}, duplicated {r.TxDuplicated}, supply {(r.SupplyConserved ? "conserved" : "VIOLATED")}, " +
                             $"audit {(r.Audit is { Passed: true } ? "passed" : "FAILED")} ({r.Audit?.Blocks} blocks, {r.Audit?.Transactions} tx in {r.Audit?.ElapsedMs} ms)");
            stdout.WriteLine("  " + ReportWriter.Breakdown(r));
            if (r.Audit is { Passed: false } failed)
                foreach (var v in failed.Violations.Take(10)) stdout.WriteLine($"  audit violation at {v}");
            foreach (var k in r.SiloKills)
                stdout.WriteLine($"  silo-kill at {k.AtSec:0.#}s: silo {k.Instance} (pid {k.Pid}) killed, hosting {Hosted(k.HostedGrains)}; " +
                                 $"next block after {Ms(k.NextBlockMs)}, longest gap {Ms(k.LongestGapMs)}, declared dead after {Ms(k.DeclaredDeadMs)}");
            if (r.SiloKills.Length > 0)
                stdout.WriteLine($"  {r.SubmitCallsFailed} submit calls failed and were offered again ({r.TxAdmittedByFailedCalls} of their transactions had been admitted)");
            if (r.PhasesSec is { } t)
                stdout.WriteLine($"  took {t.Total:0.#} s: signing {t.Signing:0.#}, genesis {t.Genesis:0.#}, warm-up {t.Warmup:0.#}, window {t.Window:0.#}, " +
                                 $"drain {t.Drain:0.#}, measure {t.Measure:0.#}, audit {t.Audit:0.#}");
        }

        var report = new LoadTestReport(Machine(connection), new CeilingResult(Math.Round(ed25519), Math.Round(calls)), runs, started.ToString("O"), commandLine);
        var files = ReportWriter.Write(report, options.OutputDirectory);
        stdout.WriteLine();
        stdout.Write(ReportWriter.Table(report));
        stdout.WriteLine(ReportWriter.WindowNote(report));
        stdout.WriteLine($"loadtest took {(DateTimeOffset.Now - started).TotalSeconds:0} s");
        stdout.WriteLine();
        foreach (var f in files) stdout.WriteLine($"wrote {f}");
        return (report, files);
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
    private RunProgress? _latest;
    private int _run;
    private string? _shownPhase;

    /// <summary>Off a terminal: a line per sample of the warm-up, the window and the drain, and one when any other phase begins.</summary>
    private void Show(RunProgress progress)
    {
        _latest = progress;
        if (interactive) return;
        if (_shownPhase is null) stdout.WriteLine(LiveView.Header());
        if (progress.Phase is RunPhase.Warmup or RunPhase.Load or RunPhase.Drain || progress.Phase != _shownPhase)
            stdout.WriteLine(_view.Line(progress));
        _shownPhase = progress.Phase;
    }

    private async Task<RunResult> RunLive(LoadTestRun run, int size, CancellationToken cancellationToken)
    {
        RunResult? result = null;
        var runs = options.CommitteeSizes.Length;
        _latest = null;
        await AnsiConsole.Live(new Markup(Markup.Escape(LiveView.Title(size, _run, runs)))).StartAsync(async ctx =>
        {
            var work = run.RunAsync(cancellationToken);
            while (!work.IsCompleted)
            {
                await Task.WhenAny(work, Task.Delay(500, CancellationToken.None));
                if (_latest is { } p)
                {
                    ctx.UpdateTarget(_view.Render(p, _run, runs));
                    ctx.Refresh();
                }
            }
            result = await work;
        });
        return result!;
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
