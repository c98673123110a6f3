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
    public async Task A_page_is_one_round_trip()
    {
        var (repo, clock) = Repo(KeySpace.Default);
        string room = RedisFixture.NewId("room");
        for (int i = 0; i < 5; i++)
        {
            await repo.PostAsync(room, "alice", $"m{i}");
            clock.Advance(TimeSpan.FromMilliseconds(10));
        }

        await repo.GetPageAsync(RedisFixture.NewId("warm"), 1);
        var (newest, m) = await RoundTrips.MeasureAsync(redis.Connection, async () => await repo.GetPageAsync(room, 2));
        Assert.Equal(1, m.RoundTrips);
        Assert.Equal(["m4", "m3"], newest.Messages.Select(x => x.Content));
        var (window, mw) = await RoundTrips.MeasureAsync(redis.Connection, async () => await repo.GetPageAsync(room, 2, before: newest.Messages[^1].CreatedAt, after: T0));
        Assert.Equal(1, mw.RoundTrips);
        Assert.Equal(["m2", "m1"], window.Messages.Select(x => x.Content));
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
    public async Task Post_and_edit_write_the_layouts_own_keys(string layout)
    {
        KeySpace space = Layouts.Space(layout);
        var (repo, _) = Repo(space);
        string room = RedisFixture.NewId("room");

        ChatMessage a = await repo.PostAsync(room, "alice", "a");
        Assert.Equal(ChatEditStatus.Edited, (await repo.EditAsync(room, a.Id, "alice", "a2")).Status);

        RoomKeys keys = space.Room(room);
        Assert.Equal(1, (long)await _db.StringGetAsync(keys.ChatCounter()));
        Assert.True(await _db.HashExistsAsync(keys.ChatData(), a.Id));
        Assert.Equal(a.CreatedAt.ToUnixTimeMilliseconds(), await _db.SortedSetScoreAsync(keys.ChatIndex(), a.Id));
        if (layout == Layouts.Cluster)
        {
            Assert.True(await _db.KeyExistsAsync($"{space.Prefix}room:{{{room}}}:chat:index"));
        }
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
