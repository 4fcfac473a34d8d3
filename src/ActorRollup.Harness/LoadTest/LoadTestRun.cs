using System.Diagnostics;
using ActorRollup.Abstractions;
using ActorRollup.Abstractions.Config;
using ActorRollup.Core.Blocks;
using ActorRollup.Abstractions.Messages;
using ActorRollup.Core.Crypto;
using ActorRollup.Core.Primitives;
using ActorRollup.Core.Transactions;
using ActorRollup.Audit;
using ActorRollup.Harness.Audit;
using ActorRollup.Core.Network;
using ActorRollup.Grains.Infrastructure;
using HdrHistogram;

namespace ActorRollup.Harness.LoadTest;

/// <summary>A live sample of a run, for the progress display. <see cref="Elapsed"/> counts from the start of the
/// traffic (warm-up included), <see cref="PhaseElapsed"/> from the start of <see cref="Phase"/>.</summary>
public sealed record RunProgress(int CommitteeSize, TimeSpan Elapsed, string Phase, double CommittedTps, ulong Height, ulong Epoch,
    string Leader, double P99Ms, int FaultsFired, long Admitted, long Committed, int Mempool, bool Halted, TimeSpan PhaseElapsed);

/// <summary>The phases of a run, in order, as the progress display names them.</summary>
public static class RunPhase
{
    public const string Signing = "signing";
    public const string Genesis = "genesis";
    public const string Warmup = "warm-up";
    public const string Load = "load";
    public const string Drain = "drain";
    public const string Measure = "measure";
    public const string Audit = "audit";

    public static readonly string[] All = [Signing, Genesis, Warmup, Load, Drain, Measure, Audit];
}

