using System.Data.Common;
using System.Globalization;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Microsoft.Extensions.DependencyInjection;
using ZnDraw.Storage.Contracts;
using ZnDraw.Storage.Benchmarks.Infrastructure;
using ZnDraw.Storage.Benchmarks.Repositories;
using ZnDraw.Storage.Models;

namespace ZnDraw.Storage.Benchmarks.Sql;

/// <summary>
/// SQL repositories (rooms, users, frames, settings) against hand-written ADO.NET twins: the same statements, the same
/// parameters in the same order, the same transaction shape (reads without one, writes in one), decoded into the same
/// models, on SQLite and PostgreSQL.
/// </summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
[FullRunOnly]
public class SqlTwinBenchmarks : SqlBenchmark
{
    private const string RoomId = "bench-room";
    private const string UserName = "bench-user";
    private const string Description = "a room for benchmarks";
    private const int Frames = 100;

    private static readonly DateTime Created = new DateTime(2025, 10, 31, 12, 0, 5, DateTimeKind.Utc).AddTicks(1_234_560);
    private static readonly DateTime LoggedIn = new(2025, 11, 2, 8, 30, 0, DateTimeKind.Utc);

    // The library's statements, word for word (src/ZnDraw.Storage.Sql/Repositories).
    private const string GetRoomSql = "SELECT description, locked, hidden, current_frame FROM rooms WHERE id = @id";
    private const string RoomExistsSql = "SELECT 1 FROM rooms WHERE id = @id";
    private const string SetDescriptionSql = "UPDATE rooms SET description = @value WHERE id = @id";
    private const string GetUserSql =
        "SELECT created_at, last_login, last_activity, current_room, current_sid, password_hash IS NOT NULL FROM users WHERE user_name = @n";
    private const string SetCurrentRoomSql = "UPDATE users SET current_room = @v WHERE user_name = @n";
    private const string FrameCountSql = "SELECT COUNT(*) FROM room_frames WHERE room_id = @room;\n";
    private const string BookmarksAllSql = "SELECT frame, label FROM room_bookmarks WHERE room_id = @room ORDER BY frame;";
    private const string LockRoomSql = "SELECT pg_advisory_xact_lock(2054055538, hashtext(@room));\n";
    private const string BookmarkSetSql = """
        INSERT INTO room_bookmarks (room_id, frame, label)
        SELECT @room, @frame, @label WHERE (SELECT COUNT(*) FROM room_frames WHERE room_id = @room) > @frame
        ON CONFLICT (room_id, frame) DO UPDATE SET label = excluded.label
        RETURNING frame;

        """ + FrameCountSql;
    private const string ChatPostSql = """
        INSERT INTO room_chat_counters (room_id, last_number) VALUES (@room, 1)
        ON CONFLICT (room_id) DO UPDATE SET last_number = room_chat_counters.last_number + 1;
        INSERT INTO room_chat_messages (room_id, number, id, author, content, created_at, updated_at, is_edited)
        SELECT room_id, last_number, @prefix || last_number, @author, @content, @now, @now, FALSE FROM room_chat_counters WHERE room_id = @room
        RETURNING number
        """;
    private const string InsertUserSql =
        "INSERT INTO users (user_name, created_at, last_login, last_activity, current_room, current_sid) VALUES (@n, @c, @l, @a, @r, @s) "
        + "ON CONFLICT (user_name) DO NOTHING";
    private const string DeleteUserSql =
        "DELETE FROM users WHERE user_name = @n RETURNING 1;\nDELETE FROM user_admins WHERE user_name = @n";
    private const string SetSectionSql =
        "INSERT INTO room_user_settings (room_id, user_name, section, value, position) VALUES \n"
        + "(@room, @user, @s0, @v0, (SELECT COALESCE(MAX(position), 0) FROM room_user_settings WHERE room_id = @room AND user_name = @user) + 1)"
        + "\nON CONFLICT (room_id, user_name, section) DO UPDATE SET value = excluded.value";
    private const string TransientUser = "bench-transient";
    private static readonly User Transient = new(TransientUser, Created, LoggedIn);
    private const string ChatRoomId = "bench-chat";
    private const string ChatContent = "hello from the benchmarks";
    private const int Bookmarks = 10;
    private const string GetSectionSql = "SELECT value FROM room_user_settings WHERE room_id = @room AND user_name = @user AND section = @section";

