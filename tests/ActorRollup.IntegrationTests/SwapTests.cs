using ActorRollup.Abstractions.Messages;
using ActorRollup.Core;
using ActorRollup.Core.Amm;
using ActorRollup.Core.Blocks;
using ActorRollup.Core.Execution;
using ActorRollup.Core.Primitives;
using ActorRollup.Core.Transactions;

namespace ActorRollup.IntegrationTests;

/// <summary>The second token and the pool through the whole pipeline (PROTOCOL.md §12): swaps in both formats, a failed
/// swap kept in its block with its reason, TKN transfers, refusals, a bad root over swaps rolled back, both supplies
/// conserved.</summary>
[Collection(ClusterCollection.Name)]
public sealed class SwapTests(ClusterFixture fixture)
{
    private static readonly ulong CallGas = ChainParameters.IntrinsicGas(AmmCodec.SwapLength);

    private static Transaction Swap(TestChain chain, int from, ulong nonce, Asset tokenIn, UInt128 amountIn, UInt128 minOut) =>
        Transaction.Create(chain.Account(from), chain.Id, SystemAddresses.Pool, 0, nonce, chain.Config.MinGasPrice, CallGas,
            AmmCodec.Encode(AmmCall.Swap(tokenIn, amountIn, minOut)));

    [Fact]
    public async Task Swaps_in_both_formats_and_a_failed_one_reach_finality_exactly_with_both_supplies_conserved()
    {
        var chain = await TestChain.Start(fixture.Client, "swap-flow", ethAccounts: 1, tkn: 1_000, poolNative: 100, poolTkn: 100_000);
        var rules = chain.Config.ToChainParameters();
        var eth = Genesis.LoadTestEthKeys(chain.Genesis.LoadTestSeed, 1)[0];
        var alice = chain.Account(0);
        var bob = chain.Account(1);
        var pool0 = (await chain.Chain.GetAccounts([SystemAddresses.Pool]))[0];
        Assert.Equal(new Account(0, Token.FromTokens(100), Token.FromTokens(100_000)), pool0);

        // One after the other (FCFS, one sender each): alice buys TKN, the Ethereum account sells TKN, bob's minimum is
        // out of reach (it fails), bob sends TKN to alice.
        var reserves = new PoolReserves(pool0.Balance, pool0.Tokens);
        var buy = Swap(chain, 0, 0, Asset.Native, Token.FromTokens(5), 1);
        var buyOut = ConstantProduct.Quote(reserves, Asset.Native, Token.FromTokens(5));
        reserves = reserves.After(Asset.Native, Token.FromTokens(5), buyOut);
        var sellData = AmmCodec.Encode(AmmCall.Swap(Asset.Token, Token.FromTokens(500), 1));
        var sell = EthTransactionCodec.SignDynamicFee(eth, rules.EthChainId, 0, maxPriorityFeePerGas: 0, maxFeePerGas: rules.BaseFeePerGas, CallGas,
            SystemAddresses.Pool, 0, sellData);
        var failing = Swap(chain, 1, 0, Asset.Native, Token.FromTokens(1), Token.FromTokens(1_000_000));
        var transferGas = ChainParameters.IntrinsicGas(AmmCodec.TransferLength);
        var tknTransfer = Transaction.Create(bob, chain.Id, SystemAddresses.Token, 0, 1, rules.MinGasPrice, transferGas,
            AmmCodec.Encode(AmmCall.TokenTransfer(alice.Address, Token.FromTokens(7))));

        foreach (var tx in new[] { buy, sell })
        {
            Assert.Equal(AdmissionReason.Ok, (await chain.Submit(tx))[0].Reason);
            await chain.WaitForLevel(tx.Hash, TxLevel.SoftConfirmed, seconds: 60);
        }
        var sellOut = ConstantProduct.Quote(reserves, Asset.Token, Token.FromTokens(500));
        reserves = reserves.After(Asset.Token, Token.FromTokens(500), sellOut);
        var results = await chain.Submit(failing, tknTransfer);
        Assert.All(results, r => Assert.Equal(AdmissionReason.Ok, r.Reason));
        foreach (var tx in new[] { buy, sell, failing, tknTransfer }) await chain.WaitForLevel(tx.Hash, TxLevel.Finalized, seconds: 60);

        UInt128 callFee = (UInt128)CallGas * rules.MinGasPrice, transferFee = (UInt128)transferGas * rules.MinGasPrice;
        var after = await chain.Chain.GetAccounts([alice.Address, bob.Address, eth.Address, SystemAddresses.Pool]);
        Assert.Equal(new Account(1, Token.FromTokens(1_000 - 5) - callFee, Token.FromTokens(1_007) + buyOut), after[0]);
        Assert.Equal(new Account(2, Token.FromTokens(1_000) - callFee - transferFee, Token.FromTokens(993)), after[1]); // failed swap: its fee only
        Assert.Equal(new Account(1, Token.FromTokens(1_000) - callFee + sellOut, Token.FromTokens(500)), after[2]);
        Assert.Equal(new Account(0, reserves.Native, reserves.Tokens), after[3]);

        var failed = await chain.Chain.GetTransaction(failing.Hash);
        Assert.NotNull(failed);
        Assert.Equal(ExecutionOutcome.SlippageExceeded, failed.Outcome);
        Assert.Equal(callFee, failed.Fee);
        Assert.Equal(ExecutionOutcome.Included, (await chain.Chain.GetTransaction(buy.Hash))!.Outcome);

        var validators = await Task.WhenAll(chain.Genesis.Validators.Select(v => chain.Validator(v.Id).GetView()));
        var finalHeight = (await chain.Chain.GetTransaction(tknTransfer.Hash))!.Height;
        Assert.All(validators, v => Assert.True(v.VerifiedHeight >= finalHeight));
        Assert.Empty(await chain.Chain.GetRollbacks());
        var audit = await chain.Chain.AuditSupply();
        Assert.True(audit.Conserved, $"supply: {audit}");
        Assert.Equal(Token.FromTokens(64 * 1_000 + 1_000 + 100_000), audit.GenesisTkn);
        Assert.Equal(audit.GenesisTkn, audit.TknBalances);
    }

