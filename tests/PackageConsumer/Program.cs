using System.Reflection;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using ZnDraw.Storage.Contracts;
using ZnDraw.Storage.Redis.Keys;
#if ZNDRAW_SQLITE || ZNDRAW_POSTGRES
using ZnDraw.Storage.History;
using ZnDraw.Storage.Sql;
#endif
#if ZNDRAW_POSTGRES
using Npgsql;
#endif
#if ZNDRAW_REDIS_ONLY
using System.Diagnostics;
using System.IO.Compression;
using System.Reflection.Metadata;
using OpenTelemetry;
using OpenTelemetry.Trace;
#endif

// Uses ZnDraw.Storage the way a host application does, from the packages only, in the combination this build chose
// (ZnDrawProvider: redis, sqlite or postgres): registration, options validation at start, key building, the Redis
// health check, a room written and read through its repository (in Redis, or in SQL with hybrid storage), and, with
// a SQL provider, history written through the sink and read back through the query. It also checks that the other
// provider's assemblies are not there. Exits 0 when everything holds, 1 otherwise.
var redis = Require("ZNDRAW_REDIS");
var expectedVersion = Require("ZNDRAW_STORAGE_VERSION");
var workDirectory = Require("PACKAGE_TEST_WORKDIR");
var prefix = $"package-test-{Guid.NewGuid():N}:";

#if ZNDRAW_SQLITE
const string Combination = "ZnDraw.Storage + ZnDraw.Storage.Sql.Sqlite (hybrid storage and history in a SQLite file)";
#elif ZNDRAW_POSTGRES
const string Combination = "ZnDraw.Storage + ZnDraw.Storage.Sql.PostgreSql (hybrid storage and history in PostgreSQL)";
var admin = Require("ZNDRAW_POSTGRES");
var database = "zndraw_package_" + Guid.NewGuid().ToString("N")[..16];
await using (var connection = new NpgsqlConnection(admin))
{
    await connection.OpenAsync();
    await using var create = new NpgsqlCommand($"CREATE DATABASE \"{database}\"", connection);
    await create.ExecuteNonQueryAsync();
}

var postgres = new NpgsqlConnectionStringBuilder(admin) { Database = database }.ToString();
#else
const string Combination = "ZnDraw.Storage alone (everything in Redis), with ZnDraw.Storage.OpenTelemetry";
#endif

try
{
    await RunAsync();
}
finally
{
#if ZNDRAW_POSTGRES
    NpgsqlConnection.ClearAllPools();
    await using var connection = new NpgsqlConnection(admin);
    await connection.OpenAsync();
    await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{database}\" WITH (FORCE)", connection);
    await drop.ExecuteNonQueryAsync();
#endif
}

Console.WriteLine($"package consumer: {Combination}, {expectedVersion} from packages: keys, Redis health, rooms"
    + (SqlExpected() ? ", SQL history" : string.Empty) + " work; no other provider present");
return 0;

