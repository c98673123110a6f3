using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using NSubstitute;
using StackExchange.Redis;
using ZnDraw.Storage.Contracts;
using ZnDraw.Storage.Models;
using ZnDraw.Storage.Redis.Keys;
using ZnDraw.Storage.Redis.Repositories;
using ZnDraw.Storage.Services;
using ZnDraw.Storage.Testing;
using ZnDraw.Storage.Tests.Infrastructure;
using ZnDraw.Storage.Tests.Redis.Repositories;

namespace ZnDraw.Storage.Tests.Services.Locks;

/// <summary>The rules of <see cref="LockService"/> with the repository substituted (no server).</summary>
public sealed class LockServiceTests
{
    private readonly ILockRepository _repo = Substitute.For<ILockRepository>();

    private LockService Service(ZnDrawLockOptions? locks = null) =>
        new(_repo, Options.Create(new ZnDrawStorageOptions { Locks = locks ?? new ZnDrawLockOptions() }), new FakeTimeProvider(FixedTime.Instant), NullLogger<LockService>.Instance);

    public static TheoryData<double> BadTtls => [0, -1, 300.001, 3600];

    [Theory]
    [MemberData(nameof(BadTtls))]
    public async Task A_TTL_outside_0_to_300_seconds_is_refused_before_any_call(double seconds)
    {
        var ttl = TimeSpan.FromSeconds(seconds);
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await Service().AcquireAsync("r1", "trajectory:meta", "alice", ttl));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await Service().RefreshAsync("r1", "trajectory:meta", "alice", ttl));
        Assert.Empty(_repo.ReceivedCalls());
    }

    [Fact]
    public async Task A_sub_second_TTL_is_rounded_up_to_one_second_not_down_to_zero()
    {
        _repo.AcquireAsync(default!, default!, default!, default, default, default).ReturnsForAnyArgs(true);

        var lease = await Service().AcquireAsync("r1", "t", "alice", TimeSpan.FromMilliseconds(200));

        Assert.Equal(new LockLease("r1", "t", "alice", TimeSpan.FromSeconds(1), FixedTime.Instant + TimeSpan.FromSeconds(1)), lease);
    }

    [Fact]
    public async Task The_default_TTL_comes_from_the_options_and_the_metadata_from_the_clock()
    {
        LockMetadata? metadata = null;
        _repo.AcquireAsync("r1", "trajectory:meta", "alice", TimeSpan.FromSeconds(42), Arg.Do<LockMetadata?>(m => metadata = m), Arg.Any<CancellationToken>()).Returns(true);

        var lease = await Service(new ZnDrawLockOptions { DefaultTtl = TimeSpan.FromSeconds(42) }).AcquireAsync("r1", "trajectory:meta", "alice", message: "editing");

        Assert.Equal(TimeSpan.FromSeconds(42), lease!.TimeToLive);
        Assert.Equal("alice", lease.Owner);
        Assert.Equal("alice", metadata!.UserName);
        Assert.Equal(FixedTime.Instant.UtcDateTime, metadata.Timestamp);
        Assert.Equal("editing", metadata.Message);
    }

    [Fact]
    public async Task Without_a_message_no_metadata_is_written()
    {
        _repo.AcquireAsync(default!, default!, default!, default, default, default).ReturnsForAnyArgs(true);

        await Service().AcquireAsync("r1", "t", "alice");

        await _repo.Received(1).AcquireAsync("r1", "t", "alice", TimeSpan.FromSeconds(60), null, Arg.Any<CancellationToken>());
    }

    [Fact]
    public async Task Refusals_are_results_not_exceptions()
    {
        Assert.Null(await Service().AcquireAsync("r1", "t", "bob"));
        Assert.Null(await Service().RefreshAsync("r1", "t", "bob"));
        Assert.False(await Service().ReleaseAsync("r1", "t", "bob"));
        Assert.False(await Service().SetMetadataAsync("r1", "t", "bob", "x"));
        Assert.False(await Service().AcquirePresenterAsync("r1", "sid-1"));
        Assert.False(await Service().ReleasePresenterAsync("r1", "sid-1"));
    }

    [Fact]
    public async Task The_presenter_TTL_comes_from_the_options()
    {
        _repo.AcquirePresenterAsync(default!, default!, default, default).ReturnsForAnyArgs(true);

        Assert.True(await Service(new ZnDrawLockOptions { PresenterTtl = TimeSpan.FromSeconds(7) }).AcquirePresenterAsync("r1", "sid-1"));

        await _repo.Received(1).AcquirePresenterAsync("r1", "sid-1", TimeSpan.FromSeconds(7), Arg.Any<CancellationToken>());
    }

    [Fact]
    public async Task Empty_names_are_argument_errors()
    {
        await Assert.ThrowsAnyAsync<ArgumentException>(async () => await Service().AcquireAsync("", "t", "alice"));
        await Assert.ThrowsAnyAsync<ArgumentException>(async () => await Service().ReleaseAsync("r1", "", "alice"));
        await Assert.ThrowsAnyAsync<ArgumentException>(async () => await Service().RefreshAsync("r1", "t", ""));
        await Assert.ThrowsAnyAsync<ArgumentException>(async () => await Service().AcquirePresenterAsync("r1", ""));
        Assert.Empty(_repo.ReceivedCalls());
    }
}

