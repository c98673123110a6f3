using System.Globalization;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using StackExchange.Redis;
using ZnDraw.Storage.Benchmarks.Infrastructure;
using ZnDraw.Storage.Models;
using ZnDraw.Storage.Redis.Repositories;
using ZnDraw.Storage.Redis.Scripts;

namespace ZnDraw.Storage.Benchmarks.Repositories;

/// <summary>
/// Trajectory edits and frame selections on a 100-frame trajectory with bookmarks every 10 frames: single-frame read, the
/// insert and delete scripts (measured as an insert+delete pair, so the trajectory and its bookmarks end as they started),
/// single-frame replace (alternating between two frames, so every call really moves a member), renormalize, the bulk replace
/// (MULTI: DEL + ZADD of 100 frames) and the frame selection GET / MULTI(SET + SADD registry).
/// </summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
[FullRunOnly]
[ClusterTwins]
public class FrameMoreBenchmarks : RedisBenchmark
{
    // Key names (or heads) that were constants, built once for the layout of the run (see RedisBenchmark.Room).
    private string _replaceAllRoomTrajectoryIndicesKey = null!;
    private string _roomIdBase = null!;
    private string _roomIdBookmarksKey = null!;
    private string _roomIdFrameSelectionDefaultKey = null!;
    private string _roomIdKeysKey = null!;
    private string _roomIdTrajectoryIndicesKey = null!;

    private const string RoomId = "bench-frames-more";
    private const string ReplaceAllRoom = "bench-frames-more-all";
    private const int Frames = 100;
    private const int ReadIndex = 42;
    private const int InsertPosition = 50;
    private const int ReplaceIndex = 30;
    private static readonly FrameIndex Inserted = new(RoomId, 1000);
    private static readonly FrameIndex ReplaceA = new(RoomId, ReplaceIndex);
    private static readonly FrameIndex ReplaceB = new(RoomId, 1030);
    private static readonly int[] DeleteIndices = [InsertPosition];
    private static readonly FrameSelection Selection = new(FrameSelection.DefaultGroup, [.. Enumerable.Range(0, 20).Select(i => i * 5)]);
    private IDatabase _db = null!;
    private FrameRepository _frames = null!;
    private RawScript _insert = null!;
    private RawScript _delete = null!;
    private RawScript _replace = null!;
    private RawScript _renormalize = null!;
    private FrameIndex[] _all = null!;
    private bool _replaceFlip;

    protected override async Task SetupAsync()
    {
        _db = Db();
        _replaceAllRoomTrajectoryIndicesKey = Room(ReplaceAllRoom) + ":trajectory:indices";
        _roomIdBase = RoomBase(RoomId);
        _roomIdBookmarksKey = Room(RoomId) + ":bookmarks";
        _roomIdFrameSelectionDefaultKey = Room(RoomId) + ":frame_selection:default";
        _roomIdKeysKey = Room(RoomId) + ":keys";
        _roomIdTrajectoryIndicesKey = Room(RoomId) + ":trajectory:indices";
        var context = BenchmarkRedis.Context();
        _frames = new FrameRepository(context);
        var bookmarks = new BookmarkRepository(context);
        _insert = new RawScript(FrameScripts.Insert.Text);
        _delete = new RawScript(FrameScripts.Delete.Text);
        _replace = new RawScript(FrameScripts.Replace.Text);
        _renormalize = new RawScript(FrameScripts.Renormalize.Text);
        await _db.KeyDeleteAsync([_roomIdBookmarksKey, _roomIdFrameSelectionDefaultKey]);
        await _frames.ReplaceAllAsync(RoomId, [.. Enumerable.Range(0, Frames).Select(i => new FrameIndex(RoomId, i))]);
        for (int i = 0; i < Frames; i += 10)
        {
            await bookmarks.SetAsync(RoomId, i, "bookmark at frame " + i.ToString(CultureInfo.InvariantCulture));
        }

        await _frames.SetFrameSelectionAsync(RoomId, Selection);
        _all = [.. Enumerable.Range(0, Frames).Select(i => new FrameIndex("source-room", i))];
        await _frames.ReplaceAllAsync(ReplaceAllRoom, _all);
        _replaceFlip = false; // frame ReplaceIndex is ReplaceA again: the next replace moves it to ReplaceB
    }

