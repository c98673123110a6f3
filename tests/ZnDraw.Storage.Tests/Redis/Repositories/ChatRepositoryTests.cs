using Microsoft.Extensions.Time.Testing;
using StackExchange.Redis;
using ZnDraw.Storage.Contracts;
using ZnDraw.Storage.Models;
using ZnDraw.Storage.Redis.Keys;
using ZnDraw.Storage.Redis.Repositories;
using ZnDraw.Storage.Testing;
using ZnDraw.Storage.Tests.Infrastructure;

namespace ZnDraw.Storage.Tests.Redis.Repositories;

[Collection(RedisCollection.Name)]
public sealed class ChatRepositoryTests(RedisFixture redis)
{
    private static readonly DateTimeOffset T0 = DateTimeOffset.FromUnixTimeMilliseconds(1_730_376_000_000);

    private readonly IDatabase _db = redis.Database;

    private (ChatRepository Repo, FakeTimeProvider Clock) Repo(KeySpace space)
    {
        var clock = new FakeTimeProvider(T0);
        return (new ChatRepository(RoomTestSupport.Context(redis, space, clock)), clock);
    }

    [Fact]
    public async Task Post_writes_zndraws_json_byte_for_byte_in_one_round_trip()
    {
        var (repo, clock) = Repo(KeySpace.Default);
        string room = RedisFixture.NewId("room");
        clock.Advance(TimeSpan.FromTicks(1234)); // sub-millisecond part is dropped
        await repo.PostAsync(RedisFixture.NewId("warm"), "alice", "warm");

        var (message, m) = await RoundTrips.MeasureAsync(redis.Connection, async () => await repo.PostAsync(room, "alice", "Hi é \"quoted\" 😀"));

        Assert.Equal(1, m.RoundTrips);
        Assert.Equal(new ChatMessage($"msg_{room}_1", room, "alice", "Hi é \"quoted\" 😀", T0, T0), message);
        string expected = "{\"id\": \"msg_" + room + "_1\", \"roomId\": \"" + room + "\", \"author\": {\"id\": \"alice\"}, "
            + "\"content\": \"Hi \\u00e9 \\\"quoted\\\" \\ud83d\\ude00\", \"createdAt\": 1730376000000, \"updatedAt\": 1730376000000, \"isEdited\": false}";
        Assert.Equal(expected, (string?)await _db.HashGetAsync($"room:{room}:chat:data", $"msg_{room}_1"));
        Assert.Equal(1730376000000, await _db.SortedSetScoreAsync($"room:{room}:chat:index", $"msg_{room}_1"));
        Assert.Equal("1", (string?)await _db.StringGetAsync($"room:{room}:chat:counter"));

        ChatMessage second = await repo.PostAsync(room, "bob", "two");
        Assert.Equal($"msg_{room}_2", second.Id);
        Assert.Equal(2, await repo.CountAsync(room));
    }

    [Fact]
    public async Task Post_continues_zndraws_counter_and_reads_zndraws_messages()
    {
        var (repo, _) = Repo(KeySpace.Default);
        string room = RedisFixture.NewId("room");
        string zndrawJson = "{\"id\": \"msg_" + room + "_41\", \"roomId\": \"" + room + "\", \"author\": {\"id\": \"user-1a2b3c4d\"}, "
            + "\"content\": \"caf\\u00e9\", \"createdAt\": 1730000000000, \"updatedAt\": 1730000000500, \"isEdited\": true}";
        await _db.StringSetAsync($"room:{room}:chat:counter", "41");
        await _db.HashSetAsync($"room:{room}:chat:data", $"msg_{room}_41", zndrawJson);
        await _db.SortedSetAddAsync($"room:{room}:chat:index", $"msg_{room}_41", 1730000000000);

        var (read, m) = await RoundTrips.MeasureAsync(redis.Connection, async () => await repo.GetAsync(room, $"msg_{room}_41"));
        Assert.Equal(1, m.RoundTrips);
        Assert.Equal(
            new ChatMessage($"msg_{room}_41", room, "user-1a2b3c4d", "café", DateTimeOffset.FromUnixTimeMilliseconds(1730000000000), DateTimeOffset.FromUnixTimeMilliseconds(1730000000500), true),
            read);
        Assert.Null(await repo.GetAsync(room, $"msg_{room}_1"));
        Assert.Equal($"msg_{room}_42", (await repo.PostAsync(room, "alice", "next")).Id);
    }

