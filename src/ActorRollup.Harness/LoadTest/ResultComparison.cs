using System.Globalization;
using System.Text;
using System.Text.Json;

namespace ActorRollup.Harness.LoadTest;

/// <summary>
/// <c>loadtest --compare DIR1 DIR2 ...</c>: reads earlier result folders (their results.json), overlays them in two
/// charts (committed tx/s and soft-confirm p99 against committee size, a series per folder) and a table
/// (comparison.md, also printed). No load is run. A folder that is missing, has no results.json, or whose
/// results.json is not a load-test result is refused with one line naming it, and nothing is written.
/// </summary>
public static class ResultComparison
{
    /// <summary>One folder: its label on the charts and in the table (the folder's name, or parent/name where two
    /// folders share a name), where it is, and its report.</summary>
    public sealed record Entry(string Label, string Folder, LoadTestReport Report);

    public static int Run(IReadOnlyList<string> folders, string outDirectory, TextWriter stdout, TextWriter stderr)
    {
        var entries = Load(folders, out var error);
        if (entries is null) return Cli.Fail(stderr, "--compare: " + error);
        if (OutputFolder.Prepare(outDirectory) is { } outError) return Cli.Fail(stderr, outError);
        var files = new List<string>(Charts.WriteComparison(entries, outDirectory));
        var table = Table(entries);
        var md = Path.Combine(outDirectory, "comparison.md");
        File.WriteAllText(md, Markdown(entries, table, files.Select(Path.GetFileName).ToList()!));
        files.Add(md);
        stdout.Write(table);
        stdout.WriteLine(WindowNote);
        foreach (var note in OlderNotes(entries)) stdout.WriteLine(note);
        foreach (var f in files) stdout.WriteLine($"wrote {f}");
        return ExitCodes.Success;
    }

    /// <summary>The folders' reports, labelled; null with a one-line error naming the first bad folder.</summary>
    public static IReadOnlyList<Entry>? Load(IReadOnlyList<string> folders, out string error)
    {
        error = "";
        var loaded = new List<(string Folder, LoadTestReport Report)>();
        foreach (var folder in folders)
        {
            if (!Directory.Exists(folder))
            {
                error = $"'{folder}' is not a folder";
                return null;
            }
            var json = Path.Combine(folder, "results.json");
            if (!File.Exists(json))
            {
                error = $"'{folder}' has no results.json";
                return null;
            }
            LoadTestReport? report;
            try
            {
                report = JsonSerializer.Deserialize<LoadTestReport>(File.ReadAllText(json));
            }
            catch (JsonException e)
            {
                error = $"'{json}' is not a load-test result ({(e.LineNumber is { } line ? $"bad JSON or a missing field near line {line + 1}" : "bad JSON or a missing field")})";
                return null;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                error = $"'{json}' cannot be read ({e.Message})";
                return null;
            }
            if (report?.Runs is not { Count: > 0 } runs || runs.Any(r => r is null || r.CommitteeSize < 1 || r.LatencyMs is not { SoftConfirm: not null, Validated: not null, Finalized: not null }))
            {
                error = $"'{json}' is not a load-test result (no runs with a committee size)";
                return null;
            }
            loaded.Add((folder, report));
        }
        if (loaded.Count == 0)
        {
            error = "needs at least one result folder";
            return null;
        }
        var labels = Labels(loaded.Select(l => l.Folder).ToList());
        return loaded.Select((l, i) => new Entry(labels[i], l.Folder, l.Report)).ToList();
    }

