using System.Collections.Concurrent;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using ActorRollup.Abstractions.Security;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ActorRollup.Grains.Infrastructure;

/// <summary>The silo's credentials (docs/SECURITY.md): the operator key operator calls must present, and the internal key
/// the silo stamps on every call its grains make.</summary>
public sealed class TrustOptions
{
    /// <summary>The operator key (at least <see cref="OperatorKeys.MinLength"/> characters). Empty: no caller can make an
    /// operator call (only the cluster's own code, through the internal key).</summary>
    public string OperatorKey { get; set; } = "";

    /// <summary>The internal key; empty = derived from the operator key (<see cref="OperatorKeys.InternalKey"/>), or a
    /// random per-process key when there is no operator key either (a single silo only: silos must share it).</summary>
    public string InternalKey { get; set; } = "";

    /// <summary>Whether this silo's hosted client (code outside any grain: the embedded harness) presents
    /// <see cref="OperatorKey"/> on its operator calls, as an external harness does with its own filter. One outgoing
    /// filter then does both jobs: each outgoing filter costs every grain call of the silo an extra async step.</summary>
    public bool HostedClientIsOperator { get; set; }
}

/// <summary>
/// The caller-class rules of one silo (docs/SECURITY.md), shared by the two call filters. Each ActorRollup grain
/// interface method declares <see cref="CallerClass"/> with an attribute; the incoming filter admits a call when
/// the caller is of that class. Nothing about the caller is taken from the wire but the keys it presents: a caller id
/// can be forged, a key cannot be guessed.
/// </summary>
public sealed class TrustBoundary
{
    private static readonly Assembly GrainAssembly = typeof(TrustBoundary).Assembly;
    private static readonly Assembly ContractAssembly = typeof(CallerClassAttribute).Assembly;
    private readonly string _operatorKey;
    private readonly string _internalKey;
    private readonly ConcurrentDictionary<MethodInfo, Rule> _rules = new();

    public TrustBoundary(IOptions<TrustOptions> options, ILogger<TrustBoundary> log)
    {
        var o = options.Value;
        _operatorKey = o.OperatorKey ?? "";
        InternalKey = !string.IsNullOrEmpty(o.InternalKey) || !string.IsNullOrEmpty(o.OperatorKey)
            ? OperatorKeys.InternalKey(o.InternalKey, o.OperatorKey ?? "")
            : Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
        _internalKey = InternalKey;
        HostedClientOperatorKey = o.HostedClientIsOperator && _operatorKey.Length > 0 ? _operatorKey : null;
        if (_operatorKey.Length == 0)
            log.LogWarning("no operator key is configured (Cluster:OperatorKey): operator calls are refused to every client");
    }

    /// <summary>The key this silo stamps on its grains' calls (the value of <see cref="TrustHeaders.InternalKey"/>).</summary>
    public string InternalKey { get; }

    /// <summary>The key the hosted client presents on operator calls (<see cref="TrustOptions.HostedClientIsOperator"/>), or null.</summary>
    public string? HostedClientOperatorKey { get; }

    public bool PresentsInternalKey() => Matches(RequestContext.Get(TrustHeaders.InternalKey), _internalKey);

    /// <summary>Null when the call may proceed, else the refusal reason.</summary>
    public string? Check(IIncomingGrainCallContext context)
    {
        switch (_rules.GetOrAdd(context.InterfaceMethod, Classify))
        {
            case Rule.Public:
                return null;
            case Rule.Internal:
                return PresentsInternalKey() ? null : CallRefusal.InternalOnly;
            case Rule.Operator:
                // The cluster's own code may do what an operator does (the silo's bootstrap presents the key anyway).
                if (PresentsInternalKey()) return null;
                var presented = RequestContext.Get(TrustHeaders.OperatorKey);
                if (presented is null) return CallRefusal.OperatorKeyRequired;
                return Matches(presented, _operatorKey) ? null : CallRefusal.BadOperatorKey;
            case Rule.Foreign:
                // Orleans' own grains and system targets are not ours to fence. An Orleans interface on one of our grains
                // (IRemindable, grain extensions, timer ticks) is for the runtime's callers and our grains only; a timer
                // tick is a call from the grain to itself.
                if (context.Grain is null || context.Grain.GetType().Assembly != GrainAssembly) return null;
                if (PresentsInternalKey()) return null;
                return context.SourceId is { } source && (source.IsSystemTarget() || source.Equals(context.TargetId)) ? null : CallRefusal.Undeclared;
            default:
                return CallRefusal.Undeclared;
        }
    }

    private static readonly ConcurrentDictionary<MethodInfo, bool> PublicMethods = new();

    /// <summary>Whether a method is a public method of an ActorRollup interface (callers need present no key for it).</summary>
    public static bool IsPublic(MethodInfo method) => PublicMethods.GetOrAdd(method, m => Classify(m) == Rule.Public);

    private static readonly ConcurrentDictionary<MethodInfo, bool> OperatorMethods = new();

    /// <summary>Whether a method is an operator method of an ActorRollup interface (the only calls an operator's tool
    /// needs to present its key on).</summary>
    public static bool IsOperator(MethodInfo method) => OperatorMethods.GetOrAdd(method, m => Classify(m) == Rule.Operator);


