using StackExchange.Redis;
using ZnDraw.Storage.Contracts;
using ZnDraw.Storage.Models;
using ZnDraw.Storage.Services;
using ZnDraw.Storage.Testing;
using ZnDraw.Storage.Testing.Contracts;
using ZnDraw.Storage.Tests.Infrastructure;

namespace ZnDraw.Storage.Tests.Services;

/// <summary><see cref="AggregateCopy"/> from one Redis key space to another on the same server (two prefixed stores).</summary>
[Collection(RedisCollection.Name)]
public sealed class AggregateCopyTests(RedisFixture redis) : IAsyncLifetime
{
    private readonly string _sourcePrefix = RedisFixture.NewId("copy-src") + ":";
    private readonly string _targetPrefix = RedisFixture.NewId("copy-dst") + ":";
    private TestStore _source = null!;
    private TestStore _target = null!;

    public async Task InitializeAsync()
    {
        _source = await RedisStores.Prefixed(redis).CreateAsync(configure: o => o.KeyPrefix = _sourcePrefix);
        _target = await RedisStores.Prefixed(redis).CreateAsync(configure: o => o.KeyPrefix = _targetPrefix);
    }

    public async Task DisposeAsync()
    {
        await _source.DisposeAsync();
        await _target.DisposeAsync();
    }

    [Fact]
    public async Task Every_root_aggregate_is_copied_equal_and_a_second_copy_changes_nothing()
    {
        var seeded = await SeedAsync(_source);

        var first = await CopyAllAsync();

        Assert.Equal(seeded, first.Select(r => r.Copied).ToArray());
        Assert.All(first, r => Assert.Equal(r.Listed, r.Copied));
        Assert.All(first, r => Assert.Equal(0, r.Missing));
        Assert.All(first, r => Assert.Empty(r.Unreadable));
        await AssertTargetEqualsSourceAsync();
        var keysAfterFirst = await KeysAsync(_targetPrefix);
        Assert.NotEmpty(keysAfterFirst);

        var second = await CopyAllAsync();

        Assert.Equal(first.Select(r => (r.Listed, r.Copied, r.Missing)), second.Select(r => (r.Listed, r.Copied, r.Missing)));
        await AssertTargetEqualsSourceAsync();
        Assert.Equal(keysAfterFirst, await KeysAsync(_targetPrefix));
    }

    [Fact]
    public async Task An_id_gone_before_its_read_counts_as_missing_and_unreadable_data_is_reported_not_copied()
    {
        var db = redis.Connection.GetDatabase();
        var room = RootSamples.Room();
        await _source.Get<IRoomRepository>().SaveAsync(room);
        var expired = RootSamples.Job(room.Id);
        var kept = RootSamples.Job(room.Id);
        await _source.Get<IJobRepository>().SaveAsync(expired);
        await _source.Get<IJobRepository>().SaveAsync(kept);
        await db.KeyDeleteAsync(_sourcePrefix + "job:" + expired.Id); // as when the TTL ran out: the id stays in jobs:active
        var good = RootSamples.User();
        await _source.Get<IUserRepository>().SaveAsync(good);
        string broken = RedisFixture.NewId("user");
        await db.HashSetAsync(_sourcePrefix + "user:" + broken, [new HashEntry("userName", broken), new HashEntry("createdAt", "not a time")]);
        await db.SetAddAsync(_sourcePrefix + "users:index", broken);

        var jobs = await AggregateCopy.CopyAsync(_source.Get<IJobRepository>(), _target.Get<IJobRepository>());
        var users = await AggregateCopy.CopyAsync(_source.Get<IUserRepository>(), _target.Get<IUserRepository>());

        Assert.Equal((2L, 1L, 1L), (jobs.Listed, jobs.Copied, jobs.Missing));
        Assert.Equal(kept, await _target.Get<IJobRepository>().GetByIdAsync(JobId.Of(kept)));
        Assert.False(await _target.Get<IJobRepository>().ExistsAsync(JobId.Of(expired)));
        Assert.Equal((2L, 1L, 0L), (users.Listed, users.Copied, users.Missing));
        Assert.Equal([broken], users.Unreadable);
        Assert.False(await _target.Get<IUserRepository>().ExistsAsync(broken));
        Assert.Equal(good, await _target.Get<IUserRepository>().GetByIdAsync(good.UserName));
    }

    [Fact]
    public async Task Progress_is_reported_per_aggregate_and_cancellation_stops_between_aggregates()
    {
        var rooms = _source.Get<IRoomRepository>();
        for (int i = 0; i < 5; i++)
        {
            await rooms.SaveAsync(RootSamples.Room());
        }

        using var cts = new CancellationTokenSource();
        var reports = new List<AggregateCopyResult<string>>();
        var progress = new Inline<AggregateCopyResult<string>>(r =>
        {
            reports.Add(r);
            if (r.Copied == 2)
            {
                cts.Cancel();
            }
        });

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
            await AggregateCopy.CopyAsync(rooms, _target.Get<IRoomRepository>(), progress, cts.Token));

