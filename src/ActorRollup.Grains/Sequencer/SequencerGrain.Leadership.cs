using ActorRollup.Abstractions;
using ActorRollup.Abstractions.Messages;
using ActorRollup.Core.Blocks;
using ActorRollup.Core.Crypto;
using ActorRollup.Core.Execution;
using ActorRollup.Core.Primitives;
using ActorRollup.Core.Scheduling;
using ActorRollup.Core.Staking;
using ActorRollup.Core.State;
using ActorRollup.Core.Transactions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ActorRollup.Grains.Sequencer;

// Block production while this sequencer leads (PROTOCOL.md §7): every block interval, take the policy-ordered
// transactions from the mempool, execute them on the leader's replica, sign the header, gather a quorum
// certificate from the committee in parallel, and append. Pipelined: once the term's first block is on the chain, the
// leader proposes the next block on the previous one's post-state while that one is still being attested (up to
// Chain:PipelineDepth in flight), and appends them in height order, so a WAN quorum round trip overlaps the blocks
// after it instead of adding to each. A block that missed its quorum is proposed again unchanged, with the ones after
// it (a different block at a height and term already proposed would be equivocation).
public sealed partial class SequencerGrain
{
    private LeadershipTerm? _term;
    private IGrainTimer? _blockTimer;
    private bool _producing;
    private ulong _headHeight;
    private Hash32 _headHash;
    private StateTree _headState = StateTree.Empty;
    private bool _postingBatches;
    private string? _loadTestSeed;

    /// <summary>A proposed block not yet on the chain: its post-state and its attestation round (null: to be sent again).</summary>
    private sealed class InFlight(Block block, StateTree postState)
    {
        public Block Block { get; } = block;
        public StateTree PostState { get; } = postState;
        public Task<(QuorumCertificate? Certificate, long Gathered, bool WrongParent, int Answered)>? Round { get; set; }
        /// <summary>When the current round started (Stopwatch timestamp).</summary>
        public long RoundStartedAt { get; set; }
    }

    /// <summary>When this leader last appended a block (Stopwatch timestamp).</summary>
    private long _lastAppendedAt;

    /// <summary>The blocks in flight, in height order: the first builds on the head, each next one on the one before.</summary>
    private readonly List<InFlight> _pipeline = [];
    /// <summary>The highest height this leader proposed in <see cref="_term"/>: it never proposes another block at or below it.</summary>
    private ulong _proposedUpTo;
    /// <summary>Set when the oldest block missed its quorum: nothing new is proposed until a block is appended again.</summary>
    private bool _stalled;
    private long _lastProposedAt;
    private bool _lastProposedFull;

    public async Task BeginLeadership(LeadershipTerm term)
    {
        if (_term is not null && term.Term <= _term.Term) return;
        // Its own standing first: a jailed or tombstoned sequencer does not lead, whatever rotation believes of it; it
        // asks rotation to hand the term on (without waiting: rotation is the caller).
        if (_state.State.Pool is not { } pool || pool.Status == SequencerStatus.Tombstoned
            || (pool.Status == SequencerStatus.Jailed && !pool.IsEligibleAt(term.Epoch)))
        {
            _log.LogWarning("sequencer {Chain}/{Id}: declines term {Term}: its pool is {Status}", ChainId, Id, term.Term, _state.State.Pool?.Status.ToString() ?? "unregistered");
            _ = DeclineLeadership(term);
            return;
        }
        _term = term;
        ServiceProvider.GetRequiredService<Infrastructure.NetworkLeaders>().Set(ChainId, Id, term.Term); // this silo's view for the network model
        ResetPipeline();
        await SyncHead();
        var interval = TimeSpan.FromMilliseconds(_state.State.Config?.BlockIntervalMs ?? 250);
        _blockTimer?.Dispose();
        _blockTimer = this.RegisterGrainTimer(ProduceTick, new GrainTimerCreationOptions
        {
            DueTime = TimeSpan.Zero, Period = interval, Interleave = true, KeepAlive = true,
        });
        _log.LogInformation("sequencer {Chain}/{Id}: leading term {Term} (epoch {Epoch}, heights {First}..{Last}) from head {Head}",
            ChainId, Id, term.Term, term.Epoch, term.FirstHeight, term.LastHeight, _headHeight);
        _ = PostDueBatches();
    }