    private IRoomRepository _rooms = null!;
    private IUserRepository _users = null!;
    private IFrameRepository _frames = null!;
    private ISettingsRepository _settings = null!;
    private JsonElement _camera;
    private IBookmarkRepository _bookmarks = null!;
    private IChatRepository _chat = null!;
    private string _bookmarkSetSql = string.Empty;
    private string _sliceSql = string.Empty;

    protected override async Task SeedAsync()
    {
        _rooms = Services.GetRequiredService<IRoomRepository>();
        _users = Services.GetRequiredService<IUserRepository>();
        _frames = Services.GetRequiredService<IFrameRepository>();
        _settings = Services.GetRequiredService<ISettingsRepository>();
        await _rooms.CreateAsync(RoomId, Description);
        await _rooms.SetCurrentFrameAsync(RoomId, 12);
        await _users.CreateAsync(new User(UserName, Created, LoggedIn, null, RoomId, null));
        await _frames.AppendAsync(RoomId, [.. Enumerable.Range(0, Frames).Select(i => new FrameIndex(RoomId, i))]);
        using (JsonDocument camera = JsonDocument.Parse("""{"position":[0,0,10],"target":[0,0,0],"fov":45,"near":0.1,"far":1000}"""))
        {
            _camera = camera.RootElement.Clone();
        }

        await _settings.SetSectionAsync(RoomId, UserName, RoomSettingsSections.Camera, _camera);
        _bookmarks = Services.GetRequiredService<IBookmarkRepository>();
        _chat = Services.GetRequiredService<IChatRepository>();
        _sliceSql = "SELECT member, score FROM room_frames WHERE room_id = @room ORDER BY score, member"
            + (IsPostgres ? " COLLATE \"C\"" : string.Empty) + " LIMIT @limit OFFSET @offset;";
        _bookmarkSetSql = (IsPostgres ? LockRoomSql : string.Empty) + BookmarkSetSql;
        for (int i = 0; i < Bookmarks; i++)
        {
            await _bookmarks.SetAsync(RoomId, i * 3, "bookmark " + i.ToString(CultureInfo.InvariantCulture));
        }
    }

    protected override async Task VerifyAsync()
    {
        Same(await _rooms.GetByIdAsync(RoomId), await Raw_room_get_once(), "room get");
        Same(await _rooms.ExistsAsync(RoomId), await Raw_room_exists_once(), "room exists");
        Same(await _rooms.SetDescriptionAsync(RoomId, Description), await Raw_room_set_description_once(), "room set description");
        Same((await _rooms.GetByIdAsync(RoomId))?.Description, Description, "description written");
        Same(await _users.GetByIdAsync(UserName), await Raw_user_get_once(), "user get");
        Same(await _users.SetCurrentRoomAsync(UserName, RoomId), await Raw_user_set_current_room_once(), "user set current room");
        Same(await _frames.CountAsync(RoomId), await Raw_frame_count_once(), "frame count");
        Same(await _frames.CountAsync(RoomId), (long)Frames, "frames written");
        await _settings.SetSectionAsync(RoomId, UserName, RoomSettingsSections.Camera, _camera);
        await Raw_settings_set_section_once();
        Same((await _settings.GetSectionAsync(RoomId, UserName, RoomSettingsSections.Camera))?.GetRawText(), RawJson.PythonText(_camera), "settings section written by the twin");
        SameSequence(await _frames.GetRangeAsync(RoomId, 0, Frames - 1), await Raw_frame_range_once(), "frame range");
        Same(await Lib_user_create_then_delete_once(), true, "library user create then delete");
        Same(await Raw_user_create_then_delete_once(), true, "twin user create then delete");
        Same(await _users.ExistsAsync(TransientUser), false, "user deleted");
        SameSequence(await _bookmarks.GetAllAsync(RoomId), await Raw_bookmarks_get_all_once(), "bookmarks get all");
        await _bookmarks.SetAsync(RoomId, 4, "library");
        await Raw_bookmarks_set_once();
        Same(await _bookmarks.GetAsync(RoomId, 4), new Bookmark(4, "bench"), "bookmark written by the twin");
        ChatMessage lib = await _chat.PostAsync(ChatRoomId, UserName, ChatContent);
        ChatMessage raw = await Raw_chat_post_once();
        Same(raw.Id, ChatMessage.MessageId(ChatRoomId, long.Parse(lib.Id[(lib.Id.LastIndexOf('_') + 1)..], CultureInfo.InvariantCulture) + 1), "chat post id");
        Same((raw.RoomId, raw.Author, raw.Content), (lib.RoomId, lib.Author, lib.Content), "chat post");
        Same(await _chat.GetAsync(ChatRoomId, raw.Id) is { } stored && stored.Content == ChatContent && stored.CreatedAt == raw.CreatedAt, true, "chat message written by the twin");
        Same((await _settings.GetSectionAsync(RoomId, UserName, RoomSettingsSections.Camera))?.GetRawText(), (await Raw_settings_get_section_once())?.GetRawText(), "settings section");
    }

