using ActorRollup.Core.Scheduling;

namespace ActorRollup.Core.Tests.Scheduling;

public class ScheduleAlgorithmsTests
{
    [Theory]
    [InlineData("weighted-round-robin", ScheduleAlgorithm.WeightedRoundRobin)]
    [InlineData("stake-lottery", ScheduleAlgorithm.StakeLottery)]
    public void RoundTrip(string name, ScheduleAlgorithm algorithm)
    {
        Assert.True(ScheduleAlgorithms.TryParse(name, out var parsed));
        Assert.Equal(algorithm, parsed);
        Assert.Equal(name, ScheduleAlgorithms.Name(algorithm));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("Weighted-Round-Robin")]
    [InlineData("round-robin")]
    [InlineData("WeightedRoundRobin")]
    [InlineData(" stake-lottery")]
    public void UnknownNames(string? name) => Assert.False(ScheduleAlgorithms.TryParse(name, out _));

    [Fact]
    public void DefaultIsWeightedRoundRobin() => Assert.Equal(ScheduleAlgorithm.WeightedRoundRobin, ScheduleAlgorithms.Default);

    [Fact]
    public void Name_RejectsUndefinedValue() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => ScheduleAlgorithms.Name((ScheduleAlgorithm)42));
}