    private async Task DeclineLeadership(LeadershipTerm term)
    {
        try
        {
            var head = await GrainFactory.Chain(ChainId).GetHead();
            await GrainFactory.Rotation(ChainId).ForceFailover(term.Term, $"{Id} declined: not in good standing", head.Height);
        }
        catch (Exception e) when (e is TimeoutException or OrleansException or Abstractions.Security.CallRefusedException)
        {
            _log.LogWarning("sequencer {Chain}/{Id}: declining term {Term} failed: {Error}", ChainId, Id, term.Term, e.Message);
        }
    }

    public Task EndLeadership(ulong term)
    {
        if (_term is not null && _term.Term == term) StopLeading();
        return Task.CompletedTask;
    }

    private void StopLeading()
    {
        _blockTimer?.Dispose();
        _blockTimer = null;
        _term = null;
        ResetPipeline();
    }

    private void ResetPipeline()
    {
        _pipeline.Clear();
        _proposedUpTo = 0;
        _stalled = false;
        _lastProposedFull = false;
    }

    private async Task SyncHead()
    {
        _loadTestSeed ??= (await GrainFactory.Chain(ChainId).GetGenesis())?.LoadTestSeed;
        var snapshot = await GrainFactory.Chain(ChainId).GetSnapshot();
        _headHeight = snapshot.Height;
        _headHash = snapshot.Hash;
        _headState = snapshot.State;
    }

    /// <summary>Where the next block builds: on the last block in flight, or on the head.</summary>
    private (ulong Height, Hash32 Hash, StateTree State) Tip() =>
        _pipeline.Count > 0 ? (_pipeline[^1].Block.Header.Height, _pipeline[^1].Block.Hash, _pipeline[^1].PostState) : (_headHeight, _headHash, _headState);

    /// <summary>Room for another block: one at a time until the term's first block is on the chain (its parent is the
    /// previous leader's head, which may still move), then up to <c>Chain:PipelineDepth</c>; none while stalled.</summary>
    private bool HasRoom(LeadershipTerm term)
    {
        if (_stalled) return false;
        int depth = _headHeight >= term.FirstHeight ? Math.Max(1, _state.State.Config!.PipelineDepth) : 1;
        return _pipeline.Count < depth && term.Covers(Tip().Height + 1);
    }

    private async Task ProduceTick(CancellationToken cancellationToken)
    {
        if (_producing || _term is null || Crashed || _state.State.Config is null || Lifetime.IsStopping) return;
        _producing = true;
        try
        {
            await RunPipeline(_term);
        }
        catch (Exception e) when (e is TimeoutException or OrleansException)
        {
            _log.LogWarning("sequencer {Chain}/{Id}: block production failed: {Error}", ChainId, Id, e.Message);
        }
        finally
        {
            _producing = false;
        }
    }

    /// <summary>
    /// The production loop, started by a timer tick: propose a block if there is room, then keep the pipeline moving —
    /// append each block as its certificate completes, in height order, and propose the next one when the interval has
    /// passed or the last one was full (under load the cadence is the pipeline's, not the timer's). It runs while this
    /// member leads the term; it returns when the term's heights are all proposed, when a round failed (the next tick
    /// sends it again) or when production fails (the next tick starts it again).
    /// </summary>
    private async Task RunPipeline(LeadershipTerm term)
    {
        var interval = TimeSpan.FromMilliseconds(_state.State.Config!.BlockIntervalMs);
        bool tick = true;
        while (_term == term && !Crashed && !Lifetime.IsStopping)
        {
            for (int i = 0; i < _pipeline.Count; i++) _pipeline[i].Round ??= StartRound(i, term); // re-sent unchanged
            var sinceLast = System.Diagnostics.Stopwatch.GetElapsedTime(_lastProposedAt);
            if (HasRoom(term) && (tick || _lastProposedFull || sinceLast >= interval))
            {
                tick = false;
                if (await Propose(term)) continue;
            }
            tick = false;
            if (_pipeline.Count == 0)
            {
                // Nothing in flight: wait for the next block's moment here rather than for the next timer tick, which
                // Orleans schedules a period after this callback ends (that would make the cadence interval + round).
                if (!HasRoom(term) || _stalled) return;
                var due = interval - sinceLast;
                if (due > TimeSpan.Zero) await Task.Delay(due);
                continue;
            }
            var oldest = _pipeline[0].Round!;
            if (!oldest.IsCompleted)
            {
                if (HasRoom(term)) await Task.WhenAny(oldest, Task.Delay(interval - sinceLast < TimeSpan.FromMilliseconds(1) ? TimeSpan.FromMilliseconds(1) : interval - sinceLast));
                else await oldest;
                continue;
            }
            if (!await Settle(term)) return;
        }
    }

