using ZnDraw.Storage.Contracts;
using ZnDraw.Storage.Models;

namespace ZnDraw.Storage.Testing.Contracts;

/// <summary>Every behaviour of <see cref="IChatRepository"/> that any backend must show.</summary>
public abstract class ChatRepositoryContract(IStoreFactory backend) : StoreContract(backend)
{
    private IChatRepository Chat => Store.Get<IChatRepository>();

    private DateTimeOffset Now => DateTimeOffset.FromUnixTimeMilliseconds(Store.Time.GetUtcNow().ToUnixTimeMilliseconds());

    [Fact]
    public async Task A_posted_message_gets_the_next_number_and_the_clocks_time_to_the_millisecond()
    {
        string room = NewId("room");
        Store.Time.Advance(TimeSpan.FromTicks(1234)); // the sub-millisecond part is dropped
        DateTimeOffset now = Now;

        ChatMessage first = await Chat.PostAsync(room, "alice", "hello ü");
        ChatMessage second = await Chat.PostAsync(room, "bob", "hi");

        Assert.Equal(new ChatMessage(ChatMessage.MessageId(room, 1), room, "alice", "hello ü", now, now), first);
        Assert.Equal(ChatMessage.MessageId(room, 2), second.Id);
        Assert.Equal(first, await Chat.GetAsync(room, first.Id));
        Assert.Equal(2, await Chat.CountAsync(room));
    }

    [Fact]
    public async Task A_room_without_chat_reads_as_empty()
    {
        string room = NewId("room");

        Assert.Null(await Chat.GetAsync(room, ChatMessage.MessageId(room, 1)));
        Assert.Equal(0, await Chat.CountAsync(room));
        ChatPage page = await Chat.GetPageAsync(room, 3);
        Assert.Empty(page.Messages);
        Assert.False(page.HasMore);
    }

    [Fact]
    public async Task An_edit_by_the_author_keeps_the_creation_time_and_marks_the_message_edited()
    {
        string room = NewId("room");
        ChatMessage posted = await Chat.PostAsync(room, "alice", "first");
        Store.Time.Advance(TimeSpan.FromSeconds(5));

        ChatEditResult result = await Chat.EditAsync(room, posted.Id, "alice", "fixed ü");

        var expected = posted with { Content = "fixed ü", UpdatedAt = posted.CreatedAt.AddSeconds(5), IsEdited = true };
        Assert.Equal(new ChatEditResult(ChatEditStatus.Edited, expected), result);
        Assert.Equal(expected, await Chat.GetAsync(room, posted.Id));
        Assert.Equal([expected], (await Chat.GetPageAsync(room, 10)).Messages);
    }

    [Fact]
    public async Task An_edit_by_someone_else_or_of_a_missing_message_writes_nothing()
    {
        string room = NewId("room");
        ChatMessage posted = await Chat.PostAsync(room, "alice", "mine");

        Assert.Equal(new ChatEditResult(ChatEditStatus.NotAuthor, null), await Chat.EditAsync(room, posted.Id, "mallory", "hacked"));
        Assert.Equal(new ChatEditResult(ChatEditStatus.NotFound, null), await Chat.EditAsync(room, ChatMessage.MessageId(room, 99), "alice", "x"));

        Assert.Equal(posted, await Chat.GetAsync(room, posted.Id));
        Assert.Equal(1, await Chat.CountAsync(room));
    }

    [Fact]
    public async Task Concurrent_edits_of_one_message_all_land_whole()
    {
        string room = NewId("room");
        ChatMessage posted = await Chat.PostAsync(room, "alice", "0");

        ChatEditResult[] results = await Task.WhenAll(Enumerable.Range(1, 16).Select(i => Chat.EditAsync(room, posted.Id, "alice", $"v{i}").AsTask()));

        Assert.All(results, r => Assert.Equal(ChatEditStatus.Edited, r.Status));
        ChatMessage final = (await Chat.GetAsync(room, posted.Id))!;
        Assert.Contains(final.Content, results.Select(r => r.Message!.Content));
        Assert.True(final.IsEdited);
    }

