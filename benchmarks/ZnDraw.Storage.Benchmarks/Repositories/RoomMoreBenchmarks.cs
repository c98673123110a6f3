using System.Globalization;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using StackExchange.Redis;
using ZnDraw.Storage.Benchmarks.Infrastructure;
using ZnDraw.Storage.Contracts;
using ZnDraw.Storage.Models;
using ZnDraw.Storage.Redis.Keys;
using ZnDraw.Storage.Redis.Repositories;
using ZnDraw.Storage.Redis.Scripts;

namespace ZnDraw.Storage.Benchmarks.Repositories;

/// <summary>
/// The room calls <see cref="RoomBenchmarks"/> does not cover: reads, and writes that set the same value again (so the
/// state stays as the setup left it), each against a raw StackExchange.Redis twin with the same commands and keys.
/// </summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
[FullRunOnly]
[ClusterTwins]
public class RoomMoreBenchmarks : RedisBenchmark
{
    private const string RoomId = "bench-room-more";
    private const string Description = "a room for the other room benchmarks";
    private const string UserName = "bench-room-more-user-0";
    private const string ExtraField = "bench_extra";
    private const int Frames = 50;
    private const int Users = 10;
    private static readonly Room SavedRoom = new(RoomId, Description, Locked: false, Hidden: false, CurrentFrame: 7);
    private static readonly RoomMetadata Metadata =
        RoomMetadata.ForFile("structures/water.xyz", 123_456, new DateTimeOffset(2025, 10, 31, 12, 0, 5, TimeSpan.Zero));

    private static readonly RoomMetadata Extra = new([new(ExtraField, "x")]);
    private IDatabase _db = null!;
    private RoomRepository _rooms = null!;
    private RawScript _save = null!;
    private RawScript _setIfRoom = null!;
    private RawScript _setMetadata = null!;
    private RawScript _addUser = null!;
    private string _prefix = null!; // the key names (were constants), built once for the layout of the run
    private string _description = null!;
    private string _locked = null!;
    private string _hidden = null!;
    private string _metadata = null!;
    private string _users = null!;
    private string _currentFrame = null!;
    private string _trajectory = null!;
    private string _userKey = null!;

    protected override async Task SetupAsync()
    {
        _db = Db();
        _prefix = RoomBase(RoomId);
        _description = _prefix + "description";
        _locked = _prefix + "locked";
        _hidden = _prefix + "hidden";
        _metadata = _prefix + "metadata";
        _users = _prefix + "users";
        _currentFrame = _prefix + "current_frame";
        _trajectory = _prefix + "trajectory:indices";
        _userKey = UserBenchmarks.UserKey(UserName);
        _rooms = new RoomRepository(BenchmarkRedis.Context());
        _save = new RawScript(RoomScripts.Save.Text);
        _setIfRoom = new RawScript(RoomScripts.SetIfExists.Text);
        _setMetadata = new RawScript(RoomScripts.SetMetadata.Text);
        _addUser = new RawScript(RoomScripts.AddUser.Text);
        await _rooms.DeleteAsync(RoomId);
        await _rooms.CreateAsync(RoomId, Description);
        await _rooms.SaveAsync(SavedRoom);
        var entries = new SortedSetEntry[Frames];
        for (int i = 0; i < Frames; i++)
        {
            entries[i] = new SortedSetEntry("source-room:" + i.ToString(CultureInfo.InvariantCulture), i);
        }

        await _db.SortedSetAddAsync(_trajectory, entries);
        await _rooms.SetMetadataAsync(RoomId, Metadata);
        await _rooms.SetDefaultRoomAsync(RoomId);
        for (int i = 0; i < Users; i++)
        {
            // A join needs an existing user: a minimal user hash, then the join.
            string name = "bench-room-more-user-" + i.ToString(CultureInfo.InvariantCulture);
            await _db.HashSetAsync(UserBenchmarks.UserKey(name), "userName", name);
            await _rooms.AddUserAsync(RoomId, name);
        }
    }

