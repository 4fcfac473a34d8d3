using ActorRollup.Abstractions;
using ActorRollup.Abstractions.Messages;
using ActorRollup.Core.Blocks;
using ActorRollup.Core.Primitives;

namespace ActorRollup.Grains.Sequencer;

// Attestation as a committee member (PROTOCOL.md §7): attest only if the proposer is the scheduled leader of the
// current term for that height, its signature is valid, the parent is the chain head this member knows, and this
// member has not attested a different block at that height in that term — a second one is equivocation evidence.
public sealed partial class SequencerGrain
{
    private const int AttestedMemory = 4_096;
    private readonly Dictionary<(ulong Height, ulong Term), SignedHeader> _attested = [];
    private readonly Queue<(ulong Height, ulong Term)> _attestedOrder = new();
    private readonly Dictionary<ulong, string> _termLeaders = [];
    private readonly Dictionary<ulong, CommitteeSeat[]> _committees = [];
    private (ulong Height, Hash32 Hash) _knownHead;

    public async Task<AttestationReply> Attest(SignedHeader signed, CancellationToken cancellationToken = default)
    {
        AttestationReply Refuse(AttestReason reason)
        {
            _metrics.Refused(ChainId, "attestation", reason.ToString());
            return new AttestationReply(Id, reason, null);
        }

        if (Crashed)
        {
            await HangWhileCrashed(cancellationToken);
            return Refuse(AttestReason.Offline);
        }
        if (_fault.Kind == SequencerFaultKind.Offline) return Refuse(AttestReason.Offline);
        if (_fault.Kind == SequencerFaultKind.Slow) await Task.Delay(_fault.DelayMs);
        var header = signed.Header;
        if (header.ChainId != ChainId || _state.State.Config is null) return Refuse(AttestReason.WrongChain);

        var seats = await CommitteeOf(header.Epoch);
        if (!seats.Any(s => s.Id == Id)) return Refuse(AttestReason.NotCommitteeMember);
        var leader = await LeaderOf(header.Term, header.Height);
        if (leader is null || leader != header.ProposerId) return Refuse(AttestReason.NotLeader);
        var proposer = seats.FirstOrDefault(s => s.Id == header.ProposerId);
        if (proposer is null) return Refuse(AttestReason.NotLeader);
        if (!_memo.Verify(proposer.PublicKey, Signing.ProposalMessage(header.Hash), signed.ProposerSignature,
                () => signed.VerifySignature(proposer.PublicKey)))
            return Refuse(AttestReason.BadSignature);

        // Equivocation check before the parent check, and with no await in between recording and signing.
        if (_attested.TryGetValue((header.Height, header.Term), out var earlier) && earlier.Header.Hash != header.Hash)
        {
            _ = GrainFactory.Chain(ChainId).ReportEquivocation(new EquivocationEvidence(earlier, signed), Id);
            return Refuse(AttestReason.Conflicting);
        }
        if (!await ParentIsKnownHead(header)) return Refuse(AttestReason.WrongParent);
        if (_attested.TryGetValue((header.Height, header.Term), out earlier) && earlier.Header.Hash != header.Hash)
        {
            _ = GrainFactory.Chain(ChainId).ReportEquivocation(new EquivocationEvidence(earlier, signed), Id);
            return Refuse(AttestReason.Conflicting);
        }
        RememberAttested(signed);
        _state.State.Attestations++;
        return new AttestationReply(Id, AttestReason.Ok, Signing.SignAttestation(Signer, header.Hash));
    }

    private void RememberAttested(SignedHeader signed)
    {
        var key = (signed.Header.Height, signed.Header.Term);
        if (_attested.TryAdd(key, signed))
        {
            _attestedOrder.Enqueue(key);
            while (_attestedOrder.Count > AttestedMemory) _attested.Remove(_attestedOrder.Dequeue());
        }
    }

    /// <summary>The parent must be the chain head this member knows: its last attested block, or else the chain's head.</summary>
    private async Task<bool> ParentIsKnownHead(BlockHeader header)
    {
        // The same leader's previous block, which this member attested: the chain checks the link on append anyway.
        if (_attested.TryGetValue((header.Height - 1, header.Term), out var previous) && previous.Header.Hash == header.ParentHash) return true;
        if (_knownHead.Height + 1 == header.Height && _knownHead.Hash == header.ParentHash) return true;
        var head = await GrainFactory.Chain(ChainId).GetHead();
        _knownHead = (head.Height, head.Hash);
        return head.Height + 1 == header.Height && head.Hash == header.ParentHash;
    }

    private async Task<string?> LeaderOf(ulong term, ulong height)
    {
        if (_termLeaders.TryGetValue(term, out var leader)) return leader;
        leader = await GrainFactory.Rotation(ChainId).GetLeaderAt(height, term);
        if (leader is not null)
        {
            _termLeaders[term] = leader;
            if (_termLeaders.Count > 256) _termLeaders.Remove(_termLeaders.Keys.Min());
        }
        return leader;
    }

    private async Task<CommitteeSeat[]> CommitteeOf(ulong epoch)
    {
        if (_committees.TryGetValue(epoch, out var seats)) return seats;
        seats = await GrainFactory.Rotation(ChainId).GetCommittee(epoch);
        if (seats.Length > 0)
        {
            _committees[epoch] = seats;
            if (_committees.Count > 8) _committees.Remove(_committees.Keys.Min());
        }
        return seats;
    }

    public async Task<AttestationReply> SignBatch(BatchHeader batch, CancellationToken cancellationToken = default)
    {
        if (Crashed)
        {
            await HangWhileCrashed(cancellationToken);
            return new AttestationReply(Id, AttestReason.Offline, null);
        }
        if (_fault.Kind == SequencerFaultKind.Offline || _state.State.Config is null) return new AttestationReply(Id, AttestReason.Offline, null);
        if (batch.ChainId != ChainId) return new AttestationReply(Id, AttestReason.WrongChain, null);
        // Sign only what matches the chain's own blocks.
        var hashes = await GrainFactory.Chain(ChainId).GetBlockHashes(batch.FirstHeight, batch.LastHeight);
        if (hashes.Length != (int)(batch.LastHeight - batch.FirstHeight + 1) || BatchHeader.HashOfBlocks(hashes) != batch.BlocksHash)
            return new AttestationReply(Id, AttestReason.WrongParent, null);
        return new AttestationReply(Id, AttestReason.Ok, Signing.SignBatch(Signer, batch.Hash()));
    }
}
