using ActorRollup.Core.Amm;
using ActorRollup.Core.Crypto;
using ActorRollup.Core.Execution;
using ActorRollup.Core.Primitives;
using ActorRollup.Core.State;
using ActorRollup.Core.Transactions;

namespace ActorRollup.Core.Tests.Execution;

/// <summary>Calls to the system addresses (PROTOCOL.md §12): swaps, TKN transfers, coinbase payments, failed calls.</summary>
public class SwapExecutionTests
{
    private const string ChainId = "swap-test";
    private static readonly ChainParameters Params = new() { ChainId = ChainId, MinGasPrice = 1_000 };
    private const ulong GasPrice = 1_000;
    private static readonly SigningKey Alice = TestKeys.Get(200);
    private static readonly SigningKey Bob = TestKeys.Get(201);
    private static readonly UInt128 E18 = 1_000_000_000_000_000_000UL;
    private static readonly ulong CallGas = ChainParameters.IntrinsicGas(AmmCodec.SwapLength);
    private static readonly UInt128 CallFee = (UInt128)CallGas * GasPrice;

    private static StateTree Pre() => Genesis.BuildState([
        new GenesisAccount(Alice.Address, 100 * E18, 50 * E18),
        new GenesisAccount(Bob.Address, 100 * E18),
        new GenesisAccount(SystemAddresses.Pool, 5 * E18, 10 * E18),
    ]);

    private static Transaction Call(SigningKey from, Address to, AmmCall call, ulong nonce, UInt128 value = default) =>
        Transaction.Create(from, ChainId, to, value, nonce, GasPrice, CallGas, AmmCodec.Encode(call));

    [Fact]
    public void A_swap_moves_both_balances_and_the_reserves_exactly_as_Uniswap()
    {
        var pre = Pre();
        var output = UInt128.Parse("1662497915624478906"); // Uniswap v2's getInputPrice case 0: 1 in, reserves 5/10
        var result = BlockExecutor.Execute(pre, [Call(Alice, SystemAddresses.Pool, AmmCall.Swap(Asset.Native, E18, output), 0)], null, Params);
        Assert.True(result.AllSucceeded);
        Assert.Equal(output, result.Receipts[0].AmountOut);
        Assert.Equal(CallFee, result.TotalFees);
        Assert.Equal(new Account(1, 100 * E18 - E18 - CallFee, 50 * E18 + output), result.PostState.Get(Alice.Address));
        Assert.Equal(new Account(0, 6 * E18, 10 * E18 - output), result.PostState.Get(SystemAddresses.Pool));
        Assert.Equal(Genesis.TotalTokens(pre), Genesis.TotalTokens(result.PostState));
        Assert.Equal(Genesis.TotalBalance(pre), Genesis.TotalBalance(result.PostState) + result.TotalFees);
    }

    [Fact]
    public void A_swap_of_TKN_pays_native_out()
    {
        var output = UInt128.Parse("453305446940074565"); // case 1 turned round: 1 TKN in against 10 TKN / 5 native
        var pre = Genesis.BuildState([new GenesisAccount(Alice.Address, 100 * E18, 50 * E18), new GenesisAccount(SystemAddresses.Pool, 5 * E18, 10 * E18)]);
        var result = BlockExecutor.Execute(pre, [Call(Alice, SystemAddresses.Pool, AmmCall.Swap(Asset.Token, E18, 1), 0)], null, Params);
        Assert.True(result.AllSucceeded);
        Assert.Equal(output, result.Receipts[0].AmountOut);
        Assert.Equal(new Account(1, 100 * E18 - CallFee + output, 49 * E18), result.PostState.Get(Alice.Address));
    }

    public static TheoryData<string, ExecutionOutcome> FailedCalls() => new()
    {
        { "below-minimum", ExecutionOutcome.SlippageExceeded },
        { "native-not-held", ExecutionOutcome.InsufficientTokens },
        { "tkn-not-held", ExecutionOutcome.InsufficientTokens },
        { "bad-selector", ExecutionOutcome.BadCall },
        { "value-to-pool", ExecutionOutcome.BadCall },
        { "zero-amount", ExecutionOutcome.BadCall },
        { "transfer-to-pool", ExecutionOutcome.BadCall },
        { "plain-transfer-to-token", ExecutionOutcome.BadCall },
        { "rounds-to-zero", ExecutionOutcome.InsufficientLiquidity },
    };

