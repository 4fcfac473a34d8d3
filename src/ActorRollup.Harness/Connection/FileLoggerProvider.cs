using Microsoft.Extensions.Logging;

namespace ActorRollup.Harness.Connection;

/// <summary>One-line log records appended to a file (the embedded silo's log, when asked for).</summary>
public sealed class FileLoggerProvider(string path) : ILoggerProvider
{
    private readonly StreamWriter _writer = new(new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite)) { AutoFlush = true };
    private readonly Lock _lock = new();

    public ILogger CreateLogger(string categoryName) => new FileLogger(this, categoryName);

    private void Write(string line)
    {
        lock (_lock) _writer.WriteLine(line);
    }

    public void Dispose() => _writer.Dispose();

    private sealed class FileLogger(FileLoggerProvider owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var name = category[(category.LastIndexOf('.') + 1)..];
            owner.Write($"{DateTime.Now:HH:mm:ss.fff} {logLevel.ToString()[..4].ToLowerInvariant()} {name}: {formatter(state, exception)}{(exception is null ? "" : " " + exception.Message)}");
        }
    }
}
