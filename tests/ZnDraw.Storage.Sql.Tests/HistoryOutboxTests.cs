using StackExchange.Redis;
using ZnDraw.Storage.Contracts;
using ZnDraw.Storage.History;
using ZnDraw.Storage.Redis.History;
using ZnDraw.Storage.Sql.Tests.Infrastructure;

namespace ZnDraw.Storage.Sql.Tests;

[Collection(RedisCollection.Name)]
public sealed class HistoryOutboxTests(RedisFixture redis)
{
    private static readonly DateTimeOffset At = new(2025, 3, 4, 5, 6, 7, 123, TimeSpan.Zero);

    public static TheoryData<HistoryEvent> EveryEventType() =>
    [
        new ExtensionRegisteredEvent(HistoryEvent.NewEventId(At), At, HistoryScopes.Room("r1"), "modifiers", "Rotate", """{"type":"object"}""", "sid-1"),
        new ExtensionRegisteredEvent(HistoryEvent.NewEventId(At), At, HistoryScopes.Global, "analysis", "Rdf", "{}", "sid-2"),
        new RoomHistoryEvent(HistoryEvent.NewEventId(At), At, "r1", RoomEventTypes.Copied, "alice", new Dictionary<string, string> { ["source_room"] = "r0" }),
        new RoomHistoryEvent(HistoryEvent.NewEventId(At), At, "r1", RoomEventTypes.Deleted, null, null),
        new UserLoginEvent(HistoryEvent.NewEventId(At), At, "alice", "sid-9", "2001:db8::1"),
        new UserLoginEvent(HistoryEvent.NewEventId(At), At, "guest", "sid-8", null),
        new UserLogoutEvent(HistoryEvent.NewEventId(At), At, "alice", "sid-9"),
    ];

    [Theory]
    [MemberData(nameof(EveryEventType))]
    public void StreamFields_ParseBackToTheSameEvent(HistoryEvent original)
    {
        var outbox = new HistoryOutbox("s");
        var fields = HistoryOutbox.ToStreamFields(original);
        var entry = new StreamEntry("1-1", fields);

        var parsed = outbox.Parse(entry);

        Assert.Equal(original.EventId, (string?)fields[0].Value);
        AssertSameEvent(original, parsed);
    }

    [Theory]
    [InlineData("")]
    [InlineData("not json")]
    [InlineData("""{"type":"nope","event_id":"x","occurred_at":"2025-01-01T00:00:00Z"}""")]
    [InlineData("""{"type":"user_logout","occurred_at":"2025-01-01T00:00:00Z","username":"a","session_id":"s"}""")]
    public void Parse_BadEntry_ThrowsStorageDataExceptionNamingTheStream(string json)
    {
        var outbox = new HistoryOutbox("hist");
        var entry = new StreamEntry("1-1", [new NameValueEntry(HistoryOutbox.EventField, json)]);

        var ex = Assert.Throws<StorageDataException>(() => outbox.Parse(entry));

        Assert.Contains("hist", ex.Key, StringComparison.Ordinal);
        Assert.Equal(HistoryOutbox.EventField, ex.Field);
    }

    [Fact]
    public async Task Enlist_WritesTheStreamFields_OnlyWhenTheTransactionCommits()
    {
        var db = redis.Database;
        var stream = (RedisKey)RedisFixture.NewId("stream");
        var guard = (RedisKey)RedisFixture.NewId("guard");
        var outbox = new HistoryOutbox(stream);
        var e = new RoomHistoryEvent(HistoryEvent.NewEventId(At), At, "r1", RoomEventTypes.Copied, "bob",
            new Dictionary<string, string> { ["source_room"] = "r0" });

        var refused = db.CreateTransaction();
        refused.AddCondition(Condition.KeyExists(guard));
        _ = refused.StringSetAsync(RedisFixture.NewId("state"), "x");
        outbox.Enlist(refused, e);
        Assert.False(await refused.ExecuteAsync());
        Assert.Equal(0, await db.StreamLengthAsync(stream));

        var accepted = db.CreateTransaction();
        accepted.AddCondition(Condition.KeyNotExists(guard));
        _ = accepted.StringSetAsync(RedisFixture.NewId("state"), "x");
        outbox.Enlist(accepted, e);
        Assert.True(await accepted.ExecuteAsync());

        var entry = Assert.Single(await db.StreamRangeAsync(stream));
        static string Bytes(NameValueEntry f) => (string?)f.Name + "=" + Convert.ToHexString((byte[])f.Value!);
        Assert.Equal(HistoryOutbox.ToStreamFields(e).Select(Bytes), entry.Values.Select(Bytes));
        AssertSameEvent(e, outbox.Parse(entry));
        await db.KeyDeleteAsync(stream);
    }


    internal static void AssertSameEvent(HistoryEvent expected, HistoryEvent actual)
    {
        Assert.Equal(expected.GetType(), actual.GetType());
        Assert.Equal(expected.EventId, actual.EventId);
        Assert.Equal(expected.OccurredAt, actual.OccurredAt);
        switch (expected)
        {
            case RoomHistoryEvent room:
                var other = (RoomHistoryEvent)actual;
                Assert.Equal(room with { Metadata = null }, other with { Metadata = null });
                Assert.Equal(room.Metadata?.OrderBy(p => p.Key), other.Metadata?.OrderBy(p => p.Key));
                break;
            default:
                Assert.Equal(expected, actual);
                break;
        }
    }
}
