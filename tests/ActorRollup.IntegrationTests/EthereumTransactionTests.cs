using ActorRollup.Abstractions.Messages;
using ActorRollup.Core.Blocks;
using ActorRollup.Core.Crypto;
using ActorRollup.Core.Primitives;
using ActorRollup.Core.Transactions;

namespace ActorRollup.IntegrationTests;

/// <summary>Ethereum-format transactions through the same admission, mempool, ordering, execution, validation and
/// supply audit as native ones (issue 13: a second encoding, not a second pipeline).</summary>
[Collection(ClusterCollection.Name)]
public sealed class EthereumTransactionTests(ClusterFixture fixture)
{
    [Fact]
    public async Task Legacy_and_eip1559_transfers_mix_with_native_ones_and_reach_finality_with_supply_conserved()
    {
        var chain = await TestChain.Start(fixture.Client, "eth-mix", c => c.Ordering = OrderingPolicy.FeePriority, ethAccounts: 3);
        var rules = chain.Config.ToChainParameters();
        var keys = Core.Execution.Genesis.LoadTestEthKeys(chain.Genesis.LoadTestSeed, 3);
        var baseFee = rules.BaseFeePerGas;
        var native = chain.Account(0);
        var before = await chain.Chain.GetAccounts([keys[0].Address, keys[1].Address, keys[2].Address, native.Address]);
        Assert.All(before, a => Assert.Equal(Token.FromTokens(1_000), a.Balance));
        var supplyBefore = (await chain.Status()).L2Supply;

        var dynamicFee = EthTransactionCodec.SignDynamicFee(keys[0], rules.EthChainId, 0, maxPriorityFeePerGas: 2_000_000_000,
            maxFeePerGas: 50_000_000_000, 21_000, keys[1].Address, Token.OneToken);
        var legacy = EthTransactionCodec.SignLegacy(keys[1], rules.EthChainId, 0, 3 * baseFee, 21_000, native.Address, 7);
        var toEth = chain.Transfer(0, 1, 5);   // native → native, then one native → Ethereum address below
        var nativeToEth = Transaction.Create(native, chain.Id, keys[2].Address, 11, 1, baseFee);
        var results = await chain.Submit(dynamicFee, legacy, toEth, nativeToEth);
        Assert.All(results, r => Assert.Equal(AdmissionReason.Ok, r.Reason));

        var statuses = new List<TxStatus>();
        foreach (var tx in new[] { dynamicFee, legacy, toEth, nativeToEth })
            statuses.Add(await chain.WaitForLevel(tx.Hash, TxLevel.Finalized, seconds: 60));

        var after = await chain.Chain.GetAccounts([keys[0].Address, keys[1].Address, keys[2].Address, native.Address]);
        UInt128 dynamicFeeCost = 21_000 * (UInt128)(baseFee + 2_000_000_000);   // effective price: base + tip, below the cap
        UInt128 legacyCost = 21_000 * (UInt128)(3 * baseFee);
        UInt128 nativeCost = 21_000 * (UInt128)baseFee;
        Assert.Equal(before[0].Balance - Token.OneToken - dynamicFeeCost, after[0].Balance);
        Assert.Equal(1UL, after[0].Nonce);
        Assert.Equal(before[1].Balance + Token.OneToken - 7 - legacyCost, after[1].Balance);
        Assert.Equal(before[2].Balance + 11, after[2].Balance);
        Assert.Equal(before[3].Balance + 7 - 5 - 11 - 2 * nativeCost, after[3].Balance);
        Assert.Equal(supplyBefore - dynamicFeeCost - legacyCost - 2 * nativeCost, (await chain.Status()).L2Supply);

        var validators = await Task.WhenAll(chain.Genesis.Validators.Select(v => chain.Validator(v.Id).GetView()));
        Assert.All(validators, v => Assert.True(v.VerifiedHeight >= statuses.Max(s => s.Height)));
        var audit = await chain.Chain.AuditSupply();
        Assert.True(audit.Conserved, $"supply: {audit}");
    }

    [Fact]
    public async Task Ethereum_refusals_keep_their_reason_codes_and_change_nothing()
    {
        var chain = await TestChain.Start(fixture.Client, "eth-refuse", ethAccounts: 2);
        var rules = chain.Config.ToChainParameters();
        var keys = Core.Execution.Genesis.LoadTestEthKeys(chain.Genesis.LoadTestSeed, 2);
        var to = keys[1].Address;
        var wrongChain = EthTransactionCodec.SignDynamicFee(keys[0], rules.EthChainId + 1, 0, 1, rules.BaseFeePerGas, 21_000, to, 1);
        var underpriced = EthTransactionCodec.SignDynamicFee(keys[0], rules.EthChainId, 0, 0, rules.BaseFeePerGas - 1, 21_000, to, 1);
        var tooMuch = EthTransactionCodec.SignLegacy(keys[0], rules.EthChainId, 0, rules.BaseFeePerGas, 21_000, to, Token.FromTokens(2_000));
        var good = EthTransactionCodec.SignLegacy(keys[0], rules.EthChainId, 0, rules.BaseFeePerGas, 21_000, to, 1);
        var tampered = (byte[])good.Encoded.Clone();
        tampered[^1] ^= 0x01;
        var results = await chain.Admission.Submit([wrongChain.Encoded, underpriced.Encoded, tooMuch.Encoded, [0x01, 0xc0], [0xc1, 0x80, 0x00]]);
        Assert.Equal(AdmissionReason.WrongChain, results[0].Reason);
        Assert.Equal(AdmissionReason.GasPriceTooLow, results[1].Reason);
        Assert.Equal(AdmissionReason.InsufficientBalance, results[2].Reason);
        Assert.Equal(AdmissionReason.Unsupported, results[3].Reason);
        Assert.Equal(AdmissionReason.BadEncoding, results[4].Reason);

        // A tampered signature either recovers no key (refused) or another key, whose empty account cannot pay.
        var forged = (await chain.Admission.Submit([tampered]))[0].Reason;
        Assert.True(forged is AdmissionReason.BadSignature or AdmissionReason.InsufficientBalance, $"tampered: {forged}");

        Assert.Equal(AdmissionReason.Ok, (await chain.Submit(good))[0].Reason);
        Assert.Equal(AdmissionReason.Duplicate, (await chain.Submit(good))[0].Reason);
        await chain.WaitForLevel(good.Hash, TxLevel.SoftConfirmed, seconds: 30);
        var account = (await chain.Chain.GetAccounts([keys[0].Address]))[0];
        Assert.Equal(1UL, account.Nonce);
    }
}
