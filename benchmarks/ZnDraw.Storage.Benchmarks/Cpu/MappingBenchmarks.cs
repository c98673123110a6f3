using System.Globalization;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using StackExchange.Redis;
using ZnDraw.Storage.Benchmarks.Infrastructure;
using ZnDraw.Storage.Contracts;
using ZnDraw.Storage.Models;
using ZnDraw.Storage.Redis.Keys;
using ZnDraw.Storage.Redis.Mapping;

namespace ZnDraw.Storage.Benchmarks.Cpu;

/// <summary>
/// CPU only, no network: the library's own work per call (key building with validation, then mapping a reply it has
/// already received) against the raw twin's key concatenation and decoding of the same reply. This is the wrapper
/// cost that the network benchmarks hide under the round trip.
/// </summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
[QuickRun]
public class MappingBenchmarks
{
    // A listing hands unreadable entries to a delegate the repository made once; none is called on this good data.
    private static readonly Action<StorageDataException> Unreadable = static _ => { };

    private readonly string _roomId = "bench-room";
    private readonly string _jobId = "job-read";
    private RedisValue[] _roomReply = null!;
    private HashEntry[] _jobReply = null!;
    private HashEntry[] _geometryReply = null!;
    private HashEntry[] _bookmarkReply = null!;
    private SortedSetEntry[] _frameReply = null!;

    [GlobalSetup]
    public void Setup()
    {
        _roomReply = ["a room for benchmarks", "0", "0", "12"];
        _jobReply =
        [
            new("id", _jobId), new("room", _roomId), new("category", "modifiers"), new("extension", "Rotate"),
            new("data", "{\"angle\": 90, \"axis\": \"z\", \"atoms\": [1, 2, 3]}"), new("user_name", "alice"),
            new("status", "running"), new("provider", "client"), new("created_at", "2025-10-31T12:00:05.123456"),
            new("started_at", "2025-10-31T12:00:06.123456"), new("completed_at", ""), new("worker_id", "worker-1"),
            new("error", ""), new("result", ""), new("wait_time_ms", "1000"), new("execution_time_ms", ""),
        ];
        _geometryReply = [.. DefaultGeometries.All.Select(g => new HashEntry(g.Name, g.Json))];
        _bookmarkReply = [.. Enumerable.Range(0, 10).Select(i => new HashEntry((i * 10).ToString(CultureInfo.InvariantCulture), "bookmark " + i.ToString(CultureInfo.InvariantCulture)))];
        _frameReply = [.. Enumerable.Range(0, 1000).Select(i => new SortedSetEntry("source-room:" + i.ToString(CultureInfo.InvariantCulture), i))];
    }

    [Benchmark(Baseline = true), BenchmarkCategory("Cpu.Room")]
    public Room Raw_room()
    {
        RedisKey[] keys =
        [
            "room:" + _roomId + ":description", "room:" + _roomId + ":locked",
            "room:" + _roomId + ":hidden", "room:" + _roomId + ":current_frame",
        ];
        GC.KeepAlive(keys);
        RedisValue[] v = _roomReply;
        int frame = v[3].TryParse(out long f) && f >= 0 && f <= int.MaxValue ? (int)f : 0;
        return new Room(_roomId, (string?)v[0], v[1] == "1", v[2] == "1", frame);
    }

    [Benchmark, BenchmarkCategory("Cpu.Room")]
    public Room Lib_room()
    {
        RoomKeys k = KeySpace.Default.Room(_roomId);
        RedisKey[] keys = [k.Description(), k.Locked(), k.Hidden(), k.CurrentFrame()];
        GC.KeepAlive(keys);
        RedisValue[] v = _roomReply;
        return RoomMapping.FromValues(_roomId, v[0], v[1], v[2], v[3]);
    }

    [Benchmark(Baseline = true), BenchmarkCategory("Cpu.Job")]
    public Job Raw_job()
    {
        RedisKey key = "job:" + _jobId;
        GC.KeepAlive(key.ToString());
        return Repositories.JobBenchmarks.RawJob(_jobReply)!;
    }

