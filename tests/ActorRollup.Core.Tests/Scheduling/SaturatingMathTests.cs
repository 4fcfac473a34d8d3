using ActorRollup.Core.Scheduling;

namespace ActorRollup.Core.Tests.Scheduling;

public class SaturatingMathTests
{
    [Theory]
    [InlineData(1L, 2L, 3L)]
    [InlineData(long.MaxValue, 1L, long.MaxValue)]
    [InlineData(long.MaxValue - 1, 1L, long.MaxValue)]
    [InlineData(long.MaxValue, long.MaxValue, long.MaxValue)]
    [InlineData(long.MinValue, -1L, long.MinValue)]
    [InlineData(long.MinValue, long.MinValue, long.MinValue)]
    [InlineData(long.MinValue, long.MaxValue, -1L)]
    [InlineData(-5L, 3L, -2L)]
    public void Add_Saturates(long a, long b, long expected) => Assert.Equal(expected, SaturatingMath.Add(a, b));

    [Theory]
    [InlineData(1L, 2L, -1L)]
    [InlineData(long.MinValue, 1L, long.MinValue)]
    [InlineData(long.MaxValue, -1L, long.MaxValue)]
    [InlineData(long.MaxValue, long.MinValue, long.MaxValue)]
    [InlineData(long.MinValue, long.MaxValue, long.MinValue)]
    [InlineData(0L, long.MinValue, long.MaxValue)]
    [InlineData(-1L, long.MinValue, long.MaxValue)]
    [InlineData(-1L, long.MaxValue, long.MinValue)]
    public void Sub_Saturates(long a, long b, long expected) => Assert.Equal(expected, SaturatingMath.Sub(a, b));

    [Theory]
    [InlineData(-4, 3, -2)]
    [InlineData(-3, 3, -1)]
    [InlineData(-1, 3, -1)]
    [InlineData(0, 3, 0)]
    [InlineData(4, 3, 1)]
    public void FloorDiv_RoundsDown(int a, int b, int expected) => Assert.Equal((Int128)expected, SaturatingMath.FloorDiv(a, b));

    [Theory]
    [InlineData(2001, 6, 334)]
    [InlineData(1998, 6, 333)]
    [InlineData(1, 6, 1)]
    public void CeilDiv_RoundsUp(int a, int b, int expected) => Assert.Equal((Int128)expected, SaturatingMath.CeilDiv(a, b));
}
