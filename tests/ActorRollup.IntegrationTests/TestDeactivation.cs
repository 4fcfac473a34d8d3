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
