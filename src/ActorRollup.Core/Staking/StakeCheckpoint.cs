namespace ActorRollup.Core.Staking;

/// <summary>A sequencer's total bonded stake at the end of <see cref="Epoch"/> (PROTOCOL §5, §6 stake snapshots).</summary>
public readonly record struct StakeCheckpoint(ulong Epoch, UInt128 TotalStake);
