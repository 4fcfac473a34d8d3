using System.Diagnostics;
using System.Text.Json.Serialization;
using ActorRollup.Abstractions;
using ActorRollup.Abstractions.Messages;
using ActorRollup.Harness.Cluster;

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
    [property: JsonPropertyName("hostedGrains")] string[] HostedGrains);

/// <summary>
/// The <c>silo-kill</c> load-test fault: kills one silo process of a cluster started by <c>rollup cluster up</c>
/// abruptly (SIGKILL), found through the cluster's state folder. Only in gateway mode (the embedded silo is the
/// harness itself). Which silo: with Localhost clustering never instance 0 (the primary holds the membership; without
/// it the cluster cannot change); with Redis clustering any. Among the candidates, silos whose gateway the client was
/// not given go first, the silo behind the first <c>--gateway</c> last, and otherwise the highest instance first — so
/// the client keeps the gateway it most likely uses, and a run with several kills is repeatable.
/// </summary>
public static class SiloKill
{
    public const string Kind = "silo-kill";

    /// <summary>Checks, before anything connects, that the faults' silo kills can happen; the error, or null.</summary>
    public static string? Validate(IReadOnlyList<FaultSpec> faults, IReadOnlyList<string> gateways, string stateFolder)
    {
        var kills = faults.Count(f => f.Kind == Kind);
        if (kills == 0) return null;
        if (gateways.Count == 0)
            return "--faults silo-kill needs --gateway: it kills a silo process of a cluster started with `rollup cluster up`, never the embedded silo";
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
        if (!alive.Any(s => gateways.Any(g => GatewayPort(g) == s.GatewayPort)))
            return $"no --gateway is a gateway of the cluster recorded in {folder.Path} (its live gateways: {string.Join(", ", alive.Select(s => s.Gateway))})";
        var order = Candidates(record, alive, gateways);
        if (kills > order.Count)
            return $"--faults has {kills} silo-kill but the cluster in {folder.Path} has {order.Count} silo(s) that may be killed " +
                   $"({alive.Count} alive{(record.LocalhostClustering ? "; with Localhost clustering instance 0 is the primary and stays" : "")})";
        var survivors = alive.Except(order.Take(kills)).ToList();
        if (!survivors.Any(s => gateways.Any(g => GatewayPort(g) == s.GatewayPort)))
            return $"after {kills} silo-kill no --gateway would be left alive: give the gateways of more silos, or start more with `cluster up --silos N`";
        return null;
    }

    /// <summary>The silos that may be killed, in the order they will be.</summary>
    public static List<SiloRecord> Candidates(ClusterRecord record, IReadOnlyList<SiloRecord> alive, IReadOnlyList<string> gateways)
    {
        var first = gateways.Count > 0 ? GatewayPort(gateways[0]) : -1;
        return alive
            .Where(s => !record.LocalhostClustering || s.Instance != 0)
            .OrderBy(s => s.GatewayPort == first ? 2 : gateways.Any(g => GatewayPort(g) == s.GatewayPort) ? 1 : 0)
            .ThenByDescending(s => s.Instance)
            .ToList();
    }

    private static int GatewayPort(string gateway)
    {
        var colon = gateway.LastIndexOf(':');
        return colon > 0 && int.TryParse(gateway[(colon + 1)..], out var port) ? port : -1;
    }

    /// <summary>A kill that happened, with the cluster's membership still being watched for the silo's death.</summary>
    public sealed class Event
    {
        public required SiloRecord Silo { get; init; }
        public required double AtSec { get; init; }
        public required long AtMs { get; init; }
        public required string[] HostedGrains { get; init; }
        public required Task<long?> DeclaredDeadMs { get; init; }

