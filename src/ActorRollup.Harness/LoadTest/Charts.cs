using ScottPlot;

namespace ActorRollup.Harness.LoadTest;

/// <summary>
/// PNG charts (ScottPlot) a person reads at a glance. Against committee size (a log2 axis, ticks at the measured
/// sizes): throughput with soft-confirm p99 on a second axis; the p50/p99 latencies to soft-confirm and validation;
/// finality (seconds, its own chart: it is ~50 times the others). Per run: offered and committed tx/s over time,
/// the measured window shaded, each fault a labelled vertical line. Every y axis starts at zero; legends sit below
/// the plot area, never over a point.
/// </summary>
public static class Charts
{
    private const int ImageWidth = 1000;
    private const int ImageHeight = 560;

    public static IReadOnlyList<string> Write(LoadTestReport report, string directory)
    {
        var files = new List<string>();
        // Side-by-side chains (--chains) are drawn taken together: summed throughput, the worst chain's latencies.
        var runs = report.Runs.GroupBy(r => r.CommitteeSize).Select(Combined).OrderBy(r => r.CommitteeSize).ToList();
        if (runs.Count > 0)
        {
            var sizes = runs.Select(r => r.CommitteeSize).ToArray();

            var throughput = new Plot();
            var offered = Series(throughput, sizes, runs.Select(r => r.OfferedTps), "offered tx/s (left)", Colors.Gray, MarkerShape.OpenCircle);
            offered.LinePattern = LinePattern.Dashed;
            var committed = Series(throughput, sizes, runs.Select(r => r.CommittedTps), "committed tx/s (left)", Colors.C0);
            var p99 = Series(throughput, sizes, runs.Select(r => r.LatencyMs.SoftConfirm.P99), "soft-confirm p99 ms (right)", Colors.C1, MarkerShape.FilledSquare);
            p99.Axes.YAxis = throughput.Axes.Right;
            throughput.Title("Throughput and soft-confirm p99 against committee size");
            throughput.Axes.Left.Label.Text = "transactions per second (measured window)";
            throughput.Axes.Right.Label.Text = "soft-confirm p99 (ms)";
            FromZero(throughput, throughput.Axes.Left, committed, offered);
            // The latency axis runs to three times its highest point, so its line keeps to the lower third, under the
            // throughput; throughput values are written above their points, latencies below theirs.
            FromZero(throughput, throughput.Axes.Right, 3, p99);
            Labels(throughput, committed, "#,0", Alignment.LowerCenter, -10, throughput.Axes.Left);
            Labels(throughput, p99, "#,0' ms'", Alignment.UpperCenter, 10, throughput.Axes.Right);
            CommitteeAxis(throughput, sizes);
            Legend(throughput);
            files.Add(Save(throughput, directory, "throughput_vs_committee.png"));

            var latency = new Plot();
            var softP50 = Series(latency, sizes, runs.Select(r => r.LatencyMs.SoftConfirm.P50), "soft-confirm p50", Colors.C1, MarkerShape.OpenCircle);
            softP50.LinePattern = LinePattern.Dashed;
            var softP99 = Series(latency, sizes, runs.Select(r => r.LatencyMs.SoftConfirm.P99), "soft-confirm p99", Colors.C1);
            var validatedP50 = Series(latency, sizes, runs.Select(r => r.LatencyMs.Validated.P50), "validated p50", Colors.C2, MarkerShape.OpenSquare);
            validatedP50.LinePattern = LinePattern.Dashed;
            var validatedP99 = Series(latency, sizes, runs.Select(r => r.LatencyMs.Validated.P99), "validated p99", Colors.C2, MarkerShape.FilledSquare);
            latency.Title("Latency from admission to soft-confirm and to validation against committee size");
            latency.Axes.Left.Label.Text = "milliseconds";
            FromZero(latency, latency.Axes.Left, softP50, softP99, validatedP50, validatedP99);
            CommitteeAxis(latency, sizes);
            Legend(latency);
            files.Add(Save(latency, directory, "p99_vs_committee.png"));

            var finality = new Plot();
            var finalP50 = Series(finality, sizes, runs.Select(r => r.LatencyMs.Finalized.P50 / 1000), "finalized p50", Colors.C3, MarkerShape.OpenCircle);
            finalP50.LinePattern = LinePattern.Dashed;
            var finalP99 = Series(finality, sizes, runs.Select(r => r.LatencyMs.Finalized.P99 / 1000), "finalized p99", Colors.C3);
            finality.Title("Finality latency from admission against committee size");
            finality.Axes.Left.Label.Text = "seconds";
            FromZero(finality, finality.Axes.Left, finalP50, finalP99);
            CommitteeAxis(finality, sizes);
            Legend(finality);
            files.Add(Save(finality, directory, "finality_vs_committee.png"));
        }
        foreach (var run in report.Runs)
            files.Add(Save(Timeline(run), directory, run.Chains > 1 ? $"run_c{run.CommitteeSize}_n{run.ChainIndex}_tps.png" : $"run_c{run.CommitteeSize}_tps.png"));
        return files;
    }

