using ActorRollup.Core.Encoding;
using ActorRollup.Core.Primitives;

namespace ActorRollup.Core.Blocks;

/// <summary>
/// A block header (PROTOCOL.md §4). Canonical encoding, version 1, big-endian:
/// <code>
/// u8 version (=1) | u8 len, chain id | u64 height | u64 epoch | u64 term | 32 parent hash | 32 tx root
/// | 32 state root | i64 timestamp (Unix ms) | u8 len, proposer id (UTF-8) | 20 fee recipient
/// </code>
/// The block hash is SHA-256 of that encoding. The proposer signs "ActorRollup/proposal/v1" ‖ block hash.
/// </summary>
/// <remarks>A class, not a record: the hash is computed once at construction, and a <c>with</c> copy would carry a stale one.
/// Two headers are equal when their hashes are.</remarks>
public sealed class BlockHeader : IEquatable<BlockHeader>
{
    public const byte Version = 1;

    public BlockHeader(string chainId, ulong height, ulong epoch, ulong term, Hash32 parentHash, Hash32 txRoot,
        Hash32 stateRoot, long timestampMs, string proposerId, Address feeRecipient)
    {
        ChainId = chainId;
        Height = height;
        Epoch = epoch;
        Term = term;
        ParentHash = parentHash;
        TxRoot = txRoot;
        StateRoot = stateRoot;
        TimestampMs = timestampMs;
        ProposerId = proposerId;
        FeeRecipient = feeRecipient;
        Hash = Hash32.Sha256(Encode());
    }

    public string ChainId { get; }
    public ulong Height { get; }
    public ulong Epoch { get; }
    public ulong Term { get; }
    public Hash32 ParentHash { get; }
    public Hash32 TxRoot { get; }
    public Hash32 StateRoot { get; }
    public long TimestampMs { get; }
    public string ProposerId { get; }
    public Address FeeRecipient { get; }

    /// <summary>SHA-256 of the canonical encoding.</summary>
    public Hash32 Hash { get; }

    /// <summary>The L2 account the block's fees go to; null (the zero address) when they are bridged to the
    /// proposer's L1 staking pool instead.</summary>
    public Address? FeeAccount => FeeRecipient == default ? null : FeeRecipient;

    /// <summary>A copy with another state root (how a faulty leader forges a block in tests and fault injection).</summary>
    public BlockHeader WithStateRoot(Hash32 stateRoot) =>
        new(ChainId, Height, Epoch, Term, ParentHash, TxRoot, stateRoot, TimestampMs, ProposerId, FeeRecipient);

    public bool Equals(BlockHeader? other) => other is not null && other.Hash == Hash;
    public override bool Equals(object? obj) => Equals(obj as BlockHeader);
    public override int GetHashCode() => Hash.GetHashCode();
    public override string ToString() => $"block {Height} epoch {Epoch} term {Term} by {ProposerId} {Hash.ToHex()[..12]}";

    public byte[] Encode()
    {
        var w = new CanonicalWriter(200);
        w.WriteU8(Version);
        w.WriteString8(ChainId);
        w.WriteU64(Height);
        w.WriteU64(Epoch);
        w.WriteU64(Term);
        w.WriteHash(ParentHash);
        w.WriteHash(TxRoot);
        w.WriteHash(StateRoot);
        w.WriteI64(TimestampMs);
        w.WriteString8(ProposerId);
        w.WriteAddress(FeeRecipient);
        return w.ToArray();
    }

    /// <summary>Decodes a header; throws only <see cref="DecodeException"/>.</summary>
    public static BlockHeader Decode(ReadOnlySpan<byte> bytes)
    {
        var r = new CanonicalReader(bytes);
        var version = r.ReadU8("version");
        if (version != Version) throw new DecodeException(DecodeError.UnknownVersion, $"version: unknown header version {version}");
        var header = new BlockHeader(
            r.ReadString8("chainId"), r.ReadU64("height"), r.ReadU64("epoch"), r.ReadU64("term"),
            r.ReadHash("parentHash"), r.ReadHash("txRoot"), r.ReadHash("stateRoot"), r.ReadI64("timestamp"),
            r.ReadString8("proposerId"), r.ReadAddress("feeRecipient"));
        r.ExpectEnd("header");
        return header;
    }
}