    /// <summary>Takes the next batch (after what the blocks in flight hold), builds the block on the tip and starts its round.</summary>
    private async Task<bool> Propose(LeadershipTerm term)
    {
        var config = _state.State.Config!;
        if (_fault.Kind == SequencerFaultKind.Slow)
        {
            await Task.Delay(_fault.DelayMs);
            if (_term != term || Crashed || !HasRoom(term)) return false;
        }
        var extend = _pipeline.Count > 0;
        var censored = _fault.Kind == SequencerFaultKind.Censor ? _fault.Target : null;
        var height = Tip().Height + 1;
        PendingBatch batch;
        if (config.Ordering == OrderingPolicy.Encrypted)
        {
            // Commit-reveal (PROTOCOL.md §12.5): the order is committed on the sealed batch, the contents come after.
            var mempool = GrainFactory.Mempool(ChainId);
            var sealedBatch = await mempool.TakeSealedBatch(config.MaxTxPerBlock, censored, term.Term, extend);
            if (_term != term || Crashed || !HasRoom(term) || extend != _pipeline.Count > 0 || Tip().Height + 1 != height) return false;
            batch = await mempool.CommitOrder(height, term.Term, sealedBatch.Hashes);
            if (_fault.Kind == SequencerFaultKind.BackRunAfterReveal && batch.Count > 0) batch = await BackRunAfterReveal(batch, Tip().State);
        }
        else batch = await GrainFactory.Mempool(ChainId).TakeBatch(config.MaxTxPerBlock, censored, term.Term, extend);
        if (_term != term || Crashed || !HasRoom(term) || extend != _pipeline.Count > 0) return false;
        // An encrypted block goes at the height its order was committed for (the next call there reveals the same order).
        if (config.Ordering == OrderingPolicy.Encrypted && Tip().Height + 1 != height) return false;
        var (tipHeight, tipHash, tipState) = Tip();
        var (block, postState) = BuildBlock(term, tipHeight + 1, tipHash, tipState, batch);
        _lastProposedAt = System.Diagnostics.Stopwatch.GetTimestamp();
        _lastProposedFull = block.Entries.Count >= config.MaxTxPerBlock;
        _pipeline.Add(new InFlight(block, postState));
        _proposedUpTo = Math.Max(_proposedUpTo, block.Header.Height);
        _pipeline[^1].Round = StartRound(_pipeline.Count - 1, term);
        return true;
    }

    private Task<(QuorumCertificate? Certificate, long Gathered, bool WrongParent, int Answered)> StartRound(int index, LeadershipTerm term)
    {
        var parent = index > 0 ? _pipeline[index - 1].Round : null;
        _pipeline[index].RoundStartedAt = System.Diagnostics.Stopwatch.GetTimestamp();
        return GatherAttestations(_pipeline[index].Block, term, parent);
    }

