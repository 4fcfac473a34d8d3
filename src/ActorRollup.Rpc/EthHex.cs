using System.Globalization;
using System.Numerics;
using System.Text.Json;
using ActorRollup.Core.Primitives;

namespace ActorRollup.Rpc;

/// <summary>
/// Ethereum JSON-RPC's hex encodings (the execution-apis conventions): a <em>quantity</em> is "0x" and hex digits
/// without leading zeros ("0x0" for zero); <em>data</em> is "0x" and two hex digits a byte. Parsing is strict and
/// bounded, and every failure is a <see cref="RpcException"/> with -32602 naming the argument.
/// </summary>
public static class EthHex
{
    public static string Quantity(ulong value) => "0x" + value.ToString("x", CultureInfo.InvariantCulture);

    public static string Quantity(UInt128 value) => "0x" + value.ToString("x", CultureInfo.InvariantCulture);

    public static string Quantity(BigInteger value) => value.IsZero ? "0x0" : "0x" + value.ToString("x", CultureInfo.InvariantCulture).TrimStart('0');

    /// <summary>A 32-byte big-endian number (a signature's r or s) as a quantity.</summary>
    public static string Quantity(ReadOnlySpan<byte> bigEndian) => Quantity(new BigInteger(bigEndian, isUnsigned: true, isBigEndian: true));

    public static string Data(ReadOnlySpan<byte> bytes) => "0x" + Convert.ToHexStringLower(bytes);

    /// <summary>A quantity of at most 64 bits.</summary>
    public static ulong ParseQuantity(JsonElement value, string what)
    {
        var big = ParseBigQuantity(value, what, 64);
        return (ulong)big;
    }

    /// <summary>A quantity of at most <paramref name="bits"/> bits.</summary>
    public static BigInteger ParseBigQuantity(JsonElement value, string what, int bits)
    {
        if (value.ValueKind != JsonValueKind.String) throw Bad($"{what}: a hex quantity is a string (\"0x…\"), not {Kind(value)}");
        var text = value.GetString()!;
        if (!text.StartsWith("0x", StringComparison.Ordinal) && !text.StartsWith("0X", StringComparison.Ordinal))
            throw Bad($"{what}: hex string without 0x prefix");
        var digits = text.AsSpan(2);
        if (digits.Length == 0) throw Bad($"{what}: hex string \"0x\" has no digits");
        if (digits.Length > 1 && digits[0] == '0') throw Bad($"{what}: hex number with leading zero digits");
        if (digits.Length > bits / 4) throw Bad($"{what}: hex number > {bits} bits");
        foreach (var c in digits)
            if (!char.IsAsciiHexDigit(c)) throw Bad($"{what}: invalid hex string");
        return BigInteger.Parse("0" + digits.ToString(), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);
    }

    /// <summary>Hex data of at most <paramref name="maxBytes"/> bytes.</summary>
    public static byte[] ParseData(JsonElement value, string what, int maxBytes)
    {
        if (value.ValueKind != JsonValueKind.String) throw Bad($"{what}: hex data is a string (\"0x…\"), not {Kind(value)}");
        var text = value.GetString()!;
        if (!text.StartsWith("0x", StringComparison.Ordinal) && !text.StartsWith("0X", StringComparison.Ordinal))
            throw Bad($"{what}: hex string without 0x prefix");
        var digits = text.AsSpan(2);
        if (digits.Length % 2 != 0) throw Bad($"{what}: hex string of odd length");
        if (digits.Length / 2 > maxBytes) throw Bad($"{what}: {digits.Length / 2} bytes, more than the {maxBytes} accepted");
        var bytes = new byte[digits.Length / 2];
        if (Convert.FromHexString(digits, bytes, out _, out var written) != System.Buffers.OperationStatus.Done || written != bytes.Length)
            throw Bad($"{what}: invalid hex string");
        return bytes;
    }

    public static Address ParseAddress(JsonElement value, string what)
    {
        var bytes = ParseData(value, what, 64);
        if (bytes.Length != Address.Size) throw Bad($"{what}: an address is 20 bytes, not {bytes.Length}");
        return Address.FromBytes(bytes);
    }

    public static Hash32 ParseHash(JsonElement value, string what)
    {
        var bytes = ParseData(value, what, 64);
        if (bytes.Length != Hash32.Size) throw Bad($"{what}: a hash is 32 bytes, not {bytes.Length}");
        return Hash32.FromBytes(bytes);
    }

    public static bool ParseBool(JsonElement value, string what) => value.ValueKind switch
    {
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        _ => throw Bad($"{what}: expected true or false, not {Kind(value)}"),
    };

    public static string Kind(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Null => "null",
        _ => "nothing",
    };

    public static RpcException Bad(string message) => new(RpcErrors.InvalidParams, "invalid argument: " + message);
}
