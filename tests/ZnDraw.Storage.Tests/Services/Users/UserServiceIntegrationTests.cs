using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using ZnDraw.Storage.Models;
using ZnDraw.Storage.Redis.Keys;
using ZnDraw.Storage.Redis.Repositories;
using ZnDraw.Storage.Services;
using ZnDraw.Storage.Testing;
using ZnDraw.Storage.Tests.Infrastructure;
using ZnDraw.Storage.Tests.Redis.Repositories;

namespace ZnDraw.Storage.Tests.Services.Users;

/// <summary><see cref="UserService"/> on the real <see cref="UserRepository"/> and Redis.</summary>
[Collection(RedisCollection.Name)]
public sealed class UserServiceIntegrationTests(RedisFixture redis)
{
    private IDatabase Db => redis.Database;

    private (UserService Service, KeySpace Space) Create(string space, IOptions<ZnDrawStorageOptions> options)
    {
        var keys = Spaces.Create(space);
        return (new UserService(new UserRepository(Spaces.Context(redis, keys)), options, NullLogger<UserService>.Instance), keys);
    }

    private static string NewName() => RedisFixture.NewId("user");

    private async Task<Dictionary<string, string>> RawUser(KeySpace keys, string name) =>
        (await Db.HashGetAllAsync(keys.User(name).HashKey())).ToDictionary(e => (string)e.Name!, e => (string)e.Value!);

    [Theory]
    [MemberData(nameof(Spaces.All), MemberType = typeof(Spaces))]
    public async Task Guest_then_register_then_login_under_ZnDraws_hashing_writes_what_ZnDraw_verifies(string space)
    {
        var (service, keys) = Create(space, TestOptions.ZnDrawSha256());
        var name = NewName();

        var guest = await service.LoginAsync(null, null);
        Assert.True(guest.Created);
        Assert.True(await Db.KeyExistsAsync(keys.User(guest.UserName).HashKey()));

        Assert.Equal(name, await service.RegisterAsync(guest.UserName, " " + name + " ", "s3cret"));

        Assert.False(await Db.KeyExistsAsync(keys.User(guest.UserName).HashKey()));
        var raw = await RawUser(keys, name);
        Assert.True(ZnDrawPasswordHash.Verify("s3cret", raw["passwordSalt"], raw["passwordHash"]));
        Assert.Equal(FixedTime.InstantText, raw["createdAt"]);
        Assert.Equal(UserRole.User, await service.GetRoleAsync(name));
        Assert.Equal(new LoginResult(LoginStatus.Succeeded, name, UserRole.User), await service.LoginAsync(name, "s3cret"));
        Assert.Equal(LoginStatus.WrongPassword, (await service.LoginAsync(name, "S3cret")).Status);
        Assert.Equal(LoginStatus.PasswordRequired, (await service.LoginAsync(name, null)).Status);
        Assert.Contains(name, await service.ListAsync());
    }

    [Fact]
    public async Task A_user_ZnDraw_registered_logs_in_and_ZnDraws_hashing_keeps_its_hash()
    {
        var (service, keys) = Create(Spaces.ZnDraw, TestOptions.ZnDrawSha256());
        var name = NewName();
        await Db.HashSetAsync(keys.User(name).HashKey(), [
            new("userName", name), new("createdAt", "2025-01-01T00:00:00"), new("lastLogin", "2025-01-01T00:00:00"),
            new("passwordHash", "1e6ac894fd19240b9821e0bc46f7dfb91c6a58d659288a080b633e98b99b248a"),
            new("passwordSalt", "00112233445566778899aabbccddeeff")]);

        Assert.True((await service.LoginAsync(name, "s3cret")).Succeeded);

        var raw = await RawUser(keys, name);
        Assert.Equal("1e6ac894fd19240b9821e0bc46f7dfb91c6a58d659288a080b633e98b99b248a", raw["passwordHash"]);
        Assert.Equal(FixedTime.InstantText, raw["lastLogin"]);
    }

    [Fact]
    public async Task A_legacy_login_succeeds_under_pbkdf2_whatever_the_upgrade_does()
    {
        var (service, keys) = Create(Spaces.ZnDraw, TestOptions.Pbkdf2());
        var name = NewName();
        await Db.HashSetAsync(keys.User(name).HashKey(), [
            new("userName", name), new("createdAt", "2025-01-01T00:00:00"),
            new("passwordHash", "383bbbd0a6115b3bc5e420abc573b41e13d899619a080e23bb08dcd960b5f4ce"),
            new("passwordSalt", "ffeeddccbbaa99887766554433221100")]);

        Assert.Equal(new LoginResult(LoginStatus.Succeeded, name, UserRole.User), await service.LoginAsync(name, "pässwort"));
        Assert.True((await service.LoginAsync(name, "pässwort")).Succeeded);
    }

