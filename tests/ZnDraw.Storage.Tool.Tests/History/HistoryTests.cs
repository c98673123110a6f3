using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using ZnDraw.Storage.History;
using ZnDraw.Storage.Sql;
using ZnDraw.Storage.Tool.Infrastructure;
using ZnDraw.Storage.Tool.Tests.Infrastructure;

namespace ZnDraw.Storage.Tool.Tests.History;

/// <summary>
/// <c>history rooms|extensions|users</c> on a history database written by the library's SQL sink (migrated, then
/// seeded in this process); one class per provider.
/// </summary>
public abstract class HistoryTests<TDatabase>(TDatabase database, string provider, Func<TDatabase, string> connectionString) : IClassFixture<TDatabase>
    where TDatabase : class, ITestDatabase
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    protected TDatabase Database { get; } = database;

    protected string[] Args(params string[] command) => ["--sql-provider", provider, "--sql", connectionString(Database), .. command];

    [Fact]
    public async Task History_pages_newest_first_with_cursors_and_reads_every_kind()
    {
        string room = RedisFixture.NewId("room");
        string user = RedisFixture.NewId("user");
        string extension = RedisFixture.NewId("ext");
        await SeedAsync(room, user, extension);

        var first = (await ToolProcess.RunAsync(Args("history", "rooms", room, "--limit", "2", "--json"))).ShouldExit(ExitCodes.Ok).Json();
        Assert.Equal(["e4", "e3"], Events(first));
        string cursor = first.GetProperty("nextCursor").GetString()!;
        Assert.Equal("alice", first.GetProperty("items")[0].GetProperty("user").GetString());
        Assert.Equal("4", first.GetProperty("items")[0].GetProperty("metadata").GetProperty("n").GetString());

        var second = (await ToolProcess.RunAsync(Args("history", "rooms", room, "--limit", "2", "--before", cursor, "--json"))).ShouldExit(ExitCodes.Ok).Json();
        Assert.Equal(["e2", "e1"], Events(second));

        // --since bounds the pages from below: after the first page's cursor, only e2 is at or after minute 2.
        var since = (await ToolProcess.RunAsync(Args("history", "rooms", room, "--before", cursor, "--since", T0.AddMinutes(2).ToString("O"), "--json"))).ShouldExit(ExitCodes.Ok).Json();
        Assert.Equal(["e2"], Events(since));
        Assert.Equal(JsonValueKind.Null, since.GetProperty("nextCursor").ValueKind);

        var all = (await ToolProcess.RunAsync(Args("history", "rooms", room, "--limit", "2", "--all", "--json"))).ShouldExit(ExitCodes.Ok).Json();
        Assert.Equal(["e4", "e3", "e2", "e1", "e0"], Events(all));
        Assert.Equal(JsonValueKind.Null, all.GetProperty("nextCursor").ValueKind);

        var table = (await ToolProcess.RunAsync(Args("history", "rooms", room, "--limit", "3"))).ShouldExit(ExitCodes.Ok);
        Assert.Contains("2026-03-01 12:04:00Z", table.StandardOutput);
        Assert.Contains("e4", table.StandardOutput);
        Assert.DoesNotContain("e1", table.StandardOutput);
        Assert.Equal("3 item(s).", table.ErrorLines[0]);
        Assert.StartsWith("older items: --before ", table.ErrorLines[1]);

        var sessions = (await ToolProcess.RunAsync(Args("history", "users", user, "--json"))).ShouldExit(ExitCodes.Ok).Json();
        var session = Assert.Single(sessions.GetProperty("items").EnumerateArray());
        Assert.Equal("sid-1", session.GetProperty("sessionId").GetString());
        Assert.Equal("127.0.0.1", session.GetProperty("ipAddress").GetString());
        Assert.Equal(T0.AddHours(1), session.GetProperty("logoutAt").GetDateTimeOffset());

        var registrations = (await ToolProcess.RunAsync(Args("history", "extensions", extension, "--json"))).ShouldExit(ExitCodes.Ok).Json();
        var registration = Assert.Single(registrations.GetProperty("items").EnumerateArray());
        Assert.Equal("worker-1", registration.GetProperty("workerId").GetString());
        Assert.Equal("object", registration.GetProperty("schema").GetProperty("type").GetString());

        var badCursor = (await ToolProcess.RunAsync(Args("history", "rooms", room, "--before", "not-a-cursor"))).ShouldExit(ExitCodes.Usage);
        Assert.StartsWith("error: ", Assert.Single(badCursor.ErrorLines));
    }

    private static IEnumerable<string?> Events(JsonElement page) =>
        page.GetProperty("items").EnumerateArray().Select(e => e.GetProperty("eventType").GetString());

    private async Task SeedAsync(string room, string user, string extension)
    {
        var services = new ServiceCollection();
        services.AddZnDrawStorage(o => o.ConnectionString = "127.0.0.1:1").AddSqlHistory(Database.Configure);
        await using var provider = services.BuildServiceProvider();
        await provider.MigrateHistoryDatabaseAsync();
        string Id(int minutes) => HistoryEvent.NewEventId(T0.AddMinutes(minutes));
        List<HistoryEvent> events =
        [
            .. Enumerable.Range(0, 5).Select(i => (HistoryEvent)new RoomHistoryEvent(
                Id(i), T0.AddMinutes(i), room, $"e{i}", i % 2 == 0 ? "alice" : null, new Dictionary<string, string> { ["n"] = $"{i}" })),
            new UserLoginEvent(Id(10), T0.AddMinutes(10), user, "sid-1", "127.0.0.1"),
            new UserLogoutEvent(Id(60), T0.AddHours(1), user, "sid-1"),
            new ExtensionRegisteredEvent(Id(20), T0.AddMinutes(20), HistoryScopes.Room(room), "modifiers", extension, """{"type":"object"}""", "worker-1"),
        ];
        await provider.GetRequiredService<IHistorySink>().WriteAsync(events, CancellationToken.None);
    }
}

