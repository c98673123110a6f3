using StackExchange.Redis;
using ZnDraw.Storage.Contracts;
using ZnDraw.Storage.Models;
using ZnDraw.Storage.Redis.Mapping;
using ZnDraw.Storage.Tests.Models;

namespace ZnDraw.Storage.Tests.Redis.Mapping;

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
        Assert.True(user.IsRegistered);
        Assert.Equal(UserRole.User, user.GetRole(isAdmin: false));
        Assert.Equal(UserRole.Admin, user.GetRole(isAdmin: true));

        Dictionary<string, string> written = TestData.ToDictionary(UserMapping.ToHashEntries(user));
        Dictionary<string, string> expected = TestData.ToDictionary(stored);
        expected["lastActivity"] = "2025-10-31T12:06:00.500000";

        // The credentials are not part of the model: a user never writes them (they stay as stored).
        expected.Remove("passwordHash");
        expected.Remove("passwordSalt");
        Assert.Equal(expected, written);
        Assert.Equal(user with { IsRegistered = false }, UserMapping.FromHash(Key, "alice", UserMapping.ToHashEntries(user)));
    }

    [Fact]
    public void Empty_hash_is_null_and_missing_username_falls_back_to_key_name()
    {
        Assert.Null(UserMapping.FromHash(Key, "alice", []));
        User guest = UserMapping.FromHash(Key, "alice", TestData.Hash(("currentSid", "abc")))!;
        Assert.Equal("alice", guest.UserName);
        Assert.Equal(UserRole.Guest, guest.GetRole(false));
        Assert.False(guest.IsRegistered);
    }

    [Fact]
    public void A_user_read_from_a_registered_hash_shows_and_serializes_no_hash_or_salt()
    {
        const string Hash = "1e6ac894fd19240b9821e0bc46f7dfb91c6a58d659288a080b633e98b99b248a";
        const string Salt = "00112233445566778899aabbccddeeff";
        User user = UserMapping.FromHash(Key, "alice", TestData.Hash(
            ("userName", "alice"), ("createdAt", "2025-10-31T12:00:00"), ("passwordHash", Hash), ("passwordSalt", Salt)))!;

        string text = user.ToString();
        string json = System.Text.Json.JsonSerializer.Serialize(user);

        Assert.True(user.IsRegistered);
        Assert.Contains("alice", text, StringComparison.Ordinal);
        Assert.Contains("alice", json, StringComparison.Ordinal);
        foreach (string secret in new[] { Hash, Salt })
        {
            Assert.DoesNotContain(secret, text, StringComparison.Ordinal);
            Assert.DoesNotContain(secret, json, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Credentials_show_and_serialize_no_hash_or_salt()
    {
        const string Hash = "pbkdf2-sha256$600000$00112233445566778899aabbccddeeff$1e6ac894fd19240b9821e0bc46f7dfb91c6a58d659288a080b633e98b99b248a";
        const string Salt = "00112233445566778899aabbccddeeff";
        var credentials = UserMapping.CredentialsFrom("alice", exists: true, [Hash, Salt])!;

        string text = credentials.ToString();
        string json = System.Text.Json.JsonSerializer.Serialize(credentials);

        Assert.Equal(Hash, credentials.PasswordHash);
        Assert.Equal(Salt, credentials.PasswordSalt);
        Assert.True(credentials.IsRegistered);
        Assert.Contains("alice", text, StringComparison.Ordinal);
        foreach (string secret in new[] { Hash, Salt, "1e6ac894fd19240b9821e0bc46f7dfb91c6a58d659288a080b633e98b99b248a" })
        {
            Assert.DoesNotContain(secret, text, StringComparison.Ordinal);
            Assert.DoesNotContain(secret, json, StringComparison.Ordinal);
        }

        Assert.Null(UserMapping.CredentialsFrom("alice", exists: false, [RedisValue.Null, RedisValue.Null]));
        Assert.False(UserMapping.CredentialsFrom("g", exists: true, [RedisValue.Null, RedisValue.Null])!.IsRegistered);
    }

    [Fact]
    public void Bad_timestamp_names_key_and_field()
    {
        var ex = Assert.Throws<StorageDataException>(() => UserMapping.FromHash(Key, "alice", TestData.Hash(("createdAt", "yesterday"))));
        Assert.Equal(Key, ex.Key);
        Assert.Equal("createdAt", ex.Field);
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

    [Fact]
    public void Script_pairs_are_the_hash_entries_and_null_fields_the_rest()
    {
        var created = new DateTime(2025, 10, 31, 12, 0, 5, DateTimeKind.Utc).AddTicks(1_234_560);
        User[] users =
        [
            new("alice"),
            new("bob", created, created),
            new("carol", created, created.AddSeconds(1), created.AddSeconds(2), "r1", "s1") { IsRegistered = true },
            new("dave", LastLogin: created, CurrentSid: ""),
        ];
        foreach (User user in users)
        {
            var pairs = new RedisValue[1 + (2 * UserMapping.FieldCount(user))];
            int at = 1;
            UserMapping.WritePairs(user, pairs, ref at);
            Assert.Equal(pairs.Length, at);
            HashEntry[] entries = UserMapping.ToHashEntries(user);
            Assert.Equal(entries.Length, UserMapping.FieldCount(user));
            for (int i = 0; i < entries.Length; i++)
            {
                Assert.Equal(entries[i].Name, pairs[1 + (2 * i)]);
                Assert.Equal(entries[i].Value, pairs[2 + (2 * i)]);
            }

            var nulls = new RedisValue[UserMapping.NullFieldCount(user)];
            at = 0;
            UserMapping.WriteNullFieldNames(user, nulls, ref at);
            Assert.Equal(nulls.Length, at);
            Assert.Equal(5, entries.Length - 1 + nulls.Length);
            Assert.Empty(entries.Select(e => (string)e.Name!).Intersect(nulls.Select(n => (string)n!)));

            // A save neither writes nor deletes the credentials.
            string[] touched = [.. entries.Select(e => (string)e.Name!), .. nulls.Select(n => (string)n!)];
            Assert.DoesNotContain("passwordHash", touched);
            Assert.DoesNotContain("passwordSalt", touched);
        }
    }

    [Fact]
    public void A_login_at_the_creation_time_is_written_as_the_same_text()
    {
        var created = new DateTime(2025, 10, 31, 12, 0, 5, DateTimeKind.Utc).AddTicks(1_234_560);
        Dictionary<string, string> same = TestData.ToDictionary(UserMapping.ToHashEntries(new User("bob", created, created)));
        Assert.Equal("2025-10-31T12:00:05.123456", same["createdAt"]);
        Assert.Equal(same["createdAt"], same["lastLogin"]);

        // Same ticks, other kind: each is formatted on its own (a local time is converted to UTC first).
        var local = DateTime.SpecifyKind(created, DateTimeKind.Local);
        Dictionary<string, string> mixed = TestData.ToDictionary(UserMapping.ToHashEntries(new User("bob", created, local)));
        Assert.Equal(ZnDrawTime.FormatIso(local), mixed["lastLogin"]);
        Assert.Equal("2025-10-31T12:00:05.123456", mixed["createdAt"]);
    }

    [Fact]
    public void A_prefixed_key_is_turned_into_text_for_the_error_only()
    {
        RedisKey key = new RedisKey("alice").Prepend("app1:user:"u8.ToArray());
        User user = UserMapping.FromHash(key, "alice", TestData.Hash(("createdAt", "2025-10-31T12:00:00")))!;
        Assert.Equal(new DateTime(2025, 10, 31, 12, 0, 0, DateTimeKind.Utc), user.CreatedAt);
        var ex = Assert.Throws<StorageDataException>(() => UserMapping.FromHash(key, "alice", TestData.Hash(("lastLogin", "soon"))));
        Assert.Equal("app1:user:alice", ex.Key);
        Assert.Equal("lastLogin", ex.Field);

        RedisKey role = new RedisKey("s1:role").Prepend("sid:"u8.ToArray());
        Assert.Equal("sid:s1:role", Assert.Throws<StorageDataException>(() => UserMapping.ParseRole(role, "root")).Key);
    }
}
