using ActorRollup.Core.Crypto;
using ActorRollup.Core.Primitives;
using ActorRollup.Core.Scheduling;

namespace ActorRollup.Core.Blocks;

/// <summary>Verifies one Ed25519 signature of <paramref name="message"/> under <paramref name="publicKey"/>. The
/// grains pass one that memoizes the verdict per silo; <see cref="BlockRules.Direct"/> checks every time.</summary>
public delegate bool SignatureVerifier(ReadOnlySpan<byte> publicKey, ReadOnlySpan<byte> message, ReadOnlySpan<byte> signature);

/// <summary>The verdict of one block check: <see cref="BlockFault.None"/> with no detail, or the fault and what was seen.</summary>
public readonly record struct BlockCheck(BlockFault Fault, string Detail)
{
    public static readonly BlockCheck Sound = new(BlockFault.None, "");
    public bool Ok => Fault == BlockFault.None;
}

/// <summary>The leadership term a block is judged against (PROTOCOL.md §6): its leader, and the heights of one epoch it spans.</summary>
public readonly record struct TermSpan(ulong Term, string LeaderId, ulong Epoch, ulong FirstHeight, ulong LastHeight)
{
    public bool Covers(ulong height) => height >= FirstHeight && height <= LastHeight;
}

/// <summary>Where the next block must go: the chain, the height after the head, and the head's hash as its parent.</summary>
public readonly record struct BlockPosition(string ChainId, ulong Height, Hash32 ParentHash);

/// <summary>
/// Block validity (PROTOCOL.md §4, §7, §8), written once: the chain's append, the attestation of a committee member,
/// the validator's check and the audit's replay each call these. Every check is pure and returns the fault it finds
/// (<see cref="BlockCheck.Sound"/> otherwise), with the detail text formatted only on failure; signature checks go
/// through the <see cref="SignatureVerifier"/> the caller passes. <see cref="Validate"/> runs the chain's whole
/// sequence; callers that collect every fault (the audit) or check only part (an attestation) call the single checks.
/// </summary>
public static class BlockRules
{
    /// <summary>Verifies every signature afresh (no memo).</summary>
    public static readonly SignatureVerifier Direct = Ed25519.Verify;

    /// <summary>The header names <paramref name="chainId"/>.</summary>
    public static BlockCheck CheckChain(BlockHeader header, string chainId) =>
        string.Equals(header.ChainId, chainId, StringComparison.Ordinal)
            ? BlockCheck.Sound
            : new(BlockFault.WrongChain, $"header names chain '{header.ChainId}', not '{chainId}'");

    /// <summary>The proposer is the leader of the block's term (<paramref name="leaderId"/>; null when the term has no
    /// known leader at that height).</summary>
    public static BlockCheck CheckLeader(BlockHeader header, string? leaderId) =>
        leaderId is not null && string.Equals(header.ProposerId, leaderId, StringComparison.Ordinal)
            ? BlockCheck.Sound
            : new(BlockFault.IllegitimateLeader, leaderId is null
                ? $"{header.ProposerId} proposed height {header.Height} in term {header.Term}, which has no leader there"
                : $"{header.ProposerId} proposed height {header.Height} in term {header.Term}, whose leader is {leaderId}");

    /// <summary>The proposer sits on <paramref name="committee"/> and its signature over the header verifies under its seat's key.</summary>
    public static BlockCheck CheckProposerSignature(SignedHeader signed, Committee committee, SignatureVerifier verify)
    {
        var header = signed.Header;
        if (!committee.TryGet(header.ProposerId, out var proposer))
            return new(BlockFault.IllegitimateLeader, $"proposer {header.ProposerId} is not on the committee of epoch {header.Epoch}");
        return verify(proposer.PublicKey, Signing.ProposalMessage(header.Hash), signed.ProposerSignature)
            ? BlockCheck.Sound
            : new(BlockFault.BadProposerSignature, $"{header.ProposerId}'s signature over {header.Hash.Short()} does not verify");
    }

    /// <summary>The certificate is for <paramref name="blockHash"/> and carries more than 2/3 of
    /// <paramref name="committee"/>'s power in valid attestations; <paramref name="quorum"/> is the count either way.</summary>
    public static BlockCheck CheckCertificate(QuorumCertificate certificate, in Hash32 blockHash, Committee committee, SignatureVerifier verify,
        out QuorumCheck quorum)
    {
        quorum = certificate.Verify(blockHash, committee, verify);
        return quorum.Ok
            ? BlockCheck.Sound
            : new(BlockFault.BadCertificate, $"{quorum.Reason}: {quorum.SignedPower} of {quorum.TotalPower} power{(quorum.Member is null ? "" : $" (member {quorum.Member})")}");
    }