    [Fact]
    public async Task Calls_the_pool_or_the_token_do_not_take_are_refused_with_reasons_and_change_nothing()
    {
        var chain = await TestChain.Start(fixture.Client, "swap-refuse", tkn: 10, poolNative: 100, poolTkn: 1_000);
        var rules = chain.Config.ToChainParameters();
        var sender = chain.Account(2);
        Transaction To(Address to, UInt128 value, byte[] data) => Transaction.Create(sender, chain.Id, to, value, 0, rules.MinGasPrice, CallGas, data);
        var results = await chain.Admission.Submit([
            To(SystemAddresses.Pool, 1, AmmCodec.Encode(AmmCall.Swap(Asset.Native, 1, 0))).Encoded,        // value to the pool
            To(SystemAddresses.Pool, 0, []).Encoded,                                                        // no call
            To(SystemAddresses.Pool, 0, AmmCodec.Encode(AmmCall.Swap(Asset.Token, 0, 0))).Encoded,          // zero amount
            To(SystemAddresses.Pool, 0, AmmCodec.Encode(AmmCall.Swap(Asset.Token, Token.FromTokens(11), 0))).Encoded, // TKN not held
            To(SystemAddresses.Pool, 0, AmmCodec.Encode(AmmCall.Swap(Asset.Native, Token.FromTokens(1_000), 0))).Encoded, // native not held
            To(Address.Parse("0x000000000000000000000000000000000000a0ee"), 5, []).Encoded,               // no such system call
        ]);
        Assert.Equal([AdmissionReason.InvalidCall, AdmissionReason.InvalidCall, AdmissionReason.InvalidCall,
            AdmissionReason.InsufficientTokens, AdmissionReason.InsufficientBalance, AdmissionReason.InvalidCall], results.Select(r => r.Reason));
        // Pending TKN inputs count: two swaps of 6 TKN from 10 held — the second is refused.
        var first = Transaction.Create(sender, chain.Id, SystemAddresses.Pool, 0, 0, rules.MinGasPrice, CallGas, AmmCodec.Encode(AmmCall.Swap(Asset.Token, Token.FromTokens(6), 0)));
        var second = Transaction.Create(sender, chain.Id, SystemAddresses.Pool, 0, 1, rules.MinGasPrice, CallGas, AmmCodec.Encode(AmmCall.Swap(Asset.Token, Token.FromTokens(6), 0)));
        var pair = await chain.Submit(first, second);
        Assert.Equal(AdmissionReason.Ok, pair[0].Reason);
        Assert.Equal(AdmissionReason.InsufficientTokens, pair[1].Reason);
        await chain.WaitForLevel(first.Hash, TxLevel.SoftConfirmed, seconds: 60);
        Assert.Equal(Token.FromTokens(4), (await chain.Chain.GetAccounts([sender.Address]))[0].Tokens);
        Assert.True((await chain.Chain.AuditSupply()).Conserved);
    }

    [Fact]
    public async Task A_wrong_root_over_swaps_is_rolled_back_and_the_swaps_are_executed_again_honestly()
    {
        var chain = await TestChain.Start(fixture.Client, "swap-rollback", tkn: 100, poolNative: 100, poolTkn: 10_000);
        await chain.WaitForHeight(2);
        var term = (await chain.Rotation.GetCurrent())!;
        await chain.Sequencer(term.LeaderId).InjectFault(new SequencerFault(SequencerFaultKind.WrongStateRoot));
        var swaps = Enumerable.Range(3, 4).Select(i => Swap(chain, i, 0, i % 2 == 0 ? Asset.Native : Asset.Token, Token.FromTokens(2), 1)).ToArray();
        Assert.All(await chain.Submit(swaps), r => Assert.Equal(AdmissionReason.Ok, r.Reason));

        var rollback = (await Poll.Until(() => chain.Chain.GetRollbacks(), r => r.Length > 0, TimeSpan.FromSeconds(40), "a rollback"))[0];
        Assert.Equal(BlockFault.StateRootMismatch, rollback.Violation);
        foreach (var tx in swaps) await chain.WaitForLevel(tx.Hash, TxLevel.Validated, seconds: 60);
        // Whatever the order the honest blocks took, the chain's state is the core's execution of them: the pool's
        // product only grew, every swap succeeded once, and the audit replay agrees with the chain.
        var pool = (await chain.Chain.GetAccounts([SystemAddresses.Pool]))[0];
        Assert.True((System.Numerics.BigInteger)pool.Balance * pool.Tokens > (System.Numerics.BigInteger)Token.FromTokens(100) * Token.FromTokens(10_000));
        foreach (var tx in swaps) Assert.Equal(ExecutionOutcome.Included, (await chain.Chain.GetTransaction(tx.Hash))!.Outcome);
        var senders = await chain.Chain.GetAccounts(swaps.Select(s => s.Sender).ToArray());
        Assert.All(senders, a => Assert.Equal(1UL, a.Nonce));
        var audit = await chain.Chain.AuditSupply();
        Assert.True(audit.Conserved, $"supply: {audit}");
    }
}