    [Fact]
    public async Task Edit_by_the_author_keeps_created_at_and_marks_the_message_edited()
    {
        var (repo, clock) = Repo(KeySpace.Default);
        string room = RedisFixture.NewId("room");
        ChatMessage posted = await repo.PostAsync(room, "alice", "first");
        clock.Advance(TimeSpan.FromSeconds(5));
        await repo.EditAsync(room, "msg_missing", "alice", "warm");

        var (result, m) = await RoundTrips.MeasureAsync(redis.Connection, async () => await repo.EditAsync(room, posted.Id, "alice", "fixed ü"));

        Assert.Equal(1, m.RoundTrips);
        DateTimeOffset edited = T0.AddSeconds(5);
        var expected = new ChatMessage(posted.Id, room, "alice", "fixed ü", T0, edited, IsEdited: true);
        Assert.Equal(new ChatEditResult(ChatEditStatus.Edited, expected), result);
        Assert.Equal(
            "{\"id\": \"" + posted.Id + "\", \"roomId\": \"" + room + "\", \"author\": {\"id\": \"alice\"}, \"content\": \"fixed \\u00fc\", "
            + "\"createdAt\": 1730376000000, \"updatedAt\": 1730376005000, \"isEdited\": true}",
            (string?)await _db.HashGetAsync($"room:{room}:chat:data", posted.Id));
        Assert.Equal(expected, await repo.GetAsync(room, posted.Id));
        Assert.Equal(1730376000000, await _db.SortedSetScoreAsync($"room:{room}:chat:index", posted.Id));
    }

    [Fact]
    public async Task Edit_by_someone_else_or_of_a_missing_message_writes_nothing()
    {
        var (repo, _) = Repo(KeySpace.Default);
        string room = RedisFixture.NewId("room");
        ChatMessage posted = await repo.PostAsync(room, "alice", "mine");
        RedisValue before = await _db.HashGetAsync($"room:{room}:chat:data", posted.Id);

        Assert.Equal(new ChatEditResult(ChatEditStatus.NotAuthor, null), await repo.EditAsync(room, posted.Id, "mallory", "hacked"));
        Assert.Equal(new ChatEditResult(ChatEditStatus.NotFound, null), await repo.EditAsync(room, $"msg_{room}_99", "alice", "x"));
        Assert.Equal(before, await _db.HashGetAsync($"room:{room}:chat:data", posted.Id));
    }

