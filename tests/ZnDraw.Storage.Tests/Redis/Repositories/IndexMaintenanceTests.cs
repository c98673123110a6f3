using StackExchange.Redis;
using ZnDraw.Storage.Contracts;
using ZnDraw.Storage.Redis.Keys;
using ZnDraw.Storage.Redis.Repositories;
using ZnDraw.Storage.Testing;
using ZnDraw.Storage.Tests.Infrastructure;

namespace ZnDraw.Storage.Tests.Redis.Repositories;

[Collection(RedisCollection.Name)]
public sealed class IndexMaintenanceTests(RedisFixture redis)
{
    private readonly IDatabase _db = redis.Database;

    /// <summary>Writes, with raw commands, the keys an older ZnDraw server leaves (no index sets, no registries).</summary>
    private async Task WriteOlderZnDrawKeyspaceAsync(string p)
    {
        // r1: created through the join route, with a lock, a frame selection, settings and extension data.
        await _db.StringSetAsync([new($"{p}room:r1:current_frame", "2"), new($"{p}room:r1:locked", "0"), new($"{p}room:r1:hidden", "0")]);
        await _db.HashSetAsync($"{p}room:r1:geometries", "particles", "{}");
        await _db.SortedSetAddAsync($"{p}room:r1:trajectory:indices", "r1:0", 1.0);
        await _db.StringSetAsync($"{p}room:r1:lock:trajectory:meta", "alice", TimeSpan.FromMinutes(5));
        await _db.StringSetAsync($"{p}room:r1:lock:trajectory:meta:metadata", "{\"userName\": \"alice\"}", TimeSpan.FromMinutes(5));
        await _db.StringSetAsync($"{p}room:r1:frame_selection:default", "[0, 1]");
        await _db.HashSetAsync($"{p}room:r1:user:alice:settings", "camera", "{}");
        await _db.HashSetAsync($"{p}room:r1:user:alice:modifiers", "Rotate", "{}");
        await _db.HashSetAsync($"{p}room:r1:extensions:modifiers", "Rotate", "{}");
        await _db.SetAddAsync($"{p}room:r1:extensions:modifiers:Rotate:idle_workers", "sid1");
        await _db.SetAddAsync($"{p}room:r1:users", "alice");
        await _db.StringSetAsync($"{p}room:r1:chat:counter", "1");

        // r2: created by the file browser: no current_frame, but listed by ZnDraw's room:* rule.
        await _db.StringSetAsync([new($"{p}room:r2:description", "from file"), new($"{p}room:r2:locked", "0"), new($"{p}room:r2:hidden", "0")]);
        await _db.SortedSetAddAsync($"{p}room:r2:trajectory:indices", "r1:0", 1.0);
        await _db.HashSetAsync($"{p}room:r2:metadata", "relative_file_path", "a.xyz");

        // r3: only a stray selection.
        await _db.HashSetAsync($"{p}room:r3:selections", "particles", "[0]");

        // Users and admins.
        await _db.HashSetAsync($"{p}user:alice", [new("userName", "alice"), new("currentRoom", "r1")]);
        await _db.HashSetAsync($"{p}user:bob:with:colons", "userName", "bob:with:colons");
        await _db.StringSetAsync($"{p}user:notahash", "x");
        await _db.StringSetAsync($"{p}admin:user:alice", "1");
        await _db.StringSetAsync($"{p}admin:user:bob:with:colons", "0");

        // Keys a room id can never be (skipped) and unrelated keys.
        await _db.StringSetAsync($"{p}room:bad id:current_frame", "0");
        await _db.StringSetAsync($"{p}celery", "x");
    }

