using ActorRollup.Abstractions;
using ActorRollup.Abstractions.Config;
using ActorRollup.Abstractions.Messages;
using ActorRollup.Abstractions.Security;
using ActorRollup.Core.Blocks;
using ActorRollup.Core.Primitives;
using ActorRollup.Core.Scheduling;
using ActorRollup.Core.Staking;
using ActorRollup.Grains.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orleans.Storage;

namespace ActorRollup.Grains.Rotation;

/// <summary>
/// Committee and leader rotation (PROTOCOL.md §6). At each epoch: the committee from the stake snapshot that
/// applies to it (changes count two epochs after they were made; jailed, exiting and tombstoned sequencers are out
/// from the next epoch), the leader by the configured algorithm, a new leadership term. A liveness watch fails a
/// silent leader over within the leader timeout: its term ends at the last committed height and a replacement,
/// chosen by the algorithm skipping the failed leader, leads to the end of the epoch.
/// </summary>
[ChainPlacement]
public sealed class RotationGrain : Grain, IRotationGrain, IRemindable
{
    /// <summary>A durable reminder keeps rotation alive: when the silo holding it dies, the reminder brings it back
    /// on another silo, and with it the liveness watch — so a chain whose leader and rotation died together still
    /// fails over. (Grain timers die with their activation; reminders are stored with the cluster.)</summary>
    private const string KeepAliveReminder = "keep-alive";
    /// <summary>1 s (Orleans' reminder floor is lowered to 1 s in RollupSilo.AddDurability): after a silo kill the
    /// survivors' reminder service takes the dead silo's reminders over once it is declared dead, and rotation is back
    /// within a period of that. A tick is an in-memory timer of the reminder service, not a storage write.</summary>
    private static readonly TimeSpan KeepAlivePeriod = TimeSpan.FromSeconds(1);

    private const int CommitteeHistory = 8;
    private const int TermHistory = 256;
    /// <summary>The most epochs <see cref="GetSchedule"/> computes (docs/PROTOCOL.md §6): beyond it the call is refused.</summary>
    public const int MaxScheduleCount = 1_024;
    /// <summary>How long signed quorum-failure reports may keep a live leader in place without a block, in leader
    /// timeouts: after that rotation tries another leader (without a penalty).</summary>
    private const int QuorumHaltTimeouts = 60;
    /// <summary>How long reports from a leader that reached no member at all hold it in place: it may be the one cut off
    /// (a partition), and a replacement elsewhere may reach a quorum. Not penalized: it reported.</summary>
    private const int IsolatedHoldTimeouts = 3;
    private bool _quorumReachedNone;
    private static readonly TimeSpan SourceReadTimeout = TimeSpan.FromSeconds(3);

    private readonly IPersistentState<RotationState> _state;
    private readonly TimeProvider _clock;
    private readonly RollupMetrics _metrics;
    private readonly ILogger<RotationGrain> _log;
    private IGrainTimer? _watch;
    private long _lastProgressMs;
    private ulong? _watchedHeight;
    private long _quorumHaltSinceMs;
    private RecordStore<EpochRecord> _epochs = null!;
    /// <summary>The running ask of a stalled leader whether it still leads (<see cref="ProbeLeader"/>); null: none.</summary>
    private Task<bool?>? _leaderProbe;
    private ulong _probedTerm;
    private long _leaderProbedAtMs;
    /// <summary>Ask the leader at the first tick: this activation may be a restart after the silo holding it died.</summary>
    private bool _probeLeaderNow;
    /// <summary>The last term given again to the same leader after its activation was lost; lost again, it fails over.</summary>
    private ulong _reappointedTerm;
    private static readonly TimeSpan LeaderProbeTimeout = TimeSpan.FromSeconds(1);

    public RotationGrain([PersistentState("rotation", StorageNames.Rollup)] IPersistentState<RotationState> state,
        TimeProvider clock, RollupMetrics metrics, ILogger<RotationGrain> log)
    {
        _state = state;
        _clock = clock;
        _metrics = metrics;
        _log = log;
    }

