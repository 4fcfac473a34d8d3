using ActorRollup.Silo;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ActorRollup.IntegrationTests;

/// <summary>The silo's log rules (no cluster): which Orleans complaints are dropped, and only those.</summary>
public sealed class SiloLoggingTests
{
    private const string Watchdog = FalseStallFilter.WatchdogCategory;
    private const int Stalled = FalseStallFilter.ParticipantCheckStalled;

    [Theory]
    // The start-up race: a "stall" as long as the machine's uptime, in a process seconds old.
    [InlineData(Watchdog, Stalled, 2_409_000, 3_000, true)]
    // A real stall is shorter than the process's life: kept.
    [InlineData(Watchdog, Stalled, 25_000, 600_000, false)]
    [InlineData(Watchdog, Stalled, 3_000, 3_000, false)]
    // Another watchdog event, or the same event id from another category: kept.
    [InlineData(Watchdog, 100151, 2_409_000, 3_000, false)]
    [InlineData("Orleans.Runtime.Silo", Stalled, 2_409_000, 3_000, false)]
    public void Only_a_watchdog_stall_longer_than_the_process_has_lived_is_false(string category, int eventId, long stallMs, long ageMs, bool dropped)
    {
        var state = new List<KeyValuePair<string, object?>> { new("TimeSinceLastTick", TimeSpan.FromMilliseconds(stallMs)) };
        Assert.Equal(dropped, FalseStallFilter.IsFalse(category, new EventId(eventId), state, TimeSpan.FromMilliseconds(ageMs)));
    }

    [Fact]
    public void A_stall_message_without_its_duration_is_kept()
    {
        var state = new List<KeyValuePair<string, object?>> { new("Other", 1) };
        Assert.False(FalseStallFilter.IsFalse(Watchdog, new EventId(Stalled), state, TimeSpan.FromSeconds(1)));
        Assert.False(FalseStallFilter.IsFalse(Watchdog, new EventId(Stalled), "plain text", TimeSpan.FromSeconds(1)));
    }

    [Fact]
    public void The_filtering_provider_drops_the_false_stall_and_passes_everything_else()
    {
        var inner = new RecordingProvider();
        using var provider = new FalseStallFilteringProvider(inner);
        var watchdog = provider.CreateLogger(Watchdog);
        var beyondThisProcess = FalseStallFilter.ProcessAge() + TimeSpan.FromDays(1);

        watchdog.Log(LogLevel.Warning, new EventId(Stalled), Stall(beyondThisProcess), null, (_, _) => "false stall");
        watchdog.Log(LogLevel.Warning, new EventId(Stalled), Stall(TimeSpan.FromMilliseconds(1)), null, (_, _) => "real stall");
        provider.CreateLogger("ActorRollup.Grains").Log(LogLevel.Warning, new EventId(Stalled), Stall(beyondThisProcess), null, (_, _) => "not the watchdog");

        Assert.Equal(["real stall", "not the watchdog"], inner.Messages);

        static List<KeyValuePair<string, object?>> Stall(TimeSpan stall) => [new("TimeSinceLastTick", stall)];
    }

    [Theory]
    [InlineData("Orleans.Hosting.ReminderOptionsValidator", LogLevel.Warning, false)] // the deliberate 1 s minimum
    [InlineData("Orleans.Hosting.ReminderOptionsValidator", LogLevel.Error, true)]
    [InlineData("Orleans.Runtime.Watchdog", LogLevel.Warning, true)]                  // real stalls still show
    [InlineData("Orleans.Runtime.CallbackData", LogLevel.Warning, true)]              // response timeouts still show
    [InlineData("Orleans.Runtime.Catalog", LogLevel.Information, false)]
    [InlineData("ActorRollup.Grains.Rotation.RotationGrain", LogLevel.Information, true)]
    [InlineData("Microsoft.Hosting.Lifetime", LogLevel.Information, true)]
    public void The_silo_log_levels(string category, LogLevel level, bool enabled)
    {
        using var services = SiloLogging();
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger(category);
        Assert.Equal(enabled, logger.IsEnabled(level));
    }

    [Fact]
    public void The_silo_console_is_the_filtering_provider()
    {
        using var services = SiloLogging();
        var provider = Assert.Single(services.GetServices<ILoggerProvider>());
        Assert.IsType<FalseStallFilteringProvider>(provider);
    }

    private static ServiceProvider SiloLogging()
    {
        var services = new ServiceCollection();
        services.AddLogging(RollupSilo.ConfigureLogging);
        return services.BuildServiceProvider();
    }

    private sealed class RecordingProvider : ILoggerProvider
    {
        public List<string> Messages { get; } = [];

        public ILogger CreateLogger(string categoryName) => new Recorder(Messages);

        public void Dispose()
        {
        }

        private sealed class Recorder(List<string> messages) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                messages.Add(formatter(state, exception));
        }
    }
}
