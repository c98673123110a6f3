using System.Text.Json;
using CsCheck;
using ZnDraw.Storage.History;
using ZnDraw.Storage.Redis.History;

namespace ZnDraw.Storage.Tests.History;

/// <summary>
/// The outbox JSON and event ids are a wire format (the dispatcher and the SQL sink read them back): the fast writer
/// must produce the serializer's bytes exactly, and event ids must stay version 7 GUIDs.
/// </summary>
public class HistoryEventJsonTests
{
    private const long Iterations = 3000;

    private static readonly Gen<string> Text = Gen.OneOf(
        Gen.String,
        Gen.String[Gen.Char.AlphaNumeric, 0, 12],
        Gen.OneOf("", "é", "😀", "<script>", "a\"b\\c", "line\nbreak", "\u0000", "+&'", "\ud800", "room:r1", "{\"type\":\"object\"}"));

    private static readonly Gen<string?> OptionalText = Gen.OneOf(Text.Select(s => (string?)s), Gen.Const((string?)null));

    private static readonly Gen<DateTimeOffset> Times =
        Gen.Select(Gen.Long[DateTime.MinValue.Ticks + TimeSpan.TicksPerDay, DateTime.MaxValue.Ticks - TimeSpan.TicksPerDay], Gen.Int[-14 * 60, 14 * 60])
            .Select((ticks, minutes) => new DateTimeOffset(ticks, TimeSpan.Zero).ToOffset(TimeSpan.FromMinutes(minutes)));

    private static readonly Gen<IReadOnlyDictionary<string, string>?> Metadata = Gen.OneOf(
        Gen.Const((IReadOnlyDictionary<string, string>?)null),
        Gen.Dictionary(Text, Text)[0, 4].Select(d => (IReadOnlyDictionary<string, string>?)d));

    private static readonly Gen<HistoryEvent> Events = Gen.Select(Text, Times).SelectMany((text, at) =>
    {
        string id = string.IsNullOrWhiteSpace(text) || text.Length > HistoryEvent.MaxEventIdLength ? "id-" + text.Length : text;
        return Gen.OneOf<HistoryEvent>(
            Gen.Select(Text, Text, Text, Text, Text).Select((scope, category, name, schema, worker) =>
                (HistoryEvent)new ExtensionRegisteredEvent(id, at, scope, category, name, schema, worker)),
            Gen.Select(Text, Text, OptionalText, Metadata).Select((room, type, user, metadata) =>
                (HistoryEvent)new RoomHistoryEvent(id, at, room, type, user, metadata)),
            Gen.Select(Text, Text, OptionalText).Select((user, session, ip) =>
                (HistoryEvent)new UserLoginEvent(id, at, user, session, ip)),
            Gen.Select(Text, Text).Select((user, session) =>
                (HistoryEvent)new UserLogoutEvent(id, at, user, session)));
    });

    [Fact]
    public void Outbox_json_is_byte_identical_to_the_serializer() =>
        Events.Sample(SameAsSerializer, iter: Iterations);

    [Fact]
    public void Every_event_type_is_written_with_its_discriminator_first()
    {
        var at = new DateTimeOffset(2025, 3, 4, 5, 6, 7, 123, TimeSpan.FromHours(2));
        HistoryEvent[] events =
        [
            new ExtensionRegisteredEvent("e1", at, HistoryScopes.Global, "analysis", "Rdf", "{}", "sid-2"),
            new RoomHistoryEvent("e2", at, "r1", RoomEventTypes.Copied, "alice", new Dictionary<string, string> { ["source_room"] = "r0" }),
            new UserLoginEvent("e3", at, "alice", "sid-9", null),
            new UserLogoutEvent("e4", at, "alice", "sid-9"),
        ];
        string[] discriminators = ["extension_registered", "room", "user_login", "user_logout"];

        for (int i = 0; i < events.Length; i++)
        {
            SameAsSerializer(events[i]);
            string json = System.Text.Encoding.UTF8.GetString(HistoryOutbox.Serialize(events[i]));
            Assert.StartsWith("{\"type\":\"" + discriminators[i] + "\",", json, StringComparison.Ordinal);
        }

        Assert.Equal(
            """{"type":"room","room_id":"r1","event_type":"copied","user":"alice","metadata":{"source_room":"r0"},"occurred_at":"2025-03-04T05:06:07.123+02:00","event_id":"e2"}""",
            System.Text.Encoding.UTF8.GetString(HistoryOutbox.Serialize(events[1])));
    }

