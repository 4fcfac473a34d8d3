using ActorRollup.Core.Primitives;

namespace ActorRollup.Core.Amm;

/// <summary>The kinds of call a system address takes.</summary>
public enum CallKind : byte
{
    /// <summary><c>swap(address tokenIn, uint256 amountIn, uint256 minAmountOut)</c>, sent to <see cref="SystemAddresses.Pool"/>.</summary>
    Swap = 1,
    /// <summary><c>transfer(address to, uint256 amount)</c> of the second token, sent to <see cref="SystemAddresses.Token"/>
    /// (ERC-20's selector, so Ethereum wallets send it as they send any token).</summary>
    TokenTransfer = 2,
}

/// <summary>A decoded call: a swap (<see cref="TokenIn"/>, <see cref="Amount"/> in, <see cref="MinAmountOut"/>) or a token
/// transfer (<see cref="To"/>, <see cref="Amount"/>).</summary>
public readonly record struct AmmCall(CallKind Kind, Asset TokenIn, UInt128 Amount, UInt128 MinAmountOut, Address To)
{
    public static AmmCall Swap(Asset tokenIn, UInt128 amountIn, UInt128 minAmountOut) => new(CallKind.Swap, tokenIn, amountIn, minAmountOut, default);
    public static AmmCall TokenTransfer(Address to, UInt128 amount) => new(CallKind.TokenTransfer, Asset.Token, amount, 0, to);

    /// <summary>The system address the call is sent to.</summary>
    public Address Target => Kind == CallKind.Swap ? SystemAddresses.Pool : SystemAddresses.Token;

    /// <summary>What the call can take from its sender besides the fee: (native, second token).</summary>
    public (UInt128 Native, UInt128 Tokens) Cost => Kind == CallKind.Swap && TokenIn == Asset.Native ? (Amount, 0) : (0, Amount);
}

/// <summary>
/// The calls' encoding (PROTOCOL.md §12, docs/MEV.md): Solidity's ABI — a 4-byte selector (the first bytes of the
/// Keccak-256 of the signature) then one 32-byte big-endian word per argument — in the transaction's data, with the
/// system address as recipient and value 0. One encoding for both transaction formats, so ethers'
/// <c>Interface.encodeFunctionData</c> writes it. Decoding is strict: exact length, an address word's high 12 bytes zero,
/// amounts within 128 bits, <c>tokenIn</c> one of the two assets.
/// </summary>
public static class AmmCodec
{
    public const string SwapSignature = "swap(address,uint256,uint256)";
    public const string TransferSignature = "transfer(address,uint256)";

    /// <summary>0x9f1d0f59: the first 4 bytes of Keccak-256("swap(address,uint256,uint256)").</summary>
    public static readonly byte[] SwapSelector = Selector(SwapSignature);

    /// <summary>0xa9059cbb, ERC-20's transfer.</summary>
    public static readonly byte[] TransferSelector = Selector(TransferSignature);

    public const int SwapLength = 4 + 3 * 32;
    public const int TransferLength = 4 + 2 * 32;

    private static byte[] Selector(string signature) => Crypto.Keccak.Hash(System.Text.Encoding.ASCII.GetBytes(signature)).ToArray()[..4];

    public static byte[] Encode(AmmCall call)
    {
        if (call.Kind == CallKind.Swap)
        {
            var data = new byte[SwapLength];
            SwapSelector.CopyTo(data, 0);
            WriteAddress(data.AsSpan(4), call.TokenIn == Asset.Native ? SystemAddresses.Native : SystemAddresses.Token);
            WriteAmount(data.AsSpan(36), call.Amount);
            WriteAmount(data.AsSpan(68), call.MinAmountOut);
            return data;
        }
        var transfer = new byte[TransferLength];
        TransferSelector.CopyTo(transfer, 0);
        WriteAddress(transfer.AsSpan(4), call.To);
        WriteAmount(transfer.AsSpan(36), call.Amount);
        return transfer;
    }

    /// <summary>The call a transaction to <paramref name="target"/> with <paramref name="data"/> makes, if it is one the
    /// target takes.</summary>
    public static bool TryDecode(in Address target, ReadOnlySpan<byte> data, out AmmCall call)
    {
        call = default;
        if (target == SystemAddresses.Pool)
        {
            if (data.Length != SwapLength || !data[..4].SequenceEqual(SwapSelector)) return false;
            if (!TryReadAddress(data.Slice(4, 32), out var token) || !TryReadAmount(data.Slice(36, 32), out var amountIn)
                || !TryReadAmount(data.Slice(68, 32), out var minOut)) return false;
            Asset asset;
            if (token == SystemAddresses.Native) asset = Asset.Native;
            else if (token == SystemAddresses.Token) asset = Asset.Token;
            else return false;
            call = AmmCall.Swap(asset, amountIn, minOut);
            return true;
        }
        if (target == SystemAddresses.Token)
        {
            if (data.Length != TransferLength || !data[..4].SequenceEqual(TransferSelector)) return false;
            if (!TryReadAddress(data.Slice(4, 32), out var to) || !TryReadAmount(data.Slice(36, 32), out var amount)) return false;
            call = AmmCall.TokenTransfer(to, amount);
            return true;
        }
        return false;
    }

    private static void WriteAddress(Span<byte> word, in Address address) => address.WriteTo(word[12..]);

    private static void WriteAmount(Span<byte> word, UInt128 amount) => System.Buffers.Binary.BinaryPrimitives.WriteUInt128BigEndian(word[16..], amount);

    private static bool TryReadAddress(ReadOnlySpan<byte> word, out Address address)
    {
        address = default;
        if (word[..12].IndexOfAnyExcept((byte)0) >= 0) return false;
        address = Address.FromBytes(word[12..]);
        return true;
    }

    private static bool TryReadAmount(ReadOnlySpan<byte> word, out UInt128 amount)
    {
        amount = 0;
        if (word[..16].IndexOfAnyExcept((byte)0) >= 0) return false;
        amount = System.Buffers.Binary.BinaryPrimitives.ReadUInt128BigEndian(word[16..]);
        return true;
    }
}
