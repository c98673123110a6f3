using StackExchange.Redis;
using ZnDraw.Storage.Redis;
using ZnDraw.Storage.Testing;
using ZnDraw.Storage.Tests.Infrastructure;

namespace ZnDraw.Storage.Tests.Redis;

/// <summary>
/// The typed history condition of a script: its Lua test, and the outbox variant on a real Redis appending the event
/// exactly when the reply (or its first element, or a boolean as 1/0) meets the condition.
/// </summary>
[Collection(RedisCollection.Name)]
public sealed class HistoryWhenTests(RedisFixture redis)
{
    [Fact]
    public void The_condition_is_a_Lua_comparison_with_an_invariant_number()
    {
        Assert.Equal("x == 1", HistoryWhen.EqualTo(1).ToLua("x"));
        Assert.Equal("x > 0", HistoryWhen.GreaterThan(0).ToLua("x"));
        Assert.Equal("x == -2", HistoryWhen.EqualTo(-2).ToLua("x"));
        Assert.Equal("reply > 1000000", HistoryWhen.GreaterThan(1_000_000).ToString());
    }

    [Fact]
    public void A_script_without_a_condition_has_no_outbox_variant() =>
        Assert.Null(new RedisScript("test.plain", "return 1").OutboxText);

    [Theory]
    [InlineData("return tonumber(ARGV[1])", "1", true)]
    [InlineData("return tonumber(ARGV[1])", "2", false)]
    [InlineData("return tonumber(ARGV[1])", "0", false)]
    [InlineData("return {tonumber(ARGV[1]), 'x'}", "1", true)]
    [InlineData("return {tonumber(ARGV[1]), 'x'}", "3", false)]
    [InlineData("return ARGV[1] == '1'", "1", true)]
    [InlineData("return ARGV[1] == '1'", "0", false)]
    public async Task EqualTo_appends_the_event_only_when_the_reply_equals(string body, string argument, bool appended) =>
        Assert.Equal(appended, await RunOutboxVariantAsync(new RedisScript("test.equal", body, HistoryWhen.EqualTo(1)), argument));

    [Theory]
    [InlineData("1", true)]
    [InlineData("7", true)]
    [InlineData("0", false)]
    [InlineData("-1", false)]
    public async Task GreaterThan_appends_the_event_only_when_the_reply_is_greater(string argument, bool appended) =>
        Assert.Equal(appended, await RunOutboxVariantAsync(new RedisScript("test.greater", "return tonumber(ARGV[1])", HistoryWhen.GreaterThan(0)), argument));

    private async Task<bool> RunOutboxVariantAsync(RedisScript script, string argument)
    {
        // The outbox variant takes the stream key off the end of KEYS and the event's id and payload off ARGV.
        RedisKey stream = RedisFixture.NewId("history-when");
        await redis.Database.ScriptEvaluateAsync(script.OutboxText!, [stream], [argument, "event-id", "{}"]);
        return await redis.Database.StreamLengthAsync(stream) == 1;
    }
}
