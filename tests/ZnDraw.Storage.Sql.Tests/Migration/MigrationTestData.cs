using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;
using StackExchange.Redis;
using ZnDraw.Storage.Contracts;
using ZnDraw.Storage.Models;
using ZnDraw.Storage.Services;

namespace ZnDraw.Storage.Sql.Tests.Migration;

/// <summary>What a seeded source holds: the ids to read back.</summary>
public sealed record SeededSource(IReadOnlyList<string> Users, IReadOnlyList<string> Rooms);

/// <summary>Source data for the migration tests: written through the Redis repositories, or with raw commands as ZnDraw writes it.</summary>
public static class MigrationTestData
{
    private static JsonElement Json(string text) => JsonDocument.Parse(text).RootElement.Clone();

    /// <summary>Users, rooms with every persistent part, a room never created (chat only), an admin flag without a user, the default room.</summary>
    public static async Task<SeededSource> SeedThroughRepositoriesAsync(TestStore store, int rooms = 2)
    {
        var users = store.Get<IUserRepository>();
        var roomRepo = store.Get<IRoomRepository>();
        var frames = store.Get<IFrameRepository>();
        var bookmarks = store.Get<IBookmarkRepository>();
        var geometries = store.Get<IGeometryRepository>();
        var chat = store.Get<IChatRepository>();
        var settings = store.Get<ISettingsRepository>();

        string alice = RedisFixture.NewId("alice");
        string bob = RedisFixture.NewId("bob");
        string guest = RedisFixture.NewId("user");
        string envAdmin = RedisFixture.NewId("envadmin");
        foreach (string name in new[] { alice, bob, guest })
        {
            Assert.True(await users.CreateAsync(new User(name)));
            store.Time.Advance(TimeSpan.FromMilliseconds(1234.5678));
        }

        string salt = ZnDrawPasswordHash.NewSalt();
        Assert.True(await users.RegisterPasswordAsync(alice, ZnDrawPasswordHash.Compute("s3cret", salt), salt));
        string bobSalt = ZnDrawPasswordHash.NewSalt();
        Assert.True(await users.RegisterPasswordAsync(bob, ZnDrawPasswordHash.Compute("hunter2", bobSalt), bobSalt));
        await users.SetAdminAsync(alice, true);
        await users.SetAdminAsync(envAdmin, true); // ZnDraw flags the env-configured admin before the user exists
        Assert.True(await users.TouchLastActivityAsync(bob));
        Assert.True(await users.SetCurrentSidAsync(bob, "sid-" + Guid.NewGuid().ToString("N")));

        var ids = new List<string>();
        for (int n = 0; n < rooms; n++)
        {
            string room = RedisFixture.NewId("room");
            ids.Add(room);
            Assert.True(await roomRepo.CreateAsync(room, $"Room {n}: ünïcode ✓"));
            Assert.True(await roomRepo.SetLockedAsync(room, n % 2 == 0));
            Assert.True(await roomRepo.SetHiddenAsync(room, true));
            Assert.True(await roomRepo.SetMetadataAsync(room, RoomMetadata.ForFile($"data/file{n}.xyz", 1234 + n, new DateTimeOffset(2025, 10, 31, 12, 0, 0, TimeSpan.Zero))));
            Assert.True(await roomRepo.AddUserAsync(room, alice));
            Assert.True(await roomRepo.AddUserAsync(room, bob));

            // Scores 1, 2, 3, 4, 5, then an insert at 2 (2.5), a delete, an insert at 0 (0.0): not 0, 1, 2, ….
            await frames.AppendAsync(room, [.. Enumerable.Range(0, 5).Select(i => new FrameIndex(room, i))]);
            await frames.InsertAsync(room, 2, new FrameIndex(room, 10));
            await frames.DeleteAsync(room, [4]);
            await frames.InsertAsync(room, 0, new FrameIndex("template-room", 3), CancellationToken.None);
            Assert.True(await roomRepo.SetCurrentFrameAsync(room, 3));
            await frames.SetFrameSelectionAsync(room, new FrameSelection(FrameSelection.DefaultGroup, [0, 2, 4]));
            await frames.SetFrameSelectionAsync(room, new FrameSelection("other", [1]));
            await bookmarks.SetAsync(room, 1, "first");
            await bookmarks.SetAsync(room, 4, "läst");

            await geometries.SetAsync(room, "arrows", new Geometry(GeometryTypes.Arrow, Json("""{"position": [[0, 0, 0]], "scale": 1.0, "color": "#ff0000"}""")));
            await geometries.DeleteAsync(room, "curve");
            await geometries.SetFigureAsync(room, "energy", new Figure(Json("""{"data": [{"x": [1, 2, 3], "y": [0.5, 1e-3, -2]}], "layout": {}}""")));
            await geometries.SetFigureAsync(room, "empty", new Figure(Json("{}")));
            await geometries.SetSelectionAsync(room, new Selection("particles", [3, 1, 2]));
            await geometries.SetSelectionGroupAsync(room, new SelectionGroup("group-a", [new Selection("particles", [1]), new Selection("bonds", [0, 2])]));
            await geometries.SetSelectionGroupAsync(room, new SelectionGroup("group-b", [new Selection("particles", [])]));
            Assert.True(await geometries.LoadSelectionGroupAsync(room, "group-a"));

            ChatMessage first = await chat.PostAsync(room, alice, "hello");
            await chat.PostAsync(room, bob, "same millisecond");
            store.Time.Advance(TimeSpan.FromSeconds(3));
            await chat.PostAsync(room, bob, "later ✓");
            store.Time.Advance(TimeSpan.FromSeconds(1));
            Assert.Equal(ChatEditStatus.Edited, (await chat.EditAsync(room, first.Id, alice, "hello, edited")).Status);

            await settings.SetSectionAsync(room, alice, RoomSettingsSections.Camera, Json("""{"fov": 75, "near": 0.1, "position": [1.0, 2.0, 3.0]}"""));
            await settings.SetSectionAsync(room, alice, RoomSettingsSections.StudioLighting, Json("""{"intensity": 1.5}"""));
            await settings.SetSectionAsync(room, bob, RoomSettingsSections.Pathtracing, Json("""{"enabled": false}"""));
            await settings.SetExtensionDataAsync(room, alice, "modifiers", "Rotate", Json("""{"angle": 90, "axis": "z"}"""));
            await settings.SetExtensionDataAsync(room, bob, "selections", "Radius:Cutoff", Json("[1, 2, 3]"));
        }

        Assert.True(await roomRepo.SetDefaultRoomAsync(ids[0]));

        // Room-scoped data of a room that was never created (as ZnDraw and Redis allow): listed after the reindex.
        string orphan = RedisFixture.NewId("orphan");
        await chat.PostAsync(orphan, guest, "anyone here?");
        ids.Add(orphan);

        return new SeededSource([alice, bob, envAdmin, guest], ids);
    }

