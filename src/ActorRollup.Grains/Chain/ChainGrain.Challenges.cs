using ActorRollup.Abstractions;
using ActorRollup.Abstractions.Messages;
using ActorRollup.Core.Blocks;
using ActorRollup.Core.Execution;
using ActorRollup.Core.Primitives;
using ActorRollup.Core.Staking;
using Microsoft.Extensions.Logging;

namespace ActorRollup.Grains.Chain;

// Challenges, rollbacks and equivocation (PROTOCOL.md §7, §8).
public sealed partial class ChainGrain
{
    public async Task<ChallengeResult> Challenge(FraudProof proof)
    {
        var s = _state.State;
        ChallengeResult Refuse(ChainReason reason)
        {
            _metrics.Refused(ChainId, "challenge", reason.ToString());
            return new ChallengeResult(reason, "", false, 0, 0, 0, [], []);
        }

        // Cheap checks first (lookups, lengths), then the one signature check, and only then the votes (every other
        // validator re-executes): a forged or mutated proof is refused before it costs anything and changes nothing.
        if (s.Genesis is null) return Refuse(ChainReason.NotBootstrapped);
        if (proof is null) return Refuse(ChainReason.BadEvidence);
        if (proof.ChallengerId is null || !s.ValidatorBonds.ContainsKey(proof.ChallengerId)) return Refuse(ChainReason.UnknownValidator);
        if (proof.Height == 0 || proof.Height > s.Height) return Refuse(ChainReason.UnknownBlock);
        if (proof.Height <= s.FinalizedHeight) return Refuse(ChainReason.BlockFinalized);
        if (!_recent.TryGetValue(proof.Height, out var bad) || bad.Block.Hash != proof.BlockHash) return Refuse(ChainReason.UnknownBlock);
        if (proof.ChallengerSignature is not { Length: Core.Crypto.Ed25519.SignatureSize } || !Enum.IsDefined(proof.Violation))
            return Refuse(ChainReason.BadEvidence);
        // Checked against the challenger's published key (the genesis's public view), never a key derived here.
        if (Genesis.Validator(proof.ChallengerId)?.PublicKey is not { } challengerKey) return Refuse(ChainReason.UnknownValidator);
        var unsignedProof = proof with { ChallengerSignature = [] };
        if (!Core.Crypto.Ed25519.Verify(challengerKey, ProofPayload(unsignedProof), proof.ChallengerSignature))
            return Refuse(ChainReason.BadEvidence);

        var challengeId = $"{ChainId}/challenge-{++s.ChallengeCounter}";
        // Every other validator checks the proof independently against its own replica and votes.
        var others = s.ValidatorBonds.Keys.Where(v => v != proof.ChallengerId).ToArray();
        var votes = await Task.WhenAll(others.Select(async v =>
        {
            try
            {
                return await GrainFactory.Validator(ChainId, v).Vote(proof).WaitAsync(VoteTimeout);
            }
            catch (Exception e) when (e is TimeoutException or OrleansException)
            {
                return new ChallengeVote(v, false, "no vote (unreachable)");
            }
        }));
        var agreed = votes.Where(v => v.Agrees).Select(v => v.ValidatorId).Append(proof.ChallengerId).ToArray();
        var disagreed = votes.Where(v => !v.Agrees).Select(v => v.ValidatorId).ToArray();
        decimal agreedBond = agreed.Sum(v => (decimal)s.ValidatorBonds[v]);
        decimal totalBond = s.ValidatorBonds.Values.Sum(b => (decimal)b);
        bool succeeded = 3 * agreedBond > 2 * totalBond;

        if (!succeeded)
        {
            s.Strikes[proof.ChallengerId] = s.Strikes.GetValueOrDefault(proof.ChallengerId) + 1;
            await _state.WriteStateAsync();
            await GrainFactory.Validator(ChainId, proof.ChallengerId).OnChallengeDecided(challengeId, false, 0);
            _metrics.Refused(ChainId, "challenge", ChainReason.ChallengeRejected.ToString());
            _log.LogWarning("chain {Chain}: challenge {Id} by {Validator} against block {Height} rejected ({Agreed} agree, {Disagreed} disagree)",
                ChainId, challengeId, proof.ChallengerId, proof.Height, agreed.Length, disagreed.Length);
            return new ChallengeResult(ChainReason.ChallengeRejected, challengeId, false, 0, 0, 0, agreed, disagreed);
        }

        // The decision is recorded first: it is the evidence settlement, the offender and the reporters check. Settlement
        // is asked before anything is rewritten: a rollback reaching a height it has finalized is refused there, and then
        // the chain changes nothing either (a rollback completes or does not happen).
        var offender = bad.Block.Header.ProposerId;
        var reporterAddresses = agreed.Select(ValidatorAddress).ToArray();
        var order = new SlashOrder(challengeId, offender, SlashKind.InvalidStateRoot, bad.Block.Header.Epoch, reporterAddresses, proof.Height, false, 0, []);
        RecordSlashOrder(order);
        var withdrawn = await GrainFactory.Settlement(ChainId).Revert(challengeId, proof.Height);
        if (withdrawn != SettlementReason.Ok)
        {
            DropSlashOrder(challengeId);
            _log.LogWarning("chain {Chain}: challenge {Id} against block {Height} upheld but not applied: settlement answered {Reason}",
                ChainId, challengeId, proof.Height, withdrawn);
            return Refuse(withdrawn == SettlementReason.Finalized ? ChainReason.BlockFinalized : ChainReason.BadEvidence);
        }

        var (deleted, requeued) = await RollBack(proof.Height, challengeId, bad, proof.Violation);

        // Slash and jail the offender; its reporters share the reporter part, the rest is burned.
        var slash = await GrainFactory.Sequencer(ChainId, offender).Slash(SlashKind.InvalidStateRoot, reporterAddresses, bad.Block.Header.Epoch, challengeId);
        CompleteSlashOrder(order, slash);
        await _state.WriteStateAsync();
        if (slash.IsOk)
        {
            _metrics.Slashes.Add(1, new KeyValuePair<string, object?>("chain", ChainId), new("kind", SlashKind.InvalidStateRoot.ToString()));
            for (int i = 0; i < agreed.Length && i < slash.ReportersPaid; i++)
                await GrainFactory.Validator(ChainId, agreed[i]).OnChallengeDecided(challengeId, true, slash.PerReporter);
        }
        foreach (var v in agreed.Skip(slash.IsOk ? slash.ReportersPaid : 0))
            await GrainFactory.Validator(ChainId, v).OnChallengeDecided(challengeId, true, 0);

        // The offender's leadership ends at once (immediate failover).
        var newTerm = await GrainFactory.Rotation(ChainId).ForceFailover(bad.Block.Header.Term, $"rolled back block {proof.Height}: {proof.Violation}", s.Height);
        if (newTerm is not null) await SetLeadership(newTerm);
        await _state.WriteStateAsync();
        return new ChallengeResult(ChainReason.Ok, challengeId, true, proof.Height, deleted, requeued, agreed, disagreed);
    }