    // Room.GetById ------------------------------------------------------------------------------------------------

    [Benchmark(Baseline = true, OperationsPerInvoke = Ops), BenchmarkCategory("Sql.Room.GetById")]
    public Task Raw_room_get() => Repeat(Raw_room_get_once);

    public async Task<Room?> Raw_room_get_once()
    {
        await using DbConnection connection = await OpenAsync().ConfigureAwait(false);
        await using DbCommand command = connection.CreateCommand();
        command.CommandText = GetRoomSql;
        Add(command, "@id", RoomId);
        await using DbDataReader reader = await command.ExecuteReaderAsync().ConfigureAwait(false);
        if (!await reader.ReadAsync().ConfigureAwait(false))
        {
            return null;
        }

        return new Room(
            RoomId,
            reader.IsDBNull(0) ? null : reader.GetString(0),
            Convert.ToBoolean(reader.GetValue(1), CultureInfo.InvariantCulture),
            Convert.ToBoolean(reader.GetValue(2), CultureInfo.InvariantCulture),
            reader.GetInt32(3));
    }

    [Benchmark(OperationsPerInvoke = Ops), BenchmarkCategory("Sql.Room.GetById")]
    public Task Lib_room_get() => Repeat(Lib_room_get_once);

    public ValueTask<Room?> Lib_room_get_once() => _rooms.GetByIdAsync(RoomId);

    // Room.Exists -------------------------------------------------------------------------------------------------

    [Benchmark(Baseline = true, OperationsPerInvoke = Ops), BenchmarkCategory("Sql.Room.Exists")]
    public Task Raw_room_exists() => Repeat(Raw_room_exists_once);

    public async Task<bool> Raw_room_exists_once()
    {
        await using DbConnection connection = await OpenAsync().ConfigureAwait(false);
        await using DbCommand command = connection.CreateCommand();
        command.CommandText = RoomExistsSql;
        Add(command, "@id", RoomId);
        return await command.ExecuteScalarAsync().ConfigureAwait(false) is not null;
    }

    [Benchmark(OperationsPerInvoke = Ops), BenchmarkCategory("Sql.Room.Exists")]
    public Task Lib_room_exists() => Repeat(Lib_room_exists_once);

    public ValueTask<bool> Lib_room_exists_once() => _rooms.ExistsAsync(RoomId);

    // Room.SetDescription (a write: one transaction) ------------------------------------------------------------

    [Benchmark(Baseline = true, OperationsPerInvoke = Ops), BenchmarkCategory("Sql.Room.SetDescription")]
    public Task Raw_room_set_description() => Repeat(Raw_room_set_description_once);

