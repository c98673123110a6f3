using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using StackExchange.Redis;
using ZnDraw.Storage.Contracts;
using ZnDraw.Storage.Services;

namespace ZnDraw.Storage.Tests.Redis.Reconciliation;

/// <summary>A started Generic Host with <c>AddZnDrawStorage</c>, its captured logs, and raw ZnDraw-style writes.</summary>
public sealed class ReconcileHost : IAsyncDisposable
{
    private ReconcileHost(IHost host, FakeLoggerProvider logs, string prefix)
    {
        Host = host;
        Logs = logs;
        Prefix = prefix;
    }

    public IHost Host { get; }

    public FakeLoggerProvider Logs { get; }

    public string Prefix { get; }

    public RoomService Rooms => Host.Services.GetRequiredService<RoomService>();

    public UserService Users => Host.Services.GetRequiredService<UserService>();

    public IUserRepository UserRepository => Host.Services.GetRequiredService<IUserRepository>();

    public ExtensionService Extensions => Host.Services.GetRequiredService<ExtensionService>();

    /// <summary>Builds and starts a host on <paramref name="connectionString"/> with key prefix <paramref name="prefix"/>.</summary>
    public static async Task<ReconcileHost> StartAsync(string connectionString, string prefix, Action<ZnDrawIndexReconciliationOptions> configure, KeyLayout layout = KeyLayout.ZnDraw)
    {
        var logs = new FakeLoggerProvider();
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.SetMinimumLevel(LogLevel.Trace).AddProvider(logs);
        builder.Services.AddZnDrawStorage(o =>
        {
            o.ConnectionString = connectionString;
            o.KeyPrefix = prefix;
            o.Layout = layout;
            configure(o.IndexReconciliation);
        });
        IHost host = builder.Build();
        await host.StartAsync();
        return new ReconcileHost(host, logs, prefix);
    }

    /// <summary>The entries logged with <paramref name="eventId"/>.</summary>
    public IReadOnlyList<FakeLogRecord> Logged(int eventId) => [.. Logs.Collector.GetSnapshot().Where(e => e.Id.Id == eventId)];

    public async Task<string[]> RoomListAsync() => [.. (await Rooms.ListAsync()).Order(StringComparer.Ordinal)];

    public async Task<string[]> UserListAsync() => [.. (await Users.ListAsync()).Order(StringComparer.Ordinal)];

    public async Task<string[]> AdminListAsync() => [.. (await UserRepository.ListAdminsAsync()).Order(StringComparer.Ordinal)];

    public async ValueTask DisposeAsync()
    {
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await Host.StopAsync(stop.Token);
        Host.Dispose();
    }
}

/// <summary>Raw commands in ZnDraw's key layout (no library involved), and a bounded wait.</summary>
public static class ZnDrawWriter
{
    /// <summary>A room as ZnDraw's join route creates it (current_frame, locked, hidden).</summary>
    public static Task CreateRoomAsync(IDatabase db, string prefix, string room) =>
        db.StringSetAsync([new($"{prefix}room:{room}:current_frame", "0"), new($"{prefix}room:{room}:locked", "0"), new($"{prefix}room:{room}:hidden", "0")]);

    public static Task DeleteRoomAsync(IDatabase db, string prefix, string room) =>
        db.KeyDeleteAsync([$"{prefix}room:{room}:current_frame", $"{prefix}room:{room}:locked", $"{prefix}room:{room}:hidden"]);

    public static Task CreateUserAsync(IDatabase db, string prefix, string user) =>
        db.HashSetAsync($"{prefix}user:{user}", [new("userName", user), new("createdAt", "2025-11-04T10:00:00.000000")]);

    public static Task MakeAdminAsync(IDatabase db, string prefix, string user) =>
        db.StringSetAsync($"{prefix}admin:user:{user}", "1");

    public static Task DeleteUserAsync(IDatabase db, string prefix, string user) =>
        db.KeyDeleteAsync([$"{prefix}user:{user}", $"{prefix}admin:user:{user}"]);

    /// <summary>Polls <paramref name="condition"/> every 50 ms; fails when it is still false after <paramref name="within"/>.</summary>
    public static async Task EventuallyAsync(Func<Task<bool>> condition, TimeSpan within, string what)
    {
        var watch = Stopwatch.StartNew();
        while (!await condition())
        {
            if (watch.Elapsed > within)
            {
                Assert.Fail($"{what}: not within {within.TotalSeconds} s.");
            }

            await Task.Delay(50);
        }
    }
}