    protected override async Task VerifyAsync()
    {
        // Writes: scramble what the call writes, call, read the state back; both sides must leave the same state.
        RedisKey description = _description;
        RedisKey locked = _locked;
        RedisKey hidden = _hidden;
        RedisKey metadata = _metadata;
        RedisKey users = _users;
        RedisKey user = _userKey;

        await ScrambleCoreAsync();
        await Lib_save_once();
        string libState = await CoreStateAsync();
        await ScrambleCoreAsync();
        await Raw_save_once();
        Same(libState, await CoreStateAsync(), "state written by save");
        Same(SavedRoom with { FrameCount = Frames }, await Raw_get_with_frame_count_once(), "state after save");

        await _db.StringSetAsync(locked, "1");
        Same(await Lib_set_locked_once(), true, "library set locked");
        Same(await _db.StringGetAsync(locked), (RedisValue)"0", "locked written by the library");
        await _db.StringSetAsync(locked, "1");
        Same(await Raw_set_locked_once(), true, "raw set locked");
        Same(await _db.StringGetAsync(locked), (RedisValue)"0", "locked written by the raw twin");

        await _db.StringSetAsync(hidden, "1");
        Same(await Lib_set_hidden_once(), true, "library set hidden");
        Same(await _db.StringGetAsync(hidden), (RedisValue)"0", "hidden written by the library");
        await _db.StringSetAsync(hidden, "1");
        Same(await Raw_set_hidden_once(), true, "raw set hidden");
        Same(await _db.StringGetAsync(hidden), (RedisValue)"0", "hidden written by the raw twin");

        await _db.StringSetAsync(description, "scrambled");
        Same(await Lib_set_description_once(), true, "library set description");
        Same(await _db.StringGetAsync(description), (RedisValue)Description, "description written by the library");
        await _db.StringSetAsync(description, "scrambled");
        Same(await Raw_set_description_once(), true, "raw set description");
        Same(await _db.StringGetAsync(description), (RedisValue)Description, "description written by the raw twin");

        await _db.HashSetAsync(metadata, RoomMetadata.FileSizeField, "1");
        Same(await Lib_set_metadata_once(), true, "library set metadata");
        HashEntry[] libMetadata = await _db.HashGetAllAsync(metadata);
        await _db.HashSetAsync(metadata, RoomMetadata.FileSizeField, "1");
        Same(await Raw_set_metadata_once(), true, "raw set metadata");
        SameSequence(libMetadata, await _db.HashGetAllAsync(metadata), "metadata written by set");

        Same(await Lib_set_then_delete_metadata_field_once(), true, "library set + delete of a metadata field");
        SameSequence(libMetadata, await _db.HashGetAllAsync(metadata), "metadata after the library's set + delete");
        Same(await Raw_set_then_delete_metadata_field_once(), true, "raw set + delete of a metadata field");
        SameSequence(libMetadata, await _db.HashGetAllAsync(metadata), "metadata after the raw set + delete");
        Same(await _rooms.DeleteMetadataFieldAsync(RoomId, ExtraField), false, "library delete of a missing field");

        await _db.SetRemoveAsync(users, UserName);
        await _db.HashDeleteAsync(user, "currentRoom");
        await Lib_add_user_once();
        bool libMember = await _db.SetContainsAsync(users, UserName);
        RedisValue libCurrent = await _db.HashGetAsync(user, "currentRoom");
        await _db.SetRemoveAsync(users, UserName);
        await _db.HashDeleteAsync(user, "currentRoom");
        await Raw_add_user_once();
        Same(libMember, await _db.SetContainsAsync(users, UserName), "user added to the room");
        Same(libCurrent, await _db.HashGetAsync(user, "currentRoom"), "user's currentRoom");
        Same(libCurrent, (RedisValue)RoomId, "user's currentRoom is the room");

        // Default room: set by each side (the same value), cleared by each side, then set again for the reads.
        await _db.KeyDeleteAsync("default_room");
        Same(await Lib_set_default_room_once(), true, "library set default room");
        Same(await _db.StringGetAsync("default_room"), (RedisValue)RoomId, "default room written by the library");
        await _db.KeyDeleteAsync("default_room");
        Same(await Raw_set_default_room_once(), true, "raw set default room");
        Same(await _db.StringGetAsync("default_room"), (RedisValue)RoomId, "default room written by the raw twin");
        Same(await Lib_set_then_clear_default_room_once(), await Raw_set_then_clear_default_room_once(), "set then clear default room");
        Same(await _db.KeyExistsAsync("default_room"), false, "default room cleared");
        Same(await _rooms.SetDefaultRoomAsync("bench-no-such-room"), false, "library set default room to a missing room");
        if (BenchmarkCluster.Active)
        {
            Same(await _db.KeyExistsAsync(RoomKey("bench-no-such-room", "current_frame")), false, "raw check of a missing room");
        }
        else
        {
            RedisResult missing = await _db.ScriptEvaluateAsync(_setIfRoom.Sha1, ["room:bench-no-such-room:current_frame", "default_room"], ["1", "bench-no-such-room"]);
            Same((long)missing, 0L, "raw set default room to a missing room");
        }
        await _rooms.SetDefaultRoomAsync(RoomId);

        // Reads, on the state the setup (and the writes above) left.
        Same(await Lib_get_default_room_once(), await Raw_get_default_room_once(), "default room");
        Same(await _rooms.GetWithFrameCountAsync(RoomId), await Raw_get_with_frame_count_once(), "get with frame count");
        Same(await _rooms.GetDescriptionAsync(RoomId), await Raw_get_description_once(), "description");
        Same(await _rooms.GetMetadataAsync(RoomId), await Raw_get_metadata_once(), "metadata");
        Same(await _rooms.GetMetadataAsync(RoomId), Metadata, "metadata as set up");
        SameSequence(await _rooms.GetUsersAsync(RoomId), await Raw_get_users_once(), "users");
        Same((await Raw_get_users_once()).Count, Users, "user count");

        async Task ScrambleCoreAsync()
        {
            await _db.StringSetAsync(description, "scrambled");
            await _db.StringSetAsync(locked, "1");
            await _db.StringSetAsync(hidden, "1");
            await _db.StringSetAsync(_currentFrame, "3");
            await _db.SetRemoveAsync("rooms:index", RoomId);
        }

        async Task<string> CoreStateAsync()
        {
            RedisValue[] v = await _db.StringGetAsync([description, locked, hidden, _currentFrame]);
            bool indexed = await _db.SetContainsAsync("rooms:index", RoomId);
            return string.Join('|', v.Select(x => x.IsNull ? "<nil>" : x.ToString())) + "|" + indexed.ToString();
        }
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Ops), BenchmarkCategory("Room.Save")]
    public Task Raw_save() => Repeat(Raw_save_once);

    public async Task Raw_save_once()
    {
        Room room = SavedRoom;
        string prefix = RoomBase(room.Id);
        RedisKey[] keys = BenchmarkCluster.Active
            ? [prefix + "description", prefix + "locked", prefix + "hidden", prefix + "current_frame"]
            : [prefix + "description", prefix + "locked", prefix + "hidden", prefix + "current_frame", "rooms:index"];
        RedisValue[] args =
        [
            room.Description is null ? "0" : "1", room.Description ?? string.Empty, room.Locked ? "1" : "0", room.Hidden ? "1" : "0",
            room.CurrentFrame.ToString(CultureInfo.InvariantCulture), room.Id,
        ];
        await _db.ScriptEvaluateAsync(_save.Sha1, keys, args).ConfigureAwait(false);
        if (BenchmarkCluster.Active)
        {
            // The cluster-safe layout: the index is in another slot, a second step.
            await _db.SetAddAsync("rooms:index", room.Id).ConfigureAwait(false);
        }
    }

    [Benchmark(OperationsPerInvoke = Ops), BenchmarkCategory("Room.Save")]
    public Task Lib_save() => Repeat(Lib_save_once);

    public ValueTask Lib_save_once() => _rooms.SaveAsync(SavedRoom);

    [Benchmark(Baseline = true, OperationsPerInvoke = Ops), BenchmarkCategory("Room.GetWithFrameCount")]
    public Task Raw_get_with_frame_count() => Repeat(Raw_get_with_frame_count_once);

    public async Task<Room?> Raw_get_with_frame_count_once()
    {
        string prefix = _prefix;
        RedisKey[] keys = [prefix + "description", prefix + "locked", prefix + "hidden", prefix + "current_frame"];
        IBatch batch = _db.CreateBatch();
        Task<RedisValue[]> core = batch.StringGetAsync(keys);
        Task<long> existing = batch.KeyExistsAsync(keys);
        Task<long> count = batch.SortedSetLengthAsync(prefix + "trajectory:indices");
        batch.Execute();
        RedisValue[] v = await core.ConfigureAwait(false);
        _ = await existing.ConfigureAwait(false);
        long frames = await count.ConfigureAwait(false);
        if (v[3].IsNull)
        {
            return null;
        }

        int frame = v[3].TryParse(out long f) && f >= 0 && f <= int.MaxValue ? (int)f : 0;
        return new Room(RoomId, (string?)v[0], v[1] == "1", v[2] == "1", frame, frames);
    }

    [Benchmark(OperationsPerInvoke = Ops), BenchmarkCategory("Room.GetWithFrameCount")]
    public Task Lib_get_with_frame_count() => Repeat(Lib_get_with_frame_count_once);

    public ValueTask<Room?> Lib_get_with_frame_count_once() => _rooms.GetWithFrameCountAsync(RoomId);

    [Benchmark(Baseline = true, OperationsPerInvoke = Ops), BenchmarkCategory("Room.SetLocked")]
    public Task Raw_set_locked() => Repeat(Raw_set_locked_once);

    public async Task<bool> Raw_set_locked_once()
    {
        RedisKey[] keys = [_currentFrame, _locked];
        RedisResult result = await _db.ScriptEvaluateAsync(_setIfRoom.Sha1, keys, ["1", "0"]).ConfigureAwait(false); // SET to "0" (false)
        return (long)result == 1;
    }

    [Benchmark(OperationsPerInvoke = Ops), BenchmarkCategory("Room.SetLocked")]
    public Task Lib_set_locked() => Repeat(Lib_set_locked_once);

    public ValueTask<bool> Lib_set_locked_once() => _rooms.SetLockedAsync(RoomId, false);

    [Benchmark(Baseline = true, OperationsPerInvoke = Ops), BenchmarkCategory("Room.SetHidden")]
    public Task Raw_set_hidden() => Repeat(Raw_set_hidden_once);

    public async Task<bool> Raw_set_hidden_once()
    {
        RedisKey[] keys = [_currentFrame, _hidden];
        RedisResult result = await _db.ScriptEvaluateAsync(_setIfRoom.Sha1, keys, ["1", "0"]).ConfigureAwait(false); // SET to "0" (false)
        return (long)result == 1;
    }

    [Benchmark(OperationsPerInvoke = Ops), BenchmarkCategory("Room.SetHidden")]
    public Task Lib_set_hidden() => Repeat(Lib_set_hidden_once);

    public ValueTask<bool> Lib_set_hidden_once() => _rooms.SetHiddenAsync(RoomId, false);

    [Benchmark(Baseline = true, OperationsPerInvoke = Ops), BenchmarkCategory("Room.GetDefaultRoom")]
    public Task Raw_get_default_room() => Repeat(Raw_get_default_room_once);

    public async Task<string?> Raw_get_default_room_once()
    {
        RedisValue value = await _db.StringGetAsync("default_room").ConfigureAwait(false);
        return value.IsNull ? null : value.ToString();
    }

    [Benchmark(OperationsPerInvoke = Ops), BenchmarkCategory("Room.GetDefaultRoom")]
    public Task Lib_get_default_room() => Repeat(Lib_get_default_room_once);

    public ValueTask<string?> Lib_get_default_room_once() => _rooms.GetDefaultRoomAsync();

    [Benchmark(Baseline = true, OperationsPerInvoke = Ops), BenchmarkCategory("Room.SetDefaultRoom")]
    public Task Raw_set_default_room() => Repeat(Raw_set_default_room_once);

    public async Task<bool> Raw_set_default_room_once()
    {
        if (BenchmarkCluster.Active)
        {
            // The cluster-safe layout: two slots, EXISTS then SET.
            if (!await _db.KeyExistsAsync(_currentFrame).ConfigureAwait(false))
            {
                return false;
            }

            await _db.StringSetAsync("default_room", RoomId).ConfigureAwait(false);
            return true;
        }

        RedisKey[] keys = [_currentFrame, "default_room"];
        RedisResult result = await _db.ScriptEvaluateAsync(_setIfRoom.Sha1, keys, ["1", RoomId]).ConfigureAwait(false);
        return (long)result == 1;
    }

    [Benchmark(OperationsPerInvoke = Ops), BenchmarkCategory("Room.SetDefaultRoom")]
    public Task Lib_set_default_room() => Repeat(Lib_set_default_room_once);

    public ValueTask<bool> Lib_set_default_room_once() => _rooms.SetDefaultRoomAsync(RoomId);

    [Benchmark(Baseline = true, OperationsPerInvoke = Ops), BenchmarkCategory("Room.SetThenClearDefaultRoom")]
    public Task Raw_set_then_clear_default_room() => Repeat(Raw_set_then_clear_default_room_once);

    public async Task<(bool, bool)> Raw_set_then_clear_default_room_once()
    {
        bool set = await Raw_set_default_room_once().ConfigureAwait(false);
        return (set, await _db.KeyDeleteAsync("default_room").ConfigureAwait(false));
    }

    [Benchmark(OperationsPerInvoke = Ops), BenchmarkCategory("Room.SetThenClearDefaultRoom")]
    public Task Lib_set_then_clear_default_room() => Repeat(Lib_set_then_clear_default_room_once);

    public async Task<(bool, bool)> Lib_set_then_clear_default_room_once()
    {
        bool set = await _rooms.SetDefaultRoomAsync(RoomId).ConfigureAwait(false);
        return (set, await _rooms.ClearDefaultRoomAsync().ConfigureAwait(false));
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Ops), BenchmarkCategory("Room.GetDescription")]
    public Task Raw_get_description() => Repeat(Raw_get_description_once);

    public async Task<string?> Raw_get_description_once()
    {
        RedisValue value = await _db.StringGetAsync(_description).ConfigureAwait(false);
        return value.IsNull ? null : value.ToString();
    }

    [Benchmark(OperationsPerInvoke = Ops), BenchmarkCategory("Room.GetDescription")]
    public Task Lib_get_description() => Repeat(Lib_get_description_once);

    public ValueTask<string?> Lib_get_description_once() => _rooms.GetDescriptionAsync(RoomId);

    [Benchmark(Baseline = true, OperationsPerInvoke = Ops), BenchmarkCategory("Room.SetDescription")]
    public Task Raw_set_description() => Repeat(Raw_set_description_once);

    public async Task<bool> Raw_set_description_once()
    {
        RedisKey[] keys = [_currentFrame, _description];
        RedisResult result = await _db.ScriptEvaluateAsync(_setIfRoom.Sha1, keys, ["1", Description]).ConfigureAwait(false);
        return (long)result == 1;
    }

    [Benchmark(OperationsPerInvoke = Ops), BenchmarkCategory("Room.SetDescription")]
    public Task Lib_set_description() => Repeat(Lib_set_description_once);

    public ValueTask<bool> Lib_set_description_once() => _rooms.SetDescriptionAsync(RoomId, Description);

    [Benchmark(Baseline = true, OperationsPerInvoke = Ops), BenchmarkCategory("Room.GetMetadata")]
    public Task Raw_get_metadata() => Repeat(Raw_get_metadata_once);

    public async Task<RoomMetadata?> Raw_get_metadata_once()
    {
        HashEntry[] entries = await _db.HashGetAllAsync(_metadata).ConfigureAwait(false);
        if (entries.Length == 0)
        {
            return null;
        }

        var fields = new KeyValuePair<string, string>[entries.Length];
        for (int i = 0; i < entries.Length; i++)
        {
            string name = entries[i].Name!;
            string value = entries[i].Value!;
            if (name == "file_size" && !long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out _))
            {
                throw new InvalidOperationException("metadata file_size is not an integer");
            }

            if (name == "file_modified_timestamp" && !DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out _))
            {
                throw new InvalidOperationException("metadata file_modified_timestamp is not a timestamp");
            }

            fields[i] = new KeyValuePair<string, string>(name, value);
        }

        return new RoomMetadata(fields);
    }

    [Benchmark(OperationsPerInvoke = Ops), BenchmarkCategory("Room.GetMetadata")]
    public Task Lib_get_metadata() => Repeat(Lib_get_metadata_once);

    public ValueTask<RoomMetadata?> Lib_get_metadata_once() => _rooms.GetMetadataAsync(RoomId);

    [Benchmark(Baseline = true, OperationsPerInvoke = Ops), BenchmarkCategory("Room.SetMetadata")]
    public Task Raw_set_metadata() => Repeat(Raw_set_metadata_once);

    public async Task<bool> Raw_set_metadata_once()
    {
        IReadOnlyList<KeyValuePair<string, string>> fields = Metadata.Fields;
        var args = new RedisValue[fields.Count * 2];
        for (int i = 0; i < fields.Count; i++)
        {
            args[2 * i] = fields[i].Key;
            args[(2 * i) + 1] = fields[i].Value;
        }

        RedisKey[] keys = [_currentFrame, _metadata];
        RedisResult result = await _db.ScriptEvaluateAsync(_setMetadata.Sha1, keys, args).ConfigureAwait(false);
        return (long)result == 1;
    }

    [Benchmark(OperationsPerInvoke = Ops), BenchmarkCategory("Room.SetMetadata")]
    public Task Lib_set_metadata() => Repeat(Lib_set_metadata_once);

    public ValueTask<bool> Lib_set_metadata_once() => _rooms.SetMetadataAsync(RoomId, Metadata);

    // DeleteMetadataFieldAsync alone would find nothing to delete after its first call: each side sets the field
    // (the set-metadata script) and then deletes it (HDEL), two round trips on both sides.
    [Benchmark(Baseline = true, OperationsPerInvoke = Ops), BenchmarkCategory("Room.SetThenDeleteMetadataField")]
    public Task Raw_set_then_delete_metadata_field() => Repeat(Raw_set_then_delete_metadata_field_once);

    public async Task<bool> Raw_set_then_delete_metadata_field_once()
    {
        RedisKey metadata = _metadata;
        RedisKey[] keys = [_currentFrame, metadata];
        RedisResult set = await _db.ScriptEvaluateAsync(_setMetadata.Sha1, keys, [ExtraField, "x"]).ConfigureAwait(false);
        return (long)set == 1 && await _db.HashDeleteAsync(metadata, ExtraField).ConfigureAwait(false);
    }

    [Benchmark(OperationsPerInvoke = Ops), BenchmarkCategory("Room.SetThenDeleteMetadataField")]
    public Task Lib_set_then_delete_metadata_field() => Repeat(Lib_set_then_delete_metadata_field_once);

    public async Task<bool> Lib_set_then_delete_metadata_field_once() =>
        await _rooms.SetMetadataAsync(RoomId, Extra).ConfigureAwait(false)
        && await _rooms.DeleteMetadataFieldAsync(RoomId, ExtraField).ConfigureAwait(false);

    [Benchmark(Baseline = true, OperationsPerInvoke = Ops), BenchmarkCategory("Room.AddUser")]
    public Task Raw_add_user() => Repeat(Raw_add_user_once);

    public async Task<bool> Raw_add_user_once()
    {
        // The library's script by EVALSHA: EXISTS the user, then SADD and HSET currentRoom.
        if (BenchmarkCluster.Active)
        {
            // The cluster-safe layout: the script in the user's slot, then SADD to the room's user set.
            RedisResult checkedIn = await _db.ScriptEvaluateAsync(_addUser.Sha1, [_userKey], [UserName, RoomId]).ConfigureAwait(false);
            if ((long)checkedIn != 1)
            {
                return false;
            }

            await _db.SetAddAsync(_users, UserName).ConfigureAwait(false);
            return true;
        }

        RedisKey[] keys = [_userKey, _users];
        RedisResult result = await _db.ScriptEvaluateAsync(_addUser.Sha1, keys, [UserName, RoomId]).ConfigureAwait(false);
        return (long)result == 1;
    }

    [Benchmark(OperationsPerInvoke = Ops), BenchmarkCategory("Room.AddUser")]
    public Task Lib_add_user() => Repeat(Lib_add_user_once);

    public ValueTask<bool> Lib_add_user_once() => _rooms.AddUserAsync(RoomId, UserName);

    [Benchmark(Baseline = true, OperationsPerInvoke = Ops), BenchmarkCategory("Room.GetUsers")]
    public Task Raw_get_users() => Repeat(Raw_get_users_once);

    public async Task<IReadOnlyList<string>> Raw_get_users_once()
    {
        RedisValue[] members = await _db.SetMembersAsync(_users).ConfigureAwait(false);
        var names = new string[members.Length];
        for (int i = 0; i < names.Length; i++)
        {
            names[i] = members[i].ToString();
        }

        Array.Sort(names, StringComparer.Ordinal);
        return names;
    }

    [Benchmark(OperationsPerInvoke = Ops), BenchmarkCategory("Room.GetUsers")]
    public Task Lib_get_users() => Repeat(Lib_get_users_once);

    public ValueTask<IReadOnlyList<string>> Lib_get_users_once() => _rooms.GetUsersAsync(RoomId);
}