    /// <summary>The oldest block's round is over: append it (true: the pipeline moves on), or handle the failure.</summary>
    private async Task<bool> Settle(LeadershipTerm term)
    {
        var config = _state.State.Config!;
        var entry = _pipeline[0];
        var block = entry.Block;
        var (certificate, gathered, wrongParent, answered) = await entry.Round!;
        if (certificate is null)
        {
            if (wrongParent && (await GrainFactory.Chain(ChainId).GetHead()).Hash != block.Header.ParentHash)
            {
                // The head moved under this block (the previous leader's last block landed after the hand-over): it
                // can never be appended. Build on the real head instead — a higher height, not equivocation.
                await Resync(term);
                return false;
            }
            if (entry.RoundStartedAt < _lastAppendedAt)
            {
                // A round that ran while the blocks before it were still failing (a pipelined successor): it says
                // nothing about the committee now that they are on the chain. Send it again at once.
                entry.Round = null;
                return true;
            }
            _stalled = true;
            foreach (var e in _pipeline)
                if (e.Round is { IsCompleted: true } r && (r.IsFaulted || r.IsCanceled || r.Result.Certificate is null)) e.Round = null;
            // No member answered at all (every call lost or timed out): this leader may be the one cut off.
            await GrainFactory.Rotation(ChainId).ReportQuorumFailure(Id, term.Term, block.Header.Height, gathered, term.TotalPower,
                QuorumFailureReport.Sign(Signer, ChainId, term.Term, block.Header.Height), reachedNoMember: answered == 0 && term.Committee.Length > 1);
            return false;
        }

        // Bounded: a call in flight to a chain whose silo just died would otherwise wait out the whole response
        // timeout. On a timeout the same block is offered again on the next tick; if the first attempt did land, the
        // chain answers WrongHeight/WrongParent and the leader re-syncs, keeping what landed.
        var appendTimeout = TimeSpan.FromMilliseconds(Math.Max(3_000, 2 * config.EffectiveLeaderTimeoutMs));
        var result = await GrainFactory.Chain(ChainId).AppendBlock(block, certificate).WaitAsync(appendTimeout);
        if (_term != term) return false;
        if (result.Ok)
        {
            Appended(entry);
            if (block.Header.Height % (ulong)config.BatchSize == 0) _ = PostDueBatches();
            return true;
        }

        _log.LogWarning("sequencer {Chain}/{Id}: block {Height} refused: {Reason} {Detail}", ChainId, Id, block.Header.Height, result.Reason, result.Detail);
        if (result.Reason is ChainReason.StaleTerm or ChainReason.NotLeader or ChainReason.OutsideTerm) StopLeading();
        else if (result.Reason is ChainReason.WrongParent or ChainReason.WrongHeight) await Resync(term);
        else Abandon(term, $"block {block.Header.Height} refused ({result.Reason})");
        return false;
    }

    private void Appended(InFlight entry)
    {
        var block = entry.Block;
        _headHeight = block.Header.Height;
        _headHash = block.Hash;
        _headState = entry.PostState;
        _pipeline.RemoveAt(0);
        _stalled = false;
        _lastAppendedAt = System.Diagnostics.Stopwatch.GetTimestamp();
        _state.State.BlocksProposed++;
    }

    /// <summary>
    /// The chain's head is not what the oldest block builds on: re-read it; blocks of this leader that did land (an
    /// append whose answer was lost) leave the pipeline, and the rest stay if they still link to the head. Otherwise
    /// the pipeline is dropped, and the leader builds on the head unless that would re-propose a height it proposed
    /// in this term (a different block there would be equivocation).
    /// </summary>
    private async Task Resync(LeadershipTerm term)
    {
        await SyncHead();
        while (_pipeline.Count > 0 && _pipeline[0].Block.Header.Height <= _headHeight)
        {
            var height = _pipeline[0].Block.Header.Height;
            var landed = await GrainFactory.Chain(ChainId).GetBlockHashes(height, height);
            if (landed.Length != 1 || landed[0] != _pipeline[0].Block.Hash) break;
            _pipeline.RemoveAt(0);
            _state.State.BlocksProposed++;
        }
        if (_pipeline.Count > 0 && (_pipeline[0].Block.Header.Height != _headHeight + 1 || _pipeline[0].Block.Header.ParentHash != _headHash))
            Abandon(term, $"the head moved to {_headHeight} under the blocks in flight");
        _stalled = false;
    }