    [Fact]
    public async Task Edit_of_a_message_written_by_zndraw_with_non_ascii_author()
    {
        var (repo, _) = Repo(KeySpace.Default);
        string room = RedisFixture.NewId("room");
        string id = $"msg_{room}_3";
        await _db.HashSetAsync($"room:{room}:chat:data", id,
            "{\"id\": \"" + id + "\", \"roomId\": \"" + room + "\", \"author\": {\"id\": \"J\\u00fcrgen\"}, \"content\": \"a\", \"createdAt\": 1700000000123, \"updatedAt\": 1700000000123, \"isEdited\": false}");

        ChatEditResult result = await repo.EditAsync(room, id, "Jürgen", "b");
        Assert.Equal(ChatEditStatus.Edited, result.Status);
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(1700000000123), result.Message!.CreatedAt);
        Assert.Equal(result.Message, await repo.GetAsync(room, id));
    }

    [Fact]
    public async Task Concurrent_edits_of_one_message_all_land_whole()
    {
        var (repo, _) = Repo(KeySpace.Default);
        string room = RedisFixture.NewId("room");
        ChatMessage posted = await repo.PostAsync(room, "alice", "0");
        ChatEditResult[] results = await Task.WhenAll(Enumerable.Range(1, 16).Select(i => repo.EditAsync(room, posted.Id, "alice", $"v{i}").AsTask()));
        Assert.All(results, r => Assert.Equal(ChatEditStatus.Edited, r.Status));
        ChatMessage final = (await repo.GetAsync(room, posted.Id))!;
        Assert.Contains(final.Content, results.Select(r => r.Message!.Content));
        Assert.True(final.IsEdited);
    }

    [Fact]
    public async Task Pages_are_newest_first_with_exclusive_bounds_in_one_round_trip()
    {
        var (repo, clock) = Repo(KeySpace.Default);
        string room = RedisFixture.NewId("room");
        var posted = new List<ChatMessage>();
        for (int i = 0; i < 5; i++)
        {
            posted.Add(await repo.PostAsync(room, "alice", $"m{i}"));
            clock.Advance(TimeSpan.FromMilliseconds(10));
        }

        await repo.GetPageAsync(RedisFixture.NewId("warm"), 1);
        var (newest, m) = await RoundTrips.MeasureAsync(redis.Connection, async () => await repo.GetPageAsync(room, 2));
        Assert.Equal(1, m.RoundTrips);
        Assert.Equal(["m4", "m3"], newest.Messages.Select(x => x.Content));
        Assert.True(newest.HasMore);

        ChatPage older = await repo.GetPageAsync(room, 2, before: newest.Messages[^1].CreatedAt);
        Assert.Equal(["m2", "m1"], older.Messages.Select(x => x.Content));
        Assert.True(older.HasMore);
        ChatPage oldest = await repo.GetPageAsync(room, 2, before: older.Messages[^1].CreatedAt);
        Assert.Equal(["m0"], oldest.Messages.Select(x => x.Content));
        Assert.False(oldest.HasMore);

        ChatPage after = await repo.GetPageAsync(room, 2, after: posted[1].CreatedAt);
        Assert.Equal(["m3", "m2"], after.Messages.Select(x => x.Content));
        Assert.True(after.HasMore);
        ChatPage window = await repo.GetPageAsync(room, 10, before: posted[4].CreatedAt, after: posted[0].CreatedAt);
        Assert.Equal(["m3", "m2", "m1"], window.Messages.Select(x => x.Content));
        Assert.False(window.HasMore);
        ChatPage all = await repo.GetPageAsync(room, 5);
        Assert.Equal(posted.AsEnumerable().Reverse(), all.Messages);
        Assert.False(all.HasMore);

        Assert.Empty((await repo.GetPageAsync(RedisFixture.NewId("empty"), 3)).Messages);
    }

    [Fact]
    public async Task Page_skips_index_entries_without_data_as_zndraw_does()
    {
        var (repo, _) = Repo(KeySpace.Default);
        string room = RedisFixture.NewId("room");
        ChatMessage kept = await repo.PostAsync(room, "alice", "kept");
        await _db.SortedSetAddAsync($"room:{room}:chat:index", $"msg_{room}_77", kept.CreatedAt.ToUnixTimeMilliseconds() + 1);
        ChatPage page = await repo.GetPageAsync(room, 10);
        Assert.Equal([kept], page.Messages);
    }

    [Theory]
    [MemberData(nameof(Layouts.All), MemberType = typeof(Layouts))]
    public async Task Post_edit_page_and_count_in_every_layout(string layout)
    {
        KeySpace space = Layouts.Space(layout);
        var (repo, clock) = Repo(space);
        string room = RedisFixture.NewId("room");

        ChatMessage a = await repo.PostAsync(room, "alice", "a");
        clock.Advance(TimeSpan.FromMilliseconds(1));
        ChatMessage b = await repo.PostAsync(room, "bob", "b");
        Assert.Equal(ChatEditStatus.Edited, (await repo.EditAsync(room, a.Id, "alice", "a2")).Status);
        ChatPage page = await repo.GetPageAsync(room, 10);
        Assert.Equal(["b", "a2"], page.Messages.Select(x => x.Content));
        Assert.Equal(2, await repo.CountAsync(room));
        Assert.Equal(b, await repo.GetAsync(room, b.Id));
        Assert.True(await _db.KeyExistsAsync(space.Room(room).ChatData()));
        if (layout == Layouts.Cluster)
        {
            Assert.True(await _db.KeyExistsAsync($"{space.Prefix}room:{{{room}}}:chat:index"));
        }
    }

    [Fact]
    public async Task Concurrent_posts_get_distinct_consecutive_numbers()
    {
        var (repo, _) = Repo(KeySpace.Default);
        string room = RedisFixture.NewId("room");
        ChatMessage[] posted = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => repo.PostAsync(room, "alice", $"m{i}").AsTask()));
        Assert.Equal(
            Enumerable.Range(1, 20).Select(n => $"msg_{room}_{n}").Order(StringComparer.Ordinal),
            posted.Select(p => p.Id).Order(StringComparer.Ordinal));
        Assert.Equal(20, await repo.CountAsync(room));
    }

    [Fact]
    public async Task Bad_stored_data_raises_storage_data_exceptions()
    {
        var (repo, _) = Repo(KeySpace.Default);
        string room = RedisFixture.NewId("room");
        string data = $"room:{room}:chat:data";
        await _db.HashSetAsync(data, [new("broken", "{not json"), new("noauthor", "{\"createdAt\": 1}"), new("nocreated", "{\"author\": {\"id\": \"alice\"}}")]);

        StorageDataException get = await Assert.ThrowsAsync<StorageDataException>(async () => await repo.GetAsync(room, "broken"));
        Assert.Equal((data, "broken"), (get.Key, get.Field));
        Assert.Equal((data, "broken"), Fields(await Assert.ThrowsAsync<StorageDataException>(async () => await repo.EditAsync(room, "broken", "alice", "x"))));
        Assert.Equal((data, "noauthor"), Fields(await Assert.ThrowsAsync<StorageDataException>(async () => await repo.EditAsync(room, "noauthor", "alice", "x"))));
        Assert.Equal((data, "nocreated"), Fields(await Assert.ThrowsAsync<StorageDataException>(async () => await repo.EditAsync(room, "nocreated", "alice", "x"))));

        await _db.StringSetAsync($"room:{room}:chat:counter", "abc");
        Assert.Equal($"room:{room}:chat:counter", (await Assert.ThrowsAsync<StorageDataException>(async () => await repo.PostAsync(room, "alice", "x"))).Key);

        string other = RedisFixture.NewId("room");
        await _db.StringSetAsync($"room:{other}:chat:index", "not a zset");
        StorageDataException post = await Assert.ThrowsAsync<StorageDataException>(async () => await repo.PostAsync(other, "alice", "x"));
        Assert.Contains($"room:{other}:chat:index", post.Key, StringComparison.Ordinal);
        Assert.False(await _db.KeyExistsAsync($"room:{other}:chat:counter")); // checked before the INCR
        Assert.Equal($"room:{other}:chat:index", (await Assert.ThrowsAsync<StorageDataException>(async () => await repo.CountAsync(other))).Key);
        await Assert.ThrowsAsync<StorageDataException>(async () => await repo.GetPageAsync(other, 5));
    }

    [Fact]
    public async Task Arguments_are_checked_before_sending()
    {
        var (repo, _) = Repo(KeySpace.Default);
        var m = await RoundTrips.MeasureAsync(redis.Connection, async () =>
        {
            await Assert.ThrowsAnyAsync<ArgumentException>(async () => await repo.PostAsync("r1", "alice", ""));
            await Assert.ThrowsAnyAsync<ArgumentException>(async () => await repo.PostAsync("r:1", "alice", "x"));
            await Assert.ThrowsAnyAsync<ArgumentException>(async () => await repo.PostAsync("r1", "", "x"));
            await Assert.ThrowsAnyAsync<ArgumentException>(async () => await repo.EditAsync("r1", "msg_r1_1", "alice", ""));
            await Assert.ThrowsAnyAsync<ArgumentException>(async () => await repo.EditAsync("r1", "", "alice", "x"));
            await Assert.ThrowsAnyAsync<ArgumentException>(async () => await repo.GetAsync("r1", ""));
            await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await repo.GetPageAsync("r1", 0));
            await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await repo.GetPageAsync("r1", ChatPage.MaxLimit + 1));
        });
        Assert.Equal(0, m.RoundTrips);
    }

    private static (string Key, string? Field) Fields(StorageDataException ex) => (ex.Key, ex.Field);
}
