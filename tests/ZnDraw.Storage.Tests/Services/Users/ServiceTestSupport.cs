using System.Collections.Concurrent;
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
