using System.Text.Json;
using ZnDraw.Storage.Contracts;
using ZnDraw.Storage.Models;

namespace ZnDraw.Storage.Testing.Contracts;

/// <summary>Every behaviour of <see cref="ILockRepository"/> that any backend must show: owner-only changes, one holder under contention, server-side expiry.</summary>
public abstract class LockRepositoryContract(IStoreFactory backend) : StoreContract(backend)
{
    private const string Target = LockInfo.TrajectoryMetaTarget;
    private static readonly TimeSpan Minute = TimeSpan.FromSeconds(60);

    private ILockRepository Locks => Store.Get<ILockRepository>();

    private static string NewRoom() => NewId("room");

    private static LockMetadata Meta(string user, string message) =>
        new(user, new DateTime(2025, 10, 31, 12, 0, 0, DateTimeKind.Utc), [new("msg", JsonDocument.Parse(JsonSerializer.Serialize(message)).RootElement.Clone())]);

    /// <summary>Polls until <paramref name="condition"/> holds: expiry is the server's, a few seconds at most.</summary>
    private static async Task EventuallyAsync(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"not within 10 s: {what}");
            await Task.Delay(100);
        }
    }

    [Fact]
    public async Task An_acquired_lock_reads_back_with_its_holder_ttl_and_metadata()
    {
        string room = NewRoom();

        Assert.True(await Locks.AcquireAsync(room, Target, "alice", Minute, Meta("alice", "editing")));

        LockInfo? info = await Locks.GetAsync(room, Target);
        Assert.NotNull(info);
        Assert.Equal("alice", info.Holder);
        Assert.Equal(Target, info.Target);
        Assert.InRange(info.TimeToLive!.Value, TimeSpan.FromSeconds(55), Minute);
        Assert.Equal(Meta("alice", "editing"), info.Metadata);
        Assert.Equal("editing", info.Metadata!.Message);
    }

    [Fact]
    public async Task A_lock_without_metadata_reads_without_metadata_and_a_free_lock_reads_as_null()
    {
        string room = NewRoom();

        Assert.Null(await Locks.GetAsync(room, Target));
        Assert.True(await Locks.AcquireAsync(room, Target, "alice", Minute));

        LockInfo? info = await Locks.GetAsync(room, Target);
        Assert.Equal(("alice", Target, (LockMetadata?)null), (info!.Holder, info.Target, info.Metadata));
        Assert.InRange(info.TimeToLive!.Value, TimeSpan.FromSeconds(55), Minute);
    }

    [Fact]
    public async Task Only_the_holder_refreshes_sets_metadata_and_releases()
    {
        string room = NewRoom();
        Assert.True(await Locks.AcquireAsync(room, Target, "alice", TimeSpan.FromSeconds(5)));

        Assert.False(await Locks.AcquireAsync(room, Target, "bob", Minute));
        Assert.False(await Locks.RefreshAsync(room, Target, "bob", Minute));
        Assert.False(await Locks.SetMetadataAsync(room, Target, "bob", Meta("bob", "mine")));
        Assert.False(await Locks.ReleaseAsync(room, Target, "bob"));
        LockInfo? unchanged = await Locks.GetAsync(room, Target);
        Assert.Equal(("alice", (LockMetadata?)null), (unchanged!.Holder, unchanged.Metadata));
        Assert.InRange(unchanged.TimeToLive!.Value, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(5));

        Assert.True(await Locks.RefreshAsync(room, Target, "alice", TimeSpan.FromSeconds(120)));
        Assert.InRange((await Locks.GetAsync(room, Target))!.TimeToLive!.Value, TimeSpan.FromSeconds(100), TimeSpan.FromSeconds(120));

        Assert.True(await Locks.SetMetadataAsync(room, Target, "alice", Meta("alice", "hello")));
        Assert.Equal("hello", (await Locks.GetAsync(room, Target))!.Metadata!.Message);

        Assert.True(await Locks.ReleaseAsync(room, Target, "alice"));
        Assert.Null(await Locks.GetAsync(room, Target));
        Assert.False(await Locks.ReleaseAsync(room, Target, "alice"));
        Assert.False(await Locks.RefreshAsync(room, Target, "alice", Minute));
        Assert.False(await Locks.SetMetadataAsync(room, Target, "alice", Meta("alice", "late")));

        Assert.True(await Locks.AcquireAsync(room, Target, "bob", Minute));
        Assert.Null((await Locks.GetAsync(room, Target))!.Metadata); // alice's metadata went with her lock
    }

    [Fact]
    public async Task Re_acquire_by_the_holder_refreshes_and_keeps_or_replaces_the_metadata()
    {
        string room = NewRoom();
        await Locks.AcquireAsync(room, Target, "alice", TimeSpan.FromSeconds(5), Meta("alice", "first"));

        Assert.True(await Locks.AcquireAsync(room, Target, "alice", TimeSpan.FromSeconds(200)));
        LockInfo? kept = await Locks.GetAsync(room, Target);
        Assert.Equal("first", kept!.Metadata!.Message);
        Assert.InRange(kept.TimeToLive!.Value, TimeSpan.FromSeconds(190), TimeSpan.FromSeconds(200));

        Assert.True(await Locks.AcquireAsync(room, Target, "alice", Minute, Meta("alice", "second")));
        Assert.Equal("second", (await Locks.GetAsync(room, Target))!.Metadata!.Message);
    }

    [Fact]
    public async Task Locks_of_other_targets_and_rooms_are_independent()
    {
        string room = NewRoom(), other = NewRoom();

        Assert.True(await Locks.AcquireAsync(room, Target, "alice", Minute));
        Assert.True(await Locks.AcquireAsync(room, "geometry:x", "bob", Minute));
        Assert.True(await Locks.AcquireAsync(other, Target, "bob", Minute));

        Assert.Equal("alice", (await Locks.GetAsync(room, Target))!.Holder);
        Assert.Equal("bob", (await Locks.GetAsync(room, "geometry:x"))!.Holder);
        Assert.Equal("bob", (await Locks.GetAsync(other, Target))!.Holder);
    }

    [Fact]
    public async Task A_lock_expires_when_its_ttl_ends_and_is_free_for_another_holder()
    {
        string room = NewRoom();
        Assert.True(await Locks.AcquireAsync(room, Target, "alice", TimeSpan.FromMilliseconds(500), Meta("alice", "short"))); // rounded up to 1 s

        await EventuallyAsync(async () => await Locks.GetAsync(room, Target) is null, "the lock expires");

        Assert.False(await Locks.RefreshAsync(room, Target, "alice", Minute));
        Assert.True(await Locks.AcquireAsync(room, Target, "bob", Minute));
        Assert.Null((await Locks.GetAsync(room, Target))!.Metadata);
    }

    [Fact]
    public async Task A_sub_second_ttl_is_at_least_a_second_and_300_seconds_is_allowed()
    {
        string room = NewRoom(), other = NewRoom();

        Assert.True(await Locks.AcquireAsync(room, Target, "alice", TimeSpan.FromMilliseconds(500)));
        Assert.True(await Locks.AcquireAsync(other, Target, "alice", LockLimits.MaxTimeToLive));

        Assert.InRange((await Locks.GetAsync(room, Target))!.TimeToLive!.Value, TimeSpan.FromMilliseconds(1), TimeSpan.FromSeconds(1));
        Assert.InRange((await Locks.GetAsync(other, Target))!.TimeToLive!.Value, TimeSpan.FromSeconds(290), TimeSpan.FromSeconds(300));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1000)]
    [InlineData(300_001)]
    public async Task Out_of_range_ttls_are_refused_before_anything_is_stored(int milliseconds)
    {
        string room = NewRoom();
        var ttl = TimeSpan.FromMilliseconds(milliseconds);

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await Locks.AcquireAsync(room, Target, "alice", ttl));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await Locks.RefreshAsync(room, Target, "alice", ttl));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await Locks.AcquirePresenterAsync(room, "sid1", ttl));

        Assert.Null(await Locks.GetAsync(room, Target));
        Assert.Null(await Locks.GetPresenterAsync(room));
    }

    [Fact]
    public async Task Invalid_arguments_are_refused_before_anything_is_stored()
    {
        string room = NewRoom();

        await Assert.ThrowsAnyAsync<ArgumentException>(async () => await Locks.AcquireAsync(room, "", "alice", Minute));
        await Assert.ThrowsAnyAsync<ArgumentException>(async () => await Locks.AcquireAsync(room, "x:metadata", "alice", Minute));
        await Assert.ThrowsAnyAsync<ArgumentException>(async () => await Locks.AcquireAsync("a:b", Target, "alice", Minute));
        await Assert.ThrowsAnyAsync<ArgumentException>(async () => await Locks.AcquireAsync(room, Target, " alice", Minute));
        await Assert.ThrowsAnyAsync<ArgumentException>(async () => await Locks.AcquireAsync(room, Target, "alice", Minute, Meta("bob", "x")));
        await Assert.ThrowsAnyAsync<ArgumentException>(async () => await Locks.SetMetadataAsync(room, Target, "alice", Meta("bob", "x")));
        await Assert.ThrowsAnyAsync<ArgumentException>(async () => await Locks.GetAsync("a:b", Target));
        await Assert.ThrowsAnyAsync<ArgumentException>(async () => await Locks.AcquirePresenterAsync(room, "a:b"));
        await Assert.ThrowsAnyAsync<ArgumentException>(async () => await Locks.GetPresenterAsync(""));

        Assert.Null(await Locks.GetAsync(room, Target));
        Assert.Null(await Locks.GetPresenterAsync(room));
    }

    [Fact]
    public async Task A_cancelled_token_sends_nothing()
    {
        string room = NewRoom();
        var cancelled = new CancellationToken(canceled: true);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await Locks.AcquireAsync(room, Target, "alice", Minute, null, cancelled));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await Locks.AcquirePresenterAsync(room, "sid1", null, cancelled));

        Assert.Null(await Locks.GetAsync(room, Target));
        Assert.Null(await Locks.GetPresenterAsync(room));
    }

    [Fact]
    public async Task Thirty_two_concurrent_acquirers_get_exactly_one_holder_with_its_own_metadata()
    {
        string room = NewRoom();

        bool[] results = await Task.WhenAll(Enumerable.Range(0, 32).Select(i =>
            Task.Run(async () => await Locks.AcquireAsync(room, Target, "user" + i, Minute, Meta("user" + i, "m")))));

        int winner = Assert.Single(Enumerable.Range(0, results.Length), i => results[i]);
        LockInfo? info = await Locks.GetAsync(room, Target);
        Assert.Equal("user" + winner, info!.Holder);
        Assert.Equal(info.Holder, info.Metadata!.UserName);
    }

    [Fact]
    public async Task Acquire_release_cycles_under_contention_never_hand_the_lock_to_two_holders()
    {
        string room = NewRoom();
        int inside = 0, maxInside = 0, entries = 0;

        await Task.WhenAll(Enumerable.Range(0, 8).Select(i => Task.Run(async () =>
        {
            string me = "user" + i;
            for (int round = 0; round < 20; round++)
            {
                if (await Locks.AcquireAsync(room, Target, me, Minute))
                {
                    int now = Interlocked.Increment(ref inside);
                    InterlockedMax(ref maxInside, now);
                    Interlocked.Increment(ref entries);
                    Assert.Equal(me, (await Locks.GetAsync(room, Target))!.Holder);
                    Interlocked.Decrement(ref inside);
                    Assert.True(await Locks.ReleaseAsync(room, Target, me));
                }
            }
        })));

        Assert.Equal(1, maxInside);
        Assert.True(entries > 0);
        Assert.Null(await Locks.GetAsync(room, Target));
    }

    [Fact]
    public async Task The_presenter_is_one_sid_renewed_by_it_and_released_only_by_it()
    {
        string room = NewRoom();

        Assert.Null(await Locks.GetPresenterAsync(room));
        Assert.True(await Locks.AcquirePresenterAsync(room, "sidA"));
        Assert.Equal("sidA", await Locks.GetPresenterAsync(room));

        Assert.False(await Locks.AcquirePresenterAsync(room, "sidB"));
        Assert.True(await Locks.AcquirePresenterAsync(room, "sidA", TimeSpan.FromSeconds(30)));
        Assert.False(await Locks.ReleasePresenterAsync(room, "sidB"));
        Assert.Equal("sidA", await Locks.GetPresenterAsync(room));

        Assert.True(await Locks.ReleasePresenterAsync(room, "sidA"));
        Assert.Null(await Locks.GetPresenterAsync(room));
        Assert.False(await Locks.ReleasePresenterAsync(room, "sidA"));
        Assert.True(await Locks.AcquirePresenterAsync(room, "sidB"));
        Assert.Equal("sidB", await Locks.GetPresenterAsync(room));
    }

    [Fact]
    public async Task The_presenter_lock_expires_when_its_ttl_ends()
    {
        string room = NewRoom();
        Assert.True(await Locks.AcquirePresenterAsync(room, "sidA", TimeSpan.FromSeconds(1)));

        await EventuallyAsync(async () => await Locks.GetPresenterAsync(room) is null, "the presenter lock expires");

        Assert.True(await Locks.AcquirePresenterAsync(room, "sidB"));
    }

    [Fact]
    public async Task Sixteen_concurrent_presenters_get_exactly_one()
    {
        string room = NewRoom();

        bool[] results = await Task.WhenAll(Enumerable.Range(0, 16).Select(i =>
            Task.Run(async () => await Locks.AcquirePresenterAsync(room, "sid" + i))));

        int winner = Assert.Single(Enumerable.Range(0, results.Length), i => results[i]);
        Assert.Equal("sid" + winner, await Locks.GetPresenterAsync(room));
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int current;
        do
        {
            current = Volatile.Read(ref target);
            if (value <= current)
            {
                return;
            }
        }
        while (Interlocked.CompareExchange(ref target, value, current) != current);
    }
}
