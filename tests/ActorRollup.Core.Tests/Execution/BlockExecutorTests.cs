using ActorRollup.Core.Crypto;
using ActorRollup.Core.Execution;
using ActorRollup.Core.Primitives;
using ActorRollup.Core.State;
using ActorRollup.Core.Transactions;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace ActorRollup.Core.Tests.Execution;

public class BlockExecutorTests
{
    private const string ChainId = "exec-test";
    private static readonly ChainParameters Params = new() { ChainId = ChainId };
    private const ulong GasPrice = 1_000;
    private static readonly Address FeeVault = Address.Parse("0x00000000000000000000000000000000000fee00");
    private static readonly SigningKey Alice = TestKeys.Get(100);
    private static readonly SigningKey Bob = TestKeys.Get(101);
    private static readonly UInt128 Fee = 21_000UL * GasPrice;

    private static StateTree Funded(params (SigningKey Key, UInt128 Balance)[] accounts) =>
        Genesis.BuildState(accounts.Select(a => new GenesisAccount(a.Key.Address, a.Balance)));

    private static Transaction Pay(SigningKey from, SigningKey to, UInt128 value, ulong nonce, string chainId = ChainId, ulong gasLimit = 21_000) =>
        Transaction.Create(from, chainId, to.Address, value, nonce, GasPrice, gasLimit);

    [Fact]
    public void A_transfer_debits_value_plus_fee_credits_recipient_advances_nonce_and_pays_the_fee_recipient()
    {
        var pre = Funded((Alice, 100_000_000), (Bob, 5));
        var result = BlockExecutor.Execute(pre, [Pay(Alice, Bob, 100, 0)], FeeVault, Params);
        Assert.True(result.AllIncluded);
        Assert.Equal(new Account(1, 100_000_000 - 100 - Fee), result.PostState.Get(Alice.Address));
        Assert.Equal(new Account(0, 105), result.PostState.Get(Bob.Address));
        Assert.Equal(new Account(0, Fee), result.PostState.Get(FeeVault));
        Assert.Equal(Fee, result.TotalFees);
        Assert.Equal(new Receipt(result.Receipts[0].TxHash, ExecutionOutcome.Included, 21_000, Fee), result.Receipts[0]);
        Assert.NotEqual(pre.Root, result.PostState.Root);
    }

    public static TheoryData<string, ExecutionOutcome> FailureCases() => new()
    {
        { "nonce-low", ExecutionOutcome.NonceTooLow },
        { "nonce-high", ExecutionOutcome.NonceTooHigh },
        { "balance", ExecutionOutcome.InsufficientBalance },
        { "balance-fee", ExecutionOutcome.InsufficientBalance },
        { "chain", ExecutionOutcome.WrongChain },
        { "gas-limit", ExecutionOutcome.GasLimitTooLow },
    };

    [Theory]
    [MemberData(nameof(FailureCases))]
    public void A_failing_transaction_is_excluded_with_its_reason_and_changes_nothing(string @case, ExecutionOutcome expected)
    {
        var pre = Funded((Alice, 100_000_000), (Bob, 5)).Set(Alice.Address, new Account(3, 100_000_000));
        var tx = @case switch
        {
            "nonce-low" => Pay(Alice, Bob, 1, 2),
            "nonce-high" => Pay(Alice, Bob, 1, 4),
            "balance" => Pay(Alice, Bob, 100_000_000, 3),
            "balance-fee" => Pay(Alice, Bob, 100_000_000 - Fee + 1, 3),
            "chain" => Pay(Alice, Bob, 1, 3, chainId: "other-chain"),
            "gas-limit" => Pay(Alice, Bob, 1, 3, gasLimit: 20_000),
            _ => throw new ArgumentOutOfRangeException(nameof(@case)),
        };
        var result = BlockExecutor.Execute(pre, [tx], FeeVault, Params);
        Assert.Equal(expected, result.Receipts[0].Outcome);
        Assert.Equal(0, result.IncludedCount);
        Assert.Equal(pre.Root, result.PostState.Root);
        Assert.Equal(UInt128.Zero, result.TotalFees);
    }

    [Fact]
    public void Without_a_fee_recipient_the_fees_leave_the_L2_state_exactly()
    {
        var pre = Funded((Alice, 100_000_000), (Bob, 5));
        var result = BlockExecutor.Execute(pre, [Pay(Alice, Bob, 100, 0), Pay(Alice, Bob, 100, 1)], null, Params);
        Assert.Equal(2 * Fee, result.TotalFees);
        Assert.Equal(Genesis.TotalBalance(pre) - 2 * Fee, Genesis.TotalBalance(result.PostState));
        Assert.Equal(new[] { Alice.Address, Bob.Address }.Order(), result.TouchedAddresses);
    }

    [Fact]
    public void Exact_balance_for_value_plus_fee_is_enough()
    {
        var pre = Funded((Alice, 500 + Fee));
        var result = BlockExecutor.Execute(pre, [Pay(Alice, Bob, 500, 0)], FeeVault, Params);
        Assert.True(result.AllIncluded);
        Assert.Equal(new Account(1, 0), result.PostState.Get(Alice.Address));
    }

