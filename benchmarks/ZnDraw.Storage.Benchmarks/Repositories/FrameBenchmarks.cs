using System.Globalization;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using StackExchange.Redis;
using ZnDraw.Storage.Benchmarks.Infrastructure;
using ZnDraw.Storage.Models;
using ZnDraw.Storage.Redis.Repositories;
using ZnDraw.Storage.Redis.Scripts;

namespace ZnDraw.Storage.Benchmarks.Repositories;

/// <summary>Trajectory reads on 1k and 100k frames: ZCARD and the whole range (ZRANGE … WITHSCORES, parsed into entries).</summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
[ClusterTwins]
public class FrameReadBenchmarks : RedisBenchmark
{
    private IDatabase _db = null!;
    private FrameRepository _frames = null!;
    private string _room = null!;
    private string _roomHead = null!; // Room(_room): the twin concatenates the rest per call, as before

    [Params(1_000, 100_000)]
    public int Frames { get; set; }

    protected override string ParameterText() => "Frames=" + Frames.ToString(CultureInfo.InvariantCulture);

    protected override async Task SetupAsync()
    {
        _db = Db();
        _frames = new FrameRepository(BenchmarkRedis.Context());
        _room = "bench-frames-" + Frames.ToString(CultureInfo.InvariantCulture);
        _roomHead = Room(_room);
        RedisKey key = _roomHead + ":trajectory:indices";
        await _db.KeyDeleteAsync(key);
        const int Chunk = 10_000;
        for (int start = 0; start < Frames; start += Chunk)
        {
            var entries = new SortedSetEntry[Math.Min(Chunk, Frames - start)];
            for (int i = 0; i < entries.Length; i++)
            {
                entries[i] = new SortedSetEntry("source-room:" + (start + i).ToString(CultureInfo.InvariantCulture), start + i);
            }

            await _db.SortedSetAddAsync(key, entries);
        }
    }

    protected override async Task VerifyAsync()
    {
        Same(await _frames.CountAsync(_room), await Raw_count_once(), "count");
        SameSequence(await _frames.GetRangeAsync(_room), await Raw_range_once(), "range");
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Ops), BenchmarkCategory("Frames.Count")]
    public Task Raw_count() => Repeat(Raw_count_once);

    public Task<long> Raw_count_once() => _db.SortedSetLengthAsync(_roomHead + ":trajectory:indices");

    [Benchmark(OperationsPerInvoke = Ops), BenchmarkCategory("Frames.Count")]
    public Task Lib_count() => Repeat(Lib_count_once);

    public ValueTask<long> Lib_count_once() => _frames.CountAsync(_room);

    [Benchmark(Baseline = true, OperationsPerInvoke = Ops), BenchmarkCategory("Frames.Range")]
    public Task Raw_range() => Repeat(Raw_range_once);

    public async Task<IReadOnlyList<TrajectoryEntry>> Raw_range_once()
    {
        SortedSetEntry[] entries = await _db.SortedSetRangeByRankWithScoresAsync(_roomHead + ":trajectory:indices").ConfigureAwait(false);
        var result = new TrajectoryEntry[entries.Length];
        for (int i = 0; i < entries.Length; i++)
        {
            string text = entries[i].Element!;
            int colon = text.LastIndexOf(':');
            string room = colon < 0 ? _room : text[..colon];
            int index = int.Parse(colon < 0 ? text : text.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture);
            result[i] = new TrajectoryEntry(new FrameIndex(room, index), entries[i].Score);
        }

        return result;
    }

    [Benchmark(OperationsPerInvoke = Ops), BenchmarkCategory("Frames.Range")]
    public Task Lib_range() => Repeat(Lib_range_once);

    public ValueTask<IReadOnlyList<TrajectoryEntry>> Lib_range_once() => _frames.GetRangeAsync(_room);
}

/// <summary>Appending one frame (the append script: duplicate check, next score, ZADD) to a growing trajectory.</summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
[ClusterTwins]
public class FrameAppendBenchmarks : RedisBenchmark
{
    private IDatabase _db = null!;
    private string _rawKey = null!;
    private FrameRepository _frames = null!;
    private RawScript _append = null!;
    private int _next;

