using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using ZnDraw.Storage.DependencyInjection;
using ZnDraw.Storage.Redis.Keys;

namespace ZnDraw.Storage.Tests.DependencyInjection;

/// <summary>
/// ZnDrawStorageOptionsBinding, the source-generated (trim/AOT-safe) binding of <see cref="ZnDrawStorageOptions"/>:
/// it reads the top-level values one by one, so every public property must be listed as bound or as set in code only.
/// </summary>
public sealed class ZnDrawStorageOptionsBindingTests
{
    [Fact]
    public void Every_public_property_of_the_options_is_either_bound_or_declared_code_only()
    {
        var properties = typeof(ZnDrawStorageOptions).GetProperties().Where(p => p.CanWrite).Select(p => p.Name).Order(StringComparer.Ordinal);
        var listed = ZnDrawStorageOptionsBinding.BoundProperties.Concat(ZnDrawStorageOptionsBinding.UnboundProperties).Order(StringComparer.Ordinal);
        Assert.Equal(properties, listed);
    }

    [Fact]
    public void Values_present_are_set_and_absent_ones_keep_their_defaults()
    {
        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionString"] = "redis.example:6380",
            ["Layout"] = "ClusterSafe",
            ["Database"] = "3",
            ["Locks:PresenterTtl"] = "00:00:07",
            ["RedisConfiguration:AbortOnConnectFail"] = "false",
        }).Build();
        var options = new ZnDrawStorageOptions();

        ZnDrawStorageOptionsBinding.Bind(config, options);

        Assert.Equal("redis.example:6380", options.ConnectionString);
        Assert.Equal(KeyLayout.ClusterSafe, options.Layout);
        Assert.Equal(3, options.Database);
        Assert.Equal(TimeSpan.FromSeconds(7), options.Locks.PresenterTtl);
        Assert.Equal(new ZnDrawLockOptions().DefaultTtl, options.Locks.DefaultTtl);
        Assert.Null(options.KeyPrefix);
        Assert.Null(options.RedisConfiguration); // set in code only
    }

    [Fact]
    public void A_value_that_does_not_convert_fails_naming_the_setting()
    {
        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Database"] = "x" }).Build();
        var ex = Assert.Throws<InvalidOperationException>(() => ZnDrawStorageOptionsBinding.Bind(config, new ZnDrawStorageOptions()));
        Assert.Contains("Database", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_configuration_reload_reaches_the_options_monitor()
    {
        var source = new Dictionary<string, string?> { ["ConnectionString"] = "a:6379" };
        var config = new ConfigurationBuilder().AddInMemoryCollection(source).Build();
        var services = new ServiceCollection();
        services.AddZnDrawStorage(config);
        using var provider = services.BuildServiceProvider();
        var monitor = provider.GetRequiredService<IOptionsMonitor<ZnDrawStorageOptions>>();
        Assert.Equal("a:6379", monitor.CurrentValue.ConnectionString);

        config["ConnectionString"] = "b:6379";
        config.Reload();

        Assert.Equal("b:6379", monitor.CurrentValue.ConnectionString);
    }
}
