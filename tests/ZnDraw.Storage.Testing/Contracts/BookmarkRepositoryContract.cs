using ZnDraw.Storage.Contracts;
using ZnDraw.Storage.Models;

namespace ZnDraw.Storage.Testing.Contracts;

/// <summary>Every behaviour of <see cref="IBookmarkRepository"/> that any backend must show.</summary>
public abstract class BookmarkRepositoryContract(IStoreFactory backend) : StoreContract(backend)
{
    private IBookmarkRepository Bookmarks => Store.Get<IBookmarkRepository>();

    private IFrameRepository Frames => Store.Get<IFrameRepository>();

    [Fact]
    public async Task Bookmarks_read_back_sorted_by_frame_and_a_second_set_replaces_the_label()
    {
        string room = await RoomWithFramesAsync(11);

        await Bookmarks.SetAsync(room, 10, "caf\u00e9");
        await Bookmarks.SetAsync(room, 2, "Product \"P\"");
        await Bookmarks.SetAsync(room, 0, "first");
        await Bookmarks.SetAsync(room, 0, "Start");

        Assert.Equal([new Bookmark(0, "Start"), new Bookmark(2, "Product \"P\""), new Bookmark(10, "caf\u00e9")], await Bookmarks.GetAllAsync(room));
        Assert.Equal(new Bookmark(2, "Product \"P\""), await Bookmarks.GetAsync(room, 2));
        Assert.Null(await Bookmarks.GetAsync(room, 3));
    }

    [Fact]
    public async Task A_room_without_bookmarks_reads_as_empty()
    {
        string room = NewId("r");

        Assert.Empty(await Bookmarks.GetAllAsync(room));
        Assert.Null(await Bookmarks.GetAsync(room, 0));
        Assert.False(await Bookmarks.DeleteAsync(room, 0));
        Assert.False(await Bookmarks.ClearAsync(room));
    }

    [Fact]
    public async Task Set_refuses_a_frame_past_the_trajectory_a_negative_frame_and_an_empty_label()
    {
        string room = await RoomWithFramesAsync(3);
        await Bookmarks.SetAsync(room, 1, "kept");

        var ex = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await Bookmarks.SetAsync(room, 3, "past the end"));
        Assert.Equal("frame", ex.ParamName);
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await Bookmarks.SetAsync(room, -1, "x"));
        await Assert.ThrowsAsync<ArgumentException>(async () => await Bookmarks.SetAsync(room, 1, ""));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await Bookmarks.SetAsync(NewId("r"), 0, "no frames"));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await Bookmarks.GetAsync(room, -1));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await Bookmarks.DeleteAsync(room, -1));

        Assert.Equal([new Bookmark(1, "kept")], await Bookmarks.GetAllAsync(room));
    }

    [Fact]
    public async Task Delete_removes_one_bookmark_once_and_clear_removes_all()
    {
        string room = await RoomWithFramesAsync(3);
        await Bookmarks.SetAsync(room, 0, "a");
        await Bookmarks.SetAsync(room, 1, "b");
        await Bookmarks.SetAsync(room, 2, "c");

        Assert.True(await Bookmarks.DeleteAsync(room, 1));
        Assert.False(await Bookmarks.DeleteAsync(room, 1));
        Assert.Equal([new Bookmark(0, "a"), new Bookmark(2, "c")], await Bookmarks.GetAllAsync(room));

        Assert.True(await Bookmarks.ClearAsync(room));
        Assert.False(await Bookmarks.ClearAsync(room));
        Assert.Empty(await Bookmarks.GetAllAsync(room));
    }

    [Fact]
    public async Task Concurrent_sets_on_distinct_frames_are_all_kept()
    {
        string room = await RoomWithFramesAsync(32);

        await Task.WhenAll(Enumerable.Range(0, 32).Select(i => Bookmarks.SetAsync(room, i, "b" + i).AsTask()));

        Assert.Equal(Enumerable.Range(0, 32).Select(i => new Bookmark(i, "b" + i)), await Bookmarks.GetAllAsync(room));
    }

    [Fact]
    public async Task Labels_at_the_size_limit_are_stored_and_one_byte_more_is_refused_before_anything_is_written()
    {
        await using TestStore store = await Backend.CreateAsync(configure: o => o.Limits.MaxBookmarkLabelBytes = SizeLimit.Bytes);
        var bookmarks = store.Get<IBookmarkRepository>();
        string room = NewId("r");
        await store.Get<IFrameRepository>().AppendAsync(room, [new(room, 0)]);

        await bookmarks.SetAsync(room, 0, SizeLimit.AtLimit);
        var ex = await Assert.ThrowsAnyAsync<ArgumentException>(async () => await bookmarks.SetAsync(room, 0, SizeLimit.OverLimit));

        Assert.Equal("label", ex.ParamName);
        Assert.Equal(new Bookmark(0, SizeLimit.AtLimit), await bookmarks.GetAsync(room, 0));
    }

    [Fact]
    public async Task Invalid_room_ids_are_refused()
    {
        await Assert.ThrowsAnyAsync<ArgumentException>(async () => await Bookmarks.GetAllAsync("a:b"));
        await Assert.ThrowsAnyAsync<ArgumentException>(async () => await Bookmarks.SetAsync("", 0, "x"));
        await Assert.ThrowsAnyAsync<ArgumentException>(async () => await Bookmarks.ClearAsync("a b"));
    }

    [Fact]
    public async Task A_cancelled_token_writes_nothing()
    {
        string room = await RoomWithFramesAsync(1);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await Bookmarks.SetAsync(room, 0, "x", new CancellationToken(canceled: true)));

        Assert.Empty(await Bookmarks.GetAllAsync(room));
    }

    private async Task<string> RoomWithFramesAsync(int count)
    {
        string room = NewId("r");
        await Frames.AppendAsync(room, [.. Enumerable.Range(0, count).Select(i => new FrameIndex(room, i))]);
        return room;
    }
}
