using ActorRollup.Core.Crypto;
using ActorRollup.Core.Encoding;
using ActorRollup.Core.Primitives;
using ActorRollup.Core.Transactions;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace ActorRollup.Core.Tests.Transactions;

/// <summary>
/// Fuzzing the Ethereum decoder with FsCheck: random bytes, random RLP lists of the right shapes, and signed
/// transfers mutated byte by byte. Decoding throws nothing but <see cref="DecodeException"/>; a mutated transfer never
/// decodes to its signer; and whatever decodes is canonical — writing its fields back gives the very bytes it came from,
/// so one transaction has one encoding and one hash.
/// </summary>
public class EthTransactionPropertyTests
{
    private static readonly EthKey[] Keys = Enumerable.Range(0, 4).Select(i => EthKey.Derive("eth-fuzz", (ulong)i)).ToArray();
    private static readonly Gen<byte> AnyByte = Gen.Choose(0, 255).Select(b => (byte)b);
    private static readonly Gen<ulong> AnyU64 = Gen.Choose(0, int.MaxValue).Two().Select(p => ((ulong)(uint)p.Item1 << 33) ^ (ulong)(uint)p.Item2);

    /// <summary>Decodes, failing the property on any exception other than <see cref="DecodeException"/>.</summary>
    private static Transaction? DecodeOrNull(byte[] bytes)
    {
        try
        {
            return TransactionCodec.Decode(bytes);
        }
        catch (DecodeException)
        {
            return null;
        }
    }

    /// <summary>The transaction's fields written back as Ethereum's canonical encoding.</summary>
    private static byte[] Reencode(Transaction tx)
    {
        var r = tx.Signature.AsSpan(0, 32);
        var s = tx.Signature.AsSpan(32, 32);
        if (tx.Format == TxFormat.EthLegacy)
            return new RlpWriter().UInt(tx.Nonce).UInt(tx.GasPrice).UInt(tx.GasLimit).String(tx.Recipient.ToArray()).UInt(tx.Value)
                .String(tx.Data).UInt(tx.SignatureV).UInt256(r).UInt256(s).ToList();
        Assert.Equal(TxFormat.EthDynamicFee, tx.Format);
        var list = new RlpWriter().UInt(tx.EthChainId).UInt(tx.Nonce).UInt(tx.PriorityFeePerGas).UInt(tx.GasPrice).UInt(tx.GasLimit)
            .String(tx.Recipient.ToArray()).UInt(tx.Value).String(tx.Data).Raw([0xc0]).UInt(tx.SignatureV).UInt256(r).UInt256(s).ToList();
        return [EthTransactionCodec.DynamicFeeType, .. list];
    }

    private static void AssertCanonical(byte[] bytes, Transaction tx)
    {
        Assert.Equal(bytes, tx.Encoded);
        Assert.Equal(bytes, Reencode(tx));
        Assert.Equal(Keccak.Hash(bytes), tx.Hash);
    }

    private static Gen<byte[]> Bytes(int max) => AnyByte.ArrayOf().Select(b => b.Length > max ? b[..max] : b);

    [Property(MaxTest = 2_000)]
    public Property Random_bytes_throw_nothing_but_DecodeException()
    {
        // A first byte drawn to reach the Ethereum decoder most of the time: lists, type bytes, type 1's 0x01 + list.
        var first = Gen.Frequency((5, Gen.Choose(0xc0, 0xff)), (3, Gen.Choose(0x00, 0x7f)), (1, Gen.Choose(0x80, 0xbf)));
        var gen =
            from head in first
            from second in Gen.Choose(0xc0, 0xff)
            from tail in Bytes(300)
            from typeOneList in Gen.Elements(false, true)
            select (byte[])(typeOneList && head == 1 ? [1, (byte)second, .. tail] : [(byte)head, .. tail]);
        return Prop.ForAll(Arb.From(gen), bytes =>
        {
            var tx = DecodeOrNull(bytes);
            if (tx is { IsEthereum: true }) AssertCanonical(bytes, tx);
        });
    }

