using System.Collections;
using System.Reflection;
using System.Security.Cryptography;
using ActorRollup.Abstractions;
using ActorRollup.Abstractions.Config;
using ActorRollup.Abstractions.Messages;
using ActorRollup.Abstractions.Security;
using ActorRollup.Core.Blocks;
using ActorRollup.Core.Primitives;
using ActorRollup.Core.Staking;

namespace ActorRollup.IntegrationTests.Hostile;

/// <summary>One hostile call and how it ended.</summary>
internal sealed record HostileCall(MethodInfo Method, CallerClass Class, string Variant, string Outcome, string? RefusalReason)
{
    public override string ToString() => $"{Method.DeclaringType!.Name}.{Method.Name} [{Variant}]: {Outcome}";
}

/// <summary>
/// What a hostile client throws at a cluster: every method of every ActorRollup grain interface — found by reflection,
/// so a method added later is covered with no change here — called on the chain's real grains with crafted arguments:
/// real values read from the chain and mutated, edge values, random bytes. Credentials are what an attacker can hold:
/// none, or made-up operator and internal keys. Queries are called too (with their edge arguments: they must stay
/// bounded); every call has a deadline.
/// </summary>
internal sealed class HostileSweep(IGrainFactory grains, string chainId, ChainGenesis genesis, int seed)
{
    private static readonly TimeSpan CallDeadline = TimeSpan.FromSeconds(15);
    private readonly Random _random = new(seed);
    private readonly Dictionary<Type, object?[]> _pools = new();

    /// <summary>The grain interfaces a client can name: every IAddressable interface of the contract assembly.</summary>
    public static IReadOnlyList<Type> GrainInterfaces { get; } = typeof(IChainGrain).Assembly.GetTypes()
        .Where(t => t.IsInterface && typeof(IAddressable).IsAssignableFrom(t) && t.GetMethods().Length > 0)
        .OrderBy(t => t.Name, StringComparer.Ordinal)
        .ToList();

    public static CallerClass? ClassOf(MethodInfo method) => method.GetCustomAttribute<CallerClassAttribute>()?.Callers;

    /// <summary>Reads the chain's real values the crafted arguments start from.</summary>
    public async Task PrepareAsync()
    {
        var chain = grains.Chain(chainId);
        var head = await chain.GetHead();
        var committed = await chain.GetCommittedBlock(head.Height) ?? await chain.GetCommittedBlock(head.Height - 1);
        var term = await grains.Rotation(chainId).GetCurrent();
        var owner = (await grains.Sequencer(chainId, genesis.Sequencers[0].Id).GetPool())?.Owner ?? Address.FromPublicKey(RandomBytes(32));
        var random = Address.FromPublicKey(RandomBytes(32));

        Pool(chainId, genesis.Sequencers[0].Id, genesis.Validators[0].Id, "", new string('x', 20_000), "../" + chainId, null);
        Pool(0UL, 1UL, head.Height, head.Height + 1, ulong.MaxValue, ulong.MaxValue / 2);
        Pool(0L, -1L, long.MaxValue, long.MinValue);
        Pool(0, -1, int.MaxValue, int.MinValue, 1);
        Pool(true, false);
        Pool(UInt128.Zero, UInt128.One, UInt128.MaxValue, (UInt128)ulong.MaxValue * 1_000);
        Pool(head.Hash, default(Hash32), Hash32.FromBytes(RandomBytes(32)));
        Pool(RandomBytes(32), Array.Empty<byte>(), RandomBytes(64), RandomBytes(100_000), null);
        Pool(owner, random, default(Address));
        Pool(CancellationToken.None);
        Pool(genesis with { LoadTestAccounts = int.MaxValue }, genesis, genesis with { Sequencers = [] }, null);
        Pool(genesis.Config, Mutated(genesis.Config), null);
        if (committed is not null)
        {
            Pool(committed, committed with { CommittedAtMs = -1 }, null);
            Pool(committed.Block, null);
            Pool(committed.Certificate, null);
            Pool(new SignedHeader(committed.Block.Header, RandomBytes(64)), null);
        }
        if (term is not null)
        {
            // A one-member committee of the attacker's own making, a term number rotation never gave.
            var forged = new CommitteeSeat("evil", RandomBytes(32), 1_000_000);
            Pool(term with { Term = term.Term + 1, LeaderId = "evil", Committee = [forged], LastHeight = ulong.MaxValue },
                term with { Term = ulong.MaxValue }, term, null);
            Pool(forged, null);
        }
        Pool(new StandingUpdate(genesis.Sequencers[0].Id, UInt128.MaxValue, SequencerStatus.Tombstoned, ulong.MaxValue, RandomBytes(32), 0),
            new StandingUpdate("evil", UInt128.MaxValue, SequencerStatus.Active, 0, RandomBytes(32), 0), null);
        Pool(new StakePosition(UInt128.MaxValue, UInt128.Zero, UInt128.MaxValue), null);
        Pool(new SequencerFault(SequencerFaultKind.Crash, Once: false), new SequencerFault(SequencerFaultKind.WrongStateRoot), null);
    }

