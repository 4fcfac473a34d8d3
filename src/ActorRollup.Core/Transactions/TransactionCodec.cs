using ActorRollup.Core.Crypto;
using ActorRollup.Core.Encoding;

namespace ActorRollup.Core.Transactions;

/// <summary>
/// The canonical transaction encoding, version 1 (all integers big-endian, documented in docs/ENCODING.md):
/// <code>
/// u8 version (=1) | u8 len, chain id (UTF-8) | 32 sender public key | 20 recipient | u128 value | u64 nonce
/// | u64 gas price | u64 gas limit | u16 len, data | 64 signature
/// </code>
/// The signature covers "ActorRollup/tx/v1" followed by every byte before the signature.
/// Decoding arbitrary bytes either yields a transaction whose re-encoding is byte-identical, or throws
/// <see cref="DecodeException"/> — nothing else.
/// </summary>
public static class TransactionCodec
{
    public const byte Version = 1;
    public const int FixedSize = 1 + 1 + 32 + 20 + 16 + 8 + 8 + 8 + 2 + 64;
    private static readonly byte[] SigningDomain = "ActorRollup/tx/v1"u8.ToArray();

    public static byte[] Encode(Transaction tx) => tx.Encoded;

    internal static byte[] EncodeFields(Transaction tx, bool includeSignature)
    {
        var w = new CanonicalWriter(FixedSize + tx.ChainId.Length + tx.Data.Length);
        WriteBody(w, tx);
        if (includeSignature) w.WriteRaw(tx.Signature);
        return w.ToArray();
    }

    private static void WriteBody(CanonicalWriter w, Transaction tx)
    {
        w.WriteU8(Version);
        w.WriteString8(tx.ChainId);
        w.WriteRaw(tx.SenderPublicKey);
        w.WriteAddress(tx.Recipient);
        w.WriteU128(tx.Value);
        w.WriteU64(tx.Nonce);
        w.WriteU64(tx.GasPrice);
        w.WriteU64(tx.GasLimit);
        w.WriteBytesWithLength16(tx.Data);
    }

    /// <summary>The bytes the sender signs: the domain tag, then the encoding without the signature.</summary>
    public static byte[] SigningPayload(Transaction tx)
    {
        if (tx.IsEthereum) throw new InvalidOperationException("an Ethereum transaction signs its own payload (EthTransactionCodec)");
        var w = new CanonicalWriter(SigningDomain.Length + tx.Encoded.Length);
        w.WriteRaw(SigningDomain);
        w.WriteRaw(tx.Encoded.AsSpan(0, tx.Encoded.Length - Ed25519.SignatureSize));
        return w.ToArray();
    }

    /// <summary>
    /// Decodes one transaction of either format (<see cref="EthTransactionCodec.LooksLikeEthereum"/> tells them
    /// apart by the first bytes); throws only <see cref="DecodeException"/>.
    /// </summary>
    public static Transaction Decode(ReadOnlySpan<byte> bytes) => Decode(bytes, ethChainId: null);

    /// <summary>
    /// As <see cref="Decode(ReadOnlySpan{byte})"/>; with <paramref name="ethChainId"/>, an Ethereum transaction for
    /// another numeric chain id is refused before its signature is recovered (<see cref="EthTransactionCodec.Decode(ReadOnlySpan{byte}, ulong?)"/>).
    /// </summary>
    public static Transaction Decode(ReadOnlySpan<byte> bytes, ulong? ethChainId) =>
        EthTransactionCodec.LooksLikeEthereum(bytes) ? EthTransactionCodec.Decode(bytes, ethChainId) : DecodeNative(bytes);

    private static Transaction DecodeNative(ReadOnlySpan<byte> bytes)
    {
        var r = new CanonicalReader(bytes);
        var version = r.ReadU8("version");
        if (version != Version) throw new DecodeException(DecodeError.UnknownVersion, $"version: unknown transaction version {version}");
        var chainId = r.ReadString8("chainId");
        if (!ChainParameters.IsValidChainId(chainId)) throw new DecodeException(DecodeError.InvalidField, "chainId: not 1-32 characters of [a-z0-9-]");
        var sender = r.ReadRaw(Ed25519.PublicKeySize, "sender").ToArray();
        var recipient = r.ReadAddress("recipient");
        var value = r.ReadU128("value");
        var nonce = r.ReadU64("nonce");
        var gasPrice = r.ReadU64("gasPrice");
        var gasLimit = r.ReadU64("gasLimit");
        var data = r.ReadBytesWithLength16("data").ToArray();
        var signature = r.ReadRaw(Ed25519.SignatureSize, "signature").ToArray();
        r.ExpectEnd("transaction");
        return new Transaction(chainId, sender, recipient, value, nonce, gasPrice, gasLimit, data, signature, bytes.ToArray());
    }

    /// <summary>Decodes without throwing; <paramref name="error"/> says why when it returns false.</summary>
    public static bool TryDecode(ReadOnlySpan<byte> bytes, out Transaction? tx, out DecodeException? error, ulong? ethChainId = null)
    {
        try
        {
            tx = Decode(bytes, ethChainId);
            error = null;
            return true;
        }
        catch (DecodeException e)
        {
            tx = null;
            error = e;
            return false;
        }
    }
}
