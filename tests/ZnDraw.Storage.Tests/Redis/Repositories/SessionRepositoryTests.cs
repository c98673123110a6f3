using StackExchange.Redis;
using ZnDraw.Storage.Contracts;
using ZnDraw.Storage.Models;
using ZnDraw.Storage.Redis.Keys;
using ZnDraw.Storage.Redis.Repositories;
using ZnDraw.Storage.Testing;
using ZnDraw.Storage.Tests.Infrastructure;
using ZnDraw.Storage.Tests.Redis.Repositories;

namespace ZnDraw.Storage.Tests.Redis.Repositories;

/// <summary>Redis facts of the session repository (ZnDraw's two keys, round trips, ZnDraw-written sessions, wrong types); its behaviour is <see cref="Testing.Contracts.SessionRepositoryContract"/>.</summary>
[Collection(RedisCollection.Name)]
public sealed class SessionRepositoryTests(RedisFixture redis)
{
    private IDatabase Db => redis.Database;

    private (SessionRepository Repo, KeySpace Space) Create(string space)
    {
        KeySpace keys = Spaces.Create(space);
        return (new SessionRepository(Spaces.Context(redis, keys)), keys);
    }

    private static string NewSid() => RedisFixture.NewId("sid");

    [Theory]
    [MemberData(nameof(Spaces.All), MemberType = typeof(Spaces))]
    public async Task Save_writes_both_keys_as_ZnDraw_does_and_get_reads_them(string space)
    {
        var (repo, keys) = Create(space);
        string sid = NewSid();

        await repo.SaveAsync(new SessionInfo(sid, "alice", UserRole.Admin));

        Assert.Equal("alice", (string?)await Db.StringGetAsync(keys.Session(sid).Username()));
        Assert.Equal("admin", (string?)await Db.StringGetAsync(keys.Session(sid).Role()));
        Assert.Equal(new SessionInfo(sid, "alice", UserRole.Admin), await repo.GetByIdAsync(sid));
        Assert.True(await repo.ExistsAsync(sid));
    }

    [Theory]
    [MemberData(nameof(Spaces.All), MemberType = typeof(Spaces))]
    public async Task Save_without_a_role_removes_the_role_key(string space)
    {
        var (repo, keys) = Create(space);
        string sid = NewSid();
        await repo.SaveAsync(new SessionInfo(sid, "alice", UserRole.User));

        await repo.SaveAsync(new SessionInfo(sid, "bob"));

        Assert.False(await Db.KeyExistsAsync(keys.Session(sid).Role()));
        Assert.Equal(new SessionInfo(sid, "bob"), await repo.GetByIdAsync(sid));
    }

    [Fact]
    public async Task Sessions_written_by_ZnDraw_read_with_and_without_the_role_key()
    {
        var (repo, keys) = Create(Spaces.ZnDraw);
        string before = NewSid(), after = NewSid();
        await Db.StringSetAsync(keys.Session(before).Username(), "user-0a1b2c3d");
        await Db.StringSetAsync(keys.Session(after).Username(), "bob");
        await Db.StringSetAsync(keys.Session(after).Role(), "guest");

        Assert.Equal(new SessionInfo(before, "user-0a1b2c3d"), await repo.GetByIdAsync(before));
        Assert.Equal(new SessionInfo(after, "bob", UserRole.Guest), await repo.GetByIdAsync(after));
        Assert.Null(await repo.GetByIdAsync(NewSid()));
    }

