using ActorRollup.Core.Crypto;
using ActorRollup.Core.Execution;
using ActorRollup.Core.Primitives;
using ActorRollup.Core.State;
using ActorRollup.Core.Transactions;

namespace ActorRollup.Core.Tests.Transactions;

public class EthTransactionTests
{
    // EIP-155's worked example (https://eips.ethereum.org/EIPS/eip-155, "Example"; CC0): key 0x46…46, nonce 9,
    // gas price 20 gwei, gas 21000, to 0x35…35, value 1 ether, chain id 1.
    private const string Eip155Raw = "0xf86c098504a817c800825208943535353535353535353535353535353535353535880de0b6b3a76400008025a028ef61340bd939bc2195fe537567866003e1a15d3c71ff63e1590620aa636276a067cbe9d8997f761aecb703304b3800ccf555c9f3dc64214b297fb1966a3b6d83";
    private static readonly EthKey Eip155Key = EthKey.Parse("0x4646464646464646464646464646464646464646464646464646464646464646");
    private static readonly Address To = Address.Parse("0x3535353535353535353535353535353535353535");

    private static byte[] Bytes(string hex) => Convert.FromHexString(hex.StartsWith("0x") ? hex[2..] : hex);

    [Fact]
    public void Eip155_example_decodes_to_its_published_sender_and_fields()
    {
        var tx = TransactionCodec.Decode(Bytes(Eip155Raw));
        Assert.Equal(TxFormat.EthLegacy, tx.Format);
        Assert.Equal(1UL, tx.EthChainId);
        Assert.Equal(9UL, tx.Nonce);
        Assert.Equal(20_000_000_000UL, tx.GasPrice);
        Assert.Equal(21_000UL, tx.GasLimit);
        Assert.Equal(To, tx.Recipient);
        Assert.Equal((UInt128)1_000_000_000_000_000_000, tx.Value);
        Assert.Equal(37UL, tx.SignatureV);
        Assert.Equal(Address.Parse("0x9d8a62f656a8d1615c1294fd71e9cfb3e4855a4f"), tx.Sender);
        Assert.Equal(Eip155Key.Address, tx.Sender);
        Assert.Equal(Keccak.Hash(Bytes(Eip155Raw)), tx.Hash);
        Assert.True(tx.VerifySignature());
    }

    [Fact]
    public void Signing_the_eip155_example_reproduces_its_bytes()
    {
        var tx = EthTransactionCodec.SignLegacy(Eip155Key, 1, 9, 20_000_000_000, 21_000, To, 1_000_000_000_000_000_000);
        Assert.Equal(Eip155Raw[2..], Convert.ToHexStringLower(tx.Encoded));
    }

    [Fact]
    public void Keccak_of_empty_input_is_the_published_constant() =>
        Assert.Equal("c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470", Keccak.Hash(ReadOnlySpan<byte>.Empty).ToHex());

    [Fact]
    public void Dynamic_fee_transactions_round_trip_and_recover_the_signer()
    {
        var key = EthKey.Derive("test", 7);
        var signed = EthTransactionCodec.SignDynamicFee(key, 4242, 3, 2_000_000_000, 30_000_000_000, 21_000, To, 12345);
        var decoded = TransactionCodec.Decode(signed.Encoded);
        Assert.Equal(TxFormat.EthDynamicFee, decoded.Format);
        Assert.Equal(key.Address, decoded.Sender);
        Assert.Equal(signed.Hash, decoded.Hash);
        Assert.Equal(30_000_000_000UL, decoded.GasPrice);
        Assert.Equal(2_000_000_000UL, decoded.PriorityFeePerGas);
        Assert.Equal(4242UL, decoded.EthChainId);
        Assert.Equal(EthTransactionCodec.DynamicFeeType, decoded.Encoded[0]);
    }

    [Fact]
    public void Effective_price_is_the_cap_or_base_plus_tip_whichever_is_lower()
    {
        var key = EthKey.Derive("test", 1);
        var tx = EthTransactionCodec.SignDynamicFee(key, 1, 0, maxPriorityFeePerGas: 2, maxFeePerGas: 10, 21_000, To, 1);
        Assert.Equal(5UL, tx.EffectiveGasPrice(3));   // base 3 + tip 2
        Assert.Equal(10UL, tx.EffectiveGasPrice(9));  // capped
        var legacy = EthTransactionCodec.SignLegacy(key, 1, 0, 7, 21_000, To, 1);
        Assert.Equal(7UL, legacy.EffectiveGasPrice(3));
    }

