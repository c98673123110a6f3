using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using ZnDraw.Storage.Redis.Keys;
using ZnDraw.Storage.Redis.Repositories;
using ZnDraw.Storage.Services;
using ZnDraw.Storage.Testing;
using ZnDraw.Storage.Tests.Infrastructure;
using ZnDraw.Storage.Tests.Redis.Repositories;

namespace ZnDraw.Storage.Tests.Services.Users;

/// <summary>
/// The password policy of <see cref="UserService"/> on real Redis: what each layout writes by default, what a login
/// upgrades (and never downgrades), the side-effect-free check, and planted iteration counts.
/// </summary>
[Collection(RedisCollection.Name)]
public sealed class UserServicePasswordPolicyTests(RedisFixture redis)
{
    // Test vector of the layout reference (Python hashlib): "s3cret" with this salt.
    private const string LegacySalt = "00112233445566778899aabbccddeeff";
    private const string LegacyHash = "1e6ac894fd19240b9821e0bc46f7dfb91c6a58d659288a080b633e98b99b248a";

    private IDatabase Db => redis.Database;

    private (UserService Service, KeySpace Keys, UserRepository Repo) Create(string space, Func<KeySpace, IOptions<ZnDrawStorageOptions>>? options = null, ILogger<UserService>? logger = null)
    {
        var keys = Spaces.Create(space);
        var repo = new UserRepository(Spaces.Context(redis, keys));
        return (new UserService(repo, (options ?? (k => TestOptions.For(k)))(keys), logger ?? NullLogger<UserService>.Instance), keys, repo);
    }

    private static string NewName() => RedisFixture.NewId("user");

    private async Task<Dictionary<string, string>> RawUser(KeySpace keys, string name) =>
        (await Db.HashGetAllAsync(keys.User(name).HashKey())).ToDictionary(e => (string)e.Name!, e => (string)e.Value!);

