using System.Text;

namespace ActorRollup.Core.Scheduling;

/// <summary>
/// Orders member ids "in byte-wise order" (PROTOCOL §6, §6.1 "ties go to the member whose id is smaller in
/// byte-wise order"): lexicographic comparison of the ids' UTF-8 encodings, a proper prefix first.
/// </summary>
/// <remarks>
/// This is not <see cref="string.CompareOrdinal(string, string)"/>: UTF-16 code-unit order puts supplementary
/// characters (surrogate pairs, 0xD800–0xDFFF) before U+E000–U+FFFF, UTF-8 byte order puts them after.
/// UTF-8 byte order equals Unicode scalar-value order, so the comparison walks scalar values without
/// allocating. An unpaired surrogate counts as U+FFFD (what a UTF-8 encoder writes for it); two different
/// strings that only differ that way fall back to ordinal order so the order stays total. Committee
/// validation rejects such ids anyway. <c>null</c> sorts first.
/// </remarks>
public sealed class MemberIdComparer : IComparer<string>
{
    /// <summary>The shared instance (stateless).</summary>
    public static MemberIdComparer Instance { get; } = new();

    private MemberIdComparer()
    {
    }

    /// <inheritdoc />
    public int Compare(string? x, string? y)
    {
        if (ReferenceEquals(x, y)) return 0;
        if (x is null) return -1;
        if (y is null) return 1;

        int i = 0, j = 0;
        while (i < x.Length && j < y.Length)
        {
            char cx = x[i], cy = y[j];
            if (cx < 0x80 && cy < 0x80)
            {
                if (cx != cy) return cx < cy ? -1 : 1;
                i++;
                j++;
                continue;
            }

            Rune.DecodeFromUtf16(x.AsSpan(i), out var rx, out int nx);
            Rune.DecodeFromUtf16(y.AsSpan(j), out var ry, out int ny);
            if (rx.Value != ry.Value) return rx.Value < ry.Value ? -1 : 1;
            i += nx;
            j += ny;
        }

        if (i < x.Length) return 1;
        if (j < y.Length) return -1;
        return Math.Sign(string.CompareOrdinal(x, y));
    }
}