    protected override async Task SetupAsync()
    {
        _db = Db();
        _frames = new FrameRepository(BenchmarkRedis.Context());
        _append = new RawScript(FrameScripts.Append.Text);
        _rawKey = Room("bench-append-raw") + ":trajectory:indices";
        await _db.KeyDeleteAsync(Room("bench-append-lib") + ":trajectory:indices"); // (two rooms: two slots on the cluster)
        await _db.KeyDeleteAsync(_rawKey);
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Ops), BenchmarkCategory("Frames.Append")]
    public Task Raw_append() => Repeat(Raw_append_once);

    public async Task<int> Raw_append_once()
    {
        FrameIndex[] frames = [new("source-room", _next++)];
        var members = new RedisValue[frames.Length];
        for (int i = 0; i < members.Length; i++)
        {
            members[i] = frames[i].ToString();
        }

        var result = (RedisResult[])(await _db.ScriptEvaluateAsync(_append.Sha1, [_rawKey], members).ConfigureAwait(false))!;
        if ((long)result[0] == FrameScripts.Duplicate)
        {
            throw new InvalidOperationException("duplicate frame");
        }

        return (int)result[0];
    }

    [Benchmark(OperationsPerInvoke = Ops), BenchmarkCategory("Frames.Append")]
    public Task Lib_append() => Repeat(Lib_append_once);

    public ValueTask<int> Lib_append_once() => _frames.AppendAsync("bench-append-lib", [new FrameIndex("source-room", _next++)]);
}

/// <summary>Bookmarks: HGETALL parsed and sorted by frame, and the set script (range check + HSET).</summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
[ClusterTwins]
public class BookmarkBenchmarks : RedisBenchmark
{
    private const string RoomId = "bench-bookmarks";
    private IDatabase _db = null!;
    private string _indices = null!;
    private string _bookmarksKey = null!;
    private BookmarkRepository _bookmarks = null!;
    private RawScript _set = null!;

    protected override async Task SetupAsync()
    {
        _db = Db();
        _indices = Room(RoomId) + ":trajectory:indices";
        _bookmarksKey = Room(RoomId) + ":bookmarks";
        var context = BenchmarkRedis.Context();
        _bookmarks = new BookmarkRepository(context);
        _set = new RawScript(FrameScripts.SetBookmark.Text);
        var frames = new FrameRepository(context);
        await _db.KeyDeleteAsync([_indices, _bookmarksKey]);
        await frames.AppendAsync(RoomId, [.. Enumerable.Range(0, 100).Select(i => new FrameIndex(RoomId, i))]);
        for (int i = 0; i < 100; i += 10)
        {
            await _bookmarks.SetAsync(RoomId, i, "bookmark at frame " + i.ToString(CultureInfo.InvariantCulture));
        }
    }

    protected override async Task VerifyAsync() =>
        SameSequence(await _bookmarks.GetAllAsync(RoomId), await Raw_get_all_once(), "bookmarks");

    [Benchmark(Baseline = true, OperationsPerInvoke = Ops), BenchmarkCategory("Bookmarks.GetAll")]
    public Task Raw_get_all() => Repeat(Raw_get_all_once);

    public async Task<IReadOnlyList<Bookmark>> Raw_get_all_once()
    {
        HashEntry[] entries = await _db.HashGetAllAsync(_bookmarksKey).ConfigureAwait(false);
        var result = new Bookmark[entries.Length];
        for (int i = 0; i < entries.Length; i++)
        {
            if (!entries[i].Name.TryParse(out int frame) || frame < 0)
            {
                throw new InvalidOperationException("bad bookmark field");
            }

            // Refuses a label that is not UTF-8 (decoding would replace bytes), as the library does.
            if (!System.Text.Unicode.Utf8.IsValid(((ReadOnlyMemory<byte>)entries[i].Value).Span))
            {
                throw new InvalidOperationException("bad bookmark label");
            }

            result[i] = new Bookmark(frame, (string?)entries[i].Value ?? string.Empty);
        }

        Array.Sort(result, static (a, b) => a.Frame.CompareTo(b.Frame));
        return result;
    }

    [Benchmark(OperationsPerInvoke = Ops), BenchmarkCategory("Bookmarks.GetAll")]
    public Task Lib_get_all() => Repeat(Lib_get_all_once);

    public ValueTask<IReadOnlyList<Bookmark>> Lib_get_all_once() => _bookmarks.GetAllAsync(RoomId);

    [Benchmark(Baseline = true, OperationsPerInvoke = Ops), BenchmarkCategory("Bookmarks.Set")]
    public Task Raw_set() => Repeat(Raw_set_once);

    public async Task Raw_set_once()
    {
        RedisKey[] keys = [_indices, _bookmarksKey];
        var result = (RedisResult[])(await _db.ScriptEvaluateAsync(_set.Sha1, keys, [50.ToString(CultureInfo.InvariantCulture), "bookmark at frame 50"]).ConfigureAwait(false))!;
        if ((long)result[0] == FrameScripts.OutOfRange)
        {
            throw new ArgumentOutOfRangeException(nameof(result));
        }
    }

    [Benchmark(OperationsPerInvoke = Ops), BenchmarkCategory("Bookmarks.Set")]
    public Task Lib_set() => Repeat(Lib_set_once);

    public ValueTask Lib_set_once() => _bookmarks.SetAsync(RoomId, 50, "bookmark at frame 50");
}