/// <summary>
/// Room calls that create per-call data, in the scratch database: create+delete of one room (delete alone would find
/// nothing after its first call), and copy of a 100-frame room to a new target per call. The database is flushed
/// after each iteration and the copy's source written again.
/// </summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
[FullRunOnly]
[InvocationCount(64)]
[ClusterTwins]
public class RoomLifecycleBenchmarks : RedisBenchmark
{
    private const string DeletedRoom = "bench-deleted";
    private const string Source = "bench-copy-source";
    private const string CopyDescription = "a copy";
    private const int SourceFrames = 100;
    private const int SourceBookmarks = 10;
    private IDatabase _db = null!;
    private RoomRepository _rooms = null!;
    private RawScript _create = null!;
    private RawScript _delete = null!;
    private RawScript _copy = null!;
    private RawScript _copyWrite = null!;
    private string _deletedPrefix = null!; // was a constant: built once for the layout of the run
    private string _deletedJobHead = null!;
    private RedisValue[] _geometryArgs = null!;
    private long _next;

    protected override Task SetupAsync()
    {
        _db = Db(BenchmarkRedis.ScratchDb);
        _deletedPrefix = RoomBase(DeletedRoom);
        _deletedJobHead = BenchmarkCluster.Active ? "job:{" + DeletedRoom + "}:" : "job:";
        _rooms = new RoomRepository(BenchmarkRedis.Context(BenchmarkRedis.ScratchDb));
        _create = new RawScript(RoomScripts.Create.Text);
        _delete = new RawScript(RoomScripts.Delete.Text);
        _copy = new RawScript(RoomScripts.Copy.Text);
        _copyWrite = new RawScript(RoomScripts.CopyWrite.Text);
        _geometryArgs = [.. DefaultGeometries.All.SelectMany(g => new RedisValue[] { g.Name, g.Json })];
        RedisState.Flush(BenchmarkRedis.ScratchDb);
        WriteSource();
        return Task.CompletedTask;
    }

