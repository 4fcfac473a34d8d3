using System.Diagnostics;
using System.Text.Json.Serialization;
using ActorRollup.Abstractions;
using ActorRollup.Abstractions.Messages;
using ActorRollup.Harness.Connection;
using ActorRollup.Harness.Supervisor;

namespace ActorRollup.Harness.LoadTest;

/// <summary>One <c>silo-kill</c> in results.json: which silo died when, which of the run's grains it hosted, and how
/// long the chain and the cluster took to get over it.</summary>
public sealed record SiloKillResult(
    [property: JsonPropertyName("instance")] int Instance,
    [property: JsonPropertyName("pid")] int Pid,
    [property: JsonPropertyName("siloPort")] int SiloPort,
    [property: JsonPropertyName("atSec")] double AtSec,
    /// <summary>From the kill to the chain's next committed block (null: none in the final chain).</summary>
    [property: JsonPropertyName("nextBlockMs")] long? NextBlockMs,
    /// <summary>The longest time without a committed block in the 30 s after the kill (the stall the kill caused).</summary>
    [property: JsonPropertyName("longestGapMs")] long? LongestGapMs,
    /// <summary>From the kill until the cluster's membership said the silo was dead (null: not seen within 90 s).</summary>
    [property: JsonPropertyName("declaredDeadMs")] long? DeclaredDeadMs,
    /// <summary>The run's grains that had their activation on the killed silo just before the kill.</summary>
    [property: JsonPropertyName("hostedGrains")] string[] HostedGrains)
{
    /// <summary><c>silo-kill</c> (SIGKILL) or <c>silo-stop</c> (SIGTERM, graceful).</summary>
    [JsonPropertyName("kind")] public string Kind { get; init; } = SiloKill.Kind;
    /// <summary>Where the time to the next block went, each phase in ms from the kill (<see cref="RecoveryBreakdown"/>).</summary>
    [JsonPropertyName("breakdownMs")] public RecoveryBreakdown? BreakdownMs { get; init; }
}

/// <summary>
/// The recovery after a silo kill or stop, phase by phase, each in ms from the signal, from real timestamps: the
/// membership's death declaration (polled), the first moment the chain, rotation and the leader grains were seen
/// active on a live silo again (the grain directory, polled every 100 ms, so each is up to ~100 ms late), the start of
/// the first term rotation began after the kill (its own clock), and the first block after it (its header's
/// proposal time, then its commit). A phase that did not happen — no new term when the leader resumed its own — is null.
/// </summary>
public sealed record RecoveryBreakdown(
    [property: JsonPropertyName("declaredDead")] long? DeclaredDead,
    [property: JsonPropertyName("chainActive")] long? ChainActive,
    [property: JsonPropertyName("rotationActive")] long? RotationActive,
    [property: JsonPropertyName("leaderActive")] long? LeaderActive,
    [property: JsonPropertyName("newTerm")] long? NewTerm,
    [property: JsonPropertyName("firstBlockProposed")] long? FirstBlockProposed,
    [property: JsonPropertyName("nextBlockCommitted")] long? NextBlockCommitted);

/// <summary>
/// The <c>silo-kill</c> load-test fault: kills one silo process of a cluster started by <c>rollup cluster up</c>
/// abruptly (SIGKILL), found through the cluster's state folder. Only in gateway mode (the embedded silo is the
/// harness itself). Which silo may go: with Localhost clustering never instance 0 (the primary holds the membership;
/// without it the cluster cannot change), with Redis clustering any — but never the last live silo behind a
/// <c>--gateway</c>, or the client would have no way in. Among those, the kill takes the silo that hosts the run's
/// chain grain, else the one hosting most of the run's grains (the kill that tests the most), ties going to silos
/// not named by <c>--gateway</c>, then the highest instance. The client spreads its calls over every gateway it was
/// given, so whichever silo dies, some submissions in flight die with it; the traffic generator offers them again.
/// </summary>
public static class SiloKill
{
    public const string Kind = "silo-kill";
    /// <summary>The graceful variant: SIGTERM, the silo deactivates its grains and leaves the membership itself.</summary>
    public const string StopKind = "silo-stop";