    /// <summary>The raw ZnDraw room's id; <see cref="WriteRawZnDrawAsync"/> writes it under the given prefix.</summary>
    public const string RawRoom = "lobby";

    /// <summary>
    /// Writes a room, two users and the default room with the commands ZnDraw's server sends (no index sets, no key
    /// registries, Python <c>json.dumps</c> values), plus ephemeral keys that must not be migrated.
    /// </summary>
    public static async Task<SeededSource> WriteRawZnDrawAsync(IDatabase db, string prefix)
    {
        string r = prefix + "room:" + RawRoom + ":";
        var batch = new List<Task>
        {
            // Room creation (one MULTI in ZnDraw), a PATCH of hidden, a frame jump.
            db.StringSetAsync(r + "description", "A room ZnDraw made"),
            db.StringSetAsync(r + "current_frame", "2"),
            db.StringSetAsync(r + "locked", "0"),
            db.StringSetAsync(r + "hidden", "1"),
            db.HashSetAsync(r + "geometries", [.. DefaultGeometries.All.Select(g => new HashEntry(g.Name, g.Json))]),
            db.HashSetAsync(r + "metadata", [new("relative_file_path", "s22/ethanol.xyz"), new("file_size", "4096"), new("file_modified_timestamp", "2025-10-31T12:00:00+00:00")]),
            db.SetAddAsync(r + "users", ["alice", "user-1a2b3c4d"]),

            // Frames: appends 1.0, 2.0, an insert at 1 (1.5), a frame of a copied room, a legacy bare index.
            db.SortedSetAddAsync(r + "trajectory:indices", [new($"{RawRoom}:0", 1.0), new($"{RawRoom}:1", 2.0), new($"{RawRoom}:2", 1.5), new("s22:5", 3.0), new("7", 4.0)]),
            db.StringSetAsync(r + "frame_selection:default", "[0, 1]"),
            db.HashSetAsync(r + "bookmarks", [new("0", "start"), new("3", "template frame")]),
            db.HashSetAsync(r + "figures", [new("rdf", """{"data": [{"x": [0.0, 0.5], "y": [0, 1]}], "layout": {"title": "RDF"}}""")]),
            db.HashSetAsync(r + "selections", [new("particles", "[1, 2]")]),
            db.HashSetAsync(r + "selection_groups", [new("carbons", """{"particles": [0, 3], "bonds": []}""")]),
            db.StringSetAsync(r + "active_selection_group", "carbons"),

            // Chat: INCR then a MULTI with HSET + ZADD; message 2 edited.
            db.StringSetAsync(r + "chat:counter", "3"),
            db.HashSetAsync(r + "chat:data",
            [
                new($"msg_{RawRoom}_1", $$"""{"id": "msg_{{RawRoom}}_1", "roomId": "{{RawRoom}}", "author": {"id": "alice"}, "content": "hi \u00e9", "createdAt": 1761912000000, "updatedAt": 1761912000000, "isEdited": false}"""),
                new($"msg_{RawRoom}_2", $$"""{"id": "msg_{{RawRoom}}_2", "roomId": "{{RawRoom}}", "author": {"id": "user-1a2b3c4d"}, "content": "typo fixed", "createdAt": 1761912000000, "updatedAt": 1761912060000, "isEdited": true}"""),
                new($"msg_{RawRoom}_3", $$"""{"id": "msg_{{RawRoom}}_3", "roomId": "{{RawRoom}}", "author": {"id": "alice"}, "content": "bye", "createdAt": 1761912120000, "updatedAt": 1761912120000, "isEdited": false}"""),
            ]),
            db.SortedSetAddAsync(r + "chat:index", [new($"msg_{RawRoom}_1", 1761912000000), new($"msg_{RawRoom}_2", 1761912000000), new($"msg_{RawRoom}_3", 1761912120000)]),

            // Settings of the creator (one HSET per section) and extension form data.
            db.HashSetAsync(r + "user:alice:settings", [new("camera", """{"fov": 60, "position": [0.0, 0.0, 10.0]}"""), new("studio_lighting", """{"key_light": 0.7}""")]),
            db.HashSetAsync(r + "user:alice:modifiers", [new("Rotate", """{"angle": 45.0}"""), new("Translate", """{"x": 1}""")]),

            // Users: alice registered and admin, a guest; the default room.
            db.HashSetAsync(prefix + "user:alice",
            [
                new("userName", "alice"), new("createdAt", "2025-10-31T12:00:00.123456"), new("lastLogin", "2025-10-31T13:00:00"),
                new("passwordHash", "1e6ac894fd19240b9821e0bc46f7dfb91c6a58d659288a080b633e98b99b248a"), new("passwordSalt", "00112233445566778899aabbccddeeff"),
                new("currentRoom", RawRoom), new("currentSid", ""), new("lastActivity", "2025-10-31T13:00:01.5"),
            ]),
            db.StringSetAsync(prefix + "admin:user:alice", "1"),
            db.HashSetAsync(prefix + "user:user-1a2b3c4d", [new("userName", "user-1a2b3c4d"), new("createdAt", "2025-10-31T12:30:00"), new("lastLogin", "2025-10-31T12:30:00"), new("currentRoom", RawRoom), new("currentSid", "abc123")]),
            db.StringSetAsync(prefix + "default_room", RawRoom),

            // Ephemeral: a lock with its metadata, a session. Never migrated.
            db.StringSetAsync(r + "lock:trajectory:meta", "alice", TimeSpan.FromSeconds(60)),
            db.StringSetAsync(r + "lock:trajectory:meta:metadata", """{"userName": "alice", "msg": "editing"}""", TimeSpan.FromSeconds(60)),
            db.StringSetAsync(prefix + "sid:abc123", "user-1a2b3c4d"),
        };
        await Task.WhenAll(batch);
        return new SeededSource(["alice", "user-1a2b3c4d"], [RawRoom]);
    }