    [Fact]
    public async Task A_legacy_hash_is_upgraded_to_pbkdf2_at_the_next_login()
    {
        var (service, keys) = Create(Spaces.ZnDraw, TestOptions.Pbkdf2());
        var name = NewName();
        await Db.HashSetAsync(keys.User(name).HashKey(), [
            new("userName", name), new("createdAt", "2025-01-01T00:00:00"),
            new("passwordHash", "1e6ac894fd19240b9821e0bc46f7dfb91c6a58d659288a080b633e98b99b248a"),
            new("passwordSalt", "00112233445566778899aabbccddeeff")]);

        Assert.True((await service.LoginAsync(name, "s3cret")).Succeeded);

        var raw = await RawUser(keys, name);
        Assert.StartsWith("pbkdf2-sha256$1000$" + raw["passwordSalt"] + "$", raw["passwordHash"], StringComparison.Ordinal);
        Assert.True((await service.LoginAsync(name, "s3cret")).Succeeded);
        Assert.Equal(LoginStatus.WrongPassword, (await service.LoginAsync(name, "s3cret!")).Status);
    }

    [Theory]
    [MemberData(nameof(Spaces.All), MemberType = typeof(Spaces))]
    public async Task Register_change_and_reset_write_pbkdf2_hashes_under_pbkdf2(string space)
    {
        var (service, keys) = Create(space, TestOptions.Pbkdf2());
        var guest = (await service.CreateGuestAsync()).UserName;
        var name = NewName();

        await service.RegisterAsync(guest, name, "one");
        Assert.StartsWith("pbkdf2-sha256$", (await RawUser(keys, name))["passwordHash"], StringComparison.Ordinal);
        Assert.True((await service.LoginAsync(name, "one")).Succeeded);

        await service.ChangePasswordAsync(name, "one", "two");
        Assert.True((await service.LoginAsync(name, "two")).Succeeded);

        await service.ResetPasswordAsync(name, "three");
        Assert.True((await service.LoginAsync(name, "three")).Succeeded);
        Assert.False((await service.LoginAsync(name, "two")).Succeeded);
    }

    [Fact]
    public async Task Change_and_reset_password_under_ZnDraws_hashing()
    {
        var (service, keys) = Create(Spaces.ZnDraw, TestOptions.ZnDrawSha256());
        var guest = (await service.CreateGuestAsync()).UserName;
        await service.RegisterAsync(guest, guest, "one");

        var ex = await Assert.ThrowsAsync<UserOperationException>(async () => await service.ChangePasswordAsync(guest, "wrong", "two"));
        Assert.Equal(UserOperationError.WrongPassword, ex.Error);
        await service.ChangePasswordAsync(guest, "one", "two");
        Assert.False((await service.LoginAsync(guest, "one")).Succeeded);
        Assert.True((await service.LoginAsync(guest, "two")).Succeeded);

        await service.ResetPasswordAsync(guest, "three");
        Assert.True((await service.LoginAsync(guest, "three")).Succeeded);
        var raw = await RawUser(keys, guest);
        Assert.True(ZnDrawPasswordHash.Verify("three", raw["passwordSalt"], raw["passwordHash"]));
    }

    [Fact]
    public async Task Of_concurrent_registrations_to_one_name_exactly_one_succeeds()
    {
        var (service, keys) = Create(Spaces.ZnDraw, TestOptions.ZnDrawSha256());
        var guests = new List<string>();
        for (var i = 0; i < 8; i++)
        {
            guests.Add((await service.CreateGuestAsync()).UserName);
        }

        var name = NewName();
        var outcomes = await Task.WhenAll(guests.Select(async g =>
        {
            try
            {
                await service.RegisterAsync(g, name, "pw-" + g);
                return g;
            }
            catch (UserOperationException ex) when (ex.Error == UserOperationError.UserNameTaken)
            {
                return null;
            }
        }));

        var winner = Assert.Single(outcomes, o => o is not null);
        Assert.True((await service.LoginAsync(name, "pw-" + winner)).Succeeded);
        foreach (var g in guests.Where(g => g != winner))
        {
            Assert.True(await Db.KeyExistsAsync(keys.User(g).HashKey()));
        }
    }

    [Fact]
    public async Task The_admin_flag_and_the_profile()
    {
        var (service, keys) = Create(Spaces.ZnDraw, TestOptions.ZnDrawSha256());
        var guest = (await service.LoginAsync(null, null)).UserName;

        await service.SetAdminAsync(guest, true);
        Assert.Equal("1", (string?)await Db.StringGetAsync(keys.User(guest).AdminKey()));
        Assert.Equal(UserRole.Admin, (await service.LoginAsync(guest, null)).Role);
        Assert.Equal(new UserProfile(guest, UserRole.Admin, FixedTime.Instant.UtcDateTime, FixedTime.Instant.UtcDateTime, null, null, null), await service.GetAsync(guest));

        await service.SetAdminAsync(guest, false);
        Assert.Equal(UserRole.Guest, await service.GetRoleAsync(guest));
        Assert.Null(await service.GetAsync(NewName()));
    }
}
