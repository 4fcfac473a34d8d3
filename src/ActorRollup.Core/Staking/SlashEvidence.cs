using System.Globalization;

namespace ActorRollup.Core.Staking;

/// <summary>
/// The evidence a slash needs (PROTOCOL.md §5, docs/SECURITY.md "defence in depth"): its id, written and read in one
/// place, and the downtime rule a sequencer checks before it lets itself be slashed for a failover. A slash arriving
/// with an id that names no evidence, or evidence that does not name this sequencer, changes nothing.
/// </summary>
public static class SlashEvidence
{
    /// <summary>Longest evidence id accepted (ids are short; anything longer is forged).</summary>
    public const int MaxIdLength = 128;

    /// <summary>Most reporters one slash may name (the validator set and one equivocation reporter are far fewer).</summary>
    public const int MaxReporters = 256;

    private const string DowntimePrefix = "downtime-term-";
    private const string EquivocationPrefix = "equivocation-";

    /// <summary>A failover of <paramref name="term"/>'s leader (rotation's liveness watch).</summary>
    public static string Downtime(ulong term) => DowntimePrefix + term.ToString(CultureInfo.InvariantCulture);

    /// <summary>Equivocation evidence for a height and term.</summary>
    public static string Equivocation(ulong height, ulong term) =>
        EquivocationPrefix + height.ToString(CultureInfo.InvariantCulture) + "-" + term.ToString(CultureInfo.InvariantCulture);

    /// <summary>The term a downtime evidence id names, if it is one.</summary>
    public static bool TryParseDowntime(string? id, out ulong term)
    {
        term = 0;
        return id is { Length: <= MaxIdLength } && id.StartsWith(DowntimePrefix, StringComparison.Ordinal)
            && ulong.TryParse(id.AsSpan(DowntimePrefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out term);
    }

    /// <summary>Whether an id is well formed at all (bounded, non-empty): checked before anything is looked up.</summary>
    public static bool IsWellFormed(string? id) => id is { Length: > 0 and <= MaxIdLength };

    /// <summary>
    /// The downtime rule as the slashed sequencer checks it: <paramref name="term"/> (from rotation's term record) was led
    /// by <paramref name="sequencerId"/> in <paramref name="epoch"/>, it is rotation's latest term (a failover slashes
    /// before the replacement's term begins), and the chain has been silent for longer than the leader timeout — since its
    /// last committed block and since the term began, whichever is later. Rotation fails a leader over only after that
    /// silence, measured from a later instant, so an honest downtime slash always passes and a slash of a live leader
    /// (or of an old term, or with another epoch) does not.
    /// </summary>
    public static StakingReason CheckDowntime(string sequencerId, ulong epoch, TermRecordView term, bool latestTerm,
        long lastCommitMs, long termStartMs, long nowMs, long leaderTimeoutMs)
    {
        if (term.LeaderId != sequencerId || term.Epoch != epoch || !latestTerm) return StakingReason.EvidenceMismatch;
        var since = Math.Max(lastCommitMs, termStartMs);
        return nowMs - since > leaderTimeoutMs ? StakingReason.Ok : StakingReason.EvidenceMismatch;
    }
}

/// <summary>The fields of one leadership term the downtime rule reads (rotation's term record).</summary>
public readonly record struct TermRecordView(ulong Term, string LeaderId, ulong Epoch);

/// <summary>
/// Ids of the pool operations a staker grain asks a sequencer for ("address/nonce", a claim "address/nonce/index"),
/// written and read in one place: the sequencer reads the staker from the id and checks the operation with that staker.
/// </summary>
public static class StakeOperations
{
    public const int MaxIdLength = 128;

    public static string Id(Primitives.Address staker, ulong nonce) => $"{staker}/{nonce.ToString(CultureInfo.InvariantCulture)}";

    public static string ClaimId(string operationId, int index) => $"{operationId}/{index.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>The staker an operation id names, if it is well formed.</summary>
    public static bool TryParseStaker(string? operationId, out Primitives.Address staker)
    {
        staker = default;
        if (operationId is not { Length: > 0 and <= MaxIdLength }) return false;
        var slash = operationId.IndexOf('/', StringComparison.Ordinal);
        return slash > 0 && Primitives.Address.TryParse(operationId[..slash], out staker);
    }
}