    [Theory]
    [MemberData(nameof(FailedCalls))]
    public void A_failed_call_stays_in_the_block_with_its_reason_pays_its_fee_and_moves_nothing_else(string @case, ExecutionOutcome expected)
    {
        var pre = Pre();
        var tx = @case switch
        {
            "below-minimum" => Call(Alice, SystemAddresses.Pool, AmmCall.Swap(Asset.Native, E18, UInt128.Parse("1662497915624478907")), 0),
            "native-not-held" => Call(Alice, SystemAddresses.Pool, AmmCall.Swap(Asset.Native, 100 * E18, 0), 0), // the fee came first
            "tkn-not-held" => Call(Bob, SystemAddresses.Pool, AmmCall.Swap(Asset.Token, 1, 0), 0),
            "bad-selector" => Transaction.Create(Alice, ChainId, SystemAddresses.Pool, 0, 0, GasPrice, CallGas, new byte[AmmCodec.SwapLength]),
            "value-to-pool" => Call(Alice, SystemAddresses.Pool, AmmCall.Swap(Asset.Native, E18, 0), 0, value: 1),
            "zero-amount" => Call(Alice, SystemAddresses.Pool, AmmCall.Swap(Asset.Native, 0, 0), 0),
            "transfer-to-pool" => Call(Alice, SystemAddresses.Token, AmmCall.TokenTransfer(SystemAddresses.Pool, E18), 0),
            "plain-transfer-to-token" => Transaction.Create(Alice, ChainId, SystemAddresses.Token, E18, 0, GasPrice, CallGas),
            "rounds-to-zero" => Call(Alice, SystemAddresses.Pool, AmmCall.Swap(Asset.Token, 1, 0), 0), // ⌊997·5e18 / (10e18·1000 + 997)⌋ = 0
            _ => throw new ArgumentOutOfRangeException(nameof(@case)),
        };
        var sender = pre.Get(tx.Sender);
        var result = BlockExecutor.Execute(pre, [tx], null, Params);
        var receipt = result.Receipts[0];
        Assert.Equal(expected, receipt.Outcome);
        Assert.True(receipt.Included);   // in the block …
        Assert.False(receipt.Succeeded); // … with its effect excluded
        Assert.True(ExecutionOutcomes.IsCallFailure(receipt.Outcome));
        var fee = (UInt128)tx.IntrinsicGas * GasPrice;
        Assert.Equal(fee, receipt.Fee);
        Assert.Equal(UInt128.Zero, receipt.AmountOut);
        Assert.Equal(sender with { Nonce = sender.Nonce + 1, Balance = sender.Balance - fee }, result.PostState.Get(tx.Sender));
        Assert.Equal(pre.Get(SystemAddresses.Pool), result.PostState.Get(SystemAddresses.Pool));
        Assert.Equal(Genesis.TotalTokens(pre), Genesis.TotalTokens(result.PostState));
    }

    [Fact]
    public void A_failed_call_does_not_block_the_senders_next_nonce()
    {
        var pre = Pre();
        var result = BlockExecutor.Execute(pre, [
            Call(Alice, SystemAddresses.Pool, AmmCall.Swap(Asset.Native, E18, 10 * E18), 0), // fails: below minimum
            Call(Alice, SystemAddresses.Pool, AmmCall.Swap(Asset.Native, E18, 0), 1),
        ], null, Params);
        Assert.Equal(ExecutionOutcome.SlippageExceeded, result.Receipts[0].Outcome);
        Assert.Equal(ExecutionOutcome.Included, result.Receipts[1].Outcome);
        Assert.True(result.AllIncluded);
        Assert.False(result.AllSucceeded);
        Assert.Equal(2UL, result.PostState.Get(Alice.Address).Nonce);
    }

    [Fact]
    public void A_swap_without_the_fee_is_excluded_like_any_transaction()
    {
        var poor = TestKeys.Get(202);
        var pre = Pre().Set(poor.Address, new Account(0, CallFee - 1, E18));
        var result = BlockExecutor.Execute(pre, [Call(poor, SystemAddresses.Pool, AmmCall.Swap(Asset.Token, 1, 0), 0)], null, Params);
        Assert.Equal(ExecutionOutcome.InsufficientBalance, result.Receipts[0].Outcome);
        Assert.False(result.Receipts[0].Included);
        Assert.Same(pre, result.PostState);
    }

    [Fact]
    public void A_TKN_transfer_moves_TKN_only()
    {
        var pre = Pre();
        var result = BlockExecutor.Execute(pre, [Call(Alice, SystemAddresses.Token, AmmCall.TokenTransfer(Bob.Address, 3 * E18), 0)], null, Params);
        Assert.True(result.AllSucceeded);
        var fee = (UInt128)ChainParameters.IntrinsicGas(AmmCodec.TransferLength) * GasPrice;
        Assert.Equal(new Account(1, 100 * E18 - fee, 47 * E18), result.PostState.Get(Alice.Address));
        Assert.Equal(new Account(0, 100 * E18, 3 * E18), result.PostState.Get(Bob.Address));
    }

