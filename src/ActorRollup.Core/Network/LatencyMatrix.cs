using System.Globalization;
using System.Text.Json;

namespace ActorRollup.Core.Network;

/// <summary>
/// Round-trip times between regions (docs/NETWORK.md): <c>{"rttMs": {"A": {"A": 2, "B": 200}, "B": {"B": 2}}}</c>,
/// optional <c>"jitterMs"</c> of the same shape and <c>"lossPct"</c> (one number for every pair of distinct regions, or
/// the same shape per pair). Symmetric: a pair may be given in one direction or both (then equal). Every pair of the
/// regions named, a region with itself included, must have a round-trip time. Anything else is a
/// <see cref="FormatException"/> with one line naming the problem.
/// </summary>
public sealed class LatencyMatrix
{
    /// <summary>The built-in matrix: AWS inter-region times from cloudping.co (Network/Data/aws.SOURCE.md).</summary>
    public const string Aws = "aws";
    public const int MaxFileBytes = 1 << 20;
    public const int MaxRegions = 128;
    public const int MaxRegionNameLength = 40;
    /// <summary>The largest round-trip or jitter time accepted, in ms (a minute: beyond that it is a typo).</summary>
    public const double MaxMs = 60_000;

    private readonly Dictionary<string, int> _index;
    private readonly double[,] _rtt, _jitter, _loss;

    private LatencyMatrix(string name, List<string> regions, double[,] rtt, double[,] jitter, double[,] loss)
    {
        Name = name;
        Regions = regions;
        _index = regions.Select((r, i) => (r, i)).ToDictionary(p => p.r, p => p.i, StringComparer.Ordinal);
        _rtt = rtt;
        _jitter = jitter;
        _loss = loss;
    }

    /// <summary>"aws", or the file the matrix was read from.</summary>
    public string Name { get; }

    /// <summary>The regions, in the order the file first names them.</summary>
    public IReadOnlyList<string> Regions { get; }

    public bool Contains(string region) => _index.ContainsKey(region);
    public double RttMs(string a, string b) => _rtt[Index(a), Index(b)];
    public double JitterMs(string a, string b) => _jitter[Index(a), Index(b)];
    public double LossPct(string a, string b) => _loss[Index(a), Index(b)];

    internal int Index(string region) =>
        _index.TryGetValue(region, out var i) ? i : throw new ArgumentException($"region '{region}' is not in the network matrix '{Name}'");

    internal double RttMs(int a, int b) => _rtt[a, b];
    internal double JitterMs(int a, int b) => _jitter[a, b];
    internal double LossPct(int a, int b) => _loss[a, b];

    /// <summary>The built-in <see cref="Aws"/> matrix, or the JSON file at <paramref name="nameOrFile"/>.</summary>
    public static LatencyMatrix Load(string nameOrFile)
    {
        if (string.IsNullOrWhiteSpace(nameOrFile)) throw new FormatException("network: give 'aws' or a JSON file");
        if (nameOrFile == Aws)
        {
            using var stream = typeof(LatencyMatrix).Assembly.GetManifestResourceStream("ActorRollup.Core.Network.aws.json")
                ?? throw new InvalidOperationException("the built-in network matrix 'aws' is missing from ActorRollup.Core");
            using var reader = new StreamReader(stream);
            return Parse(reader.ReadToEnd(), Aws);
        }
        FileInfo file;
        try
        {
            file = new FileInfo(nameOrFile);
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException)
        {
            throw new FormatException($"network '{nameOrFile}': not 'aws' and not a usable file path");
        }
        if (!file.Exists) throw new FormatException($"network '{nameOrFile}': not 'aws' and no such file");
        if (file.Length > MaxFileBytes) throw new FormatException($"network file '{nameOrFile}': larger than {MaxFileBytes} bytes");
        string text;
        try
        {
            text = File.ReadAllText(file.FullName);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new FormatException($"network file '{nameOrFile}': cannot be read ({e.Message})");
        }
        return Parse(text, nameOrFile);
    }

