using System.Collections.Concurrent;
using System.Reflection;
using ActorRollup.Abstractions;
using ActorRollup.Core.Network;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace ActorRollup.Grains.Infrastructure;

/// <summary>The network model's settings (section <c>Network</c>, docs/NETWORK.md). No <see cref="Model"/>: no model,
/// and no filter on the call path.</summary>
public sealed class NetworkOptions
{
    /// <summary>"aws" or a JSON matrix file; empty = no network (every call at memory speed).</summary>
    public string Model { get; set; } = "";
    /// <summary>Regions of the sequencers in id order: <c>R1:N1,R2:N2</c> or round-robin <c>R1,R2</c>.</summary>
    public string Regions { get; set; } = "";
    /// <summary>Regions of the validators, same forms; empty = <see cref="Regions"/>.</summary>
    public string ValidatorRegions { get; set; } = "";
    /// <summary>The client's (load generator's, stakers') region; empty = the first region of <see cref="Regions"/>.</summary>
    public string ClientRegion { get; set; } = "";
    /// <summary>The settlement layer's region; empty = <see cref="ClientRegion"/>.</summary>
    public string L1Region { get; set; } = "";
    public ulong Seed { get; set; } = 1;
    /// <summary>How long the caller of a lost call waits before its <see cref="TimeoutException"/>.</summary>
    public TimeSpan LostCallTimeout { get; set; } = TimeSpan.FromSeconds(5);

    public bool Enabled => !string.IsNullOrWhiteSpace(Model);

    /// <summary>Every problem, each one line naming its setting (empty when the settings are usable).</summary>
    public IReadOnlyList<string> Validate()
    {
        if (!Enabled) return [];
        try
        {
            NetworkTopology.Build(this);
            return [];
        }
        catch (FormatException e)
        {
            return [e.Message];
        }
    }
}

/// <summary>The current leader of each chain as this silo knows it, so the network filter can place the chain-wide grains
/// with it. Every silo learns it from the grains it hosts: the chain grain reports every term it installs (and the one it
/// loads at activation), a sequencer the term it begins leading and the term of each block it attests — so a silo that
/// hosts only members learns of a new term with its first attestation. A report of an older term than the one known is
/// ignored (terms only grow). Registered with or without a network: one dictionary look-up per report.</summary>
public sealed class NetworkLeaders
{
    private readonly ConcurrentDictionary<string, (ulong Term, string Leader)> _leaders = new(StringComparer.Ordinal);

    /// <summary>Records that <paramref name="leaderId"/> leads <paramref name="chainId"/> in <paramref name="term"/>
    /// unless a later term is known already.</summary>
    public void Set(string chainId, string leaderId, ulong term)
    {
        while (true)
        {
            if (!_leaders.TryGetValue(chainId, out var known))
            {
                if (_leaders.TryAdd(chainId, (term, leaderId))) return;
                continue;
            }
            if (known.Term > term || (known.Term == term && known.Leader == leaderId)) return;
            if (_leaders.TryUpdate(chainId, (term, leaderId), known)) return;
        }
    }

    public string? Get(string chainId) => _leaders.TryGetValue(chainId, out var known) ? known.Leader : null;
    /// <summary>The latest term known for <paramref name="chainId"/> (0: none).</summary>
    public ulong Term(string chainId) => _leaders.TryGetValue(chainId, out var known) ? known.Term : 0;
}

/// <summary>
/// Which node and region each grain is (docs/NETWORK.md): a sequencer is its member's node (region by its index in id
/// order, the number its id ends with), a validator likewise; the client and staker grains are the client node;
/// chain, mempool, admission and rotation sit on the current leader's node; settlement on the L1 node.
/// </summary>
public sealed class NetworkTopology
{
    private const int CacheLimit = 100_000;
    private readonly RegionSpec _members, _validators;
    private readonly NetworkLeaders _leaders;
    private readonly ConcurrentDictionary<GrainId, Place> _places = new();
    private readonly ConcurrentDictionary<string, (RegionSpec Members, RegionSpec Validators)> _chains = new(StringComparer.Ordinal);

    private NetworkTopology(NetworkModel model, RegionSpec members, RegionSpec validators, string clientRegion, string l1Region, NetworkLeaders leaders)
    {
        Model = model;
        _members = members;
        _validators = validators;
        Client = new NetNode(clientRegion, "client");
        L1 = new NetNode(l1Region, "l1");
        _leaders = leaders;
    }

    public NetworkModel Model { get; }
    public NetNode Client { get; }
    public NetNode L1 { get; }

