using System.Buffers.Binary;
using System.Security.Cryptography;

namespace ActorRollup.Core.Primitives;

/// <summary>
/// A 20-byte account address: the last 20 bytes of SHA-256("ActorRollup/address/v1" ‖ Ed25519 public key).
/// Shown as 0x-prefixed lower-case hex. Ordering is byte-wise.
/// </summary>
public readonly record struct Address(ulong Hi, ulong Mid, uint Lo) : IComparable<Address>
{
    public const int Size = 20;
    private static readonly byte[] Domain = "ActorRollup/address/v1"u8.ToArray();

    public static Address FromBytes(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != Size) throw new ArgumentException($"an address is {Size} bytes, got {bytes.Length}", nameof(bytes));
        return new Address(
            BinaryPrimitives.ReadUInt64BigEndian(bytes),
            BinaryPrimitives.ReadUInt64BigEndian(bytes[8..]),
            BinaryPrimitives.ReadUInt32BigEndian(bytes[16..]));
    }

    /// <summary>Derives the address of an Ed25519 public key (32 bytes).</summary>
    public static Address FromPublicKey(ReadOnlySpan<byte> publicKey)
    {
        if (publicKey.Length != 32) throw new ArgumentException("an Ed25519 public key is 32 bytes", nameof(publicKey));
        Span<byte> buffer = stackalloc byte[Domain.Length + 32];
        Domain.CopyTo(buffer);
        publicKey.CopyTo(buffer[Domain.Length..]);
        Span<byte> digest = stackalloc byte[32];
        SHA256.HashData(buffer, digest);
        return FromBytes(digest[12..]);
    }

    public void WriteTo(Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt64BigEndian(destination, Hi);
        BinaryPrimitives.WriteUInt64BigEndian(destination[8..], Mid);
        BinaryPrimitives.WriteUInt32BigEndian(destination[16..], Lo);
    }

    public byte[] ToArray()
    {
        var bytes = new byte[Size];
        WriteTo(bytes);
        return bytes;
    }

    public int CompareTo(Address other)
    {
        int c = Hi.CompareTo(other.Hi);
        if (c != 0) return c;
        if ((c = Mid.CompareTo(other.Mid)) != 0) return c;
        return Lo.CompareTo(other.Lo);
    }

    public override string ToString() => "0x" + Convert.ToHexStringLower(ToArray());

    public static Address Parse(string text)
    {
        if (!TryParse(text, out var address)) throw new FormatException($"'{text}' is not a 20-byte 0x-hex address");
        return address;
    }

    public static bool TryParse(string? text, out Address address)
    {
        address = default;
        Span<byte> bytes = stackalloc byte[Size];
        if (!Hex.TryParseFixed(text, bytes)) return false;
        address = FromBytes(bytes);
        return true;
    }
}
