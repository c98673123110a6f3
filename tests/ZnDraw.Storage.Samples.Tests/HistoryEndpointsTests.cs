using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using ZnDraw.Storage.History;
using ZnDraw.Storage.Samples.Tests.Infrastructure;

namespace ZnDraw.Storage.Samples.Tests;

/// <summary>
/// The history endpoints of the web API sample, over real HTTP, against real Redis and a real history database:
/// events are written through the registered <see cref="IHistorySink"/> and read back through the endpoints.
/// </summary>
public abstract class HistoryEndpointsTests(SampleApp app)
{
    /// <summary>A fixed past instant; each test writes its events at whole minutes after it.</summary>
    private static readonly DateTimeOffset T0 = new(2024, 5, 1, 12, 0, 0, TimeSpan.Zero);

    private readonly HttpClient _client = app.CreateClient();

    private IHistorySink Sink => app.Services.GetRequiredService<IHistorySink>();

    private static string NewId(string kind) => kind + "-" + Guid.NewGuid().ToString("N");

    private static DateTimeOffset At(int minute) => T0.AddMinutes(minute);

    private static string Iso(DateTimeOffset time) => Uri.EscapeDataString(time.ToString("O", CultureInfo.InvariantCulture));

    [Fact]
    public async Task ExtensionHistory_ReturnsRegistrationsOfThatName_NewestFirst_HonouringLimitAndSince()
    {
        var name = NewId("Rotate");
        var room = NewId("room");
        var written = Enumerable.Range(0, 5).Select(i => new ExtensionRegisteredEvent(
            HistoryEvent.NewEventId(At(i)), At(i), i % 2 == 0 ? HistoryScopes.Room(room) : HistoryScopes.Global,
            "modifiers", name, $$"""{"type":"object","title":"v{{i}}"}""", "worker-" + i)).ToList();
        var other = new ExtensionRegisteredEvent(HistoryEvent.NewEventId(At(9)), At(9), HistoryScopes.Global, "modifiers", NewId("Other"), "{}", "w");
        await Sink.WriteAsync([.. written, other], CancellationToken.None);

        var all = (await _client.GetOkAsync<HistoryPage<ExtensionRegisteredEvent>>($"/api/extensions/{name}/history")).Items;
        Assert.Equal(written.Select(e => e.EventId).Reverse(), all.Select(e => e.EventId));
        var newest = all[0];
        Assert.Equal(written[4].OccurredAt, newest.OccurredAt);
        Assert.Equal(HistoryScopes.Room(room), newest.Scope);
        Assert.Equal("modifiers", newest.Category);
        // PostgreSQL keeps the schema as jsonb, which normalises whitespace: compare as JSON.
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(written[4].SchemaJson), JsonNode.Parse(newest.SchemaJson)), newest.SchemaJson);
        Assert.Equal("worker-4", newest.WorkerId);

        var limited = (await _client.GetOkAsync<HistoryPage<ExtensionRegisteredEvent>>($"/api/extensions/{name}/history?limit=2")).Items;
        Assert.Equal([written[4].EventId, written[3].EventId], limited.Select(e => e.EventId));

        var since = (await _client.GetOkAsync<HistoryPage<ExtensionRegisteredEvent>>($"/api/extensions/{name}/history?since={Iso(At(2))}")).Items;
        Assert.Equal([written[4].EventId, written[3].EventId, written[2].EventId], since.Select(e => e.EventId));

        var both = (await _client.GetOkAsync<HistoryPage<ExtensionRegisteredEvent>>($"/api/extensions/{name}/history?since={Iso(At(1))}&limit=1")).Items;
        Assert.Equal(written[4].EventId, Assert.Single(both).EventId);
    }

    [Fact]
    public async Task RoomEvents_ReturnsThatRoomsEvents_NewestFirst_HonouringLimitAndSince()
    {
        var room = NewId("room");
        var types = new[] { RoomEventTypes.Created, RoomEventTypes.Locked, RoomEventTypes.Unlocked, RoomEventTypes.DescriptionChanged };
        var written = types.Select((type, i) => new RoomHistoryEvent(
            HistoryEvent.NewEventId(At(i)), At(i), room, type, i == 0 ? null : "alice",
            type == RoomEventTypes.DescriptionChanged ? new Dictionary<string, string> { ["description"] = "water box" } : null)).ToList();
        var elsewhere = new RoomHistoryEvent(HistoryEvent.NewEventId(At(8)), At(8), NewId("room"), RoomEventTypes.Created, null, null);
        await Sink.WriteAsync([.. written, elsewhere], CancellationToken.None);

        var all = (await _client.GetOkAsync<HistoryPage<RoomHistoryEvent>>($"/api/rooms/{room}/events")).Items;
        Assert.Equal(types.Reverse(), all.Select(e => e.EventType));
        Assert.All(all, e => Assert.Equal(room, e.RoomId));
        Assert.Equal("water box", Assert.Single(all[0].Metadata!).Value);
        Assert.Null(all[^1].User);
        Assert.Equal("alice", all[0].User);

        var limited = (await _client.GetOkAsync<HistoryPage<RoomHistoryEvent>>($"/api/rooms/{room}/events?limit=3")).Items;
        Assert.Equal(types.Skip(1).Reverse(), limited.Select(e => e.EventType));

        var since = (await _client.GetOkAsync<HistoryPage<RoomHistoryEvent>>($"/api/rooms/{room}/events?since={Iso(At(3))}")).Items;
        Assert.Equal(RoomEventTypes.DescriptionChanged, Assert.Single(since).EventType);

        // A date alone is midnight UTC, a date-time without offset is UTC, an offset is honoured (13:01+01:00 is 12:01Z).
        Assert.Equal(4, (await _client.GetOkAsync<HistoryPage<RoomHistoryEvent>>($"/api/rooms/{room}/events?since=2024-05-01")).Items.Count);
        Assert.Empty((await _client.GetOkAsync<HistoryPage<RoomHistoryEvent>>($"/api/rooms/{room}/events?since=2024-05-02")).Items);
        var offset = (await _client.GetOkAsync<HistoryPage<RoomHistoryEvent>>($"/api/rooms/{room}/events?since={Uri.EscapeDataString("2024-05-01T13:01:00+01:00")}")).Items;
        Assert.Equal(3, offset.Count);
        Assert.Equal(3, (await _client.GetOkAsync<HistoryPage<RoomHistoryEvent>>($"/api/rooms/{room}/events?since=2024-05-01T12:01:00")).Items.Count);
        Assert.Equal(2, (await _client.GetOkAsync<HistoryPage<RoomHistoryEvent>>($"/api/rooms/{room}/events?since=2024-05-01T12:01:30.5Z")).Items.Count);
    }

    [Fact]
    public async Task UserSessions_PairLoginsWithLogouts_NewestFirst_HonouringLimitAndSince()
    {
        var user = NewId("user");
        var events = new List<HistoryEvent>();
        for (var i = 0; i < 3; i++)
        {
            events.Add(new UserLoginEvent(HistoryEvent.NewEventId(At(10 * i)), At(10 * i), user, "sid-" + i, "10.0.0." + i));
            if (i < 2)
            {
                events.Add(new UserLogoutEvent(HistoryEvent.NewEventId(At(10 * i + 5)), At(10 * i + 5), user, "sid-" + i));
            }
        }

        await Sink.WriteAsync(events, CancellationToken.None);

        var all = (await _client.GetOkAsync<HistoryPage<UserSession>>($"/api/users/{user}/sessions")).Items;
        Assert.Equal(["sid-2", "sid-1", "sid-0"], all.Select(s => s.SessionId));
        Assert.Null(all[0].LogoutAt); // still open
        Assert.Equal(At(15), all[1].LogoutAt);
        Assert.Equal(At(10), all[1].LoginAt);
        Assert.Equal("10.0.0.1", all[1].IpAddress);
        Assert.All(all, s => Assert.Equal(user, s.Username));

        var limited = (await _client.GetOkAsync<HistoryPage<UserSession>>($"/api/users/{user}/sessions?limit=1")).Items;
        Assert.Equal("sid-2", Assert.Single(limited).SessionId);

        var since = (await _client.GetOkAsync<HistoryPage<UserSession>>($"/api/users/{user}/sessions?since={Iso(At(10))}")).Items;
        Assert.Equal(["sid-2", "sid-1"], since.Select(s => s.SessionId));
    }

    [Fact]
    public async Task WithoutLimit_AtMost100AreReturned_AndUpTo1000OnRequest()
    {
        var room = NewId("room");
        var written = Enumerable.Range(0, 120).Select(i => new RoomHistoryEvent(
            HistoryEvent.NewEventId(T0.AddSeconds(i)), T0.AddSeconds(i), room, RoomEventTypes.Locked, "bob", null)).ToList();
        await Sink.WriteAsync(written, CancellationToken.None);

        var page = (await _client.GetOkAsync<HistoryPage<RoomHistoryEvent>>($"/api/rooms/{room}/events")).Items;
        Assert.Equal(100, page.Count);
        Assert.Equal(written[^1].EventId, page[0].EventId);
        Assert.Equal(120, (await _client.GetOkAsync<HistoryPage<RoomHistoryEvent>>($"/api/rooms/{room}/events?limit=1000")).Items.Count);
    }

    [Fact]
    public async Task Paging_FollowsNextCursor_ReturningEveryRowOnce_WhileRowsAreInserted()
    {
        var room = NewId("room");
        // 25 events, five of them sharing one time (ties are ordered by insertion).
        var written = Enumerable.Range(0, 25).Select(i => new RoomHistoryEvent(
            HistoryEvent.NewEventId(T0.AddSeconds(i < 5 ? 0 : i)), T0.AddSeconds(i < 5 ? 0 : i), room, RoomEventTypes.Locked, "u" + i, null)).ToList();
        await Sink.WriteAsync(written, CancellationToken.None);
        var older = new RoomHistoryEvent(HistoryEvent.NewEventId(At(-1)), At(-1), room, RoomEventTypes.Created, "old", null);

        var seen = new List<RoomHistoryEvent>();
        string? cursor = null;
        var pages = 0;
        do
        {
            var path = $"/api/rooms/{room}/events?limit=10" + (cursor is null ? "" : "&before=" + Uri.EscapeDataString(cursor));
            var page = await _client.GetOkAsync<HistoryPage<RoomHistoryEvent>>(path);
            Assert.True(page.Items.Count <= 10);
            seen.AddRange(page.Items);
            cursor = page.NextCursor;
            pages++;

            // Between page reads: a newer event (above every cursor) and, once, one older than the cursor.
            await Sink.WriteAsync([new RoomHistoryEvent(HistoryEvent.NewEventId(At(60 + pages)), At(60 + pages), room, RoomEventTypes.Unlocked, "late", null)], CancellationToken.None);
            if (pages == 1)
            {
                await Sink.WriteAsync([older], CancellationToken.None);
            }
        }
        while (cursor is not null);

        Assert.Equal(3, pages);
        Assert.Equal(written.Select(e => e.EventId).Reverse().Append(older.EventId), seen.Select(e => e.EventId));
        var newest = await _client.GetOkAsync<HistoryPage<RoomHistoryEvent>>($"/api/rooms/{room}/events?limit=3");
        Assert.Equal(RoomEventTypes.Unlocked, newest.Items[0].EventType);
        Assert.NotNull(newest.NextCursor);
    }

    [Fact]
    public async Task Paging_ALastFullPageHasNoCursor_AndTheCursorIsInTheBody()
    {
        var room = NewId("room");
        await Sink.WriteAsync([.. Enumerable.Range(0, 4).Select(i => new RoomHistoryEvent(HistoryEvent.NewEventId(At(i)), At(i), room, RoomEventTypes.Locked, null, null))], CancellationToken.None);

        var first = await _client.GetOkAsync<HistoryPage<RoomHistoryEvent>>($"/api/rooms/{room}/events?limit=2");
        var second = await _client.GetOkAsync<HistoryPage<RoomHistoryEvent>>($"/api/rooms/{room}/events?limit=2&before={Uri.EscapeDataString(first.NextCursor!)}");
        Assert.Equal(2, second.Items.Count);
        Assert.Null(second.NextCursor); // exactly four rows: no empty third page

        var json = await _client.GetStringAsync(new Uri($"/api/rooms/{room}/events?limit=2", UriKind.Relative));
        Assert.Contains("\"nextCursor\":\"" + first.NextCursor + "\"", json, StringComparison.Ordinal);
        Assert.Contains("\"items\":[", json, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/api/extensions/Rotate/history")]
    [InlineData("/api/rooms/r1/events")]
    [InlineData("/api/users/alice/sessions")]
    public async Task BadCursor_Is400ProblemNamingBefore(string path)
    {
        foreach (var before in new[] { "nope", "", "AAAAAAAAAAAAAAAAAAAAAA%3D%3D", "%2F%2F%2F%2F%2F%2F%2F%2F%2F%2F%2F%2F%2F%2F%2F%2F%2F%2F%2F%2F%2F%2F", "______________________", "AAAAAAAAAAAAAAAAAAAAA%2A" })
        {
            var problem = await _client.GetProblemAsync($"{path}?before={before}", HttpStatusCode.BadRequest);
            Assert.True(problem.GetProperty("errors").TryGetProperty("before", out _), $"before={before}: {problem}");
        }
    }

    [Theory]
    [InlineData("/api/rooms/bad%20id!/events", "roomId")]
    [InlineData("/api/rooms/a:b/events", "roomId")]
    [InlineData("/api/users/%20alice/sessions", "username")]
    [InlineData("/api/users/al%0Aice/sessions", "username")]
    public async Task InvalidIds_Are400ProblemNamingTheParameter(string path, string parameter)
    {
        var problem = await _client.GetProblemAsync(path, HttpStatusCode.BadRequest);

        var errors = problem.GetProperty("errors");
        Assert.True(errors.TryGetProperty(parameter, out _), problem.ToString());
        Assert.Single(errors.EnumerateObject());
    }

    [Fact]
    public async Task AnOverlongExtensionName_Is400ProblemNamingName_TogetherWithABadLimit()
    {
        var problem = await _client.GetProblemAsync($"/api/extensions/{new string('x', 4097)}/history?limit=0", HttpStatusCode.BadRequest);

        var errors = problem.GetProperty("errors");
        Assert.True(errors.TryGetProperty("name", out _), problem.ToString());
        Assert.True(errors.TryGetProperty("limit", out _), problem.ToString());
    }

    [Fact]
    public async Task UnknownIds_AreEmptyLists()
    {
        Assert.Empty((await _client.GetOkAsync<HistoryPage<ExtensionRegisteredEvent>>($"/api/extensions/{NewId("x")}/history")).Items);
        Assert.Empty((await _client.GetOkAsync<HistoryPage<RoomHistoryEvent>>($"/api/rooms/{NewId("room")}/events")).Items);
        Assert.Empty((await _client.GetOkAsync<HistoryPage<UserSession>>($"/api/users/{NewId("user")}/sessions")).Items);
    }

    [Fact]
    public async Task Responses_UseCamelCaseFieldNames()
    {
        var room = NewId("room");
        await Sink.WriteAsync([new RoomHistoryEvent(HistoryEvent.NewEventId(T0), T0, room, RoomEventTypes.Created, "carol", null)], CancellationToken.None);

        var json = await _client.GetStringAsync(new Uri($"/api/rooms/{room}/events", UriKind.Relative));

        Assert.Contains("\"roomId\":\"" + room + "\"", json, StringComparison.Ordinal);
        Assert.Contains("\"eventType\":\"created\"", json, StringComparison.Ordinal);
        Assert.Contains("\"occurredAt\":\"2024-05-01T12:00:00+00:00\"", json, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/api/extensions/Rotate/history")]
    [InlineData("/api/rooms/r1/events")]
    [InlineData("/api/users/alice/sessions")]
    public async Task BadLimit_Is400ProblemNamingLimit(string path)
    {
        foreach (var limit in new[] { "0", "1001", "-1", "abc", "1.5", "", "%2B5", "99999999999" })
        {
            var problem = await _client.GetProblemAsync($"{path}?limit={limit}", HttpStatusCode.BadRequest);
            var errors = problem.GetProperty("errors");
            Assert.True(errors.TryGetProperty("limit", out var messages), $"limit={limit}: {problem}");
            Assert.Contains("1 to 1000", messages[0].GetString(), StringComparison.Ordinal);
            Assert.False(errors.TryGetProperty("since", out _));
        }
    }

    [Theory]
    [InlineData("/api/extensions/Rotate/history")]
    [InlineData("/api/rooms/r1/events")]
    [InlineData("/api/users/alice/sessions")]
    public async Task BadSince_Is400ProblemNamingSince(string path)
    {
        foreach (var since in new[] { "yesterday", "05%2F01%2F2024", "2024-13-01", "2024-05-01T25:00:00Z", "1714564800", "" })
        {
            var problem = await _client.GetProblemAsync($"{path}?since={since}", HttpStatusCode.BadRequest);
            var errors = problem.GetProperty("errors");
            Assert.True(errors.TryGetProperty("since", out var messages), $"since={since}: {problem}");
            Assert.Contains("ISO 8601", messages[0].GetString(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task BadLimitAndSince_AreBothNamed()
    {
        var problem = await _client.GetProblemAsync("/api/rooms/r1/events?limit=x&since=y", HttpStatusCode.BadRequest);

        var errors = problem.GetProperty("errors");
        Assert.True(errors.TryGetProperty("limit", out _));
        Assert.True(errors.TryGetProperty("since", out _));
    }

    [Fact]
    public async Task Health_IsHealthy()
    {
        using var response = await _client.GetAsync(new Uri("/health", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Healthy", await response.Content.ReadAsStringAsync());
    }
}

/// <summary>History in SQLite (the embedded default).</summary>
public sealed class SqliteHistoryEndpointsTests(SqliteHistoryApp fixture)
    : HistoryEndpointsTests(fixture.App), IClassFixture<SqliteHistoryApp>;

/// <summary>History in PostgreSQL (production).</summary>
public sealed class PostgresHistoryEndpointsTests(PostgresHistoryApp fixture)
    : HistoryEndpointsTests(fixture.App), IClassFixture<PostgresHistoryApp>;
