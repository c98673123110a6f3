using StackExchange.Redis;
using ZnDraw.Storage.Contracts;
using ZnDraw.Storage.Models;
using ZnDraw.Storage.Redis.Keys;
using ZnDraw.Storage.Redis.Repositories;
using ZnDraw.Storage.Testing;
using ZnDraw.Storage.Tests.Infrastructure;
using static ZnDraw.Storage.Tests.Redis.Repositories.FramesTestSupport;

namespace ZnDraw.Storage.Tests.Redis.Repositories;

[Collection(RedisCollection.Name)]
public sealed class FrameConcurrencyTests(RedisFixture redis)
{
    private readonly IDatabase _db = redis.Database;

    [Fact]
    public async Task Sixteen_parallel_appends_give_sixteen_distinct_ordered_frames()
    {
        string room = RedisFixture.NewId("r");
        var repo = new FrameRepository(Context(redis));
        using var start = new ManualResetEventSlim(false);

        Task<int>[] appends = [.. Enumerable.Range(0, 16).Select(i => Task.Run(async () =>
        {
            start.Wait();
            return await repo.AppendAsync(room, [new(room, 2 * i), new(room, (2 * i) + 1)]);
        }))];
        start.Set();
        int[] firsts = await Task.WhenAll(appends);

        // Every append got its own slot: first indices 0, 2, 4, … in some order, and its two frames are adjacent.
        Assert.Equal(Enumerable.Range(0, 16).Select(i => 2 * i), firsts.Order());
        var entries = await RawEntriesAsync(_db, new RoomKeys(room).TrajectoryIndices());
        Assert.Equal(32, entries.Length);
        Assert.Equal(entries.Length, entries.Select(e => e.Score).Distinct().Count());
        Assert.Equal(Enumerable.Range(1, 32).Select(i => (double)i), entries.Select(e => e.Score));
        for (int i = 0; i < 16; i++)
        {
            Assert.Equal(Member(room, 2 * i), entries[firsts[i]].Member);
            Assert.Equal(Member(room, (2 * i) + 1), entries[firsts[i] + 1].Member);
        }
    }

    [Fact]
    public async Task Concurrent_inserts_and_appends_keep_bookmarks_on_their_frames()
    {
        string room = RedisFixture.NewId("r");
        var keys = new RoomKeys(room);
        var context = Context(redis);
        var frames = new FrameRepository(context);
        var bookmarks = new BookmarkRepository(context);
        await frames.AppendAsync(room, [.. Enumerable.Range(0, 20).Select(i => new FrameIndex(room, i))]);
        int[] marked = [0, 3, 7, 12, 19];
        foreach (int frame in marked)
        {
            await bookmarks.SetAsync(room, frame, "frame " + frame);
        }

        var rng = new Random(42);
        using var start = new ManualResetEventSlim(false);
        Task[] edits = [.. Enumerable.Range(0, 48).Select(i =>
        {
            int position = rng.Next(0, 21); // always valid: the trajectory only grows
            bool append = i % 3 == 0;
            return Task.Run(async () =>
            {
                start.Wait();
                if (append)
                {
                    await frames.AppendAsync(room, [new FrameIndex(room, 1000 + i)]);
                }
                else
                {
                    await frames.InsertAsync(room, position, new FrameIndex(room, 1000 + i));
                }
            });
        })];
        start.Set();
        await Task.WhenAll(edits);

        Assert.Equal(68, await frames.CountAsync(room));
        IReadOnlyList<Bookmark> after = await bookmarks.GetAllAsync(room);
        Assert.Equal(marked.Length, after.Count);
        string[] members = await RawMembersAsync(_db, keys.TrajectoryIndices());
        foreach (Bookmark bookmark in after)
        {
            int original = int.Parse(bookmark.Label["frame ".Length..], System.Globalization.CultureInfo.InvariantCulture);
            Assert.Equal(Member(room, original), members[bookmark.Frame]);
        }

        var scores = (await RawEntriesAsync(_db, keys.TrajectoryIndices())).Select(e => e.Score).ToArray();
        Assert.Equal(scores.Length, scores.Distinct().Count());
    }

    [Fact]
    public async Task Concurrent_deletes_and_inserts_keep_the_surviving_bookmarks_on_their_frames()
    {
        string room = RedisFixture.NewId("r");
        var keys = new RoomKeys(room);
        var context = Context(redis);
        var frames = new FrameRepository(context);
        var bookmarks = new BookmarkRepository(context);
        await frames.AppendAsync(room, [.. Enumerable.Range(0, 40).Select(i => new FrameIndex(room, i))]);
        foreach (int frame in new[] { 1, 5, 9, 20, 33, 39 })
        {
            await bookmarks.SetAsync(room, frame, "frame " + frame);
        }

        using var start = new ManualResetEventSlim(false);
        Task[] edits = [.. Enumerable.Range(0, 24).Select(i => Task.Run(async () =>
        {
            start.Wait();
            if (i % 2 == 0)
            {
                await frames.DeleteAsync(room, [0]); // 12 deletes of the current first frame
            }
            else
            {
                await frames.InsertAsync(room, 10, new FrameIndex(room, 1000 + i));
            }
        }))];
        start.Set();
        await Task.WhenAll(edits);

        string[] members = await RawMembersAsync(_db, keys.TrajectoryIndices());
        Assert.Equal(40, members.Length);
        IReadOnlyList<Bookmark> after = await bookmarks.GetAllAsync(room);
        Assert.NotEmpty(after);
        foreach (Bookmark bookmark in after)
        {
            int original = int.Parse(bookmark.Label["frame ".Length..], System.Globalization.CultureInfo.InvariantCulture);
            Assert.Equal(Member(room, original), members[bookmark.Frame]);
        }

        // Bookmarks on frames that are gone were dropped; the others survived.
        var survivors = new HashSet<string>(members, StringComparer.Ordinal);
        Assert.Equal(
            new[] { 1, 5, 9, 20, 33, 39 }.Where(f => survivors.Contains(Member(room, f))).Select(f => "frame " + f).Order(StringComparer.Ordinal),
            after.Select(b => b.Label).Order(StringComparer.Ordinal));
    }
}
