using System.Data.Common;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using ZnDraw.Storage.Contracts;
using ZnDraw.Storage.Sql.Repositories;

namespace ZnDraw.Storage.Sql.Tests.CrossStore;

/// <summary>What the cross-store tests read and write beside the contracts: raw rows of the SQL side, raw keys of the Redis side.</summary>
internal sealed class CrossStoreProbe(TestStore store, RedisFixture redis)
{
    private SqlStoreContext Context => store.Get<SqlStoreContext>();

    /// <summary>The store's Redis key prefix.</summary>
    public string KeyPrefix => store.Get<IOptions<ZnDrawStorageOptions>>().Value.KeyPrefix ?? string.Empty;

    /// <summary>The reconciler of the store (the registered one, or one over the store's own context and Redis state).</summary>
    public SqlStorageReconciler Reconciler =>
        store.Services.GetService<SqlStorageReconciler>() ?? new SqlStorageReconciler(Context, store.Get<IRoomEphemeralState>());

    /// <summary>Runs the reconcile.</summary>
    public Task<SqlReconcileResult> ReconcileAsync() => Reconciler.ReconcileAsync();

    /// <summary>Leaves a pending cleanup as a delete killed between its SQL and its Redis step leaves it.</summary>
    public Task InsertCleanupAsync(string roomId) =>
        ExecuteAsync("INSERT INTO room_cleanups (room_id, deleted_at) VALUES (@id, @at)", ("@id", roomId), ("@at", DateTime.UtcNow));

    /// <summary>The ids of the pending cleanups.</summary>
    public Task<List<string>> CleanupsAsync() => ColumnAsync("SELECT room_id FROM room_cleanups");

    /// <summary>The ids of the <c>rooms</c> rows.</summary>
    public Task<List<string>> RoomRowsAsync() => ColumnAsync("SELECT id FROM rooms");

    /// <summary>The names of the <c>users</c> rows.</summary>
    public Task<List<string>> UserRowsAsync() => ColumnAsync("SELECT user_name FROM users");

    /// <summary>The names of the <c>users</c> rows with a password.</summary>
    public Task<List<string>> RegisteredUserRowsAsync() => ColumnAsync("SELECT user_name FROM users WHERE password_hash IS NOT NULL");

    /// <summary>The room ids that own at least one key under the store's prefix in Redis (<c>{prefix}room:{id}:…</c>).</summary>
    public async Task<SortedSet<string>> RoomsWithRedisStateAsync()
    {
        string head = KeyPrefix + "room:";
        var rooms = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var endpoint in redis.Connection.GetEndPoints())
        {
            IServer server = redis.Connection.GetServer(endpoint);
            if (server.IsReplica)
            {
                continue;
            }

            await foreach (RedisKey key in server.KeysAsync(pattern: head + "*", pageSize: 1000))
            {
                string text = key.ToString()!;
                int end = text.IndexOf(':', head.Length);
                rooms.Add(end < 0 ? text[head.Length..] : text[head.Length..end]);
            }
        }

        return rooms;
    }

    private async Task<List<string>> ColumnAsync(string sql)
    {
        await using DbConnection connection = await Context.OpenAsync("test", null, default);
        await using DbCommand command = connection.CreateCommand();
        command.CommandText = sql;
        var values = new List<string>();
        await using DbDataReader reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            values.Add(reader.GetString(0));
        }

        values.Sort(StringComparer.Ordinal);
        return values;
    }

    private async Task ExecuteAsync(string sql, params (string Name, object Value)[] parameters)
    {
        await using DbConnection connection = await Context.OpenAsync("test", null, default);
        await using DbCommand command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            SqlCall.Add(command, name, value);
        }

        await command.ExecuteNonQueryAsync();
    }
}
