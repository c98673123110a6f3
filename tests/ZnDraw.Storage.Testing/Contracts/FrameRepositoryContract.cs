using System.Globalization;
using ZnDraw.Storage.Contracts;
using ZnDraw.Storage.Models;

namespace ZnDraw.Storage.Testing.Contracts;

/// <summary>Every behaviour of <see cref="IFrameRepository"/> that any backend must show.</summary>
public abstract class FrameRepositoryContract(IStoreFactory backend) : StoreContract(backend)
{
    private IFrameRepository Frames => Store.Get<IFrameRepository>();

    private IBookmarkRepository Bookmarks => Store.Get<IBookmarkRepository>();

    [Fact]
    public async Task Append_scores_frames_one_two_three_and_returns_the_first_new_index()
    {
        string room = NewId("r");

        Assert.Equal(0, await Frames.AppendAsync(room, [new(room, 0), new(room, 1)]));
        Assert.Equal(2, await Frames.AppendAsync(room, [new(room, 2)]));

        Assert.Equal([Entry(room, 0, 1.0), Entry(room, 1, 2.0), Entry(room, 2, 3.0)], await Frames.GetRangeAsync(room));
        Assert.Equal(3, await Frames.CountAsync(room));
    }

    [Fact]
    public async Task A_missing_trajectory_is_empty()
    {
        string room = NewId("r");

        Assert.Equal(0, await Frames.CountAsync(room));
        Assert.Empty(await Frames.GetRangeAsync(room));
        Assert.Null(await Frames.GetAsync(room, 0));
        Assert.Equal(0, await Frames.RenormalizeAsync(room));
    }