    /// <summary>Each folder's name; where two share one, parent/name; a number after any that are still equal.</summary>
    public static IReadOnlyList<string> Labels(IReadOnlyList<string> folders)
    {
        static string Name(string folder) => Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(folder)));
        static string WithParent(string folder)
        {
            var full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(folder));
            var parent = Path.GetFileName(Path.GetDirectoryName(full) ?? "");
            return parent.Length == 0 ? Path.GetFileName(full) : $"{parent}/{Path.GetFileName(full)}";
        }
        var names = folders.Select(Name).ToList();
        var labels = folders.Select((f, i) => names.Count(n => n == names[i]) > 1 ? WithParent(f) : names[i]).ToList();
        for (int i = 0; i < labels.Count; i++)
        {
            var same = labels.Select((l, j) => (l, j)).Where(x => x.l == labels[i]).Select(x => x.j).ToList();
            if (same.Count > 1)
                foreach (var (j, n) in same.Select((j, n) => (j, n + 1)).ToList()) labels[j] = $"{labels[j]} #{n}";
        }
        return labels;
    }

    /// <summary>Folders written before offered tx/s was counted over the measured window (they have no phase times):
    /// their offered tx/s was counted between two progress samples, so it compares with committed only roughly.</summary>
    public static IEnumerable<string> OlderNotes(IReadOnlyList<Entry> entries) => entries
        .Where(e => e.Report.Runs.All(r => r.PhasesSec is null))
        .Select(e => $"{e.Label}: written by an older loadtest, whose offered tx/s was counted between two progress samples, not over the window");

    public const string WindowNote = "offered and committed tx/s: both over each run's measured window (after the warm-up, before the drain)";

    private static string F(double v) => v.ToString("#,0.#", CultureInfo.InvariantCulture);

    /// <summary>A Markdown table: one row per folder and committee size.</summary>
    public static string Table(IReadOnlyList<Entry> entries)
    {
        var sb = new StringBuilder();
        sb.AppendLine("| result | committee | format | window s | offered tx/s | committed tx/s | of ceiling | soft p50 / p99 ms | validated p99 ms | finalized p99 ms | lost | dup | audit |");
        sb.AppendLine("|---|---|---|---|---|---|---|---|---|---|---|---|---|");
        foreach (var e in entries)
            foreach (var r in e.Report.Runs.OrderBy(r => r.CommitteeSize))
                sb.AppendLine($"| {e.Label} | {r.CommitteeSize} | {r.TxFormat} | {F(r.DurationSec)} | {F(r.OfferedTps)} | {F(r.CommittedTps)} | {ReportWriter.Percent(r.CommittedToSignatureCeiling)} | " +
                              $"{F(r.LatencyMs.SoftConfirm.P50)} / {F(r.LatencyMs.SoftConfirm.P99)} | {F(r.LatencyMs.Validated.P99)} | " +
                              $"{F(r.LatencyMs.Finalized.P99)} | {r.TxLost} | {r.TxDuplicated} | " +
                              $"{(r.Audit is null ? "-" : r.Audit.Passed ? "passed" : "FAILED")} |");
        return sb.ToString();
    }

    private static string Markdown(IReadOnlyList<Entry> entries, string table, List<string> charts)
    {
        var sb = new StringBuilder();
        sb.AppendLine("# ActorRollup load-test comparison");
        sb.AppendLine();
        foreach (var e in entries)
            sb.AppendLine($"- **{e.Label}**: `{e.Folder}` — `{e.Report.Command}`, started {e.Report.StartedAt}, " +
                          $"{e.Report.Machine?.Cores} cores, {e.Report.Machine?.Cluster}; Ed25519 ceiling {F(e.Report.Ceilings?.Ed25519VerifyPerSec ?? 0)}/s" +
                          (e.Report.Ceilings?.Secp256k1RecoverPerSec is { } rec ? $", secp256k1 recovery ceiling {F(rec)}/s" : ""));
        sb.AppendLine();
        sb.Append(table);
        sb.AppendLine();
        sb.AppendLine(char.ToUpperInvariant(WindowNote[0]) + WindowNote[1..] + ".");
        foreach (var note in OlderNotes(entries)) sb.AppendLine($"- {note}.");
        sb.AppendLine();
        foreach (var chart in charts.Where(c => c.EndsWith(".png", StringComparison.Ordinal))) sb.AppendLine($"![{chart}]({chart})");
        return sb.ToString();
    }
}
