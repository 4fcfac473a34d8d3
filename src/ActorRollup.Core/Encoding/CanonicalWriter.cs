using System.Buffers.Binary;
using ActorRollup.Core.Primitives;

namespace ActorRollup.Core.Encoding;

/// <summary>
/// Writes the protocol's canonical byte encodings: fixed-width big-endian integers, length-prefixed byte
/// strings, no padding. One value has exactly one encoding, so hashes and signatures are well defined.
/// </summary>
public sealed class CanonicalWriter
{
    private byte[] _buffer;
    private int _length;

    public CanonicalWriter(int capacity = 256) => _buffer = new byte[Math.Max(16, capacity)];

    public ReadOnlySpan<byte> Written => _buffer.AsSpan(0, _length);
    public int Length => _length;
    public byte[] ToArray() => Written.ToArray();

    private Span<byte> Take(int count)
    {
        if (_length + count > _buffer.Length) Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, _length + count));
        var span = _buffer.AsSpan(_length, count);
        _length += count;
        return span;
    }

    public void WriteRaw(ReadOnlySpan<byte> bytes) => bytes.CopyTo(Take(bytes.Length));
    public void WriteU8(byte value) => Take(1)[0] = value;
    public void WriteU16(ushort value) => BinaryPrimitives.WriteUInt16BigEndian(Take(2), value);
    public void WriteU32(uint value) => BinaryPrimitives.WriteUInt32BigEndian(Take(4), value);
    public void WriteU64(ulong value) => BinaryPrimitives.WriteUInt64BigEndian(Take(8), value);
    public void WriteI64(long value) => BinaryPrimitives.WriteInt64BigEndian(Take(8), value);
    public void WriteU128(UInt128 value) => BinaryPrimitives.WriteUInt128BigEndian(Take(16), value);
    public void WriteHash(in Hash32 hash) => hash.WriteTo(Take(Hash32.Size));
    public void WriteAddress(in Address address) => address.WriteTo(Take(Address.Size));

    /// <summary>u8 length then bytes (at most 255).</summary>
    public void WriteBytesWithLength8(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length > byte.MaxValue) throw new ArgumentException("too long for a u8 length prefix");
        WriteU8((byte)bytes.Length);
        WriteRaw(bytes);
    }

    /// <summary>u16 length then bytes (at most 65535).</summary>
    public void WriteBytesWithLength16(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length > ushort.MaxValue) throw new ArgumentException("too long for a u16 length prefix");
        WriteU16((ushort)bytes.Length);
        WriteRaw(bytes);
    }

    public void WriteBytesWithLength32(ReadOnlySpan<byte> bytes)
    {
        WriteU32((uint)bytes.Length);
        WriteRaw(bytes);
    }

    /// <summary>UTF-8 string with a u8 byte-length prefix.</summary>
    public void WriteString8(string value) => WriteBytesWithLength8(System.Text.Encoding.UTF8.GetBytes(value));
}

/// <summary>Reads canonical encodings; every failure is a <see cref="DecodeException"/> with a precise reason.</summary>
public ref struct CanonicalReader
{
    private readonly ReadOnlySpan<byte> _data;
    private int _position;

    public CanonicalReader(ReadOnlySpan<byte> data)
    {
        _data = data;
        _position = 0;
    }

    public int Position => _position;
    public int Remaining => _data.Length - _position;

    private ReadOnlySpan<byte> Take(int count, string field)
    {
        if (count < 0 || Remaining < count)
            throw new DecodeException(DecodeError.Truncated, $"{field}: needs {count} bytes at offset {_position}, {Remaining} left");
        var span = _data.Slice(_position, count);
        _position += count;
        return span;
    }

    public byte ReadU8(string field) => Take(1, field)[0];
    public ushort ReadU16(string field) => BinaryPrimitives.ReadUInt16BigEndian(Take(2, field));
    public uint ReadU32(string field) => BinaryPrimitives.ReadUInt32BigEndian(Take(4, field));
    public ulong ReadU64(string field) => BinaryPrimitives.ReadUInt64BigEndian(Take(8, field));
    public long ReadI64(string field) => BinaryPrimitives.ReadInt64BigEndian(Take(8, field));
    public UInt128 ReadU128(string field) => BinaryPrimitives.ReadUInt128BigEndian(Take(16, field));
    public Hash32 ReadHash(string field) => Hash32.FromBytes(Take(Hash32.Size, field));
    public Address ReadAddress(string field) => Address.FromBytes(Take(Address.Size, field));
    public ReadOnlySpan<byte> ReadRaw(int count, string field) => Take(count, field);
    public ReadOnlySpan<byte> ReadBytesWithLength8(string field) => Take(ReadU8(field), field);
    public ReadOnlySpan<byte> ReadBytesWithLength16(string field) => Take(ReadU16(field), field);

    public string ReadString8(string field)
    {
        var bytes = ReadBytesWithLength8(field);
        try
        {
            return new System.Text.UTF8Encoding(false, true).GetString(bytes);
        }
        catch (System.Text.DecoderFallbackException)
        {
            throw new DecodeException(DecodeError.InvalidField, $"{field}: not valid UTF-8");
        }
    }

    public void ExpectEnd(string what)
    {
        if (Remaining != 0) throw new DecodeException(DecodeError.TrailingBytes, $"{what}: {Remaining} unexpected trailing bytes");
    }
}

public enum DecodeError
{
    Truncated = 1,
    UnknownVersion = 2,
    InvalidField = 3,
    TrailingBytes = 4,
    TooLarge = 5,
    /// <summary>An Ethereum transaction of a kind the chain does not take (types 1, 3, 4; access lists; contract creation).</summary>
    Unsupported = 6,
    /// <summary>An Ethereum signature that recovers no key, has a high s (EIP-2) or an invalid v.</summary>
    BadSignature = 7,
    /// <summary>An Ethereum transaction without EIP-155 replay protection, with a chain id no chain can have, or — when
    /// decoded for a chain — signed for another chain's id.</summary>
    NoChainId = 8,
    /// <summary>An Ethereum amount (value, gas price) too large for the chain's 128-bit balances or 64-bit prices.</summary>
    Overflow = 9,
}

/// <summary>The only exception decoding throws: a typed reason and a message naming the field.</summary>
public sealed class DecodeException(DecodeError error, string message) : Exception(message)
{
    public DecodeError Error { get; } = error;
}