public sealed class SqliteHistoryTests(SqliteTestDatabase database) : HistoryTests<SqliteTestDatabase>(database, "sqlite", static d => d.ConnectionString)
{
    [Fact]
    public async Task A_missing_sqlite_file_or_one_without_history_tables_is_one_error_line_and_nothing_is_created()
    {
        string file = Path.Combine(Path.GetTempPath(), $"zndraw-tool-missing-{Guid.NewGuid():N}.db");
        var run = (await ToolProcess.RunAsync("--sql-provider", "sqlite", "--sql", $"Data Source={file}", "history", "users", "alice")).ShouldExit(ExitCodes.Unavailable);
        Assert.Equal([$"error: SQLite database not found: {file} (check --sql)."], run.ErrorLines);
        Assert.False(File.Exists(file));

        // An existing file without the history tables: one line that says so (EF Core's own error log is not shown).
        string empty = Path.Combine(Path.GetTempPath(), $"zndraw-tool-empty-{Guid.NewGuid():N}.db");
        await File.WriteAllBytesAsync(empty, []);
        try
        {
            var unmigrated = (await ToolProcess.RunAsync("--sql-provider", "sqlite", "--sql", $"Data Source={empty};Pooling=False", "history", "users", "alice")).ShouldExit(ExitCodes.Unavailable);
            var line = Assert.Single(unmigrated.ErrorLines);
            Assert.StartsWith("error: SQL database: SQLite Error 1: 'no such table: user_login_events'.", line);
            Assert.Contains("no history tables", line);
        }
        finally
        {
            File.Delete(empty);
        }

        var none = (await ToolProcess.RunAsync("history", "users", "alice")).ShouldExit(ExitCodes.Usage);
        Assert.StartsWith("error: this command reads the SQL history: pass --sql-provider", Assert.Single(none.ErrorLines));
    }
}

public sealed class PostgresHistoryTests(PostgresTestDatabase database) : HistoryTests<PostgresTestDatabase>(database, "postgresql", static d => d.ConnectionString);
