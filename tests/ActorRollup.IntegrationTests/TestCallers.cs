using ActorRollup.Abstractions.Security;

namespace ActorRollup.IntegrationTests;

/// <summary>The credentials of the shared test cluster (<see cref="ClusterFixture"/>), for tests that drive an operator
/// or internal grain method directly. A test that has none of these is an ordinary (public) client.</summary>
internal static class TestCallers
{
    public const string OperatorKey = "test-operator-key-0123456789abcdef";
    public const string InternalKey = "test-internal-key-0123456789abcdef";

    /// <summary>Calls in this scope present the test cluster's internal key, as the cluster's own grains do.</summary>
    public static IDisposable AsInternal() => CallerScope.AsInternal(InternalKey);

    /// <summary>Calls in this scope present the test cluster's operator key.</summary>
    public static IDisposable AsOperator() => CallerScope.AsOperator(OperatorKey);
}
