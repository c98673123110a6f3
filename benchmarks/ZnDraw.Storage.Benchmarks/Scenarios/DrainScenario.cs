using System.Diagnostics;
using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using ZnDraw.Storage.Benchmarks.Infrastructure;
using ZnDraw.Storage.History;
using ZnDraw.Storage.Redis.History;
using ZnDraw.Storage.Sql;

namespace ZnDraw.Storage.Benchmarks.Scenarios;

/// <summary>
/// Dispatcher drain rate: N room events already in the outbox stream, then one <see cref="HistoryDispatcher"/> with
/// the default options (batch 1024) moves them into SQLite and PostgreSQL; events/s from its start until the group
/// has read every entry and none is pending, checked against the row count. When <c>ZNDRAW_REDIS_CLUSTER</c> names a
/// Redis Cluster, the same into PostgreSQL from the sharded outbox of the cluster-safe layout: N events over
/// <see cref="ClusterRooms"/> rooms (one shard per room's slot), appended as the repositories do (MULTI/EXEC with the
/// state change, in the shard of its slot).
/// </summary>
internal static class DrainScenario
{
    /// <summary>A second, informational run with a larger batch, to show how much of the cost is per batch.</summary>
    private const int LargeBatch = 2048;

    /// <summary>The rooms (so, about as many outbox shards) of the cluster run.</summary>
    private const int ClusterRooms = 64;

    public static async Task<List<ScenarioResult>> RunAsync(ScenarioSizes sizes)
    {
        var results = new List<ScenarioResult>();
        string file = HistoryDatabases.NewSqliteFile();
        try
        {
            var (sink, factory) = await HistoryDatabases.SqliteAsync(file);
            results.Add(await DrainAsync("SQLite", sink, factory, sizes.DrainEvents));
            results.Add(await DrainAsync("SQLite", sink, factory, sizes.DrainEvents, LargeBatch));
        }
        finally
        {
            foreach (string f in new[] { file, file + "-wal", file + "-shm" })
            {
                File.Delete(f);
            }
        }

        if (HistoryDatabases.Postgres is { } postgres)
        {
            var (sink, factory) = await HistoryDatabases.PostgresAsync(postgres);
            results.Add(await DrainAsync("PostgreSQL", sink, factory, sizes.DrainEvents));
            results.Add(await DrainAsync("PostgreSQL", sink, factory, sizes.DrainEvents, LargeBatch));
            if (Environment.GetEnvironmentVariable("ZNDRAW_REDIS_CLUSTER") is { Length: > 0 } cluster)
            {
                results.Add(await DrainClusterAsync(cluster, sink, factory, sizes.DrainEvents));
            }
        }

        return results;
    }

    private static async Task<ScenarioResult> DrainClusterAsync(string address, IHistorySink sink, IDbContextFactory<HistoryDbContext> factory, int count)
    {
        var configuration = ConfigurationOptions.Parse(address);
        configuration.AbortOnConnectFail = true;
        await using var connection = await ConnectionMultiplexer.ConnectAsync(configuration);
        IDatabase db = connection.GetDatabase();
        string stream = "bench:drain:cluster:" + Guid.NewGuid().ToString("N")[..8];
        var outbox = new HistoryOutbox(stream);
        var redisOutbox = new RedisHistoryOutbox(db, outbox, KeyLayout.ClusterSafe);
        var slots = new HashSet<int>();
        var pending = new List<Task>(1024);
        DateTimeOffset now = DateTimeOffset.UtcNow;
        for (int i = 0; i < count; i++)
        {
            RedisKey state = "bench:{drain-" + (i % ClusterRooms).ToString(CultureInfo.InvariantCulture) + "}:description";
            RedisKey shard = redisOutbox.ShardFor(state, out Task? registration);
            if (registration is not null)
            {
                await registration;
            }

            slots.Add(OutboxSlots.Of((byte[])state!));
            var e = new RoomHistoryEvent(HistoryEvent.NewEventId(now), now, "bench-drain", RoomEventTypes.DescriptionChanged, "alice",
                new Dictionary<string, string> { ["description"] = "d" + i.ToString(CultureInfo.InvariantCulture) });
            ITransaction tx = db.CreateTransaction();
            _ = tx.StringSetAsync(state, "d");
            HistoryOutbox.Enlist(tx, shard, e);
            pending.Add(tx.ExecuteAsync());
            if (pending.Count == 1024)
            {
                await Task.WhenAll(pending);
                pending.Clear();
            }
        }

        await Task.WhenAll(pending);

        var options = new HistoryOptions { Mode = HistoryMode.Durable, StreamKey = stream, ConsumerName = "bench-cluster" };
        using var dispatcher = new HistoryDispatcher(new HistoryDatabases.Services(sink, connection), Options.Create(options));
        var shards = slots.Select(outbox.ShardKey).ToList();
        long start = Stopwatch.GetTimestamp();
        await dispatcher.StartAsync(CancellationToken.None);
        TimeSpan elapsed;
        while (true)
        {
            await Task.Delay(5);
            long read = 0, unacknowledged = 0;
            try
            {
                foreach (StreamGroupInfo[] groups in await Task.WhenAll(shards.Select(k => db.StreamGroupInfoAsync(k))))
                {
                    StreamGroupInfo? group = groups.FirstOrDefault(g => g.Name == options.ConsumerGroup);
                    read += group?.EntriesRead ?? 0;
                    unacknowledged += group?.PendingMessageCount ?? 1;
                }
            }
            catch (RedisServerException)
            {
                continue; // a group is not created yet
            }

            if (read >= count && unacknowledged == 0)
            {
                elapsed = Stopwatch.GetElapsedTime(start);
                break;
            }

            if (Stopwatch.GetElapsedTime(start) > TimeSpan.FromMinutes(5))
            {
                throw new TimeoutException($"The dispatcher did not drain {count} events from the cluster within 5 minutes.");
            }
        }

        await dispatcher.StopAsync(CancellationToken.None);
        await using HistoryDbContext context = await factory.CreateDbContextAsync();
        int rows = await context.RoomEvents.CountAsync(r => r.RoomId == "bench-drain");
        await context.RoomEvents.Where(r => r.RoomId == "bench-drain").ExecuteDeleteAsync();
        foreach (RedisKey key in shards.Append(outbox.StreamKey).Append(outbox.RegistryKey))
        {
            await db.KeyDeleteAsync(key);
        }

        for (int room = 0; room < ClusterRooms; room++)
        {
            await db.KeyDeleteAsync("bench:{drain-" + room.ToString(CultureInfo.InvariantCulture) + "}:description");
        }

        if (rows != count)
        {
            throw new InvalidOperationException($"Cluster: {rows} rows stored for {count} events.");
        }

        return new ScenarioResult("Drain", "PostgreSQL, from the Redis Cluster (sharded outbox)", count / elapsed.TotalSeconds, 20_000, "events/s",
            $"{count:N0} events over {shards.Count} shards on {connection.GetServers().Count(s => !s.IsReplica)} primaries, batch {options.BatchSize}, {elapsed.TotalSeconds:0.00} s");
    }

