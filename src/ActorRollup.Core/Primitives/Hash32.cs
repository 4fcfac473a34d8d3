using System.Buffers.Binary;
using System.Security.Cryptography;

namespace ActorRollup.Core.Primitives;

/// <summary>
/// A 32-byte digest (SHA-256 everywhere in the protocol). Stored as four big-endian 64-bit words so equality,
/// ordering and bit access are cheap; byte order and ordering agree with the raw bytes.
/// </summary>
public readonly record struct Hash32(ulong W0, ulong W1, ulong W2, ulong W3) : IComparable<Hash32>
{
    public const int Size = 32;

    /// <summary>All-zero digest. Used as the empty-state root and the parent of the genesis block.</summary>
    public static readonly Hash32 Zero = default;

    public static Hash32 FromBytes(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != Size) throw new ArgumentException($"a hash is {Size} bytes, got {bytes.Length}", nameof(bytes));
        return new Hash32(
            BinaryPrimitives.ReadUInt64BigEndian(bytes),
            BinaryPrimitives.ReadUInt64BigEndian(bytes[8..]),
            BinaryPrimitives.ReadUInt64BigEndian(bytes[16..]),
            BinaryPrimitives.ReadUInt64BigEndian(bytes[24..]));
    }

    /// <summary>SHA-256 of <paramref name="data"/>.</summary>
    public static Hash32 Sha256(ReadOnlySpan<byte> data)
    {
        Span<byte> digest = stackalloc byte[Size];
        SHA256.HashData(data, digest);
        return FromBytes(digest);
    }

    public void WriteTo(Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt64BigEndian(destination, W0);
        BinaryPrimitives.WriteUInt64BigEndian(destination[8..], W1);
        BinaryPrimitives.WriteUInt64BigEndian(destination[16..], W2);
        BinaryPrimitives.WriteUInt64BigEndian(destination[24..], W3);
    }

    public byte[] ToArray()
    {
        var bytes = new byte[Size];
        WriteTo(bytes);
        return bytes;
    }

    /// <summary>Bit <paramref name="index"/> counted from the most significant bit of byte 0.</summary>
    public int Bit(int index)
    {
        ulong word = (index >> 6) switch { 0 => W0, 1 => W1, 2 => W2, _ => W3 };
        return (int)((word >> (63 - (index & 63))) & 1);
    }

    /// <summary>Index of the first bit where the two hashes differ, or 256 when they are equal.</summary>
    public int FirstDifferingBit(in Hash32 other)
    {
        ulong x;
        if ((x = W0 ^ other.W0) != 0) return System.Numerics.BitOperations.LeadingZeroCount(x);
        if ((x = W1 ^ other.W1) != 0) return 64 + System.Numerics.BitOperations.LeadingZeroCount(x);
        if ((x = W2 ^ other.W2) != 0) return 128 + System.Numerics.BitOperations.LeadingZeroCount(x);
        if ((x = W3 ^ other.W3) != 0) return 192 + System.Numerics.BitOperations.LeadingZeroCount(x);
        return 256;
    }

    public int CompareTo(Hash32 other)
    {
        int c = W0.CompareTo(other.W0);
        if (c != 0) return c;
        if ((c = W1.CompareTo(other.W1)) != 0) return c;
        if ((c = W2.CompareTo(other.W2)) != 0) return c;
        return W3.CompareTo(other.W3);
    }

    public string ToHex() => Convert.ToHexStringLower(ToArray());

    public override string ToString() => "0x" + ToHex();

    /// <summary>"0x" and the first 12 hex digits: how logs, the harness and the audit name a hash in one line.</summary>
    public string Short() => "0x" + ToHex()[..12];

    public static Hash32 Parse(string text)
    {
        if (!TryParse(text, out var hash)) throw new FormatException($"'{text}' is not a 32-byte hex hash");
        return hash;
    }

    public static bool TryParse(string? text, out Hash32 hash)
    {
        hash = default;
        Span<byte> bytes = stackalloc byte[Size];
        if (!Hex.TryParseFixed(text, bytes)) return false;
        hash = FromBytes(bytes);
        return true;
    }
}
