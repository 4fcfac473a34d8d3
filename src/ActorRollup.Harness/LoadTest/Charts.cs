using ScottPlot;

namespace ActorRollup.Harness.LoadTest;

/// <summary>PNG charts (ScottPlot): throughput and p99 latency against committee size; per run, tx/s over time with fault markers.</summary>
public static class Charts
{
    public static IReadOnlyList<string> Write(LoadTestReport report, string directory)
    {
        var files = new List<string>();
        var sizes = report.Runs.Select(r => (double)r.CommitteeSize).ToArray();
        if (report.Runs.Count > 0)
        {
            var throughput = new Plot();
            throughput.Add.Scatter(sizes, report.Runs.Select(r => r.CommittedTps).ToArray()).LegendText = "committed tx/s";
            throughput.Add.Scatter(sizes, report.Runs.Select(r => r.OfferedTps).ToArray()).LegendText = "offered tx/s";
            throughput.Title("Throughput against committee size");
            throughput.XLabel("committee size");
            throughput.YLabel("transactions per second");
            throughput.ShowLegend();
            files.Add(Save(throughput, directory, "throughput_vs_committee.png"));

            var latency = new Plot();
            latency.Add.Scatter(sizes, report.Runs.Select(r => r.LatencyMs.SoftConfirm.P99).ToArray()).LegendText = "soft-confirm p99";
            latency.Add.Scatter(sizes, report.Runs.Select(r => r.LatencyMs.Validated.P99).ToArray()).LegendText = "validated p99";
            latency.Add.Scatter(sizes, report.Runs.Select(r => r.LatencyMs.Finalized.P99).ToArray()).LegendText = "finalized p99";
            latency.Title("p99 latency against committee size");
            latency.XLabel("committee size");
            latency.YLabel("milliseconds");
            latency.ShowLegend();
            files.Add(Save(latency, directory, "p99_vs_committee.png"));
        }
        foreach (var run in report.Runs)
        {
            var plot = new Plot();
            var seconds = Enumerable.Range(0, run.TpsTimeline.Length).Select(i => (double)i).ToArray();
            if (seconds.Length > 0) plot.Add.Scatter(seconds, run.TpsTimeline).LegendText = "committed tx/s";
            foreach (var fault in run.Faults)
            {
                var line = plot.Add.VerticalLine(fault.AtSec);
                line.Text = fault.Kind;
                line.LinePattern = LinePattern.Dashed;
            }
            plot.Title($"Committee {run.CommitteeSize}: committed tx/s over time");
            plot.XLabel("seconds since start (warm-up included)");
            plot.YLabel("transactions per second");
            files.Add(Save(plot, directory, $"run_c{run.CommitteeSize}_tps.png"));
        }
        return files;
    }

    private static string Save(Plot plot, string directory, string name)
    {
        var path = Path.Combine(directory, name);
        plot.SavePng(path, 900, 500);
        return path;
    }
}