    [Benchmark, BenchmarkCategory("Cpu.Job")]
    public Job Lib_job()
    {
        JobKeys keys = KeySpace.Default.Job(_roomId, _jobId);
        string name = (string)keys.Hash()!;
        GC.KeepAlive(keys.Hash().ToString());
        return JobMapping.FromHash(name, _jobReply)!;
    }

    [Benchmark(Baseline = true), BenchmarkCategory("Cpu.Geometries")]
    public KeyValuePair<string, Geometry>[] Raw_geometries()
    {
        RedisKey key = "room:" + _roomId + ":geometries";
        GC.KeepAlive(key.ToString());
        var result = new KeyValuePair<string, Geometry>[_geometryReply.Length];
        for (int i = 0; i < result.Length; i++)
        {
            using JsonDocument document = JsonDocument.Parse((ReadOnlyMemory<byte>)_geometryReply[i].Value);
            JsonElement root = document.RootElement.Clone();
            if (!root.TryGetProperty("type", out JsonElement type) || !root.TryGetProperty("data", out JsonElement data)
                || type.ValueKind != JsonValueKind.String || data.ValueKind != JsonValueKind.Object)
            {
                throw new InvalidOperationException("bad geometry");
            }

            result[i] = new((string)_geometryReply[i].Name!, new Geometry(type.GetString()!, data));
        }

        return result;
    }

    [Benchmark, BenchmarkCategory("Cpu.Geometries")]
    public KeyValuePair<string, Geometry>[] Lib_geometries()
    {
        RedisKey key = KeySpace.Default.Room(_roomId).Geometries();
        return GeometryMapping.FromHash(key, _geometryReply, Unreadable);
    }

    [Benchmark(Baseline = true), BenchmarkCategory("Cpu.Bookmarks")]
    public Bookmark[] Raw_bookmarks()
    {
        RedisKey key = "room:" + _roomId + ":bookmarks";
        GC.KeepAlive(key.ToString());
        var result = new Bookmark[_bookmarkReply.Length];
        for (int i = 0; i < result.Length; i++)
        {
            if (!_bookmarkReply[i].Name.TryParse(out int frame) || frame < 0)
            {
                throw new InvalidOperationException("bad bookmark field");
            }

            // Refuses a label that is not UTF-8 (decoding would replace bytes), as the library does.
            if (!System.Text.Unicode.Utf8.IsValid(((ReadOnlyMemory<byte>)_bookmarkReply[i].Value).Span))
            {
                throw new InvalidOperationException("bad bookmark label");
            }

            result[i] = new Bookmark(frame, (string?)_bookmarkReply[i].Value ?? string.Empty);
        }

        Array.Sort(result, static (a, b) => a.Frame.CompareTo(b.Frame));
        return result;
    }

    [Benchmark, BenchmarkCategory("Cpu.Bookmarks")]
    public Bookmark[] Lib_bookmarks()
    {
        RedisKey key = KeySpace.Default.Room(_roomId).Bookmarks();
        return FrameMapping.BookmarksFromHash(key, _bookmarkReply, Unreadable);
    }

    [Benchmark(Baseline = true), BenchmarkCategory("Cpu.Frames1k")]
    public TrajectoryEntry[] Raw_frames()
    {
        RedisKey key = "room:" + _roomId + ":trajectory:indices";
        GC.KeepAlive(key.ToString());
        var result = new TrajectoryEntry[_frameReply.Length];
        for (int i = 0; i < result.Length; i++)
        {
            string text = _frameReply[i].Element!;
            int colon = text.LastIndexOf(':');
            string room = colon < 0 ? _roomId : text[..colon];
            int index = int.Parse(colon < 0 ? text : text.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture);
            result[i] = new TrajectoryEntry(new FrameIndex(room, index), _frameReply[i].Score);
        }

        return result;
    }

    [Benchmark, BenchmarkCategory("Cpu.Frames1k")]
    public TrajectoryEntry[] Lib_frames()
    {
        RedisKey key = KeySpace.Default.Room(_roomId).TrajectoryIndices();
        return FrameMapping.ParseEntries(key.ToString(), _roomId, _frameReply);
    }
}
