using ActorRollup.Abstractions.Messages;
using ActorRollup.Core.Primitives;
using ActorRollup.Core.Transactions;

namespace ActorRollup.IntegrationTests;

[Collection(ClusterCollection.Name)]
public sealed class TransactionLifecycleTests(ClusterFixture fixture)
{
    [Fact]
    public async Task Transfers_go_from_admitted_to_soft_confirmed_validated_and_finalized_with_balances_and_supply_conserved()
    {
        var chain = await TestChain.Start(fixture.Client, "lifecycle");
        var before = await chain.Chain.GetAccounts([chain.Account(0).Address, chain.Account(1).Address, chain.Account(2).Address]);
        var supplyBefore = (await chain.Status()).L2Supply;

        var txs = new[] { chain.Transfer(0, 1, Token.OneToken), chain.Transfer(0, 2, 2 * Token.OneToken), chain.Transfer(1, 2, 5) };
        var results = await chain.Submit(txs);
        Assert.All(results, r => Assert.Equal(AdmissionReason.Ok, r.Reason));
        Assert.True(results[0].ArrivalSequence < results[1].ArrivalSequence);

        var final = new List<TxStatus>();
        foreach (var tx in txs) final.Add(await chain.WaitForLevel(tx.Hash, TxLevel.Finalized, seconds: 60));
        Assert.All(final, s =>
        {
            Assert.True(s.AdmittedAtMs > 0 && s.SoftConfirmedAtMs >= s.AdmittedAtMs, $"soft-confirmed after admission: {s}");
            Assert.True(s.ValidatedAtMs >= s.SoftConfirmedAtMs, $"validated after soft confirmation: {s}");
            Assert.True(s.FinalizedAtMs >= s.ValidatedAtMs, $"finalized after validation: {s}");
        });

        var after = await chain.Chain.GetAccounts([chain.Account(0).Address, chain.Account(1).Address, chain.Account(2).Address]);
        var fee = (UInt128)21_000 * chain.Config.MinGasPrice;
        Assert.Equal(before[0].Balance - 3 * Token.OneToken - 2 * fee, after[0].Balance);
        Assert.Equal(2UL, after[0].Nonce);
        Assert.Equal(before[1].Balance + Token.OneToken - 5 - fee, after[1].Balance);
        Assert.Equal(before[2].Balance + 2 * Token.OneToken + 5, after[2].Balance);
        // The fees left L2 for the proposers' L1 pools: L2 supply dropped by exactly the fees.
        Assert.Equal(supplyBefore - 3 * fee, (await chain.Status()).L2Supply);

        // Every validator re-executed to the same state root as the chain's.
        var head = await chain.Chain.GetHead();
        var block = await chain.Chain.GetBlock(final[0].Height);
        Assert.NotNull(block);
        Assert.Contains(txs[0].Hash, block!.TransactionHashes);
        Assert.True(block.SignedPower * 3 > block.CommitteePower * 2, "the block carries a quorum certificate");
        var validators = await Task.WhenAll(chain.Genesis.Validators.Select(v => chain.Validator(v.Id).GetView()));
        Assert.All(validators, v => Assert.True(v.VerifiedHeight >= final[0].Height));
        Assert.True(head.FinalizedHeight >= final.Max(s => s.Height));
        var audit = await chain.Chain.AuditSupply();
        Assert.True(audit.Conserved, $"supply: {audit}");
        Assert.True(audit.Minted > 0, "finalized blocks minted their rewards");
    }
}