    /// <summary>Deletes every key under <paramref name="prefix"/> (the test's source key space).</summary>
    public static async Task DeleteKeysAsync(RedisFixture redis, string prefix)
    {
        var db = redis.Database;
        foreach (var server in redis.Connection.GetServers())
        {
            var keys = new List<RedisKey>();
            await foreach (var key in server.KeysAsync(db.Database, prefix + "*", 1000))
            {
                keys.Add(key);
            }

            foreach (var chunk in keys.Chunk(500))
            {
                await db.KeyDeleteAsync(chunk);
            }
        }
    }

    /// <summary>
    /// Reads every aggregate back from both stores through the contracts (not through the migration's own snapshot code)
    /// and asserts they are equal.
    /// </summary>
    public static async Task AssertSameThroughContractsAsync(TestStore source, TestStore target, SeededSource seeded)
    {
        var su = source.Get<IUserRepository>();
        var tu = target.Get<IUserRepository>();
        foreach (string name in seeded.Users)
        {
            Assert.Equal(await su.GetByIdAsync(name), await tu.GetByIdAsync(name));
            var sc = await su.GetCredentialsAsync(name);
            var tc = await tu.GetCredentialsAsync(name);
            Assert.Equal((sc?.PasswordHash, sc?.PasswordSalt), (tc?.PasswordHash, tc?.PasswordSalt));
            Assert.Equal(await su.IsAdminAsync(name), await tu.IsAdminAsync(name));
            Assert.Equal(await su.GetRoleAsync(name), await tu.GetRoleAsync(name));
        }

        Assert.Equal(await su.ListAdminsAsync(), await tu.ListAdminsAsync());
        Assert.Equal(await source.Get<IRoomRepository>().GetDefaultRoomAsync(), await target.Get<IRoomRepository>().GetDefaultRoomAsync());

        foreach (string room in seeded.Rooms)
        {
            await AssertRoomSameAsync(source, target, room);
        }
    }

