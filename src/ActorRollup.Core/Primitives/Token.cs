namespace ActorRollup.Core.Primitives;

/// <summary>
/// Native-token amounts: exact unsigned 128-bit integers of base units, 1 token = 10^18 base units.
/// All arithmetic on amounts is checked; an overflow is an error, never a wrap.
/// </summary>
public static class Token
{
    public static readonly UInt128 OneToken = 1_000_000_000_000_000_000UL;

    /// <summary>Whole tokens to base units (checked).</summary>
    public static UInt128 FromTokens(ulong tokens) => checked((UInt128)tokens * OneToken);

    /// <summary>Base units to whole tokens, truncating (voting power is stake in whole tokens).</summary>
    public static ulong WholeTokens(UInt128 baseUnits) => checked((ulong)(baseUnits / OneToken));

    /// <summary>Parses "12", "12.5" (tokens) or "12wei"/"12base" (base units) exactly.</summary>
    public static bool TryParse(string? text, out UInt128 baseUnits)
    {
        baseUnits = 0;
        if (string.IsNullOrWhiteSpace(text)) return false;
        text = text.Trim();
        try
        {
            if (text.EndsWith("wei", StringComparison.OrdinalIgnoreCase) || text.EndsWith("base", StringComparison.OrdinalIgnoreCase))
            {
                var digits = text.EndsWith("wei", StringComparison.OrdinalIgnoreCase) ? text[..^3] : text[..^4];
                return UInt128.TryParse(digits, System.Globalization.NumberStyles.None, null, out baseUnits);
            }
            var parts = text.Split('.');
            if (parts.Length > 2 || parts[0].Length == 0) return false;
            if (!UInt128.TryParse(parts[0], System.Globalization.NumberStyles.None, null, out var whole)) return false;
            UInt128 fraction = 0;
            if (parts.Length == 2)
            {
                var f = parts[1];
                if (f.Length == 0 || f.Length > 18) return false;
                if (!UInt128.TryParse(f.PadRight(18, '0'), System.Globalization.NumberStyles.None, null, out fraction)) return false;
            }
            baseUnits = checked(whole * OneToken + fraction);
            return true;
        }
        catch (OverflowException)
        {
            return false;
        }
    }

    /// <summary>Formats base units as tokens with up to 18 decimals, trailing zeros trimmed.</summary>
    public static string Format(UInt128 baseUnits)
    {
        var whole = baseUnits / OneToken;
        var fraction = baseUnits % OneToken;
        if (fraction == 0) return whole.ToString();
        return $"{whole}.{fraction.ToString().PadLeft(18, '0').TrimEnd('0')}";
    }
}
