using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace OrderFunctions.Tests.Support;

/// <summary>Every log entry written, for tests that check a fault was logged with its cause.</summary>
public sealed class CapturedLogs : ILoggerProvider
{
    private readonly ConcurrentQueue<string> _entries = new();
    private readonly ConcurrentQueue<LogRecord> _records = new();

    public IReadOnlyList<string> Entries => [.. _entries];

    /// <summary>The entries written through ILogger, field by field (level, category, message, exception).</summary>
    public IReadOnlyList<LogRecord> Records => [.. _records];

    /// <summary>Adds an entry from outside ILogger (the worker's RpcLog messages, for instance).</summary>
    public void Add(string entry) => _entries.Enqueue(entry);

    public ILogger CreateLogger(string categoryName) => new Logger(categoryName, _entries, _records);

    public void Dispose() { }

    private sealed class Logger(string category, ConcurrentQueue<string> entries, ConcurrentQueue<LogRecord> records) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var message = formatter(state, exception);
            records.Enqueue(new LogRecord(logLevel, category, message, exception));
            entries.Enqueue($"{logLevel} {category}: {message} {exception?.GetType().Name} {exception?.Message}");
        }
    }
}

/// <summary>One entry written through ILogger.</summary>
public sealed record LogRecord(LogLevel Level, string Category, string Message, Exception? Exception);
