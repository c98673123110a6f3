using CsCheck;
using StackExchange.Redis;
using ZnDraw.Storage.Contracts;
using ZnDraw.Storage.Models;
using ZnDraw.Storage.Redis.Mapping;
using ZnDraw.Storage.Serialization;

namespace ZnDraw.Storage.Tests.Models;

/// <summary>Random text and bytes fed into every parser: the only exception that may escape is <see cref="StorageDataException"/>.</summary>
public class ParserPropertyTests
{
    private const long Iterations = 3000;

    private static readonly string[] JsonFragments =
    [
        "{", "}", "[", "]", ":", ",", " ", "\"", "\\", "null", "true", "false", "0", "1", "-1", "1.0", "0.7", "1e5", "-0.0", "99999999999999999999",
        "\"type\"", "\"data\"", "\"Sphere\"", "\"x\"", "\"\"", "\"\\ud800\"", "\"\\udc00x\"", "\"\\u00e9\"", "\"\\u0000\"", "\"😀\"", "\"é\"",
        "\"userName\"", "\"timestamp\"", "\"2025-10-31T12:00:00\"", "\"msg\"", "\"id\"", "\"roomId\"", "\"author\"", "\"content\"",
        "\"createdAt\"", "\"updatedAt\"", "\"isEdited\"", "\"user_name\"", "\"room\"", "\"jobId\"", "\"provider\"", "\"celery\"",
        "\"particles\"", "NaN", "Infinity", "\"\\\"\"", "\"\\/\"", "\"\\x\"",
    ];

    /// <summary>Strings made of JSON tokens, so that parsers get past the first character.</summary>
    private static readonly Gen<string> JsonLike = Gen.OneOf(JsonFragments).Array[0, 24].Select(parts => string.Concat(parts));

    private static readonly Gen<RedisValue> Values = Gen.OneOf(
        Gen.String.Select(s => (RedisValue)s),
        Gen.Byte.Array[0, 64].Select(b => (RedisValue)b),
        JsonLike.Select(s => (RedisValue)s),
        JsonLike.Select(s => (RedisValue)System.Text.Encoding.UTF8.GetBytes(s)));

    [Fact]
    public void Random_text_as_string_only_raises_storage_errors() =>
        Gen.String.Sample(s => FeedEverything(s), iter: Iterations);

    [Fact]
    public void Random_bytes_only_raise_storage_errors() =>
        Gen.Byte.Array.Sample(b => FeedEverything(b), iter: Iterations);

    [Fact]
    public void Json_like_text_only_raises_storage_errors_and_parsed_values_round_trip() =>
        JsonLike.Sample(s => FeedEverything(s), iter: Iterations * 3);

    [Fact]
    public void Random_hash_fields_only_raise_storage_errors() =>
        Gen.Select(Gen.OneOf<string>(JobMapping.IdField, JobMapping.StatusField, JobMapping.DataField, JobMapping.CreatedAtField, JobMapping.WaitTimeMsField, "x"), Values)
            .Sample(t => FeedJobField(t.Item1, t.Item2), iter: Iterations);

    [Fact]
    public void Formatted_iso_times_parse_back() =>
        Gen.Long[DateTime.MinValue.Ticks, DateTime.MaxValue.Ticks].Sample(ticks =>
        {
            var t = new DateTime(ticks - (ticks % 10), DateTimeKind.Utc);
            Assert.True(ZnDrawTime.TryParseIso(ZnDrawTime.FormatIso(t), out DateTime back));
            Assert.Equal(t, back);
        }, iter: Iterations);

    [Fact]
    public void Written_strings_are_ascii_and_parse_back() =>
        Gen.String.Sample(s =>
        {
            using var writer = new PythonJsonWriter();
            writer.WriteString(s);
            string json = writer.ToString();
            Assert.All(json, c => Assert.InRange(c, ' ', '~'));
            Assert.Equal(json, PythonJsonWriter.Serialize(TestData.Json(json)));
        }, iter: Iterations);

