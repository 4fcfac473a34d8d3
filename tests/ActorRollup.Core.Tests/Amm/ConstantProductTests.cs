using ActorRollup.Core.Amm;
using ActorRollup.Core.Execution;

namespace ActorRollup.Core.Tests.Amm;

/// <summary>
/// The pool arithmetic against Uniswap v2's published figures: the <c>getInputPrice</c> cases of Uniswap/v2-core's
/// test/UniswapV2Pair.spec.ts (commit 00873c4, GPL-3.0 — figures only: swap amount, reserves, the exact output the pair
/// accepts and one wei more it refuses), the router's <c>getAmountOut(2, 100, 100) = 1</c> and
/// <c>getAmountIn(1, 100, 100) = 2</c> (Uniswap/v2-periphery test/UniswapV2Router02.spec.ts), and hand-worked cases.
/// </summary>
public class ConstantProductTests
{
    private static readonly UInt128 E18 = 1_000_000_000_000_000_000UL;

    public static TheoryData<ulong, ulong, ulong, string> UniswapPairCases() => new()
    {
        { 1, 5, 10, "1662497915624478906" },
        { 1, 10, 5, "453305446940074565" },
        { 2, 5, 10, "2851015155847869602" },
        { 2, 10, 5, "831248957812239453" },
        { 1, 10, 10, "906610893880149131" },
        { 1, 100, 100, "987158034397061298" },
        { 1, 1000, 1000, "996006981039903216" },
    };

    [Theory]
    [MemberData(nameof(UniswapPairCases))]
    public void GetAmountOut_matches_Uniswap_v2_pair_test_vectors(ulong swap, ulong reserveIn, ulong reserveOut, string expected)
    {
        var output = ConstantProduct.GetAmountOut(swap * E18, reserveIn * E18, reserveOut * E18);
        Assert.Equal(UInt128.Parse(expected), output);
        // The pair's invariant with the fee: the balance product after the swap, input counted at 99.7 %, is at least the one
        // before — and one unit more of output would break it (the pair reverts 'UniswapV2: K').
        Assert.True(KHolds(swap * E18, reserveIn * E18, reserveOut * E18, output));
        Assert.False(KHolds(swap * E18, reserveIn * E18, reserveOut * E18, output + 1));
    }

    private static bool KHolds(UInt128 amountIn, UInt128 reserveIn, UInt128 reserveOut, UInt128 amountOut)
    {
        var balanceIn = (System.Numerics.BigInteger)(reserveIn + amountIn) * 1000 - (System.Numerics.BigInteger)amountIn * 3;
        var balanceOut = (System.Numerics.BigInteger)(reserveOut - amountOut) * 1000;
        return balanceIn * balanceOut >= (System.Numerics.BigInteger)reserveIn * reserveOut * 1_000_000;
    }

    [Fact]
    public void Router_examples_round_output_down_and_input_up()
    {
        Assert.Equal((UInt128)1, ConstantProduct.GetAmountOut(2, 100, 100));
        Assert.Equal((UInt128)2, ConstantProduct.GetAmountIn(1, 100, 100));
        // Hand-worked: 100 into 1000/1000 → ⌊99,700,000 / 1,099,700⌋ = 90; buying those 90 back costs
        // ⌊1000·90·1000 / (910·997)⌋ + 1 = ⌊90,000,000 / 907,270⌋ + 1 = 99 + 1 = 100.
        Assert.Equal((UInt128)90, ConstantProduct.GetAmountOut(100, 1000, 1000));
        Assert.Equal((UInt128)100, ConstantProduct.GetAmountIn(90, 1000, 1000));
    }

    [Theory]
    [InlineData(0UL, 100UL, 100UL)]
    [InlineData(10UL, 0UL, 100UL)]
    [InlineData(10UL, 100UL, 0UL)]
    public void Nothing_comes_out_of_an_empty_input_or_reserve(ulong amountIn, ulong reserveIn, ulong reserveOut) =>
        Assert.Equal(UInt128.Zero, ConstantProduct.GetAmountOut(amountIn, reserveIn, reserveOut));

