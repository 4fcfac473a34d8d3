using ActorRollup.Abstractions;
using ActorRollup.Abstractions.Config;
using ActorRollup.Abstractions.Messages;
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
public sealed class RotationGrain : Grain, IRotationGrain, IRemindable
{
    /// <summary>A durable reminder keeps rotation alive: when the silo holding it dies, the reminder brings it back
    /// on another silo, and with it the liveness watch — so a chain whose leader and rotation died together still
    /// fails over. (Grain timers die with their activation; reminders are stored with the cluster.)</summary>
    private const string KeepAliveReminder = "keep-alive";
    private static readonly TimeSpan KeepAlivePeriod = TimeSpan.FromSeconds(5);

    private const int CommitteeHistory = 8;
    private const int TermHistory = 256;

    private readonly IPersistentState<RotationState> _state;
    private readonly TimeProvider _clock;
    private readonly RollupMetrics _metrics;
    private readonly ILogger<RotationGrain> _log;
    private IGrainTimer? _watch;
    private long _lastProgressMs;
    private RecordStore<EpochRecord> _epochs = null!;

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

    private async Task BeginEpoch(ulong epoch, long nowMs)
    {
        if (S.Retired) return;
        var committee = SelectCommittee(epoch);
        S.Epoch = epoch;
        S.FailedThisEpoch.Clear();
        S.Committees[epoch] = committee;
        foreach (var old in S.Committees.Keys.Where(e => e + CommitteeHistory < epoch).ToList()) S.Committees.Remove(old);
        if (committee.Length == 0)
        {
            S.Halted = true;
            S.HaltReason = $"epoch {epoch} has no eligible sequencer";
            await _state.WriteStateAsync();
            _log.LogError("rotation {Chain}: {Reason}", ChainId, S.HaltReason);
            return;
        }
        var rotation = LoadRotation();
        var leader = rotation.BeginEpoch(epoch, Members(committee));
        SaveRotation(rotation);
        await StartTerm(epoch, leader, Epochs.LastHeight(epoch - 1) + 1, committee, nowMs);
    }

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

    public async Task<LeadershipTerm?> OnBlockCommitted(ulong height, ulong term, string proposerId, long committedAtMs)
    {
        if (S.Config is null) return null;
        if (height < S.LastHeight) return null; // a repeated notice (a reactivated chain completing a commit)
        S.LastHeight = height;
        S.LastBlockMs = committedAtMs;
        _lastProgressMs = NowMs;
        if (S.Halted)
        {
            _log.LogInformation("rotation {Chain}: resumed at height {Height} after a halt ({Reason})", ChainId, height, S.HaltReason);
            S.Halted = false;
            S.HaltReason = "";
        }
        // A failover is complete at the replacement's first block: its duration runs from the old leader's last block.
        if (S.PendingFailover is { } pending && S.Current is { } current && current.Term == term)
        {
            S.FailoverLog.Add(pending with { DurationMs = committedAtMs - S.FailoverPendingSinceMs });
            if (S.FailoverLog.Count > 1_000) S.FailoverLog.RemoveAt(0);
            S.PendingFailover = null;
        }
        if (height == Epochs.LastHeight(S.Epoch))
        {
            await ReleaseJailed(S.Epoch + 1);
            await BeginEpoch(S.Epoch + 1, committedAtMs);
            return S.Current;
        }
        return null;
    }

    private async Task ReleaseJailed(ulong epoch)
    {
        foreach (var (id, record) in S.Sequencers)
            if (Eligibility.JailServed(record.Status, record.JailedUntilEpoch, epoch))
                await GrainFactory.Sequencer(ChainId, id).ReleaseIfDue(epoch);
    }

    // ---------------------------------------------------------------- liveness and failover

