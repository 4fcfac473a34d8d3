using ActorRollup.Core.Staking;

namespace ActorRollup.Core.Tests.Staking;

public class StakeMathTests
{
    [Fact]
    public void MulDiv_keeps_full_precision_of_the_product()
    {
        var big = UInt128.One << 127;
        Assert.Equal(UInt128.One << 126, StakeMath.MulDivFloor(big, 4, 8)); // big × 4 does not fit 128 bits
        Assert.Equal(UInt128.MaxValue, StakeMath.MulDivFloor(UInt128.MaxValue, UInt128.MaxValue, UInt128.MaxValue));
    }

    [Fact]
    public void Floor_and_ceil_round_the_right_way()
    {
        Assert.Equal((UInt128)3, StakeMath.MulDivFloor(10, 1, 3));
        Assert.Equal((UInt128)4, StakeMath.MulDivCeil(10, 1, 3));
        Assert.Equal((UInt128)5, StakeMath.MulDivCeil(10, 1, 2));
        Assert.Equal(UInt128.Zero, StakeMath.MulDivCeil(0, 7, 3));
        Assert.Equal((UInt128)1, StakeMath.ApplyBps(10_000, 1));
        Assert.Equal(UInt128.Zero, StakeMath.ApplyBps(9_999, 1));
    }

    [Fact]
    public void A_result_beyond_128_bits_is_an_error_not_a_wrap()
    {
        Assert.Throws<OverflowException>(() => StakeMath.MulDivFloor(UInt128.MaxValue, 2, 1));
        Assert.Throws<OverflowException>(() => StakeMath.MulDivCeil(UInt128.MaxValue, 3, 2));
        Assert.Throws<DivideByZeroException>(() => StakeMath.MulDivFloor(1, 1, 0));
    }
}
