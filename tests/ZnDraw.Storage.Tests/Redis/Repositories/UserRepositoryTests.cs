using StackExchange.Redis;
using ZnDraw.Storage.Contracts;
using ZnDraw.Storage.Models;
using ZnDraw.Storage.Redis.Keys;
using ZnDraw.Storage.Redis.Repositories;
using ZnDraw.Storage.Testing;
using ZnDraw.Storage.Tests.Infrastructure;
using ZnDraw.Storage.Tests.Redis.Repositories;

namespace ZnDraw.Storage.Tests.Redis.Repositories;

/// <summary>Redis facts of the user repository (exact fields and keys, round trips, scripts, ZnDraw-written data, wrong types); its behaviour is <see cref="Testing.Contracts.UserRepositoryContract"/>.</summary>
[Collection(RedisCollection.Name)]
public sealed class UserRepositoryTests(RedisFixture redis)
{
    private static readonly DateTime Now = FixedTime.Instant.UtcDateTime;

    // Test vectors of the layout reference (Python hashlib).
    private const string Salt1 = "00112233445566778899aabbccddeeff";
    private const string Hash1 = "1e6ac894fd19240b9821e0bc46f7dfb91c6a58d659288a080b633e98b99b248a";
    private const string Salt2 = "ffeeddccbbaa99887766554433221100";
    private const string Hash2 = "383bbbd0a6115b3bc5e420abc573b41e13d899619a080e23bb08dcd960b5f4ce";

    private IDatabase Db => redis.Database;

    private (UserRepository Repo, KeySpace Space) Create(string space)
    {
        KeySpace keys = Spaces.Create(space);
        return (new UserRepository(Spaces.Context(redis, keys)), keys);
    }

    private static string NewName() => RedisFixture.NewId("user");

    private static async Task<Dictionary<string, string>> RawHash(IDatabase db, RedisKey key) =>
        (await db.HashGetAllAsync(key)).ToDictionary(e => (string)e.Name!, e => (string)e.Value!);

    // Whether the stored credentials of a user verify with ZnDraw's algorithm.
    private static async Task<bool> VerifiesAsync(UserRepository repo, string name, string password)
    {
        UserCredentials? c = await repo.GetCredentialsAsync(name);
        return c is not null && ZnDrawPasswordHash.Verify(password, c.PasswordSalt, c.PasswordHash);
    }

    [Theory]
    [MemberData(nameof(Spaces.All), MemberType = typeof(Spaces))]
    public async Task Create_writes_what_ZnDraw_create_user_writes_and_indexes_the_name(string space)
    {
        var (repo, keys) = Create(space);
        string name = NewName();

        Assert.True(await repo.CreateAsync(new User(name)));

        var raw = await RawHash(Db, keys.User(name).HashKey());
        Assert.Equal(
            new Dictionary<string, string> { ["userName"] = name, ["createdAt"] = FixedTime.InstantText, ["lastLogin"] = FixedTime.InstantText },
            raw);
        Assert.True(await Db.SetContainsAsync(keys.Global.UsersIndex(), name));
    }

    [Theory]
    [MemberData(nameof(Spaces.All), MemberType = typeof(Spaces))]
    public async Task Create_of_a_user_an_older_server_wrote_changes_nothing_and_repairs_the_index(string space)
    {
        var (repo, keys) = Create(space);
        string name = NewName();
        await Db.HashSetAsync(keys.User(name).HashKey(), [new("userName", name), new("createdAt", "2020-01-01T00:00:00")]);

        Assert.False(await repo.CreateAsync(new User(name, CurrentRoom: "r1")));

        var raw = await RawHash(Db, keys.User(name).HashKey());
        Assert.Equal(2, raw.Count);
        Assert.Equal("2020-01-01T00:00:00", raw["createdAt"]);
        Assert.True(await Db.SetContainsAsync(keys.Global.UsersIndex(), name)); // the index entry is repaired
    }