    public async Task<bool> Raw_room_set_description_once()
    {
        await using DbConnection connection = await OpenAsync().ConfigureAwait(false);
        await using DbTransaction transaction = await connection.BeginTransactionAsync().ConfigureAwait(false);
        int changed;
        await using (DbCommand command = connection.CreateCommand())
        {
            command.CommandText = SetDescriptionSql;
            command.Transaction = transaction;
            Add(command, "@id", RoomId);
            Add(command, "@value", Description);
            changed = await command.ExecuteNonQueryAsync().ConfigureAwait(false);
        }

        await transaction.CommitAsync().ConfigureAwait(false);
        return changed > 0;
    }

    [Benchmark(OperationsPerInvoke = Ops), BenchmarkCategory("Sql.Room.SetDescription")]
    public Task Lib_room_set_description() => Repeat(Lib_room_set_description_once);

    public ValueTask<bool> Lib_room_set_description_once() => _rooms.SetDescriptionAsync(RoomId, Description);

    // Users.GetById -----------------------------------------------------------------------------------------------

    [Benchmark(Baseline = true, OperationsPerInvoke = Ops), BenchmarkCategory("Sql.Users.GetById")]
    public Task Raw_user_get() => Repeat(Raw_user_get_once);

    public async Task<User?> Raw_user_get_once()
    {
        await using DbConnection connection = await OpenAsync().ConfigureAwait(false);
        await using DbCommand command = connection.CreateCommand();
        command.CommandText = GetUserSql;
        Add(command, "@n", UserName);
        await using DbDataReader reader = await command.ExecuteReaderAsync().ConfigureAwait(false);
        if (!await reader.ReadAsync().ConfigureAwait(false))
        {
            return null;
        }

        return new User(
            UserName,
            Utc(reader, 0),
            Utc(reader, 1),
            Utc(reader, 2),
            reader.IsDBNull(3) ? null : reader.GetString(3),
            reader.IsDBNull(4) ? null : reader.GetString(4))
        {
            IsRegistered = Convert.ToBoolean(reader.GetValue(5), CultureInfo.InvariantCulture),
        };
    }

