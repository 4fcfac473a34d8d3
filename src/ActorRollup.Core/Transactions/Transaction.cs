using ActorRollup.Core.Crypto;
using ActorRollup.Core.Primitives;

namespace ActorRollup.Core.Transactions;

/// <summary>
/// A signed native-token transfer (PROTOCOL.md §2). Immutable; built by <see cref="Create"/> or decoded by
/// <see cref="TransactionCodec"/>. Its canonical encoding, hash and sender address are computed once.
/// </summary>
public sealed class Transaction
{
    internal Transaction(string chainId, byte[] senderPublicKey, Address recipient, UInt128 value, ulong nonce,
        ulong gasPrice, ulong gasLimit, byte[] data, byte[] signature, byte[]? encoded = null)
    {
        ChainId = chainId;
        SenderPublicKey = senderPublicKey;
        Recipient = recipient;
        Value = value;
        Nonce = nonce;
        GasPrice = gasPrice;
        GasLimit = gasLimit;
        Data = data;
        Signature = signature;
        Encoded = encoded ?? TransactionCodec.EncodeFields(this, includeSignature: true);
        Hash = Hash32.Sha256(Encoded);
        Sender = Address.FromPublicKey(senderPublicKey);
    }

    public string ChainId { get; }
    public byte[] SenderPublicKey { get; }
    public Address Sender { get; }
    public Address Recipient { get; }
    public UInt128 Value { get; }
    public ulong Nonce { get; }
    public ulong GasPrice { get; }
    public ulong GasLimit { get; }
    public byte[] Data { get; }
    public byte[] Signature { get; }

    /// <summary>The canonical encoding, signature included (what travels and what is hashed).</summary>
    public byte[] Encoded { get; }

    /// <summary>SHA-256 of <see cref="Encoded"/>: the transaction's identity.</summary>
    public Hash32 Hash { get; }

    /// <summary>Gas this transaction uses when executed.</summary>
    public ulong IntrinsicGas => ChainParameters.IntrinsicGas(Data.Length);

    /// <summary>gasLimit × gasPrice: the most this transaction can pay in fees (exact; fits in 128 bits).</summary>
    public UInt128 MaxFee => (UInt128)GasLimit * GasPrice;

    /// <summary>Builds and signs a transaction with <paramref name="key"/> as sender.</summary>
    public static Transaction Create(SigningKey key, string chainId, Address recipient, UInt128 value, ulong nonce,
        ulong gasPrice, ulong gasLimit = ChainParameters.TransferGas, byte[]? data = null)
    {
        ArgumentNullException.ThrowIfNull(key);
        var unsigned = new Transaction(chainId, key.PublicKey, recipient, value, nonce, gasPrice, gasLimit,
            data ?? [], new byte[Ed25519.SignatureSize]);
        var signature = key.Sign(TransactionCodec.SigningPayload(unsigned));
        return new Transaction(chainId, key.PublicKey, recipient, value, nonce, gasPrice, gasLimit, unsigned.Data, signature);
    }

    /// <summary>True when the signature is the sender's over the signing payload.</summary>
    public bool VerifySignature() => Ed25519.Verify(SenderPublicKey, TransactionCodec.SigningPayload(this), Signature);

    public override string ToString() => $"tx {Hash.ToHex()[..12]} {Sender}->{Recipient} value={Value} nonce={Nonce}";
}
