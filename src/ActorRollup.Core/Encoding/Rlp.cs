using System.Buffers.Binary;

namespace ActorRollup.Core.Encoding;

/// <summary>
/// A strict reader of Ethereum's RLP (Yellow Paper, appendix B), over a span, without allocation. Only canonical
/// encodings are accepted — a single byte below 0x80 is never wrapped, lengths use the short form when they can and
/// carry no leading zeros, and integers carry no leading zero bytes — because ethereum/tests' TransactionTests
/// require clients to refuse the rest, and one transaction must have one encoding (its hash is its identity).
/// Every failure is a <see cref="DecodeException"/> naming the field. (Nethereum.RLP decodes leniently, which is
/// why the reader is written here; encoding for the harness uses <see cref="RlpWriter"/>.)
/// </summary>
public ref struct RlpReader
{
    private ReadOnlySpan<byte> _rest;

    public RlpReader(ReadOnlySpan<byte> data) => _rest = data;

    public readonly bool AtEnd => _rest.IsEmpty;

    /// <summary>Reads one list item and returns a reader over its payload.</summary>
    public RlpReader ReadList(string field)
    {
        var payload = ReadItem(field, out bool isList);
        if (!isList) throw new DecodeException(DecodeError.InvalidField, $"{field}: expected an RLP list, got a string");
        return new RlpReader(payload);
    }

    /// <summary>Reads one string item (its payload bytes).</summary>
    public ReadOnlySpan<byte> ReadString(string field)
    {
        var payload = ReadItem(field, out bool isList);
        if (isList) throw new DecodeException(DecodeError.InvalidField, $"{field}: expected an RLP string, got a list");
        return payload;
    }

    /// <summary>Reads a big-endian unsigned integer of at most <paramref name="maxBytes"/> bytes, no leading zeros.</summary>
    public ReadOnlySpan<byte> ReadScalar(string field, int maxBytes)
    {
        var bytes = ReadString(field);
        if (bytes.Length > 0 && bytes[0] == 0) throw new DecodeException(DecodeError.InvalidField, $"{field}: integer with a leading zero byte");
        if (bytes.Length > maxBytes) throw new DecodeException(DecodeError.TooLarge, $"{field}: integer longer than {maxBytes} bytes");
        return bytes;
    }

    public ulong ReadUInt64(string field)
    {
        var bytes = ReadScalar(field, 8);
        ulong value = 0;
        foreach (var b in bytes) value = (value << 8) | b;
        return value;
    }

    public readonly void ExpectEnd(string what)
    {
        if (!_rest.IsEmpty) throw new DecodeException(DecodeError.TrailingBytes, $"{what}: {_rest.Length} bytes after the last field");
    }

    private ReadOnlySpan<byte> ReadItem(string field, out bool isList)
    {
        if (_rest.IsEmpty) throw new DecodeException(DecodeError.Truncated, $"{field}: missing");
        byte prefix = _rest[0];
        if (prefix < 0x80)
        {
            var single = _rest[..1];
            _rest = _rest[1..];
            isList = false;
            return single;
        }
        isList = prefix >= 0xc0;
        int shortBase = isList ? 0xc0 : 0x80;
        int longBase = isList ? 0xf7 : 0xb7;
        int headerLength;
        ulong length;
        if (prefix <= longBase)
        {
            headerLength = 1;
            length = (ulong)(prefix - shortBase);
        }
        else
        {
            int lengthOfLength = prefix - longBase;
            if (_rest.Length < 1 + lengthOfLength) throw new DecodeException(DecodeError.Truncated, $"{field}: length truncated");
            var lengthBytes = _rest.Slice(1, lengthOfLength);
            if (lengthBytes[0] == 0) throw new DecodeException(DecodeError.InvalidField, $"{field}: length with a leading zero byte");
            length = 0;
            foreach (var b in lengthBytes) length = (length << 8) | b;
            if (length < 56) throw new DecodeException(DecodeError.InvalidField, $"{field}: long-form length {length} below 56");
            headerLength = 1 + lengthOfLength;
        }
        if (length > (ulong)(_rest.Length - headerLength)) throw new DecodeException(DecodeError.Truncated, $"{field}: {length} bytes announced, {_rest.Length - headerLength} left");
        var payload = _rest.Slice(headerLength, (int)length);
        if (!isList && length == 1 && payload[0] < 0x80)
            throw new DecodeException(DecodeError.InvalidField, $"{field}: a single byte below 0x80 wrapped in a string header");
        _rest = _rest[(headerLength + (int)length)..];
        return payload;
    }
}

/// <summary>Builds canonical RLP: strings, unsigned integers (minimal big-endian) and lists.</summary>
public sealed class RlpWriter
{
    private readonly List<byte[]> _items = [];

    public RlpWriter String(ReadOnlySpan<byte> bytes)
    {
        _items.Add(EncodeString(bytes));
        return this;
    }

    public RlpWriter UInt(UInt128 value)
    {
        Span<byte> buffer = stackalloc byte[16];
        BinaryPrimitives.WriteUInt128BigEndian(buffer, value);
        int skip = buffer.IndexOfAnyExcept((byte)0);
        _items.Add(EncodeString(skip < 0 ? [] : buffer[skip..]));
        return this;
    }

    /// <summary>A 32-byte big-endian integer, written minimally.</summary>
    public RlpWriter UInt256(ReadOnlySpan<byte> value32)
    {
        int skip = value32.IndexOfAnyExcept((byte)0);
        _items.Add(EncodeString(skip < 0 ? [] : value32[skip..]));
        return this;
    }

    /// <summary>An already encoded item (e.g. a nested list).</summary>
    public RlpWriter Raw(byte[] encodedItem)
    {
        _items.Add(encodedItem);
        return this;
    }

    /// <summary>The items as one RLP list.</summary>
    public byte[] ToList()
    {
        int payload = 0;
        foreach (var item in _items) payload += item.Length;
        var header = Header(0xc0, payload);
        var result = new byte[header.Length + payload];
        header.CopyTo(result, 0);
        int at = header.Length;
        foreach (var item in _items)
        {
            item.CopyTo(result, at);
            at += item.Length;
        }
        return result;
    }

    public static byte[] EncodeString(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length == 1 && bytes[0] < 0x80) return [bytes[0]];
        var header = Header(0x80, bytes.Length);
        var result = new byte[header.Length + bytes.Length];
        header.CopyTo(result, 0);
        bytes.CopyTo(result.AsSpan(header.Length));
        return result;
    }

    private static byte[] Header(int shortBase, int length)
    {
        if (length < 56) return [(byte)(shortBase + length)];
        Span<byte> buffer = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(buffer, length);
        int skip = buffer.IndexOfAnyExcept((byte)0);
        var lengthBytes = buffer[skip..];
        var header = new byte[1 + lengthBytes.Length];
        header[0] = (byte)(shortBase + 55 + lengthBytes.Length);
        lengthBytes.CopyTo(header.AsSpan(1));
        return header;
    }
}
