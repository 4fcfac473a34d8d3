using ActorRollup.Core.Crypto;
using ActorRollup.Core.Primitives;
using ActorRollup.Core.Transactions;

namespace ActorRollup.Core.Blocks;

/// <summary>A transaction in a block body, with the sequence number the mempool gave it on admission.</summary>
public sealed record BlockEntry(Transaction Transaction, ulong ArrivalSequence);

/// <summary>A header with its proposer's signature: what equivocation evidence is made of.</summary>
public sealed record SignedHeader(BlockHeader Header, byte[] ProposerSignature)
{
    public bool VerifySignature(ReadOnlySpan<byte> proposerPublicKey) =>
        Signing.VerifyProposal(proposerPublicKey, Header.Hash, ProposerSignature);
}

/// <summary>A proposed block: signed header and body (PROTOCOL.md §4).</summary>
public sealed record Block(SignedHeader Signed, IReadOnlyList<BlockEntry> Entries)
{
    public BlockHeader Header => Signed.Header;
    public Hash32 Hash => Signed.Header.Hash;

    /// <summary>The block's transactions in order.</summary>
    public IReadOnlyList<Transaction> Transactions => Entries.Select(e => e.Transaction).ToArray();

    /// <summary>Builds the header over <paramref name="entries"/> and signs it with the proposer's key.</summary>
    public static Block Create(SigningKey proposerKey, string chainId, ulong height, ulong epoch, ulong term,
        Hash32 parentHash, Hash32 stateRoot, long timestampMs, string proposerId, Address feeRecipient,
        IReadOnlyList<BlockEntry> entries)
    {
        var header = new BlockHeader(chainId, height, epoch, term, parentHash, TxRoot.Compute(entries), stateRoot,
            timestampMs, proposerId, feeRecipient);
        return new Block(new SignedHeader(header, Signing.SignProposal(proposerKey, header.Hash)), entries);
    }
}