    [Fact]
    public void Admission_maps_ethereum_refusals_onto_the_native_reason_codes()
    {
        var chain = new ChainParameters { ChainId = "eth-test", EthChainId = 1, MinGasPrice = 1_000_000_000 };
        Assert.Equal(AdmissionReason.Ok, TransactionRules.CheckStateless(Bytes(Eip155Raw), chain, out var ok));
        Assert.NotNull(ok);
        var otherChain = chain with { EthChainId = 5 };
        Assert.Equal(AdmissionReason.WrongChain, TransactionRules.CheckStateless(Bytes(Eip155Raw), otherChain, out _));

        var key = EthKey.Derive("test", 2);
        var unprotected = Bytes(Eip155Raw);
        // The same transaction without EIP-155: v = 27.
        var pre155 = new Encoding.RlpWriter().UInt(9).UInt(20_000_000_000).UInt(21_000).String(To.ToArray())
            .UInt(1_000_000_000_000_000_000).String([]).UInt(27).UInt256(new byte[32] { 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 })
            .UInt(1).ToList();
        Assert.Equal(AdmissionReason.WrongChain, TransactionRules.CheckStateless(pre155, chain, out _));

        var cheap = EthTransactionCodec.SignDynamicFee(key, 1, 0, 0, 999_999_999, 21_000, To, 1);
        Assert.Equal(AdmissionReason.GasPriceTooLow, TransactionRules.CheckStateless(cheap.Encoded, chain, out _));

        var tooLittleGas = EthTransactionCodec.SignLegacy(key, 1, 0, 1_000_000_000, 20_999, To, 1);
        Assert.Equal(AdmissionReason.GasLimitTooLow, TransactionRules.CheckStateless(tooLittleGas.Encoded, chain, out _));

        // Flip one bit of s: the signature recovers another key or none; the sender can never be the signer.
        var tampered = (byte[])unprotected.Clone();
        tampered[^1] ^= 1;
        var reason = TransactionRules.CheckStateless(tampered, chain, out var forged);
        Assert.True(reason == AdmissionReason.BadSignature || forged!.Sender != Eip155Key.Address);

        // Type 1 (EIP-2930) and type 3 are not taken.
        Assert.Equal(AdmissionReason.Unsupported, TransactionRules.CheckStateless([0x01, 0xc0], chain, out _));
        Assert.Equal(AdmissionReason.Unsupported, TransactionRules.CheckStateless([0x03, 0xc0], chain, out _));
    }

    [Fact]
    public void High_s_signatures_are_refused_by_eip2()
    {
        var raw = Bytes(Eip155Raw);
        var tx = TransactionCodec.Decode(raw);
        // s' = n - s recovers the same key with the other parity: valid for ECDSA, refused by EIP-2.
        var n = System.Numerics.BigInteger.Parse("0FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141", System.Globalization.NumberStyles.HexNumber);
        var s = new System.Numerics.BigInteger(tx.Signature.AsSpan(32), isUnsigned: true, isBigEndian: true);
        var highS = (n - s).ToByteArray(isUnsigned: true, isBigEndian: true);
        var flipped = new Encoding.RlpWriter().UInt(9).UInt(20_000_000_000).UInt(21_000).String(To.ToArray())
            .UInt(1_000_000_000_000_000_000).String([]).UInt(38).UInt256(tx.Signature.AsSpan(0, 32)).UInt256(Pad32(highS)).ToList();
        var chain = new ChainParameters { ChainId = "eth-test", EthChainId = 1 };
        Assert.Equal(AdmissionReason.BadSignature, TransactionRules.CheckStateless(flipped, chain, out _));
    }

    [Fact]
    public void Another_chains_transaction_is_refused_for_its_chain_before_its_signature_is_judged()
    {
        // The EIP-155 example (chain 1) with r = 0: no key recovers. On chain 1 that is a bad signature; on chain 5 the
        // replay-protection check comes first (as in Ethereum clients, and without a recovery): a wrong chain.
        var zeroR = new Encoding.RlpWriter().UInt(9).UInt(20_000_000_000).UInt(21_000).String(To.ToArray())
            .UInt(1_000_000_000_000_000_000).String([]).UInt(37).UInt(0).UInt256(TransactionCodec.Decode(Bytes(Eip155Raw)).Signature.AsSpan(32)).ToList();
        Assert.Equal(AdmissionReason.BadSignature, TransactionRules.CheckStateless(zeroR, new ChainParameters { ChainId = "c", EthChainId = 1 }, out _));
        Assert.Equal(AdmissionReason.WrongChain, TransactionRules.CheckStateless(zeroR, new ChainParameters { ChainId = "c", EthChainId = 5 }, out _));
        // A legacy v below 35 other than 27/28 carries no chain id at all: a wrong chain too (ethereum/tests: INVALID_CHAINID).
        foreach (ulong v in new ulong[] { 0, 1, 26, 29, 34 })
        {
            var raw = new Encoding.RlpWriter().UInt(9).UInt(20_000_000_000).UInt(21_000).String(To.ToArray())
                .UInt(1).String([]).UInt(v).UInt(1).UInt(1).ToList();
            Assert.Equal(AdmissionReason.WrongChain, TransactionRules.CheckStateless(raw, new ChainParameters { ChainId = "c", EthChainId = 1 }, out _));
        }
    }