    [Fact]
    public async Task Ranges_and_single_reads_address_logical_indices()
    {
        string room = NewId("r");
        await Frames.ReplaceAllAsync(room, [new("src", 0), new(room, 7), new(room, 3)]);

        IReadOnlyList<TrajectoryEntry> all = await Frames.GetRangeAsync(room);
        Assert.Equal([new FrameIndex("src", 0), new FrameIndex(room, 7), new FrameIndex(room, 3)], all.Select(e => e.Frame));
        Assert.True(all[0].Frame.IsTemplateFor(room));
        Assert.Equal([new TrajectoryEntry(new(room, 7), 1.0)], await Frames.GetRangeAsync(room, 1, 1));
        Assert.Equal([new TrajectoryEntry(new(room, 3), 2.0)], await Frames.GetRangeAsync(room, -1));
        Assert.Equal(new FrameIndex(room, 7), await Frames.GetAsync(room, 1));
        Assert.Null(await Frames.GetAsync(room, 3));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await Frames.GetAsync(room, -1));
    }

    [Fact]
    public async Task Insert_takes_the_mean_of_the_neighbours_and_shifts_bookmarks_at_and_after_the_position()
    {
        string room = NewId("r");
        await Frames.AppendAsync(room, [new(room, 0), new(room, 1), new(room, 2)]); // scores 1, 2, 3
        await Bookmarks.SetAsync(room, 0, "start");
        await Bookmarks.SetAsync(room, 1, "middle");
        await Bookmarks.SetAsync(room, 2, "end");

        await Frames.InsertAsync(room, 1, new(room, 10));
        await Frames.InsertAsync(room, 0, new(room, 11));
        await Frames.InsertAsync(room, 5, new(room, 12));

        Assert.Equal(
            [Entry(room, 11, 0.0), Entry(room, 0, 1.0), Entry(room, 10, 1.5), Entry(room, 1, 2.0), Entry(room, 2, 3.0), Entry(room, 12, 4.0)],
            await Frames.GetRangeAsync(room));
        Assert.Equal([new Bookmark(1, "start"), new Bookmark(3, "middle"), new Bookmark(4, "end")], await Bookmarks.GetAllAsync(room));
    }

    [Fact]
    public async Task Insert_into_an_empty_trajectory_scores_one()
    {
        string room = NewId("r");

        await Frames.InsertAsync(room, 0, new(room, 0));

        Assert.Equal([Entry(room, 0, 1.0)], await Frames.GetRangeAsync(room));
    }

    [Fact]
    public async Task Repeated_inserts_at_one_place_keep_their_order_after_the_gap_is_used_up()
    {
        string room = NewId("r");
        await Frames.AppendAsync(room, [new(room, 0), new(room, 1)]);
        for (int i = 2; i < 80; i++)
        {
            await Frames.InsertAsync(room, 1, new(room, i)); // halves the gap every time: 2^-52 is reached after ~52 inserts
        }

        IReadOnlyList<TrajectoryEntry> entries = await Frames.GetRangeAsync(room);
        FrameIndex[] expected = [new(room, 0), .. Enumerable.Range(2, 78).Reverse().Select(i => new FrameIndex(room, i)), new(room, 1)];
        Assert.Equal(expected, entries.Select(e => e.Frame));
        Assert.Equal(entries.Count, entries.Select(e => e.Score).Distinct().Count());
    }

    [Fact]
    public async Task Insert_out_of_range_or_of_a_present_frame_changes_nothing()
    {
        string room = NewId("r");
        await Frames.AppendAsync(room, [new(room, 0), new(room, 1)]);
        await Bookmarks.SetAsync(room, 1, "b");

        var ex = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await Frames.InsertAsync(room, 3, new(room, 5)));
        Assert.Equal("position", ex.ParamName);
        await Assert.ThrowsAsync<InvalidOperationException>(async () => await Frames.InsertAsync(room, 0, new(room, 1)));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await Frames.InsertAsync(room, -1, new(room, 5)));

        Assert.Equal([Entry(room, 0, 1.0), Entry(room, 1, 2.0)], await Frames.GetRangeAsync(room));
        Assert.Equal([new Bookmark(1, "b")], await Bookmarks.GetAllAsync(room));
    }

    [Fact]
    public async Task Append_refuses_present_repeated_empty_and_invalid_frames_without_writing()
    {
        string room = NewId("r");
        await Frames.AppendAsync(room, [new(room, 0)]);

        await Assert.ThrowsAsync<InvalidOperationException>(async () => await Frames.AppendAsync(room, [new(room, 1), new(room, 0)]));
        await Assert.ThrowsAsync<ArgumentException>(async () => await Frames.AppendAsync(room, [new(room, 1), new(room, 1)]));
        await Assert.ThrowsAsync<ArgumentException>(async () => await Frames.AppendAsync(room, []));
        await Assert.ThrowsAsync<ArgumentException>(async () => await Frames.AppendAsync(room, [new("a:b", 1)]));
        await Assert.ThrowsAsync<ArgumentException>(async () => await Frames.AppendAsync("bad:room", [new(room, 1)]));

        Assert.Equal([new FrameIndex(room, 0)], (await Frames.GetRangeAsync(room)).Select(e => e.Frame));
    }

    [Fact]
    public async Task A_frame_list_with_a_repeat_is_refused_whole_and_the_next_call_is_judged_on_its_own()
    {
        string room = NewId("r");
        FrameIndex[] frames = [.. Enumerable.Range(0, 20).Select(i => new FrameIndex("s", i))];

        var ex = await Assert.ThrowsAsync<ArgumentException>(async () => await Frames.ReplaceAllAsync(room, [.. frames, new("s", 3)]));
        Assert.Equal("frames", ex.ParamName);
        Assert.StartsWith("Frame 's:3' is listed twice", ex.Message, StringComparison.Ordinal);
        Assert.Equal(0, await Frames.CountAsync(room));

        // The refused call's frames are not remembered: the same frames without the repeat are written.
        await Frames.ReplaceAllAsync(room, frames);
        Assert.Equal(frames.Select((f, i) => new TrajectoryEntry(f, i)), await Frames.GetRangeAsync(room));
        await Frames.ReplaceAllAsync(room, frames);
        Assert.Equal(20, await Frames.CountAsync(room));

        // Checked in list order: whichever comes first, the invalid frame or the repeat, is reported.
        ex = await Assert.ThrowsAsync<ArgumentException>(async () => await Frames.ReplaceAllAsync(room, [.. frames, new("a:b", 1), new("s", 0)]));
        Assert.DoesNotContain("twice", ex.Message, StringComparison.Ordinal);
        ex = await Assert.ThrowsAsync<ArgumentException>(async () => await Frames.ReplaceAllAsync(room, [.. frames, new("s", 0), new("a:b", 1)]));
        Assert.StartsWith("Frame 's:0' is listed twice", ex.Message, StringComparison.Ordinal);

        // Append: the same rule; nothing appended.
        FrameIndex[] more = [.. Enumerable.Range(100, 12).Select(i => new FrameIndex(room, i))];
        ex = await Assert.ThrowsAsync<ArgumentException>(async () => await Frames.AppendAsync(room, [.. more, new(room, 105)]));
        Assert.StartsWith($"Frame '{room}:105' is listed twice", ex.Message, StringComparison.Ordinal);
        Assert.Equal(20, await Frames.CountAsync(room));
        Assert.Equal(20, await Frames.AppendAsync(room, more));
        Assert.Equal(32, await Frames.CountAsync(room));

        // Long lists.
        FrameIndex[] many = [.. Enumerable.Range(0, 5000).Select(i => new FrameIndex("m", i))];
        ex = await Assert.ThrowsAsync<ArgumentException>(async () => await Frames.ReplaceAllAsync(room, [.. many, new("m", 4999)]));
        Assert.StartsWith("Frame 'm:4999' is listed twice", ex.Message, StringComparison.Ordinal);
        await Frames.ReplaceAllAsync(room, many);
        Assert.Equal(5000, await Frames.CountAsync(room));
        await Frames.ReplaceAllAsync(room, frames);
        Assert.Equal(20, await Frames.CountAsync(room));
    }

    [Fact]
    public async Task Repeats_are_found_on_every_thread()
    {
        string room = NewId("r");
        IFrameRepository frames = Frames;

        await Task.WhenAll(Enumerable.Range(0, 8).Select(t => Task.Run(async () =>
        {
            for (int round = 0; round < 20; round++)
            {
                FrameIndex[] list = [.. Enumerable.Range(0, 10 + round).Select(i => new FrameIndex("t" + t, i))];
                await Assert.ThrowsAsync<ArgumentException>(async () => await frames.ReplaceAllAsync(room + t, [.. list, list[round % list.Length]]));
                await frames.ReplaceAllAsync(room + t, list);
            }
        })));

        for (int t = 0; t < 8; t++)
        {
            Assert.Equal(29, await Frames.CountAsync(room + t));
        }
    }

    [Fact]
    public async Task Delete_drops_bookmarks_on_deleted_frames_and_shifts_later_ones_down()
    {
        string room = NewId("r");
        await Frames.AppendAsync(room, [.. Enumerable.Range(0, 6).Select(i => new FrameIndex(room, i))]);
        foreach ((int frame, string label) in new[] { (1, "one"), (2, "two"), (4, "four"), (5, "five") })
        {
            await Bookmarks.SetAsync(room, frame, label);
        }

        Assert.Equal(3, await Frames.DeleteAsync(room, [4, 0, 2, 2]));

        Assert.Equal([new FrameIndex(room, 1), new FrameIndex(room, 3), new FrameIndex(room, 5)], (await Frames.GetRangeAsync(room)).Select(e => e.Frame));
        Assert.Equal([new Bookmark(0, "one"), new Bookmark(2, "five")], await Bookmarks.GetAllAsync(room));
        Assert.Equal(0, await Frames.DeleteAsync(room, []));
    }

    [Fact]
    public async Task Delete_out_of_range_changes_nothing()
    {
        string room = NewId("r");
        await Frames.AppendAsync(room, [new(room, 0), new(room, 1), new(room, 2)]);
        await Bookmarks.SetAsync(room, 2, "x");

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await Frames.DeleteAsync(room, [0, 3]));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await Frames.DeleteAsync(room, [-1]));

        Assert.Equal(3, await Frames.CountAsync(room));
        Assert.Equal([new Bookmark(2, "x")], await Bookmarks.GetAllAsync(room));
    }

    [Fact]
    public async Task Delete_refuses_template_frames_of_a_copied_room_unless_allowed()
    {
        string room = NewId("r");
        await Frames.ReplaceAllAsync(room, [new("src", 0), new("src", 1), new(room, 0), new(room, 9)]);
        await Bookmarks.SetAsync(room, 3, "own");

        var ex = await Assert.ThrowsAsync<TemplateFrameException>(async () => await Frames.DeleteAsync(room, [2, 1]));
        Assert.Equal(1, ex.Index);
        Assert.Equal("src:1", ex.Member);
        Assert.Equal(room, ex.RoomId);
        Assert.Equal(4, await Frames.CountAsync(room));

        Assert.Equal(2, await Frames.DeleteAsync(room, [2, 3]));
        Assert.Equal([new FrameIndex("src", 0), new FrameIndex("src", 1)], (await Frames.GetRangeAsync(room)).Select(e => e.Frame));
        Assert.Empty(await Bookmarks.GetAllAsync(room));

        Assert.Equal(1, await Frames.DeleteAsync(room, [0], allowTemplateFrames: true));
        Assert.Equal([new FrameIndex("src", 1)], (await Frames.GetRangeAsync(room)).Select(e => e.Frame));
    }

    [Fact]
    public async Task Replace_keeps_the_score_returns_the_old_frame_and_removes_that_frames_bookmark()
    {
        string room = NewId("r");
        await Frames.AppendAsync(room, [new(room, 0), new(room, 1), new(room, 2)]);
        await Bookmarks.SetAsync(room, 1, "one");
        await Bookmarks.SetAsync(room, 2, "two");

        Assert.Equal(new FrameIndex(room, 1), await Frames.ReplaceAsync(room, 1, new(room, 7)));

        Assert.Equal([Entry(room, 0, 1.0), Entry(room, 7, 2.0), Entry(room, 2, 3.0)], await Frames.GetRangeAsync(room));
        Assert.Equal([new Bookmark(2, "two")], await Bookmarks.GetAllAsync(room));
        await Assert.ThrowsAsync<InvalidOperationException>(async () => await Frames.ReplaceAsync(room, 0, new(room, 2)));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await Frames.ReplaceAsync(room, 3, new(room, 9)));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await Frames.ReplaceAsync(room, -1, new(room, 9)));
        Assert.Equal([Entry(room, 0, 1.0), Entry(room, 7, 2.0), Entry(room, 2, 3.0)], await Frames.GetRangeAsync(room));
    }

    [Fact]
    public async Task Renormalize_and_replace_all_write_scores_zero_to_n_minus_one()
    {
        string room = NewId("r");
        await Frames.AppendAsync(room, [new("a", 0), new("a", 1)]);
        await Frames.InsertAsync(room, 1, new("a", 2));

        Assert.Equal(3, await Frames.RenormalizeAsync(room));
        Assert.Equal([Entry("a", 0, 0.0), Entry("a", 2, 1.0), Entry("a", 1, 2.0)], await Frames.GetRangeAsync(room));

        await Frames.ReplaceAllAsync(room, [new("b", 4), new(room, 0)]);
        Assert.Equal([Entry("b", 4, 0.0), Entry(room, 0, 1.0)], await Frames.GetRangeAsync(room));

        await Assert.ThrowsAsync<ArgumentException>(async () => await Frames.ReplaceAllAsync(room, [new("b", 4), new("b", 4)]));
        Assert.Equal(2, await Frames.CountAsync(room));
        await Frames.ReplaceAllAsync(room, []);
        Assert.Equal(0, await Frames.CountAsync(room));
        Assert.Equal(0, await Frames.RenormalizeAsync(room));
    }

    [Fact]
    public async Task Renormalize_handles_a_long_trajectory()
    {
        string room = NewId("r");
        await Frames.AppendAsync(room, [.. Enumerable.Range(0, 2500).Select(i => new FrameIndex(room, i))]);

        Assert.Equal(2500, await Frames.RenormalizeAsync(room));

        IReadOnlyList<TrajectoryEntry> entries = await Frames.GetRangeAsync(room);
        Assert.Equal(Enumerable.Range(0, 2500).Select(i => Entry(room, i, i)), entries);
        Assert.Equal(2500, await Frames.AppendAsync(room, [.. Enumerable.Range(0, 700).Select(i => new FrameIndex("n", i))]));
        Assert.Equal(3200, await Frames.CountAsync(room));
        Assert.Equal(3199.0, (await Frames.GetRangeAsync(room, -1))[0].Score);
    }

    [Fact]
    public async Task Frame_selections_read_back_per_group()
    {
        string room = NewId("r");
        var selection = new FrameSelection(FrameSelection.DefaultGroup, [.. Enumerable.Range(0, 300).Select(i => i * 2)]);

        Assert.Null(await Frames.GetFrameSelectionAsync(room));
        await Frames.SetFrameSelectionAsync(room, selection);
        await Frames.SetFrameSelectionAsync(room, new FrameSelection("other", [1]));

        Assert.Equal(selection, await Frames.GetFrameSelectionAsync(room));
        Assert.Equal(new FrameSelection("other", [1]), await Frames.GetFrameSelectionAsync(room, "other"));
        await Frames.SetFrameSelectionAsync(room, new FrameSelection("other", []));
        Assert.Equal(new FrameSelection("other", []), await Frames.GetFrameSelectionAsync(room, "other"));
        await Assert.ThrowsAnyAsync<ArgumentException>(async () => await Frames.SetFrameSelectionAsync(room, new FrameSelection("g", [1, -1])));
        await Assert.ThrowsAnyAsync<ArgumentException>(async () => await Frames.SetFrameSelectionAsync(room, new FrameSelection("", [1])));
        Assert.Null(await Frames.GetFrameSelectionAsync(room, "g"));
    }

    [Fact]
    public async Task Sixteen_parallel_appends_lose_no_frame_and_keep_each_batch_together()
    {
        string room = NewId("r");
        using var start = new ManualResetEventSlim(false);
        IFrameRepository frames = Frames;

        Task<int>[] appends = [.. Enumerable.Range(0, 16).Select(i => Task.Run(async () =>
        {
            start.Wait();
            return await frames.AppendAsync(room, [new(room, 2 * i), new(room, (2 * i) + 1)]);
        }))];
        start.Set();
        int[] firsts = await Task.WhenAll(appends);

        Assert.Equal(Enumerable.Range(0, 16).Select(i => 2 * i), firsts.Order());
        IReadOnlyList<TrajectoryEntry> entries = await Frames.GetRangeAsync(room);
        Assert.Equal(Enumerable.Range(1, 32).Select(i => (double)i), entries.Select(e => e.Score));
        for (int i = 0; i < 16; i++)
        {
            Assert.Equal(new FrameIndex(room, 2 * i), entries[firsts[i]].Frame);
            Assert.Equal(new FrameIndex(room, (2 * i) + 1), entries[firsts[i] + 1].Frame);
        }
    }

    [Fact]
    public async Task Concurrent_inserts_and_appends_keep_bookmarks_on_their_frames()
    {
        string room = NewId("r");
        IFrameRepository frames = Frames;
        await frames.AppendAsync(room, [.. Enumerable.Range(0, 20).Select(i => new FrameIndex(room, i))]);
        int[] marked = [0, 3, 7, 12, 19];
        foreach (int frame in marked)
        {
            await Bookmarks.SetAsync(room, frame, "frame " + frame);
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

        IReadOnlyList<TrajectoryEntry> entries = await frames.GetRangeAsync(room);
        Assert.Equal(68, entries.Count);
        Assert.Equal(entries.Count, entries.Select(e => e.Score).Distinct().Count());
        IReadOnlyList<Bookmark> after = await Bookmarks.GetAllAsync(room);
        Assert.Equal(marked.Length, after.Count);
        foreach (Bookmark bookmark in after)
        {
            Assert.Equal(new FrameIndex(room, Original(bookmark)), entries[bookmark.Frame].Frame);
        }
    }

    [Fact]
    public async Task Concurrent_deletes_and_inserts_keep_the_surviving_bookmarks_on_their_frames()
    {
        string room = NewId("r");
        IFrameRepository frames = Frames;
        await frames.AppendAsync(room, [.. Enumerable.Range(0, 40).Select(i => new FrameIndex(room, i))]);
        int[] marked = [1, 5, 9, 20, 33, 39];
        foreach (int frame in marked)
        {
            await Bookmarks.SetAsync(room, frame, "frame " + frame);
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

        FrameIndex[] members = [.. (await frames.GetRangeAsync(room)).Select(e => e.Frame)];
        Assert.Equal(40, members.Length);
        IReadOnlyList<Bookmark> after = await Bookmarks.GetAllAsync(room);
        Assert.NotEmpty(after);
        foreach (Bookmark bookmark in after)
        {
            Assert.Equal(new FrameIndex(room, Original(bookmark)), members[bookmark.Frame]);
        }

        // Bookmarks on frames that are gone were dropped; the others survived.
        Assert.Equal(
            marked.Where(f => members.Contains(new FrameIndex(room, f))).Select(f => "frame " + f).Order(StringComparer.Ordinal),
            after.Select(b => b.Label).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Invalid_room_ids_are_refused_before_anything_is_stored()
    {
        await Assert.ThrowsAnyAsync<ArgumentException>(async () => await Frames.CountAsync("a:b"));
        await Assert.ThrowsAnyAsync<ArgumentException>(async () => await Frames.GetRangeAsync(""));
        await Assert.ThrowsAnyAsync<ArgumentException>(async () => await Frames.InsertAsync("a b", 0, new("r", 0)));
        await Assert.ThrowsAnyAsync<ArgumentException>(async () => await Frames.SetFrameSelectionAsync("a:b", new FrameSelection("g", [1])));
    }

    [Fact]
    public async Task A_cancelled_token_sends_nothing()
    {
        string room = NewId("r");
        var cancelled = new CancellationToken(canceled: true);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await Frames.AppendAsync(room, [new(room, 0)], cancelled));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await Frames.SetFrameSelectionAsync(room, new FrameSelection("g", [1]), cancelled));

        Assert.Equal(0, await Frames.CountAsync(room));
        Assert.Null(await Frames.GetFrameSelectionAsync(room, "g"));
    }

    private static TrajectoryEntry Entry(string room, int index, double score) => new(new FrameIndex(room, index), score);

    private static int Original(Bookmark bookmark) => int.Parse(bookmark.Label["frame ".Length..], CultureInfo.InvariantCulture);
}
