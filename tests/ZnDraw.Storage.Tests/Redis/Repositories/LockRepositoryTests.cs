using System.Text.Json;
using StackExchange.Redis;
using ZnDraw.Storage.Contracts;
using ZnDraw.Storage.Models;
using ZnDraw.Storage.Redis.Keys;
using ZnDraw.Storage.Redis.Repositories;
using ZnDraw.Storage.Testing;
using ZnDraw.Storage.Tests.Infrastructure;
using ZnDraw.Storage.Tests.Redis.Repositories;

namespace ZnDraw.Storage.Tests.Redis.Repositories;

/// <summary>Redis facts of the lock repository (ZnDraw's encoding, TTLs on the keys, the key registry, round trips, ZnDraw-written locks, wrong types); its behaviour is <see cref="Testing.Contracts.LockRepositoryContract"/>.</summary>
[Collection(RedisCollection.Name)]
public sealed class LockRepositoryTests(RedisFixture redis)
{
    private const string Target = LockInfo.TrajectoryMetaTarget;
    private static readonly DateTime Now = FixedTime.Instant.UtcDateTime;
    private static readonly TimeSpan Minute = TimeSpan.FromSeconds(60);

    private IDatabase Db => redis.Database;

    private (LockRepository Repo, KeySpace Space) Create(string space)
    {
        KeySpace keys = Spaces.Create(space);
        return (new LockRepository(Spaces.Context(redis, keys)), keys);
    }

    private static string NewRoom() => RedisFixture.NewId("room");

    private static LockMetadata Meta(string user, string message) =>
        new(user, Now, [new("msg", JsonDocument.Parse(JsonSerializer.Serialize(message)).RootElement.Clone())]);

    [Theory]
    [MemberData(nameof(Spaces.All), MemberType = typeof(Spaces))]
    public async Task Acquire_writes_holder_metadata_and_registry_in_ZnDraws_encoding(string space)
    {
        var (repo, keys) = Create(space);
        string room = NewRoom();
        RoomKeys rk = keys.Room(room);

        Assert.True(await repo.AcquireAsync(room, Target, "alice", Minute, Meta("alice", "editing")));

        Assert.Equal("alice", (string?)await Db.StringGetAsync(rk.Lock(Target)));
        Assert.Equal(
            "{\"userName\": \"alice\", \"timestamp\": \"" + FixedTime.InstantText + "\", \"msg\": \"editing\"}",
            (string?)await Db.StringGetAsync(rk.LockMetadata(Target)));
        TimeSpan? lockTtl = await Db.KeyTimeToLiveAsync(rk.Lock(Target));
        TimeSpan? metaTtl = await Db.KeyTimeToLiveAsync(rk.LockMetadata(Target));
        Assert.InRange(lockTtl!.Value, TimeSpan.FromSeconds(55), Minute);
        Assert.InRange(metaTtl!.Value, TimeSpan.FromSeconds(55), Minute);
        RedisValue[] registry = await Db.SetMembersAsync(rk.KeyRegistry());
        Assert.Equal(
            new[] { (string)rk.Lock(Target)!, (string)rk.LockMetadata(Target)! }.Order(StringComparer.Ordinal),
            registry.Select(v => (string)v!).Order(StringComparer.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Spaces.All), MemberType = typeof(Spaces))]
    public async Task Refresh_and_set_metadata_set_the_key_ttls_and_release_empties_the_key_registry(string space)
    {
        var (repo, keys) = Create(space);
        string room = NewRoom();
        RoomKeys rk = keys.Room(room);
        Assert.True(await repo.AcquireAsync(room, Target, "alice", TimeSpan.FromSeconds(5)));
        Assert.False(await repo.SetMetadataAsync(room, Target, "bob", Meta("bob", "mine")));
        Assert.False(await Db.KeyExistsAsync(rk.LockMetadata(Target)));

        Assert.True(await repo.RefreshAsync(room, Target, "alice", TimeSpan.FromSeconds(120)));
        Assert.InRange((await Db.KeyTimeToLiveAsync(rk.Lock(Target)))!.Value, TimeSpan.FromSeconds(100), TimeSpan.FromSeconds(120));

        Assert.True(await repo.SetMetadataAsync(room, Target, "alice", Meta("alice", "hello")));
        TimeSpan? lockTtl = await Db.KeyTimeToLiveAsync(rk.Lock(Target));
        TimeSpan? metaTtl = await Db.KeyTimeToLiveAsync(rk.LockMetadata(Target));
        Assert.NotNull(metaTtl);
        Assert.True(metaTtl <= lockTtl, $"{metaTtl} > {lockTtl}");

        Assert.True(await repo.ReleaseAsync(room, Target, "alice"));
        Assert.False(await Db.KeyExistsAsync(rk.Lock(Target)));
        Assert.False(await Db.KeyExistsAsync(rk.LockMetadata(Target)));
        Assert.Empty(await Db.SetMembersAsync(rk.KeyRegistry()));
    }

