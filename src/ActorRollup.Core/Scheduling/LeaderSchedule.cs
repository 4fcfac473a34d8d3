namespace ActorRollup.Core.Scheduling;

/// <summary>
/// The leaders of epochs 1..N for a fixed committee (PROTOCOL §6: "One leader per epoch"), by either algorithm.
/// </summary>
public static class LeaderSchedule
{
    /// <summary>
    /// Leaders of epochs 1..<paramref name="epochs"/>. Weighted round robin: <see cref="WeightedRoundRobin.Create"/>
    /// gives epoch 1 (§6.1 rule 3), then one <see cref="WeightedRoundRobin.Advance"/> per further epoch;
    /// <paramref name="seed"/> is unused. Stake lottery: <see cref="StakeLottery.Draw"/>(members, seed, e, term 0)
    /// for e = 1..N.
    /// </summary>
    /// <exception cref="ArgumentException">Invalid committee or unknown algorithm.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="epochs"/> is negative.</exception>
    public static IReadOnlyList<string> Compute(
        ScheduleAlgorithm algorithm, IReadOnlyList<CommitteeMember> members, int epochs, ulong seed) =>
        Enumerate(algorithm, members, epochs, seed).ToList();

    /// <summary>
    /// Same as <see cref="Compute"/>, lazily (for long schedules): a fresh <see cref="LeaderRotation"/> begins
    /// epoch 1 with <paramref name="members"/>, and its <see cref="LeaderRotation.Upcoming"/> gives epochs 1..N.
    /// Arguments are checked when called, not when enumerated.
    /// </summary>
    public static IEnumerable<string> Enumerate(
        ScheduleAlgorithm algorithm, IReadOnlyList<CommitteeMember> members, int epochs, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(members);
        ArgumentOutOfRangeException.ThrowIfNegative(epochs);
        CommitteeValidation.ThrowIfInvalid(members, nameof(members));
        var rotation = new LeaderRotation(algorithm, seed);
        var copy = members.ToArray();
        rotation.BeginEpoch(1, copy);
        return rotation.Upcoming(1, copy, epochs);
    }
}