    /// <summary>Drops the blocks in flight; stops leading when the next block would re-propose a height already proposed.</summary>
    private void Abandon(LeadershipTerm term, string why)
    {
        _pipeline.Clear();
        if (_term == term && _headHeight + 1 <= _proposedUpTo)
        {
            _log.LogError("sequencer {Chain}/{Id}: {Why}; height {Next} was already proposed in term {Term}, so this leader stops (the leader timeout hands the term on)",
                ChainId, Id, why, _headHeight + 1, term.Term);
            StopLeading();
        }
    }

    /// <summary>Executes the batch on the leader's replica and signs the header; faults shape the block here.</summary>
    private (Block Block, StateTree PostState) BuildBlock(LeadershipTerm term, ulong height, Hash32 parentHash, StateTree parentState, PendingBatch batch)
    {
        var config = _state.State.Config!;
        var entries = batch.Entries().ToList();
        // Faults that falsify content wait for a block with transactions in it (that is where a byzantine leader gains).
        if (_fault.Kind == SequencerFaultKind.Reorder && entries.Count > 1)
        {
            entries.Reverse();
            ConsumeOnceFault(SequencerFaultKind.Reorder);
        }
        if (_fault.Kind == SequencerFaultKind.FrontRun && entries.Count > 0)
        {
            // Arrival sequence 0 is never assigned by the mempool: the insertion has no admission record.
            entries.Insert(0, new BlockEntry(FrontRunTransaction(parentState), 0));
            ConsumeOnceFault(SequencerFaultKind.FrontRun);
        }

        var result = BlockExecutor.Execute(parentState, entries.Select(e => e.Transaction).ToArray(), null, _state.State.Config!.ToChainParameters());
        var included = entries.Where((_, i) => result.Receipts[i].Included).ToArray();
        var postState = result.PostState;
        var claimedRoot = postState.Root;
        if (_fault.Kind == SequencerFaultKind.WrongStateRoot && included.Length > 0)
        {
            claimedRoot = Hash32.Sha256(System.Text.Encoding.UTF8.GetBytes($"forged root {ChainId} {height}"));
            ConsumeOnceFault(SequencerFaultKind.WrongStateRoot);
        }
        else if (_fault.Kind == SequencerFaultKind.WrongBalance && included.Length > 0)
        {
            // Credits the leader's owner tokens out of thin air and commits to that state.
            var owner = _state.State.Pool!.Owner;
            var forged = postState.Set(owner, postState.Get(owner) with { Balance = postState.Get(owner).Balance + Token.FromTokens(1_000) });
            claimedRoot = forged.Root;
            ConsumeOnceFault(SequencerFaultKind.WrongBalance);
        }
        var block = Block.Create(Signer, ChainId, height, term.Epoch, term.Term, parentHash, claimedRoot, NowMs, Id, default, included);
        // Excluded transactions change nothing, so this execution is exactly the block's: share it with the silo.
        var receipts = result.Receipts.Where(r => r.Included).ToArray();
        _execution.Offer(parentState.Root, block.Hash, new ExecutionResult(postState, receipts, result.TotalFees, receipts.Length, result.TouchedAddresses) { ProposerPayments = result.ProposerPayments });

        if (_fault.Kind == SequencerFaultKind.Equivocate)
        {
            // A second, different block for the same height and term, shown to every member after the first.
            var twin = Block.Create(Signer, ChainId, height, term.Epoch, term.Term, parentHash, claimedRoot, block.Header.TimestampMs + 1, Id, default, []);
            ConsumeOnceFault(SequencerFaultKind.Equivocate);
            _ = ShowTwin(term, block, twin);
        }
        return (block, postState);
    }

    private async Task ShowTwin(LeadershipTerm term, Block first, Block twin)
    {
        // Let the first block's attestations land, then present the twin to the committee.
        await Task.Delay(TimeSpan.FromMilliseconds(Math.Max(20, _state.State.Config!.EffectiveAttestationTimeoutMs / 4)));
        foreach (var seat in term.Committee.Where(s => s.Id != Id))
            _ = GrainFactory.Sequencer(ChainId, seat.Id).Attest(twin.Signed);
    }

