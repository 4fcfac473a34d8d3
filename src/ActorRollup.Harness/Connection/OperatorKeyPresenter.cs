using ActorRollup.Abstractions.Security;

namespace ActorRollup.Harness.Connection;

/// <summary>Presents the operator key on the harness's operator calls (the external client's, or the embedded silo's
/// hosted-client calls — never a grain's own calls, which carry the silo's internal key instead).</summary>
public sealed class OperatorKeyPresenter(string operatorKey) : IOutgoingGrainCallFilter
{
    public Task Invoke(IOutgoingGrainCallContext context)
    {
        // Only operator methods need it: submissions and queries carry no request-context entry (and the key is sent no
        // more often than it must be).
        if ((context.SourceId is not { } source || source.IsClient()) && Grains.Infrastructure.TrustBoundary.IsOperator(context.InterfaceMethod))
            RequestContext.Set(TrustHeaders.OperatorKey, operatorKey);
        return context.Invoke();
    }
}
