using ActorRollup.Grains.Infrastructure;
using ActorRollup.Abstractions;
using ActorRollup.Abstractions.Config;
using ActorRollup.Abstractions.Messages;
using ActorRollup.Abstractions.Security;
using ActorRollup.Core.Execution;
using ActorRollup.Core.Primitives;

namespace ActorRollup.Grains.Chain;

// Queries: they read immutable snapshots and interleave with everything.
public sealed partial class ChainGrain
{
    /// <summary>The widest <see cref="GetBlockHashes"/> range: the largest batch (Chain:BatchSize ≤ 10,000).</summary>
    public const ulong MaxHashesPerQuery = ChainConfig.MaxBatchSize;
    /// <summary>The most addresses one <see cref="GetAccounts"/> call reads.</summary>
    public const int MaxAccountsPerQuery = 100_000;
    private const int AuditAttempts = 50;

    public Task<ChainHead> GetHead()
    {
        var s = _state.State;
        return Task.FromResult(new ChainHead(s.Height, s.HeadHash, _head.Root, s.Term?.Epoch ?? 0, s.Term?.Term ?? 0, s.ValidatedHeight, s.FinalizedHeight)
            { OldestRetainedHeight = OldestRetainedHeight });
    }

    public async Task<ChainStatus> GetStatus()
    {
        var s = _state.State;
        if (s.Genesis is null) return new ChainStatus(ChainId, 0, 0, 0, 0, 0, "", [], 0, false, "not bootstrapped", default, default, 0, 0, 0);
        var rotation = await GrainFactory.Rotation(ChainId).GetStatus();
        var mempool = await GrainFactory.Mempool(ChainId).GetStats();
        var term = rotation.Current ?? s.Term;
        return new ChainStatus(ChainId, s.Height, s.ValidatedHeight, s.FinalizedHeight, term?.Epoch ?? 0, term?.Term ?? 0,
            term?.LeaderId ?? "", term?.Committee ?? [], mempool.Pending, rotation.Halted, rotation.HaltReason, s.HeadHash, _head.Root,
            rotation.Failovers, s.Rollbacks.Count, Core.Execution.Genesis.TotalBalance(_head));
    }

    public async Task<BlockView?> GetBlock(ulong height)
    {
        var record = await ReadRecord(height);
        if (record is null) return null;
        var h = record.Block.Header;
        return new BlockView(h.Height, h.Hash, h.ParentHash, h.Epoch, h.Term, h.ProposerId, h.StateRoot, h.TxRoot,
            record.Block.Entries.Count, record.Certificate.Signatures.Select(x => x.MemberId).ToArray(), record.SignedPower,
            record.CommitteePower, h.TimestampMs, record.CommittedAtMs, _validatedAt.GetValueOrDefault(height),
            _finalizedAt.GetValueOrDefault(height), record.Block.Entries.Select(e => e.Transaction.Hash).ToArray(), record.AdmittedAtMs, record.Fees)
        {
            AppendReceivedAtMs = record.AppendReceivedAtMs,
        };
    }

    public async Task<CommittedBlock?> GetCommittedBlock(ulong height)
    {
        var record = await ReadRecord(height);
        return record is null ? null : new CommittedBlock(record.Block, record.Certificate, record.CommittedAtMs);
    }

    public async Task<Hash32[]> GetBlockHashes(ulong fromHeight, ulong toHeight)
    {
        if (toHeight >= fromHeight && toHeight - fromHeight >= MaxHashesPerQuery)
            throw new CallRefusedException(CallRefusal.ArgumentOutOfBounds, $"GetBlockHashes reads at most {MaxHashesPerQuery} heights");
        var hashes = new List<Hash32>();
        for (ulong h = fromHeight; h <= toHeight && h <= _state.State.Height; h++)
        {
            var record = await ReadRecord(h);
            if (record is null) break;
            hashes.Add(record.Block.Hash);
        }
        return hashes.ToArray();
    }

    public Task<ChainSnapshot> GetSnapshot() => Task.FromResult(new ChainSnapshot(_state.State.Height, _state.State.HeadHash, _head));

    public Task<Account[]> GetAccounts(Address[] addresses)
    {
        if (addresses is null || addresses.Length > MaxAccountsPerQuery)
            throw new CallRefusedException(CallRefusal.ArgumentOutOfBounds, $"GetAccounts reads at most {MaxAccountsPerQuery} addresses");
        var head = _head;
        return Task.FromResult(addresses.Select(a => head.Get(a)).ToArray());
    }

    public async Task<TxStatus> GetTxStatus(Hash32 hash)
    {
        var s = _state.State;
        if (_lookup.TryFindTransaction(hash, out var h, out var index))
        {
            var record = await ReadRecord(h);
            if (record is not null && index < record.Block.Entries.Count && record.Block.Entries[index].Transaction.Hash == hash)
            {
                var level = h <= s.FinalizedHeight ? TxLevel.Finalized : h <= s.ValidatedHeight ? TxLevel.Validated : TxLevel.SoftConfirmed;
                return new TxStatus(hash, level, h, record.Block.Entries[index].ArrivalSequence,
                    index < record.AdmittedAtMs.Length ? record.AdmittedAtMs[index] : 0,
                    record.CommittedAtMs, _validatedAt.GetValueOrDefault(h), _finalizedAt.GetValueOrDefault(h)) { OldestRetainedHeight = OldestRetainedHeight };
            }
        }
        var admission = (await GrainFactory.Mempool(ChainId).GetAdmissions([hash]))[0];
        // Committed (the mempool's record says so) yet in no retained block: it was in a pruned block, which was final.
        // Not during a rollback, whose deleted blocks' transactions leave the index before the mempool takes them back.
        if (admission.Committed && s.PrunedHeight > 0 && !_rollingBack && !_lookup.ContainsTransaction(hash))
            return new TxStatus(hash, TxLevel.Finalized, 0, admission.ArrivalSequence, admission.AdmittedAtMs, 0, 0, 0)
                { OldestRetainedHeight = OldestRetainedHeight, Pruned = true };
        return admission.Known
            ? new TxStatus(hash, TxLevel.Admitted, 0, admission.ArrivalSequence, admission.AdmittedAtMs, 0, 0, 0) { OldestRetainedHeight = OldestRetainedHeight }
            : new TxStatus(hash, TxLevel.Unknown, 0, 0, 0, 0, 0, 0) { OldestRetainedHeight = OldestRetainedHeight };
    }