    /// <summary>The insider's front-run: a transfer signed with load-test account 0's key, never admitted.</summary>
    /// <summary>The fault the encrypted policy exists to stop: having read the revealed contents, the leader writes a
    /// transaction of its own, has it admitted (so it carries a real, later arrival sequence and passes the first-come
    /// check) and appends it to the block — outside the order it committed to.</summary>
    private async Task<PendingBatch> BackRunAfterReveal(PendingBatch revealed, StateTree parentState)
    {
        var tx = FrontRunTransaction(parentState);
        var admitted = (await GrainFactory.Mempool(ChainId).AdmitVerified([tx]))[0];
        if (!admitted.Admitted) return revealed;
        ConsumeOnceFault(SequencerFaultKind.BackRunAfterReveal);
        return new PendingBatch([.. revealed.Transactions, tx], [.. revealed.ArrivalSequences, admitted.ArrivalSequence]);
    }

    private Transaction FrontRunTransaction(StateTree parentState)
    {
        using var key = SigningKey.Derive(_loadTestSeed ?? Abstractions.Config.ChainGenesis.DefaultLoadTestSeed, 0);
        var account = parentState.Get(key.Address);
        return Transaction.Create(key, ChainId, _state.State.Pool!.Owner, 1, account.Nonce, _state.State.Config!.MinGasPrice * 10);
    }

    /// <summary>Asks every committee member in parallel; returns as soon as the signers hold more than 2/3 of the power.
    /// A member that refused a pipelined block for its parent (the parent's request was still on its way to it, or
    /// overtaken on the network) is asked once more after the parent's round is over.</summary>
    private async Task<(QuorumCertificate? Certificate, long Gathered, bool WrongParent, int Answered)> GatherAttestations(Block block, LeadershipTerm term,
        Task<(QuorumCertificate? Certificate, long Gathered, bool WrongParent, int Answered)>? parentRound = null)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var committee = new Committee(term.Committee);
        var signatures = new List<CommitteeSignature>();
        var refusals = new List<string>();
        bool wrongParent = false;
        long power = 0;
        int answered = 0;
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void Add(CommitteeSignature signature, long weight)
        {
            if (done.Task.IsCompleted) return;
            signatures.Add(signature);
            power += weight;
            if (committee.IsQuorum(power)) done.TrySetResult();
        }

