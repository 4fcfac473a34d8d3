namespace ActorRollup.Core.Scheduling;

/// <summary>
/// CometBFT-style proposer priority, advanced once per epoch, exactly as PROTOCOL §6.1 states it:
/// <list type="number">
/// <item>"A member that joins starts with priority −(P + P/8) (integer division; P after the join)."</item>
/// <item>One step: (a) "Rescale: if max priority − min priority &gt; 2P, divide every priority by
/// ceil(diff / 2P), truncating toward zero"; (b) "Centre: subtract the floor (not truncation) of the average
/// priority from every priority"; (c) "Add each member's power to its priority. The member with the highest
/// priority is the leader; ties go to the member whose id is smaller in byte-wise order. Subtract P from the
/// leader's priority."</item>
/// <item>"Creating the set from the genesis committee performs one step" (<see cref="Create"/>); each epoch
/// performs one more (<see cref="Advance"/>).</item>
/// <item>"A member that leaves is removed before the step; a changed power applies before the step"
/// (<see cref="UpdateMembers"/>).</item>
/// </list>
/// Priorities are signed 64-bit and every addition/subtraction on them saturates; max − min is computed
/// saturating too, the ceiling and the average in 128-bit. Not thread-safe; a grain owns one instance.
/// </summary>
public sealed class WeightedRoundRobin
{
    // Members sorted by MemberIdComparer; three parallel arrays.
    private string[] _ids;
    private long[] _powers;
    private long[] _priorities;
    private long _totalPower;

    private WeightedRoundRobin(string[] ids, long[] powers, long[] priorities, string? currentLeader)
    {
        _ids = ids;
        _powers = powers;
        _priorities = priorities;
        _totalPower = Sum(powers);
        CurrentLeader = currentLeader;
    }

    /// <summary>
    /// The leader chosen by the most recent step: after <see cref="Create"/> the leader of epoch 1, after the
    /// k-th <see cref="Advance"/> the leader of epoch k + 1. <see cref="UpdateMembers"/> does not change it (it
    /// may name a member that has since left).
    /// </summary>
    public string? CurrentLeader { get; private set; }

    /// <summary>P, the sum of the members' voting powers.</summary>
    public long TotalPower => _totalPower;

    /// <summary>The members with their powers, sorted by id (byte-wise).</summary>
    public IReadOnlyList<CommitteeMember> Members =>
        _ids.Select((id, i) => new CommitteeMember(id, _powers[i])).ToArray();

    /// <summary>
    /// §6.1 rule 3: every genesis member joins at −(P + P/8), then one step is performed, so
    /// <see cref="CurrentLeader"/> is the leader of epoch 1. Input order does not matter.
    /// </summary>
    /// <exception cref="ArgumentException">The committee is invalid (see <see cref="CommitteeValidation"/>).</exception>
    public static WeightedRoundRobin Create(IEnumerable<CommitteeMember> members)
    {
        var list = Materialize(members, nameof(members));
        var sorted = list.OrderBy(m => m.Id, MemberIdComparer.Instance).ToArray();
        var powers = sorted.Select(m => m.Power).ToArray();
        long joinPriority = JoinPriority(Sum(powers));
        var wrr = new WeightedRoundRobin(
            sorted.Select(m => m.Id).ToArray(),
            powers,
            Enumerable.Repeat(joinPriority, sorted.Length).ToArray(),
            currentLeader: null);
        wrr.Advance();
        return wrr;
    }

    /// <summary>Performs one step (§6.1 rule 2: rescale, centre, add powers, pick, subtract P) and returns the new leader.</summary>
    public string Advance()
    {
        Rescale(_priorities, _totalPower);
        Centre(_priorities);
        AddPowers(_priorities, _powers);
        int leader = PickHighest(_priorities, excluded: null);
        _priorities[leader] = SaturatingMath.Sub(_priorities[leader], _totalPower);
        CurrentLeader = _ids[leader];
        return CurrentLeader;
    }

    /// <summary>
    /// Replaces the membership with <paramref name="members"/> (§6.1 rule 4), to take effect at the next step;
    /// it does not step. Members absent from the new list are removed; a kept member keeps its priority and
    /// takes its new power; a new member joins at −(P + P/8) with P the total power after the whole update
    /// (rule 1). All joiners of one update start at the same priority.
    /// </summary>
    /// <exception cref="ArgumentException">The new committee is invalid.</exception>
    public void UpdateMembers(IEnumerable<CommitteeMember> members)
    {
        var list = Materialize(members, nameof(members));
        var sorted = list.OrderBy(m => m.Id, MemberIdComparer.Instance).ToArray();
        var old = new Dictionary<string, long>(StringComparer.Ordinal);
        for (int i = 0; i < _ids.Length; i++) old[_ids[i]] = _priorities[i];

        var powers = sorted.Select(m => m.Power).ToArray();
        long joinPriority = JoinPriority(Sum(powers));
        var priorities = sorted.Select(m => old.TryGetValue(m.Id, out var p) ? p : joinPriority).ToArray();

        _ids = sorted.Select(m => m.Id).ToArray();
        _powers = powers;
        _priorities = priorities;
        _totalPower = Sum(powers);
    }

