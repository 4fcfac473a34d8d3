namespace ActorRollup.Core.Network;

/// <summary>
/// The quorum round trip of a committee spread over regions (docs/NETWORK.md): for a leader, the smallest round-trip
/// time plus jitter within which more than 2/3 of the committee's seats can answer its attestation call (its own seat
/// costs nothing; members count their voting power, or equal seats); the committee's quorum RTT is the worst of those over every member as
/// leader. It is the least one attestation round can cost, so soft-confirm latency is compared against it and the
/// load test's leader-timeout default is derived from it. Pure.
/// </summary>
public static class QuorumRtt
{
    /// <summary>Seats a quorum needs out of <paramref name="seats"/> equal seats: more than 2/3.</summary>
    public static int QuorumSeats(int seats)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(seats);
        return 2 * seats / 3 + 1;
    }

    /// <summary>The quorum round trip, in ms, of leader <paramref name="leader"/> (an index into <paramref name="memberRegions"/>):
    /// the members sorted by round trip (plus jitter) from the leader, the cost of the one whose power takes the sum past
    /// 2/3 of the total. <paramref name="powers"/> are the members' voting powers (null: equal seats).</summary>
    public static double ForLeaderMs(LatencyMatrix matrix, IReadOnlyList<string> memberRegions, int leader, IReadOnlyList<long>? powers = null)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        ArgumentNullException.ThrowIfNull(memberRegions);
        ArgumentOutOfRangeException.ThrowIfNegative(leader);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(leader, memberRegions.Count);
        if (powers is not null && (powers.Count != memberRegions.Count || powers.Any(p => p <= 0)))
            throw new ArgumentException("one positive power per member", nameof(powers));
        int from = matrix.Index(memberRegions[leader]);
        var costs = new (double Ms, long Power)[memberRegions.Count];
        for (int i = 0; i < costs.Length; i++)
        {
            int to = matrix.Index(memberRegions[i]);
            costs[i] = (i == leader ? 0 : matrix.RttMs(from, to) + matrix.JitterMs(from, to), powers?[i] ?? 1);
        }
        Array.Sort(costs, (a, b) => a.Ms.CompareTo(b.Ms));
        long total = costs.Sum(c => c.Power), gathered = 0;
        foreach (var (ms, power) in costs)
        {
            gathered += power;
            if (3 * gathered > 2 * total) return ms; // more than 2/3 (Committee.IsQuorum)
        }
        return costs[^1].Ms;
    }

    /// <summary>The worst <see cref="ForLeaderMs"/> over every member as leader, in ms (0 for an empty committee).</summary>
    public static double WorstMs(LatencyMatrix matrix, IReadOnlyList<string> memberRegions, IReadOnlyList<long>? powers = null)
    {
        ArgumentNullException.ThrowIfNull(memberRegions);
        double worst = 0;
        for (int i = 0; i < memberRegions.Count; i++) worst = Math.Max(worst, ForLeaderMs(matrix, memberRegions, i, powers));
        return worst;
    }

    /// <summary>
    /// The load test's leader-timeout default with a network: round_up_100(3 × <paramref name="quorumRttMs"/> + 2 ×
    /// <paramref name="blockIntervalMs"/>), at most <see cref="MaxNetworkLeaderTimeoutMs"/>, and never below
    /// <paramref name="machineTimeoutMs"/> (the rule without a network). Three quorum round trips: one for the block in
    /// flight, one for the next, and one of slack for jitter and a loaded machine; two block intervals for the leader's
    /// timer between them.
    /// </summary>
    public static int LeaderTimeoutMs(double quorumRttMs, int blockIntervalMs, int machineTimeoutMs)
    {
        if (!double.IsFinite(quorumRttMs) || quorumRttMs < 0) throw new ArgumentOutOfRangeException(nameof(quorumRttMs));
        var ms = Math.Ceiling((3 * quorumRttMs + 2.0 * blockIntervalMs) / 100) * 100;
        return Math.Max(machineTimeoutMs, (int)Math.Min(MaxNetworkLeaderTimeoutMs, ms));
    }

    /// <summary>The cap of the network leader-timeout rule: 10 s.</summary>
    public const int MaxNetworkLeaderTimeoutMs = 10_000;
}
