using ActorRollup.Abstractions.Security;

namespace ActorRollup.Harness.Connection;

/// <summary>Presents the operator key on every call the harness makes (the external client's calls, or the embedded
/// silo's hosted-client calls — never a grain's own calls, which carry the silo's internal key instead).</summary>
public sealed class OperatorKeyPresenter(string operatorKey) : IOutgoingGrainCallFilter
{
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<System.Reflection.MethodInfo, bool> OperatorMethods = new();

    private static bool IsOperator(System.Reflection.MethodInfo method) =>
        System.Reflection.CustomAttributeExtensions.GetCustomAttribute<CallerClassAttribute>(method, inherit: false)?.Callers == CallerClass.Operator;

    public Task Invoke(IOutgoingGrainCallContext context)
    {
        // Only operator methods need it: submissions and queries carry no request-context entry (and the key is sent no
        // more often than it must be).
        if ((context.SourceId is not { } source || source.IsClient()) && OperatorMethods.GetOrAdd(context.InterfaceMethod, IsOperator))
            RequestContext.Set(TrustHeaders.OperatorKey, operatorKey);
        return context.Invoke();
    }
}