    [Fact]
    public async Task Re_acquire_by_the_holder_gives_the_kept_metadata_key_the_new_ttl()
    {
        var (repo, keys) = Create(Spaces.ZnDraw);
        string room = NewRoom();
        RoomKeys rk = keys.Room(room);
        await repo.AcquireAsync(room, Target, "alice", TimeSpan.FromSeconds(5), Meta("alice", "first"));

        Assert.True(await repo.AcquireAsync(room, Target, "alice", TimeSpan.FromSeconds(200)));

        Assert.InRange((await Db.KeyTimeToLiveAsync(rk.LockMetadata(Target)))!.Value, TimeSpan.FromSeconds(190), TimeSpan.FromSeconds(200));
    }

    [Fact]
    public async Task A_fresh_acquire_without_metadata_drops_stale_metadata()
    {
        var (repo, keys) = Create(Spaces.ZnDraw);
        string room = NewRoom();
        // ZnDraw sets metadata and gives it a TTL in a second command: a crash in between leaves it forever.
        await Db.StringSetAsync(keys.Room(room).LockMetadata(Target), "{\"userName\": \"old\", \"timestamp\": \"2025-01-01T00:00:00\"}");

        Assert.True(await repo.AcquireAsync(room, Target, "alice", Minute));

        Assert.Null((await repo.GetAsync(room, Target))!.Metadata);
    }

    [Fact]
    public async Task A_lock_written_by_ZnDraw_reads_and_its_holder_can_release_it()
    {
        var (repo, keys) = Create(Spaces.ZnDraw);
        string room = NewRoom();
        RoomKeys rk = keys.Room(room);
        Assert.Equal($"room:{room}:lock:trajectory:meta", (string?)rk.Lock(Target));
        await Db.ExecuteAsync("SET", (string)rk.Lock(Target)!, "bob", "NX", "EX", "60");
        await Db.StringSetAsync(rk.LockMetadata(Target), "{\"userName\": \"bob\", \"timestamp\": \"2025-10-31T12:00:00.5\", \"msg\": \"Uploading frames\", \"step\": 3}");
        await Db.KeyExpireAsync(rk.LockMetadata(Target), TimeSpan.FromSeconds(59));

        LockInfo? info = await repo.GetAsync(room, Target);

        Assert.Equal("bob", info!.Holder);
        Assert.Equal("Uploading frames", info.Metadata!.Message);
        Assert.Equal(new DateTime(2025, 10, 31, 12, 0, 0, 500, DateTimeKind.Utc), info.Metadata.Timestamp);
        Assert.Equal(3, info.Metadata.Extra.Single(p => p.Key == "step").Value.GetInt32());
        Assert.False(await repo.AcquireAsync(room, Target, "alice", Minute));
        Assert.True(await repo.ReleaseAsync(room, Target, "bob"));
        Assert.False(await Db.KeyExistsAsync(rk.LockMetadata(Target)));
    }

