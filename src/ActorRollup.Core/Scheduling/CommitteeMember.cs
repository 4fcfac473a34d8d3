namespace ActorRollup.Core.Scheduling;

/// <summary>
/// A member of an epoch's committee: its id and its voting power (PROTOCOL §6: "Voting power = stake in whole
/// tokens"). Validated by <see cref="CommitteeValidation"/> wherever a set of members enters the scheduler.
/// </summary>
public sealed record CommitteeMember(string Id, long Power);
