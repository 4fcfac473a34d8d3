using System.Collections.Concurrent;

namespace ActorRollup.IntegrationTests;

/// <summary>Lost and late messages on demand, for tests of what a lost notice or an interleaving does: a rule registered
/// here makes the test cluster's silos fail the matching incoming grain call (as a timeout, as a lost message looks to
/// its sender), or hold it at its target until the test releases it.</summary>
internal static class TestFaults
{
    private static readonly ConcurrentDictionary<Guid, Func<IIncomingGrainCallContext, bool>> Rules = new();
    private static readonly ConcurrentDictionary<Guid, HeldCall> Holds = new();

    /// <summary>Drops every call that <paramref name="match"/> selects until the returned scope is disposed.</summary>
    public static IDisposable Drop(Func<IIncomingGrainCallContext, bool> match)
    {
        var id = Guid.NewGuid();
        Rules[id] = match;
        return new Scope(() => Rules.TryRemove(id, out _));
    }

    /// <summary>
    /// Holds the first call that <paramref name="match"/> selects at its target, before the target's method runs, until
    /// <see cref="HeldCall.Release"/> (or disposal); later matching calls pass. The caller's await stays open meanwhile —
    /// how a test makes an interleaving happen at a point of its choosing instead of waiting for one by chance. Hold only
    /// calls that interleave at their target (<c>[AlwaysInterleave]</c>), or the target's other calls wait too.
    /// </summary>
    public static HeldCall Hold(Func<IIncomingGrainCallContext, bool> match)
    {
        var held = new HeldCall(match);
        Holds[held.Id] = held;
        return held;
    }

    private sealed class Scope(Action dispose) : IDisposable
    {
        public void Dispose() => dispose();
    }

    public sealed class HeldCall : IDisposable
    {
        private readonly Func<IIncomingGrainCallContext, bool> _match;
        private readonly TaskCompletionSource _entered = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _taken;

        internal HeldCall(Func<IIncomingGrainCallContext, bool> match) => _match = match;

        internal Guid Id { get; } = Guid.NewGuid();

        /// <summary>Completes when the held call has reached its target and is waiting there.</summary>
        public Task Entered => _entered.Task;

        public void Release() => _released.TrySetResult();

        public void Dispose()
        {
            Holds.TryRemove(Id, out _);
            Release();
        }

        internal bool TryTake(IIncomingGrainCallContext context) => Volatile.Read(ref _taken) == 0 && _match(context) && Interlocked.Exchange(ref _taken, 1) == 0;

        internal Task Wait()
        {
            _entered.TrySetResult();
            return _released.Task;
        }
    }

    public sealed class DropFilter : IIncomingGrainCallFilter
    {
        public Task Invoke(IIncomingGrainCallContext context)
        {
            if (Rules.IsEmpty && Holds.IsEmpty) return context.Invoke();
            foreach (var rule in Rules.Values)
                if (rule(context)) throw new TimeoutException($"test fault: {context.MethodName} to {context.TargetId} dropped");
            foreach (var held in Holds.Values)
                if (held.TryTake(context)) return HoldThenInvoke(held, context);
            return context.Invoke();
        }

        private static async Task HoldThenInvoke(HeldCall held, IIncomingGrainCallContext context)
        {
            await held.Wait();
            await context.Invoke();
        }
    }
}