    /// <summary>
    /// The replacement leader after a failover ("re-span", PROTOCOL §6: "the next member by the algorithm,
    /// skipping the failed one"). On a copy of the state — this instance is not changed — it performs one
    /// step's rescale, centre and add-powers, then returns the highest-priority member that is not in
    /// <paramref name="excluded"/> (ties to the byte-wise smaller id). Returns null when every member is
    /// excluded. Because the real state is untouched, successive failovers in one epoch (with a growing
    /// excluded set) walk down the same priority order; the next epoch's <see cref="Advance"/> is as if no
    /// failover had happened.
    /// </summary>
    public string? ReSpan(IReadOnlySet<string> excluded)
    {
        ArgumentNullException.ThrowIfNull(excluded);
        var priorities = (long[])_priorities.Clone();
        Rescale(priorities, _totalPower);
        Centre(priorities);
        AddPowers(priorities, _powers);
        int index = PickHighest(priorities, excluded);
        return index < 0 ? null : _ids[index];
    }

    /// <summary>An independent copy with the same state (and therefore the same future schedule).</summary>
    public WeightedRoundRobin Clone() =>
        new((string[])_ids.Clone(), (long[])_powers.Clone(), (long[])_priorities.Clone(), CurrentLeader);

    /// <summary>The priority of member <paramref name="id"/>; false when it is not a member.</summary>
    public bool TryGetPriority(string id, out long priority)
    {
        int index = Array.IndexOf(_ids, id);
        priority = index < 0 ? 0 : _priorities[index];
        return index >= 0;
    }

    /// <summary>The full state, members sorted by id, for persistence.</summary>
    public WrrSnapshot ToSnapshot() =>
        new(_ids.Select((id, i) => new WrrMemberState(id, _powers[i], _priorities[i])).ToArray(), CurrentLeader);

    /// <summary>
    /// Restores a state saved by <see cref="ToSnapshot"/> (any member order is accepted). Priorities are taken
    /// as they are, including extreme values.
    /// </summary>
    /// <exception cref="ArgumentException">The members are not a valid committee.</exception>
    public static WeightedRoundRobin FromSnapshot(WrrSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        ArgumentNullException.ThrowIfNull(snapshot.Members, nameof(snapshot));
        CommitteeValidation.ThrowIfInvalid(
            snapshot.Members.Select(m => m is null ? null : new CommitteeMember(m.Id, m.Power)), nameof(snapshot));
        var sorted = snapshot.Members.OrderBy(m => m.Id, MemberIdComparer.Instance).ToArray();
        return new WeightedRoundRobin(
            sorted.Select(m => m.Id).ToArray(),
            sorted.Select(m => m.Power).ToArray(),
            sorted.Select(m => m.Priority).ToArray(),
            snapshot.CurrentLeader);
    }

    /// <summary>Rule 1: −(P + P/8), integer division. P ≤ long.MaxValue/8, so this cannot overflow.</summary>
    internal static long JoinPriority(long totalPower) => -(totalPower + totalPower / 8);

    /// <summary>
    /// Rule 2a: if max − min (saturating) &gt; 2P, divide every priority by ceil(diff / 2P), truncating toward zero.
    /// </summary>
    internal static void Rescale(long[] priorities, long totalPower)
    {
        if (priorities.Length == 0) return;
        long max = priorities.Max(), min = priorities.Min();
        long diff = SaturatingMath.Sub(max, min);
        long window = 2 * totalPower; // P <= long.MaxValue/8: no overflow
        if (diff <= window) return;
        var ratio = (long)SaturatingMath.CeilDiv(diff, window);
        for (int i = 0; i < priorities.Length; i++) priorities[i] /= ratio; // C# '/' truncates toward zero
    }

    /// <summary>Rule 2b: subtract ⌊average⌋ (sum in 128-bit, floor toward −∞) from every priority.</summary>
    internal static void Centre(long[] priorities)
    {
        if (priorities.Length == 0) return;
        Int128 sum = 0;
        foreach (var p in priorities) sum += p;
        var average = (long)SaturatingMath.FloorDiv(sum, priorities.Length); // lies between min and max
        for (int i = 0; i < priorities.Length; i++) priorities[i] = SaturatingMath.Sub(priorities[i], average);
    }

    private static void AddPowers(long[] priorities, long[] powers)
    {
        for (int i = 0; i < priorities.Length; i++) priorities[i] = SaturatingMath.Add(priorities[i], powers[i]);
    }

    /// <summary>Highest priority not excluded; members are in id order, so the first of equal priorities wins.</summary>
    private int PickHighest(long[] priorities, IReadOnlySet<string>? excluded)
    {
        int best = -1;
        for (int i = 0; i < priorities.Length; i++)
        {
            if (excluded is not null && excluded.Contains(_ids[i])) continue;
            if (best < 0 || priorities[i] > priorities[best]) best = i;
        }

        return best;
    }

    private static IReadOnlyList<CommitteeMember> Materialize(IEnumerable<CommitteeMember> members, string paramName)
    {
        ArgumentNullException.ThrowIfNull(members, paramName);
        var list = members.ToArray();
        CommitteeValidation.ThrowIfInvalid(list, paramName);
        return list;
    }

    private static long Sum(long[] powers)
    {
        long total = 0;
        foreach (var p in powers) total += p; // validated: total <= long.MaxValue/8
        return total;
    }
}