    [Fact]
    public async Task Every_read_and_write_is_one_round_trip()
    {
        var (repo, _) = Create(Spaces.ZnDraw);
        string name = NewName(), other = NewName();
        await repo.CreateAsync(new User(other)); // loads the scripts
        await repo.SetPasswordAsync(other, Hash1, Salt1);
        await repo.SetAdminAsync(other, true);
        await repo.SaveAsync(new User(other));
        await repo.RenameAsync(other, NewName());
        await repo.DeleteAsync(other);

        Func<Task>[] operations =
        [
            async () => await repo.CreateAsync(new User(name)),
            async () => await repo.GetByIdAsync(name),
            async () => await repo.ExistsAsync(name),
            async () => await repo.SaveAsync(new User(name, Now, Now, CurrentRoom: "r1")),
            async () => await repo.ListAllAsync(),
            async () => await repo.SetPasswordAsync(name, Hash1, Salt1),
            async () => await repo.SetAdminAsync(name, true),
            async () => await repo.IsAdminAsync(name),
            async () => await repo.ListAdminsAsync(),
            async () => await repo.GetRoleAsync(name),
            async () => await repo.SetCurrentRoomAsync(name, "r2"),
            async () => await repo.SetCurrentSidAsync(name, "sid1"),
            async () => await repo.TouchLastActivityAsync(name),
            async () => await repo.TouchLastLoginAsync(name),
            async () => await repo.RenameAsync(name, name + "-new"),
            async () => await repo.DeleteAsync(name + "-new"),
        ];

        foreach (Func<Task> operation in operations)
        {
            var m = await RoundTrips.MeasureAsync(redis.Connection, operation);
            Assert.True(m.RoundTrips == 1, m.ToString());
        }
    }

    [Fact]
    public async Task A_user_hash_written_by_ZnDraw_reads_and_its_password_verifies()
    {
        var (repo, keys) = Create(Spaces.ZnDraw);
        string name = NewName();

        // As ZnDraw writes it: create_user's mapping, register_user's two HSETs, socket connect and join.
        RedisKey key = keys.User(name).HashKey();
        await Db.HashSetAsync(key, [new("userName", name), new("createdAt", "2025-10-31T11:59:58.5"), new("lastLogin", "2025-10-31T12:00:00")]);
        await Db.HashSetAsync(key, "passwordHash", Hash2);
        await Db.HashSetAsync(key, "passwordSalt", Salt2);
        await Db.HashSetAsync(key, [new("currentSid", "abc123"), new("lastActivity", "2025-10-31T12:00:01.000001")]);
        await Db.HashSetAsync(key, "currentRoom", "room-1");
        await Db.HashSetAsync(key, "currentSid", "");

        User? user = await repo.GetByIdAsync(name);

        Assert.NotNull(user);
        Assert.Equal(name, user.UserName);
        Assert.Equal(new DateTime(2025, 10, 31, 11, 59, 58, 500, DateTimeKind.Utc), user.CreatedAt);
        Assert.Equal(new DateTime(2025, 10, 31, 12, 0, 0, DateTimeKind.Utc), user.LastLogin);
        Assert.Equal(new DateTime(2025, 10, 31, 12, 0, 1, DateTimeKind.Utc).AddTicks(10), user.LastActivity);
        Assert.Equal("room-1", user.CurrentRoom);
        Assert.Equal("", user.CurrentSid);
        Assert.True(user.IsRegistered);
        Assert.True(await VerifiesAsync(repo, name, "pässwort"));
        Assert.False(await VerifiesAsync(repo, name, "passwort"));
        Assert.Equal(UserRole.User, await repo.GetRoleAsync(name));
    }

    [Fact]
    public async Task Save_writes_byte_identical_fields_replaces_known_ones_and_keeps_credentials_and_unknown_ones()
    {
        var (repo, keys) = Create(Spaces.Prefixed);
        string name = NewName();
        RedisKey key = keys.User(name).HashKey();
        await Db.HashSetAsync(key, [new("userName", name), new("passwordHash", Hash1), new("passwordSalt", Salt1), new("laterField", "x")]);

        var user = new User(name, Now, Now, Now, "r1", "sid9");
        await repo.SaveAsync(user);

        var raw = await RawHash(Db, key);
        Assert.Equal(
            new Dictionary<string, string>
            {
                ["userName"] = name, ["createdAt"] = FixedTime.InstantText, ["lastLogin"] = FixedTime.InstantText,
                ["lastActivity"] = FixedTime.InstantText, ["currentRoom"] = "r1", ["currentSid"] = "sid9", ["laterField"] = "x",
                ["passwordHash"] = Hash1, ["passwordSalt"] = Salt1,
            },
            raw);
        Assert.Equal(user with { IsRegistered = true }, await repo.GetByIdAsync(name));
        Assert.Equal([name], await repo.ListAllAsync());
    }