    [Fact]
    public void Transactions_apply_in_order_so_a_later_nonce_works_after_an_earlier_one_in_the_same_block()
    {
        var pre = Funded((Alice, 100_000_000));
        var inOrder = BlockExecutor.Execute(pre, [Pay(Alice, Bob, 1, 0), Pay(Alice, Bob, 1, 1)], FeeVault, Params);
        var reversed = BlockExecutor.Execute(pre, [Pay(Alice, Bob, 1, 1), Pay(Alice, Bob, 1, 0)], FeeVault, Params);
        Assert.Equal(2, inOrder.IncludedCount);
        Assert.Equal([ExecutionOutcome.NonceTooHigh, ExecutionOutcome.Included], reversed.Receipts.Select(r => r.Outcome));
    }

    [Fact]
    public void Bob_can_spend_what_he_received_earlier_in_the_block()
    {
        var pre = Funded((Alice, 100_000_000));
        var result = BlockExecutor.Execute(pre, [Pay(Alice, Bob, 30_000_000, 0), Pay(Bob, Alice, 5_000_000, 0)], FeeVault, Params);
        Assert.Equal(2, result.IncludedCount);
        Assert.Equal(new Account(1, 30_000_000 - 5_000_000 - Fee), result.PostState.Get(Bob.Address));
    }

    [Fact]
    public void A_self_transfer_pays_only_the_fee()
    {
        var pre = Funded((Alice, 100_000_000));
        var result = BlockExecutor.Execute(pre, [Pay(Alice, Alice, 999, 0)], FeeVault, Params);
        Assert.Equal(new Account(1, 100_000_000 - Fee), result.PostState.Get(Alice.Address));
    }

    [Fact]
    public void A_recipient_balance_overflow_is_refused_not_wrapped()
    {
        var pre = Funded((Alice, 100_000_000), (Bob, UInt128.MaxValue - 10));
        var result = BlockExecutor.Execute(pre, [Pay(Alice, Bob, 11, 0)], FeeVault, Params);
        Assert.Equal(ExecutionOutcome.BalanceOverflow, result.Receipts[0].Outcome);
        Assert.Equal(pre.Root, result.PostState.Root);
    }

    [Fact]
    public void Execution_is_deterministic()
    {
        var keys = Enumerable.Range(0, 20).Select(i => TestKeys.Get((ulong)(200 + i))).ToArray();
        var pre = Funded(keys.Select(k => (k, (UInt128)10_000_000_000UL)).ToArray());
        var txs = keys.Select((k, i) => Pay(k, keys[(i * 7 + 3) % keys.Length], (UInt128)(i * 1000), 0)).ToArray();
        var a = BlockExecutor.Execute(pre, txs, FeeVault, Params);
        var b = BlockExecutor.Execute(pre, txs, FeeVault, Params);
        Assert.Equal(a.PostState.Root, b.PostState.Root);
        Assert.Equal(a.Receipts, b.Receipts);
    }

    private static readonly SigningKey[] PropertyKeys = Enumerable.Range(0, 6).Select(i => TestKeys.Get((ulong)(300 + i))).ToArray();

    /// <summary>
    /// Conservation (PROTOCOL.md §5): execution moves tokens, it never creates or destroys them — for any block of
    /// random transfers (many failing), the total balance including the fee recipient is unchanged, and the fee
    /// recipient gains exactly the reported fees.
    /// </summary>
    [Property(MaxTest = 150)]
    public Property Execution_conserves_the_total_balance()
    {
        // Each generated int encodes one transfer: sender, recipient, nonce and value.
        var gen = Gen.Choose(0, int.MaxValue).ListOf()
            .Select(list => list.Select(x => (From: x % 6, To: x / 6 % 6, Nonce: (ulong)(x / 36 % 5), Value: (UInt128)(ulong)(x / 180 % 3_000_000))).ToArray());
        var balances = Gen.Choose(0, 4_000_000).ArrayOf(PropertyKeys.Length);
        return Prop.ForAll(Arb.From(balances), Arb.From(gen), (initial, ops) =>
        {
            var pre = Funded(PropertyKeys.Select((k, i) => (k, (UInt128)(ulong)initial[i])).ToArray());
            var txs = ops.Select(o => Pay(PropertyKeys[o.From], PropertyKeys[o.To], o.Value, o.Nonce)).ToArray();
            var result = BlockExecutor.Execute(pre, txs, FeeVault, Params);
            var feeVault = result.PostState.Get(FeeVault).Balance;
            return Genesis.TotalBalance(result.PostState) == Genesis.TotalBalance(pre)
                   && feeVault == result.TotalFees
                   && result.Receipts.Where(r => r.Included).Aggregate(UInt128.Zero, (s, r) => s + r.Fee) == result.TotalFees
                   && result.PostState.Root == StateTree.FromAccounts(result.PostState.Enumerate()).Root;
        });
    }
}