    [Fact]
    public async Task Concurrent_posts_lose_no_message_and_get_distinct_consecutive_numbers()
    {
        string room = NewId("room");

        ChatMessage[] posted = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => Chat.PostAsync(room, "alice", $"m{i}").AsTask()));

        Assert.Equal(
            Enumerable.Range(1, 20).Select(n => ChatMessage.MessageId(room, n)).Order(StringComparer.Ordinal),
            posted.Select(p => p.Id).Order(StringComparer.Ordinal));
        Assert.Equal(20, await Chat.CountAsync(room));
        Assert.Equal(
            Enumerable.Range(0, 20).Select(i => $"m{i}").Order(StringComparer.Ordinal),
            (await Chat.GetPageAsync(room, 100)).Messages.Select(m => m.Content).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Pages_are_newest_first_with_exclusive_bounds()
    {
        string room = NewId("room");
        var posted = new List<ChatMessage>();
        for (int i = 0; i < 5; i++)
        {
            posted.Add(await Chat.PostAsync(room, "alice", $"m{i}"));
            Store.Time.Advance(TimeSpan.FromMilliseconds(10));
        }

        ChatPage newest = await Chat.GetPageAsync(room, 2);
        Assert.Equal(["m4", "m3"], newest.Messages.Select(x => x.Content));
        Assert.True(newest.HasMore);
        ChatPage older = await Chat.GetPageAsync(room, 2, before: newest.Messages[^1].CreatedAt);
        Assert.Equal(["m2", "m1"], older.Messages.Select(x => x.Content));
        Assert.True(older.HasMore);
        ChatPage oldest = await Chat.GetPageAsync(room, 2, before: older.Messages[^1].CreatedAt);
        Assert.Equal(["m0"], oldest.Messages.Select(x => x.Content));
        Assert.False(oldest.HasMore);

        ChatPage after = await Chat.GetPageAsync(room, 2, after: posted[1].CreatedAt);
        Assert.Equal(["m3", "m2"], after.Messages.Select(x => x.Content));
        Assert.True(after.HasMore);
        ChatPage window = await Chat.GetPageAsync(room, 10, before: posted[4].CreatedAt, after: posted[0].CreatedAt);
        Assert.Equal(["m3", "m2", "m1"], window.Messages.Select(x => x.Content));
        Assert.False(window.HasMore);
        ChatPage all = await Chat.GetPageAsync(room, 5);
        Assert.Equal(posted.AsEnumerable().Reverse(), all.Messages);
        Assert.False(all.HasMore);
    }

    [Fact]
    public async Task Rooms_keep_their_chats_apart()
    {
        string a = NewId("room"), b = NewId("room");

        ChatMessage inA = await Chat.PostAsync(a, "alice", "a");
        ChatMessage inB = await Chat.PostAsync(b, "bob", "b");

        Assert.Equal([inA], (await Chat.GetPageAsync(a, 10)).Messages);
        Assert.Equal([inB], (await Chat.GetPageAsync(b, 10)).Messages);
        Assert.Null(await Chat.GetAsync(a, inB.Id));
        Assert.Equal(ChatEditStatus.NotFound, (await Chat.EditAsync(a, inB.Id, "bob", "x")).Status);
    }

    [Fact]
    public async Task Arguments_are_checked_before_anything_is_written()
    {
        string room = NewId("room");

        await Assert.ThrowsAnyAsync<ArgumentException>(async () => await Chat.PostAsync(room, "alice", ""));
        await Assert.ThrowsAnyAsync<ArgumentException>(async () => await Chat.PostAsync("r:1", "alice", "x"));
        await Assert.ThrowsAnyAsync<ArgumentException>(async () => await Chat.PostAsync(room, "", "x"));
        await Assert.ThrowsAnyAsync<ArgumentException>(async () => await Chat.EditAsync(room, ChatMessage.MessageId(room, 1), "alice", ""));
        await Assert.ThrowsAnyAsync<ArgumentException>(async () => await Chat.EditAsync(room, "", "alice", "x"));
        await Assert.ThrowsAnyAsync<ArgumentException>(async () => await Chat.GetAsync(room, ""));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await Chat.GetPageAsync(room, 0));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await Chat.GetPageAsync(room, ChatPage.MaxLimit + 1));

        Assert.Equal(0, await Chat.CountAsync(room));
    }

    [Fact]
    public async Task Messages_at_the_size_limit_are_posted_and_edited_and_one_byte_more_is_refused()
    {
        await using TestStore store = await Backend.CreateAsync(configure: o => o.Limits.MaxChatMessageBytes = SizeLimit.Bytes);
        var chat = store.Get<IChatRepository>();
        string room = NewId("room");

        ChatMessage message = await chat.PostAsync(room, "alice", SizeLimit.AtLimit);
        Assert.Equal("content", (await Assert.ThrowsAnyAsync<ArgumentException>(async () => await chat.PostAsync(room, "alice", SizeLimit.OverLimit))).ParamName);
        Assert.Equal("newContent", (await Assert.ThrowsAnyAsync<ArgumentException>(async () => await chat.EditAsync(room, message.Id, "alice", SizeLimit.OverLimit))).ParamName);
        Assert.Equal(ChatEditStatus.Edited, (await chat.EditAsync(room, message.Id, "alice", SizeLimit.AtLimit)).Status);

        Assert.Equal(1, await chat.CountAsync(room));
        Assert.Equal(SizeLimit.AtLimit, (await chat.GetAsync(room, message.Id))!.Content);
        Assert.Equal(ChatMessage.MessageId(room, 2), (await chat.PostAsync(room, "alice", "next")).Id); // the refused post took no number
    }

    [Fact]
    public async Task A_cancelled_token_posts_nothing()
    {
        string room = NewId("room");

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await Chat.PostAsync(room, "alice", "x", new CancellationToken(canceled: true)));

        Assert.Equal(0, await Chat.CountAsync(room));
        Assert.Equal(ChatMessage.MessageId(room, 1), (await Chat.PostAsync(room, "alice", "x")).Id);
    }
}
