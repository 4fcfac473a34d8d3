using System.Globalization;
using System.Text;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace ActorRollup.Harness.LoadTest;

/// <summary>
/// What a run shows while it runs, in 80 columns: on a terminal a live panel (the phases with the current one marked
/// "[load]" and highlighted, how far it is, then the chain's figures); elsewhere a header and one fixed-width line per sample. Neither is wider than
/// <see cref="Width"/> for any value a run can reach, so nothing is cut or wrapped on an 80-column terminal.
/// </summary>
public sealed class LiveView(LoadTestOptions options)
{
    public const int Width = 80;

    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary>"committee 16 · run 1 of 3".</summary>
    public static string Title(int committeeSize, int run, int runs) => $"committee {committeeSize} · run {run} of {runs}";

    /// <summary>How far the phase is: "12/30s" in the warm-up and the window (of the planned length), else the seconds it has taken.</summary>
    public string PhaseTime(RunProgress p)
    {
        var planned = p.Phase switch
        {
            RunPhase.Warmup => options.Warmup,
            RunPhase.Load => options.Duration,
            _ => (TimeSpan?)null,
        };
        var done = Math.Floor(p.PhaseElapsed.TotalSeconds).ToString("0", Invariant);
        return planned is { } total ? $"{done}/{total.TotalSeconds.ToString("0.#", Invariant)}s" : $"{done}s";
    }

    /// <summary>The live panel for a terminal.</summary>
    public IRenderable Render(RunProgress p, int run, int runs, (int Index, int Count)? chain = null)
    {
        var strip = string.Join(" [grey]›[/] ", RunPhase.All.Select(phase => phase == p.Phase
            ? $"[bold black on yellow][[{phase}]][/]"
            : RunPhase.All.ToList().IndexOf(phase) < RunPhase.All.ToList().IndexOf(p.Phase) ? $"[grey]{phase}[/]" : phase));
        var grid = new Grid();
        foreach (var width in new[] { 9, 14, 9, 14 })
            grid.AddColumn(new GridColumn { Width = width, NoWrap = true, Padding = new Padding(0, 0, 2, 0) });
        grid.AddRow(Label("committed"), Value($"{N(p.CommittedTps)} tx/s"), Label("p99 soft"), Value($"{N(p.P99Ms)} ms"));
        grid.AddRow(Label("height"), Value(N(p.Height)), Label("epoch"), Value(N(p.Epoch)));
        grid.AddRow(Label("leader"), Value(p.Leader.Length == 0 ? "-" : p.Leader), Label("mempool"), Value(N(p.Mempool)));
        grid.AddRow(Label("admitted"), Value(N(p.Admitted)), Label("faults"), Value($"{p.FaultsFired} fired"));
        var rows = new List<IRenderable> { new Markup($"{strip} [bold]{Markup.Escape(PhaseTime(p).PadLeft(9))}[/]"), grid };
        if (p.Halted) rows.Add(new Markup("[bold red]the chain is halted (no quorum, or no eligible sequencer)[/]"));
        return new Panel(new Rows(rows)) { Header = new PanelHeader(Markup.Escape(Title(p.CommitteeSize, run, runs) + (chain is { } c ? $" · chain {c.Index} of {c.Count}" : ""))), Border = BoxBorder.Rounded };

        static Markup Label(string text) => new($"[grey]{text}[/]");
        static Text Value(string text) => new(text) { Overflow = Overflow.Ellipsis };
    }

    private static readonly (string Name, int Width, bool Right)[] Columns =
    [
        ("phase", 7, false), ("time", 10, true), ("tx/s", 7, true), ("height", 8, true), ("epoch", 6, true),
        ("leader", 8, false), ("p99 ms", 7, true), ("mempool", 7, true), ("faults", 6, true),
    ];

    /// <summary>The header over the lines of <see cref="Line"/>.</summary>
    public static string Header() => Join(Columns.Select(c => c.Name).ToArray());

    /// <summary>One sample as a fixed-width line (the output is not a terminal); the phase reads HALTED when the chain halted.</summary>
    public string Line(RunProgress p) => Join(
    [
        p.Halted ? "HALTED" : p.Phase, PhaseTime(p), p.CommittedTps.ToString("0", Invariant), p.Height.ToString(Invariant),
        p.Epoch.ToString(Invariant), p.Leader.Length == 0 ? "-" : p.Leader, p.P99Ms.ToString("0", Invariant),
        p.Mempool.ToString(Invariant), p.FaultsFired.ToString(Invariant),
    ]);

    private static string Join(string[] cells)
    {
        var line = new StringBuilder();
        for (int i = 0; i < cells.Length; i++)
        {
            if (i > 0) line.Append(' ');
            line.Append(Columns[i].Right ? cells[i].PadLeft(Columns[i].Width) : cells[i].PadRight(Columns[i].Width));
        }
        return line.ToString().TrimEnd();
    }

    private static string N(double value) => value.ToString("#,0", Invariant);
}
