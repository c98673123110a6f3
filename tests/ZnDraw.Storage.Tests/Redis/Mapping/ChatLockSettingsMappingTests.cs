using StackExchange.Redis;
using ZnDraw.Storage.Contracts;
using ZnDraw.Storage.Models;
using ZnDraw.Storage.Redis.Mapping;
using ZnDraw.Storage.Tests.Models;

namespace ZnDraw.Storage.Tests.Redis.Mapping;

public class ChatMappingTests
{
    private const string Key = "room:r1:chat:data";

    [Fact]
    public void Chat_message_golden_is_byte_identical_after_round_trip()
    {
        const string stored = "{\"id\": \"msg_r1_1\", \"roomId\": \"r1\", \"author\": {\"id\": \"alice\"}, \"content\": \"Hello \\u00e9 \\ud83d\\ude00\", \"createdAt\": 1730376000123, \"updatedAt\": 1730376000123, \"isEdited\": false}";
        ChatMessage m = ChatMapping.Parse(Key, "msg_r1_1", TestData.Bytes(stored))!;
        Assert.Equal("Hello \u00e9 \U0001F600", m.Content);
        Assert.Equal("alice", m.Author);
        Assert.Equal(1730376000123, m.CreatedAt.ToUnixTimeMilliseconds());
        Assert.Equal(stored, (string?)ChatMapping.Format(m));
        Assert.Equal("msg_r1_1", ChatMessage.MessageId("r1", 1));

        ChatMessage edited = m with { Content = "Bye", UpdatedAt = m.UpdatedAt.AddSeconds(1), IsEdited = true };
        Assert.Equal(edited, ChatMapping.Parse(Key, edited.Id, ChatMapping.Format(edited)));
    }

    [Theory]
    [InlineData("{\"id\": \"m\", \"roomId\": \"r1\", \"author\": {\"id\": \"a\"}, \"content\": \"x\", \"createdAt\": 1}", "updatedAt")]
    [InlineData("{\"id\": \"m\", \"roomId\": \"r1\", \"author\": {}, \"content\": \"x\", \"createdAt\": 1, \"updatedAt\": 1}", "author.id")]
    [InlineData("{\"id\": \"m\", \"roomId\": \"r1\", \"author\": {\"id\": \"a\"}, \"content\": \"x\", \"createdAt\": \"1\", \"updatedAt\": 1}", null)]
    [InlineData("{\"id\": \"m\", \"roomId\": \"r1\", \"author\": {\"id\": \"a\"}, \"content\": \"x\", \"createdAt\": 1.5, \"updatedAt\": 1}", null)]
    [InlineData("{\"id\": \"m\", \"roomId\": \"r1\", \"author\": {\"id\": \"a\"}, \"content\": \"x\", \"createdAt\": 999999999999999999, \"updatedAt\": 1}", "createdAt")]
    [InlineData("null", null)]
    [InlineData("[", null)]
    [InlineData("", null)]
    [InlineData("[1]", null)]
    [InlineData("{\"id\": \"m\", \"roomId\": \"r1\", \"author\": {\"id\": \"a\"}, \"content\": \"x\", \"createdAt\": 1, \"updatedAt\": 1} {}", null)]
    [InlineData("{\"id\": \"m\", \"roomId\": \"r1\", \"author\": \"a\", \"content\": \"x\", \"createdAt\": 1, \"updatedAt\": 1}", null)]
    [InlineData("{\"id\": 7, \"roomId\": \"r1\", \"author\": {\"id\": \"a\"}, \"content\": \"x\", \"createdAt\": 1, \"updatedAt\": 1}", null)]
    [InlineData("{\"id\": \"m\", \"roomId\": \"r1\", \"author\": {\"id\": \"a\"}, \"content\": \"x\", \"createdAt\": 1, \"updatedAt\": 1, \"isEdited\": 1}", null)]
    [InlineData("{\"id\": \"m\", \"roomId\": null, \"author\": {\"id\": \"a\"}, \"content\": \"x\", \"createdAt\": 1, \"updatedAt\": 1}", "roomId")]
    [InlineData("{\"id\": \"m\", \"roomId\": \"r1\", \"author\": null, \"content\": \"x\", \"createdAt\": 1, \"updatedAt\": 1}", "author.id")]
    public void Bad_chat_message_is_a_storage_error(string stored, string? member)
    {
        var ex = Assert.Throws<StorageDataException>(() => ChatMapping.Parse(Key, "m", stored));
        Assert.Equal("m", ex.Field);
        if (member is not null)
        {
            Assert.Contains(member, ex.Message, StringComparison.Ordinal);
        }
    }
}