/// <summary>
/// One load-test run on a fresh chain of one committee size: genesis, pre-signed traffic, faults at their times,
/// live sampling, a drain period, then the figures of PROTOCOL.md §10 read off the final chain.
/// </summary>
public sealed class LoadTestRun(IGrainFactory grains, LoadTestOptions options, int committeeSize, double ed25519Ceiling, Action<RunProgress> report,
    NetworkTopology? topology = null)
{
    /// <summary>Blocks fetched at once (over a network every fetch pays the client's round trip to the leader).</summary>
    private const int FetchBatch = 64;
    private readonly string _chainId = $"lt-{DateTime.UtcNow:MMddHHmmss}-c{committeeSize}";
    private readonly Dictionary<ulong, BlockView> _blocks = [];
    private readonly List<FiredFault> _faults = [];
    private readonly List<SiloKill.Event> _siloKills = [];
    /// <summary>results.json <c>placement</c>: at the start of the load and after each silo kill (<see cref="SamplePlacementAsync"/>).</summary>
    private readonly List<Task<PlacementSample?>> _placements = [];
    private readonly Stopwatch _runClock = new();
    private readonly LongHistogram _liveSoft = new(1, 3_600_000, 3);
    private ulong _scanned;
    private long _committedLive;
    private RunProgress? _lastSample;
    /// <summary>Time since the current phase began (restarted at each).</summary>
    private readonly Stopwatch _phaseClock = new();

    public string ChainId => _chainId;

    public async Task<RunResult> RunAsync(CancellationToken cancellationToken)
    {
        var total = Stopwatch.StartNew();
        var genesis = Genesis();
        // Sign first: the chain must not compete with the signing for the cores (it would look like a dead leader).
        _phaseClock.Restart();
        report(Progress(RunPhase.Signing, TimeSpan.Zero, null));
        var perAccount = PreSign(genesis, out long presigned);
        var signingSec = _phaseClock.Elapsed.TotalSeconds;
        _phaseClock.Restart();
        report(Progress(RunPhase.Genesis, TimeSpan.Zero, null));
        if (options.Network is { } network)
        {
            // This run's committee size gets its own spread, before any of the chain's grains is called.
            var model = topology ?? throw new InvalidOperationException("--network needs the embedded silo's network model");
            model.Model.Heal();
            model.Assign(_chainId, network.Members, network.Validators);
        }
        var boot = await grains.Chain(_chainId).Bootstrap(genesis);
        if (!boot.Ok) throw new InvalidOperationException($"cannot bootstrap {_chainId}: {boot.Reason} {boot.Detail}");
        var chain = grains.Chain(_chainId);
        await WaitFor(async () => (await chain.GetHead()).Height >= 1, TimeSpan.FromSeconds(30), cancellationToken);

        var generator = new TrafficGenerator(grains.GetGrain<IAdmissionGrain>(_chainId), perAccount, options.Workers, options.BatchSize, options.Rate);
        using var stopTraffic = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var genesisSec = _phaseClock.Elapsed.TotalSeconds;
        var clock = Stopwatch.StartNew();
        _runClock.Restart();
        _placements.Add(SamplePlacementAsync("start", genesis));
        var startMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        // Offered and committed tx/s are both counted over this window (on the wall clock the block times use).
        var window = MeasuredWindow.After(startMs, options.Warmup, options.Duration);
        var traffic = generator.RunAsync(stopTraffic.Token);
        var pendingFaults = new Queue<FaultSpec>(options.Faults);
        _phaseClock.Restart();

        // Warm-up, then the measured window, sampled every second; faults fire at their times. The traffic runs on to
        // the end of the window (on the wall clock), so the window is covered whole.
        var loadEnd = options.Warmup + options.Duration;
        while ((clock.Elapsed < loadEnd || DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() < window.EndMs) && !cancellationToken.IsCancellationRequested)
        {
            var next = clock.Elapsed < options.Warmup ? options.Warmup : loadEnd;
            await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(1000, Math.Max(50, (next - clock.Elapsed).TotalMilliseconds))), cancellationToken);
            while (pendingFaults.Count > 0 && pendingFaults.Peek().At <= clock.Elapsed)
                await Fire(pendingFaults.Dequeue(), clock.Elapsed);
            await Tolerate(async () =>
            {
                await Scan();
                var now = clock.Elapsed;
                report(await Sample(now < options.Warmup ? RunPhase.Warmup : RunPhase.Load, now, generator));
            });
        }
        var stopMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        stopTraffic.Cancel();
        await traffic;
        // Partitions end with the window: the drain, the figures and the audit need every node reachable.
        topology?.Model.Heal();

        // Drain: every admitted transaction committed, and the blocks holding them final.
        _phaseClock.Restart();
        var admitted = generator.AdmittedLog.Select(a => a.Hash).ToHashSet();
        while (_phaseClock.Elapsed < options.Drain && !cancellationToken.IsCancellationRequested)
        {
            await Task.Delay(500, cancellationToken);
            var drained = false;
            await Tolerate(async () =>
            {
                await Scan();
                report(await Sample(RunPhase.Drain, clock.Elapsed, generator));
                var head = await chain.GetHead();
                var committedNow = Canonical().SelectMany(b => b.TransactionHashes).Count(admitted.Contains);
                var lastWithTx = Canonical().Where(b => b.TransactionCount > 0).Select(b => b.Height).DefaultIfEmpty(0UL).Max();
                drained = committedNow >= admitted.Count && head.FinalizedHeight >= lastWithTx && head.ValidatedHeight >= lastWithTx;
            });
            if (drained) break;
        }

        var drainSec = _phaseClock.Elapsed.TotalSeconds;

        // The figures come from the final, canonical chain (rollbacks replaced some heights during the run).
        _phaseClock.Restart();
        report(Progress(RunPhase.Measure, clock.Elapsed, generator));
        var final = await FinalChain();
        var result = await Measure(final, generator, admitted, presigned, window, startMs);
        await ClearFaults(genesis);
        await grains.Rotation(_chainId).Retire();
        var measureSec = _phaseClock.Elapsed.TotalSeconds;
        // The audit replays the retired chain from genesis: every block, certificate, term and the supply.
        _phaseClock.Restart();
        report(Progress(RunPhase.Audit, clock.Elapsed, generator));
        var audit = await new ChainAuditor(grains).AuditAsync(_chainId, cancellationToken);
        // Warm-up and window on the wall clock of the traffic: the window's own bounds, the traffic's stop.
        var phases = new PhaseSeconds(R(signingSec), R(genesisSec), R((window.StartMs - startMs) / 1000.0), R((stopMs - window.StartMs) / 1000.0), R(drainSec), R(measureSec),
            R(_phaseClock.Elapsed.TotalSeconds), R(total.Elapsed.TotalSeconds));
        return result with { Audit = audit, PhasesSec = phases };
    }

    private static double R(double seconds) => Math.Round(seconds, 1);



    /// <summary>The chain parameters a run uses (also what the command validates before connecting).</summary>
    public static ChainConfig ConfigFor(LoadTestOptions options, string chainId, int committeeSize) => new()
    {
        ChainId = chainId,
        BlockIntervalMs = options.BlockIntervalMs,
        EpochLength = options.EpochLength,
        CommitteeSize = committeeSize,
        ScheduleAlgorithm = options.Schedule,
        ScheduleSeed = options.Seed,
        Ordering = options.Ordering,
        LeaderTimeoutMs = options.EffectiveLeaderTimeoutMs,
        MaxTxPerBlock = options.MaxTxPerBlock,
        BatchSize = options.EpochLength % 20 == 0 ? 20 : (int)options.EpochLength,
        MempoolCapacity = options.MempoolCapacity > 0 ? options.MempoolCapacity : options.MaxTxPerBlock,
        PipelineDepth = options.PipelineDepth,
        // A load test's --faults inject crashes, censorship and bad roots into the run's members.
        AllowFaultInjection = true,
    };

    /// <summary>Member <paramref name="index"/>'s genesis stake in a committee of <paramref name="size"/>: spread evenly
    /// from the minimum lock upwards, so voting powers differ and rotation has something to weigh.</summary>
    public static ulong StakeOf(ChainConfig config, int index, int size) =>
        config.MinLockTokens + (ulong)index * (config.MaxLockTokens - config.MinLockTokens) / (ulong)Math.Max(1, size);

    private ChainGenesis Genesis()
    {
        var config = ConfigFor(options, _chainId, committeeSize);
        return new ChainGenesis
        {
            Config = config,
            Sequencers = Enumerable.Range(0, committeeSize)
                .Select(i => new GenesisSequencer($"seq-{i:D3}", StakeOf(config, i, committeeSize)))
                .ToArray(),
            Validators = Enumerable.Range(0, options.Validators).Select(i => new GenesisValidator($"val-{i:D2}", 10_000)).ToArray(),
            LoadTestAccounts = options.Accounts,
            LoadTestAccountTokens = 1_000_000,
            // The accounts' seed is public (this harness signs for them); the members' keys are nobody's business
            // here: a fresh random node-key seed per chain, which only the chain keeps.
            LoadTestSeed = $"loadtest-{options.Seed}/loadtest",
            NodeKeySeed = GenesisKeys.NewNodeKeySeed(),
            GenesisTimeMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(),
        };
    }

    /// <summary>Where the run's grains are, per silo, now (<see cref="GrainPlacement"/>), named <paramref name="after"/>;
    /// null when the cluster did not answer.</summary>
    private async Task<PlacementSample?> SamplePlacementAsync(string after, Abstractions.Config.ChainGenesis? genesis = null)
    {
        var at = Math.Round(after == "start" ? 0.0 : _runClock.Elapsed.TotalSeconds, 2);
        try
        {
            var placement = await GrainPlacement.LocateAsync(grains, _chainId, genesis);
            var record = options.Gateways.Length > 0 ? new Supervisor.ClusterStateFolder(options.ClusterState).Load() : null;
            return new PlacementSample(at, after, GrainPlacement.BySilo(placement, silo =>
                record?.Silos.LastOrDefault(r => r.SiloPort == silo.Endpoint.Port) is { } r ? (r.Instance, r.Region) : (null, null)));
        }
        catch (Exception e) when (e is OrleansException or TimeoutException or Supervisor.ClusterStateException)
        {
            return null;
        }
    }

    /// <summary>The placement once the chain got over a silo kill: the silo declared dead, then the chain's next block
    /// (so the grains it hosted were called and reactivated elsewhere), each waited for at most 30 s.</summary>
    private async Task<PlacementSample?> PlacementAfterKillAsync(SiloKill.Event kill)
    {
        await kill.DeclaredDeadMs.WaitAsync(TimeSpan.FromSeconds(30)).ContinueWith(_ => { }, TaskScheduler.Default);
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(30))
        {
            try
            {
                var head = await grains.Chain(_chainId).GetHead().WaitAsync(TimeSpan.FromSeconds(3));
                if (head.Height > 0 && await CommittedAfter(head.Height, kill.AtMs)) break;
            }
            catch (Exception e) when (e is OrleansException or TimeoutException)
            {
            }
            await Task.Delay(200);
        }
        return await SamplePlacementAsync($"silo-kill instance {kill.Silo.Instance}");
    }

    /// <summary>Whether block <paramref name="height"/> was committed after <paramref name="afterMs"/>.</summary>
    private async Task<bool> CommittedAfter(ulong height, long afterMs)
    {
        var block = await grains.Chain(_chainId).GetBlock(height).WaitAsync(TimeSpan.FromSeconds(3));
        return block is not null && block.CommittedAtMs > afterMs;
    }

    /// <summary>Signs every transaction of the run before it starts: per account, consecutive nonces.</summary>
    private Transaction[][] PreSign(ChainGenesis genesis, out long total)
    {
        var seconds = (options.Warmup + options.Duration).TotalSeconds;
        // With --rate max, enough for a sustained half of the verification ceiling (more cannot be verified anyway).
        var target = options.Rate is { } rate ? rate * seconds * 1.05 : Math.Max(20_000, ed25519Ceiling * 0.5) * seconds;
        var perAccount = (int)Math.Ceiling(target / options.Accounts);
        var keys = Core.Execution.Genesis.LoadTestKeys(genesis.LoadTestSeed, options.Accounts);
        var minPrice = genesis.Config.MinGasPrice;
        var txs = new Transaction[options.Accounts][];
        Parallel.For(0, options.Accounts, a =>
        {
            var list = new Transaction[perAccount];
            var to = keys[(a + 1) % keys.Length].Address;
            var price = options.Ordering == OrderingPolicy.FeePriority ? minPrice * (ulong)(1 + a % 5) : minPrice;
            for (int n = 0; n < perAccount; n++) list[n] = Transaction.Create(keys[a], _chainId, to, (UInt128)(1_000 + n), (ulong)n, price);
            txs[a] = list;
        });
        foreach (var k in keys) k.Dispose();
        total = (long)perAccount * options.Accounts;
        return txs;
    }

    private async Task Fire(FaultSpec fault, TimeSpan at)
    {
        if (fault.IsNetwork)
        {
            await FireNetwork(fault, at);
            return;
        }
        if (fault.Kind == SiloKill.Kind)
        {
            var kill = await SiloKill.FireAsync(grains, options, _chainId, at);
            if (kill is not null)
            {
                _siloKills.Add(kill);
                _placements.Add(PlacementAfterKillAsync(kill));
            }
            _faults.Add(new FiredFault(fault.Kind, Math.Round(at.TotalSeconds, 2), kill is null ? "no silo left to kill" : $"silo {kill.Silo.Instance} (pid {kill.Silo.Pid})"));
            return;
        }
        var rotation = grains.Rotation(_chainId);
        var term = await rotation.GetCurrent();
        var genesis = (await grains.Chain(_chainId).GetGenesis())!;
        string target = term?.LeaderId ?? "";
        SequencerFault? sequencerFault = fault.Kind switch
        {
            "leader-crash" => new SequencerFault(SequencerFaultKind.Crash, Once: false),
            "byzantine-root" => new SequencerFault(SequencerFaultKind.WrongStateRoot),
            "wrong-balance" => new SequencerFault(SequencerFaultKind.WrongBalance),
            "equivocation" => new SequencerFault(SequencerFaultKind.Equivocate),
            "slow-leader" => new SequencerFault(SequencerFaultKind.Slow, DelayMs: options.EffectiveLeaderTimeoutMs / 2, Once: false),
            "censorship" => new SequencerFault(SequencerFaultKind.Censor, Target: GenesisAccount(genesis, 0), Once: false),
            "front-run" => new SequencerFault(SequencerFaultKind.FrontRun),
            "reorder" => new SequencerFault(SequencerFaultKind.Reorder),
            "member-offline" => new SequencerFault(SequencerFaultKind.Offline, Once: false),
            _ => null,
        };
        if (fault.Kind == "member-offline" && term is not null)
            target = term.Committee.Where(s => s.Id != term.LeaderId).OrderBy(s => s.Power).Select(s => s.Id).FirstOrDefault() ?? target;
        if (sequencerFault is not null)
        {
            await grains.Sequencer(_chainId, target).InjectFault(sequencerFault);
        }
        else
        {
            target = genesis.Validators[^1].Id;
            await grains.Validator(_chainId, target).InjectFault(fault.Kind == "validator-offline" ? ValidatorFaultKind.Offline : ValidatorFaultKind.FalseChallenge);
        }
        _faults.Add(new FiredFault(fault.Kind, Math.Round(at.TotalSeconds, 2), target));
    }

    /// <summary>partition cuts a region off, isolate one member's node (the current leader's for "leader"), heal ends both.</summary>
    private async Task FireNetwork(FaultSpec fault, TimeSpan at)
    {
        var model = (topology ?? throw new InvalidOperationException($"fault '{fault}' needs --network")).Model;
        string target;
        switch (fault.Kind)
        {
            case FaultSpec.Partition:
                model.CutOff(fault.Argument);
                target = fault.Argument;
                break;
            case FaultSpec.Isolate:
                target = fault.Argument == FaultSpec.Leader ? (await grains.Rotation(_chainId).GetCurrent())?.LeaderId ?? "" : fault.Argument;
                if (target.Length > 0) model.Isolate(GrainKeys.Member(_chainId, target));
                else target = "no leader";
                break;
            default:
                model.Heal();
                target = "all";
                break;
        }
        _faults.Add(new FiredFault(fault.Kind, Math.Round(at.TotalSeconds, 2), target, fault.Argument.Length > 0 ? fault.Argument : null));
    }

    private static string GenesisAccount(ChainGenesis genesis, int index)
    {
        using var key = SigningKey.Derive(genesis.LoadTestSeed, (ulong)index);
        return key.Address.ToString();
    }

    /// <summary>Ends the run's faults before it is measured: heals the network and clears the members and validators a
    /// fired fault targeted (only those: over a WAN a lagging validator's queue can hold a needless call for seconds).</summary>
    private async Task ClearFaults(ChainGenesis genesis)
    {
        topology?.Model.Heal();
        var targets = _faults.Select(f => f.Target).ToHashSet(StringComparer.Ordinal);
        await Task.WhenAll(genesis.Sequencers.Where(s => targets.Contains(s.Id)).Select(s => grains.Sequencer(_chainId, s.Id).InjectFault(new SequencerFault(SequencerFaultKind.None))));
        await Task.WhenAll(genesis.Validators.Where(v => targets.Contains(v.Id)).Select(v => grains.Validator(_chainId, v.Id).InjectFault(ValidatorFaultKind.None)));
    }

    /// <summary>Blocks <paramref name="from"/>..<paramref name="to"/>, fetched <see cref="FetchBatch"/> at a time; a missing
    /// one (a rollback under way) ends the list, or with <paramref name="skipMissing"/> is left out.</summary>
    private async Task<List<BlockView>> Fetch(ulong from, ulong to, bool skipMissing = false)
    {
        var chain = grains.Chain(_chainId);
        var blocks = new List<BlockView>();
        for (ulong start = from; start <= to; start += FetchBatch)
        {
            var end = Math.Min(to, start + FetchBatch - 1);
            var batch = await Task.WhenAll(Enumerable.Range(0, (int)(end - start + 1)).Select(i => chain.GetBlock(start + (ulong)i)));
            foreach (var block in batch)
            {
                if (block is not null) blocks.Add(block);
                else if (!skipMissing) return blocks;
            }
        }
        return blocks;
    }

    /// <summary>Fetches blocks committed since the last scan (a rolled-back height is fetched again later).</summary>
    private async Task Scan()
    {
        var head = await grains.Chain(_chainId).GetHead();
        if (head.Height < _scanned) _scanned = head.Height; // a rollback
        foreach (var block in await Fetch(_scanned + 1, head.Height))
        {
            var h = block.Height;
            _blocks[h] = block;
            _scanned = h;
            _committedLive += block.TransactionCount;
            for (int i = 0; i < block.AdmittedAtMs.Length; i++)
                if (block.AdmittedAtMs[i] > 0) _liveSoft.RecordValue(Math.Max(1, block.CommittedAtMs - block.AdmittedAtMs[i]));
        }
    }

    private IEnumerable<BlockView> Canonical() => _blocks.Where(kv => kv.Key <= _scanned).Select(kv => kv.Value);

    private async Task<List<BlockView>> FinalChain()
    {
        var head = await grains.Chain(_chainId).GetHead();
        return await Fetch(1, head.Height, skipMissing: true);
    }

    private async Task<RunProgress> Sample(string phase, TimeSpan elapsed, TrafficGenerator generator)
    {
        var status = await grains.Chain(_chainId).GetStatus();
        var recent = _blocks.Values.Where(b => b.CommittedAtMs >= DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - 3_000).Sum(b => (double)b.TransactionCount) / 3.0;
        _lastSample = new RunProgress(committeeSize, elapsed, phase, recent, status.SoftConfirmedHeight, status.Epoch, status.Leader,
            _liveSoft.TotalCount == 0 ? 0 : _liveSoft.GetValueAtPercentile(99), _faults.Count, Interlocked.Read(ref generator.Admitted),
            _committedLive, status.MempoolSize, status.Halted, phase switch
            {
                RunPhase.Warmup => elapsed,
                RunPhase.Load => elapsed - options.Warmup,
                _ => _phaseClock.Elapsed,
            });
        return _lastSample;
    }

    /// <summary>Progress between samples: before the traffic, nothing yet; after it (measure, audit), the last sample's
    /// chain figures under the new phase, not zeros.</summary>
    private RunProgress Progress(string phase, TimeSpan elapsed, TrafficGenerator? generator) =>
        _lastSample is { } last
            ? last with { Phase = phase, Elapsed = elapsed, CommittedTps = 0, FaultsFired = _faults.Count, PhaseElapsed = TimeSpan.Zero }
            : new(committeeSize, elapsed, phase, 0, 0, 0, "", 0, _faults.Count, generator?.Admitted ?? 0, 0, 0, false, TimeSpan.Zero);

    private async Task<RunResult> Measure(List<BlockView> final, TrafficGenerator generator, HashSet<Hash32> admitted, long presigned,
        MeasuredWindow window, long trafficStartMs)
    {
        var occurrences = new Dictionary<Hash32, int>();
        foreach (var b in final)
            foreach (var h in b.TransactionHashes)
                occurrences[h] = occurrences.GetValueOrDefault(h) + 1;
        long committed = admitted.Count(occurrences.ContainsKey);
        long duplicated = occurrences.Count(kv => kv.Value > 1);

        var soft = new LongHistogram(1, 3_600_000, 3);
        var validated = new LongHistogram(1, 3_600_000, 3);
        var finalized = new LongHistogram(1, 3_600_000, 3);
        var commits = final.Select(b => (b.CommittedAtMs, (long)b.TransactionCount)).ToList();
        var offers = generator.OfferLog.ToList();
        foreach (var b in final)
        {
            for (int i = 0; i < b.AdmittedAtMs.Length; i++)
            {
                var admittedAt = b.AdmittedAtMs[i];
                if (!window.Contains(admittedAt)) continue;
                soft.RecordValue(Math.Max(1, b.CommittedAtMs - admittedAt));
                if (b.ValidatedAtMs > 0) validated.RecordValue(Math.Max(1, b.ValidatedAtMs - admittedAt));
                if (b.FinalizedAtMs > 0) finalized.RecordValue(Math.Max(1, b.FinalizedAtMs - admittedAt));
            }
        }

        var rotation = await grains.Rotation(_chainId).GetStatus();
        var rollbacks = await grains.Chain(_chainId).GetRollbacks();
        var genesis = (await grains.Chain(_chainId).GetGenesis())!;
        var views = await Task.WhenAll(genesis.Sequencers.Select(s => grains.Sequencer(_chainId, s.Id).GetView()));
        var rtt = new LongHistogram(1, 60_000_000, 3);
        foreach (var rtts in await Task.WhenAll(genesis.Sequencers.Select(s => grains.Sequencer(_chainId, s.Id).GetAttestationRtts())))
            foreach (var us in rtts)
                rtt.RecordValue(Math.Max(1, us));
        var audit = await grains.Chain(_chainId).AuditSupply();
        var head = await grains.Chain(_chainId).GetHead();

        static Percentiles P(LongHistogram h) => h.TotalCount == 0
            ? new Percentiles(0, 0, 0)
            : new Percentiles(h.GetValueAtPercentile(50), h.GetValueAtPercentile(95), h.GetValueAtPercentile(99));

        return new RunResult
        {
            ChainId = _chainId,
            CommitteeSize = committeeSize,
            Validators = options.Validators,
            DurationSec = window.Seconds,
            WarmupSec = options.Warmup.TotalSeconds,
            OfferedTps = window.Rate(window.CountIn(offers)),
            CommittedTps = window.Rate(window.CountIn(commits)),
            LatencyMs = new LatencySet(P(soft), P(validated), P(finalized)),
            Blocks = final.Count,
            Epochs = head.Epoch,
            LeaderChanges = rotation.LeaderChanges,
            Failovers = rotation.FailoverLog.Select(f => new FailoverResult(f.DurationMs, f.FailedLeader, f.Replacement, f.Reason,
                Math.Round((f.AtMs - trafficStartMs) / 1000.0, 2))).ToArray(),
            Rollbacks = rollbacks.Select(r => new RollbackResult(r.Depth, r.RestoredAtMs - r.BadBlockCommittedAtMs)).ToArray(),
            Slashes = views.Sum(v => v.Slashes),
            TxAdmitted = admitted.Count,
            TxCommitted = committed,
            TxLost = admitted.Count - committed,
            TxDuplicated = duplicated,
            SupplyConserved = audit.Conserved,
            AttestationRttMs = rtt.TotalCount == 0 ? new RttResult(0, 0) : new RttResult(rtt.GetValueAtPercentile(50) / 1000.0, rtt.GetValueAtPercentile(99) / 1000.0),
            TargetBlockIntervalMs = options.BlockIntervalMs,
            BlockIntervalMs = LatencyBreakdown.BlockInterval(final, window.Contains),
            SoftConfirmBreakdownMs = LatencyBreakdown.SoftConfirm(final, window.Contains),
            Network = options.Network?.Describe(committeeSize, options.Validators),
            QuorumRttMs = options.Network is { } net ? Math.Round(net.QuorumRttMs(committeeSize), 1) : null,
            PipelineDepth = options.PipelineDepth,
            LeaderTimeoutMs = options.EffectiveLeaderTimeoutMs,
            OfferedRate = options.Rate?.ToString() ?? "max",
            TxRefused = generator.Refused,
            Refusals = generator.RefusalReasons.ToDictionary(kv => kv.Key.ToString(), kv => kv.Value),
            Faults = _faults.ToArray(),
            TpsTimeline = window.PerSecond(trafficStartMs, commits),
            OfferedTimeline = window.PerSecond(trafficStartMs, offers),
            SupplyAudit = $"total {audit.Total} expected {audit.Expected} (L2 {audit.L2Balances}, fees in flight {audit.FeesInFlight}, L1 {audit.L1Balances}, bonded {audit.Bonded}, unbonding {audit.Unbonding}, pools {audit.RewardPools}, validator bonds {audit.ValidatorBonds}, minted {audit.Minted}, burned {audit.Burned})",
            PresignedTx = presigned,
            GeneratorExhausted = generator.Exhausted,
            SiloKills = await Task.WhenAll(_siloKills.Select(k => k.ResultAsync(final))),
            Placement = (await Task.WhenAll(_placements)).OfType<PlacementSample>().ToArray(),
            SubmitCallsFailed = Interlocked.Read(ref generator.FailedCalls),
            TxAdmittedByFailedCalls = Interlocked.Read(ref generator.RecoveredAfterFailedCall),
        };
    }

    /// <summary>A killed silo makes calls to the grains it hosted fail or time out until they are activated elsewhere:
    /// the sampling skips a beat instead of ending the run.</summary>
    private static async Task Tolerate(Func<Task> sample)
    {
        try
        {
            await sample();
        }
        catch (Exception e) when (e is TimeoutException or OrleansException)
        {
        }
    }

    private static async Task WaitFor(Func<Task<bool>> condition, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        while (!await condition())
        {
            if (clock.Elapsed > timeout) throw new TimeoutException("the chain did not start producing blocks");
            await Task.Delay(50, cancellationToken);
        }
    }
}
