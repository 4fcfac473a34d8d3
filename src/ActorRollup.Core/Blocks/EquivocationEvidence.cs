namespace ActorRollup.Core.Blocks;

/// <summary>
/// Two different headers signed by the same proposer for the same chain, height and term (PROTOCOL.md §7):
/// proof that the proposer equivocated.
/// </summary>
public sealed record EquivocationEvidence(SignedHeader First, SignedHeader Second)
{
    /// <summary>Checks the evidence against the proposer's public key.</summary>
    public EvidenceReason Verify(ReadOnlySpan<byte> proposerPublicKey)
    {
        var a = First.Header;
        var b = Second.Header;
        if (a.ChainId != b.ChainId || a.Height != b.Height || a.Term != b.Term) return EvidenceReason.DifferentSlot;
        if (a.ProposerId != b.ProposerId) return EvidenceReason.DifferentProposers;
        if (a.Hash == b.Hash) return EvidenceReason.SameBlock;
        if (!First.VerifySignature(proposerPublicKey) || !Second.VerifySignature(proposerPublicKey)) return EvidenceReason.BadSignature;
        return EvidenceReason.Ok;
    }
}

public enum EvidenceReason
{
    Ok = 0,
    /// <summary>The headers are not for the same chain, height and term.</summary>
    DifferentSlot = 1,
    /// <summary>The headers name different proposers.</summary>
    DifferentProposers = 2,
    /// <summary>The two headers are the same block.</summary>
    SameBlock = 3,
    /// <summary>A header is not signed by the accused proposer.</summary>
    BadSignature = 4,
}
