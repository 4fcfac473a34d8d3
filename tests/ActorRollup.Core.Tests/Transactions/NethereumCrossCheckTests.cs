using System.Numerics;
using ActorRollup.Core.Crypto;
using ActorRollup.Core.Primitives;
using ActorRollup.Core.Transactions;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Nethereum.Model;
using Nethereum.Signer;
using Transaction = ActorRollup.Core.Transactions.Transaction;

namespace ActorRollup.Core.Tests.Transactions;

/// <summary>
/// Cross-checks against Nethereum (Nethereum.Signer 6.1.0: its own RLP, Keccak and secp256k1 signing through
/// NBitcoin.Secp256k1), an implementation nobody here wrote: what Nethereum signs decodes here to its signer and its
/// hash, what we sign Nethereum decodes to our signer and our fields — and, both signing with RFC 6979 nonces and low s,
/// the two produce the very same bytes.
/// </summary>
public class NethereumCrossCheckTests
{
    private static readonly EthKey[] Keys = Enumerable.Range(0, 8).Select(i => EthKey.Derive("nethereum-cross-check", (ulong)i)).ToArray();

    public sealed record Fields(int Key, ulong ChainId, ulong Nonce, ulong Tip, ulong MaxFee, ulong GasLimit, Address To, UInt128 Value, byte[] Data);

    private static Arbitrary<Fields> Transfers()
    {
        var u64 = Gen.Choose(0, int.MaxValue).Two().Select(p => ((ulong)(uint)p.Item1 << 33) ^ (ulong)(uint)p.Item2);
        var gen =
            from key in Gen.Choose(0, Keys.Length - 1)
            from chain in Gen.OneOf(Gen.Constant(1UL), Gen.Choose(2, int.MaxValue).Select(c => (ulong)c), u64.Select(c => c % ChainParameters.MaxEthChainId + 1))
            from nonce in Gen.OneOf(Gen.Constant(0UL), u64.Select(n => n % 1_000), u64.Select(n => Math.Min(n, EthTransactionCodec.MaxNonce)))
            from tip in Gen.OneOf(Gen.Constant(0UL), u64.Select(t => t % 10_000_000_000))
            from extra in Gen.OneOf(Gen.Constant(0UL), u64.Select(t => t % 100_000_000_000))
            from gas in Gen.Choose(0, 5_000_000).Select(g => 21_000UL + (ulong)g)
            from to in Gen.ArrayOf(Gen.Choose(0, 255).Select(b => (byte)b), 20).Select(b => Address.FromBytes(b))
            from valueHi in u64
            from valueLo in u64
            from valueBits in Gen.Choose(0, 127)
            from data in Gen.Choose(0, 255).Select(b => (byte)b).ArrayOf().Select(d => d.Take(40).ToArray())
            select new Fields(key, chain, nonce, tip, tip + extra, gas, to, ((UInt128)valueHi << 64 | valueLo) >> valueBits, data);
        return Arb.From(gen);
    }

    private static string Hex(byte[] bytes) => "0x" + Convert.ToHexStringLower(bytes);
    private static byte[] Bytes(string hex) => Convert.FromHexString(hex.StartsWith("0x", StringComparison.Ordinal) ? hex[2..] : hex);
    private static BigInteger Big(UInt128 v) => BigInteger.Parse(v.ToString(System.Globalization.CultureInfo.InvariantCulture), System.Globalization.CultureInfo.InvariantCulture);
    private static string DataHex(byte[] data) => data.Length == 0 ? "" : Hex(data);

    [Fact]
    public void Nethereum_derives_the_same_addresses_from_the_same_keys()
    {
        foreach (var key in Keys)
            Assert.Equal(key.Address, Address.Parse(new EthECKey(key.SecretKey, true).GetPublicAddress()));
    }

    [Property(MaxTest = 60)]
    public Property Legacy_transactions_signed_by_Nethereum_decode_here_to_its_signer_and_hash_and_ours_to_the_same_bytes() =>
        Prop.ForAll(Transfers(), f =>
        {
            var key = Keys[f.Key];
            var raw = Bytes(new LegacyTransactionSigner().SignTransaction(key.SecretKey, new BigInteger(f.ChainId), f.To.ToString(),
                Big(f.Value), new BigInteger(f.Nonce), new BigInteger(f.MaxFee), new BigInteger(f.GasLimit), DataHex(f.Data)));
            var theirs = TransactionFactory.CreateTransaction(raw);

            var decoded = TransactionCodec.Decode(raw);
            var ours = EthTransactionCodec.SignLegacy(key, f.ChainId, f.Nonce, f.MaxFee, f.GasLimit, f.To, f.Value, f.Data);

            Assert.Equal(TxFormat.EthLegacy, decoded.Format);
            Assert.Equal(key.Address, decoded.Sender);
            Assert.Equal(Hash32.FromBytes(theirs.Hash), decoded.Hash);
            Assert.Equal((f.ChainId, f.Nonce, f.MaxFee, f.GasLimit, f.To, f.Value), (decoded.EthChainId, decoded.Nonce, decoded.GasPrice, decoded.GasLimit, decoded.Recipient, decoded.Value));
            Assert.Equal(f.Data, decoded.Data);
            Assert.Equal(raw, ours.Encoded);
        });

