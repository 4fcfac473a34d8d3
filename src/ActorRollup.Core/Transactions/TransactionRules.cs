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
        if (verifySignature && !tx.VerifySignature()) return AdmissionReason.BadSignature;
        return AdmissionReason.Ok;
    }

    /// <summary>
    /// Checks against the sender's committed account: the nonce must not be used already and the balance must
    /// cover value + maximum fee. (A nonce ahead of the account waits in the mempool for the gap to fill.)
    /// </summary>
    public static AdmissionReason CheckAgainstAccount(Transaction tx, Account sender)
    {
        if (tx.Nonce < sender.Nonce) return AdmissionReason.NonceUsed;
        if (UInt128.MaxValue - tx.Value < tx.MaxFee) return AdmissionReason.AmountOverflow;
        if (sender.Balance < tx.Value + tx.MaxFee) return AdmissionReason.InsufficientBalance;
        return AdmissionReason.Ok;
    }

    /// <summary>
    /// The mempool's checks of a sender (PROTOCOL.md §2), cheap and without a signature: the nonce not used
    /// (<paramref name="nonceHeld"/>: another pending transaction of the sender holds it), at most
    /// <paramref name="maxNonceGap"/> ahead of the committed account, and the balance covering this transaction and
    /// <paramref name="pendingCost"/>, what the sender's other pending transactions may cost.
    /// </summary>
    public static AdmissionReason CheckSender(Transaction tx, Account sender, bool nonceHeld, UInt128 pendingCost, int maxNonceGap)
    {
        if (tx.Nonce < sender.Nonce || nonceHeld) return AdmissionReason.NonceUsed;
        if (tx.Nonce - sender.Nonce > (ulong)maxNonceGap) return AdmissionReason.NonceTooFarAhead;
        if (UInt128.MaxValue - tx.Value < tx.MaxFee) return AdmissionReason.AmountOverflow;
        var cost = tx.Value + tx.MaxFee;
        if (UInt128.MaxValue - pendingCost < cost || sender.Balance < pendingCost + cost) return AdmissionReason.InsufficientBalance;
        return AdmissionReason.Ok;
    }
}
