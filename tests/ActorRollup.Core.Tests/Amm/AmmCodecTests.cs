using ActorRollup.Core.Amm;
using ActorRollup.Core.Primitives;

namespace ActorRollup.Core.Tests.Amm;

public class AmmCodecTests
{
    [Fact]
    public void Selectors_are_the_abi_ones()
    {
        // keccak256("swap(address,uint256,uint256)")[0..4] and ERC-20's transfer, as ethers' id() gives them.
        Assert.Equal("9f1d0f59", Convert.ToHexStringLower(AmmCodec.SwapSelector));
        Assert.Equal("a9059cbb", Convert.ToHexStringLower(AmmCodec.TransferSelector));
    }

    [Fact]
    public void A_swap_encodes_as_the_abi_call_and_decodes_back()
    {
        var data = AmmCodec.Encode(AmmCall.Swap(Asset.Token, 1234, 5));
        Assert.Equal(
            "9f1d0f59" +
            "000000000000000000000000000000000000000000000000000000000000a001" +
            "00000000000000000000000000000000000000000000000000000000000004d2" +
            "0000000000000000000000000000000000000000000000000000000000000005",
            Convert.ToHexStringLower(data));
        Assert.True(AmmCodec.TryDecode(SystemAddresses.Pool, data, out var call));
        Assert.Equal(AmmCall.Swap(Asset.Token, 1234, 5), call);
        Assert.Equal(((UInt128)0, (UInt128)1234), call.Cost);

        var native = AmmCodec.Encode(AmmCall.Swap(Asset.Native, UInt128.MaxValue, 0));
        Assert.True(AmmCodec.TryDecode(SystemAddresses.Pool, native, out var n));
        Assert.Equal((UInt128.MaxValue, UInt128.Zero), n.Cost);
    }

    [Fact]
    public void A_token_transfer_is_erc20_transfer()
    {
        var to = Address.Parse("0x9d8a62f656a8d1615c1294fd71e9cfb3e4855a4f");
        var data = AmmCodec.Encode(AmmCall.TokenTransfer(to, 7));
        Assert.Equal("a9059cbb0000000000000000000000009d8a62f656a8d1615c1294fd71e9cfb3e4855a4f" + new string('0', 63) + "7", Convert.ToHexStringLower(data));
        Assert.True(AmmCodec.TryDecode(SystemAddresses.Token, data, out var call));
        Assert.Equal(AmmCall.TokenTransfer(to, 7), call);
        Assert.False(AmmCodec.TryDecode(SystemAddresses.Pool, data, out _)); // the pool takes no transfer
    }

    public static TheoryData<string, string> Malformed()
    {
        var good = Convert.ToHexStringLower(AmmCodec.Encode(AmmCall.Swap(Asset.Native, 10, 1)));
        static string Patch(string hex, int byteIndex, string value) => hex[..(byteIndex * 2)] + value + hex[(byteIndex * 2 + value.Length)..];
        return new()
        {
            { "short", good[..^2] },
            { "long", good + "00" },
            { "selector", Patch(good, 0, "00") },
            { "address-high-bytes", Patch(good, 4, "01") },
            { "unknown-token", Patch(good, 35, "07") },
            { "amount-over-128-bits", Patch(good, 36, "01") },
            { "min-over-128-bits", Patch(good, 68, "80") },
            { "empty", "" },
        };
    }

    [Theory]
    [MemberData(nameof(Malformed))]
    public void Decoding_is_strict(string @case, string hex)
    {
        Assert.False(AmmCodec.TryDecode(SystemAddresses.Pool, Convert.FromHexString(hex), out _), @case);
    }

    [Fact]
    public void System_addresses_are_the_reserved_range()
    {
        Assert.True(SystemAddresses.IsSystem(SystemAddresses.Pool));
        Assert.True(SystemAddresses.IsSystem(SystemAddresses.Token));
        Assert.True(SystemAddresses.IsSystem(SystemAddresses.Coinbase));
        Assert.True(SystemAddresses.IsSystem(SystemAddresses.ExpressLane));
        Assert.True(SystemAddresses.IsSystem(Address.Parse("0x000000000000000000000000000000000000a0ff")));
        Assert.False(SystemAddresses.IsSystem(Address.Parse("0x000000000000000000000000000000000000a100")));
        Assert.False(SystemAddresses.IsSystem(SystemAddresses.Native));
        Assert.Equal("0x000000000000000000000000000000000000a000", SystemAddresses.Pool.ToString());
    }
}