    public static bool IsSiloFault(string kind) => kind is Kind or StopKind;

    /// <summary>Checks, before anything connects, that the faults' silo kills can happen; the error, or null.</summary>
    public static string? Validate(IReadOnlyList<FaultSpec> faults, IReadOnlyList<string> gateways, string stateFolder)
    {
        var kills = faults.Count(f => IsSiloFault(f.Kind));
        if (kills == 0) return null;
        if (gateways.Count == 0)
            return $"--faults {faults.First(f => IsSiloFault(f.Kind)).Kind} needs --gateway: it ends a silo process of a cluster started with `rollup cluster up`, never the embedded silo";
        var folder = new ClusterStateFolder(stateFolder);
        ClusterRecord? record;
        try
        {
            record = folder.Load();
        }
        catch (ClusterStateException e)
        {
            return e.Message;
        }
        if (record is null)
            return $"--faults silo-kill needs a cluster started with `rollup cluster up`, and none is recorded in {folder.Path} (--state)";
        var alive = record.AliveSilos();
        if (!alive.Any(s => IsGateway(s, gateways)))
            return $"no --gateway is a gateway of the cluster recorded in {folder.Path} (its live gateways: {string.Join(", ", alive.Select(s => s.Gateway))})";
        var killable = alive.Where(s => !record.LocalhostClustering || s.Instance != 0).ToList();
        // Every killable silo no --gateway names, and all but one of those it names.
        var most = killable.Count(s => !IsGateway(s, gateways)) + Math.Min(killable.Count(s => IsGateway(s, gateways)), alive.Count(s => IsGateway(s, gateways)) - 1);
        if (kills > most)
            return $"--faults has {kills} silo-kill but the cluster in {folder.Path} can lose at most {most} silo(s) here " +
                   $"({alive.Count} alive{(record.LocalhostClustering ? "; with Localhost clustering instance 0 is the primary and stays" : "")}; " +
                   "one silo behind a --gateway must stay): start more with `cluster up --silos N`, or give more --gateway";
        return null;
    }

    /// <summary>What to expect from silo kills on a cluster that keeps grain state in memory; null when there is nothing to say.</summary>
    public static string? Warning(IReadOnlyList<FaultSpec> faults, string stateFolder)
    {
        if (!faults.Any(f => IsSiloFault(f.Kind))) return null;
        var record = new ClusterStateFolder(stateFolder).Load();
        return record is null || !string.Equals(record.Storage, "Memory", StringComparison.OrdinalIgnoreCase) ? null
            : "the cluster keeps grain state in memory: the state held by the killed silo is lost, and the chain may break " +
              "(`rollup cluster up --redis` keeps it in Redis)";
    }

    /// <summary>The silos a kill may take now (see the class summary), in order of preference before placement is known.</summary>
    public static List<SiloRecord> Candidates(ClusterRecord record, IReadOnlyList<SiloRecord> alive, IReadOnlyList<string> gateways)
    {
        var reachable = alive.Count(s => IsGateway(s, gateways));
        return alive
            .Where(s => !record.LocalhostClustering || s.Instance != 0)
            .Where(s => !IsGateway(s, gateways) || reachable > 1)
            .OrderBy(s => IsGateway(s, gateways) ? 1 : 0)
            .ThenByDescending(s => s.Instance)
            .ToList();
    }

    /// <summary>The victim among <paramref name="candidates"/>: the chain grain's host, else the host of most of the run's grains.</summary>
    /// <paramref name="first"/> (a placement name, e.g. "sequencer seq-004" for <c>silo-kill@T:leader</c>) goes before the chain grain.
    public static SiloRecord? Choose(IReadOnlyList<SiloRecord> candidates, IReadOnlyDictionary<string, int> placement, string? first = null)
    {
        return candidates
            .Select((s, i) => (Silo: s, Order: i))
            .OrderByDescending(c => first is not null && placement.TryGetValue(first, out var port) && port == c.Silo.SiloPort)
            .ThenByDescending(c => placement.GetValueOrDefault("chain") == c.Silo.SiloPort)
            .ThenByDescending(c => placement.Values.Count(port => port == c.Silo.SiloPort))
            .ThenBy(c => c.Order)
            .Select(c => c.Silo)
            .FirstOrDefault();
    }

