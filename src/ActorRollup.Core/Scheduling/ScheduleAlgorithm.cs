namespace ActorRollup.Core.Scheduling;

/// <summary>The leader-selection algorithms of PROTOCOL §6; wire names in <see cref="ScheduleAlgorithms"/>.</summary>
public enum ScheduleAlgorithm
{
    /// <summary><c>weighted-round-robin</c> (default): CometBFT's proposer priority, one step per epoch (§6.1).</summary>
    WeightedRoundRobin = 0,

    /// <summary><c>stake-lottery</c>: a stake-weighted draw with replacement per epoch (§6).</summary>
    StakeLottery = 1,
}