        public async Task<SiloKillResult> ResultAsync(IReadOnlyList<BlockView> final)
        {
            var after = final.Select(b => b.CommittedAtMs).Where(t => t > AtMs).Order().ToList();
            long? next = after.Count > 0 ? after[0] - AtMs : null;
            // The kill, every block in the 30 s after it, and the first block after those (a stall may outlast the 30 s).
            var points = new List<long> { AtMs };
            points.AddRange(after.TakeWhile(t => t <= AtMs + 30_000));
            if (after.Count > points.Count - 1) points.Add(after[points.Count - 1]);
            long? gap = points.Count > 1 ? points.Zip(points.Skip(1), (a, b) => b - a).Max() : null;
            var dead = await DeclaredDeadMs.WaitAsync(TimeSpan.FromSeconds(100));
            return new SiloKillResult(Silo.Instance, Silo.Pid, Silo.SiloPort, AtSec, next, gap, dead, HostedGrains);
        }
    }

    /// <summary>Kills the next silo in <see cref="Candidates"/> order; null when none is left alive to kill.</summary>
    public static async Task<Event?> FireAsync(IGrainFactory grains, LoadTestOptions options, string chainId, TimeSpan at)
    {
        var record = new ClusterStateFolder(options.ClusterState).Load();
        if (record is null) return null;
        var victim = Candidates(record, record.AliveSilos(), options.Gateways).FirstOrDefault();
        if (victim is null) return null;

        var management = grains.GetGrain<IManagementGrain>(0);
        var hosted = await HostedOnAsync(grains, management, chainId, victim.SiloPort);
        var address = (await Try<MembershipEntry[]>(() => management.GetDetailedHosts(onlyActive: true)!))?
            .FirstOrDefault(e => e.SiloAddress.Endpoint.Port == victim.SiloPort)?.SiloAddress;

        var atMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        LocalProcess.Kill(victim.Pid);
        return new Event
        {
            Silo = victim,
            AtSec = Math.Round(at.TotalSeconds, 2),
            AtMs = atMs,
            HostedGrains = hosted,
            DeclaredDeadMs = address is null ? Task.FromResult<long?>(null) : WatchForDeathAsync(management, address, atMs),
        };
    }

    /// <summary>Which of the run's grains are active on the silo with this port (from the grain directory, a snapshot).</summary>
    private static async Task<string[]> HostedOnAsync(IGrainFactory grains, IManagementGrain management, string chainId, int siloPort)
    {
        var genesis = await Try<ActorRollup.Abstractions.Config.ChainGenesis>(() => grains.Chain(chainId).GetGenesis());
        var named = new List<(string Name, IAddressable Grain)>
        {
            ("chain", grains.Chain(chainId)), ("mempool", grains.Mempool(chainId)), ("rotation", grains.Rotation(chainId)), ("settlement", grains.Settlement(chainId)),
        };
        if (genesis is not null)
        {
            named.AddRange(genesis.Sequencers.Select(s => ($"sequencer {s.Id}", (IAddressable)grains.Sequencer(chainId, s.Id))));
            named.AddRange(genesis.Validators.Select(v => ($"validator {v.Id}", (IAddressable)grains.Validator(chainId, v.Id))));
        }
        var where = await Task.WhenAll(named.Select(async n => (n.Name, Silo: await Try<SiloAddress>(() => management.GetActivationAddress(n.Grain).AsTask()))));
        return where.Where(w => w.Silo?.Endpoint.Port == siloPort).Select(w => w.Name).ToArray();
    }

    /// <summary>Polls the membership until the killed silo (this exact incarnation) is Dead; ms from the kill, or null after 90 s.</summary>
    private static async Task<long?> WatchForDeathAsync(IManagementGrain management, SiloAddress silo, long killedAtMs)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(90))
        {
            var hosts = await Try<MembershipEntry[]>(() => management.GetDetailedHosts(onlyActive: false)!);
            if (hosts?.FirstOrDefault(e => e.SiloAddress.Equals(silo)) is { Status: SiloStatus.Dead })
                return DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - killedAtMs;
            await Task.Delay(100);
        }
        return null;
    }

    /// <summary>A management call bounded in time; null when it fails (it may be on the silo that was just killed).</summary>
    private static async Task<T?> Try<T>(Func<Task<T?>> call) where T : class
    {
        try
        {
            return await call().WaitAsync(TimeSpan.FromSeconds(3));
        }
        catch (Exception e) when (e is TimeoutException or OrleansException)
        {
            return null;
        }
    }
}
