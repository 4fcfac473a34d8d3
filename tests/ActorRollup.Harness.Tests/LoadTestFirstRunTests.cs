using System.CommandLine;
using System.Text.Json;
using ActorRollup.Harness.Commands;
using ActorRollup.Harness.LoadTest;
using ActorRollup.Harness.Options;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace ActorRollup.Harness.Tests;

/// <summary>The load test's first-run surface without a cluster: presets, the measured window, the live view's width, --compare.</summary>
public class LoadTestFirstRunTests
{
    // ---------------------------------------------------------------- presets

    private static ParseResult Parse(params string[] args) => LoadTestCommand.Create().Parse(args);

    [Theory]
    // no options: the default sweep
    [InlineData(new string[0], "4,16,64", "3s", "15s", "30s")]
    // --quick: one small committee, a short window
    [InlineData(new[] { "--quick" }, "4", "2s", "5s", "20s")]
    // an explicit option wins over the preset, before or after --quick; the rest stay the preset's
    [InlineData(new[] { "--quick", "--duration", "9s" }, "4", "2s", "9s", "20s")]
    [InlineData(new[] { "--committee", "8,32", "--quick" }, "8,32", "2s", "5s", "20s")]
    [InlineData(new[] { "--warmup", "0", "--drain", "1m" }, "4,16,64", "0ms", "15s", "1m")]
    [InlineData(new[] { "--quick", "--committee", "16", "--warmup", "1s", "--duration", "30s", "--drain", "5s" }, "16", "1s", "30s", "5s")]
    public void Presets_fill_what_was_not_given(string[] args, string committee, string warmup, string duration, string drain)
    {
        var parse = Parse(args);
        Assert.Empty(parse.Errors);
        Assert.Equal(committee, parse.GetValue<string>("--committee"));
        Assert.Equal(warmup, Durations.Format(parse.GetValue<TimeSpan>("--warmup")));
        Assert.Equal(duration, Durations.Format(parse.GetValue<TimeSpan>("--duration")));
        Assert.Equal(drain, Durations.Format(parse.GetValue<TimeSpan>("--drain")));
    }

    [Fact]
    public void The_default_sweep_has_several_sizes_and_quick_one()
    {
        Assert.True(LoadTestPreset.Sweep.Committee.Split(',').Length >= 3);
        Assert.Single(LoadTestPreset.Quick.Committee.Split(','));
        Assert.Same(LoadTestPreset.Quick, LoadTestPreset.For(true));
        Assert.Same(LoadTestPreset.Sweep, LoadTestPreset.For(false));
    }

    // ---------------------------------------------------------------- the measured window

    [Fact]
    public void The_window_follows_the_warmup_and_is_half_open()
    {
        var window = MeasuredWindow.After(10_000, TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(15));
        Assert.Equal(new MeasuredWindow(13_000, 28_000), window);
        Assert.Equal(15.0, window.Seconds);
        Assert.False(window.Contains(12_999));
        Assert.True(window.Contains(13_000));
        Assert.True(window.Contains(27_999));
        Assert.False(window.Contains(28_000));
    }

    public static TheoryData<(long, long)[], long> Stamps => new()
    {
        { [], 0 },
        // before the window (the warm-up), at its start, inside, at its end (out), after (the drain)
        { [(12_999, 5), (13_000, 7), (20_000, 11), (28_000, 13), (40_000, 17)], 18 },
        { [(13_000, 250), (13_000, 250), (27_999, 1)], 501 },
    };

    [Theory]
    [MemberData(nameof(Stamps))]
    public void Counts_only_what_falls_in_the_window(ValueTuple<long, long>[] stamps, long expected)
    {
        var window = new MeasuredWindow(13_000, 28_000);
        Assert.Equal(expected, window.CountIn(stamps));
    }

    [Fact]
    public void Offered_and_committed_over_one_window_compare_like_for_like()
    {
        // The same 2,000 transactions, offered in 250s every 100 ms from the start of the traffic and each committed
        // 150 ms later: a commit that lands after the window was offered in it, one that lands in it was offered in the
        // warm-up. Over one window both rates are the same steady rate.
        var window = MeasuredWindow.After(0, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(10));
        var offers = Enumerable.Range(0, 200).Select(i => ((long)i * 100, 250L)).ToList();
        var commits = offers.Select(o => (o.Item1 + 150, o.Item2)).ToList();
        Assert.Equal(2_500.0, window.Rate(window.CountIn(offers)));
        Assert.Equal(2_500.0, window.Rate(window.CountIn(commits)));
    }

