using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using ZnDraw.Storage.Contracts;
using ZnDraw.Storage.DependencyInjection;
using ZnDraw.Storage.Redis;
using ZnDraw.Storage.Testing;
using ZnDraw.Storage.Tests.Infrastructure;

namespace ZnDraw.Storage.Tests.Redis.Repositories;

/// <summary>
/// <see cref="ZnDrawLimitOptions"/>: validation, defaults, and binding into the Redis repositories. The limits' behaviour
/// (a value at its limit is stored; one byte more throws naming the parameter, nothing is written) is in the contracts.
/// </summary>
[Collection(RedisCollection.Name)]
public sealed class SizeLimitTests(RedisFixture redis)
{
    [Fact]
    public void The_validator_refuses_a_limit_outside_its_range_and_names_it()
    {
        var validator = new ZnDrawStorageOptionsValidator();
        var options = new ZnDrawStorageOptions { ConnectionString = "127.0.0.1:6379" };
        Assert.True(validator.Validate(null, options).Succeeded);

        options.Limits.MaxChatMessageBytes = 0;
        options.Limits.MaxFigureJsonBytes = ZnDrawLimitOptions.MaxLimit + 1;
        var result = validator.Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains(result.Failures!, f => f.Contains("Limits.MaxChatMessageBytes", StringComparison.Ordinal));
        Assert.Contains(result.Failures!, f => f.Contains("Limits.MaxFigureJsonBytes", StringComparison.Ordinal));
        options.Limits = null!;
        Assert.Contains(validator.Validate(null, options).Failures!, f => f.StartsWith("Limits", StringComparison.Ordinal));
    }

    [Fact]
    public void The_defaults_are_the_documented_ones()
    {
        var limits = new ZnDrawStorageOptions().Limits;

        Assert.Equal(
            [64 * 1024, 64 * 1024, 16 * 1024 * 1024, 16 * 1024 * 1024, 64 * 1024, 1024 * 1024, 4 * 1024],
            new[]
            {
                limits.MaxDescriptionBytes, limits.MaxChatMessageBytes, limits.MaxGeometryJsonBytes, limits.MaxFigureJsonBytes,
                limits.MaxMetadataValueBytes, limits.MaxMetadataTotalBytes, limits.MaxBookmarkLabelBytes,
            });
    }

    [Fact]
    public async Task Limits_bound_from_configuration_reach_the_repositories_and_the_store_without_di()
    {
        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ZnDrawStorage:ConnectionString"] = redis.Address,
            ["ZnDrawStorage:Limits:MaxBookmarkLabelBytes"] = "7",
        }).Build();
        var services = new ServiceCollection();
        services.AddZnDrawStorage(config.GetSection(ZnDrawStorageOptions.DefaultSectionName));
        await using var provider = services.BuildServiceProvider();

        var bookmarks = provider.GetRequiredService<IBookmarkRepository>();
        await AssertRefusedAsync("label", () => bookmarks.SetAsync("r1", 0, "12345678").AsTask());

        var store = new ZnDrawRedisStore(redis.Connection, Layouts.Space(Layouts.Prefixed), limits: new ZnDrawLimitOptions { MaxChatMessageBytes = 3 });
        await AssertRefusedAsync("content", () => store.Chat.PostAsync("r1", "alice", "abcd").AsTask());
    }

    private static async Task AssertRefusedAsync(string paramName, Func<Task> call)
    {
        var ex = await Assert.ThrowsAnyAsync<ArgumentException>(call);
        Assert.IsType<ArgumentException>(ex);
        Assert.Equal(paramName, ex.ParamName);
        Assert.Contains("limit", ex.Message, StringComparison.Ordinal);
    }
}
