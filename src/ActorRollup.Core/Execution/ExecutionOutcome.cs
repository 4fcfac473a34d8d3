namespace ActorRollup.Core.Execution;

/// <summary>What executing one transaction did (PROTOCOL.md §2, "Execution"). Stable numeric codes.</summary>
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
}

/// <summary>The receipt of one transaction in block order.</summary>
public readonly record struct Receipt(Primitives.Hash32 TxHash, ExecutionOutcome Outcome, ulong GasUsed, UInt128 Fee)
{
    public bool Included => Outcome == ExecutionOutcome.Included;

    /// <summary>The fee an included <paramref name="tx"/> pays under <paramref name="baseFee"/> (PROTOCOL.md §2): the gas it
    /// uses (<see cref="Transactions.Transaction.IntrinsicGas"/>) × its effective gas price.</summary>
    public static UInt128 FeeOf(Transactions.Transaction tx, ulong baseFee) => (UInt128)tx.IntrinsicGas * tx.EffectiveGasPrice(baseFee);

    /// <summary>The receipt of <paramref name="tx"/> executed with <paramref name="outcome"/>: gas and fee when included,
    /// nothing otherwise (a transaction that fails execution changes nothing).</summary>
    public static Receipt Of(Transactions.Transaction tx, ExecutionOutcome outcome, ulong baseFee) => outcome == ExecutionOutcome.Included
        ? new Receipt(tx.Hash, outcome, tx.IntrinsicGas, FeeOf(tx, baseFee))
        : new Receipt(tx.Hash, outcome, 0, 0);
}