    /// <summary>The bytes a challenger signs: the proof's fields without its signature.</summary>
    public static byte[] ProofPayload(FraudProof proof)
    {
        var w = new Core.Encoding.CanonicalWriter(200);
        w.WriteRaw("ActorRollup/challenge/v1"u8);
        w.WriteString8(proof.ChallengerId);
        w.WriteU64(proof.Height);
        w.WriteHash(proof.BlockHash);
        w.WriteHash(proof.PreStateRoot);
        w.WriteHash(proof.RecomputedRoot);
        w.WriteU8((byte)proof.Violation);
        return w.ToArray();
    }

    /// <summary>A genesis validator's L1 address: the address of its published public key.</summary>
    private Address ValidatorAddress(string validatorId) =>
        Address.FromPublicKey(Genesis.Validator(validatorId)?.PublicKey ?? throw new InvalidOperationException($"validator {validatorId} has no published key"));

    /// <summary>
    /// Deletes the block at <paramref name="fromHeight"/> and every later one, returns the state to the parent's,
    /// and re-queues every transaction of the deleted blocks with its original arrival sequence.
    /// </summary>
    private async Task<(int Deleted, int Requeued)> RollBack(ulong fromHeight, string challengeId, BlockRecord bad, BlockFault violation)
    {
        _rollingBack = true;
        try
        {
            return await RollBackCore(fromHeight, challengeId, bad, violation);
        }
        finally
        {
            _rollingBack = false;
        }
    }

