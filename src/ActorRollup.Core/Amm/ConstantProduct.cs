using System.Numerics;

namespace ActorRollup.Core.Amm;

/// <summary>The two reserves of the pool, in base units: native token and second token.</summary>
public readonly record struct PoolReserves(UInt128 Native, UInt128 Tokens)
{
    /// <summary>The reserve a swap of <paramref name="tokenIn"/> pays into, and the one it takes from.</summary>
    public (UInt128 In, UInt128 Out) Oriented(Asset tokenIn) => tokenIn == Asset.Native ? (Native, Tokens) : (Tokens, Native);

    /// <summary>The reserves after <paramref name="amountIn"/> of <paramref name="tokenIn"/> came in and <paramref name="amountOut"/>
    /// of the other asset went out.</summary>
    public PoolReserves After(Asset tokenIn, UInt128 amountIn, UInt128 amountOut) => tokenIn == Asset.Native
        ? new(checked(Native + amountIn), checked(Tokens - amountOut))
        : new(checked(Native - amountOut), checked(Tokens + amountIn));
}

/// <summary>The two assets of the chain.</summary>
public enum Asset : byte
{
    Native = 0,
    Token = 1,
}

/// <summary>
/// Uniswap v2's constant-product arithmetic, exactly (PROTOCOL.md §12): x·y = k with a 0.3 % fee that stays in the pool,
/// outputs rounded down and inputs rounded up as <c>UniswapV2Library.getAmountOut</c> / <c>getAmountIn</c> do, and
/// reserves bounded to 112 bits as <c>UniswapV2Pair</c> stores them. Integer only; intermediate products are exact
/// (they reach 2^234, so they are computed in arbitrary precision).
/// </summary>
public static class ConstantProduct
{
    /// <summary>Fee numerator and denominator: the input counts at 997/1000.</summary>
    public const int FeeNumerator = 997, FeeDenominator = 1000;

    /// <summary>The largest reserve the pool holds: 2^112 − 1 (UniswapV2Pair's uint112).</summary>
    public static readonly UInt128 MaxReserve = (UInt128.One << 112) - 1;

    /// <summary>
    /// getAmountOut: amountIn·997·reserveOut / (reserveIn·1000 + amountIn·997), rounded down. 0 when the input is 0 or a
    /// reserve is empty (Uniswap reverts there; the executor turns 0 into a failed swap).
    /// </summary>
    public static UInt128 GetAmountOut(UInt128 amountIn, UInt128 reserveIn, UInt128 reserveOut)
    {
        if (amountIn == 0 || reserveIn == 0 || reserveOut == 0) return 0;
        var withFee = (BigInteger)amountIn * FeeNumerator;
        var numerator = withFee * (BigInteger)reserveOut;
        var denominator = (BigInteger)reserveIn * FeeDenominator + withFee;
        return (UInt128)(numerator / denominator); // < reserveOut, so it fits
    }

    /// <summary>
    /// getAmountIn: the least input that buys <paramref name="amountOut"/>: reserveIn·amountOut·1000 / ((reserveOut −
    /// amountOut)·997) + 1. Null when the pool cannot pay it (amountOut ≥ reserveOut, or a reserve is empty) or the input
    /// would not fit in 128 bits.
    /// </summary>
    public static UInt128? GetAmountIn(UInt128 amountOut, UInt128 reserveIn, UInt128 reserveOut)
    {
        if (amountOut == 0 || reserveIn == 0 || reserveOut == 0 || amountOut >= reserveOut) return null;
        var numerator = (BigInteger)reserveIn * (BigInteger)amountOut * FeeDenominator;
        var denominator = ((BigInteger)reserveOut - (BigInteger)amountOut) * FeeNumerator;
        var amountIn = numerator / denominator + 1;
        return amountIn > (BigInteger)UInt128.MaxValue ? null : (UInt128)amountIn;
    }

    /// <summary>The output of swapping <paramref name="amountIn"/> of <paramref name="tokenIn"/> into the pool.</summary>
    public static UInt128 Quote(PoolReserves reserves, Asset tokenIn, UInt128 amountIn)
    {
        var (reserveIn, reserveOut) = reserves.Oriented(tokenIn);
        return GetAmountOut(amountIn, reserveIn, reserveOut);
    }

    /// <summary>What a swap does to the pool, or why it fails (PROTOCOL.md §12, in this order: empty output, the user's minimum,
    /// the 112-bit reserve bound).</summary>
    public static SwapQuote Swap(PoolReserves reserves, Asset tokenIn, UInt128 amountIn, UInt128 minAmountOut)
    {
        var amountOut = Quote(reserves, tokenIn, amountIn);
        if (amountOut == 0) return new(Execution.ExecutionOutcome.InsufficientLiquidity, 0, reserves);
        if (amountOut < minAmountOut) return new(Execution.ExecutionOutcome.SlippageExceeded, amountOut, reserves);
        var (reserveIn, _) = reserves.Oriented(tokenIn);
        if (MaxReserve - reserveIn < amountIn) return new(Execution.ExecutionOutcome.InsufficientLiquidity, amountOut, reserves);
        return new(Execution.ExecutionOutcome.Included, amountOut, reserves.After(tokenIn, amountIn, amountOut));
    }
}

/// <summary>A swap's result: <see cref="Execution.ExecutionOutcome.Included"/> with the output and the new reserves, or the
/// reason it fails (with the output it would have had, for a slippage failure) and the reserves unchanged.</summary>
public readonly record struct SwapQuote(Execution.ExecutionOutcome Outcome, UInt128 AmountOut, PoolReserves Reserves)
{
    public bool Succeeded => Outcome == Execution.ExecutionOutcome.Included;
}