public class ChatMappingToleranceTests
{
    [Fact]
    public void Unknown_members_are_skipped_and_the_last_duplicate_wins_in_any_order()
    {
        const string stored = "{\"isEdited\": true, \"extra\": {\"nested\": [1, {\"id\": \"no\"}]}, \"content\": \"old\", \"author\": {\"avatar\": null, \"id\": \"bob\"}, \"updatedAt\": 2, \"createdAt\": 1, \"roomId\": \"r1\", \"id\": \"m\", \"content\": \"new\"}";
        ChatMessage m = ChatMapping.Parse("k", "m", TestData.Bytes(stored))!;
        Assert.Equal(new ChatMessage("m", "r1", "bob", "new", DateTimeOffset.FromUnixTimeMilliseconds(1), DateTimeOffset.FromUnixTimeMilliseconds(2), true), m);
    }

    [Fact]
    public void A_missing_or_null_isEdited_reads_as_not_edited()
    {
        const string stored = "{\"id\": \"m\", \"roomId\": \"r1\", \"author\": {\"id\": \"a\"}, \"content\": \"x\", \"createdAt\": 1, \"updatedAt\": 1, \"isEdited\": null}";
        Assert.False(ChatMapping.Parse("k", "m", TestData.Bytes(stored))!.IsEdited);
        Assert.Null(ChatMapping.Parse("k", "m", RedisValue.Null));
    }
}

public class LockMappingTests
{
    private const string MetaKey = "room:r1:lock:trajectory:meta:metadata";

    [Fact]
    public void Lock_metadata_keeps_client_fields_and_round_trips_byte_identical()
    {
        const string stored = "{\"userName\": \"alice\", \"timestamp\": \"2025-10-31T12:00:00.123456\", \"msg\": \"Uploading \\u00e9\", \"progress\": 0.5}";
        LockInfo info = LockMapping.FromValues(MetaKey, LockInfo.TrajectoryMetaTarget, TestData.Bytes("alice"), TimeSpan.FromSeconds(42), TestData.Bytes(stored))!;
        Assert.Equal("alice", info.Holder);
        Assert.Equal(TimeSpan.FromSeconds(42), info.TimeToLive);
        Assert.Equal("Uploading \u00e9", info.Metadata!.Message);
        Assert.Equal(2, info.Metadata.Extra.Length);
        Assert.Equal(stored, (string?)LockMapping.FormatMetadata(info.Metadata));
        Assert.Equal(info.Metadata, LockMapping.ParseMetadata(MetaKey, LockMapping.FormatMetadata(info.Metadata)));

        Assert.Null(LockMapping.FromValues(MetaKey, "t", RedisValue.Null, null, RedisValue.Null));
        Assert.Null(LockMapping.FromValues(MetaKey, "t", "bob", null, RedisValue.Null)!.Metadata);
    }

    [Theory]
    [InlineData("{\"timestamp\": \"2025-10-31T12:00:00\"}", "userName")]
    [InlineData("{\"userName\": \"a\"}", "timestamp")]
    [InlineData("{\"userName\": 1, \"timestamp\": \"2025-10-31T12:00:00\"}", "userName")]
    [InlineData("{\"userName\": \"a\", \"timestamp\": \"now\"}", "timestamp")]
    [InlineData("[]", null)]
    [InlineData("{", null)]
    public void Bad_lock_metadata_is_a_storage_error(string stored, string? field)
    {
        var ex = Assert.Throws<StorageDataException>(() => LockMapping.ParseMetadata(MetaKey, stored));
        Assert.Equal(MetaKey, ex.Key);
        Assert.Equal(field, ex.Field);
    }

    [Fact]
    public void Extra_member_cannot_shadow_fixed_members()
    {
        var m = new LockMetadata("a", DateTime.UtcNow, [new("userName", TestData.Json("\"b\""))]);
        Assert.Throws<ArgumentException>(() => LockMapping.FormatMetadata(m));
    }
}

public class SettingsMappingTests
{
    private const string Key = "room:r1:user:alice:settings";

    [Fact]
    public void Settings_sections_round_trip_byte_identical()
    {
        HashEntry[] stored = TestData.Hash(
            ("camera", "{\"camera\": \"PerspectiveCamera\", \"fov\": 75.0, \"near\": 0.1}"),
            ("studio_lighting", "{\"key_light\": 0.7, \"background_color\": \"default\"}"),
            ("property_inspector", "{\"enabled_properties\": []}"),
            ("pathtracing", "{\"enabled\": false, \"samples\": 256}"));
        UserRoomSettings settings = SettingsMapping.FromHash(Key, TestData.AsBytes(stored))!;
        Assert.Equal(RoomSettingsSections.All, settings.Sections.Select(s => s.Name));
        Assert.Equal("75.0", settings.Camera!.Value.GetProperty("fov").GetRawText());
        Assert.NotNull(settings.Pathtracing);
        Assert.Null(settings["other"]);

        HashEntry[] written = SettingsMapping.ToHashEntries(settings);
        Assert.Equal(TestData.ToDictionary(stored), TestData.ToDictionary(written));
        Assert.Equal(settings, SettingsMapping.FromHash(Key, written));
        Assert.Null(SettingsMapping.FromHash(Key, []));
    }

