using ActorRollup.Core.Encoding;
using ActorRollup.Core.Execution;
using ActorRollup.Core.Primitives;
using ActorRollup.Core.Transactions;

namespace ActorRollup.Core.Tests.Transactions;

public class TransactionTests
{
    private static readonly ChainParameters Chain = new() { ChainId = "rollup-1", MinGasPrice = 1_000, MaxTransactionBytes = 512 };

    private static Transaction Transfer(ulong nonce = 0, UInt128? value = null, ulong gasPrice = 1_000, ulong gasLimit = 21_000,
        string chainId = "rollup-1", byte[]? data = null) =>
        Transaction.Create(TestKeys.Get(10), chainId, TestKeys.Get(11).Address, value ?? Token.OneToken, nonce, gasPrice, gasLimit, data);

    [Fact]
    public void Encoding_layout_is_as_documented()
    {
        var tx = Transfer(nonce: 5, value: 258, gasPrice: 7, gasLimit: 21_016, data: [0xAB]);
        var e = tx.Encoded;
        Assert.Equal(TransactionCodec.FixedSize + "rollup-1".Length + 1, e.Length);
        Assert.Equal(1, e[0]);                                  // version
        Assert.Equal(8, e[1]);                                  // chain id length
        Assert.Equal("rollup-1"u8.ToArray(), e[2..10]);
        Assert.Equal(tx.SenderPublicKey, e[10..42]);
        Assert.Equal(tx.Recipient.ToArray(), e[42..62]);
        Assert.Equal([.. new byte[14], 1, 2], e[62..78]);       // value 258, u128 big-endian
        Assert.Equal(new byte[] { 0, 0, 0, 0, 0, 0, 0, 5 }, e[78..86]);
        Assert.Equal(new byte[] { 0, 0, 0, 0, 0, 0, 0, 7 }, e[86..94]);
        Assert.Equal(new byte[] { 0, 0, 0, 0, 0, 0, 0x52, 0x18 }, e[94..102]);
        Assert.Equal(new byte[] { 0, 1, 0xAB }, e[102..105]);
        Assert.Equal(tx.Signature, e[105..]);
        Assert.Equal(Hash32.Sha256(e), tx.Hash);
    }

    [Fact]
    public void Round_trip_preserves_every_field_and_the_hash()
    {
        var tx = Transfer(nonce: 9, value: UInt128.MaxValue / 3, data: [1, 2, 3], gasLimit: 30_000);
        var back = TransactionCodec.Decode(tx.Encoded);
        Assert.Equal(tx.Hash, back.Hash);
        Assert.Equal(tx.Sender, back.Sender);
        Assert.Equal(tx.Value, back.Value);
        Assert.Equal(tx.Nonce, back.Nonce);
        Assert.Equal(tx.Data, back.Data);
        Assert.True(back.VerifySignature());
    }

    [Fact]
    public void Signature_covers_every_field()
    {
        var tx = Transfer();
        Assert.True(tx.VerifySignature());
        // Flip one bit in each byte position before the signature: the signature must no longer verify.
        int signedLength = tx.Encoded.Length - 64;
        for (int i = 0; i < signedLength; i++)
        {
            var bytes = (byte[])tx.Encoded.Clone();
            bytes[i] ^= 0x01;
            if (!TransactionCodec.TryDecode(bytes, out var mutated, out _)) continue; // a length byte or version changed
            Assert.False(mutated!.VerifySignature(), $"byte {i} is not covered by the signature");
        }
    }

    public static TheoryData<string, AdmissionReason> StatelessCases() => new()
    {
        { "ok", AdmissionReason.Ok },
        { "wrong-chain", AdmissionReason.WrongChain },
        { "gas-price", AdmissionReason.GasPriceTooLow },
        { "gas-limit", AdmissionReason.GasLimitTooLow },
        { "overflow", AdmissionReason.AmountOverflow },
        { "bad-signature", AdmissionReason.BadSignature },
        { "too-large", AdmissionReason.TooLarge },
        { "bad-encoding", AdmissionReason.BadEncoding },
        { "truncated", AdmissionReason.BadEncoding },
        { "trailing", AdmissionReason.BadEncoding },
    };

