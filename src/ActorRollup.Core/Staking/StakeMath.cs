using System.Numerics;

namespace ActorRollup.Core.Staking;

/// <summary>
/// Full-precision 128-bit arithmetic for the staking pools (PROTOCOL §2: amounts are exact unsigned 128-bit
/// integers, overflow is an error). Products are formed at full width before dividing, so a × b never wraps;
/// a result that does not fit 128 bits throws <see cref="OverflowException"/>.
/// </summary>
public static class StakeMath
{
    /// <summary>Basis points in one whole (10000 bps = 100%).</summary>
    public const uint BpsDenominator = 10_000;

    private static readonly BigInteger Max = (BigInteger)UInt128.MaxValue;

    /// <summary>floor(a × b / c). Throws <see cref="DivideByZeroException"/> when c = 0, <see cref="OverflowException"/> when the result exceeds 128 bits.</summary>
    public static UInt128 MulDivFloor(UInt128 a, UInt128 b, UInt128 c)
    {
        if (c == UInt128.Zero) throw new DivideByZeroException("mul-div by zero");
        if (a == UInt128.Zero || b == UInt128.Zero) return UInt128.Zero;
        return Narrow(BigInteger.Divide((BigInteger)a * (BigInteger)b, (BigInteger)c));
    }

    /// <summary>ceil(a × b / c). Same errors as <see cref="MulDivFloor"/>.</summary>
    public static UInt128 MulDivCeil(UInt128 a, UInt128 b, UInt128 c)
    {
        if (c == UInt128.Zero) throw new DivideByZeroException("mul-div by zero");
        if (a == UInt128.Zero || b == UInt128.Zero) return UInt128.Zero;
        var q = BigInteger.DivRem((BigInteger)a * (BigInteger)b, (BigInteger)c, out var remainder);
        if (!remainder.IsZero) q += BigInteger.One;
        return Narrow(q);
    }

    /// <summary>floor(amount × bps / 10000).</summary>
    public static UInt128 ApplyBps(UInt128 amount, uint bps) => MulDivFloor(amount, bps, BpsDenominator);

    private static UInt128 Narrow(BigInteger value)
    {
        if (value.Sign < 0 || value > Max) throw new OverflowException("result does not fit 128 bits");
        return (UInt128)value;
    }
}
