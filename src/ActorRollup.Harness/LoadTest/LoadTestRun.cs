using System.Diagnostics;
using ActorRollup.Abstractions;
using ActorRollup.Abstractions.Security;
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
/// One load-test run on a fresh chain of one committee size: genesis, traffic signed a bounded lookahead ahead of the
/// offer, faults at their times, live sampling, a drain period, then the figures of PROTOCOL.md §10. The figures stream:
/// each block is read once it is final (it can no longer be rolled back) and folded into the histograms, counts and
/// series; the run keeps no per-transaction state beyond the transactions in flight (<see cref="TxLedger"/>), so its
/// memory does not grow with its length. The audit follows the finalized chain while the run goes when the chain prunes
/// its history, so the end-of-run audit only replays the tail.
/// </summary>
public sealed class LoadTestRun(IGrainFactory grains, LoadTestOptions options, int committeeSize, CeilingResult ceilings, Action<RunProgress> report,
    NetworkTopology? topology = null, int chainIndex = 1, ClusterFaults? clusterFaults = null)
{
    /// <summary>Blocks fetched at once (over a network every fetch pays the client's round trip to the leader).</summary>
    private const int FetchBatch = 64;
    private readonly string _chainId = $"lt-{DateTime.UtcNow:MMddHHmmss}-c{committeeSize}" + (options.Chains > 1 ? $"-n{chainIndex}" : "");
    /// <summary>Cluster-wide faults this run has reached (the ordinal of the next one, <see cref="ClusterFaults"/>).</summary>
    private int _clusterFaultsReached;
    /// <summary>Signed transactions kept waiting per worker at <c>--rate max</c> (a rate keeps <see cref="LookaheadSeconds"/>).</summary>
    public const int MaxLookaheadPerWorker = 20_000;
    /// <summary>Seconds of traffic (at the rate) each worker's signer keeps ready.</summary>
    public const double LookaheadSeconds = 5;
    /// <summary>Seconds of blocks a load-test chain keeps below its finalized height by default (--history-retention).</summary>
    public const int DefaultRetentionSeconds = 120;
    private readonly List<FiredFault> _faults = [];
    private readonly List<SiloKill.Event> _siloKills = [];
    /// <summary>results.json <c>placement</c>: at the start of the load and after each silo kill (<see cref="SamplePlacementAsync"/>).</summary>
    private readonly List<Task<PlacementSample?>> _placements = [];
    private readonly Stopwatch _runClock = new();
    private readonly LongHistogram _liveSoft = new(1, 3_600_000, 3);
    private ulong _scanned;
    private ulong _lastWithTx;
    private long _committedLive;
    /// <summary>Commit times and sizes of the blocks committed in the last 3 s (the live tx/s).</summary>
    private readonly Queue<(long AtMs, int Count)> _recent = new();
    private Measurement? _measurement;
    private RunProgress? _lastSample;
    /// <summary>Time since the current phase began (restarted at each).</summary>
    private readonly Stopwatch _phaseClock = new();

    public string ChainId => _chainId;

    public async Task<RunResult> RunAsync(CancellationToken cancellationToken)
    {
        var total = Stopwatch.StartNew();
        using var memory = new MemorySampler();
        var recoveriesBefore = EthTransactionCodec.SenderRecoveryCounts;
        var genesis = Genesis();
        // Sign the first lookahead batch before the chain starts (the signing phase); the rest is signed on background
        // tasks while the traffic runs, never more than the lookahead ahead of the offer.
        _phaseClock.Restart();
        report(Progress(RunPhase.Signing, TimeSpan.Zero, null));
        using var signer = Signer(genesis);
        long presigned = signer.Prime();
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

        using var stopTraffic = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var genesisSec = _phaseClock.Elapsed.TotalSeconds;
        var clock = Stopwatch.StartNew();
        _runClock.Restart();
        _placements.Add(SamplePlacementAsync("start", genesis));
        var startMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        // Offered and committed tx/s are both counted over this window (on the wall clock the block times use).
        var window = MeasuredWindow.After(startMs, options.Warmup, options.Duration);
        var ledger = new TxLedger(signer.Accounts);
        var offered = new StampedSeries(window, startMs);
        _measurement = new Measurement(window, startMs, ledger);
        var generator = new TrafficGenerator(grains.GetGrain<IAdmissionGrain>(_chainId), signer, ledger, offered, options.BatchSize, options.Rate);
        // The audit follows the finalized chain when the chain prunes it, staying well within what it retains.
        var retention = ConfigFor(options, _chainId, committeeSize).HistoryRetentionBlocks;
        var auditor = new ChainAuditor(grains);
        var follower = retention == 0 ? null : await auditor.FollowAsync(_chainId, cancellationToken);
        signer.Start();
        var traffic = generator.RunAsync(stopTraffic.Token);
        var pendingFaults = new Queue<FaultSpec>(options.Faults);
        _phaseClock.Restart();

        // Warm-up, then the measured window, sampled every second; faults fire at their times. The traffic runs on to
        // the end of the window (on the wall clock), so the window is covered whole.
        var loadEnd = options.Warmup + options.Duration;
        // One sample at a time, beside the loop: a sample held up by a call to a silo that just died (up to the client's
        // response timeout) skips beats but never delays a fault past its time.
        var sampling = Task.CompletedTask;
        while ((clock.Elapsed < loadEnd || DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() < window.EndMs) && !cancellationToken.IsCancellationRequested)
        {
            var next = clock.Elapsed < options.Warmup ? options.Warmup : loadEnd;
            if (pendingFaults.Count > 0 && pendingFaults.Peek().At < next) next = pendingFaults.Peek().At;
            await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(1000, Math.Max(50, (next - clock.Elapsed).TotalMilliseconds))), cancellationToken);
            while (pendingFaults.Count > 0 && pendingFaults.Peek().At <= clock.Elapsed)
                await Fire(pendingFaults.Dequeue(), clock.Elapsed);
            if (!sampling.IsCompleted) continue;
            await sampling;
            sampling = Tolerate(async () =>
            {
                var head = await Scan();
                await Fold(head.FinalizedHeight);
                if (follower is not null) await follower.StepAsync(retention / 2, cancellationToken);
                var now = clock.Elapsed;
                report(await Sample(now < options.Warmup ? RunPhase.Warmup : RunPhase.Load, now, generator));
            });
        }
        await sampling;
        var stopMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        stopTraffic.Cancel();
        await traffic;
        await signer.StopAsync();
        // Partitions end with the window: the drain, the figures and the audit need every node reachable.
        topology?.Model.Heal();

        // Drain: every admitted transaction committed, and the blocks holding them final.
        _phaseClock.Restart();
        while (_phaseClock.Elapsed < options.Drain && !cancellationToken.IsCancellationRequested)
        {
            await Task.Delay(500, cancellationToken);
            var drained = false;
            await Tolerate(async () =>
            {
                var head = await Scan();
                await Fold(head.FinalizedHeight);
                if (follower is not null) await follower.StepAsync(retention / 2, cancellationToken);
                report(await Sample(RunPhase.Drain, clock.Elapsed, generator));
                // Every admitted transaction seen in a final block (so the blocks holding them are final), and validated.
                drained = ledger.Pending == 0 && head.FinalizedHeight >= _lastWithTx && head.ValidatedHeight >= _lastWithTx;
            });
            if (drained) break;
        }

        var drainSec = _phaseClock.Elapsed.TotalSeconds;
        var recoveriesAfter = EthTransactionCodec.SenderRecoveryCounts;

        // The figures: what the final blocks folded in, plus the chain's tail above its finalized height as it is now.
        _phaseClock.Restart();
        report(Progress(RunPhase.Measure, clock.Elapsed, generator));
        // From here on every step only reads or is idempotent, so a call that meets a silo still stopping (a
        // `silo-stop` fault's graceful shutdown can outlast the drain) is made again, not the end of the run.
        await Settled(async () => { await FoldTail(); return 0; }, cancellationToken);
        var result = await Settled(() => Measure(generator, presigned, signer.Signed, window, startMs, offered), cancellationToken);
        result = result with { SenderRecovery = SenderRecovery(recoveriesBefore, recoveriesAfter, result.TxAdmitted) };
        await Settled(async () => { await ClearFaults(genesis); await grains.Rotation(_chainId).Retire(); return 0; }, cancellationToken);
        var measureSec = _phaseClock.Elapsed.TotalSeconds;
        // The audit replays the retired chain: from genesis, or from where its follower got to during the run.
        _phaseClock.Restart();
        report(Progress(RunPhase.Audit, clock.Elapsed, generator));
        var audit = await Settled(() => auditor.AuditAsync(_chainId, cancellationToken, follower), cancellationToken);
        // Warm-up and window on the wall clock of the traffic: the window's own bounds, the traffic's stop.
        var phases = new PhaseSeconds(R(signingSec), R(genesisSec), R((window.StartMs - startMs) / 1000.0), R((stopMs - window.StartMs) / 1000.0), R(drainSec), R(measureSec),
            R(_phaseClock.Elapsed.TotalSeconds), R(total.Elapsed.TotalSeconds));
        return result with { Audit = audit, PhasesSec = phases, MemoryMb = memory.Usage(), ChainIndex = chainIndex, Chains = options.Chains };
    }

    private static double R(double seconds) => Math.Round(seconds, 1);

    /// <summary>The run's sender recoveries (eth with the embedded silo, whose grains decode in this process; over a
    /// gateway the silos' recoveries are not visible here, so null).</summary>
    private SenderRecoveryResult? SenderRecovery((long Recovered, long CacheHits) before, (long Recovered, long CacheHits) after, long admitted)
    {
        if (options.TxFormat != LoadTestTxFormat.Eth || options.Gateways.Length > 0) return null;
        long recovered = after.Recovered - before.Recovered, hits = after.CacheHits - before.CacheHits;
        return new SenderRecoveryResult(recovered, hits, admitted == 0 ? 0 : Math.Round((double)recovered / admitted, 3),
            recovered + hits == 0 ? 0 : Math.Round((double)hits / (recovered + hits), 3));
    }



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
        HistoryRetentionBlocks = RetentionFor(options),
        // A load test's --faults inject crashes, censorship and bad roots into the run's members.
        AllowFaultInjection = true,
    };

    /// <summary>The finalized blocks a load-test chain keeps below its finalized height: --history-retention when given
    /// (0 = every block), else <see cref="DefaultRetentionSeconds"/> of blocks at the target interval, at least the
    /// chain's CheckpointInterval — what validators, challenges, the run's measurement and its audit follower need.</summary>
    public static ulong RetentionFor(LoadTestOptions options) => options.HistoryRetentionBlocks
        ?? Math.Max(new ChainConfig().CheckpointInterval, (ulong)Math.Ceiling(DefaultRetentionSeconds * 1000.0 / Math.Max(1, options.BlockIntervalMs)));

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
            // The accounts of the run's format only (--tx-format): the traffic signs with those keys.
            LoadTestAccounts = options.TxFormat == LoadTestTxFormat.Native ? options.Accounts : 0,
            LoadTestEthAccounts = options.TxFormat == LoadTestTxFormat.Eth ? options.Accounts : 0,
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
        return await SamplePlacementAsync($"{kill.Kind} instance {kill.Silo.Instance}");
    }

    /// <summary>Whether block <paramref name="height"/> was committed after <paramref name="afterMs"/>.</summary>
    private async Task<bool> CommittedAfter(ulong height, long afterMs)
    {
        var block = await grains.Chain(_chainId).GetBlock(height).WaitAsync(TimeSpan.FromSeconds(3));
        return block is not null && block.CommittedAtMs > afterMs;
    }

    /// <summary>
    /// The run's signer: per account, consecutive nonces, as many as the run can offer — for a rate, its duration at
    /// the rate and 5 % more; with --rate max, native: a sustained half of the Ed25519 verification ceiling (at least
    /// 20,000/s), more cannot be verified anyway; eth: <see cref="EthMaxRateShare"/> of the secp256k1 recovery ceiling.
    /// Native traffic is signed a bounded lookahead ahead of the offer; eth traffic is signed whole before the clock
    /// starts (<see cref="PresignsEverything"/>).
    /// </summary>
    private LookaheadSigner Signer(ChainGenesis genesis)
    {
        var seconds = (options.Warmup + options.Duration).TotalSeconds;
        var perSecond = MaxRatePerSecond(options, ceilings);
        var target = options.Rate is not null ? perSecond * seconds * 1.05 : perSecond * seconds;
        var perAccount = (int)Math.Ceiling(target / options.Accounts);
        var lookahead = PresignsEverything(options.TxFormat)
            ? (int)Math.Max(1, Math.Ceiling((double)options.Accounts / options.Workers) * perAccount)
            : (int)Math.Clamp(Math.Ceiling(perSecond / options.Workers * LookaheadSeconds), 2.0 * options.BatchSize, MaxLookaheadPerWorker);
        var chain = genesis.Config.ToChainParameters();
        var keys = options.TxFormat == LoadTestTxFormat.Eth
            ? LoadTestKeys.Eth(Core.Execution.Genesis.LoadTestEthKeys(genesis.LoadTestSeed, options.Accounts), chain.EthChainId, chain.BaseFeePerGas)
            : LoadTestKeys.Native(Core.Execution.Genesis.LoadTestKeys(genesis.LoadTestSeed, options.Accounts), _chainId);
        var minPrice = genesis.Config.MinGasPrice;
        var prices = Enumerable.Range(0, options.Accounts)
            .Select(a => options.Ordering == OrderingPolicy.FeePriority ? minPrice * (ulong)(1 + a % 5) : minPrice).ToArray();
        return new LookaheadSigner(keys, prices, perAccount, options.Workers, lookahead);
    }

    /// <summary>With --rate max and --tx-format eth, the traffic signed per second of the run, as a share of the
    /// secp256k1 recovery ceiling: all of it — the chain recovers every transaction's sender once, so it cannot take
    /// more, and 0.75 ran out in a run that committed 71 % of it (the chain, not the supply, must be the limit).</summary>
    public const double EthMaxRateShare = 1.0;

    /// <summary>Transactions signed per second of the run: --rate, or with --rate max the format's share of its ceiling.</summary>
    public static double MaxRatePerSecond(LoadTestOptions options, CeilingResult ceilings) => options.Rate is { } rate
        ? rate
        : options.TxFormat == LoadTestTxFormat.Eth
            ? Math.Max(1_000, (ceilings.Secp256k1RecoverPerSec ?? 0) * EthMaxRateShare)
            : Math.Max(20_000, ceilings.Ed25519VerifyPerSec * 0.5);

    /// <summary>
    /// Whether a format's traffic is all signed before the clock starts rather than a lookahead ahead of the offer:
    /// eth. A secp256k1 signature costs this process about two thirds of what the chain's first decode of it costs
    /// (70–80 µs of a core on the project's VM, against about 30 µs for an Ed25519 signature), so signing alongside the run would take the
    /// cores the chain is being measured on. It is signed in parallel on every core, in the signing phase.
    /// </summary>
    public static bool PresignsEverything(LoadTestTxFormat format) => format == LoadTestTxFormat.Eth;

    private async Task Fire(FaultSpec fault, TimeSpan at)
    {
        if (clusterFaults is not null && ClusterFaults.IsClusterWide(fault))
        {
            // Side-by-side chains share the cluster: the first run to get here fires the fault, the others take its outcome.
            var shared = await clusterFaults.Once(_clusterFaultsReached++, async () =>
            {
                var before = (_faults.Count, _siloKills.Count);
                await FireOnce(fault, at);
                return (Fault: _faults.Count > before.Item1 ? _faults[^1] : null, Kill: _siloKills.Count > before.Item2 ? _siloKills[^1] : null, Fired: this);
            });
            if (!ReferenceEquals(shared.Fired, this))
            {
                if (shared.Fault is not null) _faults.Add(shared.Fault);
                if (shared.Kill is not null) OnSiloKill(shared.Kill);
            }
            return;
        }
        await FireOnce(fault, at);
    }

    /// <summary>A silo this run killed or stopped, or (side-by-side chains) another run did: measured on this run's chain.</summary>
    private void OnSiloKill(SiloKill.Event kill)
    {
        _siloKills.Add(kill);
        // A sample running beside the fault loop may be folding blocks into AfterKill meanwhile.
        if (_measurement is { } m)
            lock (m.AfterKill) m.AfterKill.TryAdd(kill, []);
        _placements.Add(PlacementAfterKillAsync(kill));
    }

    private async Task FireOnce(FaultSpec fault, TimeSpan at)
    {
        if (fault.IsNetwork)
        {
            await FireNetwork(fault, at);
            return;
        }
        if (SiloKill.IsSiloFault(fault.Kind))
        {
            var kill = await SiloKill.FireAsync(grains, options, _chainId, at, fault.Kind, fault.Argument);
            if (kill is not null) OnSiloKill(kill);
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

    /// <summary>Load-test account <paramref name="index"/> of the run's format (censorship targets account 0).</summary>
    private string GenesisAccount(ChainGenesis genesis, int index)
    {
        if (options.TxFormat == LoadTestTxFormat.Eth) return EthKey.Derive(genesis.LoadTestSeed, (ulong)index).Address.ToString();
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
            var batch = await Task.WhenAll(Enumerable.Range(0, (int)(end - start + 1)).Select(i => chain.GetBlock(start + (ulong)i).OrNullIfPruned()));
            foreach (var block in batch)
            {
                if (block is not null) blocks.Add(block);
                else if (!skipMissing) return blocks;
            }
        }
        return blocks;
    }

    /// <summary>Follows the head for the live view: blocks committed since the last look (a rolled-back height is read
    /// again later). Nothing of them is kept but the last 3 s of commit times; the figures come from <see cref="Fold"/>.</summary>
    private async Task<ChainHead> Scan()
    {
        var head = await grains.Chain(_chainId).GetHead();
        if (head.Height < _scanned) _scanned = head.Height; // a rollback
        // The live view needs only the recent blocks: after a pause, skip to the last few seconds' worth.
        var from = Math.Max(_scanned + 1, head.Height > FetchBatch ? head.Height - FetchBatch + 1 : 1);
        foreach (var block in await Fetch(from, head.Height))
        {
            _scanned = block.Height;
            _committedLive += block.TransactionCount;
            if (block.TransactionCount > 0) _lastWithTx = Math.Max(_lastWithTx, block.Height);
            _recent.Enqueue((block.CommittedAtMs, block.TransactionCount));
            for (int i = 0; i < block.AdmittedAtMs.Length; i++)
                if (block.AdmittedAtMs[i] > 0) _liveSoft.RecordValue(Math.Max(1, block.CommittedAtMs - block.AdmittedAtMs[i]));
        }
        var cutoff = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - 3_000;
        while (_recent.Count > 0 && _recent.Peek().AtMs < cutoff) _recent.Dequeue();
        return head;
    }

    /// <summary>Folds the final blocks up to <paramref name="finalized"/> into the figures, each once and in height order
    /// (a finalized block is never rolled back). A height the chain no longer holds is counted, not waited for.</summary>
    private async Task Fold(ulong finalized)
    {
        var m = _measurement!;
        if (finalized <= m.Folded) return;
        var blocks = await Fetch(m.Folded + 1, finalized, skipMissing: true);
        foreach (var block in blocks) await m.AddAsync(block, FinalTxOf);
        m.MissingBlocks += (long)(finalized - m.Folded) - blocks.Count; // pruned before they were read
        m.Folded = finalized;
    }

    /// <summary>At the end: the final blocks, then the chain's tail above its finalized height as the run leaves it.</summary>
    private async Task FoldTail()
    {
        var head = await grains.Chain(_chainId).GetHead();
        await Fold(head.FinalizedHeight);
        var m = _measurement!;
        if (head.Height <= m.Folded) return;
        var blocks = await Fetch(m.Folded + 1, head.Height, skipMissing: true);
        foreach (var block in blocks) await m.AddAsync(block, FinalTxOf);
        m.MissingBlocks += (long)(head.Height - m.Folded) - blocks.Count;
        m.Folded = head.Height;
    }

    /// <summary>The sender and nonce of transaction <paramref name="index"/> of block <paramref name="height"/> (the
    /// ledger's rare path: a committed hash it does not hold).</summary>
    private async Task<(Address Sender, ulong Nonce)?> FinalTxOf(ulong height, int index)
    {
        var block = await grains.Chain(_chainId).GetCommittedBlock(height).OrNullIfPruned();
        if (block is null || index >= block.Block.Transactions.Count) return null;
        var tx = block.Block.Transactions[index];
        return (tx.Sender, tx.Nonce);
    }

    /// <summary>
    /// The run's figures, accumulated block by block from the final chain: committed counts and per-second series,
    /// soft/validated/finalized latency histograms, the block interval and soft-confirm breakdown, the exact
    /// admitted/committed/lost/duplicated accounting (<see cref="TxLedger"/>), and the commit times after each silo
    /// kill. Memory depends on the run's seconds and on what is in flight, not on its transactions.
    /// </summary>
    private sealed class Measurement(MeasuredWindow window, long originMs, TxLedger ledger)
    {
        public readonly StampedSeries Commits = new(window, originMs);
        public readonly LongHistogram Soft = new(1, 3_600_000, 3), Validated = new(1, 3_600_000, 3), Finalized = new(1, 3_600_000, 3);
        public readonly LatencyBreakdown.Accumulator Breakdown = new(window.Contains);
        public readonly TxLedger Ledger = ledger;
        /// <summary>Per silo kill or stop: the blocks committed after it (built and commit times), up to 30 s and the first after those.</summary>
        public readonly Dictionary<SiloKill.Event, List<SiloKill.Commit>> AfterKill = [];
        public ulong Folded;
        public long Blocks;
        public long MissingBlocks;
        public long UnresolvedTx;

        public async Task AddAsync(BlockView b, Func<ulong, int, Task<(Address Sender, ulong Nonce)?>> resolve)
        {
            Blocks++;
            Commits.Add(b.CommittedAtMs, b.TransactionCount);
            for (int i = 0; i < b.AdmittedAtMs.Length; i++)
            {
                var admittedAt = b.AdmittedAtMs[i];
                if (!window.Contains(admittedAt)) continue;
                Soft.RecordValue(Math.Max(1, b.CommittedAtMs - admittedAt));
                if (b.ValidatedAtMs > 0) Validated.RecordValue(Math.Max(1, b.ValidatedAtMs - admittedAt));
                if (b.FinalizedAtMs > 0) Finalized.RecordValue(Math.Max(1, b.FinalizedAtMs - admittedAt));
            }
            Breakdown.Add(b);
            lock (AfterKill)
                foreach (var (kill, times) in AfterKill)
                    if (b.CommittedAtMs > kill.AtMs && (b.CommittedAtMs <= kill.AtMs + 30_000 || times.Count == 0 || times[^1].CommittedAtMs <= kill.AtMs + 30_000))
                        times.Add(new SiloKill.Commit(b.TimestampMs, b.CommittedAtMs));
            UnresolvedTx += await Ledger.CommitAsync(b.TransactionHashes, i => resolve(b.Height, i));
        }

        /// <summary>What <see cref="SiloKill.Event.ResultAsync"/> reads of the final chain: the blocks committed after the kill.</summary>
        public IReadOnlyList<SiloKill.Commit> CommitsAfter(SiloKill.Event kill) => AfterKill.GetValueOrDefault(kill, []);
    }

    private async Task<RunProgress> Sample(string phase, TimeSpan elapsed, TrafficGenerator generator)
    {
        var status = await grains.Chain(_chainId).GetStatus();
        var recent = _recent.Sum(b => (double)b.Count) / 3.0;
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

    private async Task<RunResult> Measure(TrafficGenerator generator, long presigned, long signed, MeasuredWindow window, long trafficStartMs, StampedSeries offered)
    {
        var m = _measurement!;
        var ledger = m.Ledger;
        var soft = m.Soft;
        var validated = m.Validated;
        var finalized = m.Finalized;

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

        var committedTps = window.Rate(m.Commits.InWindow);
        var (ceilingName, ceilingPerSec) = ceilings.SignatureCeiling(options.TxFormat);

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
            OfferedTps = window.Rate(offered.InWindow),
            CommittedTps = committedTps,
            TxFormat = options.TxFormat.Name(),
            SignatureCeiling = ceilingName,
            CommittedToSignatureCeiling = ceilingPerSec > 0 ? Math.Round(committedTps / ceilingPerSec, 4) : null,
            LatencyMs = new LatencySet(P(soft), P(validated), P(finalized)),
            Blocks = (int)m.Blocks,
            Epochs = head.Epoch,
            LeaderChanges = rotation.LeaderChanges,
            Failovers = rotation.FailoverLog.Select(f => new FailoverResult(f.DurationMs, f.FailedLeader, f.Replacement, f.Reason,
                Math.Round((f.AtMs - trafficStartMs) / 1000.0, 2))).ToArray(),
            Rollbacks = rollbacks.Select(r => new RollbackResult(r.Depth, r.RestoredAtMs - r.BadBlockCommittedAtMs)).ToArray(),
            Slashes = views.Sum(v => v.Slashes),
            TxAdmitted = ledger.Admitted,
            TxCommitted = ledger.Committed,
            TxLost = ledger.Admitted - ledger.Committed,
            TxDuplicated = ledger.Duplicated,
            SupplyConserved = audit.Conserved,
            AttestationRttMs = rtt.TotalCount == 0 ? new RttResult(0, 0) : new RttResult(rtt.GetValueAtPercentile(50) / 1000.0, rtt.GetValueAtPercentile(99) / 1000.0),
            TargetBlockIntervalMs = options.BlockIntervalMs,
            BlockIntervalMs = m.Breakdown.BlockInterval,
            SoftConfirmBreakdownMs = m.Breakdown.SoftConfirm,
            Network = options.Network?.Describe(committeeSize, options.Validators),
            QuorumRttMs = options.Network is { } net ? Math.Round(net.QuorumRttMs(committeeSize), 1) : null,
            PipelineDepth = options.PipelineDepth,
            LeaderTimeoutMs = options.EffectiveLeaderTimeoutMs,
            OfferedRate = options.Rate?.ToString() ?? "max",
            TxRefused = generator.Refused,
            TxReoffered = Interlocked.Read(ref generator.Reoffers),
            Refusals = generator.RefusalReasons.ToDictionary(kv => kv.Key.ToString(), kv => kv.Value),
            Faults = _faults.ToArray(),
            TpsTimeline = m.Commits.PerSecond(),
            OfferedTimeline = offered.PerSecond(),
            SupplyAudit = $"total {audit.Total} expected {audit.Expected} (L2 {audit.L2Balances}, fees in flight {audit.FeesInFlight}, L1 {audit.L1Balances}, bonded {audit.Bonded}, unbonding {audit.Unbonding}, pools {audit.RewardPools}, validator bonds {audit.ValidatorBonds}, minted {audit.Minted}, burned {audit.Burned}); TKN {audit.TknBalances} of genesis {audit.GenesisTkn}",
            PresignedTx = presigned,
            SignedTx = signed,
            BlocksUnread = m.MissingBlocks,
            TxUnresolved = m.UnresolvedTx,
            GeneratorExhausted = generator.Exhausted,
            SiloKills = await Task.WhenAll(_siloKills.Where(k => k.Kind == SiloKill.Kind).Select(k => k.ResultAsync(m.CommitsAfter(k)))),
            SiloStops = await Task.WhenAll(_siloKills.Where(k => k.Kind == SiloKill.StopKind).Select(k => k.ResultAsync(m.CommitsAfter(k)))),
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

    /// <summary>An end-of-run step, made again while the cluster settles after a silo fault (see <see cref="Settling"/>).</summary>
    private static Task<T> Settled<T>(Func<Task<T>> step, CancellationToken cancellationToken) =>
        Settling.RunAsync(step, Settling.Timeout, cancellationToken);

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