        if (committee.TryGet(Id, out var self))
        {
            RememberAttested(block.Signed);
            Add(new CommitteeSignature(Id, Signing.SignAttestation(Signer, block.Hash)), self.Power);
        }
        var timeout = TimeSpan.FromMilliseconds(_state.State.Config!.EffectiveAttestationTimeoutMs);
        async Task<AttestationReply> Ask(string memberId)
        {
            // The deadline cancels the call itself, so a member that never answers keeps no call open.
            using var deadline = new CancellationTokenSource(timeout);
            return await GrainFactory.Sequencer(ChainId, memberId).Attest(block.Signed, deadline.Token);
        }
        var requests = term.Committee.Where(s => s.Id != Id).Select(async seat =>
        {
            try
            {
                var reply = await Ask(seat.Id);
                if (reply.Reason == AttestReason.WrongParent && parentRound is not null && !done.Task.IsCompleted)
                {
                    await ((Task)parentRound).ContinueWith(static _ => { }, TaskScheduler.Current);
                    if (!done.Task.IsCompleted) reply = await Ask(seat.Id);
                }
                answered++;
                if (reply.Ok && reply.Signature is not null) Add(new CommitteeSignature(seat.Id, reply.Signature), seat.Power);
                else
                {
                    refusals.Add($"{seat.Id}: {reply.Reason}");
                    wrongParent |= reply.Reason == AttestReason.WrongParent;
                }
            }
            catch (Exception e) when (e is TimeoutException or OperationCanceledException or OrleansException)
            {
                refusals.Add($"{seat.Id}: {(e is OrleansException ? "unreachable" : "timeout")}"); // does not count
            }
        }).ToArray();
        var all = Task.WhenAll(requests);
        await Task.WhenAny(done.Task, all);
        if (!done.Task.IsCompleted)
        {
            _log.LogWarning("sequencer {Chain}/{Id}: no quorum for block {Height} ({Power}/{Total}): {Refusals}",
                ChainId, Id, block.Header.Height, power, committee.TotalPower, string.Join(", ", refusals));
            return (null, power, wrongParent, answered);
        }
        done.TrySetResult();
        var rtt = System.Diagnostics.Stopwatch.GetElapsedTime(started);
        _metrics.AttestationRtt.Record(rtt.TotalMilliseconds, new KeyValuePair<string, object?>("chain", ChainId));
        _rtts.Enqueue((long)(rtt.TotalMilliseconds * 1000));
        if (_rtts.Count > 20_000) _rtts.Dequeue();
        return (new QuorumCertificate(block.Hash, signatures.ToArray()), power, false, answered);
    }

    // ---------------------------------------------------------------- settlement batches

    /// <summary>Posts every complete batch the settlement layer has not seen yet, each signed by a committee quorum.</summary>
    private async Task PostDueBatches()
    {
        if (_postingBatches || _term is null || Crashed) return;
        _postingBatches = true;
        try
        {
            var config = _state.State.Config!;
            var size = (ulong)config.BatchSize;
            var settlement = GrainFactory.Settlement(ChainId);
            var posted = (await settlement.GetView()).PostedHeight;
            while (_term is not null && posted + size <= _headHeight)
            {
                ulong first = posted + 1, last = posted + size;
                var epoch = new Epochs(config.EpochLength).Of(last);
                var hashes = await GrainFactory.Chain(ChainId).GetBlockHashes(first, last);
                if (hashes.Length != (int)size) return;
                var lastBlock = await GrainFactory.Chain(ChainId).GetBlock(last);
                if (lastBlock is null) return;
                var batch = new BatchHeader(ChainId, last / size, first, last, epoch, lastBlock.StateRoot, BatchHeader.HashOfBlocks(hashes));
                var committee = await GrainFactory.Rotation(ChainId).GetCommittee(epoch);
                var signatures = await GatherBatchSignatures(batch, committee);
                if (signatures is null) return;
                var reason = await settlement.PostBatch(batch, signatures, committee);
                if (reason != SettlementReason.Ok)
                {
                    _log.LogWarning("sequencer {Chain}/{Id}: batch {First}..{Last} refused: {Reason}", ChainId, Id, first, last, reason);
                    return;
                }
                posted = last;
            }
        }
        catch (Exception e) when (e is TimeoutException or OrleansException)
        {
            _log.LogWarning("sequencer {Chain}/{Id}: batch posting failed: {Error}", ChainId, Id, e.Message);
        }
        finally
        {
            _postingBatches = false;
        }
    }

    private async Task<CommitteeSignature[]?> GatherBatchSignatures(BatchHeader batch, CommitteeSeat[] seats)
    {
        if (seats.Length == 0) return null;
        var committee = new Committee(seats);
        var timeout = TimeSpan.FromMilliseconds(_state.State.Config!.EffectiveAttestationTimeoutMs);
        var replies = await Task.WhenAll(seats.Select(async seat =>
        {
            try
            {
                using var deadline = new CancellationTokenSource(timeout);
                return seat.Id == Id
                    ? await SignBatch(batch)
                    : await GrainFactory.Sequencer(ChainId, seat.Id).SignBatch(batch, deadline.Token);
            }
            catch (Exception e) when (e is TimeoutException or OperationCanceledException or OrleansException)
            {
                return new AttestationReply(seat.Id, AttestReason.Offline, null);
            }
        }));
        var signed = replies.Where(r => r.Ok).ToArray();
        long power = signed.Sum(r => committee.TryGet(r.MemberId, out var s) ? s.Power : 0);
        return committee.IsQuorum(power) ? signed.Select(r => new CommitteeSignature(r.MemberId, r.Signature!)).ToArray() : null;
    }
}
