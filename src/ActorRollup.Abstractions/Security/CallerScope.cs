namespace ActorRollup.Abstractions.Security;

/// <summary>The request-context entries a caller presents its credentials in (docs/SECURITY.md). Values flow to the
/// calls a grain makes while handling the request, but only ever inside the cluster.</summary>
public static class TrustHeaders
{
    /// <summary>The operator key a harness (or the silo's own bootstrap) presents to call operator methods.</summary>
    public const string OperatorKey = "ar.operator";

    /// <summary>The cluster's internal key, stamped by the silo on every call a grain makes.</summary>
    public const string InternalKey = "ar.internal";
}

/// <summary>Presents a credential on every grain call made in the current async flow until disposed.</summary>
public sealed class CallerScope : IDisposable
{
    private readonly string _header;
    private readonly object? _previous;

    private CallerScope(string header, string key)
    {
        _header = header;
        _previous = RequestContext.Get(header);
        RequestContext.Set(header, key);
    }

    /// <summary>Calls in this scope present the operator key.</summary>
    public static CallerScope AsOperator(string operatorKey) => new(TrustHeaders.OperatorKey, operatorKey);

    /// <summary>Calls in this scope present the cluster's internal key (tests that drive one grain's internal method directly).</summary>
    public static CallerScope AsInternal(string internalKey) => new(TrustHeaders.InternalKey, internalKey);

    public void Dispose()
    {
        if (_previous is null) RequestContext.Remove(_header);
        else RequestContext.Set(_header, _previous);
    }
}