    [Property(MaxTest = 60)]
    public Property Dynamic_fee_transactions_signed_by_Nethereum_decode_here_to_its_signer_and_hash_and_ours_to_the_same_bytes() =>
        Prop.ForAll(Transfers(), f =>
        {
            var key = Keys[f.Key];
            var unsigned = new Transaction1559(new BigInteger(f.ChainId), new BigInteger(f.Nonce), new BigInteger(f.Tip), new BigInteger(f.MaxFee),
                new BigInteger(f.GasLimit), f.To.ToString(), Big(f.Value), DataHex(f.Data), null);
            var raw = Bytes(new Transaction1559Signer().SignTransaction(key.SecretKey, unsigned));
            var theirs = TransactionFactory.CreateTransaction(raw);

            var decoded = TransactionCodec.Decode(raw);
            var ours = EthTransactionCodec.SignDynamicFee(key, f.ChainId, f.Nonce, f.Tip, f.MaxFee, f.GasLimit, f.To, f.Value, f.Data);

            Assert.Equal(TxFormat.EthDynamicFee, decoded.Format);
            Assert.Equal(key.Address, decoded.Sender);
            Assert.Equal(Hash32.FromBytes(theirs.Hash), decoded.Hash);
            Assert.Equal((f.ChainId, f.Nonce, f.Tip, f.MaxFee, f.GasLimit, f.To, f.Value), (decoded.EthChainId, decoded.Nonce, decoded.PriorityFeePerGas, decoded.GasPrice, decoded.GasLimit, decoded.Recipient, decoded.Value));
            Assert.Equal(f.Data, decoded.Data);
            Assert.Equal(raw, ours.Encoded);
        });

    // Nethereum recovers with BouncyCastle's curve arithmetic, tens of milliseconds a key: fewer cases here.
    [Property(MaxTest = 25)]
    public Property Transactions_we_sign_decode_in_Nethereum_to_our_signer_and_fields() =>
        Prop.ForAll(Transfers(), f =>
        {
            var key = Keys[f.Key];
            var recovery = new TransactionVerificationAndRecoveryImp();
            foreach (var tx in new Transaction[]
                     {
                         EthTransactionCodec.SignLegacy(key, f.ChainId, f.Nonce, f.MaxFee, f.GasLimit, f.To, f.Value, f.Data),
                         EthTransactionCodec.SignDynamicFee(key, f.ChainId, f.Nonce, f.Tip, f.MaxFee, f.GasLimit, f.To, f.Value, f.Data),
                     })
            {
                var hex = Hex(tx.Encoded);
                Assert.Equal(key.Address, Address.Parse(recovery.GetSenderAddress(hex)));
                var theirs = TransactionFactory.CreateTransaction(hex);
                Assert.Equal(tx.Hash, Hash32.FromBytes(theirs.Hash));
                if (theirs is Transaction1559 dynamic)
                {
                    Assert.Equal(TxFormat.EthDynamicFee, tx.Format);
                    Assert.Equal(new BigInteger(f.ChainId), dynamic.ChainId);
                    Assert.Equal(new BigInteger(f.Nonce), dynamic.Nonce);
                    Assert.Equal(new BigInteger(f.Tip), dynamic.MaxPriorityFeePerGas);
                    Assert.Equal(new BigInteger(f.MaxFee), dynamic.MaxFeePerGas);
                    Assert.Equal(new BigInteger(f.GasLimit), dynamic.GasLimit);
                    Assert.Equal(f.To, Address.Parse(dynamic.ReceiverAddress));
                    Assert.Equal(Big(f.Value), dynamic.Amount);
                    Assert.Empty(dynamic.AccessList ?? []);
                }
                else
                {
                    var legacy = Assert.IsType<LegacyTransactionChainId>(theirs);
                    Assert.Equal(TxFormat.EthLegacy, tx.Format);
                    Assert.Equal(new BigInteger(f.ChainId), legacy.GetChainIdAsBigInteger());
                    Assert.Equal(f.To, Address.FromBytes(legacy.ReceiveAddress));
                    Assert.Equal(Big(f.Value), new BigInteger(legacy.Value, isUnsigned: true, isBigEndian: true));
                    Assert.Equal(new BigInteger(f.Nonce), new BigInteger(legacy.Nonce, isUnsigned: true, isBigEndian: true));
                }
            }
        });
}