    private static bool IsGateway(SiloRecord silo, IReadOnlyList<string> gateways) => gateways.Any(g => GatewayPort(g) == silo.GatewayPort);

    private static int GatewayPort(string gateway) => ClusterConnection.TrySplitGateway(gateway, out _, out var port) ? port : -1;

    /// <summary>A block of the final chain committed after a kill: when it was built and when it was committed (Unix ms).</summary>
    public readonly record struct Commit(long BuiltAtMs, long CommittedAtMs);

    /// <summary>A kill that happened, with the cluster's membership still being watched for the silo's death.</summary>
    public sealed class Event
    {
        public required SiloRecord Silo { get; init; }
        public required double AtSec { get; init; }
        public required long AtMs { get; init; }
        public required string[] HostedGrains { get; init; }
        public required Task<long?> DeclaredDeadMs { get; init; }
        public string Kind { get; init; } = SiloKill.Kind;
        /// <summary>When (Unix ms) the chain, rotation and leader grains were first seen active on a live silo, and the
        /// first new term's start; filled by the watch started with the kill.</summary>
        public Task<(long? Chain, long? Rotation, long? Leader, long? NewTerm)> Reactivation { get; init; } = Task.FromResult<(long?, long?, long?, long?)>((null, null, null, null));

        /// <summary>The result, from the final chain's blocks committed after the kill (<paramref name="final"/>; others are ignored).</summary>
        public async Task<SiloKillResult> ResultAsync(IReadOnlyList<Commit> final)
        {
            var after = final.Select(b => b.CommittedAtMs).Where(t => t > AtMs).Order().ToList();
            long? next = after.Count > 0 ? after[0] - AtMs : null;
            // The kill, every block in the 30 s after it, and the first block after those (a stall may outlast the 30 s).
            var points = new List<long> { AtMs };
            points.AddRange(after.TakeWhile(t => t <= AtMs + 30_000));
            if (after.Count > points.Count - 1) points.Add(after[points.Count - 1]);
            long? gap = points.Count > 1 ? points.Zip(points.Skip(1), (a, b) => b - a).Max() : null;
            var dead = await DeclaredDeadMs.WaitAsync(TimeSpan.FromSeconds(100));
            var seen = await Reactivation.WaitAsync(TimeSpan.FromSeconds(100));
            Commit? firstAfter = final.Where(b => b.CommittedAtMs > AtMs).OrderBy(b => b.CommittedAtMs).Select(b => (Commit?)b).FirstOrDefault();
            long? Since(long? t) => t is { } v ? Math.Max(0, v - AtMs) : null;
            var breakdown = new RecoveryBreakdown(dead, Since(seen.Chain), Since(seen.Rotation), Since(seen.Leader), Since(seen.NewTerm),
                firstAfter is { } f ? Since(f.BuiltAtMs) : null, next);
            return new SiloKillResult(Silo.Instance, Silo.Pid, Silo.SiloPort, AtSec, next, gap, dead, HostedGrains) { Kind = Kind, BreakdownMs = breakdown };
        }
    }