    [Theory]
    [MemberData(nameof(Spaces.All), MemberType = typeof(Spaces))]
    public async Task Delete_removes_hash_flag_and_both_index_entries(string space)
    {
        var (repo, keys) = Create(space);
        string name = NewName();
        await repo.CreateAsync(new User(name));
        await repo.SetAdminAsync(name, true);

        Assert.True(await repo.DeleteAsync(name));

        Assert.False(await Db.KeyExistsAsync(keys.User(name).HashKey()));
        Assert.False(await Db.KeyExistsAsync(keys.User(name).AdminKey()));
        Assert.False(await Db.SetContainsAsync(keys.Global.UsersIndex(), name));
        Assert.False(await Db.SetContainsAsync(keys.Global.AdminsIndex(), name));
    }

    [Fact]
    public async Task Set_password_sends_one_HSET_with_both_fields()
    {
        var (repo, _) = Create(Spaces.ZnDraw);
        string name = NewName();
        await repo.CreateAsync(new User(name));
        await repo.SetPasswordAsync(name, Hash1, Salt1);

        var m = await RoundTrips.MeasureAsync(redis.Connection, async () => { await repo.SetPasswordAsync(name, Hash2, Salt2); });

        Assert.Equal(["EVALSHA"], m.CommandNames);
        Assert.True(await VerifiesAsync(repo, name, "pässwort"));
    }

    [Theory]
    [MemberData(nameof(Spaces.All), MemberType = typeof(Spaces))]
    public async Task Register_password_writes_only_a_first_password_of_an_existing_user(string space)
    {
        var (repo, keys) = Create(space);
        string name = NewName(), missing = NewName();
        await repo.CreateAsync(new User(name));
        await Db.HashSetAsync(keys.User(name).HashKey(), "futureField", "kept");

        Assert.False(await repo.RegisterPasswordAsync(missing, Hash1, Salt1)); // also loads the script (NOSCRIPT once)
        var m = await RoundTrips.MeasureAsync(redis.Connection, async () => Assert.True(await repo.RegisterPasswordAsync(name, Hash1, Salt1)));
        Assert.False(await repo.RegisterPasswordAsync(name, Hash2, Salt2));

        Assert.Equal(1, m.RoundTrips);
        Dictionary<string, string> raw = await RawHash(Db, keys.User(name).HashKey());
        Assert.Equal(Hash1, raw["passwordHash"]);
        Assert.Equal(Salt1, raw["passwordSalt"]);
        Assert.Equal("kept", raw["futureField"]);
        Assert.False(await Db.KeyExistsAsync(keys.User(missing).HashKey()));
        Assert.Equal(UserRole.User, await repo.GetRoleAsync(name));
    }

    [Theory]
    [MemberData(nameof(Spaces.All), MemberType = typeof(Spaces))]
    public async Task Get_credentials_reads_hash_and_salt_in_one_round_trip_and_names_a_wrong_typed_key(string space)
    {
        var (repo, keys) = Create(space);
        string user = NewName(), guest = NewName(), missing = NewName(), bad = NewName();
        await repo.CreateAsync(new User(user));
        await repo.SetPasswordAsync(user, Hash2, Salt2);
        await repo.CreateAsync(new User(guest));
        await Db.StringSetAsync(keys.User(bad).HashKey(), "not a hash");

        var (credentials, m) = await RoundTrips.MeasureAsync(redis.Connection, async () => await repo.GetCredentialsAsync(user));

        Assert.Equal(1, m.RoundTrips);
        Assert.Equal((user, Hash2, Salt2, true), (credentials!.UserName, credentials.PasswordHash, credentials.PasswordSalt, credentials.IsRegistered));
        var g = await repo.GetCredentialsAsync(guest);
        Assert.Equal((guest, (string?)null, (string?)null, false), (g!.UserName, g.PasswordHash, g.PasswordSalt, g.IsRegistered));
        Assert.Null(await repo.GetCredentialsAsync(missing));
        var ex = await Assert.ThrowsAsync<StorageDataException>(async () => await repo.GetCredentialsAsync(bad));
        Assert.Equal((string)keys.User(bad).HashKey()!, ex.Key);
    }

    [Theory]
    [MemberData(nameof(Spaces.All), MemberType = typeof(Spaces))]
    public async Task Admin_flag_is_written_as_ZnDraw_writes_it_and_indexed(string space)
    {
        var (repo, keys) = Create(space);
        string name = NewName();
        await repo.CreateAsync(new User(name));

        await repo.SetAdminAsync(name, true);
        Assert.Equal("1", (string?)await Db.StringGetAsync(keys.User(name).AdminKey()));
        Assert.True(await Db.SetContainsAsync(keys.Global.AdminsIndex(), name));

        await repo.SetAdminAsync(name, false);
        Assert.False(await Db.KeyExistsAsync(keys.User(name).AdminKey()));
        Assert.False(await Db.SetContainsAsync(keys.Global.AdminsIndex(), name));
    }

