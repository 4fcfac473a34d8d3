using System.Buffers.Binary;
using ActorRollup.Core.Execution;
using ActorRollup.Core.Primitives;

namespace ActorRollup.Core.Amm;

/// <summary>
/// The read-only calls the system addresses answer (JSON-RPC <c>eth_call</c>, docs/JSON-RPC.md), ABI-encoded like the
/// contracts Ethereum tools expect: TKN answers ERC-20's <c>balanceOf(address)</c>, <c>decimals()</c>, <c>symbol()</c>
/// and <c>name()</c>; the pool answers Uniswap v2's <c>getReserves()</c> (reserve0 = native, whose id 0x0 sorts first;
/// reserve1 = TKN; blockTimestampLast 0) and <c>getAmountOut(uint256 amountIn, address tokenIn)</c>, the output a swap
/// would get at that state (<see cref="ConstantProduct.Quote"/>).
/// </summary>
public static class AmmViews
{
    public static readonly byte[] BalanceOf = Selector("balanceOf(address)");
    public static readonly byte[] Decimals = Selector("decimals()");
    public static readonly byte[] Symbol = Selector("symbol()");
    public static readonly byte[] Name = Selector("name()");
    public static readonly byte[] GetReserves = Selector("getReserves()");
    public static readonly byte[] GetAmountOut = Selector("getAmountOut(uint256,address)");

    public const string TokenSymbol = "TKN";
    public const string TokenName = "ActorRollup TKN";

    private static byte[] Selector(string signature) => Crypto.Keccak.Hash(System.Text.Encoding.ASCII.GetBytes(signature)).ToArray()[..4];

    /// <summary>The accounts a view call to <paramref name="target"/> with <paramref name="data"/> reads (empty when it is not one).</summary>
    public static Address[] Reads(in Address target, ReadOnlySpan<byte> data)
    {
        if (data.Length < 4) return [];
        var selector = data[..4];
        if (target == SystemAddresses.Token && selector.SequenceEqual(BalanceOf) && data.Length == 36 && data[4..16].IndexOfAnyExcept((byte)0) < 0)
            return [Address.FromBytes(data[16..36])];
        if (target == SystemAddresses.Pool && (selector.SequenceEqual(GetReserves) || selector.SequenceEqual(GetAmountOut))) return [SystemAddresses.Pool];
        return [];
    }

    /// <summary>
    /// Answers a view call with the accounts <see cref="Reads"/> named (in that order). Null when the target does not
    /// answer that call or its arguments are malformed (then the RPC returns empty data, as a call to code without that
    /// function does on Ethereum).
    /// </summary>
    public static byte[]? TryCall(in Address target, ReadOnlySpan<byte> data, IReadOnlyList<Account> accounts)
    {
        if (data.Length < 4) return null;
        var selector = data[..4];
        if (target == SystemAddresses.Token)
        {
            if (selector.SequenceEqual(BalanceOf)) return accounts.Count == 1 ? Word(accounts[0].Tokens) : null;
            if (selector.SequenceEqual(Decimals) && data.Length == 4) return Word(18);
            if (selector.SequenceEqual(Symbol) && data.Length == 4) return AbiString(TokenSymbol);
            if (selector.SequenceEqual(Name) && data.Length == 4) return AbiString(TokenName);
            return null;
        }
        if (target != SystemAddresses.Pool || accounts.Count != 1) return null;
        var pool = accounts[0];
        if (selector.SequenceEqual(GetReserves) && data.Length == 4) return [.. Word(pool.Balance), .. Word(pool.Tokens), .. Word(0)];
        if (selector.SequenceEqual(GetAmountOut) && data.Length == 68)
        {
            if (data[4..20].IndexOfAnyExcept((byte)0) >= 0 || data[36..48].IndexOfAnyExcept((byte)0) >= 0) return null;
            var amountIn = BinaryPrimitives.ReadUInt128BigEndian(data[20..36]);
            var token = Address.FromBytes(data[48..68]);
            Asset asset;
            if (token == SystemAddresses.Native) asset = Asset.Native;
            else if (token == SystemAddresses.Token) asset = Asset.Token;
            else return null;
            return Word(ConstantProduct.Quote(new PoolReserves(pool.Balance, pool.Tokens), asset, amountIn));
        }
        return null;
    }

    private static byte[] Word(UInt128 value)
    {
        var word = new byte[32];
        BinaryPrimitives.WriteUInt128BigEndian(word.AsSpan(16), value);
        return word;
    }

    private static byte[] AbiString(string text)
    {
        var bytes = System.Text.Encoding.UTF8.GetBytes(text);
        var padded = (bytes.Length + 31) / 32 * 32;
        var result = new byte[64 + padded];
        result[31] = 0x20; // offset of the string
        BinaryPrimitives.WriteInt32BigEndian(result.AsSpan(60), bytes.Length);
        bytes.CopyTo(result, 64);
        return result;
    }
}