    private static void FeedEverything(RedisValue v)
    {
        const string k = "key";
        Only(() => UserMapping.FromHash(k, "u", [new HashEntry("createdAt", v)]));
        Only(() => UserMapping.FromHash(k, "u", [new HashEntry("userName", v), new HashEntry(v, v)]));
        Only(() => UserMapping.ParseRole(k, v));
        Only(() => RoomMapping.ParseCurrentFrame(v));
        Only(() => RoomMapping.FromValues("r", v, v, v, v));
        Only(() => RoomMapping.MetadataFromHash(k, [new HashEntry("file_size", v)]));
        Only(() => RoomMapping.MetadataFromHash(k, [new HashEntry("file_modified_timestamp", v)]));
        Only(() => RoomMapping.MetadataFromHash(k, [new HashEntry(v, v)]));
        Only(() => JobMapping.ParseStatus(k, "status", v));
        Only(() => JobMapping.ParseProvider(k, "provider", v));
        Only(() => FilesystemMapping.FromHash(k, [new HashEntry("name", v), new HashEntry("public", v)], ExtensionScope.Global, null));
        Only(() => FrameMapping.ParseMember(k, "r", v));
        Only(() => FrameMapping.BookmarksFromHash(k, [new HashEntry(v, v)], static ex => throw ex)); // what a listing reports
        Only(() => FrameMapping.ParseLabel(k, v, v));

        RoundTrip(() => ExtensionMapping.FromValue(k, "e", "c", ExtensionScope.Room, "r", v), s => ExtensionMapping.FromValue(k, "e", "c", ExtensionScope.Room, "r", ExtensionMapping.ToHashEntry(s).Value));
        RoundTrip(() => ExtensionMapping.ParseTask(k, v), t => ExtensionMapping.ParseTask(k, ExtensionMapping.FormatTask(t)));
        RoundTrip(() => GeometryMapping.Parse(k, "g", v), g => GeometryMapping.Parse(k, "g", GeometryMapping.Format(g)));
        RoundTrip(() => GeometryMapping.ParseFigure(k, "f", v), f => GeometryMapping.ParseFigure(k, "f", GeometryMapping.FormatFigure(f)));
        RoundTrip(() => SelectionMapping.ParseSelection(k, "g", v), s => SelectionMapping.ParseSelection(k, "g", SelectionMapping.FormatIndices(s.Indices)));
        RoundTrip(() => SelectionMapping.ParseGroup(k, "g", v), g => SelectionMapping.ParseGroup(k, "g", SelectionMapping.FormatGroup(g)));
        RoundTrip(() => SelectionMapping.ParseFrameSelection(k, "default", v), f => SelectionMapping.ParseFrameSelection(k, "default", SelectionMapping.FormatFrameSelection(f)));
        RoundTrip(() => ChatMapping.Parse(k, "m", v), m => ChatMapping.Parse(k, "m", ChatMapping.Format(m)));
        RoundTrip(() => LockMapping.ParseMetadata(k, v), m => LockMapping.ParseMetadata(k, LockMapping.FormatMetadata(m)));
        RoundTrip(() => SettingsMapping.FromHash(k, [new HashEntry("camera", v)]), s => SettingsMapping.FromHash(k, SettingsMapping.ToHashEntries(s)));
        RoundTrip(() => SettingsMapping.ParseJsonField(k, "f", v) is { } e ? new Figure(e) : null, f => SettingsMapping.ParseJsonField(k, "f", SettingsMapping.FormatJson(f.Value)) is { } e ? new Figure(e) : null);
        FeedJobField(JobMapping.DataField, v);
        FeedJobField(JobMapping.ResultField, v);
        FeedJobField(JobMapping.StartedAtField, v);
        FeedJobField(JobMapping.ExecutionTimeMsField, v);
    }

    private static void FeedJobField(string field, RedisValue v)
    {
        HashEntry[] job = TestData.Hash(
            ("id", "j"), ("room", "r"), ("category", "c"), ("extension", "e"), ("data", "{}"), ("user_name", "u"),
            ("status", "queued"), ("provider", "client"), ("created_at", "2025-10-31T12:00:00"));
        for (int i = 0; i < job.Length; i++)
        {
            if ((string?)job[i].Name == field)
            {
                job[i] = new HashEntry(field, v);
            }
        }

        HashEntry[] withExtra = [.. job, new HashEntry(field, v)];
        RoundTrip(() => JobMapping.FromHash("key", withExtra), j => JobMapping.FromHash("key", JobMapping.ToHashEntries(j)));
    }

    private static void Only(Action parse)
    {
        try
        {
            parse();
        }
        catch (StorageDataException)
        {
        }
    }

    private static void Only<T>(Func<T> parse) => Only(() => { _ = parse(); });

    /// <summary>Parses; when that succeeds, formatting the result and parsing again gives an equal model.</summary>
    private static void RoundTrip<T>(Func<T?> parse, Func<T, T?> reparse)
        where T : class
    {
        T? model;
        try
        {
            model = parse();
        }
        catch (StorageDataException)
        {
            return;
        }

        if (model is not null)
        {
            Assert.Equal(model, reparse(model));
        }
    }
}