    private static async Task<ScenarioResult> DrainAsync(string database, IHistorySink sink, IDbContextFactory<HistoryDbContext> factory, int count, int? batchSize = null)
    {
        string stream = "bench:drain:" + database.ToLowerInvariant();
        IDatabase db = BenchmarkRedis.Connection.GetDatabase(BenchmarkRedis.MainDb);
        await db.KeyDeleteAsync(stream);
        var outbox = new HistoryOutbox(stream);
        var pending = new List<Task>(1024);
        DateTimeOffset now = DateTimeOffset.UtcNow;
        for (int i = 0; i < count; i++)
        {
            var e = new RoomHistoryEvent(HistoryEvent.NewEventId(now), now, "bench-drain", RoomEventTypes.DescriptionChanged, "alice",
                new Dictionary<string, string> { ["description"] = "d" + i.ToString(CultureInfo.InvariantCulture) });
            pending.Add(outbox.AppendAsync(db, e));
            if (pending.Count == 1024)
            {
                await Task.WhenAll(pending);
                pending.Clear();
            }
        }

        await Task.WhenAll(pending);

        var options = new HistoryOptions { Mode = HistoryMode.Durable, StreamKey = stream, ConsumerName = "bench-" + database };
        if (batchSize is { } b)
        {
            options.BatchSize = b;
        }

        using var dispatcher = new HistoryDispatcher(new HistoryDatabases.Services(sink, BenchmarkRedis.Connection), Options.Create(options));
        long start = Stopwatch.GetTimestamp();
        await dispatcher.StartAsync(CancellationToken.None);
        TimeSpan elapsed;
        while (true)
        {
            await Task.Delay(5);
            StreamGroupInfo[] groups;
            try
            {
                groups = await db.StreamGroupInfoAsync(stream);
            }
            catch (RedisServerException)
            {
                continue; // the group is not created yet
            }

            StreamGroupInfo? group = groups.FirstOrDefault(g => g.Name == options.ConsumerGroup);
            if (group is { } g && g.EntriesRead >= count && g.PendingMessageCount == 0)
            {
                elapsed = Stopwatch.GetElapsedTime(start);
                break;
            }

            if (Stopwatch.GetElapsedTime(start) > TimeSpan.FromMinutes(5))
            {
                throw new TimeoutException($"The dispatcher did not drain {count} events into {database} within 5 minutes.");
            }
        }

        await dispatcher.StopAsync(CancellationToken.None);
        await using HistoryDbContext context = await factory.CreateDbContextAsync();
        int rows = await context.RoomEvents.CountAsync(r => r.RoomId == "bench-drain");
        await context.RoomEvents.Where(r => r.RoomId == "bench-drain").ExecuteDeleteAsync();
        await db.KeyDeleteAsync(stream);
        if (rows != count)
        {
            throw new InvalidOperationException($"{database}: {rows} rows stored for {count} events.");
        }

        return new ScenarioResult("Drain", batchSize is null ? database : $"{database}, batch {options.BatchSize} (informational)", count / elapsed.TotalSeconds, 20_000, "events/s",
            $"{count:N0} events, batch {options.BatchSize}, {elapsed.TotalSeconds:0.00} s");
    }
}
