using System.Reflection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using ZnDraw.Storage.Contracts;
using ZnDraw.Storage.History;
using ZnDraw.Storage.Redis.Keys;
using ZnDraw.Storage.Sql;

// Uses ZnDraw.Storage the way a host application does, from the packages only: registration,
// options validation at start, key building, the Redis health check, a room written and read through
// its repository, and history written through the sink and read back through the query. Exits 0 when everything holds, 1 otherwise.
var redis = Require("ZNDRAW_REDIS");
var expectedVersion = Require("ZNDRAW_STORAGE_VERSION");
var workDirectory = Require("PACKAGE_TEST_WORKDIR");
var prefix = $"package-test-{Guid.NewGuid():N}:";

var builder = Host.CreateApplicationBuilder(args);
builder.Logging.SetMinimumLevel(LogLevel.Warning);
builder.Services
    .AddZnDrawStorage(o =>
    {
        o.ConnectionString = redis;
        o.KeyPrefix = prefix;
    })
    .AddRedisHealthCheck()
    .AddSqlHistory(
        db => db.UseSqlite($"Data Source={Path.Combine(workDirectory, "history.db")};Pooling=False"),
        o => o.MigrateOnStart = true);

using var host = builder.Build();
await host.StartAsync();

// The assemblies are the packages under test, not some other build.
Check(VersionOf(typeof(KeySpace)) == expectedVersion, $"ZnDraw.Storage is {VersionOf(typeof(KeySpace))}, expected {expectedVersion}");
Check(VersionOf(typeof(SqlHistoryOptions)) == expectedVersion, $"ZnDraw.Storage.Sql is {VersionOf(typeof(SqlHistoryOptions))}, expected {expectedVersion}");

// Keys: ZnDraw's exact strings, the configured prefix, and ids checked before a key exists.
var keys = host.Services.GetRequiredService<KeySpace>();
Check(keys.Prefix == prefix, $"the registered KeySpace has prefix '{keys.Prefix}'");
Check(keys.Room("r1").CurrentFrame().ToString() == prefix + "room:r1:current_frame", "prefixed room key");
Check(KeySpace.Default.Room("r1").CurrentFrame().ToString() == "room:r1:current_frame", "ZnDraw room key");
Check(new UserKeys("alice").AdminKey().ToString() == "admin:user:alice", "ZnDraw admin key");
Check(ExtensionKeys.ForExtension("r1", "modifiers", "Rotate").IdleWorkers().ToString() == "room:r1:extensions:modifiers:Rotate:idle_workers", "ZnDraw extension key");
Check(Throws<ArgumentException>(() => KeySpace.Default.Room("bad:id")), "a room id with ':' is rejected");

// Redis through the library's own connection.
var health = await host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync();
Check(health.Status == HealthStatus.Healthy, $"Redis health is {health.Status}");

// Redis state through a repository: create, read, list, lock and delete a room (under the prefix).
var rooms = host.Services.GetRequiredService<IRoomRepository>();
Check(await rooms.CreateAsync("r1", "package test"), "room created");
Check(!await rooms.CreateAsync("r1"), "a second create of the same room is refused");
Check(await rooms.SetLockedAsync("r1", locked: true), "room locked");
var stored = await rooms.GetWithFrameCountAsync("r1");
Check(stored is { Id: "r1", Description: "package test", Locked: true, FrameCount: 0 }, $"room read back as {stored}");
Check((await rooms.ListAllAsync()).SequenceEqual(["r1"]), "the prefixed index lists exactly the room");
Check(await rooms.DeleteAsync("r1") && !await rooms.ExistsAsync("r1"), "room deleted");

// History: written through the sink, read back through the query, newest first.
var sink = host.Services.GetRequiredService<IHistorySink>();
var query = host.Services.GetRequiredService<IHistoryQuery>();
var t0 = DateTimeOffset.UnixEpoch.AddDays(19_844); // 2024-05-01
var room = "package-test-" + Guid.NewGuid().ToString("N");
await sink.WriteAsync(
    [
        new RoomHistoryEvent(HistoryEvent.NewEventId(t0), t0, room, RoomEventTypes.Created, "alice", null),
        new RoomHistoryEvent(HistoryEvent.NewEventId(t0.AddMinutes(1)), t0.AddMinutes(1), room, RoomEventTypes.Locked, "alice", null),
        new ExtensionRegisteredEvent(HistoryEvent.NewEventId(t0), t0, HistoryScopes.Room(room), "modifiers", "Rotate", "{}", "worker-1"),
        new UserLoginEvent(HistoryEvent.NewEventId(t0), t0, "alice", "sid-1", "127.0.0.1"),
        new UserLogoutEvent(HistoryEvent.NewEventId(t0.AddMinutes(2)), t0.AddMinutes(2), "alice", "sid-1"),
    ],
    CancellationToken.None);
var events = (await query.GetRoomEventsAsync(room)).Items;
Check(events.Select(e => e.EventType).SequenceEqual([RoomEventTypes.Locked, RoomEventTypes.Created]), "room events newest first");
Check((await query.GetExtensionHistoryAsync("Rotate")).Items.Any(e => e.Scope == HistoryScopes.Room(room)), "extension registration read back");
var session = (await query.GetUserSessionsAsync("alice")).Items.Single(s => s.SessionId == "sid-1");
Check(session.LogoutAt == t0.AddMinutes(2), "session paired with its logout");

await host.StopAsync();
Console.WriteLine($"package consumer: ZnDraw.Storage {expectedVersion} from packages; keys, Redis health, rooms and SQLite history work");
return 0;

static string Require(string variable) =>
    Environment.GetEnvironmentVariable(variable) is { Length: > 0 } value
        ? value
        : throw new InvalidOperationException($"{variable} is not set (scripts/package-test.sh sets it).");

static string? VersionOf(Type type)
{
    var version = type.Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;
    return version?.Split('+')[0]; // without the source revision SourceLink appends
}

static void Check(bool condition, string what)
{
    if (!condition)
    {
        throw new InvalidOperationException("package consumer check failed: " + what);
    }
}

static bool Throws<TException>(Action action)
    where TException : Exception
{
    try
    {
        action();
        return false;
    }
    catch (TException)
    {
        return true;
    }
}
