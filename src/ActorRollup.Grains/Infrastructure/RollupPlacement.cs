using ActorRollup.Core.Placement;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Placement;
using Orleans.Runtime.MembershipService.SiloMetadata;
using Orleans.Runtime.Placement;

namespace ActorRollup.Grains.Infrastructure;

/// <summary>Placement of a per-member grain (sequencer, validator, staker): <see cref="RollupPlacementDirector"/>.</summary>
[Serializable, GenerateSerializer, Immutable, SuppressReferenceTracking, Alias("ar.MemberPlacement")]
public sealed class MemberPlacement : PlacementStrategy
{
    public static MemberPlacement Instance { get; } = new();
}

/// <summary>Placement of a chain-wide grain (chain, mempool, rotation, settlement): <see cref="RollupPlacementDirector"/>.</summary>
[Serializable, GenerateSerializer, Immutable, SuppressReferenceTracking, Alias("ar.ChainPlacement")]
public sealed class ChainPlacement : PlacementStrategy
{
    public static ChainPlacement Instance { get; } = new();
}

/// <summary>Spreads a chain's members over the silos (<see cref="MemberPlacement"/>).</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
public sealed class MemberPlacementAttribute() : PlacementAttribute(MemberPlacement.Instance);

/// <summary>Keeps a chain's chain-wide grains together on one silo (<see cref="ChainPlacement"/>).</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
public sealed class ChainPlacementAttribute() : PlacementAttribute(ChainPlacement.Instance);

/// <summary>
/// Where a chain's grains are activated (docs/ARCHITECTURE.md, "Placement"): Orleans asks this director at activation
/// only, with the live silos compatible with the grain; it sorts them by address and applies <see cref="PlacementRule"/>.
/// <list type="bullet">
/// <item>Chain-wide grains: slot <see cref="PlacementRule.ChainSlot"/> of all compatible silos.</item>
/// <item>Per-member grains (validators beginning one silo further on than sequencers and stakers): when the network model puts the member in a region (docs/NETWORK.md) and some compatible
/// silo has that region (<c>Cluster:Region</c>, silo metadata <see cref="RegionKey"/>), slot
/// <see cref="PlacementRule.MemberSlot"/> among those silos; otherwise (no model, no silo of that region alive — the
/// region is down) the same slot among all compatible silos.</item>
/// </list>
/// A grain key that is not a chain's (no <c>chain/member</c> form) falls back to the local silo when compatible.
/// </summary>
public sealed class RollupPlacementDirector(IServiceProvider services) : IPlacementDirector
{
    /// <summary>The silo-metadata key that carries a silo's region.</summary>
    public const string RegionKey = "actorrollup.region";

    private readonly ISiloMetadataCache? _metadata = services.GetService<ISiloMetadataCache>();
    private readonly NetworkTopology? _topology = services.GetService<NetworkTopology>();
    private NetworkTopology.Kinds? _kinds;

    public Task<SiloAddress> OnAddActivation(PlacementStrategy strategy, PlacementTarget target, IPlacementContext context)
    {
        var silos = context.GetCompatibleSilos(target);
        if (silos.Length == 0) throw new OrleansException($"no compatible silo for {target.GrainIdentity}");
        return Task.FromResult(Choose(strategy, target.GrainIdentity, silos, context.LocalSilo));
    }

    private SiloAddress Choose(PlacementStrategy strategy, GrainId grain, SiloAddress[] compatible, SiloAddress local)
    {
        var sorted = Sort(compatible);
        var key = grain.Key.ToString() ?? "";
        if (strategy is ChainPlacement) return sorted[PlacementRule.ChainSlot(key, sorted.Length)];
        int slash = key.IndexOf('/');
        if (slash <= 0 || slash == key.Length - 1) return compatible.Contains(local) ? local : sorted[0];
        string chainId = key[..slash], memberId = key[(slash + 1)..];
        var kinds = _kinds ??= NetworkTopology.Kinds.Resolve(services.GetRequiredService<IGrainFactory>());
        int start = grain.Type.Equals(kinds.Validator) ? PlacementRule.ValidatorStart : PlacementRule.SequencerStart;
        if (RegionOf(grain, kinds) is { } region && _metadata is not null)
        {
            var inRegion = sorted.Where(s => SiloRegion(_metadata, s) == region).ToArray();
            if (inRegion.Length > 0) return inRegion[PlacementRule.MemberSlot(chainId, memberId, inRegion.Length, start)];
        }
        return sorted[PlacementRule.MemberSlot(chainId, memberId, sorted.Length, start)];
    }

    /// <summary>The region the network model gives the grain's member, or null (no model, or not a member grain).</summary>
    private string? RegionOf(GrainId grain, NetworkTopology.Kinds kinds) => _topology?.MemberRegionOf(grain, kinds);

    /// <summary>A silo's region from its metadata, or null (none set, or not known yet to this silo).</summary>
    public static string? SiloRegion(ISiloMetadataCache metadata, SiloAddress silo) =>
        metadata.GetSiloMetadata(silo) is { } m && m.Metadata.TryGetValue(RegionKey, out var region) && region.Length > 0 ? region : null;

    /// <summary>Silos by IP address, then port, then generation — the same order on every silo.</summary>
    public static SiloAddress[] Sort(IEnumerable<SiloAddress> silos) => silos
        .OrderBy(s => s.Endpoint.Address.GetAddressBytes(), ByteOrder.Instance)
        .ThenBy(s => s.Endpoint.Port)
        .ThenBy(s => s.Generation)
        .ToArray();

    private sealed class ByteOrder : IComparer<byte[]>
    {
        public static readonly ByteOrder Instance = new();
        public int Compare(byte[]? x, byte[]? y) => x is null || y is null ? Comparer<byte[]?>.Default.Compare(x, y)
            : x.Length != y.Length ? x.Length.CompareTo(y.Length) : x.AsSpan().SequenceCompareTo(y);
    }
}