    protected override async Task VerifyAsync()
    {
        Same(await _frames.GetAsync(RoomId, ReadIndex), await Raw_get_once(), "get");
        Same(await _frames.GetAsync(RoomId, Frames + 5), await RawGetAsync(Frames + 5), "get past the end");

        SortedSetEntry[] before = await TrajectoryAsync(RoomId);
        HashEntry[] bookmarksBefore = await BookmarksAsync();
        await _frames.InsertAsync(RoomId, InsertPosition, Inserted);
        SortedSetEntry[] libInserted = await TrajectoryAsync(RoomId);
        HashEntry[] libBookmarks = await BookmarksAsync();
        Same(1, await _frames.DeleteAsync(RoomId, DeleteIndices), "library delete");
        SameSequence(before, await TrajectoryAsync(RoomId), "trajectory after library insert+delete");
        await RawInsertAsync(InsertPosition, Inserted);
        SameSequence(libInserted, await TrajectoryAsync(RoomId), "trajectory after insert");
        SameSequence(libBookmarks, await BookmarksAsync(), "bookmarks after insert");
        Same(1, await RawDeleteAsync(DeleteIndices), "raw delete");
        SameSequence(before, await TrajectoryAsync(RoomId), "trajectory after raw insert+delete");
        SameSequence(bookmarksBefore, await BookmarksAsync(), "bookmarks after insert+delete");
        Same(await Lib_insert_delete_once(), await Raw_insert_delete_once(), "insert+delete");

        Same(ReplaceA, await Lib_replace_once(), "library replace returns the old frame");
        Same(ReplaceB, await Raw_replace_once(), "raw replace returns the old frame");
        Same(ReplaceA, await RawGetAsync(ReplaceIndex), "frame after two replaces");
        SameSequence(before, await TrajectoryAsync(RoomId), "trajectory after two replaces");

        Same(await _frames.RenormalizeAsync(RoomId), await Raw_renormalize_once(), "renormalize");

        await _db.KeyDeleteAsync(_replaceAllRoomTrajectoryIndicesKey);
        await Lib_replace_all_once();
        SortedSetEntry[] libAll = await TrajectoryAsync(ReplaceAllRoom);
        await _db.KeyDeleteAsync(_replaceAllRoomTrajectoryIndicesKey);
        await Raw_replace_all_once();
        SameSequence(libAll, await TrajectoryAsync(ReplaceAllRoom), "trajectory written by replace all");

        Same(await _frames.GetFrameSelectionAsync(RoomId), await Raw_get_frame_selection_once(), "frame selection");
        await _db.KeyDeleteAsync([_roomIdFrameSelectionDefaultKey, _roomIdKeysKey]);
        await Lib_set_frame_selection_once();
        RedisValue libSelection = await _db.StringGetAsync(_roomIdFrameSelectionDefaultKey);
        RedisValue[] libRegistry = await _db.SetMembersAsync(_roomIdKeysKey);
        await _db.KeyDeleteAsync([_roomIdFrameSelectionDefaultKey, _roomIdKeysKey]);
        await Raw_set_frame_selection_once();
        Same((string?)libSelection, (string?)await _db.StringGetAsync(_roomIdFrameSelectionDefaultKey), "frame selection written");
        SameSequence(libRegistry, await _db.SetMembersAsync(_roomIdKeysKey), "key registry written");
    }

    private async Task<HashEntry[]> BookmarksAsync() =>
        [.. (await _db.HashGetAllAsync(_roomIdBookmarksKey)).OrderBy(e => (string?)e.Name, StringComparer.Ordinal)];

    private Task<SortedSetEntry[]> TrajectoryAsync(string room) =>
        _db.SortedSetRangeByRankWithScoresAsync(RoomKey(room, "trajectory:indices"));

