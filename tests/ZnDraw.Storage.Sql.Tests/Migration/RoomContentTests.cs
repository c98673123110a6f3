using System.Text.Json;
using ZnDraw.Storage.Contracts;
using ZnDraw.Storage.Models;
using ZnDraw.Storage.Sql.Tests.Infrastructure;

namespace ZnDraw.Storage.Sql.Tests.Migration;

/// <summary>
/// <see cref="IRoomContentListing"/> and <see cref="IRoomContentImport"/> on every backend: what is imported reads back
/// through the contracts exactly as given, imports replace the part whole, listings are sorted.
/// </summary>
public abstract class RoomContentTests(IStoreFactory stores) : IAsyncLifetime
{
    private TestStore _store = null!;

    private IRoomContentListing Listing => _store.Get<IRoomContentListing>();

    private IRoomContentImport Import => _store.Get<IRoomContentImport>();

    public async Task InitializeAsync() => _store = await stores.CreateAsync();

    public async Task DisposeAsync() => await _store.DisposeAsync();

    private static JsonElement Json(string text) => JsonDocument.Parse(text).RootElement.Clone();

    [Fact]
    public async Task An_imported_trajectory_keeps_its_scores_and_replaces_the_old_one()
    {
        string room = RedisFixture.NewId("room");
        await _store.Get<IFrameRepository>().AppendAsync(room, [new FrameIndex(room, 9)]);
        TrajectoryEntry[] entries =
        [
            new(new FrameIndex("source", 2), -1.0), new(new FrameIndex(room, 0), 0.5), new(new FrameIndex(room, 1), 0.5), new(new FrameIndex(room, 3), 0.75),
        ];

        await Import.ReplaceTrajectoryAsync(room, entries);

        Assert.Equal(entries, await _store.Get<IFrameRepository>().GetRangeAsync(room));
        await _store.Get<IFrameRepository>().InsertAsync(room, 4, new FrameIndex(room, 4));
        Assert.Equal(1.75, (await _store.Get<IFrameRepository>().GetRangeAsync(room))[^1].Score);
        await Import.ReplaceTrajectoryAsync(room, []);
        Assert.Equal(0, await _store.Get<IFrameRepository>().CountAsync(room));
    }

    [Fact]
    public async Task A_bad_trajectory_is_refused_and_nothing_changes()
    {
        string room = RedisFixture.NewId("room");
        TrajectoryEntry[] kept = [new(new FrameIndex(room, 0), 1.0)];
        await Import.ReplaceTrajectoryAsync(room, kept);

        await Assert.ThrowsAsync<ArgumentException>(() => Import.ReplaceTrajectoryAsync(room, [new(new FrameIndex(room, 0), 1.0), new(new FrameIndex(room, 0), 2.0)]).AsTask());
        await Assert.ThrowsAsync<ArgumentException>(() => Import.ReplaceTrajectoryAsync(room, [new(new FrameIndex(room, 0), 2.0), new(new FrameIndex(room, 1), 1.0)]).AsTask());
        await Assert.ThrowsAsync<ArgumentException>(() => Import.ReplaceTrajectoryAsync(room, [new(new FrameIndex(room, 0), double.NaN)]).AsTask());
        await Assert.ThrowsAsync<ArgumentException>(() => Import.ReplaceTrajectoryAsync("bad:room", kept).AsTask());

        Assert.Equal(kept, await _store.Get<IFrameRepository>().GetRangeAsync(room));
    }

    [Fact]
    public async Task An_imported_chat_keeps_ids_authors_times_and_edits_and_the_next_post_continues_the_counter()
    {
        string room = RedisFixture.NewId("room");
        var chat = _store.Get<IChatRepository>();
        await chat.PostAsync(room, "someone", "replaced by the import");
        var t0 = new DateTimeOffset(2025, 10, 31, 12, 0, 0, TimeSpan.Zero);
        ChatMessage[] messages =
        [
            new(ChatMessage.MessageId(room, 2), room, "alice", "first ✓", t0, t0),
            new(ChatMessage.MessageId(room, 3), room, "bob", "same millisecond, edited", t0, t0.AddSeconds(5), IsEdited: true),
            new(ChatMessage.MessageId(room, 7), room, "alice", "later", t0.AddMinutes(1), t0.AddMinutes(1)),
        ];

        await Import.ReplaceChatAsync(room, messages, counter: 9);

        Assert.Equal(messages, await Listing.ListChatMessagesAsync(room));
        Assert.Equal(9, await Listing.GetChatCounterAsync(room));
        Assert.Equal(3, await chat.CountAsync(room));
        Assert.Equal(messages[1], await chat.GetAsync(room, messages[1].Id));
        Assert.Null(await chat.GetAsync(room, ChatMessage.MessageId(room, 1)));
        Assert.Equal(messages.Reverse(), (await chat.GetPageAsync(room, 10)).Messages);
        Assert.Equal(ChatMessage.MessageId(room, 10), (await chat.PostAsync(room, "bob", "next")).Id);

        await Import.ReplaceChatAsync(room, [], counter: 0);

        Assert.Empty(await Listing.ListChatMessagesAsync(room));
        Assert.Equal(0, await Listing.GetChatCounterAsync(room));
        Assert.Equal(ChatMessage.MessageId(room, 1), (await chat.PostAsync(room, "bob", "again")).Id);
    }