    private static async Task AssertRoomSameAsync(TestStore source, TestStore target, string room)
    {
        var sr = source.Get<IRoomRepository>();
        var tr = target.Get<IRoomRepository>();
        Assert.Equal(await sr.GetWithFrameCountAsync(room), await tr.GetWithFrameCountAsync(room));
        Assert.Equal(await sr.GetMetadataAsync(room), await tr.GetMetadataAsync(room));
        Assert.Equal(await sr.GetUsersAsync(room), await tr.GetUsersAsync(room));

        var sf = source.Get<IFrameRepository>();
        var tf = target.Get<IFrameRepository>();
        Assert.Equal(await sf.GetRangeAsync(room), await tf.GetRangeAsync(room));
        foreach (string group in new[] { FrameSelection.DefaultGroup, "other" })
        {
            Assert.Equal(await sf.GetFrameSelectionAsync(room, group), await tf.GetFrameSelectionAsync(room, group));
        }

        Assert.Equal(await source.Get<IBookmarkRepository>().GetAllAsync(room), await target.Get<IBookmarkRepository>().GetAllAsync(room));

        var sg = source.Get<IGeometryRepository>();
        var tg = target.Get<IGeometryRepository>();
        Assert.Equal(ByKey(await sg.GetAllAsync(room)), ByKey(await tg.GetAllAsync(room)));
        var figures = (await sg.ListFigureNamesAsync(room)).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(figures, (await tg.ListFigureNamesAsync(room)).Order(StringComparer.Ordinal).ToArray());
        foreach (string figure in figures)
        {
            Assert.Equal(await sg.GetFigureAsync(room, figure), await tg.GetFigureAsync(room, figure));
        }

        Assert.Equal((await sg.GetSelectionsAsync(room)).OrderBy(s => s.Geometry, StringComparer.Ordinal), (await tg.GetSelectionsAsync(room)).OrderBy(s => s.Geometry, StringComparer.Ordinal));
        foreach (var group in await sg.GetSelectionGroupsAsync(room))
        {
            var copied = await tg.GetSelectionGroupAsync(room, group.Name);
            Assert.NotNull(copied);
            Assert.Equal(group.Selections.OrderBy(s => s.Geometry, StringComparer.Ordinal), copied.Selections.OrderBy(s => s.Geometry, StringComparer.Ordinal));
        }

        Assert.Equal((await sg.GetSelectionGroupsAsync(room)).Count, (await tg.GetSelectionGroupsAsync(room)).Count);
        Assert.Equal(await sg.GetActiveSelectionGroupAsync(room), await tg.GetActiveSelectionGroupAsync(room));

        var sc = source.Get<IChatRepository>();
        var tc = target.Get<IChatRepository>();
        Assert.Equal(await sc.CountAsync(room), await tc.CountAsync(room));
        var page = await sc.GetPageAsync(room, ChatPage.MaxLimit);
        Assert.Equal(page.Messages.OrderBy(m => m.Id, StringComparer.Ordinal), (await tc.GetPageAsync(room, ChatPage.MaxLimit)).Messages.OrderBy(m => m.Id, StringComparer.Ordinal));
        foreach (var message in page.Messages)
        {
            Assert.Equal(message, await tc.GetAsync(room, message.Id));
        }

        var listing = source.Get<IRoomContentListing>();
        var ss = source.Get<ISettingsRepository>();
        var ts = target.Get<ISettingsRepository>();
        foreach (string user in await listing.ListSettingsUsersAsync(room))
        {
            Assert.Equal(Sections(await ss.GetAllAsync(room, user)), Sections(await ts.GetAllAsync(room, user)));
        }

        foreach (var key in await listing.ListExtensionDataAsync(room))
        {
            var expected = await ss.GetExtensionDataAsync(room, key.UserName, key.Category, key.Extension);
            var actual = await ts.GetExtensionDataAsync(room, key.UserName, key.Category, key.Extension);
            Assert.NotNull(actual);
            Assert.True(JsonElement.DeepEquals(expected!.Value, actual.Value), $"extension data {key}");
        }
    }