    /// <summary>How a method is judged: a method of an ActorRollup interface by its attribute (none: refused to all);
    /// any other interface is Orleans' (<see cref="Rule.Foreign"/>).</summary>
    private static Rule Classify(MethodInfo method)
    {
        var declaring = method.DeclaringType;
        if (declaring?.Assembly != ContractAssembly && declaring?.Assembly != GrainAssembly) return Rule.Foreign;
        return method.GetCustomAttribute<CallerClassAttribute>(inherit: false)?.Callers switch
        {
            CallerClass.Public => Rule.Public,
            CallerClass.Operator => Rule.Operator,
            CallerClass.Internal => Rule.Internal,
            _ => Rule.Undeclared,
        };
    }

    /// <summary>A fixed-time comparison of the presented key with the expected one, without allocating (it runs on every
    /// internal call): the length may leak, the contents do not.</summary>
    private static bool Matches(object? presented, string expected)
    {
        if (presented is not string text || expected.Length == 0 || text.Length != expected.Length) return false;
        return CryptographicOperations.FixedTimeEquals(MemoryMarshal.AsBytes(text.AsSpan()), MemoryMarshal.AsBytes(expected.AsSpan()));
    }

    private enum Rule { Undeclared, Public, Operator, Internal, Foreign }
}

/// <summary>Refuses, before the grain runs, every call its caller may not make (<see cref="TrustBoundary"/>), counts it
/// in the <c>ActorRollup</c> meter (<c>actorrollup.calls.refused</c>, by reason and method) and answers with a
/// <see cref="CallRefusedException"/>. A refused call reaches no grain code, so it changes nothing.</summary>
public sealed class TrustBoundaryFilter(TrustBoundary trust, RollupMetrics metrics, ILogger<TrustBoundaryFilter> log) : IIncomingGrainCallFilter
{
    public Task Invoke(IIncomingGrainCallContext context)
    {
        var reason = trust.Check(context);
        if (reason is null)
        {
            var call = context.Invoke();
            return call.IsCompletedSuccessfully ? call : CountGrainRefusals(call, context);
        }
        var method = MethodName(context);
        metrics.CallRefused(method, reason);
        log.LogDebug("refused {Method} on {Target} from {Source}: {Reason}", method, context.TargetId, context.SourceId, reason);
        throw new CallRefusedException(reason, Describe(reason, method));
    }

    /// <summary>A grain refuses a call itself when the refusal needs its state (fault injection off, an argument beyond
    /// a bound): counted here with the filter's own refusals.</summary>
    private async Task CountGrainRefusals(Task call, IIncomingGrainCallContext context)
    {
        try
        {
            await call;
        }
        catch (CallRefusedException e)
        {
            metrics.CallRefused(MethodName(context), e.Reason);
            throw;
        }
    }

    private static string MethodName(IIncomingGrainCallContext context) =>
        $"{context.InterfaceMethod.DeclaringType?.Name}.{context.InterfaceMethod.Name}";

    private static string Describe(string reason, string method) => reason switch
    {
        CallRefusal.InternalOnly => $"{method} is internal: only the cluster's own grains may call it",
        CallRefusal.OperatorKeyRequired => $"{method} is an operator call: present the operator key (Cluster:OperatorKey)",
        CallRefusal.BadOperatorKey => $"{method} is an operator call and the key presented is not the cluster's operator key",
        _ => $"{method} is not callable from outside the cluster",
    };
}

/// <summary>Stamps the silo's internal key on every call a grain (or a system target) of this silo makes, and strips it
/// from calls made by code outside any grain (the silo's hosted client: the embedded harness, the bootstrap service),
/// which are clients like any other and present the operator key instead.
/// A call to a public method needs no key, so it carries none (no request-context entry on the hot path's submissions
/// and queries); a forged key a client sent along cannot open an internal method either way, since every call to one
/// is stamped afresh here.</summary>
/// <remarks>With <see cref="TrustOptions.HostedClientIsOperator"/> (the embedded harness) it also presents the operator
/// key on the hosted client's operator calls, so the silo runs one outgoing filter, not two. A grain that received an
/// internal call already holds the key in its request context (it flows with the call): it is not set again.</remarks>
public sealed class InternalKeyStamp(TrustBoundary trust) : IOutgoingGrainCallFilter
{
    public Task Invoke(IOutgoingGrainCallContext context)
    {
        if (context.SourceId is { } source && !source.IsClient())
        {
            if (!TrustBoundary.IsPublic(context.InterfaceMethod) && !ReferenceEquals(RequestContext.Get(TrustHeaders.InternalKey), trust.InternalKey))
                RequestContext.Set(TrustHeaders.InternalKey, trust.InternalKey);
        }
        else
        {
            if (RequestContext.Get(TrustHeaders.InternalKey) is not null) RequestContext.Remove(TrustHeaders.InternalKey);
            if (trust.HostedClientOperatorKey is { } key && TrustBoundary.IsOperator(context.InterfaceMethod))
                RequestContext.Set(TrustHeaders.OperatorKey, key);
        }
        return context.Invoke();
    }
}