    [Fact]
    public async Task Role_follows_ZnDraws_rules()
    {
        var (repo, keys) = Create(Spaces.ZnDraw);
        string guest = NewName(), registered = NewName(), odd = NewName();
        await Db.HashSetAsync(keys.User(guest).HashKey(), "userName", guest);
        await Db.HashSetAsync(keys.User(registered).HashKey(), "passwordHash", Hash1);
        await Db.HashSetAsync(keys.User(odd).HashKey(), "userName", odd);
        await Db.StringSetAsync(keys.User(odd).AdminKey(), "true");

        Assert.Equal(UserRole.Guest, await repo.GetRoleAsync(guest));
        Assert.Equal(UserRole.User, await repo.GetRoleAsync(registered));
        Assert.Equal(UserRole.Guest, await repo.GetRoleAsync(odd)); // only "1" means admin
        Assert.False(await repo.IsAdminAsync(odd));
        Assert.Equal(UserRole.Guest, await repo.GetRoleAsync(NewName()));
    }

    [Theory]
    [MemberData(nameof(Spaces.All), MemberType = typeof(Spaces))]
    public async Task Field_updates_write_ZnDraws_text_into_an_older_servers_hash_and_no_half_hash(string space)
    {
        var (repo, keys) = Create(space);
        string name = NewName(), missing = NewName();
        await Db.HashSetAsync(keys.User(name).HashKey(), "userName", name);

        Assert.True(await repo.SetCurrentRoomAsync(name, "room.1"));
        Assert.True(await repo.SetCurrentSidAsync(name, ""));
        Assert.True(await repo.TouchLastActivityAsync(name));
        Assert.True(await repo.TouchLastLoginAsync(name));
        Assert.Equal(
            new Dictionary<string, string>
            {
                ["userName"] = name, ["currentRoom"] = "room.1", ["currentSid"] = "",
                ["lastActivity"] = FixedTime.InstantText, ["lastLogin"] = FixedTime.InstantText,
            },
            await RawHash(Db, keys.User(name).HashKey()));

        Assert.False(await repo.SetCurrentRoomAsync(missing, "r"));
        Assert.False(await repo.TouchLastLoginAsync(missing));
        Assert.False(await Db.KeyExistsAsync(keys.User(missing).HashKey())); // no half hash without userName
    }

    [Theory]
    [MemberData(nameof(Spaces.All), MemberType = typeof(Spaces))]
    public async Task Rename_moves_the_user_as_ZnDraw_registration_does(string space)
    {
        var (repo, keys) = Create(space);
        string oldName = NewName(), newName = NewName();
        RedisKey oldKey = keys.User(oldName).HashKey();
        await Db.HashSetAsync(oldKey, [new("userName", oldName), new("createdAt", "2025-01-02T03:04:05"), new("lastLogin", "2025-01-02T03:04:05"),
            new("currentRoom", "r1"), new("currentSid", "s1"), new("lastActivity", "2025-01-02T03:04:06")]);
        await repo.SaveAsync((await repo.GetByIdAsync(oldName))!); // indexes the old name
        await repo.SetAdminAsync(oldName, true);

        Assert.True(await repo.RenameAsync(oldName, newName, Hash1, Salt1));

        Assert.Equal(
            new Dictionary<string, string>
            {
                ["userName"] = newName, ["passwordHash"] = Hash1, ["passwordSalt"] = Salt1,
                ["createdAt"] = "2025-01-02T03:04:05", ["lastLogin"] = FixedTime.InstantText,
            },
            await RawHash(Db, keys.User(newName).HashKey()));
        Assert.False(await Db.KeyExistsAsync(oldKey));
        Assert.False(await Db.KeyExistsAsync(keys.User(oldName).AdminKey()));
        Assert.True(await repo.IsAdminAsync(newName));
        IReadOnlyList<string> users = await repo.ListAllAsync(), admins = await repo.ListAdminsAsync();
        Assert.Contains(newName, users);
        Assert.DoesNotContain(oldName, users);
        Assert.Contains(newName, admins);
        Assert.DoesNotContain(oldName, admins);
        Assert.True(await VerifiesAsync(repo, newName, "s3cret"));
    }

