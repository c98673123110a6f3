using System.Globalization;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;
using ZnDraw.Storage.Contracts;
using ZnDraw.Storage.History;
using ZnDraw.Storage.Models;
using ZnDraw.Storage.Services;
using ZnDraw.Storage.Sql;
using ZnDraw.Storage;

// ZnDraw.Storage quick start: a short, real session against the Redis that ./scripts/demo.sh started
// (or the one named by ZNDRAW_REDIS / the first argument), with history recorded in an SQLite file.
// `--storage hybrid` keeps users and rooms in an SQLite file beside the history (same database, same transactions);
// `--storage redis` (the default) keeps everything in Redis.
var hybrid = false;
var positional = new List<string>();
for (var i = 0; i < args.Length; i++)
{
    if (args[i] == "--storage" && i + 1 < args.Length)
    {
        switch (args[++i])
        {
            case "hybrid":
                hybrid = true;
                break;
            case "redis":
                break;
            default:
                Console.Error.WriteLine($"Unknown storage '{args[i]}': use --storage redis or --storage hybrid.");
                return 2;
        }
    }
    else
    {
        positional.Add(args[i]);
    }
}

var address = positional.Count > 0 ? positional[0] : Environment.GetEnvironmentVariable("ZNDRAW_REDIS") ?? "127.0.0.1:6379";

ConnectionMultiplexer redis;
try
{
    var options = ConfigurationOptions.Parse(address);
    options.AbortOnConnectFail = true;
    options.ConnectTimeout = 3000;
    redis = await ConnectionMultiplexer.ConnectAsync(options);
}
catch (Exception ex) when (ex is RedisConnectionException or ArgumentException)
{
    Console.Error.WriteLine(
        $"Cannot reach Redis at {address}. Start one with ./scripts/demo.sh, or run redis-server and pass its address (host:port) as the first argument or in ZNDRAW_REDIS.");
    return 1;
}

var historyFile = Path.Combine(Path.GetTempPath(), "zndraw-storage-quickstart", hybrid ? "zndraw.db" : "history.db");
Directory.CreateDirectory(Path.GetDirectoryName(historyFile)!);

var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
builder.Logging.SetMinimumLevel(LogLevel.Warning).AddSimpleConsole();
builder.Services.AddSingleton<IConnectionMultiplexer>(redis); // reused by the library, disposed by us
// The demo's Redis is shared with no Python ZnDraw server, so passwords get PBKDF2. Left at Automatic, ZnDraw's own
// key layout writes ZnDraw's salted SHA-256 (so that ZnDraw can verify it) and warns once at start (docs/passwords.md).
var storage = builder.Services.AddZnDrawStorage(o => o.Passwords.Hashing = PasswordHashing.Pbkdf2).AddRedisHealthCheck();
if (hybrid)
{
    // Users and rooms (with everything persistent in a room) in SQL, the history in the same file: a state change and
    // its history row commit together. Sessions, locks, presence, extensions, workers and jobs stay in Redis.
    storage.AddSqlStorage(sql => sql.UseSqlite($"Data Source={historyFile}"), o =>
    {
        o.Groups = SqlStorageGroups.All;
        o.IncludeHistory = true;
        o.MigrateOnStart = true;
    });
}
else
{
    storage.AddSqlHistory(sql => sql.UseSqlite($"Data Source={historyFile}"), o => o.MigrateOnStart = true);
}

using var host = builder.Build();
await host.StartAsync();
var services = host.Services;
var users = services.GetRequiredService<UserService>();
var sessions = services.GetRequiredService<SessionService>();
var rooms = services.GetRequiredService<RoomService>();
var extensions = services.GetRequiredService<ExtensionService>();
var locks = services.GetRequiredService<LockService>();
var frames = services.GetRequiredService<IFrameRepository>();
var bookmarks = services.GetRequiredService<IBookmarkRepository>();
var workers = services.GetRequiredService<IExtensionRepository>();
var history = services.GetRequiredService<IHistoryQuery>();

// Fresh ids every run, so the demo can run again on the same Redis.
var run = DateTime.UtcNow.ToString("HHmmss", CultureInfo.InvariantCulture) + "-" + Guid.NewGuid().ToString("N")[..4];
var roomId = $"demo-{run}";
var copyId = $"demo-{run}-copy";

Console.WriteLine($"ZnDraw.Storage quick start ({(hybrid ? "hybrid storage" : "Redis storage")})");
Console.WriteLine($"Redis {address}, {(hybrid ? "users, rooms and history" : "history")} in {historyFile}");
Console.WriteLine();
Console.WriteLine("Where each part lives:");
foreach (var (part, contract) in new (string, Type)[]
{
    ("users", typeof(IUserRepository)), ("rooms", typeof(IRoomRepository)), ("frames", typeof(IFrameRepository)),
    ("bookmarks", typeof(IBookmarkRepository)), ("geometries", typeof(IGeometryRepository)), ("chat", typeof(IChatRepository)),
    ("room settings", typeof(ISettingsRepository)), ("sessions", typeof(ISessionRepository)), ("locks", typeof(ILockRepository)),
    ("extensions and workers", typeof(IExtensionRepository)), ("jobs", typeof(IJobRepository)), ("filesystems", typeof(IFilesystemRepository)),
})
{
    var implementation = services.GetRequiredService(contract).GetType();
    var inSql = implementation.Namespace?.StartsWith("ZnDraw.Storage.Sql", StringComparison.Ordinal) == true;
    Step(part, inSql ? "SQL (SQLite)" : "Redis");
}

