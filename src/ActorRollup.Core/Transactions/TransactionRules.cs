using ActorRollup.Core.Execution;

namespace ActorRollup.Core.Transactions;

/// <summary>
/// Admission checks (PROTOCOL.md §2). The stateless ones need only the bytes and the chain parameters; the
/// account ones need the sender's committed account. Cheap checks run first, the signature last — except that an
/// Ethereum transaction's sender is recovered while it is decoded, after its encoding and its chain id are checked.
/// </summary>
public static class TransactionRules
{
    /// <summary>Decodes and checks a transaction without any state. On <see cref="AdmissionReason.Ok"/>, <paramref name="tx"/> is set.</summary>
    public static AdmissionReason CheckStateless(ReadOnlySpan<byte> encoded, ChainParameters chain, out Transaction? tx, bool verifySignature = true)
    {
        tx = null;
        if (encoded.Length > chain.MaxTransactionBytes) return AdmissionReason.TooLarge;
        if (!TransactionCodec.TryDecode(encoded, out var decoded, out var error, chain.EthChainId)) return ReasonFor(error!);
        var reason = CheckStateless(decoded!, chain, verifySignature);
        if (reason == AdmissionReason.Ok) tx = decoded;
        return reason;
    }

    /// <summary>
    /// The admission reason of bytes that do not decode: an Ethereum transaction's decoding failures keep the reason
    /// codes the native format has (no EIP-155 chain id, or another chain's, is a wrong chain; a signature that
    /// recovers no key, has r or s out of range or a high s is a bad signature; an amount beyond the chain's widths an
    /// overflow); kinds the chain does not take are <see cref="AdmissionReason.Unsupported"/>; the rest is a bad
    /// encoding. Each published vector's outcome: tests/ActorRollup.Core.Tests/Vectors.
    /// </summary>
    public static AdmissionReason ReasonFor(Encoding.DecodeException error) => error.Error switch
    {
        Encoding.DecodeError.BadSignature => AdmissionReason.BadSignature,
        Encoding.DecodeError.NoChainId => AdmissionReason.WrongChain,
        Encoding.DecodeError.Overflow => AdmissionReason.AmountOverflow,
        Encoding.DecodeError.Unsupported => AdmissionReason.Unsupported,
        _ => AdmissionReason.BadEncoding,
    };

    /// <summary>The stateless checks on an already decoded transaction.</summary>
    public static AdmissionReason CheckStateless(Transaction tx, ChainParameters chain, bool verifySignature)
    {
        if (tx.Encoded.Length > chain.MaxTransactionBytes) return AdmissionReason.TooLarge;
        if (!tx.IsForChain(chain)) return AdmissionReason.WrongChain;
        if (tx.GasLimit < tx.IntrinsicGas) return AdmissionReason.GasLimitTooLow;
        if (tx.GasPrice < chain.BaseFeePerGas) return AdmissionReason.GasPriceTooLow;
        if (UInt128.MaxValue - tx.Value < tx.MaxFee) return AdmissionReason.AmountOverflow;
        if (Amm.SystemAddresses.IsSystem(tx.Recipient) && !IsValidCall(tx)) return AdmissionReason.InvalidCall;
        if (verifySignature && !tx.VerifySignature()) return AdmissionReason.BadSignature;
        return AdmissionReason.Ok;
    }

    /// <summary>Whether a transaction to a system address is a call it takes, as far as the bytes tell (PROTOCOL.md §12):
    /// value 0, a call that decodes, a non-zero amount, a token transfer not to a system address; to the coinbase, a
    /// payment (value > 0, no data).</summary>
    public static bool IsValidCall(Transaction tx) => tx.Recipient == Amm.SystemAddresses.Coinbase
        ? tx.Value != 0 && tx.Data.Length == 0
        : tx.Value == 0 && Amm.AmmCodec.TryDecode(tx.Recipient, tx.Data, out var call) && call.Amount != 0
        && !(call.Kind == Amm.CallKind.TokenTransfer && Amm.SystemAddresses.IsSystem(call.To));

    /// <summary>
    /// The most a transaction can take from its sender: native value + maximum fee + a native swap's input, and a swap's
    /// or token transfer's second-token input. What admission holds against the sender's balances.
    /// </summary>
    public static (UInt128 Native, UInt128 Tokens) CostOf(Transaction tx)
    {
        UInt128 native = tx.Value + tx.MaxFee; // CheckStateless refused an overflow here
        if (!Amm.SystemAddresses.IsSystem(tx.Recipient) || !Amm.AmmCodec.TryDecode(tx.Recipient, tx.Data, out var call)) return (native, 0);
        var (callNative, callTokens) = call.Cost;
        return (UInt128.MaxValue - native < callNative ? UInt128.MaxValue : native + callNative, callTokens);
    }

    /// <summary>
    /// Checks against the sender's committed account: the nonce must not be used already and the balance must
    /// cover value + maximum fee. (A nonce ahead of the account waits in the mempool for the gap to fill.)
    /// </summary>
    public static AdmissionReason CheckAgainstAccount(Transaction tx, Account sender)
    {
        if (tx.Nonce < sender.Nonce) return AdmissionReason.NonceUsed;
        if (UInt128.MaxValue - tx.Value < tx.MaxFee) return AdmissionReason.AmountOverflow;
        var (native, tokens) = CostOf(tx);
        if (sender.Balance < native) return AdmissionReason.InsufficientBalance;
        if (sender.Tokens < tokens) return AdmissionReason.InsufficientTokens;
        return AdmissionReason.Ok;
    }

    /// <summary>
    /// The mempool's checks of a sender (PROTOCOL.md §2), cheap and without a signature: the nonce not used
    /// (<paramref name="nonceHeld"/>: another pending transaction of the sender holds it), at most
    /// <paramref name="maxNonceGap"/> ahead of the committed account, and the balances covering this transaction's
    /// <see cref="CostOf"/> and <paramref name="pendingCost"/> / <paramref name="pendingTokens"/>, what the sender's other
    /// pending transactions may cost.
    /// </summary>
    public static AdmissionReason CheckSender(Transaction tx, Account sender, bool nonceHeld, UInt128 pendingCost, int maxNonceGap, UInt128 pendingTokens = default)
    {
        if (tx.Nonce < sender.Nonce || nonceHeld) return AdmissionReason.NonceUsed;
        if (tx.Nonce - sender.Nonce > (ulong)maxNonceGap) return AdmissionReason.NonceTooFarAhead;
        if (UInt128.MaxValue - tx.Value < tx.MaxFee) return AdmissionReason.AmountOverflow;
        var (cost, tokens) = CostOf(tx);
        if (UInt128.MaxValue - pendingCost < cost || sender.Balance < pendingCost + cost) return AdmissionReason.InsufficientBalance;
        if (UInt128.MaxValue - pendingTokens < tokens || sender.Tokens < pendingTokens + tokens) return AdmissionReason.InsufficientTokens;
        return AdmissionReason.Ok;
    }
}