    [Theory]
    [InlineData(0, 0, 0.0)]
    [InlineData(15_000, 20_000, 1_333.3)]
    [InlineData(1_000, 1, 1.0)]
    public void Rate_is_per_second_of_the_window(long lengthMs, long count, double expected)
    {
        Assert.Equal(expected, new MeasuredWindow(5_000, 5_000 + lengthMs).Rate(count));
    }

    [Fact]
    public void Per_second_timeline_counts_from_the_traffic_start_to_the_window_end()
    {
        var window = MeasuredWindow.After(1_000, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2));
        var seconds = window.PerSecond(1_000, [(500, 99), (1_000, 1), (1_999, 2), (2_000, 3), (3_999, 4), (4_000, 99)]);
        Assert.Equal([3.0, 3.0, 4.0], seconds);
    }

    // ---------------------------------------------------------------- the live view in 80 columns

    private static readonly LoadTestOptions Options = new() { Warmup = TimeSpan.FromSeconds(3), Duration = TimeSpan.FromSeconds(15) };

    private static RunProgress Sample(string phase, bool extreme = false, bool halted = false) => extreme
        ? new RunProgress(1024, TimeSpan.FromHours(1), phase, 999_999, 99_999_999, 999_999, "seq-1023", 3_600_000, 99, 9_999_999_999, 9_999_999_999,
            100_000, halted, TimeSpan.FromSeconds(3_599))
        : new RunProgress(16, TimeSpan.FromSeconds(12), phase, 13_950, 1_234, 12, "seq-004", 222, 1, 123_456, 120_000, 2_000, halted, TimeSpan.FromSeconds(9));

    public static TheoryData<string, bool, bool> Samples()
    {
        var data = new TheoryData<string, bool, bool>();
        foreach (var phase in RunPhase.All)
        {
            data.Add(phase, false, false);
            data.Add(phase, true, false);
            data.Add(phase, true, true);
        }
        return data;
    }

    private static string Render(IRenderable renderable, int width)
    {
        var writer = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
            Out = new AnsiConsoleOutput(writer),
        });
        console.Profile.Width = width;
        console.Write(renderable);
        return writer.ToString();
    }

    [Theory]
    [MemberData(nameof(Samples))]
    public void The_live_panel_fits_80_columns_uncut(string phase, bool extreme, bool halted)
    {
        var panel = new LiveView(Options).Render(Sample(phase, extreme, halted), 3, 4);
        // Rendered with room to spare, its natural width is at most 80 ...
        var wide = Render(panel, 200);
        Assert.All(wide.Split('\n'), line => Assert.True(line.TrimEnd().Length <= LiveView.Width, $"{line.TrimEnd().Length} columns: {line}"));
        // ... so on an 80-column terminal nothing is wrapped or cut: the same text.
        Assert.Equal(wide.Split('\n').Select(l => l.TrimEnd()), Render(panel, 80).Split('\n').Select(l => l.TrimEnd()));
        Assert.Contains($"[{phase}]", wide); // the current phase is marked
        Assert.Contains("run 3 of 4", wide);
        Assert.Equal(halted, wide.Contains("halted", StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Samples))]
    public void The_progress_line_fits_80_columns(string phase, bool extreme, bool halted)
    {
        var view = new LiveView(Options);
        var line = view.Line(Sample(phase, extreme, halted));
        Assert.True(line.Length <= LiveView.Width, $"{line.Length} columns: {line}");
        Assert.True(LiveView.Header().Length <= LiveView.Width);
        Assert.StartsWith(halted ? "HALTED" : phase, line);
        Assert.DoesNotContain('\n', line);
    }

    [Fact]
    public void The_live_view_shows_the_chain_not_zeros_and_where_the_phase_is()
    {
        var view = new LiveView(Options);
        var line = view.Line(Sample(RunPhase.Audit));
        Assert.Contains("1234", line); // the height of the last sample, not 0
        Assert.Equal("9/15s", view.PhaseTime(Sample(RunPhase.Load)));
        Assert.Equal("9/3s", view.PhaseTime(Sample(RunPhase.Warmup))); // a late sample still says what was planned
        Assert.Equal("9s", view.PhaseTime(Sample(RunPhase.Drain)));
        var header = LiveView.Header().Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["phase", "time", "tx/s", "height", "epoch", "leader", "p99", "ms", "mempool", "faults"], header);
    }

    // ---------------------------------------------------------------- --compare

    private static string TempFolder()
    {
        var path = Path.Combine(Path.GetTempPath(), "actorrollup-compare-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(path);
        return path;
    }

    private static LoadTestReport Report(params (int Size, double Tps, double P99)[] runs) => new(
        new Machine(2, "linux", ".NET", "cpu", 4, "embedded silo"), new CeilingResult(40_000, 150_000),
        runs.Select(r => new RunResult
        {
            CommitteeSize = r.Size,
            DurationSec = 15,
            WarmupSec = 3,
            OfferedTps = r.Tps,
            CommittedTps = r.Tps,
            LatencyMs = new LatencySet(new Percentiles(100, 150, r.P99), new Percentiles(200, 250, 300), new Percentiles(8_000, 9_000, 9_500)),
            AttestationRttMs = new RttResult(1, 2),
        }).ToList(), "2026-01-01T00:00:00Z", "rollup loadtest");

    private static string ResultFolder(string parent, string name, LoadTestReport report)
    {
        var folder = Path.Combine(parent, name);
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "results.json"), JsonSerializer.Serialize(report));
        return folder;
    }

    private static (int Exit, string Stdout, string Stderr) Run(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        return (Cli.Run(args, stdout, stderr), stdout.ToString(), stderr.ToString());
    }

    public static TheoryData<string, string> BadFolders => new()
    {
        { "missing", "is not a folder" },
        { "empty", "has no results.json" },
        { "not-json", "is not a load-test result" },
        { "no-runs", "is not a load-test result" },
        { "wrong-shape", "is not a load-test result" },
        { "partial-latency", "is not a load-test result" },
    };

    [Theory]
    [MemberData(nameof(BadFolders))]
    public void Compare_refuses_a_bad_folder_naming_it_and_writes_nothing(string kind, string reason)
    {
        var root = TempFolder();
        try
        {
            var good = ResultFolder(root, "good", Report((4, 100, 200)));
            var bad = Path.Combine(root, kind);
            if (kind != "missing") Directory.CreateDirectory(bad);
            if (kind == "not-json") File.WriteAllText(Path.Combine(bad, "results.json"), "{ \"runs\": [ ");
            if (kind == "no-runs") File.WriteAllText(Path.Combine(bad, "results.json"), "{ \"runs\": [] }");
            if (kind == "wrong-shape") File.WriteAllText(Path.Combine(bad, "results.json"), "{ \"runs\": [ { \"committeeSize\": 4 } ] }");
            if (kind == "partial-latency") File.WriteAllText(Path.Combine(bad, "results.json"), "{ \"runs\": [ { \"committeeSize\": 4, \"latencyMs\": {} } ] }");
            var output = Path.Combine(root, "out");

            var (exit, stdout, stderr) = Run("loadtest", "--compare", good, bad, "--out", output);

            Assert.Equal(ExitCodes.Usage, exit);
            Assert.Equal("", stdout);
            var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
            Assert.StartsWith("error: --compare: ", line);
            Assert.Contains(kind, line);
            Assert.Contains(reason, line);
            Assert.False(Directory.Exists(output));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public void Compare_overlays_folders_in_charts_and_a_table()
    {
        var root = TempFolder();
        try
        {
            var before = ResultFolder(root, "before", Report((4, 13_900, 234), (16, 13_950, 222), (64, 9_317, 387)));
            var after = ResultFolder(root, "after", Report((4, 14_100, 230), (16, 13_000, 240)));
            var output = Path.Combine(root, "out");

            var (exit, stdout, stderr) = Run("loadtest", "--compare", before, after, "--out", output);

            Assert.True(exit == 0, stderr);
            // Results without a format are native; without a ratio to a ceiling, "-".
            Assert.Contains("| before | 64 | native | 15 | 9,317 | 9,317 | - |", stdout);
            Assert.Contains("| after | 16 | native | 15 | 13,000 | 13,000 | - |", stdout);
            foreach (var file in new[] { "compare_throughput.png", "compare_p99.png", "comparison.md" })
                Assert.True(new FileInfo(Path.Combine(output, file)).Length > 0, file);
            var md = File.ReadAllText(Path.Combine(output, "comparison.md"));
            Assert.Contains("| before | 4 |", md);
            Assert.Contains("measured window", md);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Theory]
    [InlineData(new[] { "/r/before", "/r/after" }, new[] { "before", "after" })]
    [InlineData(new[] { "/a/results", "/b/results/" }, new[] { "a/results", "b/results" })]
    [InlineData(new[] { "/a/x", "/a/x" }, new[] { "a/x #1", "a/x #2" })]
    public void Compare_labels_each_folder_by_its_name(string[] folders, string[] labels)
    {
        Assert.Equal(labels, ResultComparison.Labels(folders));
    }
}

/// <summary>The embedded silo's default leader timeout follows the machine it measured.</summary>
public class MachineLeaderTimeoutTests
{
    [Theory]
    // Ed25519 verifications/s, block cap, leader timeout ms
    [InlineData(40_000.0, 2_000, 1_000)]  // a fast machine: 8 x 50 ms = 400, below the 1 s floor
    [InlineData(80_000.0, 2_000, 1_000)]  // never below 1 s
    [InlineData(8_000.0, 1_000, 1_000)]   // exactly 1000 ms
    [InlineData(7_000.0, 1_000, 1_200)]   // 1142.9 ms, rounded up to 100 ms
    [InlineData(5_000.0, 2_000, 2_000)]   // capped at 2 s
    [InlineData(20_000.0, 500, 1_000)]    // small blocks: 200 ms -> 1 s
    [InlineData(0.0, 2_000, 2_000)]       // an unmeasured ceiling: the most careful value
    [InlineData(double.NaN, 2_000, 2_000)]
    public void Eight_full_block_verifications_rounded_up_between_1s_and_2s(double ed25519, int maxTx, int expected) =>
        Assert.Equal(expected, LoadTestOptions.MachineLeaderTimeoutMs(ed25519, maxTx));
}

/// <summary>Load-test values refused before any run starts: one line naming the option, exit 2, nothing on stdout.</summary>
public class LoadTestUpfrontChecksTests
{
    [Theory]
    [InlineData("--out", "", "--out must name a folder")]
    [InlineData("--validators", "100000", "--validators must be from 1 to 128")]
    [InlineData("--accounts", "1000000", "--accounts must be from 1 to 100000")]
    [InlineData("--workers", "0", "--workers must be from 1 to 256")]
    [InlineData("--block-interval", "2m", "--block-interval must be at most 1m")]
    [InlineData("--leader-timeout", "1ms", "--leader-timeout: Chain:AttestationTimeoutMs")]
    [InlineData("--epoch-length", "1", "--epoch-length: Chain:EpochLength")]
    [InlineData("--pipeline-depth", "0", "--pipeline-depth: Chain:PipelineDepth must be between 1 and 16")]
    [InlineData("--pipeline-depth", "17", "--pipeline-depth: Chain:PipelineDepth must be between 1 and 16")]
    public async Task Refused_before_the_run_naming_the_option(string option, string value, string expected)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var exit = await Cli.RunAsync(["loadtest", option, value], stdout, stderr);
        Assert.Equal(ExitCodes.Usage, exit);
        Assert.Equal("", stdout.ToString());
        var line = Assert.Single(stderr.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("error: " + expected, line);
    }

    [Fact]
    public async Task An_out_folder_under_a_file_is_refused_before_the_run()
    {
        var file = Path.GetTempFileName();
        try
        {
            var stderr = new StringWriter();
            var exit = await Cli.RunAsync(["loadtest", "--out", Path.Combine(file, "results")], new StringWriter(), stderr);
            Assert.Equal(ExitCodes.Usage, exit);
            Assert.StartsWith("error: --out '", stderr.ToString());
        }
        finally
        {
            File.Delete(file);
        }
    }
}
