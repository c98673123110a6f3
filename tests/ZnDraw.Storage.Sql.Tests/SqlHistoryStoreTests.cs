using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using ZnDraw.Storage.History;
using ZnDraw.Storage.Sql.Tests.Infrastructure;

namespace ZnDraw.Storage.Sql.Tests;

/// <summary>The SQL sink and query on one provider; the database is migrated from empty once per class.</summary>
public abstract class SqlHistoryStoreTests<TDatabase> : IClassFixture<TDatabase>, IAsyncLifetime
    where TDatabase : class, ITestDatabase
{
    private static readonly DateTimeOffset T0 = new(2025, 6, 1, 12, 0, 0, TimeSpan.Zero);
    private readonly ServiceProvider _services;

    protected SqlHistoryStoreTests(TDatabase database)
    {
        var services = new ServiceCollection();
        new TestStorageBuilder(services).AddSqlHistory(database.Configure);
        _services = services.BuildServiceProvider();
        Sink = _services.GetRequiredService<IHistorySink>();
        Query = _services.GetRequiredService<IHistoryQuery>();
        Factory = _services.GetRequiredService<IDbContextFactory<HistoryDbContext>>();
    }

    private IHistorySink Sink { get; }

    private IHistoryQuery Query { get; }

    private IDbContextFactory<HistoryDbContext> Factory { get; }

    public Task InitializeAsync() => _services.MigrateHistoryDatabaseAsync(); // idempotent: applies only once per database

    public async Task DisposeAsync() => await _services.DisposeAsync();

    private static string Id(int seconds) => HistoryEvent.NewEventId(T0.AddSeconds(seconds));

    [Fact]
    public async Task Migrations_ApplyToTheEmptyDatabase_AndLeaveNoPendingModelChanges()
    {
        await using var db = await Factory.CreateDbContextAsync();

        Assert.Empty(await db.Database.GetPendingMigrationsAsync());
        Assert.Contains(await db.Database.GetAppliedMigrationsAsync(), m => m.EndsWith("_InitialHistory", StringComparison.Ordinal));
        Assert.False(db.Database.HasPendingModelChanges());
        _ = await db.ExtensionRegistrations.CountAsync();
        _ = await db.RoomEvents.CountAsync();
        _ = await db.UserLoginEvents.CountAsync();
    }

    [Fact]
    public async Task EveryEventType_RoundTrips()
    {
        var room = RedisFixture.NewId("room");
        var ext = RedisFixture.NewId("ext");
        var user = RedisFixture.NewId("user");
        var at = T0.AddMilliseconds(123.4);
        var registered = new ExtensionRegisteredEvent(Id(0), at, HistoryScopes.Room(room), "modifiers", ext,
            """{"type":"object","properties":{"angle":{"type":"number","default":90}}}""", "worker-1");
        string[] types =
        [
            RoomEventTypes.Created, RoomEventTypes.Copied, RoomEventTypes.Deleted, RoomEventTypes.Locked,
            RoomEventTypes.Unlocked, RoomEventTypes.Hidden, RoomEventTypes.DescriptionChanged,
        ];
        var roomEvents = types.Select((t, i) => new RoomHistoryEvent(Id(i + 1), at.AddSeconds(i + 1), room, t,
            i % 2 == 0 ? "alice" : null,
            i % 3 == 0 ? null : new Dictionary<string, string> { ["k"] = t, ["unicode"] = "Zn ✓ \"quoted\"" })).ToList();
        var login = new UserLoginEvent(Id(20), at.AddSeconds(20), user, "sid-1", "2001:0db8:85a3:0000:0000:8a2e:0370:7334");
        var logout = new UserLogoutEvent(Id(21), at.AddSeconds(30), user, "sid-1");

        await Sink.WriteAsync([registered, .. roomEvents, login, logout], CancellationToken.None);

        var extensions = (await Query.GetExtensionHistoryAsync(ext)).Items;
        var storedRegistration = Assert.Single(extensions);
        Assert.Equal(registered with { SchemaJson = "" }, storedRegistration with { SchemaJson = "" });
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(registered.SchemaJson), JsonNode.Parse(storedRegistration.SchemaJson)));

        var events = (await Query.GetRoomEventsAsync(room)).Items;
        Assert.Equal(roomEvents.Count, events.Count);
        foreach (var (expected, actual) in roomEvents.AsEnumerable().Reverse().Zip(events))
        {
            HistoryOutboxTests.AssertSameEvent(expected, actual);
        }

        var session = Assert.Single((await Query.GetUserSessionsAsync(user)).Items);
        Assert.Equal(new UserSession(user, "sid-1", login.OccurredAt, logout.OccurredAt, login.IpAddress), session);
    }

    [Fact]
    public async Task RedeliveredEvents_AreStoredOnce()
    {
        var room = RedisFixture.NewId("room");
        var user = RedisFixture.NewId("user");
        var batch = new List<HistoryEvent>
        {
            new RoomHistoryEvent(Id(1), T0.AddSeconds(1), room, RoomEventTypes.Created, "a", null),
            new RoomHistoryEvent(Id(2), T0.AddSeconds(2), room, RoomEventTypes.Locked, "a", null),
            new UserLoginEvent(Id(3), T0.AddSeconds(3), user, "s1", null),
        };

        await Sink.WriteAsync(batch, CancellationToken.None);
        await Sink.WriteAsync(batch, CancellationToken.None);
        await Sink.WriteAsync([batch[1], batch[1], new RoomHistoryEvent(Id(4), T0.AddSeconds(4), room, RoomEventTypes.Unlocked, "a", null)], CancellationToken.None);

        Assert.Equal(3, (await Query.GetRoomEventsAsync(room)).Items.Count);
        Assert.Single((await Query.GetUserSessionsAsync(user)).Items);
    }

    [Fact]
    public async Task Logout_ClosesTheOpenLoginOfItsSession_AndARedeliveredLogoutChangesNothing()
    {
        var user = RedisFixture.NewId("user");
        var first = new UserLoginEvent(Id(1), T0.AddSeconds(1), user, "s1", "10.0.0.1");
        var second = new UserLoginEvent(Id(2), T0.AddSeconds(2), user, "s2", null);
        var logout = new UserLogoutEvent(Id(3), T0.AddSeconds(3), user, "s1");

        await Sink.WriteAsync([first, second], CancellationToken.None);
        await Sink.WriteAsync([logout], CancellationToken.None);
        await Sink.WriteAsync([logout with { EventId = Id(9), OccurredAt = T0.AddSeconds(9) }], CancellationToken.None);
        await Sink.WriteAsync([new UserLogoutEvent(Id(10), T0.AddSeconds(10), user, "unknown-session")], CancellationToken.None);

        var sessions = (await Query.GetUserSessionsAsync(user)).Items;
        Assert.Equal(
            [
                new UserSession(user, "s2", second.OccurredAt, null, null),
                new UserSession(user, "s1", first.OccurredAt, logout.OccurredAt, "10.0.0.1"),
            ],
            sessions);
    }

    [Fact]
    public async Task LogoutsInTheBatchOfTheirLogin_CloseIt_AndTheFirstLogoutOfASessionWins()
    {
        var user = RedisFixture.NewId("user");
        var login = new UserLoginEvent(Id(1), T0.AddSeconds(1), user, "s1", null);
        var other = new UserLoginEvent(Id(2), T0.AddSeconds(2), user, "s2", null);
        var logout = new UserLogoutEvent(Id(3), T0.AddSeconds(3), user, "s1");
        var later = new UserLogoutEvent(Id(4), T0.AddSeconds(4), user, "s1");
        var otherLogout = new UserLogoutEvent(Id(5), T0.AddSeconds(5), user, "s2");

        await Sink.WriteAsync([logout, login, other, later, otherLogout], CancellationToken.None);

        Assert.Equal(
            [
                new UserSession(user, "s2", other.OccurredAt, otherLogout.OccurredAt, null),
                new UserSession(user, "s1", login.OccurredAt, logout.OccurredAt, null),
            ],
            (await Query.GetUserSessionsAsync(user)).Items);
    }

    [Fact]
    public async Task StoredTimes_MatchTheProvidersOwnParameterFormat()
    {
        // The sink writes with plain commands; EF must find the rows with its own parameters (on SQLite
        // a time is text, so an equality only holds when both use the same format).
        var room = RedisFixture.NewId("room");
        var at = T0.AddTicks(1_234_560); // microseconds: the precision of PostgreSQL
        await Sink.WriteAsync([new RoomHistoryEvent(Id(1), at, room, RoomEventTypes.Created, null, null)], CancellationToken.None);

        await using var db = await Factory.CreateDbContextAsync();
        var utc = at.UtcDateTime;
        var row = Assert.Single(await db.RoomEvents.Where(r => r.RoomId == room && r.Timestamp == utc).ToListAsync());
        Assert.Equal(utc, row.Timestamp);
        Assert.Null(row.User);
        Assert.Null(row.Metadata);
    }

    [Fact]
    public async Task Queries_ReturnNewestFirst_HonouringLimitAndSince()
    {
        var room = RedisFixture.NewId("room");
        var ext = RedisFixture.NewId("ext");
        var user = RedisFixture.NewId("user");
        var batch = new List<HistoryEvent>();
        for (var i = 0; i < 10; i++)
        {
            // Written out of order on purpose: order must come from the time, not from insertion.
            var s = (i * 7) % 10;
            batch.Add(new RoomHistoryEvent(Id(100 + s), T0.AddSeconds(s), room, RoomEventTypes.DescriptionChanged, "a",
                new Dictionary<string, string> { ["n"] = s.ToString(System.Globalization.CultureInfo.InvariantCulture) }));
            batch.Add(new ExtensionRegisteredEvent(Id(200 + s), T0.AddSeconds(s), HistoryScopes.Global, "analysis", ext, "{}", "w" + s));
            batch.Add(new UserLoginEvent(Id(300 + s), T0.AddSeconds(s), user, "sid" + s, null));
        }

        await Sink.WriteAsync(batch, CancellationToken.None);

        var latest3 = (await Query.GetRoomEventsAsync(room, limit: 3)).Items;
        Assert.Equal([T0.AddSeconds(9), T0.AddSeconds(8), T0.AddSeconds(7)], latest3.Select(e => e.OccurredAt));
        var since = (await Query.GetRoomEventsAsync(room, limit: 100, since: T0.AddSeconds(6))).Items;
        Assert.Equal([9, 8, 7, 6], since.Select(e => (int)(e.OccurredAt - T0).TotalSeconds));
        var sinceMillis = (await Query.GetRoomEventsAsync(room, since: T0.AddSeconds(5).AddMilliseconds(1))).Items;
        Assert.Equal(4, sinceMillis.Count);

        var ext2 = (await Query.GetExtensionHistoryAsync(ext, limit: 2, since: T0.AddSeconds(3))).Items;
        Assert.Equal(["w9", "w8"], ext2.Select(e => e.WorkerId));
        Assert.Equal(10, (await Query.GetExtensionHistoryAsync(ext)).Items.Count);
        Assert.Empty((await Query.GetExtensionHistoryAsync(ext, since: T0.AddDays(1))).Items);

        var sessions = (await Query.GetUserSessionsAsync(user, limit: 4, since: T0.AddSeconds(2))).Items;
        Assert.Equal(["sid9", "sid8", "sid7", "sid6"], sessions.Select(s => s.SessionId));
        Assert.Empty((await Query.GetRoomEventsAsync(RedisFixture.NewId("other"))).Items);
    }

    [Fact]
    public async Task KeysetPaging_ReturnsEveryRowOnce_InOrder_WhileRowsAreInsertedConcurrently()
    {
        var room = RedisFixture.NewId("room");
        var ext = RedisFixture.NewId("ext");
        var user = RedisFixture.NewId("user");
        var batch = new List<HistoryEvent>();
        for (var i = 0; i < 60; i++)
        {
            // Groups of three share a time (ties are broken by id), written out of time order.
            var t = T0.AddSeconds((i * 7 % 60) / 3);
            batch.Add(new RoomHistoryEvent(HistoryEvent.NewEventId(t), t, room, RoomEventTypes.Locked, "u" + i, null));
            batch.Add(new ExtensionRegisteredEvent(HistoryEvent.NewEventId(t), t, HistoryScopes.Global, "analysis", ext, "{}", "w" + i));
            batch.Add(new UserLoginEvent(HistoryEvent.NewEventId(t), t, user, "sid" + i, null));
        }

        await Sink.WriteAsync(batch, CancellationToken.None);
        var expectedRoom = (await Query.GetRoomEventsAsync(room, limit: 1000)).Items.Select(e => e.EventId).ToList();
        var expectedExt = (await Query.GetExtensionHistoryAsync(ext, limit: 1000)).Items.Select(e => e.EventId).ToList();
        var expectedUser = (await Query.GetUserSessionsAsync(user, limit: 1000)).Items.Select(e => e.SessionId).ToList();
        Assert.Equal(60, expectedRoom.Count);

        // A writer inserts newer rows, rows of an already-read time and older rows while the pages are read.
        using var stop = new CancellationTokenSource();
        var extra = 0;
        var writer = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                var n = Interlocked.Increment(ref extra);
                var t = T0.AddSeconds((n % 3) switch { 0 => 100 + n, 1 => 10, _ => -1 - n });
                await Sink.WriteAsync(
                    [
                        new RoomHistoryEvent(HistoryEvent.NewEventId(t), t, room, RoomEventTypes.Unlocked, "x" + n, null),
                        new ExtensionRegisteredEvent(HistoryEvent.NewEventId(t), t, HistoryScopes.Global, "analysis", ext, "{}", "x" + n),
                        new UserLoginEvent(HistoryEvent.NewEventId(t), t, user, "x" + n, null),
                    ],
                    CancellationToken.None);
                await Task.Delay(2);
            }
        });

        var seenRoom = new List<RoomHistoryEvent>();
        var seenExt = new List<ExtensionRegisteredEvent>();
        var seenUser = new List<UserSession>();
        string? roomCursor = null, extCursor = null, userCursor = null;
        var first = true;
        while (first || roomCursor is not null || extCursor is not null || userCursor is not null)
        {
            if (first || roomCursor is not null)
            {
                var page = await Query.GetRoomEventsAsync(room, limit: 7, before: roomCursor);
                seenRoom.AddRange(page.Items);
                roomCursor = page.NextCursor;
            }

            if (first || extCursor is not null)
            {
                var page = await Query.GetExtensionHistoryAsync(ext, limit: 7, before: extCursor);
                seenExt.AddRange(page.Items);
                extCursor = page.NextCursor;
            }

            if (first || userCursor is not null)
            {
                var page = await Query.GetUserSessionsAsync(user, limit: 7, before: userCursor);
                seenUser.AddRange(page.Items);
                userCursor = page.NextCursor;
            }

            first = false;
            await Task.Delay(5);
        }

        await stop.CancelAsync();
        await writer;

        Assert.True(extra > 3, "the writer ran while paging");
        AssertWalk(expectedRoom, seenRoom.Select(e => e.EventId).ToList(), seenRoom.Select(e => e.OccurredAt).ToList());
        AssertWalk(expectedExt, seenExt.Select(e => e.EventId).ToList(), seenExt.Select(e => e.OccurredAt).ToList());
        AssertWalk(expectedUser, seenUser.Select(e => e.SessionId).ToList(), seenUser.Select(e => e.LoginAt).ToList());

        static void AssertWalk(List<string> expected, List<string> seen, List<DateTimeOffset> times)
        {
            Assert.Equal(seen.Count, seen.Distinct().Count()); // nothing repeated
            Assert.Equal(expected, seen.Where(expected.Contains)); // nothing that existed skipped, in order
            Assert.Equal(times.OrderDescending(), times); // newest first across pages
        }
    }

    [Fact]
    public async Task KeysetPaging_StopsWithoutAnEmptyPage_AndAcceptsOnlyItsOwnCursors()
    {
        var room = RedisFixture.NewId("room");
        await Sink.WriteAsync([.. Enumerable.Range(0, 6).Select(i => new RoomHistoryEvent(Id(i), T0.AddSeconds(i), room, RoomEventTypes.Locked, null, null))], CancellationToken.None);

        var first = await Query.GetRoomEventsAsync(room, limit: 3);
        var second = await Query.GetRoomEventsAsync(room, limit: 3, before: first.NextCursor);
        var all = await Query.GetRoomEventsAsync(room, limit: 6);

        Assert.NotNull(first.NextCursor);
        Assert.Equal(3, second.Items.Count);
        Assert.Null(second.NextCursor);
        Assert.Null(all.NextCursor);
        Assert.Equal(all.Items, [.. first.Items, .. second.Items]);

        // The cursor is a position: it also pages a since-filtered query and another room.
        var since = await Query.GetRoomEventsAsync(room, limit: 3, since: T0.AddSeconds(2), before: first.NextCursor);
        Assert.Equal([T0.AddSeconds(2)], since.Items.Select(e => e.OccurredAt));

        foreach (var bad in new[] { "", "x", "AAAAAAAAAAAAAAAAAAAAAA==", "//////////////////////", "______________________", first.NextCursor!.ToUpperInvariant() + "A" })
        {
            Assert.Equal("before", (await Assert.ThrowsAsync<ArgumentException>(async () => await Query.GetRoomEventsAsync(room, before: bad))).ParamName);
            Assert.Equal("before", (await Assert.ThrowsAsync<ArgumentException>(async () => await Query.GetExtensionHistoryAsync("x", before: bad))).ParamName);
            Assert.Equal("before", (await Assert.ThrowsAsync<ArgumentException>(async () => await Query.GetUserSessionsAsync("x", before: bad))).ParamName);
        }
    }

    [Theory]
    [InlineData("bad id!")]
    [InlineData("a:b")]
    [InlineData("")]
    public async Task AnInvalidRoomId_ThrowsNamingRoomId(string roomId) =>
        Assert.Equal("roomId", (await Assert.ThrowsAsync<ArgumentException>(async () => await Query.GetRoomEventsAsync(roomId))).ParamName);

    [Theory]
    [InlineData(" alice")]
    [InlineData("al\nice")]
    [InlineData("")]
    public async Task AnInvalidUserName_ThrowsNamingUsername(string username) =>
        Assert.Equal("username", (await Assert.ThrowsAsync<ArgumentException>(async () => await Query.GetUserSessionsAsync(username))).ParamName);

    [Fact]
    public async Task AnInvalidExtensionName_ThrowsNamingName()
    {
        Assert.Equal("name", (await Assert.ThrowsAsync<ArgumentException>(async () => await Query.GetExtensionHistoryAsync(""))).ParamName);
        Assert.Equal("name", (await Assert.ThrowsAsync<ArgumentException>(async () => await Query.GetExtensionHistoryAsync(new string('x', 4097)))).ParamName);
        Assert.Equal("name", (await Assert.ThrowsAsync<ArgumentNullException>(async () => await Query.GetExtensionHistoryAsync(null!))).ParamName);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(1001)]
    public async Task Limit_OutsideOneToThousand_Throws(int limit)
    {
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await Query.GetExtensionHistoryAsync("x", limit));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await Query.GetRoomEventsAsync("x", limit));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await Query.GetUserSessionsAsync("x", limit));
    }

    [Fact]
    public async Task OversizedValuesAndBrokenSchemaJson_AreStoredRatherThanFail()
    {
        var ext = RedisFixture.NewId("ext");
        var room = RedisFixture.NewId("room");
        var longCategory = new string('c', 300);
        var e = new ExtensionRegisteredEvent(Id(1), T0, HistoryScopes.Global, longCategory, ext, "{not json", new string('w', 400));
        var r = new RoomHistoryEvent(Id(2), T0, room, "a_custom_event_type_that_is_much_longer_than_fifty_characters", new string('u', 300), null);

        await Sink.WriteAsync([e, r], CancellationToken.None);

        var stored = Assert.Single((await Query.GetExtensionHistoryAsync(ext)).Items);
        Assert.Equal(longCategory[..100], stored.Category);
        Assert.Equal(255, stored.WorkerId.Length);
        Assert.Equal("{not json", JsonNode.Parse(stored.SchemaJson)!.GetValue<string>());
        var storedRoom = Assert.Single((await Query.GetRoomEventsAsync(room)).Items);
        Assert.Equal(50, storedRoom.EventType.Length);
    }
}

public sealed class SqliteHistoryStoreTests(SqliteTestDatabase database) : SqlHistoryStoreTests<SqliteTestDatabase>(database);

[Collection(PostgresCollection.Name)]
public sealed class PostgresHistoryStoreTests(PostgresTestDatabase database) : SqlHistoryStoreTests<PostgresTestDatabase>(database);
