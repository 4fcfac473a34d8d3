namespace ActorRollup.Core.Scheduling;

/// <summary>
/// A committee candidate as the stake snapshot for an epoch sees it (PROTOCOL §6): its id, its total stake
/// (self + delegated) in base units, and whether it is active (not jailed, not exiting, not tombstoned).
/// </summary>
public sealed record SequencerStanding(string Id, UInt128 Stake, bool Eligible);
