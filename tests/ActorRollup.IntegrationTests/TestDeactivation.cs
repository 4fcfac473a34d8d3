using System.Collections.Concurrent;

namespace ActorRollup.IntegrationTests;

/// <summary>
/// Deactivates a chosen grain on demand (test clusters only): <see cref="Request"/> names the grain, its next incoming
/// call runs and then the activation is deactivated, as a silo would on idle or shutdown. The next call reactivates it
/// from storage. The task completes once the old activation is gone.
/// </summary>
internal static class TestDeactivation
{
    private static readonly ConcurrentDictionary<GrainId, TaskCompletionSource> Requests = new();

    public static Task Request(GrainId grain)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Requests[grain] = done;
        return done.Task;
    }

    /// <summary>Deactivates a chain grain between two appends and waits until it is gone (the next call reactivates it).
    /// Appends are refused for the moment it takes: a deactivation waits for the running append, and that append's calls
    /// back into the chain would wait for the deactivation.</summary>
    public static async Task DeactivateChain(ActorRollup.Abstractions.IChainGrain chain)
    {
        var chainId = chain.GetGrainId();
        using (TestFaults.Drop(c => c.TargetId == chainId && c.MethodName == nameof(ActorRollup.Abstractions.IChainGrain.AppendBlock)))
        {
            await Poll.Until(async () => (Before: await chain.GetHead(), After: await Task.Delay(300).ContinueWith(_ => chain.GetHead()).Unwrap()),
                p => p.Before.Height == p.After.Height, TimeSpan.FromSeconds(30), "no append running");
            var deactivated = Request(chainId);
            await chain.GetHead();
            await deactivated.WaitAsync(TimeSpan.FromSeconds(30));
        }
    }

    public sealed class Filter : IIncomingGrainCallFilter
    {
        public async Task Invoke(IIncomingGrainCallContext context)
        {
            await context.Invoke();
            if (Requests.IsEmpty || !Requests.TryRemove(context.TargetId, out var done)) return;
            var target = context.TargetContext;
            target.Deactivate(new DeactivationReason(DeactivationReasonCode.ApplicationRequested, "test deactivation"));
            _ = target.Deactivated.ContinueWith(_ => done.TrySetResult(), TaskScheduler.Default);
        }
    }
}
