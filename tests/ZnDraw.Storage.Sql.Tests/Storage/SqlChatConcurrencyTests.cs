using System.Data.Common;
using System.Globalization;
using ZnDraw.Storage.Contracts;
using ZnDraw.Storage.Models;
using ZnDraw.Storage.Sql.Repositories;
using ZnDraw.Storage.Sql.Tests.Infrastructure;

namespace ZnDraw.Storage.Sql.Tests.Storage;

/// <summary>
/// Many concurrent posters to one room on SQL: the per-room counter (<c>room_chat_counters</c>) hands out every number
/// once, and no message is lost.
/// </summary>
public abstract class SqlChatConcurrencyTests(IStoreFactory backend) : IAsyncLifetime
{
    private const int Posters = 32;
    private const int PerPoster = 25;

    private TestStore? _store;

    private TestStore Store => _store!;

    public async Task InitializeAsync() => _store = await backend.CreateAsync();

    public async Task DisposeAsync()
    {
        if (_store is not null)
        {
            await _store.DisposeAsync();
        }
    }

    [Fact]
    public async Task Thirty_two_concurrent_posters_lose_no_message_and_take_every_number_once()
    {
        var chat = Store.Get<IChatRepository>();
        string room = RedisFixture.NewId("room");
        using var start = new SemaphoreSlim(0, Posters);

        Task<ChatMessage[]>[] posters = [.. Enumerable.Range(0, Posters).Select(p => Task.Run(async () =>
        {
            await start.WaitAsync();
            var mine = new ChatMessage[PerPoster];
            for (int i = 0; i < PerPoster; i++)
            {
                mine[i] = await chat.PostAsync(room, $"user{p}", $"p{p}-m{i}");
            }

            return mine;
        }))];
        start.Release(Posters);
        ChatMessage[] posted = [.. (await Task.WhenAll(posters)).SelectMany(m => m)];

        const int Total = Posters * PerPoster;
        Assert.Equal(
            Enumerable.Range(1, Total).Select(n => ChatMessage.MessageId(room, n)).Order(StringComparer.Ordinal),
            posted.Select(m => m.Id).Order(StringComparer.Ordinal));
        Assert.Equal(Total, await chat.CountAsync(room));

        // Every message is stored as it was posted, under the id its post returned.
        ChatPage page = await chat.GetPageAsync(room, ChatPage.MaxLimit);
        Assert.False(page.HasMore);
        Assert.Equal(posted.OrderBy(m => m.Id, StringComparer.Ordinal), page.Messages.OrderBy(m => m.Id, StringComparer.Ordinal));

        // Each poster's messages got increasing numbers (its posts were sequential).
        foreach (var group in posted.GroupBy(m => m.Author))
        {
            long[] numbers = [.. group.Select(m => Number(room, m.Id))];
            Assert.Equal(numbers.Order(), numbers);
        }

        // The counter row holds the last number handed out; the number column matches the id.
        await using DbConnection connection = await Store.Get<SqlStoreContext>().OpenAsync("test", null, default);
        Assert.Equal(Total, await ScalarAsync(connection, "SELECT last_number FROM room_chat_counters WHERE room_id = @room", room));
        Assert.Equal(0, await ScalarAsync(connection, "SELECT COUNT(*) FROM room_chat_messages WHERE room_id = @room AND id <> 'msg_' || room_id || '_' || number", room));
        Assert.Equal(Total, await ScalarAsync(connection, "SELECT COUNT(DISTINCT number) FROM room_chat_messages WHERE room_id = @room", room));
    }

    [Fact]
    public async Task Concurrent_posters_in_different_rooms_count_each_room_from_one()
    {
        var chat = Store.Get<IChatRepository>();
        string[] rooms = [.. Enumerable.Range(0, 4).Select(_ => RedisFixture.NewId("room"))];

        ChatMessage[] posted = await Task.WhenAll(
            Enumerable.Range(0, Posters).Select(i => chat.PostAsync(rooms[i % rooms.Length], "alice", $"m{i}").AsTask()));

        foreach (string room in rooms)
        {
            Assert.Equal(
                Enumerable.Range(1, Posters / rooms.Length).Select(n => ChatMessage.MessageId(room, n)).Order(StringComparer.Ordinal),
                posted.Where(m => m.RoomId == room).Select(m => m.Id).Order(StringComparer.Ordinal));
            Assert.Equal(Posters / rooms.Length, await chat.CountAsync(room));
        }
    }

    private static long Number(string room, string id) =>
        long.Parse(id.AsSpan(ChatMessage.MessageId(room, 0).Length - 1), NumberStyles.None, CultureInfo.InvariantCulture);

    private static async Task<long> ScalarAsync(DbConnection connection, string sql, string room)
    {
        await using DbCommand command = connection.CreateCommand();
        command.CommandText = sql;
        SqlCall.Add(command, "@room", room);
        return Convert.ToInt64(await command.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
    }
}

/// <summary>Concurrent chat posts on SQLite.</summary>
[Collection(SqliteCollection.Name)]
public sealed class SqlChatConcurrencyOnSqlite(RedisFixture redis) : SqlChatConcurrencyTests(SqlStores.Sqlite(redis));

/// <summary>Concurrent chat posts on PostgreSQL.</summary>
[Collection(PostgresCollection.Name)]
public sealed class SqlChatConcurrencyOnPostgres(RedisFixture redis) : SqlChatConcurrencyTests(SqlStores.Postgres(redis));