    private async Task CheckLiveness(CancellationToken cancellationToken)
    {
        var current = S.Current;
        if (current is null || S.Config is null || S.Retired) return;
        if (S.Halted && S.HaltReason.StartsWith("epoch", StringComparison.Ordinal)) return; // no one left to fail over to
        // A stopping silo's leaders stop producing: that silence is the stop, not a fault (see SiloLifetime).
        if (ServiceProvider.GetRequiredService<SiloLifetime>().IsStopping) return;
        var now = NowMs;
        if (now - _lastProgressMs <= Config.EffectiveLeaderTimeoutMs) return;
        await Failover(current, $"no block for {now - _lastProgressMs} ms", penalize: true);
    }

    public Task ReportQuorumFailure(string leaderId, ulong term, ulong height, long gatheredPower, long totalPower)
    {
        if (S.Current is not { } current || current.Term != term || current.LeaderId != leaderId) return Task.CompletedTask;
        // The leader is alive; the committee is not. Failing over would not help: halt, visibly.
        _lastProgressMs = NowMs;
        var reason = $"no quorum at height {height}: {gatheredPower} of {totalPower} power attested (needs > 2/3)";
        if (!S.Halted || S.HaltReason != reason)
        {
            if (!S.Halted) _log.LogWarning("rotation {Chain}: chain halted — {Reason}", ChainId, reason);
            S.Halted = true;
            S.HaltReason = reason;
        }
        return Task.CompletedTask;
    }

    public async Task<LeadershipTerm?> ForceFailover(ulong term, string reason, ulong headHeight)
    {
        if (headHeight < S.LastHeight) S.LastHeight = headHeight; // a rollback: the deleted heights are produced again
        if (S.Current is not { } current || current.Term != term)
        {
            // The offender's term already ended; the current term must still start right after the head.
            if (S.Current is { } live && live.FirstHeight > headHeight + 1)
                return await StartTerm(live.Epoch, live.LeaderId, headHeight + 1, live.Committee, NowMs);
            return S.Current;
        }
        return await Failover(current, reason, penalize: false);
    }

    /// <summary>Re-span: the failed leader's term ends at the last committed height; a replacement leads to the end of the epoch.</summary>
    private async Task<LeadershipTerm?> Failover(LeadershipTerm failed, string reason, bool penalize)
    {
        var now = NowMs;
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
            S.Halted = true;
            S.HaltReason = $"epoch {S.Epoch}: every committee member has failed";
            _lastProgressMs = now;
            await _state.WriteStateAsync();
            return S.Current;
        }
        S.PendingFailover = S.PendingFailover! with { Replacement = replacement };
        return await StartTerm(S.Epoch, replacement, S.LastHeight + 1, committee, now);
    }

    // ---------------------------------------------------------------- standings

    public async Task<StakingReason> RegisterSequencer(StandingUpdate standing)
    {
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

    public async Task OnStandingChanged(StandingUpdate update)
    {
        if (!S.Sequencers.TryGetValue(update.SequencerId, out var record)) S.Sequencers[update.SequencerId] = record = new SequencerRecord();
        if (record.CheckpointEpochs.Count > 0 && record.CheckpointEpochs[^1] == update.EpochMade)
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
        if (S.Retired) return;
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
        if (S.Config is null || !S.Committees.TryGetValue(S.Epoch, out var committee) || committee.Length == 0) return Task.FromResult(Array.Empty<string>());
        return Task.FromResult(LoadRotation().Upcoming(S.Epoch, Members(committee), Math.Max(count, 0)).ToArray());
    }

    public Task<TermInfo[]> GetTerms() =>
        Task.FromResult(S.Terms.Select(t => t.ToInfo()).ToArray());

    public Task<string[]> GetSequencerIds() => Task.FromResult(S.Sequencers.Keys.Order(StringComparer.Ordinal).ToArray());

    public Task<RotationStatus> GetStatus() =>
        Task.FromResult(new RotationStatus(S.Epoch, S.Current, S.Halted, S.HaltReason, S.Failovers, S.FailoverLog.Select(f => f.DurationMs).ToArray(), S.LeaderChanges, S.FailoverLog.ToArray()));
}
