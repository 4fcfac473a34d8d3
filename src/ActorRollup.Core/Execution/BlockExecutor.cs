using ActorRollup.Core.Amm;
using ActorRollup.Core.Primitives;
using ActorRollup.Core.State;
using ActorRollup.Core.Transactions;

namespace ActorRollup.Core.Execution;

/// <summary>
/// Applies an ordered list of transactions to a state (PROTOCOL.md §2, calls §12): for each, in order, the nonce must
/// equal the account nonce and the balance must cover value + fee (fee = gas used × effective gas price,
/// <see cref="Transaction.EffectiveGasPrice"/> under the chain's base fee); then the sender is debited value + fee, the
/// recipient credited, the nonce advanced. A transaction that fails those checks is not included and changes nothing.
/// A transfer to <see cref="SystemAddresses.Coinbase"/> pays the block's proposer: its value joins the block's fees. Any other
/// transaction to a system address (<see cref="SystemAddresses"/>) is a call — a swap with the pool, a transfer of
/// the second token — that pays its fee and uses its nonce, and whose effect is applied only when it succeeds (a failed
/// call's receipt names the reason, <see cref="ExecutionOutcomes.IsCallFailure"/>). The block's fees are credited to
/// the fee recipient after the last transaction; with no fee recipient they leave the L2 state (the chain bridges them
/// to the proposer's L1 staking pool, PROTOCOL.md §5).
/// Signatures are not checked here: that is admission's and validation's job, done once, in parallel.
/// Pure and deterministic: the same pre-state and transactions give the same post-state, receipts and fees.
/// </summary>
public static class BlockExecutor
{
    public static ExecutionResult Execute(StateTree preState, IReadOnlyList<Transaction> transactions, Address? feeRecipient, ChainParameters chain)
    {
        ArgumentNullException.ThrowIfNull(preState);
        ArgumentNullException.ThrowIfNull(transactions);
        ArgumentNullException.ThrowIfNull(chain);
        var touched = new Dictionary<Address, Account>(transactions.Count * 2 + 1);
        var receipts = new Receipt[transactions.Count];
        UInt128 totalFees = 0, payments = 0;
        int included = 0;

        Account Load(in Address address) =>
            touched.TryGetValue(address, out var account) ? account : preState.Get(address);

        for (int i = 0; i < transactions.Count; i++)
        {
            var tx = transactions[i];
            var outcome = Apply(tx, chain, Load, touched, out var amountOut, out var payment);
            receipts[i] = Receipt.Of(tx, outcome, chain.BaseFeePerGas, amountOut);
            if (!receipts[i].Included) continue;
            totalFees = checked(totalFees + receipts[i].Fee + payment);
            payments = checked(payments + payment);
            included++;
        }

        if (totalFees > 0 && feeRecipient is { } feeAccount)
        {
            var recipient = Load(feeAccount);
            if (UInt128.MaxValue - recipient.Balance < totalFees)
                throw new OverflowException("fee recipient balance would overflow 128 bits");
            touched[feeAccount] = recipient with { Balance = recipient.Balance + totalFees };
        }

        var touchedAddresses = touched.Keys.ToArray();
        Array.Sort(touchedAddresses);
        var postState = touched.Count == 0 ? preState : preState.SetMany(touchedAddresses.Select(a => new KeyValuePair<Address, Account>(a, touched[a])));
        return new ExecutionResult(postState, receipts, totalFees, included, touchedAddresses) { ProposerPayments = payments };
    }

    private delegate Account Loader(in Address address);

