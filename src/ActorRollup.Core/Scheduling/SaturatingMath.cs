namespace ActorRollup.Core.Scheduling;

/// <summary>
/// 64-bit signed arithmetic that clamps at <see cref="long.MinValue"/>/<see cref="long.MaxValue"/>
/// (PROTOCOL §6.1: "Arithmetic on priorities saturates at the 64-bit limits instead of overflowing").
/// </summary>
internal static class SaturatingMath
{
    /// <summary>a + b, clamped to the 64-bit range.</summary>
    public static long Add(long a, long b)
    {
        if (b > 0 && a > long.MaxValue - b) return long.MaxValue;
        if (b < 0 && a < long.MinValue - b) return long.MinValue;
        return a + b;
    }

    /// <summary>a − b, clamped to the 64-bit range.</summary>
    public static long Sub(long a, long b)
    {
        if (b > 0 && a < long.MinValue + b) return long.MinValue;
        if (b < 0 && a > long.MaxValue + b) return long.MaxValue;
        return a - b;
    }

    /// <summary>⌊a / b⌋ for b &gt; 0 (rounds toward negative infinity, unlike C#'s <c>/</c>).</summary>
    public static Int128 FloorDiv(Int128 a, Int128 b)
    {
        var q = a / b;
        if (a % b != 0 && a < 0) q -= 1;
        return q;
    }

    /// <summary>⌈a / b⌉ for a ≥ 0, b &gt; 0.</summary>
    public static Int128 CeilDiv(Int128 a, Int128 b) => (a + b - 1) / b;
}