    private string ChainId => this.GetPrimaryKeyString();
    private RotationState S => _state.State;
    private ChainConfig Config => S.Config ?? throw new InvalidOperationException($"rotation {ChainId} not initialized");
    private long NowMs => _clock.GetUtcNow().ToUnixTimeMilliseconds();

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _epochs = new RecordStore<EpochRecord>(ServiceProvider.GetRequiredKeyedService<IGrainStorage>(StorageNames.Rollup), this.GetGrainId());
        if (S.Config is not null && !S.Retired)
        {
            _probeLeaderNow = S.Current is not null;
            StartWatch();
            await this.RegisterOrUpdateReminder(KeepAliveReminder, KeepAlivePeriod, KeepAlivePeriod);
        }
        await base.OnActivateAsync(cancellationToken);
    }

    /// <summary>Nothing to do: being activated (which starts the watch) is the point. A retired chain lets go.</summary>
    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (S.Config is null || S.Retired)
        {
            var reminder = await this.GetReminder(reminderName);
            if (reminder is not null) await this.UnregisterReminder(reminder);
        }
    }

    public async Task Initialize(ChainConfig config, StandingUpdate[] genesisStandings, ulong genesisHeight)
    {
        if (S.Config is not null) return;
        // Only the chain bootstrapping this very genesis initializes rotation: its genesis is written before it calls,
        // so a caller that is not that chain (or names another configuration or committee) is refused and changes nothing.
        var genesis = await GrainFactory.Chain(ChainId).GetGenesis().WaitAsync(SourceReadTimeout);
        if (genesis is null || genesisHeight != 0 || !SameConfig(genesis.Config, config)
            || !genesisStandings.Select(g => g.SequencerId).Order(StringComparer.Ordinal).SequenceEqual(genesis.Sequencers.Select(g => g.Id).Order(StringComparer.Ordinal)))
            throw Refusal("initialize", $"rotation {ChainId} is initialized only by the chain bootstrapping that genesis");
        foreach (var g in genesisStandings)
            if (!Matches(await ReadPool(g.SequencerId), g))
                throw Refusal("initialize", $"genesis standing of {g.SequencerId} disagrees with its pool");
        S.Config = config;
        foreach (var g in genesisStandings)
        {
            S.UsedSignerKeys.Add(Convert.ToHexStringLower(g.SignerPublicKey));
            S.Sequencers[g.SequencerId] = new SequencerRecord
            {
                CheckpointEpochs = [0], CheckpointStakes = [g.TotalStake], Status = g.Status, SignerPublicKey = g.SignerPublicKey,
            };
        }
        S.LastHeight = genesisHeight;
        await BeginEpoch(1, NowMs);
        StartWatch();
        await this.RegisterOrUpdateReminder(KeepAliveReminder, KeepAlivePeriod, KeepAlivePeriod);
    }

    private void StartWatch()
    {
        _lastProgressMs = NowMs;
        var period = TimeSpan.FromMilliseconds(Math.Clamp(Config.EffectiveLeaderTimeoutMs / 8, 5, 250));
        _watch ??= this.RegisterGrainTimer(CheckLiveness, new GrainTimerCreationOptions { DueTime = period, Period = period, KeepAlive = true });
    }

    // ---------------------------------------------------------------- epochs

    private Epochs Epochs => new(Config.EpochLength);

    /// <summary>The committee of <paramref name="epoch"/> from the stake snapshot that applies to it.</summary>
    private CommitteeSeat[] SelectCommittee(ulong epoch)
    {
        var delay = Config.ActivationDelayEpochs;
        var standings = S.Sequencers.Select(kv =>
        {
            var history = new StakeHistory(delay);
            for (int i = 0; i < kv.Value.CheckpointEpochs.Count; i++) history.Record(kv.Value.CheckpointEpochs[i], kv.Value.CheckpointStakes[i]);
            // Genesis stake (epoch 0) counts from epoch 1; any later change from two epochs after it was made.
            return Eligibility.StandingAt(kv.Key, kv.Value.Status, kv.Value.JailedUntilEpoch, history.EffectiveAt(epoch), epoch);
        });
        var members = CommitteeSelector.Select(standings, Config.CommitteeSize);
        return members.Select(m => new CommitteeSeat(m.Id, S.Sequencers[m.Id].SignerPublicKey, m.Power)).ToArray();
    }

    /// <summary>Begins <paramref name="epoch"/>: its committee from the standings as the sequencers' own pools hold them
    /// (a lost jail notice cannot keep a jailed member seated), its leader, a term from <paramref name="firstHeight"/>
    /// (the epoch's first height, or the block after the head when catching up). No eligible member: a visible halt,
    /// from which <see cref="RecoverFromNoMembers"/> lets jails run out by wall clock.</summary>
    private async Task BeginEpoch(ulong epoch, long nowMs, ulong? firstHeight = null)
    {
        if (S.Retired) return;
        await RefreshStandings();
        var committee = SelectCommittee(epoch);
        S.Epoch = epoch;
        S.FailedThisEpoch.Clear();
        S.Committees[epoch] = committee;
        foreach (var old in S.Committees.Keys.Where(e => e + CommitteeHistory < epoch).ToList()) S.Committees.Remove(old);
        if (committee.Length == 0)
        {
            if (S.NoMembersSinceMs == 0) S.NoMembersSinceMs = nowMs;
            S.Halted = true;
            S.HaltReason = $"epoch {epoch} has no eligible sequencer";
            await _state.WriteStateAsync();
            _log.LogError("rotation {Chain}: {Reason}", ChainId, S.HaltReason);
            return;
        }
        S.NoMembersSinceMs = 0;
        var rotation = LoadRotation();
        var leader = rotation.BeginEpoch(epoch, Members(committee));
        SaveRotation(rotation);
        await StartTerm(epoch, leader, Math.Max(firstHeight ?? 0, Epochs.FirstHeight(epoch)), committee, nowMs);
    }

    /// <summary>
    /// Epoch changes catch up from the chain's head, whatever notices were missed: the epoch of the block after
    /// <paramref name="headHeight"/> begins, and every epoch before it that rotation never began is recorded (committee,
    /// leader step) without a term. Nothing to do when the head is inside the current epoch.
    /// </summary>
    private async Task CatchUp(ulong headHeight, long nowMs)
    {
        var target = Epochs.OfNext(headHeight);
        if (target <= S.Epoch || S.Retired) return;
        while (S.Epoch + 1 < target)
        {
            var skipped = S.Epoch + 1;
            await ReleaseJailed(skipped);
            await RefreshStandings();
            var seats = SelectCommittee(skipped);
            S.Epoch = skipped;
            S.Committees[skipped] = seats;
            if (seats.Length > 0)
            {
                var step = LoadRotation();
                step.BeginEpoch(skipped, Members(seats));
                SaveRotation(step);
            }
            await _epochs.WriteAsync(EpochKey(skipped), new EpochRecord { Committee = seats, Terms = [] });
            _log.LogWarning("rotation {Chain}: epoch {Epoch} passed without its epoch-end notice; caught up from the chain's head {Head}", ChainId, skipped, headHeight);
        }
        await ReleaseJailed(target);
        await BeginEpoch(target, nowMs, headHeight + 1);
    }

    /// <summary>Status and jail end of every sequencer as its own pool holds them (the source; bounded by a timeout
    /// each, a pool that does not answer keeps the last known standing). A sequencer without a pool (never registered)
    /// is not eligible.</summary>
    private async Task RefreshStandings()
    {
        var ids = S.Sequencers.Keys.ToArray();
        var pools = await Task.WhenAll(ids.Select(async id =>
        {
            try { return (Ok: true, Pool: await ReadPool(id)); }
            catch (Exception e) when (e is TimeoutException or OrleansException) { return (Ok: false, Pool: (SequencerPool?)null); }
        }));
        for (int i = 0; i < ids.Length; i++)
        {
            if (!pools[i].Ok) continue;
            var record = S.Sequencers[ids[i]];
            if (pools[i].Pool is not { } pool)
            {
                record.Status = SequencerStatus.Exiting; // no pool behind the record: never seated
                continue;
            }
            if (record.Status != pool.Status || record.JailedUntilEpoch != pool.JailedUntilEpoch)
                _log.LogInformation("rotation {Chain}: {Id}'s standing from its pool: {Status} (jail until {Until}); rotation had {Old}",
                    ChainId, ids[i], pool.Status, pool.JailedUntilEpoch, record.Status);
            record.Status = pool.Status;
            record.JailedUntilEpoch = pool.JailedUntilEpoch;
            record.SignerPublicKey = pool.SignerPublicKey.ToArray();
        }
    }

    private Task<SequencerPool?> ReadPool(string id) => GrainFactory.Sequencer(ChainId, id).GetPool().WaitAsync(SourceReadTimeout);

    private static bool Matches(SequencerPool? pool, StandingUpdate update) =>
        pool is not null && pool.TotalStake == update.TotalStake && pool.Status == update.Status
        && pool.JailedUntilEpoch == update.JailedUntilEpoch && pool.SignerPublicKey.AsSpan().SequenceEqual(update.SignerPublicKey);

    private static readonly string[] NoWhitelist = [];

    private static bool SameConfig(ChainConfig a, ChainConfig b) =>
        a with { RegistrationWhitelist = NoWhitelist } == b with { RegistrationWhitelist = NoWhitelist } && a.RegistrationWhitelist.SequenceEqual(b.RegistrationWhitelist);

    private CallRefusedException Refusal(string what, string message)
    {
        _metrics.Refused(ChainId, what, CallRefusal.ContradictsRecord);
        _log.LogWarning("rotation {Chain}: refused {What}: {Message}", ChainId, what, message);
        return new CallRefusedException(CallRefusal.ContradictsRecord, message);
    }

    private void Ignore(string what, string message)
    {
        _metrics.Refused(ChainId, what, CallRefusal.ContradictsRecord);
        _log.LogWarning("rotation {Chain}: ignored {What}: {Message}", ChainId, what, message);
    }

    private async Task<ChainHead> ChainHead() => await GrainFactory.Chain(ChainId).GetHead().WaitAsync(SourceReadTimeout);

    private static CommitteeMember[] Members(CommitteeSeat[] committee) => committee.Select(c => new CommitteeMember(c.Id, c.Power)).ToArray();

    /// <summary>The leader choice with the weighted-round-robin state carried from the last epoch begun (none yet: empty).</summary>
    private LeaderRotation LoadRotation() =>
        new(Config.Algorithm, Config.ScheduleSeed, S.WrrIds.Length == 0 ? null : new WrrSnapshot(
            S.WrrIds.Select((id, i) => new WrrMemberState(id, S.WrrPowers[i], S.WrrPriorities[i])).ToList(), S.WrrLeader));

    private void SaveRotation(LeaderRotation rotation)
    {
        if (rotation.WrrState is not { } snapshot) return; // the lottery carries nothing between epochs
        S.WrrIds = snapshot.Members.Select(m => m.Id).ToArray();
        S.WrrPowers = snapshot.Members.Select(m => m.Power).ToArray();
        S.WrrPriorities = snapshot.Members.Select(m => m.Priority).ToArray();
        S.WrrLeader = snapshot.CurrentLeader;
    }

    private async Task<LeadershipTerm> StartTerm(ulong epoch, string leader, ulong firstHeight, CommitteeSeat[] committee, long nowMs)
    {
        var previous = S.Current;
        var term = new LeadershipTerm(ChainId, epoch, ++S.TermCounter, leader, firstHeight, Epochs.LastHeight(epoch), committee, nowMs);
        S.Current = term;
        S.Terms.Add(new TermRecord(term.Term, leader, epoch, firstHeight, term.LastHeight));
        if (S.Terms.Count > TermHistory) S.Terms.RemoveAt(0);
        if (previous is null || previous.LeaderId != leader) S.LeaderChanges++;
        _lastProgressMs = nowMs;
        _quorumHaltSinceMs = 0;
        await _state.WriteStateAsync();
        // Every term of the epoch is among the recent ones the head record keeps (far fewer than its bound).
        await _epochs.WriteAsync(EpochKey(epoch), new EpochRecord { Committee = committee, Terms = S.Terms.Where(t => t.Epoch == epoch).ToList() });

        _log.LogInformation("rotation {Chain}: epoch {Epoch} term {Term}: leader {Leader} for heights {First}..{Last} ({Members} members, power {Power})",
            ChainId, epoch, term.Term, leader, firstHeight, term.LastHeight, committee.Length, term.TotalPower);
        await GrainFactory.Chain(ChainId).SetLeadership(term);
        if (previous is not null && previous.LeaderId != leader)
            _ = GrainFactory.Sequencer(ChainId, previous.LeaderId).EndLeadership(previous.Term);
        await GrainFactory.Sequencer(ChainId, leader).BeginLeadership(term);
        return term;
    }

    /// <summary>
    /// The chain's notice of a committed block. Counted only for a block of a term rotation appointed, by that term's
    /// leader, inside its heights. Liveness is not taken from notices (the watch reads the chain's head itself), so a
    /// forged notice cannot hold a failover off; a notice at or past the epoch's last height is checked against the
    /// chain's head (once per epoch) and then ends the epoch — any such height, not only the exact last one.
    /// </summary>
    public async Task<LeadershipTerm?> OnBlockCommitted(ulong height, ulong term, string proposerId, long committedAtMs)
    {
        if (S.Config is null || S.Retired) return null;
        if (height < S.LastHeight) return null; // a repeated notice (a reactivated chain completing a commit)
        var record = S.Terms.LastOrDefault(t => t.Term == term);
        if (record is null || record.Leader != proposerId || height < record.FirstHeight || height > record.LastHeight)
        {
            Ignore("block-notice", $"height {height} term {term} by {proposerId} is not a block of a term rotation appointed");
            return null;
        }
        if (record.Epoch < S.Epoch && height >= record.LastHeight && S.Current is { } makeUp && makeUp.Term == term)
        {
            // A make-up term (an ended epoch's heights produced again after a rollback) reached its epoch's end.
            NoteBlock(height, term, committedAtMs);
            return await ResumeAfter(height, offender: null, committedAtMs);
        }
        if (height >= Epochs.LastHeight(S.Epoch))
        {
            var head = await ChainHead();
            if (head.Height < height)
            {
                Ignore("block-notice", $"height {height} is beyond the chain's head {head.Height}");
                return null;
            }
            NoteBlock(height, term, committedAtMs);
            await CatchUp(head.Height, committedAtMs);
            return S.Current;
        }
        NoteBlock(height, term, committedAtMs);
        return null;
    }

    private void NoteBlock(ulong height, ulong term, long committedAtMs)
    {
        if (height <= S.LastHeight && S.LastBlockMs >= committedAtMs) return;
        S.LastHeight = Math.Max(S.LastHeight, height);
        S.LastBlockMs = committedAtMs;
        // A failover is complete at the replacement's first block: its duration runs from the old leader's last block.
        if (S.PendingFailover is { } pending && S.Current is { } current && current.Term == term)
        {
            S.FailoverLog.Add(pending with { DurationMs = committedAtMs - S.FailoverPendingSinceMs });
            if (S.FailoverLog.Count > 1_000) S.FailoverLog.RemoveAt(0);
            S.PendingFailover = null;
        }
    }

    private async Task ReleaseJailed(ulong epoch)
    {
        foreach (var (id, record) in S.Sequencers)
            if (Eligibility.JailServed(record.Status, record.JailedUntilEpoch, epoch))
                await GrainFactory.Sequencer(ChainId, id).ReleaseIfDue(epoch);
    }

    // ---------------------------------------------------------------- liveness and failover

    /// <summary>
    /// The liveness watch reads the chain's head itself (a cheap interleaving query per tick, not per block): progress is
    /// the head moving. A head at or past the epoch's end begins the right epoch (a lost epoch-end notice); a halt for
    /// lack of members recovers by wall clock (<see cref="RecoverFromNoMembers"/>); a silent leader is failed over.
    /// </summary>
    private async Task CheckLiveness(CancellationToken cancellationToken)
    {
        var current = S.Current;
        if (S.Config is null || S.Retired) return;
        // A stopping silo's leaders stop producing: that silence is the stop, not a fault (see SiloLifetime).
        if (ServiceProvider.GetRequiredService<SiloLifetime>().IsStopping) return;
        ChainHead head;
        try
        {
            head = await ChainHead();
        }
        catch (Exception e) when (e is TimeoutException or OrleansException)
        {
            return; // the chain is unreachable for now: nothing is decided on a guess
        }
        var now = NowMs;
        if (_watchedHeight != head.Height)
        {
            var advanced = _watchedHeight is { } seen && head.Height > seen;
            _watchedHeight = head.Height;
            _lastProgressMs = now;
            _quorumHaltSinceMs = 0;
            if (S.Halted && S.NoMembersSinceMs == 0 && advanced)
            {
                _log.LogInformation("rotation {Chain}: resumed at height {Height} after a halt ({Reason})", ChainId, head.Height, S.HaltReason);
                S.Halted = false;
                S.HaltReason = "";
            }
        }
        if (head.Height > S.LastHeight) S.LastHeight = head.Height;
        if (S.NoMembersSinceMs > 0)
        {
            await RecoverFromNoMembers(head.Height, now);
            return;
        }
        if (current is null) return;
        if (head.Height >= Epochs.LastHeight(S.Epoch))
        {
            await CatchUp(head.Height, now);
            return;
        }
        if (current.Epoch < S.Epoch && head.Height >= current.LastHeight)
        {
            await ResumeAfter(head.Height, offender: null, now); // a make-up term's end notice was lost
            return;
        }
        if (S.Halted && _quorumHaltSinceMs > 0)
        {
            // Signed quorum-failure reports (each one counts as progress) keep a live leader in place, for a bounded
            // time only; shorter when it reached no member at all (it may be the one cut off).
            var hold = _quorumReachedNone ? IsolatedHoldTimeouts : QuorumHaltTimeouts;
            if (now - _quorumHaltSinceMs > (long)hold * Config.EffectiveLeaderTimeoutMs)
            {
                await Failover(current, $"no quorum for {now - _quorumHaltSinceMs} ms", penalize: false, head.Height);
                return;
            }
        }
        if (await LeaderActivationLost(current, head.Height, now)) return;
        if (now - _lastProgressMs <= Config.EffectiveLeaderTimeoutMs) return;
        if (S.Halted && _quorumHaltSinceMs > 0) return; // held, and the bound is not reached yet
        await Failover(current, $"no block for {now - _lastProgressMs} ms", penalize: true, head.Height);
    }

    /// <summary>
    /// The recovery from "no eligible sequencer" or "every committee member has failed" (docs/STAKING.md "Jail on a
    /// halted chain"): jails cannot run out by epochs on a chain that makes none, so each jail also runs out after the
    /// time its remaining epochs take at the nominal pace (<see cref="Eligibility.JailElapsedWhileHalted"/>); the
    /// members so released are seated again and the epoch (or the failed-over term) starts from the block after the head.
    /// </summary>
    private async Task RecoverFromNoMembers(ulong headHeight, long now)
    {
        var haltedFor = now - S.NoMembersSinceMs;
        var nominalEpochMs = checked((long)Config.EpochLength * Config.BlockIntervalMs);
        await RefreshStandings();
        var released = 0;
        foreach (var (id, record) in S.Sequencers.ToArray())
        {
            if (!Eligibility.JailElapsedWhileHalted(record.Status, record.JailedUntilEpoch, S.Epoch, haltedFor, nominalEpochMs)) continue;
            try
            {
                await GrainFactory.Sequencer(ChainId, id).ReleaseIfDue(Math.Max(record.JailedUntilEpoch, S.Epoch)).WaitAsync(SourceReadTimeout);
                released++;
            }
            catch (Exception e) when (e is TimeoutException or OrleansException)
            {
                _log.LogWarning("rotation {Chain}: releasing {Id} failed: {Error}", ChainId, id, e.Message);
            }
        }
        if (released == 0 && S.FailedThisEpoch.Count == 0) return;
        await RefreshStandings();
        _log.LogWarning("rotation {Chain}: halted {Ms} ms for lack of members ({Reason}); {Released} jail(s) ran out by wall clock",
            ChainId, haltedFor, S.HaltReason, released);
        if (Epochs.OfNext(headHeight) < S.Epoch)
        {
            // The halt was a make-up term's (an ended epoch's heights to produce again): retried in that epoch.
            S.FailedThisEpoch.Clear();
            S.NoMembersSinceMs = 0;
            ClearHalt(headHeight);
            await ResumeAfter(headHeight, offender: null, now);
            return;
        }
        var committee = S.Committees.GetValueOrDefault(S.Epoch) ?? [];
        if (committee.Length == 0)
        {
            await BeginEpoch(S.Epoch, now, headHeight + 1);
            if (S.NoMembersSinceMs == 0) ClearHalt(headHeight);
            return;
        }
        // Every member of the sitting committee had failed or was jailed: retry those now free, from the head.
        S.FailedThisEpoch.Clear();
        var excluded = S.Sequencers.Where(kv => kv.Value.Status is SequencerStatus.Jailed or SequencerStatus.Tombstoned).Select(kv => kv.Key).ToHashSet();
        var replacement = LoadRotation().Replacement(S.Epoch, S.TermCounter + 1, Members(committee), excluded);
        if (replacement is null) return;
        S.NoMembersSinceMs = 0;
        ClearHalt(headHeight);
        await StartTerm(S.Epoch, replacement, headHeight + 1, committee, now);
    }

    private void ClearHalt(ulong headHeight)
    {
        _log.LogInformation("rotation {Chain}: resuming from height {Height} after a halt ({Reason})", ChainId, headHeight + 1, S.HaltReason);
        S.Halted = false;
        S.HaltReason = "";
    }

    public Task ReportQuorumFailure(string leaderId, ulong term, ulong height, long gatheredPower, long totalPower, byte[] leaderSignature, bool reachedNoMember = false)
    {
        if (S.Current is not { } current || current.Term != term || current.LeaderId != leaderId || !current.Covers(height)
            || !S.Sequencers.TryGetValue(leaderId, out var leader)
            || !QuorumFailureReport.Verify(leader.SignerPublicKey, ChainId, term, height, leaderSignature ?? []))
        {
            Ignore("quorum-failure", $"a quorum-failure report for term {term} height {height} not signed by that term's leader");
            return Task.CompletedTask;
        }
        // A late report of a round that failed before its block did get its quorum (a pipelined leader's rounds end out
        // of order) says nothing about the committee now.
        if (height <= S.LastHeight)
        {
            Ignore("quorum-failure", $"height {height} is already committed (head {S.LastHeight})");
            return Task.CompletedTask;
        }
        // The leader is alive; the committee is not. Failing over would not help: halt, visibly (for a bounded time).
        var now = NowMs;
        _lastProgressMs = now;
        // Reached-no-member holds only while every report since the halt began says so.
        _quorumReachedNone = _quorumHaltSinceMs == 0 ? reachedNoMember : _quorumReachedNone && reachedNoMember;
        if (_quorumHaltSinceMs == 0) _quorumHaltSinceMs = now;
        var reason = $"no quorum at height {height}: {gatheredPower} of {totalPower} power attested (needs > 2/3)";
        if (!S.Halted || S.HaltReason != reason)
        {
            if (!S.Halted) _log.LogWarning("rotation {Chain}: chain halted — {Reason}", ChainId, reason);
            S.Halted = true;
            S.HaltReason = reason;
        }
        return Task.CompletedTask;
    }

    /// <summary>Checked against the sources: <paramref name="headHeight"/> must be the chain's head, and the current
    /// term's leader is only removed when its own pool shows the penalty (jailed or tombstoned) that a rollback or
    /// equivocation evidence gave it. Anything else is refused and changes nothing.</summary>
    public async Task<LeadershipTerm?> ForceFailover(ulong term, string reason, ulong headHeight)
    {
        if (S.Config is null || S.Retired) return S.Current;
        var head = await ChainHead();
        if (head.Height != headHeight) throw Refusal("force-failover", $"head height {headHeight} is not the chain's head {head.Height}");
        if (S.Current is { } cur && cur.Term == term)
        {
            var pool = await ReadPool(cur.LeaderId);
            var penalized = pool is not null && (pool.Status == SequencerStatus.Tombstoned
                || (pool.Status is SequencerStatus.Jailed or SequencerStatus.Exiting && pool.JailedUntilEpoch > S.Epoch));
            if (!penalized)
                penalized = (await GrainFactory.Chain(ChainId).GetRollbacks().WaitAsync(SourceReadTimeout))
                    .Any(r => r.Offender == cur.LeaderId && r.FromHeight >= cur.FirstHeight);
            if (!penalized)
                throw Refusal("force-failover", $"the leader of term {term} ({cur.LeaderId}) carries no penalty that ends its leadership");
        }
        else if (S.Terms.All(t => t.Term != term)) throw Refusal("force-failover", $"term {term} is not a term rotation appointed");
        if (headHeight < S.LastHeight) S.LastHeight = headHeight; // a rollback: the deleted heights are produced again
        if (S.Current is not { } current || current.Term != term)
        {
            // The offender's term already ended; the current term must still start right after the head, in the epoch
            // that height falls in (a rollback past an epoch boundary: a make-up term of the ended epoch).
            if (S.Current is { } live && live.FirstHeight > headHeight + 1)
                return await ResumeAfter(headHeight, S.Terms.LastOrDefault(t => t.Term == term)?.Leader, NowMs);
            return S.Current;
        }
        return await Failover(current, reason, penalize: false, headHeight);
    }

    /// <summary>
    /// A dead leader is replaced without waiting for the leader timeout (docs/RUNBOOK.md "A dead silo"): once no block
    /// has come for <see cref="LeaderProbeAfterMs"/> (or at once when this activation of rotation is a restart), rotation
    /// asks the leader — without holding its turn — whether it still leads the current term. A leader whose silo died
    /// comes back as a fresh activation (from its stored state, on a live silo) that leads nothing, and says so: the
    /// same leader gets a new term from the block after the head, no penalty (the silo died, not the member). A term
    /// lost that way twice in a row fails over to the next member, still without a penalty. A leader that answers
    /// "leading" (alive but slow) and one that cannot be reached (its silo not yet declared dead) are left to the
    /// leader timeout, as before. True when a new term was begun.
    /// </summary>
    private async Task<bool> LeaderActivationLost(LeadershipTerm current, ulong headHeight, long now)
    {
        if (_leaderProbe is { IsCompleted: true } probe)
        {
            _leaderProbe = null;
            var leading = probe.Result;
            if (leading == false && S.Current is { } still && still.Term == _probedTerm && headHeight < still.LastHeight)
            {
                var lostTwice = _reappointedTerm == still.Term;
                var reason = $"{still.LeaderId} no longer leads term {still.Term}: its activation was lost (its silo died or stopped)";
                if (lostTwice)
                {
                    await Failover(still, reason + ", a second time", penalize: false, headHeight);
                    return true;
                }
                S.LastHeight = headHeight;
                _log.LogWarning("rotation {Chain}: {Reason}; re-appointed from height {Height}", ChainId, reason, headHeight + 1);
                _metrics.LeaderReappointments.Add(1, new KeyValuePair<string, object?>("chain", ChainId));
                var term = await StartTerm(still.Epoch, still.LeaderId, headHeight + 1, still.Committee, now);
                _reappointedTerm = term.Term;
                return true;
            }
        }
        if (_leaderProbe is not null) return false;
        if (!_probeLeaderNow && (now - _lastProgressMs < LeaderProbeAfterMs || now - _leaderProbedAtMs < LeaderProbeAfterMs)) return false;
        _probeLeaderNow = false;
        _leaderProbedAtMs = now;
        _probedTerm = current.Term;
        _leaderProbe = ProbeLeader(current);
        return false;
    }

    /// <summary>A stall this long (two block intervals, at least 250 ms) makes rotation ask the leader; far below the
    /// leader timeout, and only while blocks are not coming (one read-only call per such interval).</summary>
    private long LeaderProbeAfterMs => Math.Max(250, 2L * Config.BlockIntervalMs);

    /// <summary>Whether the leader says it leads <paramref name="term"/>: null when it cannot be asked now.</summary>
    private async Task<bool?> ProbeLeader(LeadershipTerm term)
    {
        try
        {
            var view = await GrainFactory.Sequencer(ChainId, term.LeaderId).GetView().WaitAsync(LeaderProbeTimeout);
            return view.Leading && view.LeadingTerm == term.Term;
        }
        catch (Exception e) when (e is TimeoutException or OrleansException)
        {
            return null;
        }
    }

    /// <summary>Re-span: the failed leader's term ends at the last committed height; a replacement leads to the end of the epoch.</summary>
    private async Task<LeadershipTerm?> Failover(LeadershipTerm failed, string reason, bool penalize, ulong headHeight)
    {
        var now = NowMs;
        // The replacement leads from the block after the chain's head (never from a height already committed).
        S.LastHeight = headHeight;
        if (failed.Epoch < S.Epoch) return await ResumeAfter(headHeight, failed.LeaderId, now); // a make-up term failed
        if (headHeight >= Epochs.LastHeight(S.Epoch))
        {
            await CatchUp(headHeight, now); // the epoch is complete: no one failed, the next epoch begins
            return S.Current;
        }
        await RefreshStandings();
        S.FailedThisEpoch.Add(failed.LeaderId);
        S.Failovers++;
        S.FailoverPendingSinceMs = S.LastBlockMs > 0 ? S.LastBlockMs : now;
        S.PendingFailover = new FailoverRecord(failed.LeaderId, "", reason, now, 0);
        _metrics.Failovers.Add(1, new KeyValuePair<string, object?>("chain", ChainId));
        var committee = S.Committees[S.Epoch];
        var excluded = S.FailedThisEpoch.Concat(S.Sequencers.Where(kv => kv.Value.Status is SequencerStatus.Jailed or SequencerStatus.Tombstoned).Select(kv => kv.Key)).ToHashSet();
        var replacement = LoadRotation().Replacement(S.Epoch, S.TermCounter + 1, Members(committee), excluded);
        _log.LogWarning("rotation {Chain}: failover in epoch {Epoch}: {Failed} (term {Term}) — {Reason}; replacement {Replacement} from height {Height}",
            ChainId, S.Epoch, failed.LeaderId, failed.Term, reason, replacement ?? "none", S.LastHeight + 1);

        if (penalize)
        {
            var slash = await GrainFactory.Sequencer(ChainId, failed.LeaderId).Slash(SlashKind.Downtime, [], S.Epoch, $"downtime-term-{failed.Term}");
            if (slash.IsOk)
            {
                _metrics.Slashes.Add(1, new KeyValuePair<string, object?>("chain", ChainId), new("kind", SlashKind.Downtime.ToString()));
                var record = S.Sequencers[failed.LeaderId];
                record.Status = slash.StatusAfter;
                record.JailedUntilEpoch = slash.JailedUntilEpoch;
            }
        }
        if (replacement is null)
        {
            await HaltForNoMembers($"epoch {S.Epoch}: every committee member has failed", now);
            return S.Current;
        }
        S.PendingFailover = S.PendingFailover! with { Replacement = replacement };
        return await StartTerm(S.Epoch, replacement, S.LastHeight + 1, committee, now);
    }

    /// <summary>
    /// The term that produces the block after <paramref name="headHeight"/> when that height is not the current term's:
    /// after a rollback past an epoch boundary, or when a make-up term completed its epoch. An epoch is a fixed height
    /// range (PROTOCOL.md §6), so a deleted height of an ended epoch is produced again in that epoch — by a <em>make-up
    /// term</em> of its committee, from the head to the epoch's end — and the epoch boundaries after it are not run again:
    /// the later epochs keep their committees and leaders. The make-up leader: <see cref="LeaderRotation.MakeUpLeader"/>,
    /// excluding <paramref name="offender"/> and the jailed and tombstoned. When the next height is the current epoch's,
    /// the current epoch's leader resumes in a new term from it (the same rule: the epoch's last leader, if eligible).
    /// </summary>
    private async Task<LeadershipTerm?> ResumeAfter(ulong headHeight, string? offender, long now)
    {
        S.LastHeight = Math.Min(S.LastHeight, headHeight);
        var epoch = Epochs.OfNext(headHeight);
        if (epoch > S.Epoch)
        {
            await CatchUp(headHeight, now);
            return S.Current;
        }
        await RefreshStandings();
        var committee = await GetCommittee(epoch);
        var excluded = S.Sequencers.Where(kv => kv.Value.Status is SequencerStatus.Jailed or SequencerStatus.Tombstoned).Select(kv => kv.Key).ToHashSet();
        if (offender is not null) excluded.Add(offender);
        var leader = LeaderRotation.MakeUpLeader(S.Terms.LastOrDefault(t => t.Epoch == epoch)?.Leader, Members(committee), excluded);
        if (leader is null)
        {
            await HaltForNoMembers($"epoch {epoch}: no eligible member to produce heights {headHeight + 1}..{Epochs.LastHeight(epoch)} again", now);
            return S.Current;
        }
        if (epoch < S.Epoch)
            _log.LogWarning("rotation {Chain}: heights {First}..{Last} of ended epoch {Epoch} are produced again by {Leader} (a make-up term; epoch {Current} resumes after it)",
                ChainId, headHeight + 1, Epochs.LastHeight(epoch), epoch, leader, S.Epoch);
        return await StartTerm(epoch, leader, headHeight + 1, committee, now);
    }

    /// <summary>A visible halt for lack of an eligible member, from which <see cref="RecoverFromNoMembers"/> recovers.</summary>
    private async Task HaltForNoMembers(string reason, long now)
    {
        if (S.NoMembersSinceMs == 0) S.NoMembersSinceMs = now;
        S.Halted = true;
        S.HaltReason = reason;
        _lastProgressMs = now;
        await _state.WriteStateAsync();
        _log.LogError("rotation {Chain}: {Reason}", ChainId, reason);
    }

    // ---------------------------------------------------------------- standings

    /// <summary>Reserves the id and the signer key of a registration in progress. The sequencer's pool is written only
    /// after this answers, so nothing can be compared yet: a reservation without a pool behind it is never seated
    /// (<see cref="RefreshStandings"/> reads every pool before a committee is built) — the content counts only as the pool has it.</summary>
    public async Task<StakingReason> RegisterSequencer(StandingUpdate standing)
    {
        // (Genesis registrations come before Initialize: rotation holds the chain-wide key registry from the start.)
        if (string.IsNullOrEmpty(standing.SequencerId) || standing.SequencerId.Length > 64 || standing.SignerPublicKey is not { Length: Core.Crypto.Ed25519.PublicKeySize })
            return StakingReason.InvalidSequencerId;
        if (S.Sequencers.ContainsKey(standing.SequencerId)) return StakingReason.AlreadyRegistered;
        if (!S.UsedSignerKeys.Add(Convert.ToHexStringLower(standing.SignerPublicKey))) return StakingReason.SignerKeyReused;
        S.Sequencers[standing.SequencerId] = new SequencerRecord
        {
            CheckpointEpochs = [standing.EpochMade], CheckpointStakes = [standing.TotalStake], Status = standing.Status,
            JailedUntilEpoch = standing.JailedUntilEpoch, SignerPublicKey = standing.SignerPublicKey,
        };
        await _state.WriteStateAsync();
        return StakingReason.Ok;
    }

    /// <summary>Taken only as the sequencer's own pool holds it: an update whose stake, status, jail or key disagrees
    /// with the pool (forged, or overtaken by a later change whose own notice follows) is ignored.</summary>
    public async Task OnStandingChanged(StandingUpdate update)
    {
        if (S.Config is null || !S.Sequencers.TryGetValue(update.SequencerId, out var record))
        {
            Ignore("standing", $"{update.SequencerId} is not a registered sequencer");
            return;
        }
        SequencerPool? pool;
        try
        {
            pool = await ReadPool(update.SequencerId);
        }
        catch (Exception e) when (e is TimeoutException or OrleansException)
        {
            Ignore("standing", $"{update.SequencerId}'s pool did not answer: {e.Message}");
            return;
        }
        if (!Matches(pool, update))
        {
            Ignore("standing", $"the update of {update.SequencerId} disagrees with its pool");
            return;
        }
        if (record.CheckpointEpochs.Count > 0 && record.CheckpointStakes[^1] == update.TotalStake)
        {
            // No stake change (a status or jail change): no checkpoint, whatever epoch the update names.
        }
        else if (record.CheckpointEpochs.Count > 0 && record.CheckpointEpochs[^1] == update.EpochMade)
            record.CheckpointStakes[^1] = update.TotalStake;
        else if (record.CheckpointEpochs.Count == 0 || record.CheckpointEpochs[^1] < update.EpochMade)
        {
            record.CheckpointEpochs.Add(update.EpochMade);
            record.CheckpointStakes.Add(update.TotalStake);
        }
        // Keep the history bounded: only the checkpoint in force two epochs back and later ones matter.
        var delay = S.Config?.ActivationDelayEpochs ?? 2;
        while (record.CheckpointEpochs.Count > 1 && record.CheckpointEpochs[1] + delay + 1 <= S.Epoch)
        {
            record.CheckpointEpochs.RemoveAt(0);
            record.CheckpointStakes.RemoveAt(0);
        }
        record.Status = update.Status;
        record.JailedUntilEpoch = update.JailedUntilEpoch;
        if (update.SignerPublicKey.Length > 0) record.SignerPublicKey = update.SignerPublicKey;
        await _state.WriteStateAsync();
    }

    // ---------------------------------------------------------------- queries

    public async Task Retire()
    {
        // Called again (an operator retrying a call that failed part-way): the leader is told to stop once more, which it
        // ignores if it already did, so a retry finishes what the first call could not.
        if (S.Retired)
        {
            if (S.Current is { } last) await GrainFactory.Sequencer(ChainId, last.LeaderId).EndLeadership(last.Term);
            return;
        }
        S.Retired = true;
        S.Halted = true;
        S.HaltReason = "retired";
        _watch?.Dispose();
        _watch = null;
        await _state.WriteStateAsync();
        var reminder = await this.GetReminder(KeepAliveReminder);
        if (reminder is not null) await this.UnregisterReminder(reminder);
        if (S.Current is { } current) await GrainFactory.Sequencer(ChainId, current.LeaderId).EndLeadership(current.Term);
        _log.LogInformation("rotation {Chain}: retired at height {Height}", ChainId, S.LastHeight);
    }

    public Task<LeadershipTerm?> GetCurrent() => Task.FromResult(S.Current);

    public Task<LeadershipTerm?> GetAppointedTerm(ulong term) => Task.FromResult(S.Current is { } current && current.Term == term ? current : null);

    public Task<string?> GetLeaderAt(ulong height, ulong term)
    {
        var record = S.Terms.FirstOrDefault(t => t.Term == term);
        return Task.FromResult(record is not null && height >= record.FirstHeight && height <= record.LastHeight ? record.Leader : null);
    }

    private static string EpochKey(ulong epoch) => $"epoch-{epoch}";

    public async Task<CommitteeSeat[]> GetCommittee(ulong epoch)
    {
        if (S.Committees.TryGetValue(epoch, out var seats)) return seats;
        return (await ReadEpoch(epoch))?.Committee ?? [];
    }

    public async Task<TermInfo[]> GetEpochTerms(ulong epoch)
    {
        var terms = epoch == S.Epoch ? S.Terms.Where(t => t.Epoch == epoch).ToList() : (await ReadEpoch(epoch))?.Terms ?? [];
        return terms.Select(t => t.ToInfo()).ToArray();
    }

    private async Task<EpochRecord?> ReadEpoch(ulong epoch)
    {
        if (epoch == 0 || epoch > S.Epoch) return null;
        var record = await _epochs.ReadAsync(EpochKey(epoch));
        _epochs.Forget(EpochKey(epoch)); // a past epoch's record is never written again
        return record;
    }

    public Task<string[]> GetSchedule(int count)
    {
        if (count < 0 || count > MaxScheduleCount)
            throw new CallRefusedException(CallRefusal.ArgumentOutOfBounds, $"GetSchedule counts 0..{MaxScheduleCount} epochs, not {count}");
        if (S.Config is null || !S.Committees.TryGetValue(S.Epoch, out var committee) || committee.Length == 0) return Task.FromResult(Array.Empty<string>());
        return Task.FromResult(LoadRotation().Upcoming(S.Epoch, Members(committee), count).ToArray());
    }

    public Task<TermInfo[]> GetTerms() =>
        Task.FromResult(S.Terms.Select(t => t.ToInfo()).ToArray());

    public Task<string[]> GetSequencerIds() => Task.FromResult(S.Sequencers.Keys.Order(StringComparer.Ordinal).ToArray());

    public Task<RotationStatus> GetStatus() =>
        Task.FromResult(new RotationStatus(S.Epoch, S.Current, S.Halted, S.HaltReason, S.Failovers, S.FailoverLog.Select(f => f.DurationMs).ToArray(), S.LeaderChanges, S.FailoverLog.ToArray(), S.NoMembersSinceMs));
}