    [Fact]
    public void Section_must_be_a_json_object()
    {
        var ex = Assert.Throws<StorageDataException>(() => SettingsMapping.FromHash(Key, TestData.Hash(("camera", "[1]"))));
        Assert.Equal("camera", ex.Field);
        Assert.Equal("{\"a\": [1, 2.0]}", (string?)SettingsMapping.FormatJson(TestData.Json("{\"a\":[1,2.0]}")));
        Assert.Null(SettingsMapping.ParseJsonField(Key, "Rotate", RedisValue.Null));
    }
}

public class ExtensionAndFilesystemMappingTests
{
    [Fact]
    public void Extension_schema_round_trip()
    {
        const string schema = "{\"properties\": {\"angle\": {\"default\": 90.0, \"type\": \"number\"}}, \"title\": \"Rotate\", \"type\": \"object\"}";
        ExtensionSchema s = ExtensionMapping.FromValue("room:r1:extensions:modifiers", "Rotate", "modifiers", ExtensionScope.Room, "r1", TestData.Bytes(schema))!;
        HashEntry entry = ExtensionMapping.ToHashEntry(s);
        Assert.Equal("Rotate", (string?)entry.Name);
        Assert.Equal(schema, (string?)entry.Value);
        Assert.Equal([s], ExtensionMapping.FromHash("room:r1:extensions:modifiers", "modifiers", ExtensionScope.Room, "r1", [entry], ex => throw ex));
        Assert.Null(ExtensionMapping.FromValue("k", "x", "modifiers", ExtensionScope.Global, null, RedisValue.Null));
        var ex = Assert.Throws<StorageDataException>(() => ExtensionMapping.FromValue("k", "x", "modifiers", ExtensionScope.Global, null, "{"));
        Assert.Equal("x", ex.Field);
    }

    [Fact]
    public void Task_golden_and_round_trip()
    {
        const string client = "{\"user_name\": \"alice\", \"data\": {\"angle\": 90.0}, \"room\": \"r1\", \"jobId\": \"j1\"}";
        const string celery = "{\"user_name\": \"alice\", \"data\": {}, \"room\": \"r1\", \"jobId\": \"j2\", \"provider\": \"celery\"}";
        ExtensionTask a = ExtensionMapping.ParseTask("q", TestData.Bytes(client))!;
        ExtensionTask b = ExtensionMapping.ParseTask("q", TestData.Bytes(celery))!;
        Assert.Null(a.Provider);
        Assert.Equal(JobProvider.Celery, b.Provider);
        Assert.Equal(client, (string?)ExtensionMapping.FormatTask(a));
        Assert.Equal(celery, (string?)ExtensionMapping.FormatTask(b));
        Assert.Equal(a, ExtensionMapping.ParseTask("q", ExtensionMapping.FormatTask(a)));
        Assert.Null(ExtensionMapping.ParseTask("q", RedisValue.Null));
        Assert.Throws<StorageDataException>(() => ExtensionMapping.ParseTask("q", "{\"user_name\": \"a\", \"room\": \"r\", \"jobId\": \"j\"}"));
        Assert.Throws<StorageDataException>(() => ExtensionMapping.ParseTask("q", "{\"user_name\": \"a\", \"data\": 1, \"room\": \"r\", \"jobId\": \"j\", \"provider\": \"x\"}"));
    }

    [Fact]
    public void Filesystem_round_trip_uses_true_false()
    {
        HashEntry[] stored = TestData.Hash(("name", "data"), ("fsType", "LocalFileSystem"), ("workerId", "sid1"), ("userName", "alice"), ("public", "true"));
        FilesystemInfo fs = FilesystemMapping.FromHash("global:filesystems:data", TestData.AsBytes(stored), ExtensionScope.Global, null)!;
        Assert.Equal(new FilesystemInfo("data", "LocalFileSystem", "sid1", "alice", true, ExtensionScope.Global), fs);
        Assert.Equal(TestData.ToDictionary(stored), TestData.ToDictionary(FilesystemMapping.ToHashEntries(fs)));
        Assert.False(FilesystemMapping.FromHash("k", TestData.Hash(("name", "d"), ("fsType", "t"), ("workerId", "w"), ("userName", "u"), ("public", "1")), ExtensionScope.Global, null)!.IsPublic);
        var ex = Assert.Throws<StorageDataException>(() => FilesystemMapping.FromHash("k", TestData.Hash(("name", "d")), ExtensionScope.Global, null));
        Assert.Equal("fsType", ex.Field);
        Assert.Null(FilesystemMapping.FromHash("k", [], ExtensionScope.Global, null));

        // The script form: the same pairs, written at an offset into an argument array.
        var args = new RedisValue[3 + (2 * FilesystemMapping.FieldCount)];
        FilesystemMapping.WritePairs(fs, args, 3);
        Assert.True(args[..3].All(a => a.IsNull));
        Assert.Equal(FilesystemMapping.ToHashEntries(fs).SelectMany(e => new[] { e.Name, e.Value }), args[3..]);
    }
}