    /// <summary>Each member's principal stake, shares, status and jail, and each validator's bond and strikes: what no
    /// hostile call may change.</summary>
    public static async Task<string> Standings(IGrainFactory grains, string chainId, Abstractions.Config.ChainGenesis genesis)
    {
        var lines = new List<string>();
        foreach (var s in genesis.Sequencers)
        {
            var pool = await grains.Sequencer(chainId, s.Id).GetPool();
            lines.Add($"{s.Id} stake={pool?.TotalStake} shares={pool?.TotalShares} status={pool?.Status} jail={pool?.JailedUntilEpoch}");
        }
        foreach (var v in genesis.Validators)
        {
            var view = await grains.Validator(chainId, v.Id).GetView();
            lines.Add($"{v.Id} {view.Bond} strikes={view.Strikes}");
        }
        return string.Join("\n", lines);
    }

    /// <summary>Calls every method of every grain interface with every variant; returns each call's outcome.</summary>
    public async Task<IReadOnlyList<HostileCall>> RunAsync(int variantsPerMethod = 4)
    {
        var calls = new List<HostileCall>();
        foreach (var iface in GrainInterfaces)
        {
            foreach (var method in iface.GetMethods().OrderBy(m => m.Name, StringComparer.Ordinal))
            {
                var grain = GrainFor(iface);
                if (grain is null) continue;
                var callerClass = ClassOf(method) ?? (CallerClass)(-1);
                for (var variant = 0; variant < variantsPerMethod; variant++)
                {
                    // Variant 0 presents no credential; 1 a made-up operator key; 2 a made-up internal key; 3 both.
                    using var credentials = Credentials(variant);
                    var args = method.GetParameters().Select(p => Craft(p.ParameterType, variant, depth: 0)).ToArray();
                    calls.Add(await InvokeAsync(grain, method, callerClass, $"v{variant}", args));
                }
            }
        }
        return calls;
    }

    private IDisposable Credentials(int variant)
    {
        var anonymous = TestCallers.AsAnonymous();
        var scopes = new List<IDisposable> { anonymous };
        if (variant is 1 or 3) scopes.Add(CallerScope.AsOperator(Convert.ToHexString(RandomBytes(32))));
        if (variant is 2 or 3) scopes.Add(CallerScope.AsInternal(Convert.ToHexString(RandomBytes(32))));
        return new Scopes(scopes);
    }

    private sealed class Scopes(List<IDisposable> scopes) : IDisposable
    {
        public void Dispose()
        {
            for (var i = scopes.Count - 1; i >= 0; i--) scopes[i].Dispose();
        }
    }

