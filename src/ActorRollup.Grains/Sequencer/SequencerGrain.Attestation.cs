using ActorRollup.Abstractions;
using ActorRollup.Abstractions.Messages;
using ActorRollup.Core.Blocks;
using ActorRollup.Core.Primitives;
using ActorRollup.Core.Scheduling;
using Microsoft.Extensions.DependencyInjection;
using ActorRollup.Core.Staking;

namespace ActorRollup.Grains.Sequencer;

// Attestation as a committee member (PROTOCOL.md §7): attest only if the proposer is the scheduled leader of the
// current term for that height and its signature is valid (the core's BlockRules.CheckLeader and
// CheckProposerSignature), the parent is the chain head this member knows, and this member has not attested a
// different block at that height in that term — a second one is equivocation evidence (this grain's own guard).
public sealed partial class SequencerGrain
{
    private const int AttestedMemory = 4_096;
    private readonly Dictionary<(ulong Height, ulong Term), SignedHeader> _attested = [];
    private readonly Queue<(ulong Height, ulong Term)> _attestedOrder = new();
    private readonly Dictionary<ulong, string> _termLeaders = [];
    private readonly Dictionary<ulong, Committee> _committees = [];
    private (ulong Height, Hash32 Hash) _knownHead;
    private ulong _leaderTermReported;

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
        var config = _state.State.Config;
        if (config is null || !BlockRules.CheckChain(header, ChainId).Ok) return Refuse(AttestReason.WrongChain);

        // Cheap checks first, before any call or storage read: the epoch the height falls in, an epoch near the ones
        // this member has seen (a forged old or far epoch never reaches rotation's storage), its own standing.
        if (new Epochs(config.EpochLength).Of(header.Height) != header.Epoch || header.Height == 0) return Refuse(AttestReason.NotLeader);
        var epochs = new Epochs(config.EpochLength);
        bool NearHead() => header.Epoch + 1 >= epochs.Of(_knownHead.Height + 1) && header.Epoch <= epochs.Of(_knownHead.Height + 1) + 1;
        if (!NearHead())
        {
            var head = await GrainFactory.Chain(ChainId).GetHead(); // an in-memory query, not storage
            if (head.Height > _knownHead.Height) _knownHead = (head.Height, head.Hash);
            if (!NearHead()) return Refuse(AttestReason.NotCommitteeMember);
        }
        if (!MaySit(header.Epoch)) return Refuse(AttestReason.NotCommitteeMember);
        var committee = await CommitteeOf(header.Epoch);
        if (committee is null || !committee.TryGet(Id, out _)) return Refuse(AttestReason.NotCommitteeMember);
        // The core's block rules: the proposer on the committee signing this header (no call), then the term's leader.
        var proposer = BlockRules.CheckProposerSignature(signed, committee, _memo.Verifier);
        if (!proposer.Ok) return Refuse(proposer.Fault == BlockFault.BadProposerSignature ? AttestReason.BadSignature : AttestReason.NotLeader);
        var leader = await LeaderOf(header.Term, header.Height);
        if (!BlockRules.CheckLeader(header, leader).Ok) return Refuse(AttestReason.NotLeader);
        if (header.Term > _leaderTermReported && leader is not null)
        {
            // This silo's view of the leader for the network model (NetworkLeaders): once per term per member.
            _leaderTermReported = header.Term;
            ServiceProvider.GetRequiredService<Infrastructure.NetworkLeaders>().Set(ChainId, leader, header.Term);
        }

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

    /// <summary>
    /// This member's own standing, from its own pool (not rotation's view of it): eligible for
    /// <paramref name="epoch"/>, or penalized (jailed, exiting, tombstoned) but still seated on the committee that was
    /// sitting when the penalty was first seen here — a penalty takes a member off the committees after that one
    /// (PROTOCOL.md §5). So a jail notice rotation never received cannot keep a jailed member voting.
    /// </summary>
    private bool MaySit(ulong epoch)
    {
        var pool = _state.State.Pool;
        if (pool is null) return false;
        if (pool.IsEligibleAt(epoch))
        {
            _barredFrom = null;
            return true;
        }
        _barredFrom ??= epoch + 1;
        return epoch < _barredFrom;
    }

    private ulong? _barredFrom;

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

    /// <summary>The committee of <paramref name="epoch"/> as rotation holds it (cached for the last few epochs); null when unknown.</summary>
    private async Task<Committee?> CommitteeOf(ulong epoch)
    {
        if (_committees.TryGetValue(epoch, out var committee)) return committee;
        var seats = await GrainFactory.Rotation(ChainId).GetCommittee(epoch);
        if (seats.Length == 0) return null;
        committee = new Committee(seats);
        _committees[epoch] = committee;
        if (_committees.Count > 8) _committees.Remove(_committees.Keys.Min());
        return committee;
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
