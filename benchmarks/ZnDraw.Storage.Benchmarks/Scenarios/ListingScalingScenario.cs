using System.Diagnostics;
using System.Globalization;
using StackExchange.Redis;
using ZnDraw.Storage.Benchmarks.Infrastructure;
using ZnDraw.Storage.Redis.Repositories;

namespace ZnDraw.Storage.Benchmarks.Scenarios;

/// <summary>
/// <c>ListAllAsync</c> (SMEMBERS of the rooms index) against the listing a server without an index needs (SCAN MATCH
/// room:*:current_frame over the whole keyspace), with 1,000 rooms among 0, 100k and 1M unrelated keys, in a database
/// of its own that is flushed before and after.
/// </summary>
internal static class ListingScalingScenario
{
    private const int Rooms = 1_000;

    public static async Task<List<ScenarioResult>> RunAsync(ScenarioSizes sizes)
    {
        IDatabase db = BenchmarkRedis.Connection.GetDatabase(BenchmarkRedis.ScalingDb);
        IServer server = BenchmarkRedis.Server;
        await server.FlushDatabaseAsync(BenchmarkRedis.ScalingDb);
        var rooms = new RoomRepository(BenchmarkRedis.Context(BenchmarkRedis.ScalingDb));
        var creates = new List<Task>(Rooms);
        for (int i = 0; i < Rooms; i++)
        {
            creates.Add(rooms.CreateAsync("scale-" + i.ToString("D4", CultureInfo.InvariantCulture)).AsTask());
        }

        await Task.WhenAll(creates);
        var results = new List<ScenarioResult>();
        int unrelated = 0;
        try
        {
            foreach (int target in sizes.UnrelatedKeys)
            {
                await PopulateAsync(db, unrelated, target);
                unrelated = target;
                long dbSize = await server.DatabaseSizeAsync(BenchmarkRedis.ScalingDb);

                IReadOnlyList<string> fromIndex = await rooms.ListAllAsync();
                IReadOnlyList<string> fromScan = await ScanListAsync(server);
                if (fromIndex.Count != Rooms || !fromIndex.SequenceEqual(fromScan))
                {
                    throw new InvalidOperationException($"index listing ({fromIndex.Count}) and SCAN listing ({fromScan.Count}) differ.");
                }

                double index = await MedianMsAsync(sizes.ListingRepeats, async () => await rooms.ListAllAsync());
                double scan = await MedianMsAsync(sizes.ScanRepeats, async () => await ScanListAsync(server));
                results.Add(new ScenarioResult("Listing", $"ListAll, {Rooms} rooms + {target:N0} unrelated keys", index, scan, "ms",
                    $"{dbSize:N0} keys in the database; SCAN COUNT 1000; median of {sizes.ListingRepeats} index / {sizes.ScanRepeats} SCAN listings"));
            }
        }
        finally
        {
            await server.FlushDatabaseAsync(BenchmarkRedis.ScalingDb);
        }

        return results;
    }

    /// <summary>What a caller without an index does: SCAN the keyspace for the room marker key and collect the ids.</summary>
    private static async Task<IReadOnlyList<string>> ScanListAsync(IServer server)
    {
        var ids = new List<string>();
        await foreach (RedisKey key in server.KeysAsync(BenchmarkRedis.ScalingDb, "room:*:current_frame", pageSize: 1000))
        {
            string text = key.ToString()!;
            ids.Add(text["room:".Length..^":current_frame".Length]);
        }

        ids.Sort(StringComparer.Ordinal);
        return ids;
    }

    /// <summary>Adds unrelated string keys <c>noise:{n}</c> (MSET of 1,000 keys, up to 16 in flight).</summary>
    private static async Task PopulateAsync(IDatabase db, int from, int to)
    {
        const int PerCommand = 1_000;
        var inFlight = new List<Task>(16);
        for (int start = from; start < to; start += PerCommand)
        {
            var pairs = new KeyValuePair<RedisKey, RedisValue>[Math.Min(PerCommand, to - start)];
            for (int i = 0; i < pairs.Length; i++)
            {
                string n = (start + i).ToString(CultureInfo.InvariantCulture);
                pairs[i] = new("noise:" + n, n);
            }

            inFlight.Add(db.StringSetAsync(pairs));
            if (inFlight.Count == 16)
            {
                await Task.WhenAll(inFlight);
                inFlight.Clear();
            }
        }

        await Task.WhenAll(inFlight);
    }

    private static async Task<double> MedianMsAsync(int repeats, Func<Task> call)
    {
        await call();
        var times = new List<double>(repeats);
        for (int i = 0; i < repeats; i++)
        {
            long start = Stopwatch.GetTimestamp();
            await call();
            times.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        }

        return ThroughputScenario.Median(times);
    }
}
