using ActorRollup.Core.Crypto;
using ActorRollup.Core.Primitives;

namespace ActorRollup.Core.Transactions;

/// <summary>How a transaction is encoded and signed (PROTOCOL.md §2, docs/ETHEREUM.md).</summary>
public enum TxFormat : byte
{
    /// <summary>ActorRollup's own version-1 encoding, signed with Ed25519.</summary>
    Native = 0,
    /// <summary>An Ethereum legacy transaction with EIP-155 replay protection, signed with secp256k1.</summary>
    EthLegacy = 1,
    /// <summary>An Ethereum EIP-1559 (type 2) transaction with an empty access list, signed with secp256k1.</summary>
    EthDynamicFee = 2,
}

/// <summary>
/// A signed native-token transfer (PROTOCOL.md §2). Immutable; built by <see cref="Create"/> or
/// <see cref="EthTransactionCodec"/>, decoded by <see cref="TransactionCodec.Decode"/> (either format). Its encoding,
/// hash and sender address are computed once. The two formats are two encodings of the same transaction: the mempool,
/// ordering, execution, blocks, validation and the audit read only the fields below, never the format.
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
        PriorityFeePerGas = gasPrice;
        Encoded = encoded ?? TransactionCodec.EncodeFields(this, includeSignature: true);
        Hash = Hash32.Sha256(Encoded);
        Sender = Address.FromPublicKey(senderPublicKey);
    }

    /// <summary>An Ethereum transaction whose sender was recovered (or is the key that signed it).</summary>
    internal Transaction(TxFormat format, ulong ethChainId, ulong nonce, ulong maxFeePerGas, ulong priorityFeePerGas,
        ulong gasLimit, Address recipient, UInt128 value, byte[] data, byte[] signature, ulong v, Address sender,
        byte[] encoded, Hash32 hash)
    {
        Format = format;
        ChainId = "";
        EthChainId = ethChainId;
        SenderPublicKey = [];
        Recipient = recipient;
        Value = value;
        Nonce = nonce;
        GasPrice = maxFeePerGas;
        PriorityFeePerGas = priorityFeePerGas;
        GasLimit = gasLimit;
        Data = data;
        Signature = signature;
        SignatureV = v;
        Encoded = encoded;
        Hash = hash;
        Sender = sender;
    }

    public TxFormat Format { get; }

    /// <summary>The chain the native format names; empty for Ethereum transactions (they name <see cref="EthChainId"/>).</summary>
    public string ChainId { get; }

    /// <summary>The numeric EIP-155 chain id an Ethereum transaction signs over; 0 for the native format.</summary>
    public ulong EthChainId { get; }

    /// <summary>The Ed25519 public key of a native transaction's sender; empty for Ethereum transactions.</summary>
    public byte[] SenderPublicKey { get; }
    public Address Sender { get; }
    public Address Recipient { get; }
    public UInt128 Value { get; }
    public ulong Nonce { get; }

    /// <summary>
    /// The most the sender pays per gas: the native and legacy gas price, EIP-1559's maxFeePerGas. Admission
    /// compares it with the base fee, the balance check uses gasLimit × it (<see cref="MaxFee"/>).
    /// </summary>
    public ulong GasPrice { get; }

    /// <summary>The most paid per gas above the base fee: EIP-1559's maxPriorityFeePerGas, else <see cref="GasPrice"/>.</summary>
    public ulong PriorityFeePerGas { get; }

    public ulong GasLimit { get; }
    public byte[] Data { get; }

    /// <summary>Ed25519 signature (native) or r ‖ s (Ethereum, 32 bytes each).</summary>
    public byte[] Signature { get; }

    /// <summary>Ethereum's v: the EIP-155 value of a legacy transaction, the y-parity (0/1) of a type-2 one; 0 for native.</summary>
    public ulong SignatureV { get; }

    /// <summary>True for the two Ethereum formats.</summary>
    public bool IsEthereum => Format != TxFormat.Native;

    /// <summary>Whether the transaction names <paramref name="chain"/>: its string id (native) or its EIP-155 id (Ethereum).</summary>
    public bool IsForChain(ChainParameters chain) => IsEthereum
        ? EthChainId == chain.EthChainId
        : string.Equals(ChainId, chain.ChainId, StringComparison.Ordinal);

    /// <summary>
    /// The price per gas actually charged under <paramref name="baseFee"/> (the one fee rule, PROTOCOL.md §2):
    /// min(<see cref="GasPrice"/>, baseFee + <see cref="PriorityFeePerGas"/>). For native and legacy transactions it is
    /// the gas price; admission guarantees GasPrice ≥ baseFee.
    /// </summary>
    public ulong EffectiveGasPrice(ulong baseFee)
    {
        ulong withTip = ulong.MaxValue - baseFee < PriorityFeePerGas ? ulong.MaxValue : baseFee + PriorityFeePerGas;
        return Math.Min(GasPrice, withTip);
    }

    /// <summary>The canonical encoding, signature included (what travels and what is hashed).</summary>
    public byte[] Encoded { get; }

    /// <summary>The transaction's identity: SHA-256 of <see cref="Encoded"/> (native), Keccak-256 of the raw bytes (Ethereum,
    /// the hash every Ethereum tool computes).</summary>
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
    /// <remarks>An Ethereum transaction's sender is recovered from its signature when it is decoded (a signature that
    /// recovers no key, or has a high s, never decodes), so for it this is always true.</remarks>
    public bool VerifySignature() => IsEthereum || Ed25519.Verify(SenderPublicKey, TransactionCodec.SigningPayload(this), Signature);

    public override string ToString() => $"tx {Hash.ToHex()[..12]} {Sender}->{Recipient} value={Value} nonce={Nonce}";
}
