namespace ActorRollup.Core.Transactions;

/// <summary>
/// Why a transaction is refused admission (PROTOCOL.md §2). Stable numeric codes: clients and metrics use them.
/// </summary>
public enum AdmissionReason
{
    Ok = 0,
    /// <summary>The bytes decode as neither a version-1 transaction nor a canonical Ethereum one.</summary>
    BadEncoding = 1,
    /// <summary>The signature is not the sender's over the signing payload.</summary>
    BadSignature = 2,
    /// <summary>The transaction names another chain (replay protection).</summary>
    WrongChain = 3,
    /// <summary>Gas price (an EIP-1559 fee cap) below the chain's minimum, which is its base fee.</summary>
    GasPriceTooLow = 4,
    /// <summary>The nonce is below the sender's account nonce, or another admitted transaction holds it.</summary>
    NonceUsed = 5,
    /// <summary>Balance below value + gasLimit × gasPrice.</summary>
    InsufficientBalance = 6,
    /// <summary>A transaction with this hash is already admitted or committed.</summary>
    Duplicate = 7,
    /// <summary>The encoding is longer than the chain's maximum transaction size.</summary>
    TooLarge = 8,
    /// <summary>The mempool is at capacity (back-pressure: retry later).</summary>
    MempoolFull = 9,
    /// <summary>Gas limit below the gas the transaction needs (21,000 + 16 per data byte).</summary>
    GasLimitTooLow = 10,
    /// <summary>value + gasLimit × gasPrice does not fit in 128 bits.</summary>
    AmountOverflow = 11,
    /// <summary>The nonce is too far ahead of the sender's account nonce for the mempool to hold.</summary>
    NonceTooFarAhead = 12,
    /// <summary>An Ethereum transaction of a kind the chain does not take: type 1, 3 or 4, an access list, contract creation.</summary>
    Unsupported = 13,
    /// <summary>A transaction to a system address (the pool, the token) that is not a call the address takes: wrong
    /// selector or length, value ≠ 0, a zero amount, an unknown token, a token transfer to a system address (PROTOCOL.md §12).</summary>
    InvalidCall = 14,
    /// <summary>The sender's second-token balance does not cover this swap or token transfer and its pending ones.</summary>
    InsufficientTokens = 15,
}