    [Fact]
    public void GetAmountIn_refuses_what_the_pool_cannot_pay()
    {
        Assert.Null(ConstantProduct.GetAmountIn(100, 1000, 100));
        Assert.Null(ConstantProduct.GetAmountIn(101, 1000, 100));
        Assert.Null(ConstantProduct.GetAmountIn(0, 1000, 100));
        Assert.NotNull(ConstantProduct.GetAmountIn(99, 1000, 100));
    }

    [Fact]
    public void Products_beyond_128_bits_are_exact()
    {
        // Reserves at the 112-bit bound and a huge input: the products reach ~2^234.
        var max = ConstantProduct.MaxReserve;
        var output = ConstantProduct.GetAmountOut(max, max, max);
        var expected = (System.Numerics.BigInteger)max * 997 * (System.Numerics.BigInteger)max / ((System.Numerics.BigInteger)max * 1000 + (System.Numerics.BigInteger)max * 997);
        Assert.Equal((UInt128)expected, output);
    }

    [Fact]
    public void A_swap_moves_the_reserves_and_fails_below_the_minimum_or_past_the_reserve_bound()
    {
        var reserves = new PoolReserves(5 * E18, 10 * E18);
        var ok = ConstantProduct.Swap(reserves, Asset.Native, E18, UInt128.Parse("1662497915624478906"));
        Assert.True(ok.Succeeded);
        Assert.Equal(new PoolReserves(6 * E18, 10 * E18 - UInt128.Parse("1662497915624478906")), ok.Reserves);

        var slipped = ConstantProduct.Swap(reserves, Asset.Native, E18, UInt128.Parse("1662497915624478907"));
        Assert.Equal(ExecutionOutcome.SlippageExceeded, slipped.Outcome);
        Assert.Equal(reserves, slipped.Reserves);

        var reverse = ConstantProduct.Swap(reserves, Asset.Token, E18, 0);
        Assert.Equal(new PoolReserves(5 * E18 - reverse.AmountOut, 11 * E18), reverse.Reserves);

        Assert.Equal(ExecutionOutcome.InsufficientLiquidity, ConstantProduct.Swap(new PoolReserves(0, 0), Asset.Native, E18, 0).Outcome);
        Assert.Equal(ExecutionOutcome.InsufficientLiquidity, ConstantProduct.Swap(new PoolReserves(1000, 1000), Asset.Native, 1, 0).Outcome); // rounds to 0
        var full = new PoolReserves(ConstantProduct.MaxReserve - 10, E18);
        Assert.Equal(ExecutionOutcome.InsufficientLiquidity, ConstantProduct.Swap(full, Asset.Native, 11, 0).Outcome);
    }

    [Fact]
    public void The_constant_product_never_falls_and_the_fee_stays_in_the_pool()
    {
        var rng = new Random(14);
        var reserves = new PoolReserves(1_000_000 * E18, 1_000_000_000 * E18);
        for (int i = 0; i < 2_000; i++)
        {
            var tokenIn = rng.Next(2) == 0 ? Asset.Native : Asset.Token;
            var (reserveIn, _) = reserves.Oriented(tokenIn);
            var amountIn = (UInt128)(ulong)rng.NextInt64(1, long.MaxValue) % (reserveIn / 50) + 1;
            var before = (System.Numerics.BigInteger)reserves.Native * reserves.Tokens;
            var swap = ConstantProduct.Swap(reserves, tokenIn, amountIn, 0);
            Assert.True(swap.Succeeded);
            var after = (System.Numerics.BigInteger)swap.Reserves.Native * swap.Reserves.Tokens;
            Assert.True(after > before);
            reserves = swap.Reserves;
        }
    }
}
