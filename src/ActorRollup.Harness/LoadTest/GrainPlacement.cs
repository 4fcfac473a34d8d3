using System.Text.Json.Serialization;
using ActorRollup.Abstractions;
using ActorRollup.Abstractions.Config;

namespace ActorRollup.Harness.LoadTest;

/// <summary>One silo's share of a run's grains in results.json <c>placement</c>.</summary>
public sealed record SiloGrains(
    [property: JsonPropertyName("silo")] string Silo,
    /// <summary>The <c>cluster up</c> instance of the silo (null: not a recorded silo, e.g. the embedded one).</summary>
    [property: JsonPropertyName("instance")] int? Instance,
    /// <summary>The silo's region (<c>Cluster:Region</c>; null: none).</summary>
    [property: JsonPropertyName("region")] string? Region,
    [property: JsonPropertyName("grains")] string[] Grains);

/// <summary>One look at where a run's grains are active (results.json <c>placement[]</c>): at the start of the load and after each silo kill.</summary>
public sealed record PlacementSample(
    [property: JsonPropertyName("atSec")] double AtSec,
    /// <summary>"start", or "silo-kill instance N".</summary>
    [property: JsonPropertyName("after")] string After,
    [property: JsonPropertyName("silos")] SiloGrains[] Silos);

/// <summary>
/// Where a chain's grains are active, from the grain directory (IManagementGrain.GetActivationAddress, a snapshot): the
/// chain-wide grains (chain, mempool, rotation, settlement) and the genesis committee's sequencers and validators,
/// named as in results.json (<c>"sequencer seq-003"</c>). A grain with no activation, or whose lookup fails (its
/// silo may just have died), is left out. Used by the silo-kill fault, results.json <c>placement</c> and <c>status</c>.
/// </summary>
public static class GrainPlacement
{
    public static async Task<Dictionary<string, SiloAddress>> LocateAsync(IGrainFactory grains, string chainId, ChainGenesis? genesis = null)
    {
        var management = grains.GetGrain<IManagementGrain>(0);
        genesis ??= await Try(() => grains.Chain(chainId).GetGenesis());
        var named = new List<(string Name, IAddressable Grain)>
        {
            ("chain", grains.Chain(chainId)), ("mempool", grains.Mempool(chainId)), ("rotation", grains.Rotation(chainId)), ("settlement", grains.Settlement(chainId)),
        };
        if (genesis is not null)
        {
            named.AddRange(genesis.Sequencers.Select(s => (Member("sequencer", s.Id), (IAddressable)grains.Sequencer(chainId, s.Id))));
            named.AddRange(genesis.Validators.Select(v => (Member("validator", v.Id), (IAddressable)grains.Validator(chainId, v.Id))));
        }
        return await LocateAsync(management, named);
    }

    /// <summary>Where each of <paramref name="named"/> is active (the ones found).</summary>
    public static async Task<Dictionary<string, SiloAddress>> LocateAsync(IManagementGrain management, IEnumerable<(string Name, IAddressable Grain)> named)
    {
        var where = await Task.WhenAll(named.Select(async n => (n.Name, Silo: await Try(() => management.GetActivationAddress(n.Grain).AsTask()))));
        return where.Where(w => w.Silo is not null).ToDictionary(w => w.Name, w => w.Silo!);
    }

    /// <summary>The results.json name of a member grain: <c>"sequencer seq-003"</c>.</summary>
    public static string Member(string kind, string id) => $"{kind} {id}";

    /// <summary>A placement grouped by silo (silos by address; grains chain-wide first, then in id order), each silo
    /// named by its endpoint and, when <paramref name="describe"/> knows it, its instance and region.</summary>
    public static SiloGrains[] BySilo(IReadOnlyDictionary<string, SiloAddress> placement, Func<SiloAddress, (int? Instance, string? Region)> describe)
    {
        return placement
            .GroupBy(p => p.Value)
            .OrderBy(g => g.Key.Endpoint.Address.ToString(), StringComparer.Ordinal).ThenBy(g => g.Key.Endpoint.Port)
            .Select(g =>
            {
                var (instance, region) = describe(g.Key);
                var names = g.Select(p => p.Key).OrderBy(n => n.Contains(' ') ? 1 : 0).ThenBy(n => n, StringComparer.Ordinal).ToArray();
                return new SiloGrains(g.Key.Endpoint.ToString(), instance, region, names);
            })
            .ToArray();
    }

    /// <summary>A call bounded in time; null when it fails (it may be on a silo that was just killed).</summary>
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
