using System.CommandLine.Parsing;
using System.Globalization;
using ActorRollup.Core.Primitives;
using Token = ActorRollup.Core.Primitives.Token;

namespace ActorRollup.Harness.Options;

/// <summary>The value parsers of every command's options (System.CommandLine custom parsers): every bad value is a
/// parse error naming its option, so <see cref="Cli"/> reports it as one <c>error: …</c> line and exit code 2 before
/// any cluster is contacted.</summary>
public static class OptionValues
{
    /// <summary>The option's one token, or null with an error when it has none or several.</summary>
    public static string? SingleToken(ArgumentResult result, string option)
    {
        if (result.Tokens.Count == 1) return result.Tokens[0].Value;
        result.AddError($"{option} expects exactly one value");
        return null;
    }

    /// <summary>A token amount: "12", "12.5" (tokens) or "12wei" (base units).</summary>
    public static Func<ArgumentResult, UInt128> TokenAmount(string option, bool allowZero) => result =>
    {
        var text = SingleToken(result, option);
        if (text is null) return 0;
        if (!Token.TryParse(text, out var amount))
        {
            result.AddError($"{option} must be an amount of tokens like 12 or 0.5 (or base units like 1000wei), got '{text}'");
            return 0;
        }
        if (amount == 0 && !allowZero) result.AddError($"{option} must be more than 0");
        return amount;
    };

    /// <summary>An integer within [min, max].</summary>
    public static Func<ArgumentResult, int> Int(string option, int min, int max = int.MaxValue) => result =>
    {
        var text = SingleToken(result, option);
        if (text is null) return 0;
        if (!int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value) || value < min || value > max)
        {
            result.AddError(max == int.MaxValue
                ? $"{option} must be an integer of at least {min}, got '{text}'"
                : $"{option} must be an integer from {min} to {max}, got '{text}'");
            return 0;
        }
        return value;
    };

    /// <summary>An unsigned 64-bit integer of at least <paramref name="min"/>.</summary>
    public static Func<ArgumentResult, ulong> ULong(string option, ulong min = 0) => result =>
    {
        var text = SingleToken(result, option);
        if (text is null) return 0;
        if (!ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) || value < min)
        {
            result.AddError($"{option} must be an unsigned integer of at least {min}, got '{text}'");
            return 0;
        }
        return value;
    };

    /// <summary>A 20-byte 0x-hex address.</summary>
    public static Func<ArgumentResult, Address> AddressValue(string option) => result =>
    {
        var text = SingleToken(result, option);
        if (text is null) return default;
        if (Address.TryParse(text, out var address)) return address;
        result.AddError($"{option} must be a 20-byte 0x-hex address, got '{text}'");
        return default;
    };

    /// <summary>A member id (sequencer or validator): non-empty, no '/', no whitespace.</summary>
    public static Func<ArgumentResult, string> MemberId(string option) => result =>
    {
        var text = SingleToken(result, option);
        if (text is null) return "";
        if (text.Length == 0 || text.Length > 64 || text.Contains('/') || text.Any(char.IsWhiteSpace))
        {
            result.AddError($"{option} must be a member id without '/' or spaces (1-64 characters), got '{text}'");
            return "";
        }
        return text;
    };
}

