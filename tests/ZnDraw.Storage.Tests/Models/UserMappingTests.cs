using StackExchange.Redis;
using ZnDraw.Storage.Models;

namespace ZnDraw.Storage.Tests.Models;

public class UserMappingTests
{
    private const string Key = "user:alice";

    [Fact]
    public void Parses_a_registered_user_as_zndraw_writes_it_and_round_trips()
    {
        HashEntry[] stored = TestData.Hash(
            ("userName", "alice"),
            ("createdAt", "2025-10-31T12:00:00.123456"),
            ("lastLogin", "2025-10-31T12:05:00"),
            ("passwordHash", "1e6ac894fd19240b9821e0bc46f7dfb91c6a58d659288a080b633e98b99b248a"),
            ("passwordSalt", "00112233445566778899aabbccddeeff"),
            ("currentRoom", "r1"),
            ("currentSid", ""),
            ("lastActivity", "2025-10-31T12:06:00.5"));

        User user = UserMapping.FromHash(Key, "alice", TestData.AsBytes(stored))!;

        Assert.Equal("alice", user.UserName);
        Assert.Equal(new DateTime(2025, 10, 31, 12, 0, 0, DateTimeKind.Utc).AddTicks(1_234_560), user.CreatedAt);
        Assert.Equal("", user.CurrentSid);
        Assert.True(user.VerifyPassword("s3cret"));
        Assert.Equal(UserRole.User, user.GetRole(isAdmin: false));
        Assert.Equal(UserRole.Admin, user.GetRole(isAdmin: true));

        Dictionary<string, string> written = TestData.ToDictionary(UserMapping.ToHashEntries(user));
        Dictionary<string, string> expected = TestData.ToDictionary(stored);
        expected["lastActivity"] = "2025-10-31T12:06:00.500000";
        Assert.Equal(expected, written);
        Assert.Equal(user, UserMapping.FromHash(Key, "alice", UserMapping.ToHashEntries(user)));
    }

    [Fact]
    public void Empty_hash_is_null_and_missing_username_falls_back_to_key_name()
    {
        Assert.Null(UserMapping.FromHash(Key, "alice", []));
        User guest = UserMapping.FromHash(Key, "alice", TestData.Hash(("currentSid", "abc")))!;
        Assert.Equal("alice", guest.UserName);
        Assert.Equal(UserRole.Guest, guest.GetRole(false));
        Assert.False(guest.VerifyPassword(""));
    }

    [Fact]
    public void Bad_timestamp_names_key_and_field()
    {
        var ex = Assert.Throws<StorageDataException>(() => UserMapping.FromHash(Key, "alice", TestData.Hash(("createdAt", "yesterday"))));
        Assert.Equal(Key, ex.Key);
        Assert.Equal("createdAt", ex.Field);
    }

    [Fact]
    public void WithPassword_registers_with_a_fresh_salt()
    {
        User user = new User("bob").WithPassword("pw");
        Assert.True(user.IsRegistered);
        Assert.True(user.VerifyPassword("pw"));
        Assert.Matches("^[0-9a-f]{32}$", user.PasswordSalt!);
    }

    [Theory]
    [InlineData("guest", UserRole.Guest)]
    [InlineData("user", UserRole.User)]
    [InlineData("admin", UserRole.Admin)]
    public void Session_roles_round_trip(string text, UserRole role)
    {
        Assert.Equal(role, UserMapping.ParseRole("sid:s1:role", TestData.Bytes(text)));
        Assert.Equal(text, (string?)UserMapping.FormatRole(role));
    }

    [Fact]
    public void Unknown_role_is_a_storage_error_and_missing_role_is_null()
    {
        Assert.Null(UserMapping.ParseRole("sid:s1:role", RedisValue.Null));
        var ex = Assert.Throws<StorageDataException>(() => UserMapping.ParseRole("sid:s1:role", "root"));
        Assert.Equal("sid:s1:role", ex.Key);

        Assert.Null(UserMapping.SessionFromValues("s1", "sid:s1:role", RedisValue.Null, RedisValue.Null));
        Assert.Equal(new SessionInfo("s1", "alice", UserRole.Admin), UserMapping.SessionFromValues("s1", "sid:s1:role", "alice", "admin"));
    }

    [Theory]
    [InlineData("1", true)]
    [InlineData("0", false)]
    [InlineData("true", false)]
    [InlineData(" 1", false)]
    public void Admin_flag_is_exactly_one(string stored, bool expected)
    {
        Assert.Equal(expected, UserMapping.ParseAdminFlag(TestData.Bytes(stored)));
        Assert.False(UserMapping.ParseAdminFlag(RedisValue.Null));
        Assert.Equal("1", (string?)UserMapping.AdminFlagValue);
    }
}