    // ZnDraw's verify_password, written out independently of the library: SHA-256 over password + salt text, hex.
    private static bool ZnDrawVerifies(IReadOnlyDictionary<string, string> raw, string password) =>
        raw.TryGetValue("passwordSalt", out var salt) && raw.TryGetValue("passwordHash", out var hash)
        && System.Text.RegularExpressions.Regex.IsMatch(salt, "^[0-9a-f]{32}$")
        && hash == Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(password + salt)));

    private async Task SeedAsync(KeySpace keys, string name, string hash, string salt) =>
        await Db.HashSetAsync(keys.User(name).HashKey(), [
            new("userName", name), new("createdAt", "2025-01-01T00:00:00"), new("lastLogin", "2025-01-01T00:00:00"),
            new("passwordHash", hash), new("passwordSalt", salt)]);

    [Fact]
    public async Task Default_options_in_the_ZnDraw_layout_write_only_hashes_ZnDraw_verifies()
    {
        var (service, keys, _) = Create(Spaces.ZnDraw);
        Assert.Equal(PasswordHashing.ZnDrawSha256, service.PasswordHashing);
        var guest = (await service.LoginAsync(null, null)).UserName;
        var name = NewName();

        await service.RegisterAsync(guest, name, "pässwort-1");
        Assert.True(ZnDrawVerifies(await RawUser(keys, name), "pässwort-1"));
        Assert.True((await service.LoginAsync(name, "pässwort-1")).Succeeded);
        Assert.True(ZnDrawVerifies(await RawUser(keys, name), "pässwort-1"));

        await service.ChangePasswordAsync(name, "pässwort-1", "two");
        Assert.True(ZnDrawVerifies(await RawUser(keys, name), "two"));

        await service.ResetPasswordAsync(name, "three");
        Assert.True(ZnDrawVerifies(await RawUser(keys, name), "three"));
        Assert.True((await service.LoginAsync(name, "three")).Succeeded);

        // Registration under the same name too.
        var other = (await service.CreateGuestAsync()).UserName;
        await service.RegisterAsync(other, other, "four");
        Assert.True(ZnDrawVerifies(await RawUser(keys, other), "four"));
    }

    [Theory]
    [InlineData(Spaces.Prefixed)]
    [InlineData(Spaces.Cluster)]
    [InlineData(Spaces.PrefixedCluster)]
    public async Task Default_options_in_the_other_layouts_write_pbkdf2_everywhere(string space)
    {
        var (service, keys, _) = Create(space);
        Assert.Equal(PasswordHashing.Pbkdf2, service.PasswordHashing);
        var guest = (await service.CreateGuestAsync()).UserName;
        var name = NewName();

        await service.RegisterAsync(guest, name, "one");
        Assert.StartsWith("pbkdf2-sha256$1000$", (await RawUser(keys, name))["passwordHash"], StringComparison.Ordinal);
        await service.ChangePasswordAsync(name, "one", "two");
        Assert.StartsWith("pbkdf2-sha256$1000$", (await RawUser(keys, name))["passwordHash"], StringComparison.Ordinal);
        await service.ResetPasswordAsync(name, "three");
        Assert.StartsWith("pbkdf2-sha256$1000$", (await RawUser(keys, name))["passwordHash"], StringComparison.Ordinal);
        Assert.True((await service.LoginAsync(name, "three")).Succeeded);
        Assert.False(ZnDrawVerifies(await RawUser(keys, name), "three"));
    }

    [Fact]
    public async Task Pbkdf2_chosen_in_the_ZnDraw_layout_is_used_there()
    {
        var (service, keys, _) = Create(Spaces.ZnDraw, k => TestOptions.For(k, PasswordHashing.Pbkdf2));
        var guest = (await service.CreateGuestAsync()).UserName;

        await service.RegisterAsync(guest, guest, "one");

        Assert.Equal(PasswordHashing.Pbkdf2, service.PasswordHashing);
        Assert.StartsWith("pbkdf2-sha256$1000$", (await RawUser(keys, guest))["passwordHash"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_ZnDraw_user_logging_in_with_default_options_in_the_ZnDraw_layout_keeps_its_hash()
    {
        var (service, keys, _) = Create(Spaces.ZnDraw);
        var name = NewName();
        await SeedAsync(keys, name, LegacyHash, LegacySalt);

        Assert.True((await service.LoginAsync(name, "s3cret")).Succeeded);
        Assert.True((await service.LoginAsync(name, "s3cret")).Succeeded);

        var raw = await RawUser(keys, name);
        Assert.Equal(LegacyHash, raw["passwordHash"]);
        Assert.Equal(LegacySalt, raw["passwordSalt"]);
        Assert.Equal(FixedTime.InstantText, raw["lastLogin"]);
    }

    [Theory]
    [InlineData(Spaces.Prefixed)]
    [InlineData(Spaces.Cluster)]
    [InlineData(Spaces.PrefixedCluster)]
    public async Task A_ZnDraw_user_logging_in_with_default_options_in_the_other_layouts_is_upgraded_to_pbkdf2(string space)
    {
        var (service, keys, _) = Create(space);
        var name = NewName();
        await SeedAsync(keys, name, LegacyHash, LegacySalt);

        Assert.True((await service.LoginAsync(name, "s3cret")).Succeeded);

        var raw = await RawUser(keys, name);
        Assert.StartsWith("pbkdf2-sha256$1000$" + raw["passwordSalt"] + "$", raw["passwordHash"], StringComparison.Ordinal);
        Assert.True((await service.LoginAsync(name, "s3cret")).Succeeded);
        Assert.False((await service.LoginAsync(name, "s3cret!")).Succeeded);
    }

    [Theory]
    [InlineData(PasswordHashing.Automatic)]
    [InlineData(PasswordHashing.ZnDrawSha256)]
    public async Task A_pbkdf2_user_stays_pbkdf2_after_login_under_the_ZnDraw_policy(PasswordHashing hashing)
    {
        var (service, keys, _) = Create(Spaces.ZnDraw, k => TestOptions.For(k, hashing));
        Assert.Equal(PasswordHashing.ZnDrawSha256, service.PasswordHashing);
        var (hash, salt) = new PasswordHasher(PasswordHashing.Pbkdf2, TestOptions.FastIterations).Hash("s3cret");
        var name = NewName();
        await SeedAsync(keys, name, hash, salt);
        var before = await Db.HashGetAsync(keys.User(name).HashKey(), ["passwordHash", "passwordSalt"]);

        Assert.True((await service.LoginAsync(name, "s3cret")).Succeeded);
        Assert.True((await service.LoginAsync(name, "s3cret")).Succeeded);

        var after = await Db.HashGetAsync(keys.User(name).HashKey(), ["passwordHash", "passwordSalt"]);
        Assert.Equal(Convert.ToHexString((byte[])before[0]!), Convert.ToHexString((byte[])after[0]!));
        Assert.Equal(Convert.ToHexString((byte[])before[1]!), Convert.ToHexString((byte[])after[1]!));
        Assert.StartsWith("pbkdf2-sha256$", (string?)after[0], StringComparison.Ordinal);
        Assert.Equal(FixedTime.InstantText, (await RawUser(keys, name))["lastLogin"]);
    }

    [Theory]
    [InlineData(Spaces.ZnDraw, PasswordHashing.Automatic)]
    [InlineData(Spaces.Prefixed, PasswordHashing.Automatic)]
    [InlineData(Spaces.Cluster, PasswordHashing.Pbkdf2)]
    public async Task Verify_password_answers_and_writes_nothing(string space, PasswordHashing hashing)
    {
        var (service, keys, _) = Create(space, k => TestOptions.For(k, hashing));
        var legacy = NewName();
        await SeedAsync(keys, legacy, LegacyHash, LegacySalt); // a login under PBKDF2 would upgrade it
        var guest = (await service.CreateGuestAsync()).UserName;
        var unknown = NewName();
        var before = await Db.HashGetAllAsync(keys.User(legacy).HashKey());
        var guestBefore = await Db.HashGetAllAsync(keys.User(guest).HashKey());

        var (results, m) = await RoundTrips.MeasureAsync(redis.Connection, async () => new[]
        {
            await service.VerifyPasswordAsync(legacy, "s3cret"),
            await service.VerifyPasswordAsync(" " + legacy + " ", "s3cret"),
            await service.VerifyPasswordAsync(legacy, "S3cret"),
            await service.VerifyPasswordAsync(guest, "s3cret"),
            await service.VerifyPasswordAsync(unknown, "s3cret"),
        });

        Assert.Equal([true, true, false, false, false], results);
        Assert.All(m.CommandNames, c => Assert.Contains(c, new[] { "EXISTS", "HMGET" }));
        Assert.Equal(
            before.OrderBy(e => (string)e.Name!).Select(e => ((string)e.Name!, Convert.ToHexString((byte[])e.Value!))),
            (await Db.HashGetAllAsync(keys.User(legacy).HashKey())).OrderBy(e => (string)e.Name!).Select(e => ((string)e.Name!, Convert.ToHexString((byte[])e.Value!))));
        Assert.Equal(
            guestBefore.OrderBy(e => (string)e.Name!).Select(e => ((string)e.Name!, (string)e.Value!)),
            (await Db.HashGetAllAsync(keys.User(guest).HashKey())).OrderBy(e => (string)e.Name!).Select(e => ((string)e.Name!, (string)e.Value!)));
        Assert.False(await Db.KeyExistsAsync(keys.User(unknown).HashKey()));
    }

    [Theory]
    [InlineData(2_000_000_000)]
    [InlineData(20_000_000)]
    public async Task A_stored_iteration_count_above_the_maximum_is_refused_without_hashing(int iterations)
    {
        using var provider = new FakeLoggerProvider();
        using var factory = LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Trace).AddProvider(provider));
        var (service, keys, _) = Create(Spaces.Prefixed, logger: factory.CreateLogger<UserService>());
        var name = NewName();
        var planted = $"pbkdf2-sha256${iterations}${LegacySalt}${LegacyHash}";
        await SeedAsync(keys, name, planted, LegacySalt);

        // Computing 2,000,000,000 iterations would take hours: these return because the count alone refuses the hash.
        Assert.Equal(LoginStatus.WrongPassword, (await service.LoginAsync(name, "s3cret")).Status);
        Assert.False(await service.VerifyPasswordAsync(name, "s3cret"));
        var ex = await Assert.ThrowsAsync<UserOperationException>(async () => await service.ChangePasswordAsync(name, "s3cret", "new"));
        Assert.Equal(UserOperationError.WrongPassword, ex.Error);

        Assert.Equal(3, provider.Collector.GetSnapshot().Count(e => e.Id.Id == 3108 && e.Level == LogLevel.Warning));
        Assert.Equal(planted, (await RawUser(keys, name))["passwordHash"]);
        Assert.Equal("2025-01-01T00:00:00", (await RawUser(keys, name))["lastLogin"]);
    }
}