    /// <summary>Checks and builds the model; a bad setting is a one-line <see cref="FormatException"/>.</summary>
    public static NetworkTopology Build(NetworkOptions o, NetworkLeaders? leaders = null)
    {
        var matrix = LatencyMatrix.Load(o.Model.Trim());
        if (string.IsNullOrWhiteSpace(o.Regions)) throw new FormatException("Network:Regions: give the members' regions (R1,R2 or R1:N1,R2:N2)");
        var members = Parse(o.Regions, "Network:Regions");
        members.CheckIn(matrix, "Network:Regions");
        var validators = string.IsNullOrWhiteSpace(o.ValidatorRegions) ? members : Parse(o.ValidatorRegions, "Network:ValidatorRegions");
        validators.CheckIn(matrix, "Network:ValidatorRegions");
        var client = string.IsNullOrWhiteSpace(o.ClientRegion) ? members.Regions[0] : o.ClientRegion.Trim();
        RegionSpec.CheckRegion(matrix, client, "Network:ClientRegion");
        var l1 = string.IsNullOrWhiteSpace(o.L1Region) ? client : o.L1Region.Trim();
        RegionSpec.CheckRegion(matrix, l1, "Network:L1Region");
        if (o.LostCallTimeout <= TimeSpan.Zero || o.LostCallTimeout > TimeSpan.FromMinutes(5))
            throw new FormatException("Network:LostCallTimeout must be above zero and at most 5 minutes");
        return new NetworkTopology(new NetworkModel(matrix, o.Seed, o.LostCallTimeout), members, validators, client, l1, leaders ?? new NetworkLeaders());
    }

    private static RegionSpec Parse(string spec, string setting)
    {
        try
        {
            return RegionSpec.Parse(spec);
        }
        catch (FormatException e)
        {
            throw new FormatException($"{setting}: {e.Message}");
        }
    }

    /// <summary>
    /// Gives chain <paramref name="chainId"/> its own spread of members and validators, overriding the silo-wide
    /// <c>Network:Regions</c> / <c>Network:ValidatorRegions</c> for it (a load test's runs each have their own committee
    /// size). Call it before the chain's grains are first called: places already worked out for its grains are dropped.
    /// </summary>
    public void Assign(string chainId, RegionSpec members, RegionSpec validators)
    {
        ArgumentException.ThrowIfNullOrEmpty(chainId);
        ArgumentNullException.ThrowIfNull(members);
        ArgumentNullException.ThrowIfNull(validators);
        members.CheckIn(Model.Matrix, "members' regions");
        validators.CheckIn(Model.Matrix, "validators' regions");
        _chains[chainId] = (members, validators);
        Forget(chainId);
    }

    /// <summary>Ends a chain's own assignment (its grains fall back to the silo-wide spread).</summary>
    public void Unassign(string chainId)
    {
        if (_chains.TryRemove(chainId, out _)) Forget(chainId);
    }

    /// <summary>Drops the cached places of a chain's grains (the cache is keyed by grain id).</summary>
    private void Forget(string chainId)
    {
        foreach (var grain in _places.Keys)
        {
            var key = grain.Key.ToString();
            if (key == chainId || (key.Length > chainId.Length && key[chainId.Length] == '/' && key.StartsWith(chainId, StringComparison.Ordinal)))
                _places.TryRemove(grain, out _);
        }
    }

    private RegionSpec MembersOf(string chainId) => _chains.TryGetValue(chainId, out var a) ? a.Members : _members;
    private RegionSpec ValidatorsOf(string chainId) => _chains.TryGetValue(chainId, out var a) ? a.Validators : _validators;

    /// <summary>The region of member <paramref name="memberId"/> of <paramref name="chainId"/>.</summary>
    public string MemberRegion(string chainId, string memberId) => MembersOf(chainId).RegionOf(MemberIndex(memberId));
    /// <summary>The region of validator <paramref name="validatorId"/> of <paramref name="chainId"/>.</summary>
    public string ValidatorRegion(string chainId, string validatorId) => ValidatorsOf(chainId).RegionOf(MemberIndex(validatorId));

    /// <summary>A member's index in id order (<see cref="Core.Placement.PlacementRule.MemberIndex"/>: <c>seq-007</c> → 7;
    /// an id without digits gets a stable hash of itself) — the same index placement uses.</summary>
    public static int MemberIndex(string id) => Core.Placement.PlacementRule.MemberIndex(id);

    /// <summary>The region of a sequencer's or validator's member (what placement puts it by), or null for any other grain.</summary>
    public string? MemberRegionOf(GrainId grain, Kinds kinds)
    {
        if (!grain.Type.Equals(kinds.Sequencer) && !grain.Type.Equals(kinds.Validator)) return null;
        return TryNode(grain, kinds, out var node) ? node.Region : null;
    }

