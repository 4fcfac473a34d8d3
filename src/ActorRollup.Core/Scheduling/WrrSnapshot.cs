namespace ActorRollup.Core.Scheduling;

/// <summary>
/// The complete state of a <see cref="WeightedRoundRobin"/> (§6.1 "State: each member has a voting power p_i
/// and a signed 64-bit priority"), for grains to persist. <see cref="Members"/> is sorted by id
/// (<see cref="MemberIdComparer"/>); <see cref="CurrentLeader"/> is the leader chosen by the last step.
/// <see cref="WeightedRoundRobin.FromSnapshot"/> of <see cref="WeightedRoundRobin.ToSnapshot"/> continues
/// with exactly the same schedule.
/// </summary>
public sealed record WrrSnapshot(IReadOnlyList<WrrMemberState> Members, string? CurrentLeader);
