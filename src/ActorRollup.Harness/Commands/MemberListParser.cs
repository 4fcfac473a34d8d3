using System.Globalization;
using ActorRollup.Core.Scheduling;

namespace ActorRollup.Harness.Commands;

/// <summary>Parses a committee given as <c>ID:POWER</c> entries separated by commas, in any order.</summary>
public static class MemberListParser
{
    /// <summary>
    /// Parses <paramref name="text"/>; on failure returns false with a one-line <paramref name="error"/>.
    /// Whitespace around entries, ids and powers is ignored; the power follows the last ':' (so an id may contain
    /// ':'); powers are decimal integers. The result is also checked with <see cref="CommitteeValidation"/>
    /// (duplicates, total power cap).
    /// </summary>
    public static bool TryParse(string? text, out IReadOnlyList<CommitteeMember> members, out string error)
    {
        members = [];
        error = "";
        if (string.IsNullOrWhiteSpace(text))
        {
            error = "no members given (expected ID:POWER[,ID:POWER...])";
            return false;
        }

        var list = new List<CommitteeMember>();
        foreach (var raw in text.Split(','))
        {
            var entry = raw.Trim();
            if (entry.Length == 0)
            {
                error = $"empty member entry in '{text}' (expected ID:POWER[,ID:POWER...])";
                return false;
            }

            int colon = entry.LastIndexOf(':');
            if (colon < 0)
            {
                error = $"member '{entry}' has no power (expected ID:POWER)";
                return false;
            }

            var id = entry[..colon].Trim();
            var powerText = entry[(colon + 1)..].Trim();
            if (id.Length == 0)
            {
                error = $"member '{entry}' has an empty id (expected ID:POWER)";
                return false;
            }

            if (powerText.Length == 0)
            {
                error = $"member '{id}' has no power (expected ID:POWER)";
                return false;
            }

            if (!long.TryParse(powerText, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long power))
            {
                error = IsInteger(powerText)
                    ? $"power '{powerText}' of member '{id}' is out of range"
                    : $"power '{powerText}' of member '{id}' is not an integer";
                return false;
            }

            if (power <= 0)
            {
                error = $"power of member '{id}' must be positive, got {power}";
                return false;
            }

            list.Add(new CommitteeMember(id, power));
        }

        var invalid = CommitteeValidation.Validate(list);
        if (invalid is not null)
        {
            error = invalid;
            return false;
        }

        members = list;
        return true;
    }

    private static bool IsInteger(string text)
    {
        var digits = text.StartsWith('-') || text.StartsWith('+') ? text[1..] : text;
        return digits.Length > 0 && digits.All(char.IsAsciiDigit);
    }
}