    private static FrameIndex ParseMember(string owningRoom, in RedisValue member)
    {
        string? text = member;
        if (string.IsNullOrEmpty(text))
        {
            throw new InvalidOperationException("empty trajectory member");
        }

        int colon = text.LastIndexOf(':');
        string room = colon < 0 ? owningRoom : text[..colon];
        if (room.Length == 0 || !int.TryParse(colon < 0 ? text : text.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out int index))
        {
            throw new InvalidOperationException("bad trajectory member");
        }

        return new FrameIndex(room, index);
    }

    private static string Member(FrameIndex frame) =>
        frame.SourceRoom + ":" + frame.PhysicalIndex.ToString(CultureInfo.InvariantCulture);

    private FrameIndex NextReplacement()
    {
        // Shared by both twins, so the frame at ReplaceIndex alternates A, B, A, … whichever side calls.
        _replaceFlip = !_replaceFlip;
        return _replaceFlip ? ReplaceB : ReplaceA;
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Ops), BenchmarkCategory("Frames.Get")]
    public Task Raw_get() => Repeat(Raw_get_once);

    public Task<FrameIndex?> Raw_get_once() => RawGetAsync(ReadIndex);

    private async Task<FrameIndex?> RawGetAsync(int index)
    {
        RedisValue[] members = await _db.SortedSetRangeByRankAsync(_roomIdTrajectoryIndicesKey, index, index).ConfigureAwait(false);
        return members.Length == 0 ? null : ParseMember(RoomId, members[0]);
    }

    [Benchmark(OperationsPerInvoke = Ops), BenchmarkCategory("Frames.Get")]
    public Task Lib_get() => Repeat(Lib_get_once);

    public ValueTask<FrameIndex?> Lib_get_once() => _frames.GetAsync(RoomId, ReadIndex);

    [Benchmark(Baseline = true, OperationsPerInvoke = Ops), BenchmarkCategory("Frames.InsertThenDelete")]
    public Task Raw_insert_delete() => Repeat(Raw_insert_delete_once);

    public async Task<int> Raw_insert_delete_once()
    {
        await RawInsertAsync(InsertPosition, Inserted).ConfigureAwait(false);
        return await RawDeleteAsync(DeleteIndices).ConfigureAwait(false);
    }

    private async Task RawInsertAsync(int position, FrameIndex frame)
    {
        RedisKey[] keys = [_roomIdTrajectoryIndicesKey, _roomIdBookmarksKey];
        RedisValue[] args = [position.ToString(CultureInfo.InvariantCulture), Member(frame)];
        var result = (RedisResult[])(await _db.ScriptEvaluateAsync(_insert.Sha1, keys, args).ConfigureAwait(false))!;
        long status = (long)result[0];
        if (status == -3)
        {
            throw new InvalidOperationException("frame already in the trajectory");
        }

        if (status == -1)
        {
            throw new ArgumentOutOfRangeException(nameof(position));
        }
    }

    private async Task<int> RawDeleteAsync(int[] indices)
    {
        // The script wants the indices ascending and distinct.
        int[] sorted = (int[])indices.Clone();
        Array.Sort(sorted);
        int count = 0;
        for (int i = 0; i < sorted.Length; i++)
        {
            if (sorted[i] < 0)
            {
                throw new ArgumentOutOfRangeException(nameof(indices));
            }

            if (count == 0 || sorted[count - 1] != sorted[i])
            {
                sorted[count++] = sorted[i];
            }
        }

        if (count == 0)
        {
            return 0;
        }

        var args = new RedisValue[count + 2];
        args[0] = RoomId;
        args[1] = "0";
        for (int i = 0; i < count; i++)
        {
            args[i + 2] = sorted[i].ToString(CultureInfo.InvariantCulture);
        }

        RedisKey[] keys = [_roomIdTrajectoryIndicesKey, _roomIdBookmarksKey];
        var result = (RedisResult[])(await _db.ScriptEvaluateAsync(_delete.Sha1, keys, args).ConfigureAwait(false))!;
        long status = (long)result[0];
        if (status == -2)
        {
            throw new InvalidOperationException("template frame");
        }

        if (status == -1)
        {
            throw new ArgumentOutOfRangeException(nameof(indices));
        }

        return (int)status;
    }

    [Benchmark(OperationsPerInvoke = Ops), BenchmarkCategory("Frames.InsertThenDelete")]
    public Task Lib_insert_delete() => Repeat(Lib_insert_delete_once);

    public async Task<int> Lib_insert_delete_once()
    {
        await _frames.InsertAsync(RoomId, InsertPosition, Inserted).ConfigureAwait(false);
        return await _frames.DeleteAsync(RoomId, DeleteIndices).ConfigureAwait(false);
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Ops), BenchmarkCategory("Frames.Replace")]
    public Task Raw_replace() => Repeat(Raw_replace_once);

    public async Task<FrameIndex> Raw_replace_once()
    {
        FrameIndex frame = NextReplacement();
        RedisKey[] keys = [_roomIdTrajectoryIndicesKey, _roomIdBookmarksKey];
        RedisValue[] args = [ReplaceIndex.ToString(CultureInfo.InvariantCulture), Member(frame)];
        var result = (RedisResult[])(await _db.ScriptEvaluateAsync(_replace.Sha1, keys, args).ConfigureAwait(false))!;
        long status = (long)result[0];
        if (status == -3)
        {
            throw new InvalidOperationException("frame already in the trajectory");
        }

        if (status == -1)
        {
            throw new ArgumentOutOfRangeException(nameof(frame));
        }

        return ParseMember(RoomId, (RedisValue)result[1]);
    }

    [Benchmark(OperationsPerInvoke = Ops), BenchmarkCategory("Frames.Replace")]
    public Task Lib_replace() => Repeat(Lib_replace_once);

    public ValueTask<FrameIndex> Lib_replace_once() => _frames.ReplaceAsync(RoomId, ReplaceIndex, NextReplacement());

    [Benchmark(Baseline = true, OperationsPerInvoke = Ops), BenchmarkCategory("Frames.Renormalize")]
    public Task Raw_renormalize() => Repeat(Raw_renormalize_once);

    public async Task<long> Raw_renormalize_once()
    {
        var result = (RedisResult[])(await _db.ScriptEvaluateAsync(_renormalize.Sha1, [_roomIdTrajectoryIndicesKey]).ConfigureAwait(false))!;
        return (long)result[0];
    }

    [Benchmark(OperationsPerInvoke = Ops), BenchmarkCategory("Frames.Renormalize")]
    public Task Lib_renormalize() => Repeat(Lib_renormalize_once);

    public ValueTask<long> Lib_renormalize_once() => _frames.RenormalizeAsync(RoomId);

    [Benchmark(Baseline = true, OperationsPerInvoke = Ops), BenchmarkCategory("Frames.ReplaceAll")]
    public Task Raw_replace_all() => Repeat(Raw_replace_all_once);

    public async Task Raw_replace_all_once()
    {
        FrameIndex[] frames = _all;
        var entries = new SortedSetEntry[frames.Length];
        for (int i = 0; i < entries.Length; i++)
        {
            entries[i] = new SortedSetEntry(Member(frames[i]), i);
        }

        RedisKey key = _replaceAllRoomTrajectoryIndicesKey;
        ITransaction tx = _db.CreateTransaction();
        Task deleted = tx.KeyDeleteAsync(key);
        Task added = entries.Length == 0 ? Task.CompletedTask : tx.SortedSetAddAsync(key, entries);
        await tx.ExecuteAsync().ConfigureAwait(false);
        await Task.WhenAll(deleted, added).ConfigureAwait(false);
    }

    [Benchmark(OperationsPerInvoke = Ops), BenchmarkCategory("Frames.ReplaceAll")]
    public Task Lib_replace_all() => Repeat(Lib_replace_all_once);

    public ValueTask Lib_replace_all_once() => _frames.ReplaceAllAsync(ReplaceAllRoom, _all);

    [Benchmark(Baseline = true, OperationsPerInvoke = Ops), BenchmarkCategory("Frames.GetFrameSelection")]
    public Task Raw_get_frame_selection() => Repeat(Raw_get_frame_selection_once);

    public async Task<FrameSelection?> Raw_get_frame_selection_once()
    {
        RedisValue value = await _db.StringGetAsync(_roomIdFrameSelectionDefaultKey).ConfigureAwait(false);
        return value.IsNull ? null : new FrameSelection(FrameSelection.DefaultGroup, RawJson.ParseIndexArray(value));
    }

    [Benchmark(OperationsPerInvoke = Ops), BenchmarkCategory("Frames.GetFrameSelection")]
    public Task Lib_get_frame_selection() => Repeat(Lib_get_frame_selection_once);

    public ValueTask<FrameSelection?> Lib_get_frame_selection_once() => _frames.GetFrameSelectionAsync(RoomId);

    [Benchmark(Baseline = true, OperationsPerInvoke = Ops), BenchmarkCategory("Frames.SetFrameSelection")]
    public Task Raw_set_frame_selection() => Repeat(Raw_set_frame_selection_once);

    public async Task Raw_set_frame_selection_once()
    {
        FrameSelection selection = Selection;
        string key = _roomIdBase + "frame_selection:" + selection.Group;
        RedisValue value = RawJson.FormatIndexArray(selection.Frames.AsSpan());
        ITransaction tx = _db.CreateTransaction();
        Task set = tx.StringSetAsync(key, value);
        Task registered = tx.SetAddAsync(_roomIdKeysKey, key);
        await tx.ExecuteAsync().ConfigureAwait(false);
        await Task.WhenAll(set, registered).ConfigureAwait(false);
    }

    [Benchmark(OperationsPerInvoke = Ops), BenchmarkCategory("Frames.SetFrameSelection")]
    public Task Lib_set_frame_selection() => Repeat(Lib_set_frame_selection_once);

    public ValueTask Lib_set_frame_selection_once() => _frames.SetFrameSelectionAsync(RoomId, Selection);
}