    [Theory]
    [MemberData(nameof(StatelessCases))]
    public void Stateless_checks_give_the_documented_reason(string @case, AdmissionReason expected)
    {
        byte[] bytes = @case switch
        {
            "ok" => Transfer().Encoded,
            "wrong-chain" => Transfer(chainId: "rollup-2").Encoded,
            "gas-price" => Transfer(gasPrice: 999).Encoded,
            "gas-limit" => Transfer(gasLimit: 20_999).Encoded,
            "overflow" => Transfer(value: UInt128.MaxValue - 1000).Encoded,
            "bad-signature" => Flip(Transfer().Encoded, ^1),
            "too-large" => Transfer(data: new byte[400], gasLimit: 30_000).Encoded,
            "bad-encoding" => Flip(Transfer().Encoded, 0),
            "truncated" => Transfer().Encoded[..^1],
            "trailing" => [.. Transfer().Encoded, 0],
            _ => throw new ArgumentOutOfRangeException(nameof(@case)),
        };
        Assert.Equal(expected, TransactionRules.CheckStateless(bytes, Chain, out var tx));
        Assert.Equal(expected == AdmissionReason.Ok, tx is not null);
    }

    private static byte[] Flip(byte[] bytes, Index at)
    {
        var copy = (byte[])bytes.Clone();
        copy[at] ^= 0x01;
        return copy;
    }

    [Theory]
    [InlineData(0UL, 5UL, AdmissionReason.NonceUsed)]
    [InlineData(5UL, 5UL, AdmissionReason.Ok)]
    [InlineData(9UL, 5UL, AdmissionReason.Ok)]
    public void Account_checks_refuse_a_used_nonce(ulong txNonce, ulong accountNonce, AdmissionReason expected)
    {
        var tx = Transfer(nonce: txNonce);
        Assert.Equal(expected, TransactionRules.CheckAgainstAccount(tx, new Account(accountNonce, Token.FromTokens(10))));
    }

    [Fact]
    public void Account_checks_require_value_plus_max_fee()
    {
        var tx = Transfer(value: 1_000_000, gasPrice: 1_000, gasLimit: 21_000);
        UInt128 needed = 1_000_000 + 21_000UL * 1_000;
        Assert.Equal(AdmissionReason.Ok, TransactionRules.CheckAgainstAccount(tx, new Account(0, needed)));
        Assert.Equal(AdmissionReason.InsufficientBalance, TransactionRules.CheckAgainstAccount(tx, new Account(0, needed - 1)));
    }

    [Fact]
    public void Decoding_random_and_mutated_bytes_never_throws_anything_but_DecodeException()
    {
        var rng = new Random(12345);
        var valid = Transfer(data: [1, 2, 3, 4], gasLimit: 22_000).Encoded;
        int decoded = 0;
        for (int i = 0; i < 20_000; i++)
        {
            byte[] bytes;
            switch (i % 4)
            {
                case 0:
                    bytes = new byte[rng.Next(0, 300)];
                    rng.NextBytes(bytes);
                    break;
                case 1:
                    bytes = valid[..rng.Next(0, valid.Length)];
                    break;
                case 2:
                    bytes = (byte[])valid.Clone();
                    for (int k = rng.Next(1, 4); k > 0; k--) bytes[rng.Next(bytes.Length)] = (byte)rng.Next(256);
                    break;
                default:
                    bytes = [.. valid, .. Enumerable.Range(0, rng.Next(1, 8)).Select(_ => (byte)rng.Next(256))];
                    break;
            }
            try
            {
                var tx = TransactionCodec.Decode(bytes);
                decoded++;
                Assert.Equal(bytes, tx.Encoded); // canonical: whatever decodes re-encodes to the same bytes
                Assert.Equal(bytes, TransactionCodec.EncodeFields(tx, includeSignature: true));
            }
            catch (DecodeException)
            {
            }
            var reason = TransactionRules.CheckStateless(bytes, Chain, out _);
            Assert.True(Enum.IsDefined(reason));
        }
        Assert.True(decoded > 0);
    }
}