    private static readonly Gen<byte[]> AnyItem = Gen.Frequency(
            (4, Bytes(9)),                                        // integers of every width around 64 bits, leading zeros too
            (2, Gen.Choose(0, 40).Select(n => new byte[n])),      // zeros and empty strings
            (1, AnyByte.ArrayOf(20)),
            (2, AnyByte.ArrayOf(32)),
            (1, Bytes(34)))
        .Select(b => RlpWriter.EncodeString(b));

    /// <summary>A canonical integer of at most <paramref name="maxBytes"/> bytes.</summary>
    private static Gen<byte[]> Scalar(int maxBytes) =>
        Gen.Choose(0, maxBytes).SelectMany(n => AnyByte.ArrayOf(n)).Select(b => RlpWriter.EncodeString(TrimLeadingZeros(b)));

    private static byte[] TrimLeadingZeros(byte[] b)
    {
        int first = b.AsSpan().IndexOfAnyExcept((byte)0);
        return first < 0 ? [] : b[first..];
    }

    private static Gen<byte[]> Constant(params byte[][] encodedChoices) => Gen.Elements(encodedChoices);

    /// <summary>
    /// Lists shaped like the two transaction kinds — each field drawn from what that field holds (a 20-byte to, 32-byte
    /// r and s, a v of 37/38, an empty access list…) and, one field in eight, from anything at all; now and then a field
    /// too many or too few — bare or behind type 2, 1, 3 or another byte. The decoder gets past the framing to every
    /// field check and to recovery (random r, s recover some key about half the time), and what decodes must be canonical.
    /// </summary>
    [Property(MaxTest = 3_000)]
    public Property Transaction_shaped_rlp_throws_nothing_but_DecodeException_and_what_decodes_is_canonical() =>
        Prop.ForAll(Arb.From(ShapedGen()), bytes =>
        {
            var tx = DecodeOrNull(bytes);
            if (tx is { IsEthereum: true }) AssertCanonical(bytes, tx);
        });

    private static Gen<byte[]> ShapedGen()
    {
        var address = AnyByte.ArrayOf(20).Select(b => RlpWriter.EncodeString(b));
        var data = Bytes(24).Select(b => RlpWriter.EncodeString(b));
        var legacyV = Gen.Frequency((6, Constant(RlpWriter.EncodeString([37]), RlpWriter.EncodeString([38]))), (2, Scalar(8)),
            (1, Constant(RlpWriter.EncodeString([27]), RlpWriter.EncodeString([28]), RlpWriter.EncodeString([]))));
        var legacy = new[] { Scalar(8), Scalar(8), Scalar(8), address, Scalar(16), data, legacyV, Scalar(32), Scalar(32) };
        var accessList = Gen.Frequency((8, Gen.Constant(new byte[] { 0xc0 })), (1, Gen.Constant(new byte[] { 0xc1, 0x80 })));
        var yParity = Gen.Frequency((8, Constant(RlpWriter.EncodeString([]), RlpWriter.EncodeString([1]))), (1, Scalar(2)));
        var dynamic = new[] { Scalar(8), Scalar(8), Scalar(8), Scalar(8), Scalar(8), address, Scalar(16), data, accessList, yParity, Scalar(32), Scalar(32) };
        var gen =
            from isDynamic in Gen.Elements(false, true)
            from items in Gen.CollectToArray((isDynamic ? dynamic : legacy).Select(field => Gen.Frequency((7, field), (1, AnyItem))))
            from extra in Gen.Frequency((8, Gen.Constant(0)), (1, Gen.Constant(1)), (1, Gen.Constant(-1)))
            from more in AnyItem
            from type in Gen.Frequency((10, Gen.Constant(isDynamic ? 2 : -1)), (1, Gen.Elements(1, 3, 4, 0x7f)))
            select Frame(extra switch { 1 => [.. items, more], -1 => [.. items.Skip(1)], _ => [.. items] }, type);
        return gen;
    }

    private static byte[] Frame(byte[][] items, int type)
    {
        var writer = new RlpWriter();
        foreach (var i in items) writer.Raw(i);
        var list = writer.ToList();
        return type < 0 ? list : [(byte)type, .. list];
    }

    private enum Mutation { FlipBit, Overwrite, Insert, Delete, Truncate, Append }