/// <summary>
/// Bookmark reads and deletes: HGET of one bookmark, and HDEL / DEL each measured after the set script that puts the bookmark
/// back (set+delete, set+clear), so every call deletes something and the state stays the same.
/// </summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
[FullRunOnly]
[ClusterTwins]
public class BookmarkMoreBenchmarks : RedisBenchmark
{
    // Key names (or heads) that were constants, built once for the layout of the run (see RedisBenchmark.Room).
    private string _clearRoomBookmarksKey = null!;
    private string _roomIdBookmarksKey = null!;

    private const string RoomId = "bench-bookmarks-more";
    private const string ClearRoom = "bench-bookmarks-clear";
    private const int ReadFrame = 40;
    private const int DeleteFrame = 55;
    private const int ClearFrame = 5;
    private const string DeleteLabel = "bookmark at frame 55";
    private const string ClearLabel = "bookmark at frame 5";
    private IDatabase _db = null!;
    private BookmarkRepository _bookmarks = null!;
    private RawScript _set = null!;

    protected override async Task SetupAsync()
    {
        _db = Db();
        _clearRoomBookmarksKey = Room(ClearRoom) + ":bookmarks";
        _roomIdBookmarksKey = Room(RoomId) + ":bookmarks";
        var context = BenchmarkRedis.Context();
        _bookmarks = new BookmarkRepository(context);
        _set = new RawScript(FrameScripts.SetBookmark.Text);
        var frames = new FrameRepository(context);
        await _db.KeyDeleteAsync(_roomIdBookmarksKey); // two rooms: one delete per slot on the cluster
        await _db.KeyDeleteAsync(_clearRoomBookmarksKey);
        await frames.ReplaceAllAsync(RoomId, [.. Enumerable.Range(0, 100).Select(i => new FrameIndex(RoomId, i))]);
        await frames.ReplaceAllAsync(ClearRoom, [.. Enumerable.Range(0, 100).Select(i => new FrameIndex(ClearRoom, i))]);
        for (int i = 0; i < 100; i += 10)
        {
            await _bookmarks.SetAsync(RoomId, i, "bookmark at frame " + i.ToString(CultureInfo.InvariantCulture));
        }
    }

