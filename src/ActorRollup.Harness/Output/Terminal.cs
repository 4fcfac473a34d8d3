using System.Globalization;
using ActorRollup.Core.Primitives;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace ActorRollup.Harness.Output;

/// <summary>
/// Spectre.Console set up for a command's output writer. On a real terminal: colours, Unicode borders, live
/// displays. Anywhere else (a pipe, a file, a test's StringWriter): no ANSI codes, no colour, fixed width, and
/// tables drawn as plain Markdown, so the text reads the same in a log, a README or a diff.
/// </summary>
public static class Terminal
{
    /// <summary>Line width used when the output is not a terminal.</summary>
    public const int PlainWidth = 120;

    /// <summary>True when <paramref name="writer"/> is the process's own stdout and that is a terminal.</summary>
    public static bool IsInteractive(TextWriter writer) => ReferenceEquals(writer, Console.Out) && !Console.IsOutputRedirected;

    public static IAnsiConsole For(TextWriter writer)
    {
        var interactive = IsInteractive(writer);
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = interactive ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = interactive ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = interactive ? InteractionSupport.Detect : InteractionSupport.No,
            Out = new AnsiConsoleOutput(writer),
        });
        if (!interactive)
        {
            console.Profile.Width = PlainWidth;
            console.Profile.Capabilities.Unicode = false;
        }
        return console;
    }

    /// <summary>
    /// Writes <paramref name="renderable"/> to <paramref name="writer"/>. Off a terminal, the rendering is cleaned up
    /// for plain text: no trailing spaces, and no blank padding lines around a Markdown table.
    /// </summary>
    public static void Write(TextWriter writer, IRenderable renderable)
    {
        if (IsInteractive(writer))
        {
            For(writer).Write(renderable);
            return;
        }
        var buffer = new StringWriter();
        For(buffer).Write(renderable);
        var lines = buffer.ToString().Split('\n').Select(l => l.TrimEnd()).ToList();
        int start = 0, end = lines.Count;
        while (start < end && lines[start].Length == 0) start++;
        while (end > start && lines[end - 1].Length == 0) end--;
        for (int i = start; i < end; i++)
            if (lines[i].Length > 0 || (i > start && lines[i - 1].Length > 0)) writer.WriteLine(lines[i]);
    }

    /// <summary>A table in the house style: rounded on a terminal, Markdown elsewhere.</summary>
    public static Table Table(TextWriter writer, params string[] columns)
    {
        var table = new Table { Border = IsInteractive(writer) ? TableBorder.Rounded : TableBorder.Markdown };
        foreach (var column in columns) table.AddColumn(new TableColumn(column));
        return table;
    }

    /// <summary>Right-aligns the named columns (numbers).</summary>
    public static Table RightAlign(this Table table, params int[] columns)
    {
        foreach (var i in columns) table.Columns[i].RightAligned();
        return table;
    }

    /// <summary>A row of plain text cells (no markup parsing).</summary>
    public static Table Row(this Table table, params string[] cells)
    {
        table.AddRow(cells.Select(c => (Spectre.Console.Rendering.IRenderable)new Text(c)).ToArray());
        return table;
    }

    /// <summary>"label       value": a key/value line with the label padded to a fixed column.</summary>
    public static string Field(string label, string value) => label.PadRight(17) + value;

    /// <summary>Base units as tokens, exactly (Token.Format), with the unit.</summary>
    public static string Tokens(UInt128 baseUnits) => Token.Format(baseUnits) + " tokens";

    /// <summary>The first 12 hex digits of a hash, 0x-prefixed.</summary>
    public static string Short(Hash32 hash) => hash.Short();

    /// <summary>A Unix-ms timestamp as UTC wall-clock time with milliseconds, or "-" when 0.</summary>
    public static string Time(long unixMs) =>
        unixMs <= 0 ? "-" : DateTimeOffset.FromUnixTimeMilliseconds(unixMs).UtcDateTime.ToString("HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    /// <summary>Milliseconds between two Unix-ms timestamps, "+N ms"; "-" when either is unknown.</summary>
    public static string Latency(long fromMs, long toMs) => fromMs <= 0 || toMs <= 0 ? "-" : $"+{Math.Max(0, toMs - fromMs)} ms";

    public static string YesNo(bool value) => value ? "yes" : "no";

    public static string Flag(bool value) => value ? "yes" : "-";

    /// <summary>Power as a share of a total, one decimal ("12.5%").</summary>
    public static string Share(long part, long total) =>
        total <= 0 ? "-" : (100.0 * part / total).ToString("0.0", CultureInfo.InvariantCulture) + "%";
}
