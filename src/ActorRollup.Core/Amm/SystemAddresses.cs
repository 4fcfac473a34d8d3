using ActorRollup.Core.Primitives;

namespace ActorRollup.Core.Amm;

/// <summary>
/// The reserved L2 addresses of the chain's built-in operations (PROTOCOL.md §12). No key signs for them: a
/// transaction sent to one is a call, never a transfer, and its data must be one of the calls the address takes.
/// They are short numbers so that Ethereum tools show them recognisably.
/// </summary>
public static class SystemAddresses
{
    /// <summary>Names the native token in a swap's <c>tokenIn</c> (the zero address, as many DeFi interfaces spell "ETH").</summary>
    public static readonly Address Native = default;

    /// <summary>The second token: its id in a swap's <c>tokenIn</c>, and the address its ERC-20-style <c>transfer</c> is sent to.</summary>
    public static readonly Address Token = FromNumber(0xa001);

    /// <summary>The constant-product pool between the native token and <see cref="Token"/>. Its account's balances are the
    /// reserves; <c>swap</c> is sent here.</summary>
    public static readonly Address Pool = FromNumber(0xa000);

    /// <summary>Builder-auction payments (the block's "coinbase"): value sent here is the proposer's, like a fee.</summary>
    public static readonly Address Coinbase = FromNumber(0xa002);

    /// <summary>Express-lane auction proceeds (the documented recipient of the Timeboost-style auction).</summary>
    public static readonly Address ExpressLane = FromNumber(0xa003);

    /// <summary>Whether <paramref name="address"/> is one of the reserved addresses (0xa000–0xa0ff).</summary>
    public static bool IsSystem(in Address address) => address.Hi == 0 && address.Mid == 0 && address.Lo is >= 0xa000 and <= 0xa0ff;

    private static Address FromNumber(uint n) => new(0, 0, n);
}