    private async Task<(int Deleted, int Requeued)> RollBackCore(ulong fromHeight, string challengeId, BlockRecord bad, BlockFault violation)
    {
        var s = _state.State;
        var deletedRecords = new List<BlockRecord>();
        for (ulong h = fromHeight; h <= s.Height; h++)
        {
            if (_recent.Remove(h, out var record)) deletedRecords.Add(record);
            _stateAt.Remove(h);
            _validations.Remove(h);
            _validatedAt.Remove(h);
        }
        ulong parent = fromHeight - 1;
        _head = _stateAt[parent];
        s.Height = parent;
        s.HeadHash = parent == 0 ? s.GenesisHash : _recent[parent].Block.Hash;
        if (s.ValidatedHeight > parent) s.ValidatedHeight = parent;
        s.RolledBackHashes.AddRange(deletedRecords.Select(r => r.Block.Hash));
        if (s.RolledBackHashes.Count > 256) s.RolledBackHashes.RemoveRange(0, s.RolledBackHashes.Count - 256);
        await _state.WriteStateAsync();
        _lookup.RemoveFrom(fromHeight);
        foreach (var record in deletedRecords) await _blocks.ClearAsync(BlockKey(record.Block.Header.Height));

        // Nothing admitted is lost: every transaction of the deleted blocks goes back, in original order; the
        // mempool drops the ones the restored state makes impossible (which were never valid).
        var entries = deletedRecords.SelectMany(r => r.Block.Entries).OrderBy(e => e.ArrivalSequence).ToArray();
        var touched = entries.Select(e => e.Transaction.Sender).Distinct().ToArray();
        int requeued = await GrainFactory.Mempool(ChainId).Requeue(entries, touched.Select(a => _head.Get(a)).ToArray(), touched);
        await Task.WhenAll(s.ValidatorBonds.Keys.Select(v => GrainFactory.Validator(ChainId, v).OnRolledBack(fromHeight, s.HeadHash)));
        // Settlement withdrew the batches before the rewrite (Challenge); a batch of the deleted blocks posted since goes too.
        // Nothing of them can have become final meanwhile (the head only went down), so this cannot be refused for finality.
        var again = await GrainFactory.Settlement(ChainId).Revert(challengeId, fromHeight);
        if (again != SettlementReason.Ok)
            _log.LogError("chain {Chain}: settlement refused the second withdrawal from block {Height}: {Reason}", ChainId, fromHeight, again);

        var now = NowMs;
        var rollback = new RollbackRecord(challengeId, fromHeight, deletedRecords.Count, bad.Block.Header.ProposerId, violation,
            bad.CommittedAtMs, now, _head.Root);
        s.Rollbacks.Add(rollback);
        if (s.Rollbacks.Count > 100) s.Rollbacks.RemoveAt(0);
        _metrics.Rollbacks.Add(1, new KeyValuePair<string, object?>("chain", ChainId));
        _log.LogWarning("chain {Chain}: rolled back {Depth} block(s) from {Height} ({Violation} by {Offender}); {Requeued} transaction(s) re-queued; head {Head}",
            ChainId, deletedRecords.Count, fromHeight, violation, bad.Block.Header.ProposerId, requeued, parent);
        return (deletedRecords.Count, requeued);
    }

    public Task<AppendResult> RequestRollback(ulong fromHeight, string reason)
    {
        // A rollback only ever comes out of a successful challenge (Challenge above); no caller may ask for one.
        _metrics.Refused(ChainId, "rollback", ChainReason.RollbackWithoutProof.ToString());
        _log.LogWarning("chain {Chain}: refused a rollback from {Height} without a successful challenge ({Reason})", ChainId, fromHeight, reason);
        return Task.FromResult(new AppendResult(ChainReason.RollbackWithoutProof, fromHeight, default, "a rollback needs a successful challenge"));
    }