/// <summary><see cref="LockService"/> on the real <see cref="LockRepository"/> and Redis.</summary>
[Collection(RedisCollection.Name)]
public sealed class LockServiceIntegrationTests(RedisFixture redis)
{
    private IDatabase Db => redis.Database;

    private (LockService Service, KeySpace Space) Create(string space)
    {
        var keys = Spaces.Create(space);
        var service = new LockService(
            new LockRepository(Spaces.Context(redis, keys)),
            Options.Create(new ZnDrawStorageOptions()),
            new FakeTimeProvider(FixedTime.Instant),
            NullLogger<LockService>.Instance);
        return (service, keys);
    }

    [Theory]
    [MemberData(nameof(Spaces.All), MemberType = typeof(Spaces))]
    public async Task Acquire_writes_ZnDraws_lock_and_metadata_with_one_TTL_and_only_the_owner_refreshes_or_releases(string space)
    {
        var (service, keys) = Create(space);
        var room = RedisFixture.NewId("r");
        var roomKeys = keys.Room(room);
        RedisKey lockKey = roomKeys.Lock(LockInfo.TrajectoryMetaTarget);
        RedisKey metadataKey = roomKeys.LockMetadata(LockInfo.TrajectoryMetaTarget);

        var lease = await service.AcquireAsync(room, LockInfo.TrajectoryMetaTarget, "alice", message: "editing");

        Assert.Equal(new LockLease(room, LockInfo.TrajectoryMetaTarget, "alice", TimeSpan.FromSeconds(60), FixedTime.Instant.AddSeconds(60)), lease);
        Assert.Equal("alice", (string?)await Db.StringGetAsync(lockKey));
        Assert.Equal(
            "{\"userName\": \"alice\", \"timestamp\": \"" + FixedTime.InstantText + "\", \"msg\": \"editing\"}",
            (string?)await Db.StringGetAsync(metadataKey));
        var lockTtl = await Db.KeyTimeToLiveAsync(lockKey);
        var metadataTtl = await Db.KeyTimeToLiveAsync(metadataKey);
        Assert.InRange(lockTtl!.Value, TimeSpan.FromSeconds(58), TimeSpan.FromSeconds(60));
        Assert.InRange(metadataTtl!.Value, TimeSpan.FromSeconds(58), TimeSpan.FromSeconds(60));

        Assert.Null(await service.AcquireAsync(room, LockInfo.TrajectoryMetaTarget, "bob"));
        Assert.Null(await service.RefreshAsync(room, LockInfo.TrajectoryMetaTarget, "bob"));
        Assert.False(await service.ReleaseAsync(room, LockInfo.TrajectoryMetaTarget, "bob"));
        Assert.False(await service.SetMetadataAsync(room, LockInfo.TrajectoryMetaTarget, "bob", "mine"));

        var info = await service.GetAsync(room, LockInfo.TrajectoryMetaTarget);
        Assert.Equal("alice", info!.Holder);
        Assert.Equal("editing", info.Metadata!.Message);

        Assert.Equal(TimeSpan.FromSeconds(1), (await service.RefreshAsync(room, LockInfo.TrajectoryMetaTarget, "alice", TimeSpan.FromMilliseconds(300)))!.TimeToLive);
        Assert.InRange((await Db.KeyTimeToLiveAsync(lockKey))!.Value, TimeSpan.FromMilliseconds(1), TimeSpan.FromSeconds(1));
        Assert.InRange((await Db.KeyTimeToLiveAsync(metadataKey))!.Value, TimeSpan.FromMilliseconds(1), TimeSpan.FromSeconds(1));
        Assert.NotNull(await service.RefreshAsync(room, LockInfo.TrajectoryMetaTarget, "alice"));
        Assert.True(await service.SetMetadataAsync(room, LockInfo.TrajectoryMetaTarget, "alice", "still editing"));
        Assert.Equal("still editing", (await service.GetAsync(room, LockInfo.TrajectoryMetaTarget))!.Metadata!.Message);

        Assert.True(await service.ReleaseAsync(room, LockInfo.TrajectoryMetaTarget, "alice"));
        Assert.False(await Db.KeyExistsAsync(lockKey));
        Assert.False(await Db.KeyExistsAsync(metadataKey));
        Assert.Null(await service.GetAsync(room, LockInfo.TrajectoryMetaTarget));
        Assert.NotNull(await service.AcquireAsync(room, LockInfo.TrajectoryMetaTarget, "bob"));
    }

