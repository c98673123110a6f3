using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;
using ZnDraw.Storage.Models;
using ZnDraw.Storage.Redis.Repositories;
using ZnDraw.Storage.Services;
using ZnDraw.Storage.Testing;
using ZnDraw.Storage.Tests.Infrastructure;
using ZnDraw.Storage.Tests.Redis.Repositories;

namespace ZnDraw.Storage.Tests.Services.Users;

/// <summary>No password, stored hash or salt reaches any log line, at any level, in any structured value.</summary>
[Collection(RedisCollection.Name)]
public sealed class UserServiceSecretLoggingTests(RedisFixture redis)
{
    public static TheoryData<bool> Modes => [true, false];

    [Theory]
    [MemberData(nameof(Modes))]
    public async Task Register_login_change_password_and_a_failed_login_log_no_secret(bool compatible)
    {
        using var provider = new FakeLoggerProvider();
        using var factory = LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Trace).AddProvider(provider));
        var keys = Spaces.Create(Spaces.ZnDraw);
        var repo = new UserRepository(Spaces.Context(redis, keys));
        IOptions<ZnDrawStorageOptions> options = compatible ? TestOptions.ZnDrawSha256() : TestOptions.Pbkdf2();
        var service = new UserService(repo, options, factory.CreateLogger<UserService>());
        var secrets = new HashSet<string>(StringComparer.Ordinal);

        async Task RememberStored(string name)
        {
            var credentials = await repo.GetCredentialsAsync(name);
            foreach (var s in new[] { credentials?.PasswordHash, credentials?.PasswordSalt })
            {
                if (!string.IsNullOrEmpty(s))
                {
                    secrets.Add(s);

                    // A PBKDF2 hash also holds its salt and digest as parts.
                    foreach (var part in s.Split('$').Where(p => p.Length >= 16))
                    {
                        secrets.Add(part);
                    }
                }
            }
        }

        const string First = "Pw-First-9c1e";
        const string Wrong = "Pw-Wrong-5b7d";
        const string Second = "Pw-Second-3a8f";
        secrets.UnionWith([First, Wrong, Second]);

        // A user that a Python ZnDraw registered (legacy hash): the PBKDF2 policy upgrades it at login.
        var legacy = RedisFixture.NewId("user");
        await redis.Database.HashSetAsync(keys.User(legacy).HashKey(), [
            new("userName", legacy), new("createdAt", "2025-01-01T00:00:00"),
            new("passwordHash", ZnDrawPasswordHash.Compute(First, "00112233445566778899aabbccddeeff")),
            new("passwordSalt", "00112233445566778899aabbccddeeff")]);
        await RememberStored(legacy);
        Assert.True((await service.LoginAsync(legacy, First)).Succeeded);
        await RememberStored(legacy);

        var guest = (await service.LoginAsync(null, null)).UserName;
        var name = RedisFixture.NewId("user");
        await service.RegisterAsync(guest, name, First);
        await RememberStored(name);
        Assert.True((await service.LoginAsync(name, First)).Succeeded);
        Assert.False((await service.LoginAsync(name, Wrong)).Succeeded);
        Assert.False((await service.LoginAsync(RedisFixture.NewId("nobody"), Wrong)).Succeeded);
        Assert.True(await service.VerifyPasswordAsync(name, First));
        await service.ChangePasswordAsync(name, First, Second);
        await RememberStored(name);
        Assert.True((await service.LoginAsync(name, Second)).Succeeded);

        await Assert.ThrowsAsync<UserOperationException>(async () => await service.ChangePasswordAsync(name, Wrong, Second));

        var entries = provider.Collector.GetSnapshot().ToList();
        Assert.Contains(entries, e => e.Id.Id == 3104); // the debug lines were captured
        foreach (var entry in entries)
        {
            foreach (var text in Texts(entry))
            {
                foreach (var secret in secrets)
                {
                    Assert.False(
                        text.Contains(secret, StringComparison.Ordinal),
                        $"Log entry {entry.Id} ({entry.Level}) contains a secret: {entry.Message}");
                }
            }
        }
    }

    /// <summary>Every piece of text a log record would put into a sink: message, structured names and values, exception.</summary>
    private static IEnumerable<string> Texts(FakeLogRecord entry)
    {
        yield return entry.Message;
        foreach (var pair in entry.StructuredState ?? [])
        {
            yield return pair.Key;
            yield return pair.Value ?? string.Empty;
        }

        if (entry.Exception is not null)
        {
            yield return entry.Exception.ToString();
        }
    }
}