    protected override async Task VerifyAsync()
    {
        // The raw delete names the fixed room keys by hand, in the order the script expects.
        SameSequence<RedisKey>(
            BenchmarkCluster.Active
                ? RoomFixedKeys.For(new RoomKeys(DeletedRoom, BenchmarkCluster.Space))
                : [.. RoomFixedKeys.For(new RoomKeys(DeletedRoom, KeySpace.Default)), (RedisKey)"rooms:index"],
            DeleteKeys(DeletedRoom),
            "keys of the delete script");

        Same(await Lib_create_then_delete_once(), true, "library create + delete");
        Same(RedisState.Keys(BenchmarkRedis.ScratchDb, _deletedPrefix + "*").Any(), false, "keys left by the library's delete");
        Same(await _db.SetContainsAsync("rooms:index", DeletedRoom), false, "index after the library's delete");
        Same(await Raw_create_then_delete_once(), true, "raw create + delete");
        Same(RedisState.Keys(BenchmarkRedis.ScratchDb, _deletedPrefix + "*").Any(), false, "keys left by the raw delete");
        Same(await _db.SetContainsAsync("rooms:index", DeletedRoom), false, "index after the raw delete");
        Same(await _rooms.DeleteAsync(DeletedRoom), false, "library delete of a missing room");

        Same(await Lib_copy_once(), RoomCopyResult.Copied, "library copy");
        Same(await Raw_copy_once(), RoomCopyResult.Copied, "raw copy");
        int head = RoomBase("k0").Length;
        var libKeys = RedisState.Keys(BenchmarkRedis.ScratchDb, RoomBase("k0") + "*").Select(k => k.ToString()![head..]).Order().ToList();
        var rawKeys = RedisState.Keys(BenchmarkRedis.ScratchDb, RoomBase("k1") + "*").Select(k => k.ToString()![head..]).Order().ToList();
        SameSequence(libKeys, rawKeys, "keys written by copy");
        Same(libKeys.Count, 7, "keys of a copied room");
        SameSequence(await _db.StringGetAsync(CoreKeys("k0")), await _db.StringGetAsync(CoreKeys("k1")), "core keys written by copy");
        SameSequence(await _db.SortedSetRangeByRankWithScoresAsync(RoomKey("k0", "trajectory:indices")), await _db.SortedSetRangeByRankWithScoresAsync(RoomKey("k1", "trajectory:indices")), "trajectory copied");
        // By field name: a hash in the hashtable encoding iterates in an order of its node's hash seed (on the cluster
        // the two copies may be on two nodes).
        SameSequence(ByName(await _db.HashGetAllAsync(RoomKey("k0", "geometries"))), ByName(await _db.HashGetAllAsync(RoomKey("k1", "geometries"))), "geometries copied");
        SameSequence(ByName(await _db.HashGetAllAsync(RoomKey("k0", "bookmarks"))), ByName(await _db.HashGetAllAsync(RoomKey("k1", "bookmarks"))), "bookmarks copied");
        Same(await _db.SortedSetLengthAsync(RoomKey("k1", "trajectory:indices")), SourceFrames, "frames copied");
        Same(await _db.SetContainsAsync("rooms:index", "k0") && await _db.SetContainsAsync("rooms:index", "k1"), true, "copies indexed");

        static IEnumerable<HashEntry> ByName(HashEntry[] entries) => entries.OrderBy(e => (string?)e.Name, StringComparer.Ordinal);

        static RedisKey[] CoreKeys(string id) => [RoomKey(id, "description"), RoomKey(id, "locked"), RoomKey(id, "hidden"), RoomKey(id, "current_frame")];
    }

