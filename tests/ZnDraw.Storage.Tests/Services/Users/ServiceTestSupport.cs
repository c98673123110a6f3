using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ZnDraw.Storage.History;
using ZnDraw.Storage.Redis.Keys;

namespace ZnDraw.Storage.Tests.Services.Users;

/// <summary>Options for service tests; few PBKDF2 iterations so that tests stay fast (the validator is not run here).</summary>
public static class TestOptions
{
    public const int FastIterations = 1_000;

    /// <summary>PBKDF2 chosen explicitly (any layout).</summary>
    public static IOptions<ZnDrawStorageOptions> Pbkdf2(int iterations = FastIterations) =>
        Options.Create(new ZnDrawStorageOptions { Passwords = new ZnDrawPasswordOptions { Hashing = PasswordHashing.Pbkdf2, Pbkdf2Iterations = iterations } });

    /// <summary>ZnDraw's SHA-256 chosen explicitly (any layout).</summary>
    public static IOptions<ZnDrawStorageOptions> ZnDrawSha256() =>
        Options.Create(new ZnDrawStorageOptions { Passwords = new ZnDrawPasswordOptions { Hashing = PasswordHashing.ZnDrawSha256, Pbkdf2Iterations = FastIterations } });

    /// <summary>Options naming the layout and prefix of <paramref name="keys"/>, with <paramref name="hashing"/> (default: Automatic).</summary>
    public static IOptions<ZnDrawStorageOptions> For(KeySpace keys, PasswordHashing hashing = PasswordHashing.Automatic, int iterations = FastIterations) =>
        Options.Create(new ZnDrawStorageOptions
        {
            Layout = keys.Layout,
            KeyPrefix = keys.Prefix.Length == 0 ? null : keys.Prefix,
            Passwords = new ZnDrawPasswordOptions { Hashing = hashing, Pbkdf2Iterations = iterations },
        });
}

/// <summary>One captured log call: the formatted message, every structured value, and the exception text.</summary>
public sealed record CapturedLog(string Category, LogLevel Level, EventId EventId, string Message, IReadOnlyList<KeyValuePair<string, object?>> State, string? Exception)
{
    /// <summary>Every piece of text this entry would put into a log sink.</summary>
    public IEnumerable<string> Texts()
    {
        yield return Message;
        foreach (var pair in State)
        {
            yield return pair.Key;
            yield return Convert.ToString(pair.Value, System.Globalization.CultureInfo.InvariantCulture) ?? string.Empty;
        }

        if (Exception is not null)
        {
            yield return Exception;
        }
    }
}

/// <summary>A logger provider that keeps every entry at every level (Trace and up), with its structured state.</summary>
public sealed class CapturingLoggerProvider : ILoggerProvider
{
    public ConcurrentQueue<CapturedLog> Entries { get; } = new();

    public ILogger CreateLogger(string categoryName) => new CapturingLogger(this, categoryName);

    public void Dispose()
    {
    }

    /// <summary>A factory whose loggers write here, minimum level Trace.</summary>
    public ILoggerFactory CreateFactory() => LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Trace).AddProvider(this));

    private sealed class CapturingLogger(CapturingLoggerProvider owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var values = state as IEnumerable<KeyValuePair<string, object?>> ?? [];
            owner.Entries.Enqueue(new CapturedLog(category, logLevel, eventId, formatter(state, exception), [.. values], exception?.ToString()));
        }
    }
}

/// <summary>A history sink that keeps every event in memory.</summary>
public sealed class MemorySink : IHistorySink
{
    public ConcurrentQueue<HistoryEvent> Events { get; } = new();

    public ValueTask WriteAsync(IReadOnlyList<HistoryEvent> events, CancellationToken cancellationToken)
    {
        foreach (var e in events)
        {
            Events.Enqueue(e);
        }

        return ValueTask.CompletedTask;
    }
}