    protected override async Task VerifyAsync()
    {
        Same(await _bookmarks.GetAsync(RoomId, ReadFrame), await Raw_get_once(), "get");
        Same(await Lib_set_delete_once(), await Raw_set_delete_once(), "set+delete");
        Same(await _bookmarks.DeleteAsync(RoomId, DeleteFrame), await _db.HashDeleteAsync(_roomIdBookmarksKey, DeleteFrame.ToString(CultureInfo.InvariantCulture)), "delete of a missing bookmark");
        Same(await Lib_set_clear_once(), await Raw_set_clear_once(), "set+clear");
        Same(true, await Raw_set_clear_once(), "raw set+clear");
        Same(0L, await _db.HashLengthAsync(_clearRoomBookmarksKey), "bookmarks after clear");
    }

    private async Task RawSetAsync(string room, int frame, string label)
    {
        if (frame < 0 || string.IsNullOrEmpty(label))
        {
            throw new ArgumentException("bad bookmark");
        }

        RedisKey[] keys = [RoomKey(room, "trajectory:indices"), RoomKey(room, "bookmarks")];
        var result = (RedisResult[])(await _db.ScriptEvaluateAsync(_set.Sha1, keys, [frame.ToString(CultureInfo.InvariantCulture), label]).ConfigureAwait(false))!;
        if ((long)result[0] == FrameScripts.OutOfRange)
        {
            throw new ArgumentOutOfRangeException(nameof(frame));
        }
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Ops), BenchmarkCategory("Bookmarks.Get")]
    public Task Raw_get() => Repeat(Raw_get_once);

    public async Task<Bookmark?> Raw_get_once()
    {
        RedisValue label = await _db.HashGetAsync(_roomIdBookmarksKey, ReadFrame.ToString(CultureInfo.InvariantCulture)).ConfigureAwait(false);
        if (label.IsNull)
        {
            return null;
        }

        // Refuses a label that is not UTF-8 (decoding would replace bytes), as the library does.
        return System.Text.Unicode.Utf8.IsValid(((ReadOnlyMemory<byte>)label).Span)
            ? new Bookmark(ReadFrame, (string)label!)
            : throw new InvalidOperationException("bad bookmark label");
    }

    [Benchmark(OperationsPerInvoke = Ops), BenchmarkCategory("Bookmarks.Get")]
    public Task Lib_get() => Repeat(Lib_get_once);

    public ValueTask<Bookmark?> Lib_get_once() => _bookmarks.GetAsync(RoomId, ReadFrame);

    [Benchmark(Baseline = true, OperationsPerInvoke = Ops), BenchmarkCategory("Bookmarks.SetThenDelete")]
    public Task Raw_set_delete() => Repeat(Raw_set_delete_once);

    public async Task<bool> Raw_set_delete_once()
    {
        await RawSetAsync(RoomId, DeleteFrame, DeleteLabel).ConfigureAwait(false);
        return await _db.HashDeleteAsync(_roomIdBookmarksKey, DeleteFrame.ToString(CultureInfo.InvariantCulture)).ConfigureAwait(false);
    }

    [Benchmark(OperationsPerInvoke = Ops), BenchmarkCategory("Bookmarks.SetThenDelete")]
    public Task Lib_set_delete() => Repeat(Lib_set_delete_once);

    public async Task<bool> Lib_set_delete_once()
    {
        await _bookmarks.SetAsync(RoomId, DeleteFrame, DeleteLabel).ConfigureAwait(false);
        return await _bookmarks.DeleteAsync(RoomId, DeleteFrame).ConfigureAwait(false);
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Ops), BenchmarkCategory("Bookmarks.SetThenClear")]
    public Task Raw_set_clear() => Repeat(Raw_set_clear_once);

    public async Task<bool> Raw_set_clear_once()
    {
        await RawSetAsync(ClearRoom, ClearFrame, ClearLabel).ConfigureAwait(false);
        return await _db.KeyDeleteAsync(_clearRoomBookmarksKey).ConfigureAwait(false);
    }

    [Benchmark(OperationsPerInvoke = Ops), BenchmarkCategory("Bookmarks.SetThenClear")]
    public Task Lib_set_clear() => Repeat(Lib_set_clear_once);

    public async Task<bool> Lib_set_clear_once()
    {
        await _bookmarks.SetAsync(ClearRoom, ClearFrame, ClearLabel).ConfigureAwait(false);
        return await _bookmarks.ClearAsync(ClearRoom).ConfigureAwait(false);
    }
}
