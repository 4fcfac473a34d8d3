using System.Runtime.CompilerServices;
using ActorRollup.Abstractions.Security;

namespace ActorRollup.IntegrationTests;

/// <summary>
/// The credentials of the test clusters. The tests' clients are the operator's tools: they present the operator key on
/// every call (<see cref="Presenter"/>), as the harness does. A test that plays a hostile or plain client opens
/// <see cref="AsAnonymous"/>; one that drives a grain's internal method directly opens <see cref="AsInternal"/>.
/// </summary>
internal static class TestCallers
{
    public const string OperatorKey = "test-operator-key-0123456789abcdef";
    public const string InternalKey = "test-internal-key-0123456789abcdef";

    private static readonly AsyncLocal<bool> Anonymous = new();

    /// <summary>Every silo and harness command this test process starts uses the test operator key (the harness reads
    /// ACTORROLLUP_Cluster__OperatorKey), and none writes the per-user key file.
    /// The silos they start also allow fault injection on their configured chain (tests crash its leader).</summary>
    [ModuleInitializer]
    internal static void UseTestOperatorKey()
    {
        Environment.SetEnvironmentVariable("ACTORROLLUP_Cluster__OperatorKey", OperatorKey);
        Environment.SetEnvironmentVariable("ACTORROLLUP_Chain__AllowFaultInjection", "true");
    }

    /// <summary>Calls in this scope present the test cluster's internal key, as the cluster's own grains do.</summary>
    public static IDisposable AsInternal() => CallerScope.AsInternal(InternalKey);

    /// <summary>Calls in this scope present the test cluster's operator key (already the clients' default).</summary>
    public static IDisposable AsOperator() => CallerScope.AsOperator(OperatorKey);

    /// <summary>Calls in this scope present no credential: a plain client (what an attacker holds).</summary>
    public static IDisposable AsAnonymous() => new AnonymousScope();

    private sealed class AnonymousScope : IDisposable
    {
        private readonly bool _previous = Anonymous.Value;

        public AnonymousScope()
        {
            Anonymous.Value = true;
            RequestContext.Remove(TrustHeaders.OperatorKey);
            RequestContext.Remove(TrustHeaders.InternalKey);
        }

        public void Dispose() => Anonymous.Value = _previous;
    }

    /// <summary>A client-side filter presenting the operator key on every client call outside <see cref="AsAnonymous"/>.</summary>
    public sealed class Presenter : IOutgoingGrainCallFilter
    {
        public Task Invoke(IOutgoingGrainCallContext context)
        {
            if (context.SourceId is not { } source || source.IsClient())
            {
                // An anonymous caller presents only what it set itself (nothing, or a made-up key).
                if (!Anonymous.Value && RequestContext.Get(TrustHeaders.OperatorKey) is null) RequestContext.Set(TrustHeaders.OperatorKey, OperatorKey);
            }
            return context.Invoke();
        }
    }
}
