using StackExchange.Redis;
using ZnDraw.Storage.Contracts;
using ZnDraw.Storage.Models;
using ZnDraw.Storage.Redis.Keys;
using ZnDraw.Storage.Redis.Repositories;
using ZnDraw.Storage.Testing;
using ZnDraw.Storage.Tests.Infrastructure;

namespace ZnDraw.Storage.Tests.Repositories.Users;

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
        Assert.Contains(name, await repo.ListAllAsync());
        Assert.True(await repo.ExistsAsync(name));
        Assert.Equal(new User(name, Now, Now), await repo.GetByIdAsync(name));
    }

    [Theory]
    [MemberData(nameof(Spaces.All), MemberType = typeof(Spaces))]
    public async Task Create_of_an_existing_user_returns_false_and_changes_nothing(string space)
    {
        var (repo, keys) = Create(space);
        string name = NewName();
        await Db.HashSetAsync(keys.User(name).HashKey(), [new("userName", name), new("createdAt", "2020-01-01T00:00:00")]);

        Assert.False(await repo.CreateAsync(new User(name, CurrentRoom: "r1")));

        var raw = await RawHash(Db, keys.User(name).HashKey());
        Assert.Equal(2, raw.Count);
        Assert.Equal("2020-01-01T00:00:00", raw["createdAt"]);
        Assert.Contains(name, await repo.ListAllAsync()); // the index entry is repaired
    }

    [Theory]
    [MemberData(nameof(Spaces.All), MemberType = typeof(Spaces))]
    public async Task Concurrent_creates_of_one_name_have_exactly_one_winner(string space)
    {
        var (repo, keys) = Create(space);
        string name = NewName();

        bool[] results = await Task.WhenAll(Enumerable.Range(0, 16).Select(i =>
            Task.Run(async () => await repo.CreateAsync(new User(name, CurrentRoom: "room" + i)))));

        Assert.Single(results, r => r);
        Assert.Single(await repo.ListAllAsync(), n => n == name);
        var raw = await RawHash(Db, keys.User(name).HashKey());
        Assert.Equal(4, raw.Count); // one writer's fields, not a mix
    }

    [Fact]
    public async Task List_all_is_sorted_ordinally()
    {
        var (repo, _) = Create(Spaces.Prefixed);
        foreach (string n in new[] { "bob", "Alice", "alice", "Zed", "ümit" })
        {
            await repo.CreateAsync(new User(n));
        }

        Assert.Equal(["Alice", "Zed", "alice", "bob", "ümit"], await repo.ListAllAsync());
        Assert.Empty(await repo.ListAdminsAsync());
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
    public async Task Get_of_a_missing_user_is_null()
    {
        var (repo, _) = Create(Spaces.ZnDraw);
        Assert.Null(await repo.GetByIdAsync(NewName()));
        Assert.False(await repo.ExistsAsync(NewName()));
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
        Assert.DoesNotContain(name, await repo.ListAllAsync());
        Assert.DoesNotContain(name, await repo.ListAdminsAsync());
        Assert.False(await repo.DeleteAsync(name));
    }

    [Theory]
    [MemberData(nameof(Spaces.All), MemberType = typeof(Spaces))]
    public async Task Set_password_writes_hash_and_salt_together_and_never_creates_a_user(string space)
    {
        var (repo, keys) = Create(space);
        string name = NewName(), missing = NewName();
        await repo.CreateAsync(new User(name));

        Assert.True(await repo.SetPasswordAsync(name, Hash1, Salt1));
        Assert.False(await repo.SetPasswordAsync(missing, Hash1, Salt1));

        Assert.True((await repo.GetByIdAsync(name))!.IsRegistered);
        Assert.True(await VerifiesAsync(repo, name, "s3cret"));
        Assert.Equal(UserRole.User, await repo.GetRoleAsync(name));
        Assert.False(await Db.KeyExistsAsync(keys.User(missing).HashKey()));
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
    [InlineData("1E6AC894FD19240B9821E0BC46F7DFB91C6A58D659288A080B633E98B99B248A", Salt1)]
    [InlineData("abc", Salt1)]
    [InlineData(Hash1, "")]
    [InlineData("pbkdf2-sha256$10000001$" + Salt1 + "$" + Hash1, Salt1)]
    [InlineData("pbkdf2-sha256$2000000000$" + Salt1 + "$" + Hash1, Salt1)]
    public async Task Set_password_refuses_a_malformed_hash_or_empty_salt(string hash, string salt)
    {
        var (repo, _) = Create(Spaces.ZnDraw);
        await Assert.ThrowsAsync<ArgumentException>(async () => await repo.SetPasswordAsync(NewName(), hash, salt));
        await Assert.ThrowsAsync<ArgumentException>(async () => await repo.RegisterPasswordAsync(NewName(), hash, salt));
    }

    [Fact]
    public async Task A_pbkdf2_hash_up_to_the_maximum_iterations_is_stored()
    {
        var (repo, _) = Create(Spaces.ZnDraw);
        string name = NewName();
        await repo.CreateAsync(new User(name));
        string hash = "pbkdf2-sha256$10000000$" + Salt1 + "$" + Hash1;

        Assert.True(await repo.SetPasswordAsync(name, hash, Salt1));

        Assert.Equal(hash, (await repo.GetCredentialsAsync(name))!.PasswordHash);
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
        Assert.True(await repo.IsAdminAsync(name));
        Assert.Contains(name, await repo.ListAdminsAsync());
        Assert.Equal(UserRole.Admin, await repo.GetRoleAsync(name));

        await repo.SetAdminAsync(name, false);
        Assert.False(await Db.KeyExistsAsync(keys.User(name).AdminKey()));
        Assert.False(await repo.IsAdminAsync(name));
        Assert.DoesNotContain(name, await repo.ListAdminsAsync());
        Assert.Equal(UserRole.Guest, await repo.GetRoleAsync(name));
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
    public async Task Field_updates_write_existing_users_only(string space)
    {
        var (repo, keys) = Create(space);
        string name = NewName(), missing = NewName();
        await Db.HashSetAsync(keys.User(name).HashKey(), "userName", name);

        Assert.True(await repo.SetCurrentRoomAsync(name, "room.1"));
        Assert.True(await repo.SetCurrentSidAsync(name, "sidA"));
        Assert.True(await repo.TouchLastActivityAsync(name));
        Assert.True(await repo.TouchLastLoginAsync(name));
        Assert.Equal(new User(name, null, Now, Now, "room.1", "sidA"), await repo.GetByIdAsync(name));
        var raw = await RawHash(Db, keys.User(name).HashKey());
        Assert.Equal(FixedTime.InstantText, raw["lastActivity"]);
        Assert.Equal(FixedTime.InstantText, raw["lastLogin"]);

        Assert.True(await repo.SetCurrentSidAsync(name, ""));
        Assert.Equal("", (string?)await Db.HashGetAsync(keys.User(name).HashKey(), "currentSid"));

        Assert.False(await repo.SetCurrentRoomAsync(missing, "r"));
        Assert.False(await repo.SetCurrentSidAsync(missing, "s"));
        Assert.False(await repo.TouchLastActivityAsync(missing));
        Assert.False(await repo.TouchLastLoginAsync(missing));
        Assert.False(await Db.KeyExistsAsync(keys.User(missing).HashKey()));
    }

    [Fact]
    public async Task Field_updates_validate_their_values_before_sending()
    {
        var (repo, _) = Create(Spaces.ZnDraw);
        string name = NewName();
        await Assert.ThrowsAsync<ArgumentException>(async () => await repo.SetCurrentRoomAsync(name, "a:b"));
        await Assert.ThrowsAsync<ArgumentException>(async () => await repo.SetCurrentSidAsync(name, "a:b"));
        await Assert.ThrowsAsync<ArgumentException>(async () => await repo.GetByIdAsync(" padded"));
        await Assert.ThrowsAsync<ArgumentException>(async () => await repo.RenameAsync(name, name));
        await Assert.ThrowsAsync<ArgumentException>(async () => await repo.RenameAsync(name, NewName(), Hash1, null));
        await Assert.ThrowsAsync<ArgumentNullException>(async () => await repo.SaveAsync(null!));
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();
        await Assert.ThrowsAsync<OperationCanceledException>(async () => await repo.GetByIdAsync(name, cts.Token));
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

    [Theory]
    [MemberData(nameof(Spaces.All), MemberType = typeof(Spaces))]
    public async Task Rename_without_a_password_carries_the_old_one_and_no_admin_flag_appears(string space)
    {
        var (repo, keys) = Create(space);
        string oldName = NewName(), newName = NewName();
        await Db.HashSetAsync(keys.User(oldName).HashKey(), [new("userName", oldName), new("passwordHash", Hash2), new("passwordSalt", Salt2)]);

        Assert.True(await repo.RenameAsync(oldName, newName));

        User? user = await repo.GetByIdAsync(newName);
        Assert.Equal(new User(newName, Now, Now) { IsRegistered = true }, user);
        Assert.True(await VerifiesAsync(repo, newName, "pässwort"));
        Assert.False(await Db.KeyExistsAsync(keys.User(newName).AdminKey()));
        Assert.DoesNotContain(newName, await repo.ListAdminsAsync());
    }

    [Theory]
    [MemberData(nameof(Spaces.All), MemberType = typeof(Spaces))]
    public async Task Rename_fails_without_change_when_the_new_name_exists_or_the_old_does_not(string space)
    {
        var (repo, keys) = Create(space);
        string a = NewName(), b = NewName(), missing = NewName();
        await repo.CreateAsync(new User(a, CurrentRoom: "ra"));
        await repo.CreateAsync(new User(b, CurrentRoom: "rb"));
        var beforeA = await RawHash(Db, keys.User(a).HashKey());
        var beforeB = await RawHash(Db, keys.User(b).HashKey());

        Assert.False(await repo.RenameAsync(a, b));
        Assert.False(await repo.RenameAsync(missing, NewName()));

        Assert.Equal(beforeA, await RawHash(Db, keys.User(a).HashKey()));
        Assert.Equal(beforeB, await RawHash(Db, keys.User(b).HashKey()));
        Assert.Contains(a, await repo.ListAllAsync());
        Assert.False(await Db.KeyExistsAsync(keys.User(missing).HashKey()));
    }

    [Theory]
    [MemberData(nameof(Spaces.All), MemberType = typeof(Spaces))]
    public async Task Concurrent_renames_to_one_name_have_one_winner_and_lose_nothing(string space)
    {
        var (repo, keys) = Create(space);
        string target = NewName();
        string[] olds = [.. Enumerable.Range(0, 8).Select(_ => NewName())];
        for (int i = 0; i < olds.Length; i++)
        {
            await repo.CreateAsync(new User(olds[i], new DateTime(2025, 1, 1, 0, 0, i, DateTimeKind.Utc), Now));
        }

        bool[] results = await Task.WhenAll(olds.Select(o => Task.Run(async () => await repo.RenameAsync(o, target))));

        Assert.Single(results, r => r);
        int winner = Array.IndexOf(results, true);
        User? renamed = await repo.GetByIdAsync(target);
        Assert.Equal(new DateTime(2025, 1, 1, 0, 0, winner, DateTimeKind.Utc), renamed!.CreatedAt);
        for (int i = 0; i < olds.Length; i++)
        {
            Assert.Equal(i != winner, await Db.KeyExistsAsync(keys.User(olds[i]).HashKey()));
        }

        IReadOnlyList<string> users = await repo.ListAllAsync();
        Assert.Contains(target, users);
        Assert.Equal(olds.Length - 1, olds.Count(users.Contains));
    }

    [Fact]
    public async Task Concurrent_renames_of_one_user_to_different_names_leave_exactly_one_copy_in_the_cluster_layout()
    {
        var (repo, keys) = Create(Spaces.Cluster);
        string old = NewName();
        await repo.CreateAsync(new User(old));
        string[] targets = [.. Enumerable.Range(0, 8).Select(_ => NewName())];

        bool[] results = await Task.WhenAll(targets.Select(t => Task.Run(async () => await repo.RenameAsync(old, t))));

        Assert.Single(results, r => r);
        Assert.False(await Db.KeyExistsAsync(keys.User(old).HashKey()));
        for (int i = 0; i < targets.Length; i++)
        {
            Assert.Equal(results[i], await Db.KeyExistsAsync(keys.User(targets[i]).HashKey()));
        }
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
    public async Task Get_role_names_the_wrong_typed_key_and_reads_every_role(string space)
    {
        var (repo, keys) = Create(space);
        string guest = NewName(), user = NewName(), admin = NewName(), badHash = NewName(), badFlag = NewName();
        await repo.CreateAsync(new User(guest));
        await repo.CreateAsync(new User(user));
        await repo.SetPasswordAsync(user, Hash1, Salt1);
        await repo.SetAdminAsync(admin, true);
        await Db.StringSetAsync(keys.User(badHash).HashKey(), "not a hash");
        await Db.HashSetAsync(keys.User(badFlag).AdminKey(), "x", "1");

        Assert.Equal(UserRole.Guest, await repo.GetRoleAsync(guest));
        Assert.Equal(UserRole.User, await repo.GetRoleAsync(user));
        Assert.Equal(UserRole.Admin, await repo.GetRoleAsync(admin));
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
