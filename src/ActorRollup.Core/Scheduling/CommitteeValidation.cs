using System.Text;

namespace ActorRollup.Core.Scheduling;

/// <summary>
/// Checks a committee before it is scheduled: at least one member, every id non-empty and valid Unicode,
/// every power positive, ids unique, and total power at most <see cref="MaxTotalPower"/>.
/// </summary>
public static class CommitteeValidation
{
    /// <summary>
    /// Largest allowed total voting power: <c>long.MaxValue / 8</c> (CometBFT's cap). With it, 2P, P + P/8 and
    /// every sum the schedulers form fit in 64 bits, so priorities cannot overflow in practice (§6.1 still
    /// saturates).
    /// </summary>
    public const long MaxTotalPower = long.MaxValue / 8;

    /// <summary>Returns null when <paramref name="members"/> is a valid committee, else one line naming the problem.</summary>
    public static string? Validate(IEnumerable<CommitteeMember?>? members)
    {
        if (members is null) return "the committee is empty";
        var seen = new HashSet<string>(StringComparer.Ordinal);
        long total = 0;
        int count = 0;
        foreach (var member in members)
        {
            count++;
            if (member is null) return "a committee member is null";
            if (string.IsNullOrEmpty(member.Id)) return "a member id is empty";
            if (!IsValidUnicode(member.Id)) return $"member id '{member.Id}' is not valid Unicode (unpaired surrogate)";
            if (member.Power <= 0) return $"member '{member.Id}' has non-positive power {member.Power}";
            if (!seen.Add(member.Id)) return $"duplicate member id '{member.Id}'";
            if (member.Power > MaxTotalPower - total)
                return $"total power exceeds the maximum {MaxTotalPower} (long.MaxValue/8)";
            total += member.Power;
        }

        return count == 0 ? "the committee is empty" : null;
    }

    /// <summary>Throws <see cref="ArgumentException"/> with the <see cref="Validate"/> message when invalid.</summary>
    public static void ThrowIfInvalid(IEnumerable<CommitteeMember?>? members, string paramName)
    {
        var error = Validate(members);
        if (error is not null) throw new ArgumentException(error, paramName);
    }

    private static bool IsValidUnicode(string id)
    {
        for (int i = 0; i < id.Length;)
        {
            if (Rune.DecodeFromUtf16(id.AsSpan(i), out _, out int consumed) != System.Buffers.OperationStatus.Done) return false;
            i += consumed;
        }

        return true;
    }
}
