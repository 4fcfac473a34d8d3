namespace ActorRollup.IntegrationTests;

/// <summary>Waits for a condition with a deadline (never a bare sleep): polls, and fails with what was last seen.</summary>
internal static class Poll
{
    public static async Task<T> Until<T>(Func<Task<T>> probe, Func<T, bool> condition, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        T last;
        while (true)
        {
            last = await probe();
            if (condition(last)) return last;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"timed out after {timeout.TotalSeconds:F0}s waiting for {what}; last seen: {last}");
            await Task.Delay(25);
        }
    }
}
