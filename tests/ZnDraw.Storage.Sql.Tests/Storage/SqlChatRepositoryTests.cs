using System.Data.Common;
using ZnDraw.Storage.Contracts;
using ZnDraw.Storage.Diagnostics;
using ZnDraw.Storage.Models;
using ZnDraw.Storage.Sql.Repositories;
using ZnDraw.Storage.Sql.Tests.Infrastructure;

namespace ZnDraw.Storage.Sql.Tests.Storage;

/// <summary>
/// What the chat contract cannot state backend-neutrally: pages compared message by message with the Redis backend's
/// (ties within one millisecond, sub-millisecond bounds), the stored rows, and the room row left alone.
/// </summary>
public abstract class SqlChatRepositoryTests(IStoreFactory backend, RedisFixture redis) : IAsyncLifetime
{
    private TestStore? _store;

    protected TestStore Store => _store!;

    public async Task InitializeAsync() => _store = await backend.CreateAsync();

    public async Task DisposeAsync()
    {
        if (_store is not null)
        {
            await _store.DisposeAsync();
        }
    }

    [Fact]
    public void Telemetry_names_the_database_the_repository_runs_on()
    {
        var context = Store.Get<SqlStoreContext>();
        string expected = context.Dialect.Name switch { "SQLite" => "sqlite", "PostgreSQL" => "postgresql", var other => other };

        Assert.Equal(expected, DbSystem.Of(Store.Get<IChatRepository>()));
        Assert.Equal(expected, DbSystem.Of(Store.Get<IUserRepository>()));
    }

    [Fact]
    public async Task Pages_hold_the_same_messages_in_the_same_order_as_on_Redis()
    {
        await using TestStore redisStore = await RedisStores.Prefixed(redis).CreateAsync();
        (TestStore Store, IChatRepository Chat)[] backends = [(Store, Store.Get<IChatRepository>()), (redisStore, redisStore.Get<IChatRepository>())];
        string room = RedisFixture.NewId("room");
        DateTimeOffset start = Store.Time.GetUtcNow();

        // 12 messages in one millisecond (ids msg_r_1 .. msg_r_12 tie: Redis orders them by member, as text), then 3 more
        // 0.6 ms apart (two share a millisecond), then a later one.
        foreach (var (store, chat) in backends)
        {
            for (int i = 1; i <= 12; i++)
            {
                await chat.PostAsync(room, "alice", $"tie{i}");
            }

            for (int i = 0; i < 3; i++)
            {
                store.Time.Advance(TimeSpan.FromTicks(6_000));
                await chat.PostAsync(room, "bob", $"late{i}");
            }

            store.Time.Advance(TimeSpan.FromSeconds(1));
            await chat.PostAsync(room, "carol", "last");
        }

        DateTimeOffset tie = DateTimeOffset.FromUnixTimeMilliseconds(start.ToUnixTimeMilliseconds());
        DateTimeOffset?[] bounds = [null, tie, tie.AddTicks(5_000), tie.AddMilliseconds(1), tie.AddMilliseconds(2), tie.AddSeconds(5)];
        foreach (int limit in new[] { 1, 3, 5, 12, 20 })
        {
            foreach (DateTimeOffset? before in bounds)
            {
                foreach (DateTimeOffset? after in bounds)
                {
                    ChatPage expected = await backends[1].Chat.GetPageAsync(room, limit, before, after);
                    ChatPage actual = await backends[0].Chat.GetPageAsync(room, limit, before, after);
                    Assert.True(
                        expected.Messages.SequenceEqual(actual.Messages) && expected.HasMore == actual.HasMore,
                        $"limit {limit}, before {before:O}, after {after:O}: Redis [{string.Join(", ", expected.Messages.Select(m => m.Id))}] {expected.HasMore}, "
                        + $"SQL [{string.Join(", ", actual.Messages.Select(m => m.Id))}] {actual.HasMore}");
                }
            }
        }
    }

    [Fact]
    public async Task Posting_neither_needs_nor_creates_the_room()
    {
        string room = RedisFixture.NewId("room");

        await Store.Get<IChatRepository>().PostAsync(room, "alice", "hello");

        Assert.Equal(0L, await ScalarAsync("SELECT COUNT(*) FROM rooms WHERE id = @room", room));
        Assert.Equal(1L, await ScalarAsync("SELECT last_number FROM room_chat_counters WHERE room_id = @room", room));
    }

    [Fact]
    public async Task A_refused_edit_writes_nothing_and_an_edit_keeps_the_number()
    {
        var chat = Store.Get<IChatRepository>();
        string room = RedisFixture.NewId("room");
        ChatMessage posted = await chat.PostAsync(room, "alice", "mine");

        Assert.Equal(ChatEditStatus.NotAuthor, (await chat.EditAsync(room, posted.Id, "Alice", "x")).Status);
        Store.Time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(ChatEditStatus.Edited, (await chat.EditAsync(room, posted.Id, "alice", "edited")).Status);

        Assert.Equal(1L, await ScalarAsync("SELECT number FROM room_chat_messages WHERE room_id = @room", room));
        Assert.Equal(posted with { Content = "edited", UpdatedAt = posted.CreatedAt.AddSeconds(1), IsEdited = true }, await chat.GetAsync(room, posted.Id));
    }

    private async Task<long> ScalarAsync(string sql, string room)
    {
        await using DbConnection connection = await Store.Get<SqlStoreContext>().OpenAsync("test", null, default);
        await using DbCommand command = connection.CreateCommand();
        command.CommandText = sql;
        SqlCall.Add(command, "@room", room);
        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }
}

/// <summary>The SQL chat repository's own facts on SQLite.</summary>
[Collection(SqliteCollection.Name)]
public sealed class SqlChatRepositoryOnSqlite(RedisFixture redis) : SqlChatRepositoryTests(SqlStores.Sqlite(redis), redis)
{
    [Fact]
    public async Task A_row_SQLite_cannot_read_is_a_data_error_and_a_page_skips_it()
    {
        var chat = Store.Get<IChatRepository>();
        string room = RedisFixture.NewId("room");
        ChatMessage first = await chat.PostAsync(room, "alice", "a");
        ChatMessage second = await chat.PostAsync(room, "alice", "b");
        await using (DbConnection connection = await Store.Get<SqlStoreContext>().OpenAsync("test", null, default))
        {
            await using DbCommand command = connection.CreateCommand();
            command.CommandText = "UPDATE room_chat_messages SET updated_at = 'not a time' WHERE room_id = @room AND id = @id";
            SqlCall.Add(command, "@room", room);
            SqlCall.Add(command, "@id", first.Id);
            Assert.Equal(1, await command.ExecuteNonQueryAsync());
        }

        var ex = await Assert.ThrowsAsync<StorageDataException>(async () => await chat.GetAsync(room, first.Id));
        Assert.Equal($"room_chat_messages(room_id='{room}', id='{first.Id}')", ex.Key);
        Assert.Equal("updated_at", ex.Field);

        ChatPage page = await chat.GetPageAsync(room, 2);
        Assert.Equal([second], page.Messages);
        Assert.False(page.HasMore);
    }
}

/// <summary>The SQL chat repository's own facts on PostgreSQL.</summary>
[Collection(PostgresCollection.Name)]
public sealed class SqlChatRepositoryOnPostgres(RedisFixture redis) : SqlChatRepositoryTests(SqlStores.Postgres(redis), redis);