    private static DateTime? Utc(DbDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : DateTime.SpecifyKind(reader.GetDateTime(ordinal), DateTimeKind.Utc);

    [Benchmark(OperationsPerInvoke = Ops), BenchmarkCategory("Sql.Users.GetById")]
    public Task Lib_user_get() => Repeat(Lib_user_get_once);

    public ValueTask<User?> Lib_user_get_once() => _users.GetByIdAsync(UserName);

    // Users.SetCurrentRoom (a write: one transaction) -------------------------------------------------------------

    [Benchmark(Baseline = true, OperationsPerInvoke = Ops), BenchmarkCategory("Sql.Users.SetCurrentRoom")]
    public Task Raw_user_set_current_room() => Repeat(Raw_user_set_current_room_once);

    public async Task<bool> Raw_user_set_current_room_once()
    {
        await using DbConnection connection = await OpenAsync().ConfigureAwait(false);
        await using DbTransaction transaction = await connection.BeginTransactionAsync().ConfigureAwait(false);
        int changed;
        await using (DbCommand command = connection.CreateCommand())
        {
            command.CommandText = SetCurrentRoomSql;
            command.Transaction = transaction;
            Add(command, "@v", RoomId);
            Add(command, "@n", UserName);
            changed = await command.ExecuteNonQueryAsync().ConfigureAwait(false);
        }

        await transaction.CommitAsync().ConfigureAwait(false);
        return changed == 1;
    }

    [Benchmark(OperationsPerInvoke = Ops), BenchmarkCategory("Sql.Users.SetCurrentRoom")]
    public Task Lib_user_set_current_room() => Repeat(Lib_user_set_current_room_once);

    public ValueTask<bool> Lib_user_set_current_room_once() => _users.SetCurrentRoomAsync(UserName, RoomId);

    // Frames.Count ------------------------------------------------------------------------------------------------

    [Benchmark(Baseline = true, OperationsPerInvoke = Ops), BenchmarkCategory("Sql.Frames.Count")]
    public Task Raw_frame_count() => Repeat(Raw_frame_count_once);

    public async Task<long> Raw_frame_count_once()
    {
        await using DbConnection connection = await OpenAsync().ConfigureAwait(false);
        await using DbCommand command = connection.CreateCommand();
        command.CommandText = FrameCountSql;
        Add(command, "@room", RoomId);
        return Convert.ToInt64(await command.ExecuteScalarAsync().ConfigureAwait(false), CultureInfo.InvariantCulture);
    }

    [Benchmark(OperationsPerInvoke = Ops), BenchmarkCategory("Sql.Frames.Count")]
    public Task Lib_frame_count() => Repeat(Lib_frame_count_once);

    public ValueTask<long> Lib_frame_count_once() => _frames.CountAsync(RoomId);

    // Settings.GetSection -----------------------------------------------------------------------------------------

    [Benchmark(Baseline = true, OperationsPerInvoke = Ops), BenchmarkCategory("Sql.Settings.GetSection")]
    public Task Raw_settings_get_section() => Repeat(Raw_settings_get_section_once);

    public async Task<JsonElement?> Raw_settings_get_section_once()
    {
        await using DbConnection connection = await OpenAsync().ConfigureAwait(false);
        await using DbCommand command = connection.CreateCommand();
        command.CommandText = GetSectionSql;
        Add(command, "@room", RoomId);
        Add(command, "@user", UserName);
        Add(command, "@section", RoomSettingsSections.Camera);
        if (await command.ExecuteScalarAsync().ConfigureAwait(false) is not string json)
        {
            return null;
        }

        using JsonDocument document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }

    [Benchmark(OperationsPerInvoke = Ops), BenchmarkCategory("Sql.Settings.GetSection")]
    public Task Lib_settings_get_section() => Repeat(Lib_settings_get_section_once);

    public ValueTask<JsonElement?> Lib_settings_get_section_once() => _settings.GetSectionAsync(RoomId, UserName, RoomSettingsSections.Camera);

    // Bookmarks.GetAll --------------------------------------------------------------------------------------------

    [Benchmark(Baseline = true, OperationsPerInvoke = Ops), BenchmarkCategory("Sql.Bookmarks.GetAll")]
    public Task Raw_bookmarks_get_all() => Repeat(Raw_bookmarks_get_all_once);

    public async Task<IReadOnlyList<Bookmark>> Raw_bookmarks_get_all_once()
    {
        await using DbConnection connection = await OpenAsync().ConfigureAwait(false);
        await using DbCommand command = connection.CreateCommand();
        command.CommandText = BookmarksAllSql;
        Add(command, "@room", RoomId);
        await using DbDataReader reader = await command.ExecuteReaderAsync().ConfigureAwait(false);
        var bookmarks = new List<Bookmark>();
        while (await reader.ReadAsync().ConfigureAwait(false))
        {
            bookmarks.Add(new Bookmark(reader.GetInt32(0), reader.GetString(1)));
        }

        return bookmarks;
    }

    [Benchmark(OperationsPerInvoke = Ops), BenchmarkCategory("Sql.Bookmarks.GetAll")]
    public Task Lib_bookmarks_get_all() => Repeat(Lib_bookmarks_get_all_once);

    public ValueTask<IReadOnlyList<Bookmark>> Lib_bookmarks_get_all_once() => _bookmarks.GetAllAsync(RoomId);

    // Bookmarks.Set (a write under the room's trajectory lock: PostgreSQL's advisory lock in the same batch) --------

    [Benchmark(Baseline = true, OperationsPerInvoke = Ops), BenchmarkCategory("Sql.Bookmarks.Set")]
    public Task Raw_bookmarks_set() => Repeat(Raw_bookmarks_set_once);

    public async Task Raw_bookmarks_set_once()
    {
        await using DbConnection connection = await OpenAsync().ConfigureAwait(false);
        await using DbTransaction transaction = await connection.BeginTransactionAsync().ConfigureAwait(false);
        await using (DbCommand command = connection.CreateCommand())
        {
            command.CommandText = _bookmarkSetSql;
            command.Transaction = transaction;
            Add(command, "@room", RoomId);
            Add(command, "@frame", 4);
            Add(command, "@label", "bench");
            await using DbDataReader reader = await command.ExecuteReaderAsync().ConfigureAwait(false);
            if (IsPostgres)
            {
                await reader.NextResultAsync().ConfigureAwait(false);
            }

            if (!await reader.ReadAsync().ConfigureAwait(false))
            {
                throw new InvalidOperationException("bookmark frame past the trajectory");
            }
        }

        await transaction.CommitAsync().ConfigureAwait(false);
    }

    [Benchmark(OperationsPerInvoke = Ops), BenchmarkCategory("Sql.Bookmarks.Set")]
    public Task Lib_bookmarks_set() => Repeat(Lib_bookmarks_set_once);

    public ValueTask Lib_bookmarks_set_once() => _bookmarks.SetAsync(RoomId, 4, "bench");

    // Chat.Post (a write: the room's counter and the message in one batch) -----------------------------------------

    [Benchmark(Baseline = true, OperationsPerInvoke = Ops), BenchmarkCategory("Sql.Chat.Post")]
    public Task Raw_chat_post() => Repeat(Raw_chat_post_once);

    public async Task<ChatMessage> Raw_chat_post_once()
    {
        DateTime now = DateTimeOffset.FromUnixTimeMilliseconds(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()).UtcDateTime;
        await using DbConnection connection = await OpenAsync().ConfigureAwait(false);
        await using DbTransaction transaction = await connection.BeginTransactionAsync().ConfigureAwait(false);
        long n;
        await using (DbCommand command = connection.CreateCommand())
        {
            command.CommandText = ChatPostSql;
            command.Transaction = transaction;
            Add(command, "@room", ChatRoomId);
            Add(command, "@prefix", "msg_" + ChatRoomId + "_");
            Add(command, "@author", UserName);
            Add(command, "@content", ChatContent);
            Add(command, "@now", now);
            n = Convert.ToInt64(await command.ExecuteScalarAsync().ConfigureAwait(false), CultureInfo.InvariantCulture);
        }

        await transaction.CommitAsync().ConfigureAwait(false);
        var at = new DateTimeOffset(now);
        return new ChatMessage(ChatMessage.MessageId(ChatRoomId, n), ChatRoomId, UserName, ChatContent, at, at);
    }

    [Benchmark(OperationsPerInvoke = Ops), BenchmarkCategory("Sql.Chat.Post")]
    public Task Lib_chat_post() => Repeat(Lib_chat_post_once);

    public ValueTask<ChatMessage> Lib_chat_post_once() => _chat.PostAsync(ChatRoomId, UserName, ChatContent);

    // Frames.Range (the whole 100-frame trajectory) ----------------------------------------------------------------

    [Benchmark(Baseline = true, OperationsPerInvoke = Ops), BenchmarkCategory("Sql.Frames.Range")]
    public Task Raw_frame_range() => Repeat(Raw_frame_range_once);

    public async Task<IReadOnlyList<TrajectoryEntry>> Raw_frame_range_once()
    {
        await using DbConnection connection = await OpenAsync().ConfigureAwait(false);
        await using DbCommand command = connection.CreateCommand();
        command.CommandText = _sliceSql;
        Add(command, "@offset", 0L);
        Add(command, "@limit", (long)Frames);
        Add(command, "@room", RoomId);
        await using DbDataReader reader = await command.ExecuteReaderAsync().ConfigureAwait(false);
        var entries = new List<TrajectoryEntry>(Frames);
        while (await reader.ReadAsync().ConfigureAwait(false))
        {
            string member = reader.GetString(0);
            int colon = member.LastIndexOf(':');
            ReadOnlySpan<char> room = member.AsSpan(0, colon);
            var frame = new FrameIndex(room.SequenceEqual(RoomId) ? RoomId : room.ToString(), int.Parse(member.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture));
            entries.Add(new TrajectoryEntry(frame, reader.GetDouble(1)));
        }

        return entries;
    }

    [Benchmark(OperationsPerInvoke = Ops), BenchmarkCategory("Sql.Frames.Range")]
    public Task Lib_frame_range() => Repeat(Lib_frame_range_once);

    public ValueTask<IReadOnlyList<TrajectoryEntry>> Lib_frame_range_once() => _frames.GetRangeAsync(RoomId, 0, Frames - 1);

    // Users.CreateThenDelete (two writes, one transaction each) ----------------------------------------------------

    [Benchmark(Baseline = true, OperationsPerInvoke = Ops), BenchmarkCategory("Sql.Users.CreateThenDelete")]
    public Task Raw_user_create_then_delete() => Repeat(Raw_user_create_then_delete_once);

    public async Task<bool> Raw_user_create_then_delete_once()
    {
        bool created;
        await using (DbConnection connection = await OpenAsync().ConfigureAwait(false))
        {
            await using DbTransaction transaction = await connection.BeginTransactionAsync().ConfigureAwait(false);
            await using (DbCommand command = connection.CreateCommand())
            {
                command.CommandText = InsertUserSql;
                command.Transaction = transaction;
                Add(command, "@n", TransientUser);
                Add(command, "@c", Created);
                Add(command, "@l", LoggedIn);
                Add(command, "@a", null);
                Add(command, "@r", null);
                Add(command, "@s", null);
                created = await command.ExecuteNonQueryAsync().ConfigureAwait(false) == 1;
            }

            await transaction.CommitAsync().ConfigureAwait(false);
        }

        bool existed;
        await using (DbConnection connection = await OpenAsync().ConfigureAwait(false))
        {
            await using DbTransaction transaction = await connection.BeginTransactionAsync().ConfigureAwait(false);
            await using (DbCommand command = connection.CreateCommand())
            {
                command.CommandText = DeleteUserSql;
                command.Transaction = transaction;
                Add(command, "@n", TransientUser);
                await using DbDataReader reader = await command.ExecuteReaderAsync().ConfigureAwait(false);
                existed = await reader.ReadAsync().ConfigureAwait(false);
                while (await reader.NextResultAsync().ConfigureAwait(false))
                {
                }
            }

            await transaction.CommitAsync().ConfigureAwait(false);
        }

        return created && existed;
    }

    [Benchmark(OperationsPerInvoke = Ops), BenchmarkCategory("Sql.Users.CreateThenDelete")]
    public Task Lib_user_create_then_delete() => Repeat(Lib_user_create_then_delete_once);

    public async Task<bool> Lib_user_create_then_delete_once()
    {
        bool created = await _users.CreateAsync(Transient).ConfigureAwait(false);
        return created && await _users.DeleteAsync(TransientUser).ConfigureAwait(false);
    }

    // Settings.SetSection (a write: one upsert in one transaction) -------------------------------------------------

    [Benchmark(Baseline = true, OperationsPerInvoke = Ops), BenchmarkCategory("Sql.Settings.SetSection")]
    public Task Raw_settings_set_section() => Repeat(Raw_settings_set_section_once);

    public async Task Raw_settings_set_section_once()
    {
        string json = _camera.ValueKind == JsonValueKind.Object ? RawJson.PythonText(_camera) : throw new ArgumentException("a section is a JSON object");
        await using DbConnection connection = await OpenAsync().ConfigureAwait(false);
        await using DbTransaction transaction = await connection.BeginTransactionAsync().ConfigureAwait(false);
        await using (DbCommand command = connection.CreateCommand())
        {
            command.CommandText = SetSectionSql;
            command.Transaction = transaction;
            Add(command, "@room", RoomId);
            Add(command, "@user", UserName);
            Add(command, "@s0", RoomSettingsSections.Camera);
            Add(command, "@v0", json);
            await command.ExecuteNonQueryAsync().ConfigureAwait(false);
        }

        await transaction.CommitAsync().ConfigureAwait(false);
    }

    [Benchmark(OperationsPerInvoke = Ops), BenchmarkCategory("Sql.Settings.SetSection")]
    public Task Lib_settings_set_section() => Repeat(Lib_settings_set_section_once);

    public ValueTask Lib_settings_set_section_once() => _settings.SetSectionAsync(RoomId, UserName, RoomSettingsSections.Camera, _camera);
}