    [Fact]
    public async Task A_lock_ZnDraw_holds_is_honoured()
    {
        var (service, keys) = Create(Spaces.ZnDraw);
        var room = RedisFixture.NewId("r");
        await Db.StringSetAsync(keys.Room(room).Lock(LockInfo.TrajectoryMetaTarget), "python-user", TimeSpan.FromSeconds(60));

        Assert.Null(await service.AcquireAsync(room, LockInfo.TrajectoryMetaTarget, "alice"));
        Assert.False(await service.ReleaseAsync(room, LockInfo.TrajectoryMetaTarget, "alice"));
        Assert.True(await service.ReleaseAsync(room, LockInfo.TrajectoryMetaTarget, "python-user"));
    }

    [Fact]
    public async Task Of_32_concurrent_acquirers_exactly_one_holds_the_lock()
    {
        var (service, _) = Create(Spaces.ZnDraw);
        var room = RedisFixture.NewId("r");

        var leases = await Task.WhenAll(Enumerable.Range(0, 32).Select(i => service.AcquireAsync(room, "t", "user-" + i).AsTask()));

        var lease = Assert.Single(leases, l => l is not null);
        Assert.Equal(lease!.Owner, (await service.GetAsync(room, "t"))!.Holder);
    }

    [Theory]
    [MemberData(nameof(Spaces.All), MemberType = typeof(Spaces))]
    public async Task The_presenter_lock_has_NX_semantics_and_the_options_TTL(string space)
    {
        var (service, keys) = Create(space);
        var room = RedisFixture.NewId("r");

        var results = await Task.WhenAll(Enumerable.Range(0, 16).Select(i => service.AcquirePresenterAsync(room, "sid" + i).AsTask()));

        Assert.Single(results, r => r);
        var presenter = await service.GetPresenterAsync(room);
        Assert.NotNull(presenter);
        Assert.InRange((await Db.KeyTimeToLiveAsync(keys.Room(room).PresenterLock()))!.Value, TimeSpan.FromSeconds(8), TimeSpan.FromSeconds(10));
        Assert.True(await service.AcquirePresenterAsync(room, presenter!)); // renewal by the presenter
        Assert.False(await service.ReleasePresenterAsync(room, "someone-else"));
        Assert.True(await service.ReleasePresenterAsync(room, presenter!));
        Assert.Null(await service.GetPresenterAsync(room));
    }
}