    /// <summary>The node of a grain, or false for a grain outside the model (Orleans' own, the ping probe).</summary>
    public bool TryNode(GrainId grain, Kinds kinds, out NetNode node)
    {
        if (!_places.TryGetValue(grain, out var place))
        {
            place = Classify(grain, kinds);
            if (_places.Count >= CacheLimit) _places.Clear();
            _places[grain] = place;
        }
        switch (place.Kind)
        {
            case PlaceKind.Fixed:
                node = place.Node;
                return true;
            case PlaceKind.WithLeader:
                node = _leaders.Get(place.ChainId!) is { } leader
                    ? new NetNode(MemberRegion(place.ChainId!, leader), Abstractions.GrainKeys.Member(place.ChainId!, leader))
                    : new NetNode(MembersOf(place.ChainId!).RegionOf(0), place.ChainId + "/chain");
                return true;
            default:
                node = default;
                return false;
        }
    }

    private Place Classify(GrainId grain, Kinds kinds)
    {
        var type = grain.Type;
        var key = grain.Key.ToString();
        if (type.Equals(kinds.Sequencer)) return Member(key, MemberRegion);
        if (type.Equals(kinds.Validator)) return Member(key, ValidatorRegion);
        if (type.Equals(kinds.Staker)) return new Place(PlaceKind.Fixed, Client, null);
        if (type.Equals(kinds.Settlement)) return new Place(PlaceKind.Fixed, L1, null);
        if (type.Equals(kinds.Chain) || type.Equals(kinds.Mempool) || type.Equals(kinds.Admission) || type.Equals(kinds.Rotation))
            return new Place(PlaceKind.WithLeader, default, key);
        return new Place(PlaceKind.Outside, default, null);
    }

    private static Place Member(string key, Func<string, string, string> region)
    {
        int slash = key.IndexOf('/');
        if (slash <= 0 || slash == key.Length - 1) return new Place(PlaceKind.Outside, default, null);
        return new Place(PlaceKind.Fixed, new NetNode(region(key[..slash], key[(slash + 1)..]), key), null);
    }

    private enum PlaceKind { Outside, Fixed, WithLeader }
    private readonly record struct Place(PlaceKind Kind, NetNode Node, string? ChainId);

    /// <summary>The grain types of the model's grains, resolved once from the grain factory.</summary>
    public sealed record Kinds(GrainType Sequencer, GrainType Validator, GrainType Staker, GrainType Settlement,
        GrainType Chain, GrainType Mempool, GrainType Admission, GrainType Rotation)
    {
        public static Kinds Resolve(IGrainFactory f) => new(
            f.GetGrain<ISequencerGrain>("k/k").GetGrainId().Type, f.GetGrain<IValidatorGrain>("k/k").GetGrainId().Type,
            f.GetGrain<IStakerGrain>("k/k").GetGrainId().Type, f.GetGrain<ISettlementGrain>("k").GetGrainId().Type,
            f.GetGrain<IChainGrain>("k").GetGrainId().Type, f.GetGrain<IMempoolGrain>("k").GetGrainId().Type,
            f.GetGrain<IAdmissionGrain>("k").GetGrainId().Type, f.GetGrain<IRotationGrain>("k").GetGrainId().Type);
    }
}

/// <summary>
/// The network in the call pipeline (docs/NETWORK.md): an outgoing filter that, for a call between two nodes, waits the
/// one-way delay before the call leaves and the one-way delay back after its answer, with timers (Task.Delay). A lost
/// message makes the caller wait <see cref="NetworkModel.LostCallTimeout"/> and throws <see cref="TimeoutException"/>
/// (a lost request reaches no grain; a lost answer comes after the call ran). A one-way call pays its leg and has no
/// answer. Calls within a node, timer ticks and calls from or to system targets and Orleans' own grains pass at once.
/// Registered only when <see cref="NetworkOptions.Model"/> is set.
/// </summary>
public sealed class NetworkFilter(NetworkTopology topology, IServiceProvider services, TimeProvider clock) : IOutgoingGrainCallFilter
{
    private static readonly ConcurrentDictionary<MethodInfo, bool> OneWayMethods = new();
    private NetworkTopology.Kinds? _kinds;

    /// <summary>A request-context flag a measurement sets (the supply audit's reads): calls made under it are not
    /// delayed — instrumentation, not traffic of the modelled deployment.</summary>
    public const string Instrumentation = "ar.net.instrumentation";

