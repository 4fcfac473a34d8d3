namespace ActorRollup.Core.Execution;

/// <summary>What executing one transaction did (PROTOCOL.md §2, "Execution"; calls §12). Stable numeric codes.</summary>
public enum ExecutionOutcome
{
    /// <summary>Executed: debited, credited, nonce advanced, fee paid.</summary>
    Included = 0,
    /// <summary>Nonce below the account nonce: can never execute; drop it.</summary>
    NonceTooLow = 1,
    /// <summary>Nonce above the account nonce: an earlier nonce is missing; it may execute later.</summary>
    NonceTooHigh = 2,
    /// <summary>Balance below value + fee at this point of the block.</summary>
    InsufficientBalance = 3,
    /// <summary>The transaction names another chain.</summary>
    WrongChain = 4,
    /// <summary>Gas limit below the gas the transaction uses.</summary>
    GasLimitTooLow = 5,
    /// <summary>Crediting the recipient would overflow 128 bits.</summary>
    BalanceOverflow = 6,
    /// <summary>A payment to the coinbase without value or with data (never included: it is not a call).</summary>
    InvalidPayment = 11,

    // Failed calls (PROTOCOL.md §12): the call's effect is excluded — no token moves, the pool's reserves stay — but, like
    // a reverted call on Ethereum, the transaction stays in the block: its nonce is used and its gas paid, so a failing
    // call is neither free to repeat nor stuck in the mempool. Its receipt names the reason.

    /// <summary>The swap's output is below the sender's <c>minAmountOut</c>.</summary>
    SlippageExceeded = 7,
    /// <summary>The sender holds less of the swap's (or token transfer's) input than the amount, after the fee.</summary>
    InsufficientTokens = 8,
    /// <summary>The pool cannot pay: a reserve is empty, the output rounds to 0, or a reserve would pass 2^112 − 1.</summary>
    InsufficientLiquidity = 9,
    /// <summary>A transaction to a system address that is not a call it takes (wrong selector or length, value ≠ 0,
    /// a zero amount, an unknown token, a token transfer to a system address, a credit that would pass 128 bits).</summary>
    BadCall = 10,
}

/// <summary>How the outcomes group.</summary>
public static class ExecutionOutcomes
{
    /// <summary>A failed call: in the block (nonce used, gas paid) with its effect excluded.</summary>
    public static bool IsCallFailure(ExecutionOutcome outcome) => outcome is >= ExecutionOutcome.SlippageExceeded and <= ExecutionOutcome.BadCall;

    /// <summary>Whether a transaction with this outcome belongs in a block: it succeeded, or it is a failed call.</summary>
    public static bool InBlock(ExecutionOutcome outcome) => outcome == ExecutionOutcome.Included || IsCallFailure(outcome);
}

/// <summary>The receipt of one transaction in block order; <see cref="AmountOut"/> is what a successful swap paid out (0
/// otherwise).</summary>
public readonly record struct Receipt(Primitives.Hash32 TxHash, ExecutionOutcome Outcome, ulong GasUsed, UInt128 Fee, UInt128 AmountOut = default)
{
    /// <summary>It executed with its full effect.</summary>
    public bool Succeeded => Outcome == ExecutionOutcome.Included;

    /// <summary>It belongs in the block: it succeeded or is a failed call (nonce used, gas paid; <see cref="ExecutionOutcomes.InBlock"/>).</summary>
    public bool Included => ExecutionOutcomes.InBlock(Outcome);

    /// <summary>The fee an included <paramref name="tx"/> pays under <paramref name="baseFee"/> (PROTOCOL.md §2): the gas it
    /// uses (<see cref="Transactions.Transaction.IntrinsicGas"/>) × its effective gas price.</summary>
    public static UInt128 FeeOf(Transactions.Transaction tx, ulong baseFee) => (UInt128)tx.IntrinsicGas * tx.EffectiveGasPrice(baseFee);

    /// <summary>The receipt of <paramref name="tx"/> executed with <paramref name="outcome"/>: gas and fee when included,
    /// nothing otherwise (a transaction that fails execution changes nothing); a failed call uses its gas and pays its fee.</summary>
    public static Receipt Of(Transactions.Transaction tx, ExecutionOutcome outcome, ulong baseFee, UInt128 amountOut = default) => ExecutionOutcomes.InBlock(outcome)
        ? new Receipt(tx.Hash, outcome, tx.IntrinsicGas, FeeOf(tx, baseFee), outcome == ExecutionOutcome.Included ? amountOut : 0)
        : new Receipt(tx.Hash, outcome, 0, 0);
}