        Assert.Equal([1L, 2L], reports.Select(r => r.Copied));
        Assert.Equal(2, (await _target.Get<IRoomRepository>().ListAllAsync()).Count);
    }

    [Fact]
    public async Task The_same_repository_as_source_and_target_is_refused()
    {
        var rooms = _source.Get<IRoomRepository>();

        await Assert.ThrowsAsync<ArgumentException>(async () => await AggregateCopy.CopyAsync(rooms, rooms));
        await Assert.ThrowsAsync<ArgumentNullException>(async () => await AggregateCopy.CopyAsync(rooms, null!));
    }

    /// <summary>Two rooms, two users, five extensions (room-scoped, global, a category only rooms name), two jobs, two filesystems.</summary>
    private static async Task<long[]> SeedAsync(TestStore store)
    {
        var r1 = RootSamples.Room() with { Description = "first", Locked = true };
        var r2 = RootSamples.Room() with { Hidden = true, CurrentFrame = 3 };
        foreach (var room in new[] { r1, r2 })
        {
            await store.Get<IRoomRepository>().SaveAsync(room);
        }

        await store.Get<IUserRepository>().SaveAsync(RootSamples.User());
        await store.Get<IUserRepository>().SaveAsync(new User(RedisFixture.NewId("user")));

        var extensions = store.Get<IExtensionRepository>();
        await extensions.SaveAsync(RootSamples.Extension(r1.Id));
        await extensions.SaveAsync(RootSamples.Extension(r2.Id) with { Category = "custom", Schema = RootSamples.Json(7) });
        await extensions.SaveAsync(RootSamples.Extension(null));
        await extensions.SaveAsync(RootSamples.Extension(null) with { Category = "custom" });
        await extensions.RegisterExtensionAsync(ExtensionId.InRoom(r2.Id, "selections", "Pick"), RootSamples.Json(2), "worker-1");

        await store.Get<IJobRepository>().SaveAsync(RootSamples.Job(r1.Id));
        await store.Get<IJobRepository>().SaveAsync(RootSamples.Finished(RootSamples.Job(r2.Id), 3));

        await store.Get<IFilesystemRepository>().SaveAsync(RootSamples.Filesystem(r1.Id));
        await store.Get<IFilesystemRepository>().SaveAsync(RootSamples.Filesystem(null));
        return [2, 2, 5, 2, 2];
    }

    private async Task<List<CopyCounts>> CopyAllAsync() =>
    [
        CopyCounts.Of(await AggregateCopy.CopyAsync(_source.Get<IRoomRepository>(), _target.Get<IRoomRepository>())),
        CopyCounts.Of(await AggregateCopy.CopyAsync(_source.Get<IUserRepository>(), _target.Get<IUserRepository>())),
        CopyCounts.Of(await AggregateCopy.CopyAsync(_source.Get<IExtensionRepository>(), _target.Get<IExtensionRepository>())),
        CopyCounts.Of(await AggregateCopy.CopyAsync(_source.Get<IJobRepository>(), _target.Get<IJobRepository>())),
        CopyCounts.Of(await AggregateCopy.CopyAsync(_source.Get<IFilesystemRepository>(), _target.Get<IFilesystemRepository>())),
    ];

    private async Task AssertTargetEqualsSourceAsync()
    {
        await AssertSameAsync(_source.Get<IRoomRepository>(), _target.Get<IRoomRepository>());
        await AssertSameAsync(_source.Get<IUserRepository>(), _target.Get<IUserRepository>());
        await AssertSameAsync(_source.Get<IExtensionRepository>(), _target.Get<IExtensionRepository>());
        await AssertSameAsync(_source.Get<IJobRepository>(), _target.Get<IJobRepository>());
        await AssertSameAsync(_source.Get<IFilesystemRepository>(), _target.Get<IFilesystemRepository>());
    }

    /// <summary>The target lists exactly the source's ids, and each reads back equal.</summary>
    private static async Task AssertSameAsync<T, TId>(IEnumerableRepository<T, TId> source, IEnumerableRepository<T, TId> target)
        where T : class
        where TId : notnull
    {
        var sourceIds = await IdsAsync(source);
        Assert.NotEmpty(sourceIds);
        Assert.Equal(sourceIds.ToHashSet(), (await IdsAsync(target)).ToHashSet());
        foreach (TId id in sourceIds)
        {
            T? expected = await source.GetByIdAsync(id);
            Assert.NotNull(expected);
            Assert.Equal(expected, await target.GetByIdAsync(id));
        }
    }

    private static async Task<List<TId>> IdsAsync<T, TId>(IEnumerableRepository<T, TId> repository)
        where T : class
        where TId : notnull
    {
        var ids = new List<TId>();
        await foreach (TId id in repository.ListIdsAsync())
        {
            ids.Add(id);
        }

        return ids;
    }

    /// <summary>Every key of a key space with its type, sorted (a test may SCAN its own prefix).</summary>
    private async Task<List<string>> KeysAsync(string prefix)
    {
        var server = redis.Connection.GetServers()[0];
        var db = redis.Connection.GetDatabase();
        var keys = new List<string>();
        await foreach (RedisKey key in server.KeysAsync(pattern: prefix + "*", pageSize: 1000))
        {
            keys.Add(key.ToString() + " " + await db.KeyTypeAsync(key));
        }

        keys.Sort(StringComparer.Ordinal);
        return keys;
    }

    private sealed record CopyCounts(long Listed, long Copied, long Missing, IReadOnlyList<object> Unreadable)
    {
        public static CopyCounts Of<TId>(AggregateCopyResult<TId> r) => new(r.Listed, r.Copied, r.Missing, r.Unreadable.Cast<object>().ToList());
    }

    private sealed class Inline<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}
