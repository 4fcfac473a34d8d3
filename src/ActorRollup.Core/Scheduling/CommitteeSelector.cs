using ActorRollup.Core.Primitives;

namespace ActorRollup.Core.Scheduling;

/// <summary>
/// PROTOCOL §6: "The committee of epoch e: the active sequencers (not jailed, not exiting), at most committeeSize
/// of them by stake (ties by id) … Voting power = stake in whole tokens."
/// </summary>
public static class CommitteeSelector
{
    /// <summary>
    /// Keeps the eligible candidates with at least one whole token of stake, orders them by stake descending
    /// (ties by the byte-wise smaller id first), takes at most <paramref name="committeeSize"/>, and returns them
    /// sorted by id with power = <see cref="Token.WholeTokens"/>(stake). A candidate with less than one whole
    /// token would have zero voting power and is left out. The result may be empty (no quorum: the caller
    /// halts visibly, §6).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="committeeSize"/> &lt; 1.</exception>
    /// <exception cref="ArgumentException">A null or duplicate candidate id, or the committee's total power
    /// exceeds <see cref="CommitteeValidation.MaxTotalPower"/>.</exception>
    public static IReadOnlyList<CommitteeMember> Select(IEnumerable<SequencerStanding> candidates, int committeeSize)
    {
        ArgumentNullException.ThrowIfNull(candidates);
        ArgumentOutOfRangeException.ThrowIfLessThan(committeeSize, 1);

        var all = candidates.ToArray();
        var ids = new HashSet<string>(StringComparer.Ordinal);
        foreach (var c in all)
        {
            if (c is null || string.IsNullOrEmpty(c.Id)) throw new ArgumentException("a candidate id is empty", nameof(candidates));
            if (!ids.Add(c.Id)) throw new ArgumentException($"duplicate candidate id '{c.Id}'", nameof(candidates));
        }

        var chosen = all
            .Where(c => c.Eligible && c.Stake >= Token.OneToken)
            .OrderByDescending(c => c.Stake)
            .ThenBy(c => c.Id, MemberIdComparer.Instance)
            .Take(committeeSize)
            .Select(c =>
            {
                // Bound-check in 128 bits first: Token.WholeTokens narrows to 64 bits.
                if (c.Stake / Token.OneToken > (UInt128)CommitteeValidation.MaxTotalPower)
                    throw new ArgumentException(
                        $"candidate '{c.Id}' has {Token.Format(c.Stake)} tokens, above the maximum voting power {CommitteeValidation.MaxTotalPower}",
                        nameof(candidates));
                return new CommitteeMember(c.Id, (long)Token.WholeTokens(c.Stake));
            })
            .OrderBy(m => m.Id, MemberIdComparer.Instance)
            .ToArray();

        if (chosen.Length > 0) CommitteeValidation.ThrowIfInvalid(chosen, nameof(candidates));
        return chosen;
    }
}