    /// <summary>Parses the JSON text of a matrix; <paramref name="name"/> names it in errors and in <see cref="Name"/>.</summary>
    public static LatencyMatrix Parse(string json, string name = "matrix")
    {
        if (json.Length > MaxFileBytes) throw new FormatException($"network '{name}': larger than {MaxFileBytes} bytes");
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 8 });
        }
        catch (JsonException e)
        {
            throw new FormatException($"network '{name}': not valid JSON ({OneLine(e.Message)})");
        }
        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object) throw new FormatException($"network '{name}': the top level must be an object with \"rttMs\"");
            JsonElement? rttEl = null, jitterEl = null, lossEl = null;
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var p in root.EnumerateObject())
            {
                if (!seen.Add(p.Name)) throw new FormatException($"network '{name}': \"{p.Name}\" is given twice");
                switch (p.Name)
                {
                    case "rttMs": rttEl = p.Value; break;
                    case "jitterMs": jitterEl = p.Value; break;
                    case "lossPct": lossEl = p.Value; break;
                    default: throw new FormatException($"network '{name}': unknown key \"{Clip(p.Name)}\" (expected rttMs, jitterMs, lossPct)");
                }
            }
            if (rttEl is null) throw new FormatException($"network '{name}': \"rttMs\" is missing");

            var regions = new List<string>();
            var rttPairs = ReadPairs(rttEl.Value, "rttMs", name, MaxMs, regions, addRegions: true);
            int n = regions.Count;
            if (n == 0) throw new FormatException($"network '{name}': \"rttMs\" names no region");
            var index = regions.Select((r, i) => (r, i)).ToDictionary(p => p.r, p => p.i, StringComparer.Ordinal);
            var rtt = Fill(rttPairs, index, n, "rttMs", name, required: true);

            var jitter = new double[n, n];
            if (jitterEl is { } j)
                jitter = Fill(ReadPairs(j, "jitterMs", name, MaxMs, regions, addRegions: false), index, n, "jitterMs", name, required: true);

            var loss = new double[n, n];
            if (lossEl is { } l)
            {
                if (l.ValueKind == JsonValueKind.Number)
                {
                    double pct = Number(l, "lossPct", name, 100);
                    for (int a = 0; a < n; a++)
                        for (int b = 0; b < n; b++)
                            loss[a, b] = a == b ? 0 : pct;
                }
                else
                {
                    loss = Fill(ReadPairs(l, "lossPct", name, 100, regions, addRegions: false), index, n, "lossPct", name, required: true);
                }
            }
            return new LatencyMatrix(name, regions, rtt, jitter, loss);
        }
    }

    private static List<(string A, string B, double V)> ReadPairs(JsonElement el, string field, string name, double max, List<string> regions, bool addRegions)
    {
        if (el.ValueKind != JsonValueKind.Object)
            throw new FormatException($"network '{name}': \"{field}\" must be an object of region → region → number");
        var known = new HashSet<string>(regions, StringComparer.Ordinal);
        var pairs = new List<(string, string, double)>();
        var outer = new HashSet<string>(StringComparer.Ordinal);
        void Note(string region)
        {
            CheckRegionName(region, field, name);
            if (known.Contains(region)) return;
            if (!addRegions) throw new FormatException($"network '{name}': \"{field}\" names region '{Clip(region)}', which \"rttMs\" does not");
            if (regions.Count == MaxRegions) throw new FormatException($"network '{name}': more than {MaxRegions} regions");
            known.Add(region);
            regions.Add(region);
        }
        foreach (var row in el.EnumerateObject())
        {
            if (!outer.Add(row.Name)) throw new FormatException($"network '{name}': \"{field}\" gives region '{Clip(row.Name)}' twice");
            Note(row.Name);
            if (row.Value.ValueKind != JsonValueKind.Object)
                throw new FormatException($"network '{name}': \"{field}\".\"{Clip(row.Name)}\" must be an object of region → number");
            var inner = new HashSet<string>(StringComparer.Ordinal);
            foreach (var cell in row.Value.EnumerateObject())
            {
                if (!inner.Add(cell.Name)) throw new FormatException($"network '{name}': \"{field}\" gives {Clip(row.Name)}–{Clip(cell.Name)} twice");
                Note(cell.Name);
                pairs.Add((row.Name, cell.Name, Number(cell.Value, $"{field} {Clip(row.Name)}–{Clip(cell.Name)}", name, max)));
            }
        }
        return pairs;
    }

    private static double[,] Fill(List<(string A, string B, double V)> pairs, Dictionary<string, int> index, int n, string field, string name, bool required)
    {
        var m = new double[n, n];
        var set = new bool[n, n];
        foreach (var (a, b, v) in pairs)
        {
            int i = index[a], k = index[b];
            if (set[i, k] && m[i, k] != v)
                throw new FormatException($"network '{name}': \"{field}\" gives {a}–{b} as {Fmt(m[i, k])} one way and {Fmt(v)} the other (the matrix is symmetric)");
            m[i, k] = m[k, i] = v;
            set[i, k] = set[k, i] = true;
        }
        if (required)
            for (int i = 0; i < n; i++)
                for (int k = i; k < n; k++)
                    if (!set[i, k])
                        throw new FormatException($"network '{name}': \"{field}\" has no value for the pair {index.First(p => p.Value == i).Key}–{index.First(p => p.Value == k).Key}");
        return m;
    }

    private static double Number(JsonElement el, string what, string name, double max)
    {
        if (el.ValueKind != JsonValueKind.Number || !el.TryGetDouble(out var v))
            throw new FormatException($"network '{name}': {what} is not a number");
        if (!double.IsFinite(v) || v < 0 || v > max)
            throw new FormatException($"network '{name}': {what} is {Fmt(v)}, outside 0..{Fmt(max)}");
        return v;
    }

    /// <summary>Region names: 1..40 characters of letters, digits, '-', '_' and '.'.</summary>
    public static bool IsRegionName(string region) =>
        region.Length is > 0 and <= MaxRegionNameLength && region.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.');

    private static void CheckRegionName(string region, string field, string name)
    {
        if (!IsRegionName(region))
            throw new FormatException($"network '{name}': \"{field}\" names '{Clip(region)}', not a region name (1..{MaxRegionNameLength} letters, digits, '-', '_', '.')");
    }

    internal static string Clip(string s) => s.Length <= MaxRegionNameLength ? s.ReplaceLineEndings(" ") : s[..MaxRegionNameLength].ReplaceLineEndings(" ") + "…";
    private static string Fmt(double v) => v.ToString("0.###", CultureInfo.InvariantCulture);
    private static string OneLine(string s) => s.ReplaceLineEndings(" ");
}