    /// <summary>Kills (or, for <see cref="StopKind"/>, stops) the next silo in <see cref="Candidates"/> order; null when none is left alive.</summary>
    public static async Task<Event?> FireAsync(IGrainFactory grains, LoadTestOptions options, string chainId, TimeSpan at, string kind = Kind, string argument = "")
    {
        var record = new ClusterStateFolder(options.ClusterState).Load();
        if (record is null) return null;
        var management = grains.GetGrain<IManagementGrain>(0);
        var placement = await PlacementAsync(grains, management, chainId);
        var term = await Try<LeadershipTerm>(() => grains.Rotation(chainId).GetCurrent());
        // silo-kill@T:leader: the silo hosting the current leader's sequencer, wherever the chain grain is.
        var first = argument == FaultSpec.Leader && term is not null ? $"sequencer {term.LeaderId}" : null;
        var victim = Choose(Candidates(record, record.AliveSilos(), options.Gateways), placement, first);
        if (victim is null) return null;
        var hosted = placement.Where(p => p.Value == victim.SiloPort).Select(p => p.Key).ToArray();
        var address = (await Try<MembershipEntry[]>(() => management.GetDetailedHosts(onlyActive: true)!))?
            .FirstOrDefault(e => e.SiloAddress.Endpoint.Port == victim.SiloPort)?.SiloAddress;

        var atMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        if (kind == StopKind) LocalProcess.Terminate(victim.Pid);
        else LocalProcess.Kill(victim.Pid);
        return new Event
        {
            Silo = victim,
            AtSec = Math.Round(at.TotalSeconds, 2),
            AtMs = atMs,
            HostedGrains = hosted,
            Kind = kind,
            DeclaredDeadMs = address is null ? Task.FromResult<long?>(null) : WatchForDeathAsync(management, address, atMs),
            Reactivation = WatchReactivationAsync(grains, management, chainId, victim.SiloPort, term),
        };
    }

    /// <summary>Polls (every 100 ms, at most 30 s) until the chain, rotation and the leader of <paramref name="before"/>'s
    /// term are active on a silo other than the victim, and rotation has begun a term after it; each as Unix ms, null if unseen.</summary>
    private static async Task<(long? Chain, long? Rotation, long? Leader, long? NewTerm)> WatchReactivationAsync(
        IGrainFactory grains, IManagementGrain management, string chainId, int victimPort, LeadershipTerm? before)
    {
        long? chain = null, rotation = null, leader = null, newTerm = null;
        var clock = Stopwatch.StartNew();
        async Task<long?> Seen(IAddressable grain)
        {
            var silo = await Try<SiloAddress>(() => management.GetActivationAddress(grain).AsTask(), 0.5);
            return silo is not null && silo.Endpoint.Port != victimPort ? DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() : null;
        }
        while (clock.Elapsed < TimeSpan.FromSeconds(30) && (chain is null || rotation is null || leader is null || newTerm is null))
        {
            chain ??= await Seen(grains.Chain(chainId));
            rotation ??= await Seen(grains.Rotation(chainId));
            if (before is not null) leader ??= await Seen(grains.Sequencer(chainId, before.LeaderId));
            if (newTerm is null && rotation is not null
                && await Try<LeadershipTerm>(() => grains.Rotation(chainId).GetCurrent(), 0.5) is { } now && (before is null || now.Term > before.Term))
                newTerm = now.StartedAtMs;
            await Task.Delay(100);
        }
        return (chain, rotation, leader, newTerm);
    }

    /// <summary>Where the run's grains are active: name → silo port (<see cref="GrainPlacement.LocateAsync(IGrainFactory, string, ActorRollup.Abstractions.Config.ChainGenesis?)"/>).</summary>
    private static async Task<Dictionary<string, int>> PlacementAsync(IGrainFactory grains, IManagementGrain management, string chainId) =>
        (await GrainPlacement.LocateAsync(grains, chainId)).ToDictionary(p => p.Key, p => p.Value.Endpoint.Port);

    /// <summary>Polls the membership until the killed silo (this exact incarnation) is Dead; ms from the kill, or null after 90 s.</summary>
    private static async Task<long?> WatchForDeathAsync(IManagementGrain management, SiloAddress silo, long killedAtMs)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(90))
        {
            var hosts = await Try<MembershipEntry[]>(() => management.GetDetailedHosts(onlyActive: false)!, 0.5);
            if (hosts?.FirstOrDefault(e => e.SiloAddress.Equals(silo)) is { Status: SiloStatus.Dead })
                return DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - killedAtMs;
            await Task.Delay(100);
        }
        return null;
    }

    /// <summary>A management call bounded in time; null when it fails (it may be on the silo that was just killed).</summary>
    private static async Task<T?> Try<T>(Func<Task<T?>> call, double seconds = 3) where T : class
    {
        try
        {
            return await call().WaitAsync(TimeSpan.FromSeconds(seconds));
        }
        catch (Exception e) when (e is TimeoutException or OrleansException)
        {
            return null;
        }
    }
}
