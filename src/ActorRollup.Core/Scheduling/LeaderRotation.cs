namespace ActorRollup.Core.Scheduling;

/// <summary>
/// Leader choice by algorithm (PROTOCOL §6), written once for everyone who needs it: the Rotation grain, the audit's
/// schedule replay and <see cref="LeaderSchedule"/>. One instance follows one chain epoch by epoch and carries the
/// only state the choice depends on between epochs, the weighted-round-robin priorities.
/// <list type="bullet">
/// <item><see cref="BeginEpoch"/>: the scheduled leader of an epoch. Weighted round robin: the first epoch begun
/// creates the priorities from its committee (§6.1 rule 3: one step); every later one applies the committee's
/// membership and powers (rule 4) and steps once. Stake lottery: <see cref="StakeLottery.Draw"/> with term 0.</item>
/// <item><see cref="Replacement"/>: the re-span choice at a failover, "the next member by the algorithm, skipping
/// the failed one". Weighted round robin: <see cref="WeightedRoundRobin.ReSpan"/>, which leaves the priorities
/// as they are; stake lottery: the draw of the new leadership term with the excluded members left out.</item>
/// <item><see cref="Upcoming"/>: the leaders of the coming epochs if the committee stays as it is.</item>
/// </list>
/// Deterministic: the same committees in the same order give the same leaders. Not thread-safe.
/// </summary>
public sealed class LeaderRotation
{
    private WeightedRoundRobin? _wrr;

    /// <summary>
    /// A rotation for <paramref name="algorithm"/> and lottery <paramref name="seed"/> (unused by weighted round
    /// robin). <paramref name="carried"/> is the weighted-round-robin state saved by <see cref="WrrState"/> after
    /// the last epoch begun; null when no epoch has begun yet (and always for the lottery, which carries nothing).
    /// </summary>
    /// <exception cref="ArgumentException">Unknown algorithm, or a carried state that is not a valid committee.</exception>
    public LeaderRotation(ScheduleAlgorithm algorithm, ulong seed, WrrSnapshot? carried = null)
    {
        if (algorithm is not (ScheduleAlgorithm.WeightedRoundRobin or ScheduleAlgorithm.StakeLottery))
            throw new ArgumentException($"unknown schedule algorithm {algorithm}", nameof(algorithm));
        Algorithm = algorithm;
        Seed = seed;
        if (carried is not null && algorithm == ScheduleAlgorithm.WeightedRoundRobin) _wrr = WeightedRoundRobin.FromSnapshot(carried);
    }

    public ScheduleAlgorithm Algorithm { get; }

    public ulong Seed { get; }

    /// <summary>
    /// True when an epoch's leader depends on the epochs before it (weighted round robin): a replay that misses an
    /// epoch's committee cannot choose the leaders after it. False for the stake lottery, whose draws stand alone.
    /// </summary>
    public bool CarriesState => Algorithm == ScheduleAlgorithm.WeightedRoundRobin;

    /// <summary>
    /// The weighted-round-robin state after the last epoch begun, to persist and pass back as <c>carried</c>;
    /// null for the stake lottery and before the first epoch.
    /// </summary>
    public WrrSnapshot? WrrState => _wrr?.ToSnapshot();

    /// <summary>
    /// The scheduled leader of <paramref name="epoch"/> with <paramref name="committee"/> (its first leadership term).
    /// Call once per epoch, in epoch order; an epoch without a committee is not begun.
    /// </summary>
    /// <exception cref="ArgumentException">The committee is invalid (empty, duplicate ids, power out of range).</exception>
    public string BeginEpoch(ulong epoch, IReadOnlyList<CommitteeMember> committee)
    {
        ArgumentNullException.ThrowIfNull(committee);
        CommitteeValidation.ThrowIfInvalid(committee, nameof(committee));
        if (Algorithm == ScheduleAlgorithm.StakeLottery) return StakeLottery.Draw(committee, Seed, epoch)!;
        if (_wrr is null)
        {
            _wrr = WeightedRoundRobin.Create(committee);
        }
        else
        {
            _wrr.UpdateMembers(committee);
            _wrr.Advance();
        }
        return _wrr.CurrentLeader!;
    }