    [Fact]
    public void A_null_required_property_fails_like_the_serializer()
    {
        var e = new UserLogoutEvent("e1", DateTimeOffset.UnixEpoch, null!, "sid");

        Assert.Throws<JsonException>(() => JsonSerializer.SerializeToUtf8Bytes<HistoryEvent>(e, HistoryJsonContext.Default.HistoryEvent));
        Assert.Throws<JsonException>(() => HistoryOutbox.Serialize(e));

        // The writer is still usable afterwards.
        SameAsSerializer(e with { Username = "alice" });
    }

    [Fact]
    public void A_large_event_is_written_whole_and_the_next_one_too()
    {
        var big = new ExtensionRegisteredEvent("e1", DateTimeOffset.UnixEpoch, HistoryScopes.Global, "modifiers", "Big", new string('x', 100_000), "w");

        SameAsSerializer(big);
        SameAsSerializer(big with { SchemaJson = "{}" });
    }

    [Fact]
    public void Event_ids_are_version_7_guids_of_their_millisecond()
    {
        var at = new DateTimeOffset(2025, 3, 4, 5, 6, 7, 123, TimeSpan.FromHours(-5));
        string expectedHead = Guid.CreateVersion7(at).ToString("D")[..15];
        var seen = new HashSet<string>(StringComparer.Ordinal);

        for (int i = 0; i < 1000; i++)
        {
            string id = HistoryEvent.NewEventId(at);
            Assert.Equal(36, id.Length);
            var guid = Guid.ParseExact(id, "D");
            Assert.Equal(7, guid.Version);
            Assert.Equal(0b10, guid.Variant >> 2);
            Assert.Equal(expectedHead, id[..15]); // 48-bit Unix milliseconds, then the version digit
            Assert.True(seen.Add(id), "event ids must not repeat");
        }
    }

    [Fact]
    public void Event_ids_from_many_threads_do_not_repeat_and_sort_by_time()
    {
        var at = DateTimeOffset.UtcNow;
        string[][] perThread = new string[8][];
        Parallel.For(0, perThread.Length, t => perThread[t] = [.. Enumerable.Range(0, 500).Select(_ => HistoryEvent.NewEventId(at))]);

        Assert.Equal(8 * 500, perThread.SelectMany(ids => ids).Distinct(StringComparer.Ordinal).Count());
        Assert.True(string.CompareOrdinal(HistoryEvent.NewEventId(at), HistoryEvent.NewEventId(at.AddMilliseconds(1))) < 0);
    }

    [Fact]
    public void An_event_id_before_the_unix_epoch_is_refused() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => HistoryEvent.NewEventId(DateTimeOffset.UnixEpoch.AddMilliseconds(-1)));

    private static void SameAsSerializer(HistoryEvent e)
    {
        byte[]? expected = null;
        Exception? expectedError = null;
        try
        {
            expected = JsonSerializer.SerializeToUtf8Bytes(e, HistoryJsonContext.Default.HistoryEvent);
        }
        catch (Exception ex) when (ex is JsonException or ArgumentException or InvalidOperationException)
        {
            expectedError = ex;
        }

        if (expectedError is not null)
        {
            Exception actual = Assert.ThrowsAny<Exception>(() => HistoryOutbox.Serialize(e));
            Assert.Equal(expectedError.GetType(), actual.GetType());
            return;
        }

        Assert.Equal(System.Text.Encoding.UTF8.GetString(expected!), System.Text.Encoding.UTF8.GetString(HistoryOutbox.Serialize(e)));
        Assert.Equal(expected, HistoryOutbox.Serialize(e));
    }
}