    private static async Task<HostileCall> InvokeAsync(object grain, MethodInfo method, CallerClass callerClass, string variant, object?[] args)
    {
        try
        {
            var task = (Task)method.Invoke(grain, args)!;
            await task.WaitAsync(CallDeadline);
            return new HostileCall(method, callerClass, variant, "answered", null);
        }
        catch (TimeoutException)
        {
            return new HostileCall(method, callerClass, variant, $"no answer within {CallDeadline.TotalSeconds:F0} s", null);
        }
        catch (Exception e)
        {
            var inner = e is TargetInvocationException { InnerException: { } x } ? x : e;
            return inner is CallRefusedException refused
                ? new HostileCall(method, callerClass, variant, "refused: " + refused.Reason, refused.Reason)
                : new HostileCall(method, callerClass, variant, $"threw {inner.GetType().Name}: {inner.Message}", null);
        }
    }

    private object? GrainFor(Type iface)
    {
        if (typeof(IGrainWithIntegerKey).IsAssignableFrom(iface)) return grains.GetGrain(iface, 0L);
        if (!typeof(IGrainWithStringKey).IsAssignableFrom(iface)) return null;
        var key = iface == typeof(ISequencerGrain) ? GrainKeys.Member(chainId, genesis.Sequencers[0].Id)
            : iface == typeof(IValidatorGrain) ? GrainKeys.Member(chainId, genesis.Validators[0].Id)
            : iface == typeof(IStakerGrain) ? GrainKeys.Member(chainId, ((Address)_pools[typeof(Address)][0]!).ToString())
            : chainId;
        return grains.GetGrain(iface, key);
    }

    private void Pool<T>(params T[] values) => _pools[typeof(T)] = values.Cast<object?>().ToArray();

    /// <summary>A value of <paramref name="type"/> for variant <paramref name="variant"/>: from the pool of real and edge
    /// values when there is one, else an array of one crafted element (or none), an enum value (or one out of range),
    /// or a record built through its widest constructor from crafted parts.</summary>
    private object? Craft(Type type, int variant, int depth)
    {
        var underlying = Nullable.GetUnderlyingType(type);
        if (underlying is not null) return variant % 3 == 2 ? null : Craft(underlying, variant, depth);
        if (_pools.TryGetValue(type, out var pool)) return pool[(variant + depth) % pool.Length];
        if (type.IsEnum)
        {
            var values = Enum.GetValues(type);
            return variant == values.Length ? Enum.ToObject(type, 99) : values.GetValue(variant % values.Length);
        }
        if (type.IsArray)
        {
            var element = type.GetElementType()!;
            var length = variant switch { 0 => 1, 1 => 0, 2 => 3, _ => 1 };
            var array = Array.CreateInstance(element, length);
            for (var i = 0; i < length; i++) array.SetValue(Craft(element, variant + i, depth + 1), i);
            return array;
        }
        if (depth > 3 || type.IsAbstract || type.IsInterface) return type.IsValueType ? Activator.CreateInstance(type) : null;
        var ctor = type.GetConstructors().OrderByDescending(c => c.GetParameters().Length).FirstOrDefault();
        if (ctor is null) return type.IsValueType ? Activator.CreateInstance(type) : null;
        try
        {
            return ctor.Invoke(ctor.GetParameters().Select(p => Craft(p.ParameterType, variant, depth + 1)).ToArray());
        }
        catch (TargetInvocationException)
        {
            // The type refuses these parts itself (a checked constructor): the attacker sends the nearest thing, nothing.
            return type.IsValueType ? Activator.CreateInstance(type) : null;
        }
    }

    private static ChainConfig Mutated(ChainConfig config)
    {
        var copy = (ChainConfig)typeof(ChainConfig).GetMethod("MemberwiseClone", BindingFlags.Instance | BindingFlags.NonPublic)!.Invoke(config, null)!;
        copy.ChallengeWindow = ulong.MaxValue;
        copy.EpochLength = ulong.MaxValue;
        copy.MinGasPrice = 0;
        copy.AllowFaultInjection = true;
        return copy;
    }

    private byte[] RandomBytes(int length)
    {
        var bytes = new byte[length];
        _random.NextBytes(bytes);
        return bytes;
    }
}