    /// <summary>The runs of one committee size as one: tx/s summed, each latency percentile the worst run's.</summary>
    private static RunResult Combined(IEnumerable<RunResult> sameSize)
    {
        var list = sameSize.ToList();
        if (list.Count == 1) return list[0];
        static Percentiles Worst(IEnumerable<Percentiles> ps) => new(ps.Max(p => p.P50), ps.Max(p => p.P95), ps.Max(p => p.P99));
        return list[0] with
        {
            OfferedTps = list.Sum(r => r.OfferedTps),
            CommittedTps = list.Sum(r => r.CommittedTps),
            LatencyMs = new LatencySet(Worst(list.Select(r => r.LatencyMs.SoftConfirm)), Worst(list.Select(r => r.LatencyMs.Validated)), Worst(list.Select(r => r.LatencyMs.Finalized))),
        };
    }

    /// <summary>One run over time: offered and committed tx/s per second, the measured window shaded, faults marked.</summary>
    public static Plot Timeline(RunResult run)
    {
        var plot = new Plot();
        var window = plot.Add.HorizontalSpan(run.WarmupSec, run.WarmupSec + run.DurationSec);
        window.FillStyle.Color = Colors.Gray.WithAlpha(0.12);
        window.LineStyle.Width = 0;
        window.LegendText = "measured window";
        if (run.OfferedTimeline.Length > 0)
        {
            var offered = plot.Add.Scatter(Seconds(run.OfferedTimeline.Length), run.OfferedTimeline, Colors.Gray);
            offered.LegendText = "offered tx/s";
            offered.LinePattern = LinePattern.Dashed;
            offered.MarkerSize = 0;
        }
        if (run.TpsTimeline.Length > 0)
        {
            var committed = plot.Add.Scatter(Seconds(run.TpsTimeline.Length), run.TpsTimeline, Colors.C0);
            committed.LegendText = "committed tx/s";
            committed.LineWidth = 2;
            committed.MarkerSize = 3;
        }
        var top = Top(run.TpsTimeline.Concat(run.OfferedTimeline).DefaultIfEmpty(0).Max());
        // Each fault a dashed red line, its kind written at the top of the plot area (above every point), right of the line.
        foreach (var fault in run.Faults)
        {
            var line = plot.Add.VerticalLine(fault.AtSec);
            line.Color = Colors.C3;
            line.LinePattern = LinePattern.Dashed;
            line.ExcludeFromLegend = true;
            var label = plot.Add.Text(fault.Kind, fault.AtSec, top);
            label.LabelFontSize = 13;
            label.LabelFontColor = Colors.C3;
            label.LabelAlignment = Alignment.UpperLeft;
            label.LabelOffsetX = 4;
            label.LabelOffsetY = 4;
        }
        plot.Title($"Committee {run.CommitteeSize}: tx/s over time" + (run.Faults.Length > 0 ? " (red: faults)" : ""));
        plot.Axes.Bottom.Label.Text = "seconds since the traffic started (warm-up, then the measured window)";
        plot.Axes.Left.Label.Text = "transactions per second";
        var end = Math.Max(run.WarmupSec + run.DurationSec, Math.Max(run.TpsTimeline.Length, run.OfferedTimeline.Length));
        plot.Axes.SetLimitsX(0, Math.Max(1, end));
        plot.Axes.SetLimitsY(0, top, plot.Axes.Left);
        Legend(plot);
        return plot;
    }