    [Fact]
    public void A_coinbase_payment_joins_the_blocks_fees()
    {
        var pre = Pre();
        var tx = Transaction.Create(Bob, ChainId, SystemAddresses.Coinbase, 7 * E18, 0, GasPrice);
        var result = BlockExecutor.Execute(pre, [tx], null, Params);
        Assert.True(result.AllSucceeded);
        Assert.Equal(7 * E18 + 21_000UL * GasPrice, result.TotalFees);
        Assert.Equal(7 * E18, result.ProposerPayments);
        Assert.Equal(Account.Empty, result.PostState.Get(SystemAddresses.Coinbase)); // it leaves L2 with the fees
        Assert.Equal(Genesis.TotalBalance(pre), Genesis.TotalBalance(result.PostState) + result.TotalFees);

        var empty = BlockExecutor.Execute(pre, [Transaction.Create(Bob, ChainId, SystemAddresses.Coinbase, 0, 0, GasPrice)], null, Params);
        Assert.Equal(ExecutionOutcome.InvalidPayment, empty.Receipts[0].Outcome);
        Assert.False(empty.Receipts[0].Included);
    }

    [Fact]
    public void An_account_without_TKN_hashes_as_before_and_one_with_TKN_differently()
    {
        var plain = StateTree.Empty.Set(Alice.Address, new Account(3, 5));
        var withZero = StateTree.Empty.Set(Alice.Address, new Account(3, 5, 0));
        var withTkn = StateTree.Empty.Set(Alice.Address, new Account(3, 5, 1));
        Assert.Equal(plain.Root, withZero.Root);
        Assert.NotEqual(plain.Root, withTkn.Root);
    }

    [Fact]
    public void Admission_checks_calls_and_holds_both_balances()
    {
        var account = new Account(0, 100 * E18, 50 * E18);
        var swapNative = Call(Alice, SystemAddresses.Pool, AmmCall.Swap(Asset.Native, 60 * E18, 0), 0);
        Assert.Equal(AdmissionReason.Ok, TransactionRules.CheckStateless(swapNative, Params, verifySignature: true));
        Assert.Equal((60 * E18 + (UInt128)CallGas * GasPrice, UInt128.Zero), TransactionRules.CostOf(swapNative));
        Assert.Equal(AdmissionReason.Ok, TransactionRules.CheckSender(swapNative, account, false, 0, 16));
        Assert.Equal(AdmissionReason.InsufficientBalance, TransactionRules.CheckSender(swapNative, account, false, 40 * E18, 16));

        var swapTkn = Call(Alice, SystemAddresses.Pool, AmmCall.Swap(Asset.Token, 30 * E18, 0), 0);
        Assert.Equal(AdmissionReason.Ok, TransactionRules.CheckSender(swapTkn, account, false, 0, 16, pendingTokens: 20 * E18));
        Assert.Equal(AdmissionReason.InsufficientTokens, TransactionRules.CheckSender(swapTkn, account, false, 0, 16, pendingTokens: 20 * E18 + 1));
        Assert.Equal(AdmissionReason.InsufficientTokens, TransactionRules.CheckAgainstAccount(swapTkn, account with { Tokens = 1 }));

        Assert.Equal(AdmissionReason.InvalidCall, TransactionRules.CheckStateless(Call(Alice, SystemAddresses.Pool, AmmCall.Swap(Asset.Native, 1, 0), 0, value: 1), Params, true));
        Assert.Equal(AdmissionReason.InvalidCall, TransactionRules.CheckStateless(Call(Alice, SystemAddresses.Pool, AmmCall.Swap(Asset.Native, 0, 0), 0), Params, true));
        Assert.Equal(AdmissionReason.InvalidCall, TransactionRules.CheckStateless(Transaction.Create(Alice, ChainId, SystemAddresses.Pool, 0, 0, GasPrice, CallGas), Params, true));
        Assert.Equal(AdmissionReason.InvalidCall, TransactionRules.CheckStateless(Transaction.Create(Alice, ChainId, SystemAddresses.Coinbase, 0, 0, GasPrice), Params, true));
        Assert.Equal(AdmissionReason.Ok, TransactionRules.CheckStateless(Transaction.Create(Alice, ChainId, SystemAddresses.Coinbase, 1, 0, GasPrice), Params, true));
        Assert.Equal(AdmissionReason.InvalidCall, TransactionRules.CheckStateless(
            Transaction.Create(Alice, ChainId, Address.Parse("0x000000000000000000000000000000000000a0ff"), 1, 0, GasPrice), Params, true));
    }

    [Fact]
    public void An_ethereum_swap_executes_like_a_native_one()
    {
        var eth = EthKey.Derive("swap-test", 0);
        var chain = Params;
        var pre = Genesis.BuildState([new GenesisAccount(eth.Address, 100 * E18, 0), new GenesisAccount(SystemAddresses.Pool, 5 * E18, 10 * E18)]);
        var data = AmmCodec.Encode(AmmCall.Swap(Asset.Native, E18, 1));
        var tx = EthTransactionCodec.SignDynamicFee(eth, chain.EthChainId, 0, maxPriorityFeePerGas: 0, maxFeePerGas: GasPrice, CallGas, SystemAddresses.Pool, 0, data);
        var result = BlockExecutor.Execute(pre, [tx], null, chain);
        Assert.True(result.AllSucceeded);
        Assert.Equal(UInt128.Parse("1662497915624478906"), result.PostState.Get(eth.Address).Tokens);
    }
}
