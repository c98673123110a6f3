using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using ZnDraw.Storage.Services;
using ZnDraw.Storage.Testing;
using ZnDraw.Storage.Tests.Infrastructure;

namespace ZnDraw.Storage.Tests.DependencyInjection;

/// <summary>The one warning at host start when passwords are hashed with ZnDraw's SHA-256.</summary>
[Collection(RedisCollection.Name)]
public sealed class PasswordPolicyStartupTests(RedisFixture redis)
{
    private const int WarningId = 3113;

    private async Task<List<FakeLogRecord>> StartAsync(Action<ZnDrawStorageOptions> configure)
    {
        using var provider = new FakeLoggerProvider();
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.SetMinimumLevel(LogLevel.Trace).AddProvider(provider);
        builder.Services.AddZnDrawStorage(o =>
        {
            o.ConnectionString = redis.Address;
            configure(o);
        });
        using (var host = builder.Build())
        {
            await host.StartAsync();

            // Using the service after start logs nothing more about the policy.
            var users = host.Services.GetRequiredService<UserService>();
            var guest = await users.LoginAsync(null, null);
            await users.RegisterAsync(guest.UserName, guest.UserName, "pw");
            Assert.True((await users.LoginAsync(guest.UserName, "pw")).Succeeded);
            await host.StopAsync();
        }

        return [.. provider.Collector.GetSnapshot().Where(e => e.Id.Id == WarningId)];
    }

    [Fact]
    public async Task Default_options_in_the_ZnDraw_layout_log_the_warning_exactly_once()
    {
        var warning = Assert.Single(await StartAsync(_ => { }));

        Assert.Equal(LogLevel.Warning, warning.Level);
        Assert.Equal(typeof(UserService).FullName, warning.Category);
        Assert.Contains("Pbkdf2", warning.Message, StringComparison.Ordinal);
        Assert.Contains("Automatic", warning.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ZnDraw_hashing_chosen_explicitly_in_a_prefixed_layout_logs_it_once_too()
    {
        var warning = Assert.Single(await StartAsync(o =>
        {
            o.KeyPrefix = RedisFixture.NewId("p") + ":";
            o.Passwords.Hashing = PasswordHashing.ZnDrawSha256;
        }));

        Assert.Contains("ZnDrawSha256", warning.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Pbkdf2_logs_no_warning_whether_chosen_or_automatic()
    {
        Assert.Empty(await StartAsync(o => o.Passwords.Hashing = PasswordHashing.Pbkdf2));
        Assert.Empty(await StartAsync(o => o.KeyPrefix = RedisFixture.NewId("p") + ":"));
        Assert.Empty(await StartAsync(o =>
        {
            o.KeyPrefix = RedisFixture.NewId("p") + ":";
            o.Layout = KeyLayout.ClusterSafe;
        }));
    }
}