    private static Gen<(Transaction Signed, EthKey Key)> SignedTransfers() =>
        from key in Gen.Elements(Keys)
        from dynamic in Gen.Elements(false, true)
        from chain in Gen.OneOf(Gen.Constant(1UL), AnyU64.Select(c => c % ChainParameters.MaxEthChainId + 1))
        from nonce in Gen.OneOf(Gen.Constant(0UL), AnyU64.Select(n => n % EthTransactionCodec.MaxNonce))
        from tip in AnyU64.Select(t => t >> 20)
        from extra in AnyU64.Select(t => t >> 20)
        from gas in AnyU64.Select(g => 21_000 + (g >> 40))
        from to in AnyByte.ArrayOf(20).Select(b => Address.FromBytes(b))
        from value in AnyU64.Two().Select(p => (UInt128)p.Item1 << 64 | p.Item2)
        from shift in Gen.Choose(0, 127)
        from data in Bytes(24)
        select (dynamic
            ? EthTransactionCodec.SignDynamicFee(key, chain, nonce, tip, tip + extra, gas, to, value >> shift, data)
            : EthTransactionCodec.SignLegacy(key, chain, nonce, tip + extra, gas, to, value >> shift, data), key);

    [Property(MaxTest = 1_500)]
    public Property Signed_transfers_are_canonical_and_no_mutation_of_one_decodes_to_its_signer()
    {
        var gen =
            from signed in SignedTransfers()
            from mutation in Gen.Elements(Enum.GetValues<Mutation>())
            from at in Gen.Choose(0, int.MaxValue)
            from bit in Gen.Choose(0, 7)
            from b in AnyByte
            select (signed.Signed, signed.Key, Mutate(signed.Signed.Encoded, mutation, at, bit, b));
        return Prop.ForAll(Arb.From(gen), c =>
        {
            var original = DecodeOrNull(c.Signed.Encoded);
            Assert.NotNull(original);
            Assert.Equal(c.Key.Address, original.Sender);
            AssertCanonical(c.Signed.Encoded, original);

            var mutated = c.Item3;
            if (mutated.AsSpan().SequenceEqual(c.Signed.Encoded)) return;   // an overwrite with the same byte
            var tx = DecodeOrNull(mutated);
            if (tx is null || !tx.IsEthereum) return;
            Assert.NotEqual(c.Key.Address, tx.Sender);
            AssertCanonical(mutated, tx);
            Assert.Equal(tx.Sender, TransactionCodec.Decode(mutated).Sender);   // decoding again (the cache) gives the same sender
        });
    }

    private static byte[] Mutate(byte[] bytes, Mutation mutation, int at, int bit, byte value)
    {
        int i = at % bytes.Length;
        var list = bytes.ToList();
        switch (mutation)
        {
            case Mutation.FlipBit: list[i] ^= (byte)(1 << bit); break;
            case Mutation.Overwrite: list[i] = value; break;
            case Mutation.Insert: list.Insert(i, value); break;
            case Mutation.Delete: list.RemoveAt(i); break;
            case Mutation.Truncate: list.RemoveRange(i, list.Count - i); break;
            case Mutation.Append: list.Add(value); break;
        }
        return [.. list];
    }

    [Fact]
    public void Every_single_bit_flip_of_a_signed_transfer_is_refused_or_names_another_sender()
    {
        foreach (var signed in new[]
                 {
                     EthTransactionCodec.SignLegacy(Keys[0], 1, 9, 20_000_000_000, 21_000, Address.FromBytes(new byte[20]), 1_000_000),
                     EthTransactionCodec.SignDynamicFee(Keys[1], 1, 9, 1_000_000_000, 20_000_000_000, 21_000, Address.FromBytes(new byte[20]), 1_000_000),
                 })
        {
            int decodedToOthers = 0;
            for (int i = 0; i < signed.Encoded.Length * 8; i++)
            {
                var bytes = (byte[])signed.Encoded.Clone();
                bytes[i / 8] ^= (byte)(1 << (i % 8));
                var tx = DecodeOrNull(bytes);
                if (tx is null || !tx.IsEthereum) continue;
                Assert.NotEqual(signed.Sender, tx.Sender);
                AssertCanonical(bytes, tx);
                decodedToOthers++;
            }
            Assert.True(decodedToOthers > 0, "some flips of signed fields must still decode (to another key): the test would otherwise prove nothing");
        }
    }
}
