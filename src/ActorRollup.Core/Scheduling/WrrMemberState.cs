namespace ActorRollup.Core.Scheduling;

/// <summary>One member's persisted weighted-round-robin state: id, voting power and signed 64-bit priority (§6.1).</summary>
public sealed record WrrMemberState(string Id, long Power, long Priority);