    private static ExecutionOutcome Apply(Transaction tx, ChainParameters chain, Loader load, Dictionary<Address, Account> touched, out UInt128 amountOut,
        out UInt128 proposerPayment)
    {
        amountOut = 0;
        proposerPayment = 0;
        if (!tx.IsForChain(chain)) return ExecutionOutcome.WrongChain;
        ulong gasUsed = tx.IntrinsicGas;
        if (tx.GasLimit < gasUsed) return ExecutionOutcome.GasLimitTooLow;

        var sender = load(tx.Sender);
        if (tx.Nonce < sender.Nonce) return ExecutionOutcome.NonceTooLow;
        if (tx.Nonce > sender.Nonce) return ExecutionOutcome.NonceTooHigh;

        UInt128 cost = Receipt.FeeOf(tx, chain.BaseFeePerGas);
        if (UInt128.MaxValue - tx.Value < cost || sender.Balance < tx.Value + cost) return ExecutionOutcome.InsufficientBalance;
        UInt128 debit = tx.Value + cost;

        if (tx.Recipient == SystemAddresses.Coinbase)
        {
            // A payment to the block's proposer (a builder's bid, a tip): it joins the block's fees, which the chain bridges
            // to the proposer's pool. Data must be empty and value positive (TransactionRules.IsValidCall).
            if (tx.Value == 0 || tx.Data.Length != 0) return ExecutionOutcome.InvalidPayment;
            touched[tx.Sender] = sender with { Nonce = sender.Nonce + 1, Balance = sender.Balance - debit };
            proposerPayment = tx.Value;
            return ExecutionOutcome.Included;
        }

        if (SystemAddresses.IsSystem(tx.Recipient))
        {
            // A call: the fee is paid and the nonce used whatever the call does.
            var paid = sender with { Nonce = sender.Nonce + 1, Balance = sender.Balance - cost };
            touched[tx.Sender] = paid;
            return Call(tx, paid, load, touched, out amountOut);
        }

        if (tx.Recipient == tx.Sender)
        {
            touched[tx.Sender] = sender with { Nonce = sender.Nonce + 1, Balance = sender.Balance - cost };
        }
        else
        {
            var recipient = load(tx.Recipient);
            if (UInt128.MaxValue - recipient.Balance < tx.Value) return ExecutionOutcome.BalanceOverflow;
            touched[tx.Sender] = sender with { Nonce = sender.Nonce + 1, Balance = sender.Balance - debit };
            touched[tx.Recipient] = recipient with { Balance = recipient.Balance + tx.Value };
        }
        return ExecutionOutcome.Included;
    }

    /// <summary>A call to a system address by <paramref name="sender"/>, whose fee is already paid (PROTOCOL.md §12).</summary>
    private static ExecutionOutcome Call(Transaction tx, Account sender, Loader load, Dictionary<Address, Account> touched, out UInt128 amountOut)
    {
        amountOut = 0;
        if (tx.Value != 0 || !AmmCodec.TryDecode(tx.Recipient, tx.Data, out var call) || call.Amount == 0) return ExecutionOutcome.BadCall;
        if (call.Kind == CallKind.TokenTransfer)
        {
            if (SystemAddresses.IsSystem(call.To)) return ExecutionOutcome.BadCall;
            if (sender.Tokens < call.Amount) return ExecutionOutcome.InsufficientTokens;
            if (call.To == tx.Sender) return ExecutionOutcome.Included;
            var to = load(call.To);
            if (UInt128.MaxValue - to.Tokens < call.Amount) return ExecutionOutcome.BadCall; // a revert: unreachable within a 128-bit supply
            touched[tx.Sender] = sender with { Tokens = sender.Tokens - call.Amount };
            touched[call.To] = to with { Tokens = to.Tokens + call.Amount };
            return ExecutionOutcome.Included;
        }

        var held = call.TokenIn == Asset.Native ? sender.Balance : sender.Tokens;
        if (held < call.Amount) return ExecutionOutcome.InsufficientTokens;
        var pool = load(SystemAddresses.Pool);
        var swap = ConstantProduct.Swap(new PoolReserves(pool.Balance, pool.Tokens), call.TokenIn, call.Amount, call.MinAmountOut);
        if (!swap.Succeeded) return swap.Outcome;
        var receiving = call.TokenIn == Asset.Native ? sender.Tokens : sender.Balance;
        if (UInt128.MaxValue - receiving < swap.AmountOut) return ExecutionOutcome.BadCall; // a revert: unreachable within a 128-bit supply
        var user = call.TokenIn == Asset.Native
            ? sender with { Balance = sender.Balance - call.Amount, Tokens = sender.Tokens + swap.AmountOut }
            : sender with { Tokens = sender.Tokens - call.Amount, Balance = sender.Balance + swap.AmountOut };
        touched[tx.Sender] = user;
        touched[SystemAddresses.Pool] = pool with { Balance = swap.Reserves.Native, Tokens = swap.Reserves.Tokens };
        amountOut = swap.AmountOut;
        return ExecutionOutcome.Included;
    }
}

/// <summary>The post-state, one receipt per transaction in order, what the proposer earns (<see cref="TotalFees"/>: the fees
/// of the included transactions — failed calls pay theirs too — and the payments sent to <see cref="SystemAddresses.Coinbase"/>),
/// how many belong in the block, and the accounts the block changed (sorted by address).</summary>
public sealed record ExecutionResult(StateTree PostState, IReadOnlyList<Receipt> Receipts, UInt128 TotalFees, int IncludedCount,
    IReadOnlyList<Address> TouchedAddresses)
{
    /// <summary>The part of <see cref="TotalFees"/> paid to the coinbase (builders' bids, tips) rather than as gas fees.</summary>
    public UInt128 ProposerPayments { get; init; }

    /// <summary>Every transaction belongs in the block (succeeded, or a failed call).</summary>
    public bool AllIncluded => IncludedCount == Receipts.Count;

    /// <summary>Every transaction succeeded with its full effect.</summary>
    public bool AllSucceeded => Receipts.All(r => r.Succeeded);
}
