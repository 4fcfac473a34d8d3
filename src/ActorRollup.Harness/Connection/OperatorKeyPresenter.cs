using ActorRollup.Abstractions.Security;

namespace ActorRollup.Harness.Connection;

/// <summary>Presents the operator key on every call the harness makes (the external client's calls, or the embedded
/// silo's hosted-client calls — never a grain's own calls, which carry the silo's internal key instead).</summary>
public sealed class OperatorKeyPresenter(string operatorKey) : IOutgoingGrainCallFilter
{
    public Task Invoke(IOutgoingGrainCallContext context)
    {
        if (context.SourceId is not { } source || source.IsClient())
            RequestContext.Set(TrustHeaders.OperatorKey, operatorKey);
        return context.Invoke();
    }
}
