namespace ActorRollup.Core.Primitives;

/// <summary>Fixed-length hex text ("0x" optional, either case) as used by addresses and hashes.</summary>
internal static class Hex
{
    /// <summary>Fills <paramref name="bytes"/> from exactly 2 × its length hex digits; false on anything else.</summary>
    public static bool TryParseFixed(string? text, Span<byte> bytes)
    {
        if (text is null) return false;
        var hex = text.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? text.AsSpan(2) : text.AsSpan();
        if (hex.Length != bytes.Length * 2) return false;
        return Convert.FromHexString(hex, bytes, out _, out int written) == System.Buffers.OperationStatus.Done && written == bytes.Length;
    }
}
