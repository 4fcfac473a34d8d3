using System.Diagnostics;
using Orleans.Runtime;

namespace ActorRollup.Harness.LoadTest;

/// <summary>
/// Retries an idempotent step (reads, or calls that may safely be made twice) whose grain call failed because the
/// cluster had not settled after a silo fault: a request that reached a silo in its graceful shutdown is rejected
/// ("Silo stopping"), and one sent to a killed silo times out until its grains are activated elsewhere. Anything else
/// (a refused call, bad input, a bug) fails at once.
/// </summary>
public static class Settling
{
    /// <summary>How long the end of a load-test run goes on retrying.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    /// <summary>Pause between two attempts.</summary>
    public static readonly TimeSpan Pause = TimeSpan.FromMilliseconds(500);

    /// <summary>Runs <paramref name="step"/> until it completes; a failure after <paramref name="timeout"/> stands.</summary>
    public static async Task<T> RunAsync<T>(Func<Task<T>> step, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                return await step();
            }
            catch (Exception e) when (IsSettling(e) && clock.Elapsed < timeout)
            {
                await Task.Delay(Pause, cancellationToken);
            }
        }
    }

    /// <summary>A failure that a cluster still settling after a silo fault produces.</summary>
    public static bool IsSettling(Exception e) => e is TimeoutException or OrleansException;
}