    [Fact]
    public async Task Listings_name_frame_selection_groups_settings_users_and_extension_data_sorted_without_the_settings_category()
    {
        string room = RedisFixture.NewId("room");
        var frames = _store.Get<IFrameRepository>();
        var settings = _store.Get<ISettingsRepository>();
        await frames.SetFrameSelectionAsync(room, new FrameSelection("zeta", [1]));
        await frames.SetFrameSelectionAsync(room, new FrameSelection(FrameSelection.DefaultGroup, [0]));
        await settings.SetSectionAsync(room, "bob", RoomSettingsSections.Camera, Json("""{"fov": 60}"""));
        await settings.SetSectionAsync(room, "alice", RoomSettingsSections.Camera, Json("""{"fov": 70}"""));
        await settings.SetExtensionDataAsync(room, "bob", "modifiers", "Rotate", Json("""{"angle": 1}"""));
        await settings.SetExtensionDataAsync(room, "alice", "selections", "All:Atoms", Json("[1]"));
        await settings.SetExtensionDataAsync(room, "alice", "modifiers", "Scale", Json("2.0"));
        await settings.SetExtensionDataAsync(room, "carol", "settings", "pathtracing", Json("""{"enabled": true}"""));

        Assert.Equal(new[] { FrameSelection.DefaultGroup, "zeta" }, await Listing.ListFrameSelectionGroupsAsync(room));
        Assert.Equal(new[] { "alice", "bob", "carol" }, await Listing.ListSettingsUsersAsync(room));
        Assert.Equal(
            new[] { new ExtensionDataKey("alice", "modifiers", "Scale"), new ExtensionDataKey("alice", "selections", "All:Atoms"), new ExtensionDataKey("bob", "modifiers", "Rotate") },
            await Listing.ListExtensionDataAsync(room));
        Assert.Empty(await Listing.ListFrameSelectionGroupsAsync(RedisFixture.NewId("empty")));
        Assert.Empty(await Listing.ListExtensionDataAsync(RedisFixture.NewId("empty")));
        Assert.Equal(0, await Listing.GetChatCounterAsync(RedisFixture.NewId("empty")));
    }

    [Fact]
    public async Task Members_metadata_and_the_active_group_are_replaced_whole_without_a_room_and_without_touching_users()
    {
        string room = RedisFixture.NewId("room");
        var rooms = _store.Get<IRoomRepository>();
        var geometries = _store.Get<IGeometryRepository>();

        await Import.ReplaceMembersAsync(room, ["zoe", "adam", "user with space"]);
        await Import.ReplaceMetadataAsync(room, RoomMetadata.ForFile("a.xyz", 10, DateTimeOffset.UnixEpoch));
        await geometries.SetSelectionAsync(room, new Selection("particles", [4]));
        await Import.SetActiveSelectionGroupAsync(room, "not-loaded");

        Assert.False(await rooms.ExistsAsync(room));
        Assert.False(await _store.Get<IUserRepository>().ExistsAsync("zoe"));
        Assert.Equal(new[] { "adam", "user with space", "zoe" }, await rooms.GetUsersAsync(room));
        Assert.Equal(RoomMetadata.ForFile("a.xyz", 10, DateTimeOffset.UnixEpoch), await rooms.GetMetadataAsync(room));
        Assert.Equal("not-loaded", await geometries.GetActiveSelectionGroupAsync(room));
        Assert.Equal(new Selection("particles", [4]), await geometries.GetSelectionAsync(room, "particles"));

        await Import.ReplaceMembersAsync(room, ["bea"]);
        await Import.ReplaceMetadataAsync(room, new RoomMetadata([new("only", "field")]));
        await Import.SetActiveSelectionGroupAsync(room, null);

        Assert.Equal(new[] { "bea" }, await rooms.GetUsersAsync(room));
        Assert.Equal(new RoomMetadata([new("only", "field")]), await rooms.GetMetadataAsync(room));
        Assert.Null(await geometries.GetActiveSelectionGroupAsync(room));

        await Import.ReplaceMembersAsync(room, []);
        await Import.ReplaceMetadataAsync(room, null);
        Assert.Empty(await rooms.GetUsersAsync(room));
        Assert.Null(await rooms.GetMetadataAsync(room));
    }
}

[Collection(RedisCollection.Name)]
public sealed class RoomContentOnRedisTests(RedisFixture redis) : RoomContentTests(RedisStores.Prefixed(redis));

[Collection(SqliteCollection.Name)]
public sealed class RoomContentOnSqliteTests(RedisFixture redis) : RoomContentTests(SqlStores.Sqlite(redis));

[Collection(PostgresCollection.Name)]
public sealed class RoomContentOnPostgresTests(RedisFixture redis) : RoomContentTests(SqlStores.Postgres(redis));
