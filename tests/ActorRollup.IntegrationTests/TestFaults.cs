using System.Collections.Concurrent;

namespace ActorRollup.IntegrationTests;

/// <summary>Lost messages on demand, for tests of what a lost notice does: a rule registered here makes the test
/// cluster's silos fail the matching incoming grain call (as a timeout, as a lost message looks to its sender).</summary>
internal static class TestFaults
{
    private static readonly ConcurrentDictionary<Guid, Func<IIncomingGrainCallContext, bool>> Rules = new();

    /// <summary>Drops every call that <paramref name="match"/> selects until the returned scope is disposed.</summary>
    public static IDisposable Drop(Func<IIncomingGrainCallContext, bool> match)
    {
        var id = Guid.NewGuid();
        Rules[id] = match;
        return new Scope(() => Rules.TryRemove(id, out _));
    }

    private sealed class Scope(Action dispose) : IDisposable
    {
        public void Dispose() => dispose();
    }

    public sealed class DropFilter : IIncomingGrainCallFilter
    {
        public Task Invoke(IIncomingGrainCallContext context)
        {
            foreach (var rule in Rules.Values)
                if (rule(context)) throw new TimeoutException($"test fault: {context.MethodName} to {context.TargetId} dropped");
            return context.Invoke();
        }
    }
}
