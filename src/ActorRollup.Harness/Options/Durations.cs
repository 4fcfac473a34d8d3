using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;

namespace ActorRollup.Harness.Options;

/// <summary>The unit a bare number (no suffix) of a time option is read in: each option keeps the one it documents.</summary>
public enum BareUnit
{
    Milliseconds,
    Seconds,
}

/// <summary>
/// The one parser of times on the command line: a decimal number with an optional unit, <c>ms</c>, <c>s</c> or
/// <c>m</c> ("250ms", "2s", "1.5m", "30"). Strict: digits and at most one decimal point only (no sign, exponent,
/// NaN, Infinity, spaces or thousands separators), a whole number of milliseconds, and at most <see cref="Longest"/>,
/// so no value can overflow or round away.
/// </summary>
public static class Durations
{
    /// <summary>The longest time any option takes: one day.</summary>
    public static readonly TimeSpan Longest = TimeSpan.FromDays(1);

    /// <summary>Digits before and after the point beyond which a number is refused before it is converted.</summary>
    private const int MaxDigits = 20;

    /// <summary>Parses <paramref name="text"/>; a bare number is in <paramref name="bare"/>. False for anything else.</summary>
    public static bool TryParse(string? text, BareUnit bare, out TimeSpan value) => Read(text, bare, out value) == Verdict.Ok;

    private enum Verdict { Ok, NotATime, NotWholeMilliseconds, TooLong }

    private static Verdict Read(string? text, BareUnit bare, out TimeSpan value)
    {
        value = default;
        if (string.IsNullOrEmpty(text)) return Verdict.NotATime;
        var (digits, millisecondsPerUnit) =
            text.EndsWith("ms", StringComparison.Ordinal) ? (text[..^2], 1m) :
            text.EndsWith('s') ? (text[..^1], 1_000m) :
            text.EndsWith('m') ? (text[..^1], 60_000m) :
            (text, bare == BareUnit.Milliseconds ? 1m : 1_000m);
        if (!IsPlainDecimal(digits)) return Verdict.NotATime;
        var milliseconds = decimal.Parse(digits, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture) * millisecondsPerUnit;
        if (milliseconds > (decimal)Longest.TotalMilliseconds) return Verdict.TooLong;
        if (milliseconds != decimal.Truncate(milliseconds)) return Verdict.NotWholeMilliseconds;
        value = TimeSpan.FromMilliseconds((long)milliseconds);
        return Verdict.Ok;
    }

    /// <summary>Digits with at most one decimal point between digits: "30", "2.5"; not "", ".5", "5.", "1e3", "-1".</summary>
    private static bool IsPlainDecimal(string text)
    {
        var point = text.IndexOf('.');
        var whole = point < 0 ? text : text[..point];
        var fraction = point < 0 ? "0" : text[(point + 1)..];
        return whole.Length is > 0 and <= MaxDigits && fraction.Length is > 0 and <= MaxDigits
            && whole.All(char.IsAsciiDigit) && fraction.All(char.IsAsciiDigit);
    }

    /// <summary>A time in the largest of ms, s and m that shows it whole: "250ms", "30s", "2m".</summary>
    public static string Format(TimeSpan value)
    {
        var ms = (long)value.TotalMilliseconds;
        return ms != 0 && ms % 60_000 == 0 ? $"{ms / 60_000}m" : ms != 0 && ms % 1_000 == 0 ? $"{ms / 1_000}s" : $"{ms}ms";
    }

    /// <summary>What a time option accepts, for its error message.</summary>
    public static string Shape(BareUnit bare) =>
        $"a time like 250ms, 2s or 1m (a bare number is {(bare == BareUnit.Milliseconds ? "milliseconds" : "seconds")})";

    /// <summary>
    /// The custom parser of a time option: <see cref="TryParse"/>, then the range [<paramref name="min"/>,
    /// <paramref name="max"/>] (default max <see cref="Longest"/>); a zero <paramref name="min"/> admits 0. Every
    /// error names the option and the value given.
    /// </summary>
    public static Func<ArgumentResult, TimeSpan> Parser(string option, BareUnit bare, TimeSpan min, TimeSpan? max = null) => result =>
    {
        var text = OptionValues.SingleToken(result, option);
        if (text is null) return default;
        if (Check(option, text, bare, min, max, out var value) is { } error) result.AddError(error);
        return value;
    };

    /// <summary>A time option with a default: <paramref name="description"/> is followed by the unit of a bare number.</summary>
    public static Option<TimeSpan> Option(string name, string description, BareUnit bare, TimeSpan defaultValue, TimeSpan min, TimeSpan? max = null) =>
        Option(name, description, bare, _ => defaultValue, min, max);

    /// <summary>A time option whose default depends on the rest of the command line (e.g. a preset option).</summary>
    public static Option<TimeSpan> Option(string name, string description, BareUnit bare, Func<ArgumentResult, TimeSpan> defaultValue, TimeSpan min,
        TimeSpan? max = null) => new(name)
    {
        Description = Describe(description, bare),
        HelpName = "time",
        DefaultValueFactory = defaultValue,
        CustomParser = Parser(name, bare, min, max),
    };

    /// <summary>A time option without a default (null when absent).</summary>
    public static Option<TimeSpan?> OptionalOption(string name, string description, BareUnit bare, TimeSpan min, TimeSpan? max = null)
    {
        var parse = Parser(name, bare, min, max);
        return new(name)
        {
            Description = Describe(description, bare),
            HelpName = "time",
            CustomParser = result => parse(result),
        };
    }

    private static string Describe(string description, BareUnit bare) =>
        $"{description} Units ms, s or m; a bare number is {(bare == BareUnit.Milliseconds ? "milliseconds" : "seconds")}.";

    /// <summary>Parses and range-checks one time; the error line (naming <paramref name="what"/>) or null.</summary>
    public static string? Check(string what, string text, BareUnit bare, TimeSpan min, TimeSpan? max, out TimeSpan value)
    {
        var longest = max ?? Longest;
        return Read(text, bare, out value) switch
        {
            Verdict.NotATime => $"{what} must be {Shape(bare)}, got '{text}'",
            Verdict.NotWholeMilliseconds => $"{what} must be a whole number of milliseconds, got '{text}'",
            Verdict.TooLong => $"{what} must be at most {Format(longest)}, got '{text}'",
            _ when value < min && min == TimeSpan.FromMilliseconds(1) => $"{what} must be more than 0, got '{text}'",
            _ when value < min => $"{what} must be at least {Format(min)}, got '{text}'",
            _ when value > longest => $"{what} must be at most {Format(longest)}, got '{text}'",
            _ => null,
        };
    }
}