    [Theory]
    [InlineData(Spaces.ZnDraw)]
    [InlineData(Spaces.PrefixedCluster)]
    public async Task Every_call_is_one_round_trip(string space)
    {
        var (repo, _) = Create(space);
        string warm = NewRoom(), room = NewRoom();
        // Load every script once, so EVALSHA never falls back to EVAL while measured.
        await repo.AcquireAsync(warm, Target, "w", Minute);
        await repo.RefreshAsync(warm, Target, "w", Minute);
        await repo.SetMetadataAsync(warm, Target, "w", Meta("w", "m"));
        await repo.GetAsync(warm, Target);
        await repo.ReleaseAsync(warm, Target, "w");
        await repo.AcquirePresenterAsync(warm, "s");
        await repo.ReleasePresenterAsync(warm, "s");

        Func<Task>[] operations =
        [
            async () => await repo.AcquireAsync(room, Target, "alice", Minute, Meta("alice", "m")),
            async () => await repo.RefreshAsync(room, Target, "alice", Minute),
            async () => await repo.SetMetadataAsync(room, Target, "alice", Meta("alice", "n")),
            async () => await repo.GetAsync(room, Target),
            async () => await repo.ReleaseAsync(room, Target, "alice"),
            async () => await repo.AcquirePresenterAsync(room, "sid1"),
            async () => await repo.GetPresenterAsync(room),
            async () => await repo.ReleasePresenterAsync(room, "sid1"),
        ];
        foreach (Func<Task> operation in operations)
        {
            var m = await RoundTrips.MeasureAsync(redis.Connection, operation);
            Assert.True(m.RoundTrips == 1, m.ToString());
        }
    }

    [Theory]
    [MemberData(nameof(Spaces.All), MemberType = typeof(Spaces))]
    public async Task The_presenter_lock_is_the_sid_with_ZnDraws_10_second_ttl_renewed_by_its_holder(string space)
    {
        var (repo, keys) = Create(space);
        string room = NewRoom();
        RedisKey key = keys.Room(room).PresenterLock();

        Assert.True(await repo.AcquirePresenterAsync(room, "sidA"));
        Assert.Equal("sidA", (string?)await Db.StringGetAsync(key));
        Assert.InRange((await Db.KeyTimeToLiveAsync(key))!.Value, TimeSpan.FromSeconds(8), TimeSpan.FromSeconds(10));

        Assert.True(await repo.AcquirePresenterAsync(room, "sidA", TimeSpan.FromSeconds(30)));
        Assert.InRange((await Db.KeyTimeToLiveAsync(key))!.Value, TimeSpan.FromSeconds(25), TimeSpan.FromSeconds(30));

        Assert.True(await repo.ReleasePresenterAsync(room, "sidA"));
        Assert.False(await Db.KeyExistsAsync(key));
    }

    [Fact]
    public async Task Corrupt_metadata_and_wrong_types_are_storage_data_errors_naming_the_key()
    {
        var (repo, keys) = Create(Spaces.ZnDraw);
        string badMeta = NewRoom(), hashLock = NewRoom(), hashPresenter = NewRoom();
        RoomKeys rk = keys.Room(badMeta);
        await Db.StringSetAsync(rk.Lock(Target), "alice");
        await Db.StringSetAsync(rk.LockMetadata(Target), "not json");
        await Db.HashSetAsync(keys.Room(hashLock).Lock(Target), "a", "b");
        await Db.HashSetAsync(keys.Room(hashPresenter).PresenterLock(), "a", "b");

        var e1 = await Assert.ThrowsAsync<StorageDataException>(async () => await repo.GetAsync(badMeta, Target));
        Assert.Equal((string)rk.LockMetadata(Target)!, e1.Key);
        var e2 = await Assert.ThrowsAsync<StorageDataException>(async () => await repo.AcquireAsync(hashLock, Target, "alice", Minute));
        Assert.Contains((string)keys.Room(hashLock).Lock(Target)!, e2.Key, StringComparison.Ordinal);
        await Assert.ThrowsAsync<StorageDataException>(async () => await repo.GetAsync(hashLock, Target));
        await Assert.ThrowsAsync<StorageDataException>(async () => await repo.ReleaseAsync(hashLock, Target, "alice"));
        await Assert.ThrowsAsync<StorageDataException>(async () => await repo.GetPresenterAsync(hashPresenter));
        await Assert.ThrowsAsync<StorageDataException>(async () => await repo.AcquirePresenterAsync(hashPresenter, "sid"));
        Assert.Equal(RedisType.Hash, await Db.KeyTypeAsync(keys.Room(hashLock).Lock(Target))); // nothing overwritten
        Assert.False(await Db.KeyExistsAsync(keys.Room(hashLock).KeyRegistry()));
    }
}