    public async Task<AppendResult> ReportEquivocation(EquivocationEvidence evidence, string reporterId)
    {
        var s = _state.State;
        if (evidence?.First?.Header is null || evidence.Second?.Header is null) return new(ChainReason.BadEvidence, 0, default, "incomplete evidence");
        var header = evidence.First.Header;
        if (s.Genesis is null) return new(ChainReason.NotBootstrapped, 0, default);
        if (header.ChainId != ChainId || evidence.Second.Header.ChainId != ChainId) return new(ChainReason.WrongChain, header.Height, header.Hash);
        var offender = header.ProposerId;
        // Cheap checks before any lookup or signature check: the two headers must be one slot of one proposer, different
        // blocks, of an epoch the chain has reached (a forged far epoch costs nothing).
        var second = evidence.Second.Header;
        if (second.Height != header.Height || second.Term != header.Term || second.ProposerId != offender || second.Epoch != header.Epoch
            || header.Hash == second.Hash || header.Epoch == 0 || header.Epoch > (s.Term?.Epoch ?? 0) || offender is not { Length: > 0 and <= 128 })
        {
            _metrics.Refused(ChainId, "evidence", ChainReason.BadEvidence.ToString());
            return new(ChainReason.BadEvidence, header.Height, header.Hash, "not two blocks of one slot of a reached epoch");
        }
        var seats = await GrainFactory.Rotation(ChainId).GetCommittee(header.Epoch);
        var seat = seats.FirstOrDefault(x => x.Id == offender);
        if (seat is null || evidence.Verify(seat.PublicKey) != EvidenceReason.Ok)
        {
            _metrics.Refused(ChainId, "evidence", ChainReason.BadEvidence.ToString());
            return new(ChainReason.BadEvidence, header.Height, header.Hash, seat is null ? "proposer not on that epoch's committee" : evidence.Verify(seat.PublicKey).ToString());
        }
        if (s.Tombstoned.Contains(offender)) return new(ChainReason.Ok, header.Height, header.Hash, "already tombstoned");

        // The reporter is rewarded through its owner — only a registered sequencer's (the audit counts owners' L1
        // balances); an unknown reporter id reports nothing, and the whole slash is burned.
        Address[] reporters = [];
        if (reporterId is { Length: > 0 and <= 128 } && reporterId != offender)
        {
            var reporter = await GrainFactory.Sequencer(ChainId, reporterId).GetView();
            if (reporter.Status != "Unregistered" && reporter.Owner != default) reporters = [reporter.Owner];
        }
        var evidenceId = SlashEvidence.Equivocation(header.Height, header.Term);
        var order = new SlashOrder(evidenceId, offender, SlashKind.Equivocation, header.Epoch, reporters, 0, false, 0, []);
        s.Tombstoned.Add(offender);
        RecordSlashOrder(order);
        await _state.WriteStateAsync();

        var slash = await GrainFactory.Sequencer(ChainId, offender).Slash(SlashKind.Equivocation, reporters, header.Epoch, evidenceId);
        order = CompleteSlashOrder(order, slash);
        await _state.WriteStateAsync();
        if (slash.IsOk)
        {
            _metrics.Slashes.Add(1, new KeyValuePair<string, object?>("chain", ChainId), new("kind", SlashKind.Equivocation.ToString()));
            foreach (var reporter in order.Rewarded) await GrainFactory.Staker(ChainId, reporter).CreditReward(order.PerReporter, evidenceId);
        }
        _log.LogWarning("chain {Chain}: equivocation by {Offender} at height {Height} term {Term}: tombstoned", ChainId, offender, header.Height, header.Term);
        var current = s.Term;
        if (current is not null && current.LeaderId == offender)
        {
            var newTerm = await GrainFactory.Rotation(ChainId).ForceFailover(current.Term, $"equivocation by {offender}", s.Height);
            if (newTerm is not null) await SetLeadership(newTerm);
            await _state.WriteStateAsync();
        }
        return new(ChainReason.Ok, header.Height, header.Hash);
    }
}
