using System.Globalization;

namespace ActorRollup.Core.Network;

/// <summary>
/// Which region each of a list of nodes (members in id order, or validators) sits in (docs/NETWORK.md):
/// <c>R1:N1,R2:N2,...</c> gives the first N1 to R1, the next N2 to R2 and so on; <c>R1,R2,R3</c> deals them out
/// round-robin. A bad spec is a <see cref="FormatException"/> with one line naming the problem.
/// </summary>
public sealed class RegionSpec
{
    public const int MaxEntries = LatencyMatrix.MaxRegions;
    private readonly string[] _regions;
    private readonly int[]? _counts;
    private readonly int _total;

    private RegionSpec(string text, string[] regions, int[]? counts)
    {
        Text = text;
        _regions = regions;
        _counts = counts;
        _total = counts?.Sum() ?? 0;
    }

    /// <summary>The spec as given.</summary>
    public string Text { get; }

    /// <summary>The regions the spec names, in its order.</summary>
    public IReadOnlyList<string> Regions => _regions;

    /// <summary>Whether the spec gives counts (<c>R:N</c>), so it fits only <see cref="Total"/> nodes.</summary>
    public bool HasCounts => _counts is not null;

    /// <summary>The sum of the counts (0 for a round-robin spec).</summary>
    public int Total => _total;

    /// <summary>Parses the spec (either form) without a node count.</summary>
    public static RegionSpec Parse(string spec)
    {
        if (string.IsNullOrWhiteSpace(spec)) throw new FormatException("regions: empty (give R1,R2,... or R1:N1,R2:N2,...)");
        var parts = spec.Split(',');
        if (parts.Length > MaxEntries) throw new FormatException($"regions: more than {MaxEntries} entries");
        var regions = new string[parts.Length];
        int[]? counts = null;
        bool? withCounts = null;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < parts.Length; i++)
        {
            var part = parts[i].Trim();
            int colon = part.IndexOf(':');
            bool hasCount = colon >= 0;
            if (withCounts is { } w && w != hasCount) throw new FormatException($"regions '{Clip(spec)}': give every region a count (R:N) or none");
            withCounts = hasCount;
            var region = hasCount ? part[..colon].Trim() : part;
            if (!LatencyMatrix.IsRegionName(region)) throw new FormatException($"regions: '{LatencyMatrix.Clip(region)}' is not a region name");
            if (!seen.Add(region)) throw new FormatException($"regions: '{region}' is named twice");
            regions[i] = region;
            if (hasCount)
            {
                counts ??= new int[parts.Length];
                var n = part[(colon + 1)..].Trim();
                if (!int.TryParse(n, NumberStyles.None, CultureInfo.InvariantCulture, out var c) || c <= 0)
                    throw new FormatException($"regions: the count of '{region}' must be a positive whole number, not '{LatencyMatrix.Clip(n)}'");
                counts[i] = c;
                if (counts.Take(i + 1).Sum(x => (long)x) > 1_000_000) throw new FormatException("regions: the counts add up to more than 1000000");
            }
        }
        return new RegionSpec(spec.Trim(), regions, counts);
    }

    /// <summary>The region of each of <paramref name="count"/> nodes, index 0 first. With counts, they must add up to
    /// <paramref name="count"/>.</summary>
    public static string[] Parse(string spec, int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        var parsed = Parse(spec);
        if (parsed.HasCounts && parsed.Total != count)
            throw new FormatException($"regions '{Clip(spec)}': the counts add up to {parsed.Total}, not {count}");
        return Enumerable.Range(0, count).Select(parsed.RegionOf).ToArray();
    }

    /// <summary>The region of node <paramref name="index"/>. With counts, an index at or past <see cref="Total"/> wraps
    /// around (a silo does not know every chain's size: docs/NETWORK.md).</summary>
    public string RegionOf(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        if (_counts is null) return _regions[index % _regions.Length];
        int i = index % _total;
        for (int k = 0; k < _counts.Length; k++)
        {
            if (i < _counts[k]) return _regions[k];
            i -= _counts[k];
        }
        throw new InvalidOperationException("unreachable");
    }

    /// <summary>Throws a one-line <see cref="FormatException"/> naming the first region the matrix lacks.</summary>
    public void CheckIn(LatencyMatrix matrix, string what = "regions")
    {
        foreach (var r in _regions) CheckRegion(matrix, r, what);
    }

    public static void CheckRegion(LatencyMatrix matrix, string region, string what)
    {
        if (!matrix.Contains(region))
        {
            var known = string.Join(", ", matrix.Regions.Take(8)) + (matrix.Regions.Count > 8 ? ", ..." : "");
            throw new FormatException($"{what}: region '{region}' is not in the network '{matrix.Name}' (it has {known})");
        }
    }

    private static string Clip(string s) => s.Length <= 80 ? s : s[..80] + "…";
}