    [Fact]
    public async Task Reindex_adopts_an_older_zndraw_keyspace_and_is_idempotent()
    {
        var space = new KeySpace(RedisFixture.NewId("old") + ":");
        string p = space.Prefix;
        await WriteOlderZnDrawKeyspaceAsync(p);
        var context = RoomTestSupport.Context(redis, space);
        var maintenance = new IndexMaintenance(context);
        var rooms = new RoomRepository(context);
        Assert.Empty(await rooms.ListAllAsync());

        ReindexResult first = await maintenance.ReindexAsync(pageSize: 3);

        Assert.Equal(["r1", "r2", "r3"], await rooms.ListAllAsync());
        Assert.Equal(["alice", "bob:with:colons"], Sorted(await _db.SetMembersAsync($"{p}users:index")));
        Assert.Equal(["alice"], Sorted(await _db.SetMembersAsync($"{p}admins:index")));
        string[] registry =
        [
            $"{p}room:r1:extensions:modifiers",
            $"{p}room:r1:extensions:modifiers:Rotate:idle_workers",
            $"{p}room:r1:frame_selection:default",
            $"{p}room:r1:lock:trajectory:meta",
            $"{p}room:r1:lock:trajectory:meta:metadata",
            $"{p}room:r1:user:alice:modifiers",
            $"{p}room:r1:user:alice:settings",
        ];
        Assert.Equal(registry, Sorted(await _db.SetMembersAsync($"{p}room:r1:keys")));
        Assert.False(await _db.KeyExistsAsync($"{p}room:r2:keys"));
        Assert.Equal(new ReindexResult(first.KeysScanned, 3, 2, 1, 7, 0, 1), first);
        Assert.Equal(27, first.KeysScanned);

        ReindexResult second = await maintenance.ReindexAsync();
        Assert.Equal(first with { KeysScanned = first.KeysScanned + 5 }, second); // + the five sets the first run wrote
        Assert.Equal(["extensions:room:r1:modifiers"], Sorted(await _db.SetMembersAsync($"{p}zndraw-storage:worker:sid1:registrations")));
        Assert.Equal(["r1", "r2", "r3"], await rooms.ListAllAsync());
        Assert.Equal(registry, Sorted(await _db.SetMembersAsync($"{p}room:r1:keys")));

        // The adopted data works with the repositories: delete leaves no orphan.
        Assert.True(await rooms.DeleteAsync("r1"));
        Assert.Empty(await RoomTestSupport.ScanAsync(redis, $"{p}room:r1:*"));
        Assert.Equal(["r2", "r3"], await rooms.ListAllAsync());
        Assert.True(await rooms.DeleteAsync("r2"));
        Assert.True(await rooms.DeleteAsync("r3"));
        Assert.Equal([$"{p}admin:user:alice", $"{p}admin:user:bob:with:colons", $"{p}admins:index", $"{p}celery", $"{p}room:bad id:current_frame", $"{p}user:alice", $"{p}user:bob:with:colons", $"{p}user:notahash", $"{p}users:index", $"{p}zndraw-storage:worker:sid1:registrations"],
            await RoomTestSupport.ScanAsync(redis, $"{p}*")); // the worker's reverse index outlives the room, as after any room delete
    }

    [Fact]
    public async Task Reindex_removes_stale_entries_but_keeps_live_ones()
    {
        var space = new KeySpace(RedisFixture.NewId("stale") + ":");
        string p = space.Prefix;
        var context = RoomTestSupport.Context(redis, space);
        await new RoomRepository(context).CreateAsync("live");
        await _db.SetAddAsync($"{p}rooms:index", ["gone", "bad:id"]);
        await _db.SetAddAsync($"{p}users:index", "ghost");
        await _db.SetAddAsync($"{p}admins:index", "ghost");
        await _db.HashSetAsync($"{p}user:carol", "userName", "carol");
        await _db.SetAddAsync($"{p}users:index", "carol");

        ReindexResult result = await new IndexMaintenance(context).ReindexAsync();

        Assert.Equal(4, result.StaleEntriesRemoved);
        Assert.Equal(["live"], Sorted(await _db.SetMembersAsync($"{p}rooms:index")));
        Assert.Equal(["carol"], Sorted(await _db.SetMembersAsync($"{p}users:index")));
        Assert.Empty(await _db.SetMembersAsync($"{p}admins:index"));
    }

