using ActorRollup.Core.Primitives;

namespace ActorRollup.Core.Blocks;

/// <summary>One committee member's attestation signature.</summary>
public sealed record CommitteeSignature(string MemberId, byte[] Signature);

/// <summary>
/// Committee signatures over a block hash whose power adds up to more than 2/3 of the epoch's committee power
/// (PROTOCOL.md §4; the proposer's own attestation counts).
/// </summary>
public sealed record QuorumCertificate(Hash32 BlockHash, IReadOnlyList<CommitteeSignature> Signatures)
{
    /// <summary>Checks the certificate for <paramref name="blockHash"/> against <paramref name="committee"/>.
    /// <paramref name="verify"/> may memoize the pure signature check (default: <see cref="BlockRules.Direct"/>).</summary>
    public QuorumCheck Verify(in Hash32 blockHash, Committee committee, SignatureVerifier? verify = null)
    {
        verify ??= BlockRules.Direct;
        if (BlockHash != blockHash) return new(QuorumReason.WrongBlock, 0, committee.TotalPower);
        var message = Signing.AttestationMessage(blockHash);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        long power = 0;
        foreach (var signature in Signatures)
        {
            if (!committee.TryGet(signature.MemberId, out var seat)) return new(QuorumReason.UnknownMember, power, committee.TotalPower, signature.MemberId);
            if (!seen.Add(signature.MemberId)) return new(QuorumReason.DuplicateMember, power, committee.TotalPower, signature.MemberId);
            if (!verify(seat.PublicKey, message, signature.Signature))
                return new(QuorumReason.BadSignature, power, committee.TotalPower, signature.MemberId);
            power += seat.Power;
        }
        return committee.IsQuorum(power)
            ? new(QuorumReason.Ok, power, committee.TotalPower)
            : new(QuorumReason.BelowQuorum, power, committee.TotalPower);
    }
}

public enum QuorumReason
{
    Ok = 0,
    /// <summary>The certificate is for another block.</summary>
    WrongBlock = 1,
    /// <summary>A signer is not in the epoch's committee.</summary>
    UnknownMember = 2,
    /// <summary>A member signed twice.</summary>
    DuplicateMember = 3,
    /// <summary>A signature does not verify under the member's key.</summary>
    BadSignature = 4,
    /// <summary>The signers' power is not more than 2/3 of the committee's.</summary>
    BelowQuorum = 5,
}

/// <summary>The verdict on a certificate, with the power it gathered.</summary>
public readonly record struct QuorumCheck(QuorumReason Reason, long SignedPower, long TotalPower, string? Member = null)
{
    public bool Ok => Reason == QuorumReason.Ok;
}