    [Theory]
    [MemberData(nameof(Spaces.All), MemberType = typeof(Spaces))]
    public async Task Delete_removes_both_keys_including_the_role_ZnDraw_leaks(string space)
    {
        var (repo, keys) = Create(space);
        string sid = NewSid(), leaked = NewSid();
        await repo.SaveAsync(new SessionInfo(sid, "alice", UserRole.Guest));
        await Db.StringSetAsync(keys.Session(leaked).Role(), "user"); // ZnDraw's disconnect left this behind

        Assert.True(await repo.DeleteAsync(sid));
        Assert.False(await repo.DeleteAsync(leaked));

        Assert.False(await Db.KeyExistsAsync(keys.Session(sid).Username()));
        Assert.False(await Db.KeyExistsAsync(keys.Session(sid).Role()));
        Assert.False(await Db.KeyExistsAsync(keys.Session(leaked).Role()));
        Assert.False(await repo.ExistsAsync(sid));
        Assert.False(await repo.DeleteAsync(sid));
    }

    [Theory]
    [InlineData(Spaces.ZnDraw)]
    [InlineData(Spaces.Cluster)]
    public async Task Every_call_is_one_round_trip(string space)
    {
        var (repo, _) = Create(space);
        string sid = NewSid();
        await repo.DeleteAsync(NewSid()); // loads the script

        Func<Task>[] operations =
        [
            async () => await repo.SaveAsync(new SessionInfo(sid, "alice", UserRole.User)),
            async () => await repo.GetByIdAsync(sid),
            async () => await repo.ExistsAsync(sid),
            async () => await repo.SaveAsync(new SessionInfo(sid, "alice")),
            async () => await repo.DeleteAsync(sid),
        ];
        foreach (Func<Task> operation in operations)
        {
            var m = await RoundTrips.MeasureAsync(redis.Connection, operation);
            Assert.True(m.RoundTrips == 1, m.ToString());
        }
    }

    [Fact]
    public async Task Bad_role_and_wrong_types_are_storage_data_errors_naming_the_key()
    {
        var (repo, keys) = Create(Spaces.ZnDraw);
        string badRole = NewSid(), wrongType = NewSid();
        await Db.StringSetAsync(keys.Session(badRole).Username(), "alice");
        await Db.StringSetAsync(keys.Session(badRole).Role(), "superuser");
        await Db.HashSetAsync(keys.Session(wrongType).Username(), "a", "b");

        var e1 = await Assert.ThrowsAsync<StorageDataException>(async () => await repo.GetByIdAsync(badRole));
        Assert.Equal((string)keys.Session(badRole).Role()!, e1.Key);
        var e2 = await Assert.ThrowsAsync<StorageDataException>(async () => await repo.GetByIdAsync(wrongType));
        Assert.Equal((string)keys.Session(wrongType).Username()!, e2.Key);
    }

    [Fact]
    public async Task Invalid_ids_are_refused_before_anything_is_sent()
    {
        var (repo, _) = Create(Spaces.ZnDraw);
        await Assert.ThrowsAsync<ArgumentException>(async () => await repo.GetByIdAsync("a:b"));
        await Assert.ThrowsAsync<ArgumentException>(async () => await repo.SaveAsync(new SessionInfo(NewSid(), " alice")));
        await Assert.ThrowsAsync<ArgumentException>(async () => await repo.SaveAsync(new SessionInfo("", "alice")));
        await Assert.ThrowsAsync<ArgumentNullException>(async () => await repo.SaveAsync(null!));
    }

    [Theory]
    [MemberData(nameof(Spaces.All), MemberType = typeof(Spaces))]
    public async Task A_wrong_typed_role_key_is_named_in_the_error(string space)
    {
        var (repo, keys) = Create(space);
        string sid = NewSid();
        await Db.StringSetAsync(keys.Session(sid).Username(), "alice");
        await Db.HashSetAsync(keys.Session(sid).Role(), "a", "b");

        var e = await Assert.ThrowsAsync<StorageDataException>(async () => await repo.GetByIdAsync(sid));
        Assert.Equal((string)keys.Session(sid).Role()!, e.Key);

        // Save overwrites both keys whatever their type (SET and DEL), so the session reads again.
        await repo.SaveAsync(new SessionInfo(sid, "bob", UserRole.Guest));
        Assert.Equal(new SessionInfo(sid, "bob", UserRole.Guest), await repo.GetByIdAsync(sid));
    }
}