    /// <summary>The next post continues the source's numbering.</summary>
    public static async Task AssertChatContinuesAsync(TestStore source, TestStore target, string room, string author)
    {
        long counter = await source.Get<IRoomContentListing>().GetChatCounterAsync(room);
        var posted = await target.Get<IChatRepository>().PostAsync(room, author, "after the migration");
        Assert.Equal(ChatMessage.MessageId(room, counter + 1), posted.Id);
    }

    private static Dictionary<string, Geometry> ByKey(IReadOnlyList<KeyValuePair<string, Geometry>> geometries) =>
        geometries.ToDictionary(g => g.Key, g => g.Value, StringComparer.Ordinal);

    private static RoomSettingsSection[] Sections(UserRoomSettings? settings) =>
        settings is null ? [] : [.. settings.Sections.OrderBy(s => s.Name, StringComparer.Ordinal)];

    /// <summary>Endpoints of two test stores.</summary>
    public static (StorageMigrationEndpoint Source, StorageMigrationEndpoint Target) Endpoints(TestStore source, TestStore target) =>
        (StorageMigrationEndpoint.FromServices(source.Services), StorageMigrationEndpoint.FromServices(target.Services));

    /// <summary>Formats a throughput line.</summary>
    public static string Throughput(string what, StorageMigrationResult result) =>
        string.Create(CultureInfo.InvariantCulture, $"{what}: {result.Total} aggregates in {result.Elapsed.TotalMilliseconds:F0} ms = {result.AggregatesPerSecond:F0} aggregates/s (written {result.Written}, skipped {result.Skipped})");
}

/// <summary>Records progress reports synchronously, in the order they are made (unlike <see cref="Progress{T}"/>, which posts them).</summary>
public sealed class ProgressRecorder(Action<StorageMigrationProgress>? onReport = null) : IProgress<StorageMigrationProgress>
{
    private readonly List<StorageMigrationProgress> _reports = [];

    public IReadOnlyList<StorageMigrationProgress> Reports
    {
        get
        {
            lock (_reports)
            {
                return [.. _reports];
            }
        }
    }

    public void Report(StorageMigrationProgress value)
    {
        lock (_reports)
        {
            _reports.Add(value);
        }

        onReport?.Invoke(value);
    }
}