async Task RunAsync()
{
    var builder = Host.CreateApplicationBuilder(args);
    builder.Logging.SetMinimumLevel(LogLevel.Warning);
    var storage = builder.Services
        .AddZnDrawStorage(o =>
        {
            o.ConnectionString = redis;
            o.KeyPrefix = prefix;
        })
        .AddRedisHealthCheck();
#if ZNDRAW_SQLITE
    storage.AddSqlStorage(sql => sql.UseSqlite($"Data Source={Path.Combine(workDirectory, "zndraw.db")}"), o =>
    {
        o.Groups = SqlStorageGroups.All;
        o.IncludeHistory = true;
        o.MigrateOnStart = true;
    });
#elif ZNDRAW_POSTGRES
    storage.AddSqlStorage(sql => sql.UseNpgsql(postgres), o =>
    {
        o.Groups = SqlStorageGroups.All;
        o.IncludeHistory = true;
        o.MigrateOnStart = true;
    });
#endif

#if ZNDRAW_REDIS_ONLY
    // Telemetry through the OpenTelemetry package, exported in memory.
    var spans = new List<Activity>();
    using var tracing = Sdk.CreateTracerProviderBuilder().AddZnDrawStorageInstrumentation().AddInMemoryExporter(spans).Build();
#endif
    using var host = builder.Build();
    await host.StartAsync();

    // The assemblies are the packages under test, not some other build; the other provider is not there at all.
    Check(VersionOf(typeof(KeySpace)) == expectedVersion, $"ZnDraw.Storage is {VersionOf(typeof(KeySpace))}, expected {expectedVersion}");
#if ZNDRAW_SQLITE || ZNDRAW_POSTGRES
    Check(VersionOf(typeof(SqlStorageOptions)) == expectedVersion, $"ZnDraw.Storage.Sql is {VersionOf(typeof(SqlStorageOptions))}, expected {expectedVersion}");
    Check(
        Throws<InvalidOperationException>(() => new ServiceCollection().AddZnDrawStorage(o => o.ConnectionString = redis).AddSqlHistory(_ => { })),
        "AddSqlHistory without a provider is refused at registration");
#endif
#if ZNDRAW_SQLITE
    Check(VersionOf(typeof(SqlDatabaseBuilderSqliteExtensions)) == expectedVersion, "ZnDraw.Storage.Sql.Sqlite version");
#elif ZNDRAW_POSTGRES
    Check(VersionOf(typeof(SqlDatabaseBuilderNpgsqlExtensions)) == expectedVersion, "ZnDraw.Storage.Sql.PostgreSql version");
#endif
    Check(Loadable("Npgsql.NpgsqlConnection, Npgsql") == PostgresExpected(), "Npgsql is present exactly when the PostgreSQL provider is");
    Check(Loadable("Microsoft.Data.Sqlite.SqliteConnection, Microsoft.Data.Sqlite") == SqliteExpected(), "Microsoft.Data.Sqlite is present exactly when the SQLite provider is");
    Check(Loadable("Microsoft.EntityFrameworkCore.DbContext, Microsoft.EntityFrameworkCore") == SqlExpected(), "EF Core is present exactly when a SQL provider is");

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

    // A room through its repository: in Redis (under the prefix), or in SQL with hybrid storage (a fresh database).
    var rooms = host.Services.GetRequiredService<IRoomRepository>();
    var backend = rooms.GetType().Assembly.GetName().Name;
    Check(backend == (SqlExpected() ? "ZnDraw.Storage.Sql" : "ZnDraw.Storage"), $"rooms are kept by {backend}");
    Check(await rooms.CreateAsync("r1", "package test"), "room created");
    Check(!await rooms.CreateAsync("r1"), "a second create of the same room is refused");
    Check(await rooms.SetLockedAsync("r1", locked: true), "room locked");
    var stored = await rooms.GetWithFrameCountAsync("r1");
    Check(stored is { Id: "r1", Description: "package test", Locked: true, FrameCount: 0 }, $"room read back as {stored}");
    Check((await rooms.ListAllAsync()).SequenceEqual(["r1"]), "the index lists exactly the room");
    Check(await rooms.DeleteAsync("r1") && !await rooms.ExistsAsync("r1"), "room deleted");

#if ZNDRAW_REDIS_ONLY
    // A service call is traced: span name, kind and the backend tag, through AddZnDrawStorageInstrumentation().
    var roomService = host.Services.GetRequiredService<ZnDraw.Storage.Services.RoomService>();
    await roomService.CreateAsync("r2", "traced");
    tracing!.ForceFlush();
    var span = spans.SingleOrDefault(a => a.DisplayName == "room.create");
    Check(span is { Kind: ActivityKind.Internal } && (string?)span.GetTagItem("db.system.name") == "redis", "room.create is exported as a span tagged db.system.name=redis");
    var client = typeof(StackExchange.Redis.ConnectionMultiplexer).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "?";
    Check(client.StartsWith(Require("PACKAGE_TEST_REDIS_MAJOR") + ".", StringComparison.Ordinal), $"the host runs StackExchange.Redis {client} (the package is built against its floor)");

    // Every symbol package's portable PDB carries a SourceLink record pointing at the public sources of one commit.
    var feed = Require("PACKAGE_TEST_FEED");
    var symbolPackages = Directory.GetFiles(feed, "*.snupkg");
    Check(symbolPackages.Length >= 5, $"{symbolPackages.Length} symbol packages in the feed");
    foreach (var symbolPackage in symbolPackages)
    {
        using var zip = ZipFile.OpenRead(symbolPackage);
        var pdbEntry = zip.Entries.Single(e => e.FullName.EndsWith(".pdb", StringComparison.Ordinal));
        using var pdbStream = new MemoryStream();
        using (var entry = pdbEntry.Open())
        {
            entry.CopyTo(pdbStream);
        }

        pdbStream.Position = 0;
        using var provider = MetadataReaderProvider.FromPortablePdbStream(pdbStream);
        var reader = provider.GetMetadataReader();
        var sourceLinkKind = new Guid("CC110556-A091-4D38-9FEC-25AB9A351A6A");
        string? sourceLink = reader.CustomDebugInformation
            .Select(reader.GetCustomDebugInformation)
            .Where(info => reader.GetGuid(info.Kind) == sourceLinkKind)
            .Select(info => System.Text.Encoding.UTF8.GetString(reader.GetBlobBytes(info.Value)))
            .SingleOrDefault();
        Check(
            sourceLink is not null
                && System.Text.RegularExpressions.Regex.IsMatch(sourceLink, @"https://raw\.githubusercontent\.com/[^/""]+/[^/""]+/[0-9a-f]{40}/\*"),
            $"{Path.GetFileName(symbolPackage)}: SourceLink record {sourceLink ?? "(none)"}");
    }
#endif

#if ZNDRAW_SQLITE || ZNDRAW_POSTGRES
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
#endif

    await host.StopAsync();
}

static bool SqliteExpected() =>
#if ZNDRAW_SQLITE
    true;
#else
    false;
#endif

static bool PostgresExpected() =>
#if ZNDRAW_POSTGRES
    true;
#else
    false;
#endif

static bool SqlExpected() => SqliteExpected() || PostgresExpected();

static string Require(string variable) =>
    Environment.GetEnvironmentVariable(variable) is { Length: > 0 } value
        ? value
        : throw new InvalidOperationException($"{variable} is not set (scripts/package-test.sh sets it).");

static string? VersionOf(Type type)
{
    var version = type.Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;
    return version?.Split('+')[0]; // without the source revision SourceLink appends
}

static bool Loadable(string assemblyQualifiedType) => Type.GetType(assemblyQualifiedType, throwOnError: false) is not null;

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
