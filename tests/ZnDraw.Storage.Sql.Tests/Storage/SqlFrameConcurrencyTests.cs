using ZnDraw.Storage.Contracts;
using ZnDraw.Storage.Models;
using ZnDraw.Storage.Sql.Tests.Infrastructure;
using ZnDraw.Storage.Testing.Contracts;

namespace ZnDraw.Storage.Sql.Tests.Storage;

/// <summary>
/// The SQL trajectory under many concurrent writers: no append is lost or duplicated, scores stay strictly increasing in
/// rank order, and bookmarks stay on their frames through concurrent inserts, deletes and appends.
/// </summary>
public abstract class SqlFrameConcurrencyTests(IStoreFactory backend) : StoreContract(backend)
{
    private const int Writers = 32;

    private IFrameRepository Frames => Store.Get<IFrameRepository>();

    private IBookmarkRepository Bookmarks => Store.Get<IBookmarkRepository>();

    [Fact]
    public async Task Thirty_two_concurrent_appenders_lose_no_frame_and_keep_one_consistent_order()
    {
        const int appendsPerWriter = 6;
        const int batch = 2;
        string room = NewId("r");
        IFrameRepository frames = Frames;
        using var start = new ManualResetEventSlim(false);

        Task<int[]>[] writers = [.. Enumerable.Range(0, Writers).Select(w => Task.Run(async () =>
        {
            start.Wait();
            int[] firsts = new int[appendsPerWriter];
            for (int k = 0; k < appendsPerWriter; k++)
            {
                firsts[k] = await frames.AppendAsync(room, [.. Enumerable.Range(0, batch).Select(j => Frame(w, (k * batch) + j))]);
            }

            return firsts;
        }))];
        start.Set();
        int[][] results = await Task.WhenAll(writers);

        const int total = Writers * appendsPerWriter * batch;
        IReadOnlyList<TrajectoryEntry> entries = await Frames.GetRangeAsync(room);
        Assert.Equal(total, await Frames.CountAsync(room));
        Assert.Equal(total, entries.Count);

        // Exactly the frames written, each once.
        Assert.Equal(
            Enumerable.Range(0, Writers).SelectMany(w => Enumerable.Range(0, appendsPerWriter * batch).Select(i => Frame(w, i).ToString())).Order(StringComparer.Ordinal),
            entries.Select(e => e.Frame.ToString()).Order(StringComparer.Ordinal));

        // Every append got its own slot: the first indices are 0, 2, 4, … and the scores 1 … total in rank order.
        Assert.Equal(Enumerable.Range(0, total / batch).Select(i => i * batch), results.SelectMany(r => r).Order());
        Assert.Equal(Enumerable.Range(1, total).Select(i => (double)i), entries.Select(e => e.Score));

        // Each append's frames are where its returned index says, together; a writer's appends keep their order.
        for (int w = 0; w < Writers; w++)
        {
            for (int k = 0; k < appendsPerWriter; k++)
            {
                for (int j = 0; j < batch; j++)
                {
                    Assert.Equal(Frame(w, (k * batch) + j), entries[results[w][k] + j].Frame);
                }
            }

            Assert.True(results[w].SequenceEqual(results[w].Order()));
        }

        // A single read agrees with the range.
        Assert.Equal(entries[^1].Frame, await Frames.GetAsync(room, total - 1));
    }