    [Fact]
    public async Task Reindex_in_the_cluster_safe_layout_reads_hash_tags_and_registers_job_hashes()
    {
        var space = new KeySpace(RedisFixture.NewId("cs") + ":", KeyLayout.ClusterSafe);
        string p = space.Prefix;
        RoomKeys r = space.Room("r1");
        await _db.StringSetAsync(r.CurrentFrame(), "0");
        await _db.StringSetAsync(r.Lock("trajectory:meta"), "alice");
        await _db.HashSetAsync(space.Job("r1", "j1").Hash(), "status", "queued");
        await _db.HashSetAsync(space.Job("nosuchroom", "j2").Hash(), "status", "queued");
        await _db.HashSetAsync(space.User("dave").HashKey(), "userName", "dave");
        await _db.StringSetAsync(space.User("dave").AdminKey(), "1");
        var context = RoomTestSupport.Context(redis, space);

        ReindexResult result = await new IndexMaintenance(context).ReindexAsync();

        Assert.Equal((1, 1, 1, 2L), (result.Rooms, result.Users, result.Admins, result.RegisteredKeys));
        Assert.Equal(["r1"], await new RoomRepository(context).ListAllAsync());
        Assert.Equal([$"{p}job:{{r1}}:j1", $"{p}room:{{r1}}:lock:trajectory:meta"], Sorted(await _db.SetMembersAsync(r.KeyRegistry())));
        Assert.Equal(["dave"], Sorted(await _db.SetMembersAsync($"{p}users:index")));
        Assert.Equal(["dave"], Sorted(await _db.SetMembersAsync($"{p}admins:index")));

        Assert.True(await new RoomRepository(context).DeleteAsync("r1"));
        Assert.False(await _db.KeyExistsAsync(space.Job("r1", "j1").Hash()));
        Assert.Empty(await RoomTestSupport.ScanAsync(redis, $"{p}room:*"));
    }

    [Fact]
    public async Task Reindex_honours_cancellation_and_checks_the_page_size()
    {
        var space = new KeySpace(RedisFixture.NewId("cancel") + ":");
        var maintenance = new IndexMaintenance(RoomTestSupport.Context(redis, space));
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await maintenance.ReindexAsync(cancellationToken: cts.Token));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await maintenance.ReindexAsync(0));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await maintenance.ReindexAsync(100_001));

        // Cancelled mid-scan: stops between keys.
        for (int i = 0; i < 50; i++)
        {
            await _db.StringSetAsync($"{space.Prefix}room:r{i}:current_frame", "0");
        }

        using var mid = new CancellationTokenSource();
        var slow = new IndexMaintenance(RoomTestSupport.Context(redis, space));
        Task<ReindexResult> run = slow.ReindexAsync(5, mid.Token).AsTask();
        await mid.CancelAsync();
        try
        {
            await run;
        }
        catch (OperationCanceledException)
        {
            // expected unless the scan finished first
        }

        Assert.Equal(50, (await slow.ReindexAsync()).Rooms);
    }

    [Fact]
    public async Task Glob_characters_in_the_prefix_do_not_widen_the_scan()
    {
        string id = RedisFixture.NewId("g");
        var starred = new KeySpace(id + "*:");
        var plain = new KeySpace(id + "x:");
        await _db.StringSetAsync(plain.Room("r1").CurrentFrame(), "0");
        await _db.StringSetAsync(starred.Room("r2").CurrentFrame(), "0");
        ReindexResult result = await new IndexMaintenance(RoomTestSupport.Context(redis, starred)).ReindexAsync();
        Assert.Equal(1, result.Rooms);
        Assert.Equal(["r2"], await new RoomRepository(RoomTestSupport.Context(redis, starred)).ListAllAsync());
    }

    private static string[] Sorted(RedisValue[] values) => [.. values.Select(v => v.ToString()).Order(StringComparer.Ordinal)];
}
