using ZnDraw.Storage.Testing;
using StackExchange.Redis;

namespace ZnDraw.Storage.Tests.Infrastructure;

[Collection(RedisCollection.Name)]
public sealed class RoundTripsTests(RedisFixture redis)
{
    [Fact]
    public async Task A_pipelined_batch_is_one_round_trip_and_sequential_awaits_are_several()
    {
        var db = redis.Database;
        var keys = Enumerable.Range(0, 4).Select(_ => (RedisKey)RedisFixture.NewId("rt")).ToArray();
        async Task BatchAsync()
        {
            var batch = db.CreateBatch();
            var tasks = keys.Select(k => batch.StringGetAsync(k)).ToArray();
            batch.Execute();
            await Task.WhenAll(tasks);
        }

        // Warm-up: the counter compares each command's creation stamp (wall clock) with the others' reply times (stopwatch
        // durations added to it); a cold first run under load once read this batch as two round trips.
        await BatchAsync();
        var batched = await RoundTrips.MeasureAsync(redis.Connection, BatchAsync);

        var sequential = await RoundTrips.MeasureAsync(redis.Connection, async () =>
        {
            foreach (var k in keys)
            {
                await db.StringGetAsync(k);
            }
        });

        Assert.Equal(4, batched.Commands.Count);
        Assert.Equal(1, batched.RoundTrips);
        Assert.Equal(4, sequential.RoundTrips);
    }

    [Fact]
    public async Task A_transaction_is_one_round_trip()
    {
        var key = (RedisKey)RedisFixture.NewId("rt");
        var m = await RoundTrips.MeasureAsync(redis.Connection, async () =>
        {
            var tx = redis.Database.CreateTransaction();
            _ = tx.StringSetAsync(key, "1", TimeSpan.FromSeconds(10));
            _ = tx.KeyExpireAsync(key, TimeSpan.FromSeconds(20));
            Assert.True(await tx.ExecuteAsync());
        });
        Assert.Equal(1, m.RoundTrips);
    }
}
