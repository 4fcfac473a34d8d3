using ActorRollup.Core.Primitives;
using ActorRollup.Core.State;
using ActorRollup.Core.Transactions;

namespace ActorRollup.Core.Execution;

/// <summary>
/// Applies an ordered list of transactions to a state (PROTOCOL.md §2): for each, in order, the nonce must equal
/// the account nonce and the balance must cover value + fee (fee = gas used × effective gas price,
/// <see cref="Transaction.EffectiveGasPrice"/> under the chain's base fee); then the sender is
/// debited value + fee, the recipient credited, the nonce advanced. A transaction that fails is not included
/// and changes nothing. The block's fees are credited to the fee recipient after the last transaction; with no
/// fee recipient they leave the L2 state (the chain bridges them to the proposer's L1 staking pool, PROTOCOL.md §5).
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
        UInt128 totalFees = 0;
        int included = 0;

        Account Load(in Address address) =>
            touched.TryGetValue(address, out var account) ? account : preState.Get(address);

        for (int i = 0; i < transactions.Count; i++)
        {
            var tx = transactions[i];
            var outcome = Apply(tx, chain, Load, touched);
            receipts[i] = Receipt.Of(tx, outcome, chain.BaseFeePerGas);
            if (outcome != ExecutionOutcome.Included) continue;
            totalFees = checked(totalFees + receipts[i].Fee);
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
        return new ExecutionResult(postState, receipts, totalFees, included, touchedAddresses);
    }

    private delegate Account Loader(in Address address);

    private static ExecutionOutcome Apply(Transaction tx, ChainParameters chain, Loader load, Dictionary<Address, Account> touched)
    {
        if (!tx.IsForChain(chain)) return ExecutionOutcome.WrongChain;
        ulong gasUsed = tx.IntrinsicGas;
        if (tx.GasLimit < gasUsed) return ExecutionOutcome.GasLimitTooLow;

        var sender = load(tx.Sender);
        if (tx.Nonce < sender.Nonce) return ExecutionOutcome.NonceTooLow;
        if (tx.Nonce > sender.Nonce) return ExecutionOutcome.NonceTooHigh;

        UInt128 cost = Receipt.FeeOf(tx, chain.BaseFeePerGas);
        if (UInt128.MaxValue - tx.Value < cost || sender.Balance < tx.Value + cost) return ExecutionOutcome.InsufficientBalance;
        UInt128 debit = tx.Value + cost;

        if (tx.Recipient == tx.Sender)
        {
            touched[tx.Sender] = new Account(sender.Nonce + 1, sender.Balance - cost);
        }
        else
        {
            var recipient = load(tx.Recipient);
            if (UInt128.MaxValue - recipient.Balance < tx.Value) return ExecutionOutcome.BalanceOverflow;
            touched[tx.Sender] = new Account(sender.Nonce + 1, sender.Balance - debit);
            touched[tx.Recipient] = recipient with { Balance = recipient.Balance + tx.Value };
        }
        return ExecutionOutcome.Included;
    }
}

/// <summary>The post-state, one receipt per transaction in order, the fees of the included ones, and the accounts
/// the block changed (sorted by address).</summary>
public sealed record ExecutionResult(StateTree PostState, IReadOnlyList<Receipt> Receipts, UInt128 TotalFees, int IncludedCount,
    IReadOnlyList<Address> TouchedAddresses)
{
    public bool AllIncluded => IncludedCount == Receipts.Count;
}
