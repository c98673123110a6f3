using ZnDraw.Storage.Testing;
using StackExchange.Redis;

namespace ZnDraw.Storage.Tests.Infrastructure;

[Collection(RedisCollection.Name)]
public sealed class RedisFixtureTests(RedisFixture redis)
{
    [Fact]
    public async Task The_test_server_answers_and_keeps_no_state_between_ids()
    {
        var key = (RedisKey)RedisFixture.NewId("fixture");
        Assert.False(await redis.Database.KeyExistsAsync(key));
        await redis.Database.StringSetAsync(key, "1", TimeSpan.FromSeconds(30));
        Assert.Equal("1", (string?)await redis.Database.StringGetAsync(key));
        Assert.True(await redis.Database.KeyDeleteAsync(key));
    }
}