    /// <summary>The header's height is <paramref name="expected"/>.</summary>
    public static BlockCheck CheckHeight(BlockHeader header, ulong expected) =>
        header.Height == expected ? BlockCheck.Sound : new(BlockFault.WrongHeight, $"height {header.Height}, expected {expected}");

    /// <summary>The header's parent is <paramref name="expected"/>, the hash of the block below.</summary>
    public static BlockCheck CheckParent(BlockHeader header, in Hash32 expected) =>
        header.ParentHash == expected ? BlockCheck.Sound : new(BlockFault.WrongParent, $"parent {header.ParentHash.Short()}, but the block below is {expected.Short()}");

    /// <summary>The header's epoch is the epoch its height falls in.</summary>
    public static BlockCheck CheckEpoch(BlockHeader header, Epochs epochs) => CheckEpoch(header, header.Height, epochs);

    /// <summary>The header's epoch is the epoch of <paramref name="height"/>, the place the block holds in the chain (the
    /// audit judges a block at its place, which a forged header height does not move).</summary>
    public static BlockCheck CheckEpoch(BlockHeader header, ulong height, Epochs epochs)
    {
        var epoch = epochs.Of(height);
        return header.Epoch == epoch ? BlockCheck.Sound : new(BlockFault.WrongEpoch, $"header says epoch {header.Epoch}, height {height} is in epoch {epoch}");
    }

    /// <summary>The header's height and epoch lie within <paramref name="term"/>.</summary>
    public static BlockCheck CheckTermRange(BlockHeader header, in TermSpan term) => CheckTermRange(header, header.Height, term);

    /// <summary><paramref name="height"/> (the block's place) and the header's epoch lie within <paramref name="term"/>.</summary>
    public static BlockCheck CheckTermRange(BlockHeader header, ulong height, in TermSpan term) =>
        term.Covers(height) && header.Epoch == term.Epoch
            ? BlockCheck.Sound
            : new(BlockFault.OutsideTerm, $"height {height} epoch {header.Epoch} is outside term {term.Term} (epoch {term.Epoch}, heights {term.FirstHeight}..{term.LastHeight})");

    /// <summary>The header's transaction root is the root of the body.</summary>
    public static BlockCheck CheckTxRoot(Block block)
    {
        var root = TxRoot.Compute(block.Entries);
        return root == block.Header.TxRoot ? BlockCheck.Sound : new(BlockFault.TxRootMismatch, $"header tx root {block.Header.TxRoot.Short()}, the body gives {root.Short()}");
    }

    /// <summary>The header names no L2 fee recipient: fees go to the proposer's L1 pool.</summary>
    public static BlockCheck CheckFeeRecipient(BlockHeader header) =>
        header.FeeAccount is null ? BlockCheck.Sound : new(BlockFault.BadFeeRecipient, $"fees go to {header.FeeRecipient} instead of the proposer's L1 pool (the fee recipient must be zero)");

    /// <summary>The header's state root is <paramref name="executed"/>, the root re-execution produced.</summary>
    public static BlockCheck CheckStateRoot(BlockHeader header, in Hash32 executed) =>
        header.StateRoot == executed ? BlockCheck.Sound : new(BlockFault.StateRootMismatch, $"header state root {header.StateRoot.Short()}, re-executed {executed.Short()}");

    /// <summary>
    /// A block at <paramref name="position"/> in <paramref name="term"/>, certified by <paramref name="certificate"/>,
    /// with the first fault found. Authority before position: the term's leader, its committee seat and signature and
    /// the certificate come first, so a forged block is reported as forged whatever height it names; then height,
    /// epoch and term range, parent, transaction root and fee recipient. <paramref name="quorum"/> is the certificate's
    /// count (default when an earlier check failed).
    /// </summary>
    public static BlockCheck Validate(Block block, QuorumCertificate certificate, in BlockPosition position, in TermSpan term, Committee committee,
        Epochs epochs, SignatureVerifier verify, out QuorumCheck quorum)
    {
        quorum = default;
        var header = block.Header;
        BlockCheck check;
        if (!(check = CheckChain(header, position.ChainId)).Ok) return check;
        if (!(check = CheckLeader(header, term.LeaderId)).Ok) return check;
        if (!(check = CheckProposerSignature(block.Signed, committee, verify)).Ok) return check;
        if (!(check = CheckCertificate(certificate, header.Hash, committee, verify, out quorum)).Ok) return check;
        if (!(check = CheckHeight(header, position.Height)).Ok) return check;
        if (!(check = CheckTermRange(header, term)).Ok) return check;
        if (!(check = CheckEpoch(header, epochs)).Ok) return check;
        if (!(check = CheckParent(header, position.ParentHash)).Ok) return check;
        if (!(check = CheckTxRoot(block)).Ok) return check;
        return CheckFeeRecipient(header);
    }
}