    /// <summary>
    /// The leader of a make-up term (PROTOCOL.md §6): the heights of an ended epoch produced again after a rollback.
    /// <paramref name="lastLeader"/>, that epoch's last leader, if it is on <paramref name="committee"/> and not
    /// <paramref name="excluded"/>; otherwise the first member not excluded by power (highest first), then by id. Null
    /// when every member is excluded. Needs no rotation state: any later epoch's state is left as it is.
    /// </summary>
    public static string? MakeUpLeader(string? lastLeader, IReadOnlyList<CommitteeMember> committee, IReadOnlySet<string> excluded)
    {
        ArgumentNullException.ThrowIfNull(committee);
        ArgumentNullException.ThrowIfNull(excluded);
        if (lastLeader is not null && !excluded.Contains(lastLeader) && committee.Any(m => m.Id == lastLeader)) return lastLeader;
        return committee.Where(m => !excluded.Contains(m.Id)).OrderByDescending(m => m.Power).ThenBy(m => m.Id, MemberIdComparer.Instance)
            .Select(m => m.Id).FirstOrDefault();
    }

    /// <summary>
    /// The replacement leader of <paramref name="epoch"/> at a failover that opens leadership term
    /// <paramref name="term"/> (&gt; 0), skipping every member in <paramref name="excluded"/>; null when the whole
    /// committee is excluded. Weighted round robin chooses from the priorities of the epoch last begun, whose
    /// members are <paramref name="committee"/>, and does not change them; the lottery draws anew for the term.
    /// </summary>
    /// <exception cref="ArgumentException">The committee is invalid.</exception>
    /// <exception cref="InvalidOperationException">Weighted round robin before any epoch has begun.</exception>
    public string? Replacement(ulong epoch, ulong term, IReadOnlyList<CommitteeMember> committee, IReadOnlySet<string> excluded)
    {
        ArgumentNullException.ThrowIfNull(committee);
        ArgumentNullException.ThrowIfNull(excluded);
        CommitteeValidation.ThrowIfInvalid(committee, nameof(committee));
        if (Algorithm == ScheduleAlgorithm.StakeLottery) return StakeLottery.Draw(committee, Seed, epoch, term, excluded);
        return Begun().ReSpan(excluded);
    }

    /// <summary>
    /// The leaders of <paramref name="epoch"/> (the epoch last begun, whose committee is <paramref name="committee"/>)
    /// and of the <paramref name="count"/> − 1 epochs after it, if the committee stays the same. This rotation is
    /// not changed. Lazy; the arguments are checked when called.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is negative.</exception>
    /// <exception cref="ArgumentException">The committee is invalid.</exception>
    /// <exception cref="InvalidOperationException">Weighted round robin before any epoch has begun.</exception>
    public IEnumerable<string> Upcoming(ulong epoch, IReadOnlyList<CommitteeMember> committee, int count)
    {
        ArgumentNullException.ThrowIfNull(committee);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        CommitteeValidation.ThrowIfInvalid(committee, nameof(committee));
        return Algorithm == ScheduleAlgorithm.StakeLottery
            ? LotteryUpcoming(committee.ToArray(), Seed, epoch, count)
            : RoundRobinUpcoming(Begun().Clone(), count);
    }

    private WeightedRoundRobin Begun() =>
        _wrr ?? throw new InvalidOperationException("weighted round robin has no state before its first epoch begins");

    private static IEnumerable<string> RoundRobinUpcoming(WeightedRoundRobin wrr, int count)
    {
        if (count == 0) yield break;
        yield return wrr.CurrentLeader!;
        for (int i = 1; i < count; i++) yield return wrr.Advance();
    }

    private static IEnumerable<string> LotteryUpcoming(CommitteeMember[] committee, ulong seed, ulong epoch, int count)
    {
        for (int i = 0; i < count; i++) yield return StakeLottery.Draw(committee, seed, epoch + (ulong)i)!;
    }
}
