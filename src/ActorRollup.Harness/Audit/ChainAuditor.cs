using System.Diagnostics;
using ActorRollup.Abstractions;
using ActorRollup.Abstractions.Messages;
using ActorRollup.Abstractions.Security;
using ActorRollup.Audit;

namespace ActorRollup.Harness.Audit;

/// <summary>
/// Audits one chain through the grains (PROTOCOL.md §2–§8): reads the genesis, rotation's term history
/// and committees, and every committed block from 1 to the head, and replays them with <see cref="ChainReplay"/>; then
/// compares the replay with the chain's head, supply audit, rollback records and reward pools. Works on a live chain:
/// it follows the head until it holds still long enough to compare (a few rounds at most), starts over when a
/// rollback replaces heights it has already replayed, and counts a live-state discrepancy only when it persists
/// over several looks (a block being appended can make two reads disagree for an instant). Read-only: it calls only
/// queries.
/// </summary>
public sealed class ChainAuditor(IGrainFactory grainFactory)
{
    private readonly IGrainFactory _grains = grainFactory;

    /// <summary>Blocks requested ahead of the replay.</summary>
    public int Prefetch { get; init; } = 8;

    /// <summary>Rounds of following a moving head before the live comparison is given up (and reported as a gap).</summary>
    public int MaxRounds { get; init; } = 50;

    /// <summary>Looks at the live state a discrepancy must survive to count.</summary>
    public int LiveLooks { get; init; } = 4;