    [IterationCleanup]
    public void Cleanup()
    {
        RedisState.Flush(BenchmarkRedis.ScratchDb);
        WriteSource();
    }

    private void WriteSource()
    {
        string prefix = RoomBase(Source);
        var frames = new SortedSetEntry[SourceFrames];
        for (int i = 0; i < SourceFrames; i++)
        {
            frames[i] = new SortedSetEntry("source-room:" + i.ToString(CultureInfo.InvariantCulture), i);
        }

        var bookmarks = new HashEntry[SourceBookmarks];
        for (int i = 0; i < SourceBookmarks; i++)
        {
            string frame = (i * 10).ToString(CultureInfo.InvariantCulture);
            bookmarks[i] = new HashEntry(frame, "bookmark at frame " + frame);
        }

        _db.StringSet([new(prefix + "current_frame", "0"), new(prefix + "locked", "0"), new(prefix + "hidden", "0")]);
        _db.SortedSetAdd(prefix + "trajectory:indices", frames);
        _db.HashSet(prefix + "geometries", [.. DefaultGeometries.All.Select(g => new HashEntry(g.Name, g.Json))]);
        _db.HashSet(prefix + "bookmarks", bookmarks);
        _db.SetAdd("rooms:index", Source);
    }

    private string NextId() => "k" + (_next++).ToString(CultureInfo.InvariantCulture);