    /// <summary>Earlier result folders overlaid: one series per folder against committee size.</summary>
    public static IReadOnlyList<string> WriteComparison(IReadOnlyList<ResultComparison.Entry> entries, string directory)
    {
        var throughput = new Plot();
        var latency = new Plot();
        var allSizes = entries.SelectMany(e => e.Report.Runs.Select(r => r.CommitteeSize)).Distinct().Order().ToArray();
        var tps = new List<ScottPlot.Plottables.Scatter>();
        var p99 = new List<ScottPlot.Plottables.Scatter>();
        for (int i = 0; i < entries.Count; i++)
        {
            var runs = entries[i].Report.Runs.OrderBy(r => r.CommitteeSize).ToList();
            var sizes = runs.Select(r => r.CommitteeSize).ToArray();
            var color = new ScottPlot.Palettes.Category10().GetColor(i);
            // The transaction format beside the folder's label, so native and eth folders read apart.
            var label = $"{entries[i].Label} ({string.Join("+", runs.Select(r => r.TxFormat).Distinct())})";
            tps.Add(Series(throughput, sizes, runs.Select(r => r.CommittedTps), label, color));
            p99.Add(Series(latency, sizes, runs.Select(r => r.LatencyMs.SoftConfirm.P99), label, color));
        }
        throughput.Title("Committed tx/s against committee size");
        throughput.Axes.Left.Label.Text = "committed tx/s (measured window)";
        FromZero(throughput, throughput.Axes.Left, [.. tps]);
        CommitteeAxis(throughput, allSizes);
        Legend(throughput);
        latency.Title("Soft-confirm p99 against committee size");
        latency.Axes.Left.Label.Text = "soft-confirm p99 (ms)";
        FromZero(latency, latency.Axes.Left, [.. p99]);
        CommitteeAxis(latency, allSizes);
        Legend(latency);
        return [Save(throughput, directory, "compare_throughput.png"), Save(latency, directory, "compare_p99.png")];
    }

    private static ScottPlot.Plottables.Scatter Series(Plot plot, int[] sizes, IEnumerable<double> values, string label, Color color,
        MarkerShape marker = MarkerShape.FilledCircle)
    {
        var scatter = plot.Add.Scatter(sizes.Select(s => Math.Log2(s)).ToArray(), values.ToArray(), color);
        scatter.LegendText = label;
        scatter.LineWidth = 2;
        scatter.MarkerSize = 9;
        scatter.MarkerShape = marker;
        return scatter;
    }

    /// <summary>Each point's value written beside it (above or below, by <paramref name="offsetY"/> pixels).</summary>
    private static void Labels(Plot plot, ScottPlot.Plottables.Scatter series, string format, Alignment alignment, float offsetY, IYAxis axis)
    {
        foreach (var point in series.Data.GetScatterPoints())
        {
            var text = plot.Add.Text(point.Y.ToString(format, System.Globalization.CultureInfo.InvariantCulture), point.X, point.Y);
            text.LabelFontSize = 13;
            text.LabelFontColor = series.Color;
            text.LabelAlignment = alignment;
            text.LabelOffsetY = offsetY;
            text.Axes.YAxis = axis;
        }
    }

    /// <summary>The committee-size axis: log2, a tick labelled with each measured size, half a doubling of room each side.</summary>
    private static void CommitteeAxis(Plot plot, int[] sizes)
    {
        var ticks = new ScottPlot.TickGenerators.NumericManual();
        foreach (var size in sizes.Distinct()) ticks.AddMajor(Math.Log2(size), size.ToString(System.Globalization.CultureInfo.InvariantCulture));
        plot.Axes.Bottom.TickGenerator = ticks;
        plot.Axes.Bottom.Label.Text = "committee size (log scale)";
        var low = Math.Log2(sizes.Min());
        var high = Math.Log2(sizes.Max());
        var pad = high > low ? 0.5 : 1;
        plot.Axes.SetLimitsX(low - pad, high + pad);
    }

    /// <summary>The axis from zero to a little above the highest point of its series.</summary>
    private static void FromZero(Plot plot, IYAxis axis, params ScottPlot.Plottables.Scatter[] series) => FromZero(plot, axis, 1, series);

    /// <summary>The axis from zero to <paramref name="headroom"/> times a little above the highest point.</summary>
    private static void FromZero(Plot plot, IYAxis axis, double headroom, params ScottPlot.Plottables.Scatter[] series)
    {
        var top = series.SelectMany(s => s.Data.GetScatterPoints()).Select(p => p.Y).Where(double.IsFinite).DefaultIfEmpty(0).Max();
        plot.Axes.SetLimitsY(0, Top(top) * headroom, axis);
    }

    private static double Top(double max) => max > 0 ? max * 1.15 : 1;

    private static double[] Seconds(int count) => Enumerable.Range(0, count).Select(i => i + 0.5).ToArray();

    /// <summary>Below the plot area, in a row: it covers no point.</summary>
    private static void Legend(Plot plot)
    {
        plot.ShowLegend(Edge.Bottom);
        plot.Legend.Orientation = Orientation.Horizontal;
    }

    private static string Save(Plot plot, string directory, string name)
    {
        var path = Path.Combine(directory, name);
        plot.SavePng(path, ImageWidth, ImageHeight);
        return path;
    }
}