    /// <summary>
    /// A snapshot: the chain's own figures (L2 balances, fees in flight) are taken together with no await between them,
    /// and the whole audit is taken again if a finalization — which credits fees in flight to the pools — ran or was
    /// running while the other grains were read (a seqlock on <see cref="_finalizeVersion"/>), so no block's fees are
    /// counted twice or not at all.
    /// </summary>
    public async Task<SupplyAudit> AuditSupply()
    {
        // The audit's reads are instrumentation, not traffic a deployment carries: the network model lets them pass at
        // memory speed (a snapshot that needs a quiet moment between finalizations cannot wait out WAN round trips).
        using var unmodelled = NetworkFilter.Unmodelled();
        for (int attempt = 1; ; attempt++)
        {
            var version = _finalizeVersion;
            var finalizedBefore = _state.State.FinalizedHeight;
            var audit = version % 2 == 0 ? await ReadSupply() : null;
            if (audit is not null && version == _finalizeVersion && finalizedBefore == _state.State.FinalizedHeight) return audit;
            if (attempt >= AuditAttempts) throw new TimeoutException($"chain {ChainId}: no quiet moment between finalizations for a supply snapshot");
            await Task.Delay(5 * attempt);
        }
    }

    private async Task<SupplyAudit> ReadSupply()
    {
        var s = _state.State;
        var genesis = Genesis;
        // The chain's own figures at one instant: the head's balances and the fees of every non-final block.
        var head = _head;
        UInt128 feesInFlight = 0;
        var missing = new List<ulong>();
        for (ulong h = s.FinalizedHeight + 1; h <= s.Height; h++)
        {
            if (_recent.TryGetValue(h, out var cached)) feesInFlight += cached.Fees;
            else missing.Add(h);
        }
        foreach (var h in missing) feesInFlight += (await ReadRecord(h))?.Fees ?? 0;
        // Genesis supply: L2 accounts, sequencer owners' L1 funding (self-stake included), validator bonds.
        var genesisState = _stateAt.GetValueOrDefault(0UL) ?? GenesisBuilder.BuildState(genesis);
        UInt128 genesisSupply = Core.Execution.Genesis.TotalBalance(genesisState);
        foreach (var seq in genesis.Sequencers) genesisSupply += Token.FromTokens(seq.StakeTokens) + Token.FromTokens(genesis.OwnerL1Tokens);
        foreach (var v in genesis.Validators) genesisSupply += Token.FromTokens(v.BondTokens);

        UInt128 l1 = 0, bonded = 0, unbonding = 0, pools = 0, minted = 0, burned = 0, validatorBonds = 0, validatorRewards = 0;
        var sequencerIds = (await GrainFactory.Rotation(ChainId).GetSequencerIds()).Union(genesis.Sequencers.Select(x => x.Id)).ToArray();
        var owners = new HashSet<Address>();
        foreach (var id in sequencerIds)
        {
            var supply = await GrainFactory.Sequencer(ChainId, id).GetSupply();
            bonded += supply.Bonded;
            unbonding += supply.Unbonding;
            pools += supply.RewardPool;
            minted += supply.Minted;
            burned += supply.Burned;
            owners.Add((await GrainFactory.Sequencer(ChainId, id).GetView()).Owner);
        }
        foreach (var owner in owners) l1 += (await GrainFactory.Staker(ChainId, owner).GetView()).Balance;
        foreach (var v in genesis.Validators)
        {
            var view = await GrainFactory.Validator(ChainId, v.Id).GetView();
            validatorBonds += view.Bond;
            validatorRewards += view.Rewards;
            burned += Token.FromTokens(v.BondTokens) - view.Bond;
        }
        return new SupplyAudit(Core.Execution.Genesis.TotalBalance(head), feesInFlight, l1, bonded, unbonding, pools, validatorBonds,
            validatorRewards, genesisSupply, minted, burned, Core.Execution.Genesis.TotalTokens(head), Core.Execution.Genesis.TotalTokens(genesisState));
    }

    public Task<RollbackRecord[]> GetRollbacks() => Task.FromResult(_state.State.Rollbacks.ToArray());

    public Task<ChainGenesis?> GetGenesis() => Task.FromResult(_state.State.Genesis);

    public async Task<StateCheckpoint?> GetCheckpoint() =>
        await _checkpoints.ReadAsync(CheckpointKey) is { } checkpoint && checkpoint.Height <= _state.State.Height ? checkpoint : null;

    private async Task<BlockRecord?> ReadRecord(ulong height)
    {
        if (height == 0 || height > _state.State.Height) return null;
        if (height <= _state.State.PrunedHeight) throw PrunedRefusal(height);
        if (_recent.TryGetValue(height, out var cached)) return cached;
        return await _blocks.ReadAsync(BlockKey(height));
    }
}