    private static RedisKey[] DeleteKeys(string id) => DeleteKeys(id, RoomBase(id));

    private static RedisKey[] DeleteKeys(string id, string p)
    {
        if (BenchmarkCluster.Active)
        {
            // The cluster-safe layout: the room's slot only (the index is a second step).
            return
            [
                p + "keys", p + "jobs:active", p + "jobs:inactive", p + "jobs:by_time", p + "description", p + "locked",
                p + "hidden", p + "current_frame", p + "presenter_lock", p + "metadata", p + "users", p + "trajectory:indices",
                p + "bookmarks", p + "geometries", p + "figures", p + "selections", p + "selection_groups",
                p + "active_selection_group", p + "chat:index", p + "chat:data", p + "chat:counter", p + "filesystems",
            ];
        }

        return
        [
            p + "keys", p + "jobs:active", p + "jobs:inactive", p + "jobs:by_time", p + "description", p + "locked",
            p + "hidden", p + "current_frame", p + "presenter_lock", p + "metadata", p + "users", p + "trajectory:indices",
            p + "bookmarks", p + "geometries", p + "figures", p + "selections", p + "selection_groups",
            p + "active_selection_group", p + "chat:index", p + "chat:data", p + "chat:counter", p + "filesystems",
            "rooms:index",
        ];
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Ops), BenchmarkCategory("Room.CreateThenDelete")]
    public Task Raw_create_then_delete() => Repeat(Raw_create_then_delete_once);

    public async Task<bool> Raw_create_then_delete_once()
    {
        const string id = DeletedRoom;
        string p = _deletedPrefix;
        bool cluster = BenchmarkCluster.Active;
        RedisKey[] createKeys = cluster
            ? [p + "current_frame", p + "locked", p + "hidden", p + "description", p + "geometries"]
            : [p + "current_frame", p + "locked", p + "hidden", p + "description", p + "geometries", "rooms:index"];
        var createArgs = new RedisValue[3 + _geometryArgs.Length];
        createArgs[0] = id;
        createArgs[1] = "0";
        createArgs[2] = string.Empty;
        _geometryArgs.CopyTo(createArgs, 3);
        RedisResult created = await _db.ScriptEvaluateAsync(_create.Sha1, createKeys, createArgs).ConfigureAwait(false);
        if (cluster)
        {
            // The cluster-safe layout: each script in the room's slot, each followed by its index step.
            await _db.SetAddAsync("rooms:index", id).ConfigureAwait(false);
        }

        RedisValue[] deleteArgs = [id, _deletedJobHead, p, 22];
        RedisResult removed = await _db.ScriptEvaluateAsync(_delete.Sha1, DeleteKeys(id, p), deleteArgs).ConfigureAwait(false);
        if (cluster)
        {
            await _db.SetRemoveAsync("rooms:index", id).ConfigureAwait(false);
        }

        return (long)created == 1 && (long)removed > 0;
    }

    [Benchmark(OperationsPerInvoke = Ops), BenchmarkCategory("Room.CreateThenDelete")]
    public Task Lib_create_then_delete() => Repeat(Lib_create_then_delete_once);

    public async Task<bool> Lib_create_then_delete_once() =>
        await _rooms.CreateAsync(DeletedRoom).ConfigureAwait(false)
        && await _rooms.DeleteAsync(DeletedRoom).ConfigureAwait(false);

    [Benchmark(Baseline = true, OperationsPerInvoke = Ops), BenchmarkCategory("Room.Copy")]
    public Task Raw_copy() => Repeat(Raw_copy_once);

    public async Task<RoomCopyResult> Raw_copy_once()
    {
        string target = NextId();
        if (BenchmarkCluster.Active)
        {
            return await RawCopyClusterAsync(target).ConfigureAwait(false);
        }

        string s = "room:" + Source + ":";
        string t = "room:" + target + ":";
        RedisKey[] keys =
        [
            s + "trajectory:indices", s + "geometries", s + "bookmarks",
            t + "current_frame", t + "locked", t + "hidden", t + "description", t + "trajectory:indices", t + "geometries", t + "bookmarks",
            "rooms:index",
        ];
        RedisResult result = await _db.ScriptEvaluateAsync(_copy.Sha1, keys, [target, "1", CopyDescription]).ConfigureAwait(false);
        return (RoomCopyResult)(int)result;
    }

    // The cluster-safe layout's steps: read the source (one batch in its slot), write the target (one script in its
    // slot), then the index.
    private async Task<RoomCopyResult> RawCopyClusterAsync(string target)
    {
        string s = RoomBase(Source);
        string t = RoomBase(target);
        IBatch batch = _db.CreateBatch();
        Task<SortedSetEntry[]> framesTask = batch.SortedSetRangeByRankWithScoresAsync(s + "trajectory:indices");
        Task<HashEntry[]> geometriesTask = batch.HashGetAllAsync(s + "geometries");
        Task<HashEntry[]> bookmarksTask = batch.HashGetAllAsync(s + "bookmarks");
        batch.Execute();
        SortedSetEntry[] frames = await framesTask.ConfigureAwait(false);
        HashEntry[] geometries = await geometriesTask.ConfigureAwait(false);
        HashEntry[] bookmarks = await bookmarksTask.ConfigureAwait(false);
        if (frames.Length == 0)
        {
            return RoomCopyResult.SourceHasNoTrajectory;
        }

        var args = new RedisValue[5 + (2 * (frames.Length + geometries.Length + bookmarks.Length))];
        args[0] = "1";
        args[1] = CopyDescription;
        args[2] = frames.Length * 2;
        args[3] = geometries.Length * 2;
        args[4] = bookmarks.Length * 2;
        int i = 5;
        foreach (SortedSetEntry entry in frames)
        {
            args[i++] = entry.Score;
            args[i++] = entry.Element;
        }

        foreach (HashEntry entry in geometries)
        {
            args[i++] = entry.Name;
            args[i++] = entry.Value;
        }

        foreach (HashEntry entry in bookmarks)
        {
            args[i++] = entry.Name;
            args[i++] = entry.Value;
        }

        RedisKey[] keys = [t + "current_frame", t + "locked", t + "hidden", t + "description", t + "trajectory:indices", t + "geometries", t + "bookmarks"];
        var result = (RoomCopyResult)(int)await _db.ScriptEvaluateAsync(_copyWrite.Sha1, keys, args).ConfigureAwait(false);
        if (result == RoomCopyResult.Copied)
        {
            await _db.SetAddAsync("rooms:index", target).ConfigureAwait(false);
        }

        return result;
    }

    [Benchmark(OperationsPerInvoke = Ops), BenchmarkCategory("Room.Copy")]
    public Task Lib_copy() => Repeat(Lib_copy_once);

    public ValueTask<RoomCopyResult> Lib_copy_once() => _rooms.CopyAsync(Source, NextId(), CopyDescription);
}