    /// <summary>Pause between two looks at the live state.</summary>
    public TimeSpan LookInterval { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Audits <paramref name="chainId"/> from genesis to its head (committees and terms of every epoch come
    /// from rotation, which keeps each epoch's in a record of its own).</summary>
    /// <exception cref="ArgumentException">No such chain.</exception>
    /// <param name="from">A follower that replayed the chain's finalized blocks while it ran: the audit goes on from where
    /// it got to (only the tail is replayed now); its gap, if it fell behind the chain's retained history, is reported.</param>
    public async Task<AuditReport> AuditAsync(string chainId, CancellationToken cancellationToken = default, AuditFollower? from = null)
    {
        var clock = Stopwatch.StartNew();
        var chain = _grains.Chain(chainId);
        var genesis = await chain.GetGenesis() ?? throw new ArgumentException($"chain '{chainId}' does not exist", nameof(chainId));
        var history = from?.History ?? new AuditHistory();
        if (from?.Gap is { } gap) return from.Replay.Report([], null, [gap], clock.ElapsedMilliseconds);
        const int attempts = 3;
        for (int attempt = 1; ; attempt++)
        {
            // A rollback can only replace heights above a final one, so the follower's replay (of final blocks) stays valid.
            var replay = from?.Replay ?? new ChainReplay(genesis, history);
            var outcome = await Follow(chainId, replay, history, cancellationToken);
            // The follower's replay cannot start over (the chain no longer holds the heights it replayed): one attempt.
            if (outcome.Restart && attempt < attempts && from is null) continue;
            var gaps = new List<string>();
            if (outcome.Restart) gaps.Add(from is null
                ? $"rollbacks kept replacing replayed heights over {attempts} attempts: the head and supply comparison was not made"
                : "a rollback replaced heights of the tail while the audit replayed it: the head and supply comparison was not made");
            if (outcome.Moving) gaps.Add($"the chain kept moving for {MaxRounds} rounds: the head and supply comparison was not made");
            return replay.Report(outcome.Live, outcome.State, gaps, clock.ElapsedMilliseconds);
        }
    }

    /// <summary>Starts following <paramref name="chainId"/>'s finalized blocks (see <see cref="AuditFollower"/>).</summary>
    /// <exception cref="ArgumentException">No such chain.</exception>
    public async Task<AuditFollower> FollowAsync(string chainId, CancellationToken cancellationToken = default)
    {
        var genesis = await _grains.Chain(chainId).GetGenesis() ?? throw new ArgumentException($"chain '{chainId}' does not exist", nameof(chainId));
        var history = new AuditHistory();
        return new AuditFollower(this, chainId, new ChainReplay(genesis, history), history);
    }

    /// <summary>
    /// Replays a chain's finalized blocks while the chain runs (they are never rolled back), so an audit at the end only
    /// replays the tail, and settles them (<see cref="ChainReplay.Settle"/>) so the replay's memory stays flat. If a
    /// finalized block is gone before the follower read it (the chain pruned it), the follower stops and says so: the
    /// audit then reports that gap and makes no head comparison.
    /// </summary>
    public sealed class AuditFollower
    {
        private readonly ChainAuditor _auditor;
        private readonly string _chainId;

        internal AuditFollower(ChainAuditor auditor, string chainId, ChainReplay replay, AuditHistory history)
        {
            _auditor = auditor;
            _chainId = chainId;
            Replay = replay;
            History = history;
        }

        public ChainReplay Replay { get; }
        public AuditHistory History { get; }

        /// <summary>Why the follower stopped short (null while it keeps up).</summary>
        public string? Gap { get; private set; }

        /// <summary>Applies the finalized blocks not replayed yet, when more than <paramref name="lag"/> of them wait (so a
        /// loaded machine replays in bursts, well inside the chain's retained history).</summary>
        public async Task StepAsync(ulong lag, CancellationToken cancellationToken = default)
        {
            if (Gap is not null) return;
            var chain = _auditor._grains.Chain(_chainId);
            var head = await chain.GetHead();
            if (head.FinalizedHeight <= Replay.Height + lag) return;
            await _auditor.RefreshHistory(_chainId, History, head.Epoch);
            if (!await _auditor.FetchInto(chain, Replay, head.FinalizedHeight, cancellationToken))
            {
                Gap = $"finalized height {Replay.Height + 1} was gone (pruned by the chain's history retention) before the audit's follower read it: " +
                      $"heights above {Replay.Height} were not replayed and the head and supply comparison was not made";
                return;
            }
            Replay.Settle(head.FinalizedHeight, await chain.GetRollbacks());
        }
    }

    private sealed record FollowOutcome(IReadOnlyList<AuditViolation> Live, LiveChainState? State, bool Restart, bool Moving);

    private async Task<FollowOutcome> Follow(string chainId, ChainReplay replay, AuditHistory history, CancellationToken cancellationToken)
    {
        var chain = _grains.Chain(chainId);
        var known = await chain.GetRollbacks();
        int rounds = 0, looks = 0;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var head = await chain.GetHead();
            if (head.Height < replay.Height) return Restart();
            if (head.Height > replay.Height)
            {
                if (++rounds > MaxRounds) return new FollowOutcome([], null, false, true);
                await RefreshHistory(chainId, history, head.Epoch);
                if (!await FetchInto(chain, replay, head.Height, cancellationToken)) return Restart();
                if (RolledBackBelow(known, await chain.GetRollbacks(), replay.Height)) return Restart();
                continue;
            }

            // Caught up: look at the live state, and keep it only if the head held still meanwhile.
            var state = await ReadLive(chainId, head);
            var after = await chain.GetHead();
            if (after.Height != head.Height || after.Hash != head.Hash || after.FinalizedHeight != head.FinalizedHeight)
            {
                if (++rounds > MaxRounds) return new FollowOutcome([], null, false, true);
                continue;
            }
            if (RolledBackBelow(known, state.Rollbacks, replay.Height)) return Restart();
            await RefreshHistory(chainId, history, head.Epoch);
            var found = replay.CheckLive(state);
            if (found.Count == 0 || ++looks >= LiveLooks) return new FollowOutcome(found, state, false, false);
            await Task.Delay(LookInterval, cancellationToken);
        }

        static FollowOutcome Restart() => new([], null, true, false);
    }

    /// <summary>True when a rollback not in <paramref name="before"/> deleted a height the replay already applied.</summary>
    private static bool RolledBackBelow(RollbackRecord[] before, RollbackRecord[] now, ulong replayed)
    {
        var seen = before.Select(r => r.ChallengeId).ToHashSet(StringComparer.Ordinal);
        return now.Any(r => !seen.Contains(r.ChallengeId) && r.FromHeight <= replayed);
    }

    /// <summary>Terms, and the committees of epochs up to <paramref name="epoch"/> not known yet (a past epoch that
    /// rotation no longer holds is not asked for again).</summary>
    private async Task RefreshHistory(string chainId, AuditHistory history, ulong epoch)
    {
        var rotation = _grains.Rotation(chainId);
        history.MergeTerms(await rotation.GetTerms());
        var missing = Enumerable.Range(1, (int)Math.Min(epoch, int.MaxValue)).Select(e => (ulong)e)
            .Where(e => !history.Committees.ContainsKey(e) && !_forgotten.Contains(e)).ToArray();
        var seats = await Task.WhenAll(missing.Select(e => rotation.GetCommittee(e)));
        // Terms of epochs older than the recent ones rotation's head record keeps come from each epoch's record.
        var terms = await Task.WhenAll(missing.Select(e => rotation.GetEpochTerms(e)));
        for (int i = 0; i < missing.Length; i++)
        {
            history.MergeTerms(terms[i]);
            if (seats[i].Length > 0) history.Committees[missing[i]] = seats[i];
            else if (missing[i] < epoch) _forgotten.Add(missing[i]);
        }
    }

    private readonly HashSet<ulong> _forgotten = [];

    /// <summary>Fetches and applies blocks up to <paramref name="to"/>, <see cref="Prefetch"/> requests ahead; false when
    /// a block is gone (a rollback shortened the chain meanwhile).</summary>
    private async Task<bool> FetchInto(IChainGrain chain, ChainReplay replay, ulong to, CancellationToken cancellationToken)
    {
        var window = new Queue<Task<CommittedBlock?>>();
        var next = replay.Height + 1;
        while (next <= to && window.Count < Prefetch) window.Enqueue(chain.GetCommittedBlock(next++).OrNullIfPruned());
        while (window.Count > 0)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var block = await window.Dequeue();
            if (next <= to) window.Enqueue(chain.GetCommittedBlock(next++).OrNullIfPruned());
            if (block is null)
            {
                await Task.WhenAll(window); // let the outstanding reads finish before starting over
                return false;
            }
            replay.Apply(block);
        }
        return true;
    }

    private async Task<LiveChainState> ReadLive(string chainId, ChainHead head)
    {
        var chain = _grains.Chain(chainId);
        var supply = await chain.AuditSupply();
        var rollbacks = await chain.GetRollbacks();
        var ids = await _grains.Rotation(chainId).GetSequencerIds();
        var pools = await Task.WhenAll(ids.Select(id => _grains.Sequencer(chainId, id).GetSupply()));
        return new LiveChainState(head, supply, rollbacks, ids.Zip(pools).ToDictionary(p => p.First, p => p.Second, StringComparer.Ordinal));
    }
}
