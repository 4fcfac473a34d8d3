namespace ActorRollup.Core.Scheduling;

/// <summary>
/// Wire names of <see cref="ScheduleAlgorithm"/> (PROTOCOL §6: "`weighted-round-robin` (default)" and
/// "`stake-lottery`"). Names are matched exactly (ordinal, lower case).
/// </summary>
public static class ScheduleAlgorithms
{
    /// <summary>Wire name of <see cref="ScheduleAlgorithm.WeightedRoundRobin"/>.</summary>
    public const string WeightedRoundRobinName = "weighted-round-robin";

    /// <summary>Wire name of <see cref="ScheduleAlgorithm.StakeLottery"/>.</summary>
    public const string StakeLotteryName = "stake-lottery";

    /// <summary>The default algorithm (§6: weighted-round-robin).</summary>
    public const ScheduleAlgorithm Default = ScheduleAlgorithm.WeightedRoundRobin;

    /// <summary>All wire names, in enum order.</summary>
    public static IReadOnlyList<string> Names { get; } = [WeightedRoundRobinName, StakeLotteryName];

    /// <summary>Parses a wire name; false for anything else (including null and different case).</summary>
    public static bool TryParse(string? name, out ScheduleAlgorithm algorithm)
    {
        switch (name)
        {
            case WeightedRoundRobinName:
                algorithm = ScheduleAlgorithm.WeightedRoundRobin;
                return true;
            case StakeLotteryName:
                algorithm = ScheduleAlgorithm.StakeLottery;
                return true;
            default:
                algorithm = default;
                return false;
        }
    }

    /// <summary>The wire name of <paramref name="algorithm"/>.</summary>
    public static string Name(ScheduleAlgorithm algorithm) => algorithm switch
    {
        ScheduleAlgorithm.WeightedRoundRobin => WeightedRoundRobinName,
        ScheduleAlgorithm.StakeLottery => StakeLotteryName,
        _ => throw new ArgumentOutOfRangeException(nameof(algorithm), algorithm, "unknown schedule algorithm"),
    };
}