    [Fact]
    public async Task Bookmarks_stay_on_their_frames_through_concurrent_inserts_deletes_and_appends()
    {
        const int initial = 120;
        string room = NewId("r");
        IFrameRepository frames = Frames;
        await frames.AppendAsync(room, [.. Enumerable.Range(0, initial).Select(i => new FrameIndex(room, i))]);

        // Every fifth frame is bookmarked with its own member text.
        int[] marked = [.. Enumerable.Range(0, initial).Where(i => i % 5 == 0)];
        foreach (int frame in marked)
        {
            await Bookmarks.SetAsync(room, frame, new FrameIndex(room, frame).ToString());
        }

        using var start = new ManualResetEventSlim(false);
        int[] deletedCounts = new int[Writers];
        Task[] edits = [.. Enumerable.Range(0, Writers).Select(w => Task.Run(async () =>
        {
            var rng = new Random(w);
            start.Wait();
            for (int k = 0; k < 4; k++)
            {
                int id = 1000 + (w * 10) + k;
                switch (w % 4)
                {
                    case 0:
                    case 1:
                        // 16 inserters × 4 at positions that always exist (at most 32 frames are deleted).
                        await frames.InsertAsync(room, rng.Next(0, 60), new FrameIndex(room, id));
                        break;
                    case 2:
                        // 8 deleters × 4, one or two frames near the front each time.
                        int first = rng.Next(0, 30);
                        deletedCounts[w] += await frames.DeleteAsync(room, k % 2 == 0 ? [first] : [first, first + 3]);
                        break;
                    default:
                        await frames.AppendAsync(room, [new FrameIndex(room, id)]);
                        break;
                }
            }
        }))];
        start.Set();
        await Task.WhenAll(edits);

        IReadOnlyList<TrajectoryEntry> entries = await frames.GetRangeAsync(room);
        Assert.Equal(initial + (16 * 4) + (8 * 4) - deletedCounts.Sum(), entries.Count);
        Assert.Equal(entries.Count, entries.Select(e => e.Frame).Distinct().Count());
        Assert.Equal(entries.Count, entries.Select(e => e.Score).Distinct().Count());
        Assert.True(entries.Select(e => e.Score).SequenceEqual(entries.Select(e => e.Score).Order()));

        // Each bookmark sits on the frame it was set on; bookmarks of deleted frames are gone, the others survived.
        IReadOnlyList<Bookmark> after = await Bookmarks.GetAllAsync(room);
        foreach (Bookmark bookmark in after)
        {
            Assert.Equal(bookmark.Label, entries[bookmark.Frame].Frame.ToString());
        }

        var surviving = entries.Select(e => e.Frame).ToHashSet();
        Assert.Equal(
            marked.Select(f => new FrameIndex(room, f)).Where(surviving.Contains).Select(f => f.ToString()).Order(StringComparer.Ordinal),
            after.Select(b => b.Label).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Concurrent_bookmark_sets_and_frame_deletes_never_leave_a_bookmark_past_the_trajectory()
    {
        string room = NewId("r");
        IFrameRepository frames = Frames;
        IBookmarkRepository bookmarks = Bookmarks;
        await frames.AppendAsync(room, [.. Enumerable.Range(0, 64).Select(i => new FrameIndex(room, i))]);

        using var start = new ManualResetEventSlim(false);
        Task[] edits = [.. Enumerable.Range(0, Writers).Select(w => Task.Run(async () =>
        {
            start.Wait();
            if (w % 2 == 0)
            {
                await frames.DeleteAsync(room, [0]); // the trajectory shrinks from 64 to 48 frames
                return;
            }

            // Aims at the end of the trajectory: refused once the frame is gone, never stored past the end.
            for (int frame = 63; frame >= 40; frame -= 4)
            {
                try
                {
                    await bookmarks.SetAsync(room, frame, "w" + w);
                    return;
                }
                catch (ArgumentOutOfRangeException)
                {
                }
            }
        }))];
        start.Set();
        await Task.WhenAll(edits);

        long count = await frames.CountAsync(room);
        Assert.Equal(48, count);
        Assert.All(await bookmarks.GetAllAsync(room), b => Assert.InRange(b.Frame, 0, count - 1));
    }

    private static FrameIndex Frame(int writer, int index) => new("w" + writer, index);
}

/// <summary>The concurrency tests on a SQLite file.</summary>
[Collection(SqliteCollection.Name)]
public sealed class SqlFrameConcurrencyTestsOnSqlite(RedisFixture redis) : SqlFrameConcurrencyTests(SqlStores.Sqlite(redis));

/// <summary>The concurrency tests on PostgreSQL.</summary>
[Collection(PostgresCollection.Name)]
public sealed class SqlFrameConcurrencyTestsOnPostgres(RedisFixture redis) : SqlFrameConcurrencyTests(SqlStores.Postgres(redis));
