using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace ActorRollup.Silo;

/// <summary>
/// Drops the one false warning Orleans' watchdog logs at start-up. <c>Watchdog.Start</c> starts its platform thread
/// before it sets the component-check stopwatch, and that thread's first check reads the unset stopwatch: it reports
/// "Participant check thread has not completed for" the time since the machine's clock began (its uptime), "potentially
/// indicating lock contention or deadlock". A stall longer than the process has lived cannot have happened; every
/// other watchdog complaint (a real stall, a failed health check) is kept.
/// </summary>
public static class FalseStallFilter
{
    public const string WatchdogCategory = "Orleans.Runtime.Watchdog";
    /// <summary>Orleans' event id of "Participant check thread has not completed for {TimeSinceLastTick}".</summary>
    public const int ParticipantCheckStalled = 100150;

    /// <summary>True for the watchdog's stall complaint whose stall is longer than <paramref name="processAge"/>.</summary>
    public static bool IsFalse(string category, EventId eventId, object? state, TimeSpan processAge)
    {
        if (category != WatchdogCategory || eventId.Id != ParticipantCheckStalled) return false;
        if (state is not IReadOnlyList<KeyValuePair<string, object?>> values) return false;
        foreach (var (key, value) in values)
            if (key == "TimeSinceLastTick" && value is TimeSpan stall) return stall > processAge;
        return false;
    }

    /// <summary>How long this process has run.</summary>
    public static TimeSpan ProcessAge() => DateTime.Now - Process.GetCurrentProcess().StartTime;
}

/// <summary>Wraps a logger provider and drops what <see cref="FalseStallFilter"/> recognises as false.</summary>
public sealed class FalseStallFilteringProvider(ILoggerProvider inner) : ILoggerProvider, ISupportExternalScope
{
    public ILogger CreateLogger(string categoryName)
    {
        var logger = inner.CreateLogger(categoryName);
        return categoryName == FalseStallFilter.WatchdogCategory ? new Filtering(logger, categoryName) : logger;
    }

    public void SetScopeProvider(IExternalScopeProvider scopeProvider) => (inner as ISupportExternalScope)?.SetScopeProvider(scopeProvider);

    public void Dispose() => inner.Dispose();

    private sealed class Filtering(ILogger inner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => inner.BeginScope(state);

        public bool IsEnabled(LogLevel logLevel) => inner.IsEnabled(logLevel);

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (FalseStallFilter.IsFalse(category, eventId, state, FalseStallFilter.ProcessAge())) return;
            inner.Log(logLevel, eventId, state, exception, formatter);
        }
    }
}