    /// <summary>Marks the calls made in this async flow (and the calls their targets make for them) as outside the model
    /// until disposed: a chain's genesis set-up and the supply audit's reads. Grain timers do not inherit it (Orleans
    /// creates them without the caller's async locals), so no producing loop escapes the model.</summary>
    public static IDisposable Unmodelled()
    {
        if (RequestContext.Get(Instrumentation) is true) return Scope.Nested; // an enclosing scope ends it
        RequestContext.Set(Instrumentation, true);
        return new Scope();
    }

    private sealed class Scope : IDisposable
    {
        public static readonly IDisposable Nested = new NoScope();
        public void Dispose() => RequestContext.Remove(Instrumentation);
        private sealed class NoScope : IDisposable { public void Dispose() { } }
    }

    public Task Invoke(IOutgoingGrainCallContext context)
    {
        if (RequestContext.Get(Instrumentation) is true) return context.Invoke();
        var target = context.TargetId;
        var source = context.SourceId;
        if (source is { } s && (s.IsSystemTarget() || s.Equals(target))) return context.Invoke();
        if (target.IsSystemTarget()) return context.Invoke();
        var kinds = _kinds ??= NetworkTopology.Kinds.Resolve(services.GetRequiredService<IGrainFactory>());
        if (!topology.TryNode(target, kinds, out var to)) return context.Invoke();
        NetNode from;
        if (source is null || source.Value.IsClient()) from = topology.Client;
        else if (!topology.TryNode(source.Value, kinds, out from)) return context.Invoke();
        if (from == to) return context.Invoke();
        var there = topology.Model.Send(from, to);
        bool oneWay = OneWayMethods.GetOrAdd(context.InterfaceMethod, m => m.GetCustomAttribute<OneWayAttribute>() is not null);
        return oneWay ? OneWay(context, there) : RoundTrip(context, from, to, there);
    }

    private async Task OneWay(IOutgoingGrainCallContext context, Leg there)
    {
        if (there.Lost) return;
        await Wait(there.Delay);
        await context.Invoke();
    }

    private async Task RoundTrip(IOutgoingGrainCallContext context, NetNode from, NetNode to, Leg there)
    {
        if (there.Lost) await Lost(context, to);
        if (there.Delay > TimeSpan.Zero) await Wait(there.Delay);
        await context.Invoke();
        var back = topology.Model.Send(to, from);
        if (back.Lost) await Lost(context, to);
        if (back.Delay > TimeSpan.Zero) await Wait(back.Delay);
    }

    /// <summary>At least <paramref name="delay"/>: .NET timers count whole milliseconds and may fire up to one early, so
    /// the remainder is waited again (a message never arrives sooner than its delay).</summary>
    private async Task Wait(TimeSpan delay)
    {
        var start = clock.GetTimestamp();
        await Task.Delay(delay, clock);
        for (var left = delay - clock.GetElapsedTime(start); left > TimeSpan.Zero; left = delay - clock.GetElapsedTime(start))
            await Task.Delay(left < TimeSpan.FromMilliseconds(1) ? TimeSpan.FromMilliseconds(1) : left, clock);
    }

    /// <summary>A lost message: the caller hears nothing until its own deadline (the call's cancellation token, e.g. a
    /// leader's attestation deadline) or else the lost-call timeout, whichever comes first.</summary>
    private async Task Lost(IOutgoingGrainCallContext context, NetNode to)
    {
        var token = context.Request.GetCancellationToken();
        try
        {
            await Task.Delay(topology.Model.LostCallTimeout, clock, token);
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            throw new OperationCanceledException($"{context.InterfaceMethod.DeclaringType?.Name}.{context.InterfaceMethod.Name} to {to.Name} ({to.Region}): lost in the network model; the caller's deadline passed", token);
        }
        throw new TimeoutException($"{context.InterfaceMethod.DeclaringType?.Name}.{context.InterfaceMethod.Name} to {to.Name} ({to.Region}): lost in the network model");
    }
}

public static class NetworkServiceCollectionExtensions
{
    /// <summary>Registers the network model and its call filter when <paramref name="options"/> names a model, and nothing
    /// otherwise. Throws a one-line <see cref="FormatException"/> for bad settings.</summary>
    public static IServiceCollection AddActorRollupNetwork(this IServiceCollection services, NetworkOptions options)
    {
        if (!options.Enabled) return services;
        NetworkTopology.Build(options); // refuse bad settings at start-up, not at the first call
        services.AddSingleton(sp => NetworkTopology.Build(options, sp.GetRequiredService<NetworkLeaders>()));
        services.AddSingleton(sp => sp.GetRequiredService<NetworkTopology>().Model);
        services.AddSingleton<IOutgoingGrainCallFilter, NetworkFilter>();
        return services;
    }
}