Console.WriteLine();

void Step(string what, string result) => Console.WriteLine($"  {what,-34}{result}");

// Users: a guest, and a guest that registers under a chosen name with a password.
var guest = await users.CreateGuestAsync();
Step("guest user", guest.UserName);
var newcomer = await users.CreateGuestAsync();
var alice = await users.RegisterAsync(newcomer.UserName, $"alice-{run}", "correct horse battery staple");
var login = await users.LoginAsync(alice, "correct horse battery staple");
Step("registered user, then login", $"{alice} ({login.Status}, role {login.Role})");
await users.SetAdminAsync(alice, true);

// A worker session of alice's (ZnDraw's workers are Socket.IO sessions).
var workerSid = Guid.NewGuid().ToString("N");
await sessions.ConnectAsync(workerSid, alice, UserRole.Admin, "127.0.0.1");

// Rooms: create (with ZnDraw's defaults), frames and bookmarks, then a copy.
var joined = await rooms.JoinAsync(roomId, alice, description: "quick-start room");
Step("create room", $"{roomId} ({joined.Outcome})");
await frames.AppendAsync(roomId, [.. Enumerable.Range(0, 5).Select(i => new FrameIndex(roomId, i))]);
await bookmarks.SetAsync(roomId, 0, "start");
await bookmarks.SetAsync(roomId, 4, "end");
Step("frames and bookmarks", $"{await frames.CountAsync(roomId)} frames, {(await bookmarks.GetAllAsync(roomId)).Count} bookmarks");
await rooms.CopyAsync(roomId, copyId, "a copy", alice);
Step("copy room", $"{copyId} ({await frames.CountAsync(copyId)} frames shared)");

// Extensions: a worker registers, a job is submitted, the worker takes it and finishes it.
var rotate = ExtensionId.InRoom(roomId, "modifiers", "Rotate");
using var schema = JsonDocument.Parse("""{"type": "object", "properties": {"angle": {"type": "number"}}}""");
await extensions.RegisterAsync(workerSid, rotate, schema.RootElement);
Step("register extension", $"{rotate.Category}/{rotate.Name} by worker {workerSid[..8]}");
using var data = JsonDocument.Parse("""{"angle": 90.0}""");
var job = await extensions.SubmitJobAsync(roomId, rotate, guest.UserName, data.RootElement);
Step("submit job", $"{job.Id[..8]} ({job.Status})");
var task = await extensions.GetNextJobAsync(rotate, workerSid);
Step("worker takes the job", task is null ? "nothing queued" : $"job {task.JobId[..8]}, worker now progressing");
using var result = JsonDocument.Parse("""{"ok": true}""");
var finished = await extensions.CompleteJobAsync(roomId, job.Id, workerSid, result.RootElement);
Step("job done, worker released", $"{finished.Status}, released: {finished.WorkerReleased}");
var acquired = await workers.AcquireWorkerAsync(rotate);
Step("acquire an idle worker", acquired is null ? "none idle" : acquired[..8]);
if (acquired is not null)
{
    await workers.ReleaseWorkerAsync(rotate, acquired);
    Step("release it", "idle again");
}

// Locks: the trajectory lock ZnDraw's clients take, owned by alice, refused to guest.
var lease = await locks.AcquireAsync(roomId, "trajectory:meta", alice, TimeSpan.FromSeconds(30), "editing frames");
var refused = await locks.AcquireAsync(roomId, "trajectory:meta", guest.UserName);
Step("take lock trajectory:meta", lease is null ? "refused" : $"held by {lease.Owner} for {lease.TimeToLive.TotalSeconds:F0} s; {guest.UserName}: {(refused is null ? "refused" : "granted")}");
Step("release lock", await locks.ReleaseAsync(roomId, "trajectory:meta", alice) ? "released" : "not held");
await sessions.DisconnectAsync(workerSid);

// What is there now: the demo rooms (in Redis, or in SQL when hybrid), and the history in SQL.
Console.WriteLine();
Console.WriteLine($"Rooms of this run (from {(hybrid ? "SQL" : "rooms:index in Redis")}):");
Console.WriteLine($"  {"room",-28}{"frames",8}{"locked",8}  description");
foreach (var room in (await rooms.ListDetailsAsync()).Where(r => r.Id.StartsWith(roomId, StringComparison.Ordinal)).OrderBy(r => r.Id, StringComparer.Ordinal))
{
    Console.WriteLine($"  {room.Id,-28}{room.FrameCount,8}{(room.Locked ? "yes" : "no"),8}  {room.Description}");
}

Console.WriteLine();
Console.WriteLine("History of extension Rotate (from SQL, newest first):");
foreach (var e in (await history.GetExtensionHistoryAsync("Rotate", limit: 5)).Items)
{
    Console.WriteLine($"  {e.OccurredAt:yyyy-MM-dd HH:mm:ss}  {e.Scope,-32}{e.Category}/{e.Name}  worker {e.WorkerId[..Math.Min(8, e.WorkerId.Length)]}");
}

Console.WriteLine();
Console.WriteLine($"Room events of {roomId} (from SQL):");
foreach (var e in (await history.GetRoomEventsAsync(roomId)).Items.Reverse())
{
    Console.WriteLine($"  {e.OccurredAt:HH:mm:ss}  {e.EventType,-20}{e.User}");
}

await host.StopAsync();
await redis.DisposeAsync();
return 0;