    [Fact]
    public async Task Wrong_types_and_bad_values_are_storage_data_errors_naming_the_key()
    {
        var (repo, keys) = Create(Spaces.ZnDraw);
        string stringUser = NewName(), badTime = NewName(), hashFlag = NewName();
        RedisKey stringKey = keys.User(stringUser).HashKey();
        await Db.StringSetAsync(stringKey, "not a hash");
        await Db.HashSetAsync(keys.User(badTime).HashKey(), [new("userName", badTime), new("createdAt", "yesterday")]);
        await Db.HashSetAsync(keys.User(hashFlag).AdminKey(), "x", "1");

        var e1 = await Assert.ThrowsAsync<StorageDataException>(async () => await repo.GetByIdAsync(stringUser));
        Assert.Equal((string)stringKey!, e1.Key);
        var e2 = await Assert.ThrowsAsync<StorageDataException>(async () => await repo.GetByIdAsync(badTime));
        Assert.Equal("createdAt", e2.Field);
        var e3 = await Assert.ThrowsAsync<StorageDataException>(async () => await repo.CreateAsync(new User(stringUser)));
        Assert.Contains((string)stringKey!, e3.Key, StringComparison.Ordinal);
        await Assert.ThrowsAsync<StorageDataException>(async () => await repo.SetPasswordAsync(stringUser, Hash1, Salt1));
        await Assert.ThrowsAsync<StorageDataException>(async () => await repo.RenameAsync(stringUser, NewName()));
        var e4 = await Assert.ThrowsAsync<StorageDataException>(async () => await repo.IsAdminAsync(hashFlag));
        Assert.Equal((string)keys.User(hashFlag).AdminKey()!, e4.Key);
        await Assert.ThrowsAsync<StorageDataException>(async () => await repo.GetRoleAsync(hashFlag));
        Assert.Equal("not a hash", (string?)await Db.StringGetAsync(stringKey)); // nothing written
    }

    [Fact]
    public async Task A_wrong_typed_index_set_fails_before_any_write()
    {
        KeySpace space = Spaces.Create(Spaces.Prefixed);
        var repo = new UserRepository(Spaces.Context(redis, space));
        await Db.StringSetAsync(space.Global.UsersIndex(), "oops");
        string name = NewName();

        await Assert.ThrowsAsync<StorageDataException>(async () => await repo.CreateAsync(new User(name)));
        await Assert.ThrowsAsync<StorageDataException>(async () => await repo.ListAllAsync());

        Assert.False(await Db.KeyExistsAsync(space.User(name).HashKey()));
    }

    [Theory]
    [MemberData(nameof(Spaces.All), MemberType = typeof(Spaces))]
    public async Task Get_role_names_the_wrong_typed_key(string space)
    {
        var (repo, keys) = Create(space);
        string badHash = NewName(), badFlag = NewName();
        await Db.StringSetAsync(keys.User(badHash).HashKey(), "not a hash");
        await Db.HashSetAsync(keys.User(badFlag).AdminKey(), "x", "1");

        var e1 = await Assert.ThrowsAsync<StorageDataException>(async () => await repo.GetRoleAsync(badHash));
        Assert.Equal((string)keys.User(badHash).HashKey()!, e1.Key);
        var e2 = await Assert.ThrowsAsync<StorageDataException>(async () => await repo.GetRoleAsync(badFlag));
        Assert.Equal((string)keys.User(badFlag).AdminKey()!, e2.Key);
    }

    [Theory]
    [MemberData(nameof(Spaces.All), MemberType = typeof(Spaces))]
    public async Task Save_deletes_the_null_fields_writes_the_others_and_keeps_the_credentials(string space)
    {
        var (repo, keys) = Create(space);
        string name = NewName();
        await repo.CreateAsync(new User(name, Now, Now, Now, "r1", "s1"));
        await repo.SetPasswordAsync(name, Hash1, Salt1);
        await Db.HashSetAsync(keys.User(name).HashKey(), "futureField", "kept");

        await repo.SaveAsync(new User(name, Now, Now.AddSeconds(1)));

        Dictionary<string, string> stored = await RawHash(Db, keys.User(name).HashKey());
        Assert.Equal(
            new Dictionary<string, string>
            {
                ["userName"] = name,
                ["createdAt"] = ZnDrawTime.FormatIso(Now),
                ["lastLogin"] = ZnDrawTime.FormatIso(Now.AddSeconds(1)),
                ["futureField"] = "kept",
                ["passwordHash"] = Hash1,
                ["passwordSalt"] = Salt1,
            },
            stored);
    }
}
