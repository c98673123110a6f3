using System.Data.Common;
using Microsoft.Extensions.DependencyInjection;
using ZnDraw.Storage.Redis.Keys;
using ZnDraw.Storage.History;
using ZnDraw.Storage.Services;
using ZnDraw.Storage.Sql.Repositories;
using ZnDraw.Storage.Sql.Tests.Infrastructure;
using ZnDraw.Storage.Testing;

namespace ZnDraw.Storage.Sql.Tests.Storage;

/// <summary>
/// History in the same database as the rooms (<see cref="SqlStorageOptions.IncludeHistory"/>): the state change and its
/// history row commit in one transaction, exactly once, with no outbox entry and no sink delivery of their own.
/// </summary>
public abstract class SqlTransactionalHistoryTests(Func<HistoryMode, IStoreFactory> factory)
{
    [Theory]
    [InlineData(HistoryMode.Direct)]
    [InlineData(HistoryMode.Durable)]
    public async Task A_room_change_writes_its_history_row_in_its_own_transaction_exactly_once(HistoryMode mode)
    {
        await using var store = await factory(mode).CreateAsync();
        var rooms = store.Get<RoomService>();

        await rooms.CreateAsync("history-room", "first", "alice");
        await rooms.SetDescriptionAsync("history-room", "second", "alice");
        await Assert.ThrowsAnyAsync<ZnDrawServiceException>(() => rooms.CopyAsync("history-room", "history-copy", null, "alice").AsTask()); // no frames: refused, no row
        await Assert.ThrowsAsync<RoomAlreadyExistsException>(() => rooms.CreateAsync("history-room", null, "bob").AsTask());
        Assert.True(await rooms.DeleteAsync("history-room", "alice"));

        // Read at once: no dispatcher ran, no sink was called; the rows are there because they committed with the change.
        Assert.Equal(
            ["created", "description_changed", "deleted"],
            await EventTypesAsync(store, "history-room"));
        Assert.Empty(await EventTypesAsync(store, "history-copy"));

        // Nothing went to the Redis outbox: the transaction took every event.
        var outbox = store.Get<KeySpace>().Global.HistoryOutbox();
        Assert.Equal(0, await store.Get<StackExchange.Redis.IConnectionMultiplexer>().GetDatabase().StreamLengthAsync(outbox));
    }

    private static async Task<string[]> EventTypesAsync(TestStore store, string roomId)
    {
        var context = store.Get<SqlStoreContext>();
        await using DbConnection connection = await context.OpenAsync("test", null, default);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT event_type FROM room_events WHERE room_id = @room ORDER BY id";
        SqlCall.Add(command, "@room", roomId);
        var types = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            types.Add(reader.GetString(0));
        }

        return [.. types];
    }
}

[Collection(SqliteCollection.Name)]
public sealed class SqlTransactionalHistoryOnSqlite(RedisFixture redis) : SqlTransactionalHistoryTests(
    mode => SqlStores.Sqlite(redis, configure: o => o.IncludeHistory = true, extend: b => b.AddHistory(h => h.Mode = mode)));

[Collection(PostgresCollection.Name)]
public sealed class SqlTransactionalHistoryOnPostgres(RedisFixture redis) : SqlTransactionalHistoryTests(
    mode => SqlStores.Postgres(redis, configure: o => o.IncludeHistory = true, extend: b => b.AddHistory(h => h.Mode = mode)));