    [Theory]
    [InlineData(9)]
    [InlineData(32)]
    [InlineData(33)]
    [InlineData(40)]
    public void A_price_too_wide_for_the_chain_is_an_overflow_however_wide(int width)
    {
        var wide = new byte[width];
        wide[0] = 1;
        var raw = new Encoding.RlpWriter().UInt(9).String(wide).UInt(21_000).String(To.ToArray())
            .UInt(1).String([]).UInt(37).UInt(1).UInt(1).ToList();
        Assert.Equal(AdmissionReason.AmountOverflow, TransactionRules.CheckStateless(raw, new ChainParameters { ChainId = "c", EthChainId = 1 }, out _));
    }

    [Fact]
    public void The_nonce_two_to_the_64_minus_one_is_refused_by_eip2681()
    {
        var key = EthKey.Derive("test", 4);
        var chain = new ChainParameters { ChainId = "c", EthChainId = 1, MinGasPrice = 1 };
        var last = EthTransactionCodec.SignLegacy(key, 1, EthTransactionCodec.MaxNonce, 1, 21_000, To, 1);
        Assert.Equal(AdmissionReason.Ok, TransactionRules.CheckStateless(last.Encoded, chain, out _));
        Assert.Throws<ArgumentOutOfRangeException>(() => EthTransactionCodec.SignLegacy(key, 1, ulong.MaxValue, 1, 21_000, To, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => EthTransactionCodec.SignDynamicFee(key, 1, ulong.MaxValue, 1, 1, 21_000, To, 1));
        var unsigned = new Encoding.RlpWriter().UInt(ulong.MaxValue).UInt(1).UInt(21_000).String(To.ToArray())
            .UInt(1).String([]).UInt(37).UInt(1).UInt(1).ToList();
        var error = Assert.Throws<Encoding.DecodeException>(() => TransactionCodec.Decode(unsigned));
        Assert.Equal(Encoding.DecodeError.InvalidField, error.Error);
        Assert.Contains("EIP-2681", error.Message);
    }

    private static byte[] Pad32(byte[] b)
    {
        var r = new byte[32];
        b.CopyTo(r, 32 - b.Length);
        return r;
    }

    [Fact]
    public void Both_formats_execute_in_one_block_and_fees_go_to_the_fee_recipient()
    {
        var chain = new ChainParameters { ChainId = "eth-exec", EthChainId = 77, MinGasPrice = 10 };
        var eth = EthKey.Derive("exec", 0);
        var native = SigningKey.Derive("exec", 0);
        var vault = Address.Parse("0x00000000000000000000000000000000000000fe");
        var pre = Genesis.BuildState([new GenesisAccount(eth.Address, 1_000_000_000), new GenesisAccount(native.Address, 1_000_000_000)]);
        var txs = new[]
        {
            EthTransactionCodec.SignDynamicFee(eth, 77, 0, maxPriorityFeePerGas: 3, maxFeePerGas: 100, 21_000, native.Address, 500),
            Transaction.Create(native, "eth-exec", eth.Address, 200, 0, 12),
            EthTransactionCodec.SignLegacy(eth, 77, 1, 15, 21_000, native.Address, 1),
        };
        var result = BlockExecutor.Execute(pre, txs, vault, chain);
        Assert.True(result.AllIncluded);
        UInt128 fees = 21_000 * (13 + 12 + 15);
        Assert.Equal(fees, result.TotalFees);
        Assert.Equal(fees, result.PostState.Get(vault).Balance);
        Assert.Equal(Genesis.TotalBalance(pre), Genesis.TotalBalance(result.PostState));
        Assert.Equal(2UL, result.PostState.Get(eth.Address).Nonce);
        // A transaction for another numeric chain id does not execute here.
        var foreign = EthTransactionCodec.SignLegacy(eth, 78, 2, 15, 21_000, native.Address, 1);
        Assert.Equal(ExecutionOutcome.WrongChain, BlockExecutor.Execute(result.PostState, [foreign], vault, chain).Receipts[0].Outcome);
    }

    [Fact]
    public void Derived_eth_chain_ids_are_stable_distinct_and_javascript_safe()
    {
        var a = ChainParameters.DeriveEthChainId("rollup-1");
        Assert.Equal(a, ChainParameters.DeriveEthChainId("rollup-1"));
        Assert.NotEqual(a, ChainParameters.DeriveEthChainId("rollup-2"));
        Assert.InRange(a, 1UL, ChainParameters.MaxEthChainId);
        Assert.Equal(a, new ChainParameters { ChainId = "rollup-1" }.EthChainId);
        Assert.Equal(9UL, new ChainParameters { ChainId = "rollup-1", EthChainId = 9 }.EthChainId);
    }

    [Fact]
    public void Derived_eth_keys_are_deterministic() =>
        Assert.Equal(EthKey.Derive("seed", 3).Address, EthKey.Derive("seed", 3).Address);
}
