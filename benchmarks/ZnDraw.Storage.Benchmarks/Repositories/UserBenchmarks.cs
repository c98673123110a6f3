using System.Globalization;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using StackExchange.Redis;
using ZnDraw.Storage.Benchmarks.Infrastructure;
using ZnDraw.Storage.Models;
using ZnDraw.Storage.Redis.Repositories;
using ZnDraw.Storage.Redis.Scripts;

namespace ZnDraw.Storage.Benchmarks.Repositories;

/// <summary>
/// Users: HGETALL parsed into a <see cref="User"/>, EXISTS, the index listings, the admin flag and role reads, and the
/// write scripts (save, set fields, set admin, create+delete, rename). Every write is idempotent on its keys (the same
/// values written again); create+delete and the rename that moves a user back and forth leave the state as they found it.
/// </summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
[FullRunOnly]
[ClusterTwins]
public class UserBenchmarks : RedisBenchmark
{
    private const string ReadUser = "bench-user";
    private const string WriteUser = "bench-writer";
    private const string SavedUser = "bench-saved";
    private const string AdminUser = "bench-admin";
    private const string TransientUser = "bench-transient";
    private const string RenameA = "bench-rename-a";
    private const string RenameB = "bench-rename-b";
    private const string RoomId = "bench-room";
    private const string Sid = "bench-sid";
    private const string PasswordHash = "5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8";
    private const string PasswordSalt = "0123456789abcdef0123456789abcdef";
    private const int IndexedUsers = 100;
    private const int IndexedAdmins = 10;
    private static readonly DateTime Created = new DateTime(2025, 10, 31, 12, 0, 5, DateTimeKind.Utc).AddTicks(1_234_560);
    private static readonly DateTime LoggedIn = new(2025, 11, 2, 8, 30, 0, DateTimeKind.Utc);
    private static readonly DateTime Active = new DateTime(2025, 11, 2, 9, 15, 42, DateTimeKind.Utc).AddTicks(5_000);
    private IDatabase _db = null!;
    private UserRepository _users = null!;
    private RawScript _create = null!;
    private RawScript _save = null!;
    private RawScript _delete = null!;
    private RawScript _setFields = null!;
    private RawScript _setAdmin = null!;
    private RawScript _rename = null!;
    private RawScript _registerPassword = null!;
    private RawScript _renameCreate = null!;
    private RawScript _renameDeleteOld = null!;
    private string _readKey = null!; // were constants: built once for the layout of the run
    private string _writeKey = null!;
    private string _adminFlag = null!;
    private string _readFlag = null!;
    private User _saved = null!;
    private bool _renamedAway;

    protected override async Task SetupAsync()
    {
        _db = Db();
        _readKey = UserKey(ReadUser);
        _writeKey = UserKey(WriteUser);
        _adminFlag = AdminKey(AdminUser);
        _readFlag = AdminKey(ReadUser);
        _users = new UserRepository(BenchmarkRedis.Context());
        _create = new RawScript(UserScripts.Create.Text);
        _save = new RawScript(UserScripts.Save.Text);
        _delete = new RawScript(UserScripts.Delete.Text);
        _setFields = new RawScript(UserScripts.SetFields.Text);
        _setAdmin = new RawScript(UserScripts.SetAdmin.Text);
        _rename = new RawScript(UserScripts.Rename.Text);
        _registerPassword = new RawScript(UserScripts.RegisterPassword.Text);
        _renameCreate = new RawScript(UserScripts.RenameCreate.Text);
        _renameDeleteOld = new RawScript(UserScripts.RenameDeleteOld.Text);

        // A registered user with every field (the read side); a second one the field writes change.
        var full = new User(ReadUser, Created, LoggedIn, Active, RoomId, Sid);
        await _users.DeleteAsync(ReadUser);
        await _users.CreateAsync(full);
        await _users.SetPasswordAsync(ReadUser, PasswordHash, PasswordSalt);
        await _users.DeleteAsync(WriteUser);
        await _users.CreateAsync(full with { UserName = WriteUser });
        await _users.SetPasswordAsync(WriteUser, PasswordHash, PasswordSalt);
        await _users.SetAdminAsync(AdminUser, true);
        await _users.DeleteAsync(TransientUser);

        // Save replaces what the model knows: three null members are deleted (HDEL), the others written.
        _saved = new User(SavedUser, Created, LoggedIn);
        await _users.SaveAsync(_saved);
        for (int i = 0; i < IndexedUsers; i++)
        {
            string name = "bench-listed-" + i.ToString(CultureInfo.InvariantCulture);
            await _users.CreateAsync(new User(name, Created, LoggedIn));
            if (i < IndexedAdmins)
            {
                await _users.SetAdminAsync(name, true);
            }
        }

        await ResetRenameAsync();
    }

    protected override async Task VerifyAsync()
    {
        Same(await _users.GetByIdAsync(ReadUser), await Raw_get_by_id_once(), "get by id");
        Same(await _users.ExistsAsync(ReadUser), await Raw_exists_once(), "exists");
        SameSequence(await _users.ListAllAsync(), await Raw_list_all_once(), "list all");
        SameSequence(await _users.ListAdminsAsync(), await Raw_list_admins_once(), "list admins");
        Same(await _users.IsAdminAsync(AdminUser), await Raw_is_admin_once(), "is admin");
        Same(await _users.IsAdminAsync(AdminUser), true, "is admin (flag set)");
        Same(await _users.GetRoleAsync(ReadUser), await Raw_get_role_once(), "role");
        Same(await _users.GetRoleAsync(ReadUser), UserRole.User, "role of a registered user");
        Same(Describe(await _users.GetCredentialsAsync(ReadUser)), Describe(await Raw_get_credentials_once()), "credentials");
        Same(Describe(await _users.GetCredentialsAsync(ReadUser)), $"{ReadUser} {PasswordHash} {PasswordSalt}", "credentials of a registered user");

        // Writes: the stored state after the library call equals the state after the raw twin, from the same start.
        Same(await WrittenAsync(SavedUser, () => Lib_save_once().AsTask()), await WrittenAsync(SavedUser, Raw_save_once), "hash written by save");
        Same(await WrittenAsync(WriteUser, () => Lib_set_password_once().AsTask()), await WrittenAsync(WriteUser, Raw_set_password_once), "hash written by set password");
        Same(await WrittenAsync(WriteUser, () => Lib_set_current_room_once().AsTask()), await WrittenAsync(WriteUser, Raw_set_current_room_once), "hash written by set current room");
        Same(await WrittenAsync(WriteUser, () => Lib_set_current_sid_once().AsTask()), await WrittenAsync(WriteUser, Raw_set_current_sid_once), "hash written by set current sid");
        Same(await _users.SetPasswordAsync(WriteUser, PasswordHash, PasswordSalt), await Raw_set_password_once(), "set password result");
        Same(await WrittenAsync(WriteUser, () => Lib_register_password_once().AsTask()), await WrittenAsync(WriteUser, Raw_register_password_once), "hash written by register password");
        Same(await _users.RegisterPasswordAsync(WriteUser, PasswordHash, PasswordSalt), await Raw_register_password_once(), "register password result (already registered)");
        Same(await _users.SetCurrentRoomAsync(WriteUser, RoomId), await Raw_set_current_room_once(), "set current room result");
        Same(await _users.SetCurrentSidAsync(WriteUser, Sid), await Raw_set_current_sid_once(), "set current sid result");
        await VerifyTouchAsync("lastActivity", () => Lib_touch_last_activity_once().AsTask(), Raw_touch_last_activity_once);
        await VerifyTouchAsync("lastLogin", () => Lib_touch_last_login_once().AsTask(), Raw_touch_last_login_once);

        await _db.KeyDeleteAsync(_adminFlag);
        await _db.SetRemoveAsync("admins:index", AdminUser);
        await Lib_set_admin_once();
        string lib = await AdminStateAsync();
        await _db.KeyDeleteAsync(_adminFlag);
        await _db.SetRemoveAsync("admins:index", AdminUser);
        await Raw_set_admin_once();
        Same(lib, await AdminStateAsync(), "flag and index written by set admin");

        Same(await Lib_create_then_delete_once(), true, "library create+delete");
        Same(await Raw_create_then_delete_once(), true, "raw create+delete");
        await _users.CreateAsync(new User(TransientUser, Created, LoggedIn));
        string libCreated = await UserStateAsync(TransientUser);
        await _users.DeleteAsync(TransientUser);
        string libDeleted = await UserStateAsync(TransientUser);
        await RawCreateAsync(TransientUser);
        Same(libCreated, await UserStateAsync(TransientUser), "user written by create");
        await RawDeleteAsync(TransientUser);
        Same(libDeleted, await UserStateAsync(TransientUser), "user left by delete");

        await ResetRenameAsync();
        Same(await _users.RenameAsync(RenameA, RenameB, PasswordHash, PasswordSalt), true, "library rename");
        string libRenamed = await RenameStateAsync();
        await ResetRenameAsync();
        Same(await RawRenameAsync(RenameA, RenameB), true, "raw rename");
        Same(libRenamed, await RenameStateAsync(), "users written by rename");
        await ResetRenameAsync();
    }

    private async Task<string> WrittenAsync(string user, Func<Task> write)
    {
        // A known start with a stale field (which save deletes) and a field of a later ZnDraw version (which stays).
        await _db.KeyDeleteAsync(UserKey(user));
        await _db.HashSetAsync(UserKey(user), [new("userName", user), new("createdAt", "2020-01-01T00:00:00"), new("currentRoom", "old-room"), new("futureField", "kept")]);
        await write();
        return Describe(await _db.HashGetAllAsync(UserKey(user)));
    }

    private async Task VerifyTouchAsync(string field, Func<Task<bool>> lib, Func<Task<bool>> raw)
    {
        Same(await lib(), await raw(), field + " result");
        foreach (Func<Task<bool>> touch in new[] { lib, raw })
        {
            await _db.HashDeleteAsync(_writeKey, field);
            DateTime before = DateTime.UtcNow.AddSeconds(-1);
            await touch();
            string stored = (string)(await _db.HashGetAsync(_writeKey, field))!;
            if (!ZnDrawTime.TryParseIso(stored, out DateTime parsed) || ZnDrawTime.FormatIso(parsed) != stored || parsed < before || parsed > DateTime.UtcNow.AddSeconds(1))
            {
                throw new InvalidOperationException($"{field}: '{stored}' is not the current time in ZnDraw's ISO form.");
            }
        }
    }

    private async Task<string> AdminStateAsync() =>
        (string?)await _db.StringGetAsync(_adminFlag) + " " + await _db.SetContainsAsync("admins:index", AdminUser);

    private async Task<string> UserStateAsync(string user) =>
        Describe(await _db.HashGetAllAsync(UserKey(user))) + " flag=" + (string?)await _db.StringGetAsync(AdminKey(user))
        + " users=" + await _db.SetContainsAsync("users:index", user) + " admins=" + await _db.SetContainsAsync("admins:index", user);

    // After renaming A to B: both hashes (lastLogin is "now", so only its form is compared), flags and index entries.
    private async Task<string> RenameStateAsync()
    {
        HashEntry[] renamed = await _db.HashGetAllAsync(UserKey(RenameB));
        string login = renamed.Single(e => e.Name == "lastLogin").Value.ToString();
        if (!ZnDrawTime.TryParseIso(login, out DateTime parsed) || ZnDrawTime.FormatIso(parsed) != login)
        {
            throw new InvalidOperationException($"rename: lastLogin '{login}' is not in ZnDraw's ISO form.");
        }

        return Describe([.. renamed.Where(e => e.Name != "lastLogin")]) + " | " + await UserStateAsync(RenameA) + " | "
            + (string?)await _db.StringGetAsync(AdminKey(RenameB)) + " " + await _db.SetContainsAsync("users:index", RenameB)
            + " " + await _db.SetContainsAsync("admins:index", RenameB);
    }

    /// <summary><c>user:{name}</c>, or <c>user:{{name}}</c> (the cluster-safe layout's hash tag) on the cluster.</summary>
    internal static string UserKey(string name) => BenchmarkCluster.Active ? "user:{" + name + "}" : "user:" + name;

    /// <summary><c>admin:user:{name}</c>, or <c>admin:user:{{name}}</c> on the cluster.</summary>
    private static string AdminKey(string name) => BenchmarkCluster.Active ? "admin:user:{" + name + "}" : "admin:user:" + name;

    private static string Describe(UserCredentials? c) => c is null ? "none" : $"{c.UserName} {c.PasswordHash} {c.PasswordSalt}";

    private static string Describe(HashEntry[] entries) =>
        string.Join(", ", entries.OrderBy(e => (string?)e.Name, StringComparer.Ordinal).Select(e => $"{e.Name}={e.Value}"));

    // A guest with the fields ZnDraw's create_user writes (plus an old session), to be registered under the other name.
    private async Task ResetRenameAsync()
    {
        await _users.DeleteAsync(RenameA);
        await _users.DeleteAsync(RenameB);
        await _users.CreateAsync(new User(RenameA, Created, LoggedIn, Active, RoomId, Sid));
        _renamedAway = false;
    }

    private static DateTime ParseIso(in RedisValue v) =>
        DateTime.Parse((string)v!, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);

    // Python's isoformat() of a naive UTC time: six fraction digits, none when the microseconds are zero.
    private static string FormatIso(DateTime utc) =>
        utc.Ticks % TimeSpan.TicksPerSecond / 10 == 0
            ? utc.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture)
            : utc.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff", CultureInfo.InvariantCulture);

    private static IReadOnlyList<string> SortedNames(RedisValue[] members)
    {
        var names = new string[members.Length];
        for (int i = 0; i < names.Length; i++)
        {
            names[i] = members[i].ToString();
        }

        Array.Sort(names, StringComparer.Ordinal);
        return names;
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Ops), BenchmarkCategory("Users.GetById")]
    public Task Raw_get_by_id() => Repeat(Raw_get_by_id_once);

    public async Task<User?> Raw_get_by_id_once()
    {
        HashEntry[] entries = await _db.HashGetAllAsync(_readKey).ConfigureAwait(false);
        if (entries.Length == 0)
        {
            return null;
        }

        string? name = null, room = null, sid = null;
        bool registered = false;
        DateTime? created = null, login = null, activity = null;
        foreach (HashEntry entry in entries)
        {
            RedisValue v = entry.Value;
            switch ((string?)entry.Name)
            {
                case "userName": name = v; break;
                case "createdAt": created = ParseIso(v); break;
                case "lastLogin": login = ParseIso(v); break;
                case "lastActivity": activity = ParseIso(v); break;
                case "currentRoom": room = v; break;
                case "currentSid": sid = v; break;
                case "passwordHash": registered = true; break;
                default: break;
            }
        }

        return new User(name ?? ReadUser, created, login, activity, room, sid) { IsRegistered = registered };
    }

    [Benchmark(OperationsPerInvoke = Ops), BenchmarkCategory("Users.GetById")]
    public Task Lib_get_by_id() => Repeat(Lib_get_by_id_once);

    public ValueTask<User?> Lib_get_by_id_once() => _users.GetByIdAsync(ReadUser);

    [Benchmark(Baseline = true, OperationsPerInvoke = Ops), BenchmarkCategory("Users.Exists")]
    public Task Raw_exists() => Repeat(Raw_exists_once);

    public Task<bool> Raw_exists_once() => _db.KeyExistsAsync(_readKey);

    [Benchmark(OperationsPerInvoke = Ops), BenchmarkCategory("Users.Exists")]
    public Task Lib_exists() => Repeat(Lib_exists_once);

    public ValueTask<bool> Lib_exists_once() => _users.ExistsAsync(ReadUser);

    [Benchmark(Baseline = true, OperationsPerInvoke = Ops), BenchmarkCategory("Users.Save")]
    public Task Raw_save() => Repeat(Raw_save_once);

    public Task Raw_save_once()
    {
        User u = _saved;
        var deleted = new List<RedisValue>(7);
        if (u.CreatedAt is null)
        {
            deleted.Add("createdAt");
        }

        if (u.LastLogin is null)
        {
            deleted.Add("lastLogin");
        }

        if (u.LastActivity is null)
        {
            deleted.Add("lastActivity");
        }

        if (u.CurrentRoom is null)
        {
            deleted.Add("currentRoom");
        }

        if (u.CurrentSid is null)
        {
            deleted.Add("currentSid");
        }

        var args = new List<RedisValue>(2 + deleted.Count + 16) { u.UserName, deleted.Count };
        args.AddRange(deleted);
        args.Add("userName");
        args.Add(u.UserName);
        if (u.CreatedAt is { } created)
        {
            args.Add("createdAt");
            args.Add(FormatIso(created));
        }

        if (u.LastLogin is { } login)
        {
            args.Add("lastLogin");
            args.Add(FormatIso(login));
        }

        if (u.CurrentRoom is { } room)
        {
            args.Add("currentRoom");
            args.Add(room);
        }

        if (u.CurrentSid is { } sid)
        {
            args.Add("currentSid");
            args.Add(sid);
        }

        if (u.LastActivity is { } activity)
        {
            args.Add("lastActivity");
            args.Add(FormatIso(activity));
        }

        if (BenchmarkCluster.Active)
        {
            return SaveThenIndexAsync(UserKey(u.UserName), [.. args], u.UserName);
        }

        return _db.ScriptEvaluateAsync(_save.Sha1, [UserKey(u.UserName), "users:index"], [.. args]);
    }

    // The cluster-safe layout: the script in the user's slot, then the index (another slot).
    private async Task SaveThenIndexAsync(string key, RedisValue[] args, string name)
    {
        await _db.ScriptEvaluateAsync(_save.Sha1, [key], args).ConfigureAwait(false);
        await _db.SetAddAsync("users:index", name).ConfigureAwait(false);
    }

    [Benchmark(OperationsPerInvoke = Ops), BenchmarkCategory("Users.Save")]
    public Task Lib_save() => Repeat(Lib_save_once);

    public ValueTask Lib_save_once() => _users.SaveAsync(_saved);

    [Benchmark(Baseline = true, OperationsPerInvoke = Ops), BenchmarkCategory("Users.CreateThenDelete")]
    public Task Raw_create_then_delete() => Repeat(Raw_create_then_delete_once);

    public async Task<bool> Raw_create_then_delete_once() =>
        await RawCreateAsync(TransientUser).ConfigureAwait(false) && await RawDeleteAsync(TransientUser).ConfigureAwait(false);

    private async Task<bool> RawCreateAsync(string name)
    {
        string created = FormatIso(Created);
        RedisValue[] args = [name, "userName", name, "createdAt", created, "lastLogin", FormatIso(LoggedIn)];
        if (BenchmarkCluster.Active)
        {
            // The script in the user's slot, then the index.
            RedisResult written = await _db.ScriptEvaluateAsync(_create.Sha1, [UserKey(name)], args).ConfigureAwait(false);
            await _db.SetAddAsync("users:index", name).ConfigureAwait(false);
            return (long)written == 1;
        }

        return (long)await _db.ScriptEvaluateAsync(_create.Sha1, [UserKey(name), "users:index"], args).ConfigureAwait(false) == 1;
    }

    private async Task<bool> RawDeleteAsync(string name)
    {
        if (BenchmarkCluster.Active)
        {
            // The script in the user's slot, then both index sets in one batch.
            RedisResult deleted = await _db.ScriptEvaluateAsync(_delete.Sha1, [UserKey(name), AdminKey(name)], [name]).ConfigureAwait(false);
            IBatch batch = _db.CreateBatch();
            Task<bool> users = batch.SetRemoveAsync("users:index", name);
            Task<bool> admins = batch.SetRemoveAsync("admins:index", name);
            batch.Execute();
            await users.ConfigureAwait(false);
            await admins.ConfigureAwait(false);
            return (long)deleted == 1;
        }

        RedisKey[] keys = [UserKey(name), AdminKey(name), "users:index", "admins:index"];
        return (long)await _db.ScriptEvaluateAsync(_delete.Sha1, keys, [name]).ConfigureAwait(false) == 1;
    }

    [Benchmark(OperationsPerInvoke = Ops), BenchmarkCategory("Users.CreateThenDelete")]
    public Task Lib_create_then_delete() => Repeat(Lib_create_then_delete_once);

    public async Task<bool> Lib_create_then_delete_once() =>
        await _users.CreateAsync(new User(TransientUser, Created, LoggedIn)).ConfigureAwait(false)
        && await _users.DeleteAsync(TransientUser).ConfigureAwait(false);

    [Benchmark(Baseline = true, OperationsPerInvoke = Ops), BenchmarkCategory("Users.ListAll")]
    public Task Raw_list_all() => Repeat(Raw_list_all_once);

    public async Task<IReadOnlyList<string>> Raw_list_all_once() =>
        SortedNames(await _db.SetMembersAsync("users:index").ConfigureAwait(false));

    [Benchmark(OperationsPerInvoke = Ops), BenchmarkCategory("Users.ListAll")]
    public Task Lib_list_all() => Repeat(Lib_list_all_once);

    public ValueTask<IReadOnlyList<string>> Lib_list_all_once() => _users.ListAllAsync();

    [Benchmark(Baseline = true, OperationsPerInvoke = Ops), BenchmarkCategory("Users.SetPassword")]
    public Task Raw_set_password() => Repeat(Raw_set_password_once);

    public async Task<bool> Raw_set_password_once() =>
        (long)await _db.ScriptEvaluateAsync(_setFields.Sha1, [_writeKey], ["passwordHash", PasswordHash, "passwordSalt", PasswordSalt]).ConfigureAwait(false) == 1;

    [Benchmark(OperationsPerInvoke = Ops), BenchmarkCategory("Users.SetPassword")]
    public Task Lib_set_password() => Repeat(Lib_set_password_once);

    public ValueTask<bool> Lib_set_password_once() => _users.SetPasswordAsync(WriteUser, PasswordHash, PasswordSalt);

    // Repeated on a registered user: the refused path (HLEN, HEXISTS), the one a race's losers take.
    [Benchmark(Baseline = true, OperationsPerInvoke = Ops), BenchmarkCategory("Users.RegisterPassword")]
    public Task Raw_register_password() => Repeat(Raw_register_password_once);

    public async Task<bool> Raw_register_password_once() =>
        (long)await _db.ScriptEvaluateAsync(_registerPassword.Sha1, [_writeKey], [PasswordHash, PasswordSalt]).ConfigureAwait(false) == 1;

    [Benchmark(OperationsPerInvoke = Ops), BenchmarkCategory("Users.RegisterPassword")]
    public Task Lib_register_password() => Repeat(Lib_register_password_once);

    public ValueTask<bool> Lib_register_password_once() => _users.RegisterPasswordAsync(WriteUser, PasswordHash, PasswordSalt);

    [Benchmark(Baseline = true, OperationsPerInvoke = Ops), BenchmarkCategory("Users.GetCredentials")]
    public Task Raw_get_credentials() => Repeat(Raw_get_credentials_once);

    public async Task<UserCredentials?> Raw_get_credentials_once()
    {
        IBatch batch = _db.CreateBatch();
        Task<bool> exists = batch.KeyExistsAsync(_readKey);
        Task<RedisValue[]> fields = batch.HashGetAsync(_readKey, ["passwordHash", "passwordSalt"]);
        batch.Execute();
        bool found = await exists.ConfigureAwait(false);
        RedisValue[] values = await fields.ConfigureAwait(false);
        return found ? new UserCredentials(ReadUser, values[0], values[1]) : null;
    }

    [Benchmark(OperationsPerInvoke = Ops), BenchmarkCategory("Users.GetCredentials")]
    public Task Lib_get_credentials() => Repeat(Lib_get_credentials_once);

    public ValueTask<UserCredentials?> Lib_get_credentials_once() => _users.GetCredentialsAsync(ReadUser);

    [Benchmark(Baseline = true, OperationsPerInvoke = Ops), BenchmarkCategory("Users.SetAdmin")]
    public Task Raw_set_admin() => Repeat(Raw_set_admin_once);

    public Task Raw_set_admin_once() =>
        BenchmarkCluster.Active
            ? SetAdminThenIndexAsync()
            : _db.ScriptEvaluateAsync(_setAdmin.Sha1, [_adminFlag, "admins:index"], [AdminUser, "1"]);

    // The cluster-safe layout: the flag (its own slot), then the index.
    private async Task SetAdminThenIndexAsync()
    {
        await _db.StringSetAsync(_adminFlag, "1").ConfigureAwait(false);
        await _db.SetAddAsync("admins:index", AdminUser).ConfigureAwait(false);
    }

    [Benchmark(OperationsPerInvoke = Ops), BenchmarkCategory("Users.SetAdmin")]
    public Task Lib_set_admin() => Repeat(Lib_set_admin_once);

    public ValueTask Lib_set_admin_once() => _users.SetAdminAsync(AdminUser, true);

    [Benchmark(Baseline = true, OperationsPerInvoke = Ops), BenchmarkCategory("Users.IsAdmin")]
    public Task Raw_is_admin() => Repeat(Raw_is_admin_once);

    public async Task<bool> Raw_is_admin_once() => await _db.StringGetAsync(_adminFlag).ConfigureAwait(false) == "1";

    [Benchmark(OperationsPerInvoke = Ops), BenchmarkCategory("Users.IsAdmin")]
    public Task Lib_is_admin() => Repeat(Lib_is_admin_once);

    public ValueTask<bool> Lib_is_admin_once() => _users.IsAdminAsync(AdminUser);

    [Benchmark(Baseline = true, OperationsPerInvoke = Ops), BenchmarkCategory("Users.ListAdmins")]
    public Task Raw_list_admins() => Repeat(Raw_list_admins_once);

    public async Task<IReadOnlyList<string>> Raw_list_admins_once() =>
        SortedNames(await _db.SetMembersAsync("admins:index").ConfigureAwait(false));

    [Benchmark(OperationsPerInvoke = Ops), BenchmarkCategory("Users.ListAdmins")]
    public Task Lib_list_admins() => Repeat(Lib_list_admins_once);

    public ValueTask<IReadOnlyList<string>> Lib_list_admins_once() => _users.ListAdminsAsync();

    [Benchmark(Baseline = true, OperationsPerInvoke = Ops), BenchmarkCategory("Users.GetRole")]
    public Task Raw_get_role() => Repeat(Raw_get_role_once);

    public async Task<UserRole> Raw_get_role_once()
    {
        IBatch batch = _db.CreateBatch();
        Task<RedisValue> flag = batch.StringGetAsync(_readFlag);
        Task<bool> registered = batch.HashExistsAsync(_readKey, "passwordHash");
        batch.Execute();
        bool admin = await flag.ConfigureAwait(false) == "1";
        bool user = await registered.ConfigureAwait(false);
        return admin ? UserRole.Admin : user ? UserRole.User : UserRole.Guest;
    }

    [Benchmark(OperationsPerInvoke = Ops), BenchmarkCategory("Users.GetRole")]
    public Task Lib_get_role() => Repeat(Lib_get_role_once);

    public ValueTask<UserRole> Lib_get_role_once() => _users.GetRoleAsync(ReadUser);

    [Benchmark(Baseline = true, OperationsPerInvoke = Ops), BenchmarkCategory("Users.SetCurrentRoom")]
    public Task Raw_set_current_room() => Repeat(Raw_set_current_room_once);

    public async Task<bool> Raw_set_current_room_once() =>
        (long)await _db.ScriptEvaluateAsync(_setFields.Sha1, [_writeKey], ["currentRoom", RoomId]).ConfigureAwait(false) == 1;

    [Benchmark(OperationsPerInvoke = Ops), BenchmarkCategory("Users.SetCurrentRoom")]
    public Task Lib_set_current_room() => Repeat(Lib_set_current_room_once);

    public ValueTask<bool> Lib_set_current_room_once() => _users.SetCurrentRoomAsync(WriteUser, RoomId);

    [Benchmark(Baseline = true, OperationsPerInvoke = Ops), BenchmarkCategory("Users.SetCurrentSid")]
    public Task Raw_set_current_sid() => Repeat(Raw_set_current_sid_once);

    public async Task<bool> Raw_set_current_sid_once() =>
        (long)await _db.ScriptEvaluateAsync(_setFields.Sha1, [_writeKey], ["currentSid", Sid]).ConfigureAwait(false) == 1;

    [Benchmark(OperationsPerInvoke = Ops), BenchmarkCategory("Users.SetCurrentSid")]
    public Task Lib_set_current_sid() => Repeat(Lib_set_current_sid_once);

    public ValueTask<bool> Lib_set_current_sid_once() => _users.SetCurrentSidAsync(WriteUser, Sid);

    [Benchmark(Baseline = true, OperationsPerInvoke = Ops), BenchmarkCategory("Users.TouchLastActivity")]
    public Task Raw_touch_last_activity() => Repeat(Raw_touch_last_activity_once);

    public async Task<bool> Raw_touch_last_activity_once() =>
        (long)await _db.ScriptEvaluateAsync(_setFields.Sha1, [_writeKey], ["lastActivity", FormatIso(DateTime.UtcNow)]).ConfigureAwait(false) == 1;

    [Benchmark(OperationsPerInvoke = Ops), BenchmarkCategory("Users.TouchLastActivity")]
    public Task Lib_touch_last_activity() => Repeat(Lib_touch_last_activity_once);

    public ValueTask<bool> Lib_touch_last_activity_once() => _users.TouchLastActivityAsync(WriteUser);

    [Benchmark(Baseline = true, OperationsPerInvoke = Ops), BenchmarkCategory("Users.TouchLastLogin")]
    public Task Raw_touch_last_login() => Repeat(Raw_touch_last_login_once);

    public async Task<bool> Raw_touch_last_login_once() =>
        (long)await _db.ScriptEvaluateAsync(_setFields.Sha1, [_writeKey], ["lastLogin", FormatIso(DateTime.UtcNow)]).ConfigureAwait(false) == 1;

    [Benchmark(OperationsPerInvoke = Ops), BenchmarkCategory("Users.TouchLastLogin")]
    public Task Lib_touch_last_login() => Repeat(Lib_touch_last_login_once);

    public ValueTask<bool> Lib_touch_last_login_once() => _users.TouchLastLoginAsync(WriteUser);

    // Registration of a guest under a new name with a password; each call moves the user to the other name.
    private (string From, string To) NextRename()
    {
        bool away = _renamedAway;
        _renamedAway = !away;
        return away ? (RenameB, RenameA) : (RenameA, RenameB);
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Ops), BenchmarkCategory("Users.Rename")]
    public Task Raw_rename() => Repeat(Raw_rename_once);

    public Task<bool> Raw_rename_once()
    {
        (string from, string to) = NextRename();
        return RawRenameAsync(from, to);
    }

    private async Task<bool> RawRenameAsync(string from, string to)
    {
        if (BenchmarkCluster.Active)
        {
            return await RawRenameClusterAsync(from, to).ConfigureAwait(false);
        }

        RedisKey[] keys = [UserKey(from), UserKey(to), AdminKey(from), AdminKey(to), "users:index", "admins:index"];
        RedisValue[] args = [from, to, FormatIso(DateTime.UtcNow), "1", PasswordHash, PasswordSalt];
        return (long)await _db.ScriptEvaluateAsync(_rename.Sha1, keys, args).ConfigureAwait(false) == 1;
    }

    // The cluster-safe layout's steps: read the old user (one batch), create the new one (script, its slot), delete the
    // old one (script, its slot), then the index sets (one batch).
    private async Task<bool> RawRenameClusterAsync(string from, string to)
    {
        string oldHash = UserKey(from), oldFlag = AdminKey(from), newHash = UserKey(to), newFlag = AdminKey(to);
        string now = FormatIso(DateTime.UtcNow);
        IBatch read = _db.CreateBatch();
        Task<RedisValue[]> fields = read.HashGetAsync(oldHash, ["createdAt", "passwordHash", "passwordSalt"]);
        Task<bool> exists = read.KeyExistsAsync(oldHash);
        Task<RedisValue> flag = read.StringGetAsync(oldFlag);
        read.Execute();
        RedisValue[] old = await fields.ConfigureAwait(false);
        bool admin = await flag.ConfigureAwait(false) == "1";
        if (!await exists.ConfigureAwait(false))
        {
            return false;
        }

        RedisValue[] args = [admin ? "1" : "0", "userName", to, "passwordHash", PasswordHash, "passwordSalt", PasswordSalt, "createdAt", old[0].IsNull ? now : old[0], "lastLogin", now];
        if ((long)await _db.ScriptEvaluateAsync(_renameCreate.Sha1, [newHash, newFlag], args).ConfigureAwait(false) != 1)
        {
            return false;
        }

        if ((long)await _db.ScriptEvaluateAsync(_renameDeleteOld.Sha1, [oldHash, oldFlag]).ConfigureAwait(false) != 1)
        {
            await _db.KeyDeleteAsync([newHash, newFlag]).ConfigureAwait(false);
            return false;
        }

        IBatch index = _db.CreateBatch();
        Task addUser = index.SetAddAsync("users:index", to);
        Task removeUser = index.SetRemoveAsync("users:index", from);
        Task removeAdmin = index.SetRemoveAsync("admins:index", from);
        Task addAdmin = admin ? index.SetAddAsync("admins:index", to) : Task.CompletedTask;
        index.Execute();
        await addUser.ConfigureAwait(false);
        await removeUser.ConfigureAwait(false);
        await removeAdmin.ConfigureAwait(false);
        await addAdmin.ConfigureAwait(false);
        return true;
    }

    [Benchmark(OperationsPerInvoke = Ops), BenchmarkCategory("Users.Rename")]
    public Task Lib_rename() => Repeat(Lib_rename_once);

    public ValueTask<bool> Lib_rename_once()
    {
        (string from, string to) = NextRename();
        return _users.RenameAsync(from, to, PasswordHash, PasswordSalt);
    }
}

/// <summary>
/// User creation (one Lua script: HLEN, HSET of the guest's fields, SADD users:index): a new user per call in a scratch
/// database that is flushed after each iteration, so every call takes the full "create" path.
/// </summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
[FullRunOnly]
[InvocationCount(64)]
[ClusterTwins]
public class UserCreateBenchmarks : RedisBenchmark
{
    private static readonly DateTime Created = new DateTime(2025, 10, 31, 12, 0, 5, DateTimeKind.Utc).AddTicks(1_234_560);
    private IDatabase _db = null!;
    private UserRepository _users = null!;
    private RawScript _create = null!;
    private long _next;

    protected override Task SetupAsync()
    {
        _db = Db(BenchmarkRedis.ScratchDb);
        _users = new UserRepository(BenchmarkRedis.Context(BenchmarkRedis.ScratchDb));
        _create = new RawScript(UserScripts.Create.Text);
        RedisState.Flush(BenchmarkRedis.ScratchDb);
        return Task.CompletedTask;
    }

    protected override async Task VerifyAsync()
    {
        Same(await Lib_create_once(), true, "library create");
        Same(await Raw_create_once(), true, "raw create");
        Same(await Fields("u0"), await Fields("u1"), "hash written by create");
        Same(await _db.SetContainsAsync("users:index", "u0"), true, "library create indexes the user");
        Same(await _db.SetContainsAsync("users:index", "u1"), true, "raw create indexes the user");

        async Task<string> Fields(string id) =>
            string.Join(", ", (await _db.HashGetAllAsync(UserBenchmarks.UserKey(id))).Select(e => $"{e.Name}={(e.Name == "userName" ? e.Value == id : e.Value)}"));
    }

    [IterationCleanup]
    public void Cleanup() => RedisState.Flush(BenchmarkRedis.ScratchDb);

    private string NextId() => "u" + (_next++).ToString(CultureInfo.InvariantCulture);

    [Benchmark(Baseline = true, OperationsPerInvoke = Ops), BenchmarkCategory("Users.Create")]
    public Task Raw_create() => Repeat(Raw_create_once);

    public async Task<bool> Raw_create_once()
    {
        string id = NextId();
        string created = Created.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff", CultureInfo.InvariantCulture);
        RedisValue[] args = [id, "userName", id, "createdAt", created, "lastLogin", created];
        if (BenchmarkCluster.Active)
        {
            // The cluster-safe layout: the script in the user's slot, then the index.
            RedisResult result = await _db.ScriptEvaluateAsync(_create.Sha1, [UserBenchmarks.UserKey(id)], args).ConfigureAwait(false);
            await _db.SetAddAsync("users:index", id).ConfigureAwait(false);
            return (long)result == 1;
        }

        return (long)await _db.ScriptEvaluateAsync(_create.Sha1, [UserBenchmarks.UserKey(id), "users:index"], args).ConfigureAwait(false) == 1;
    }

    [Benchmark(OperationsPerInvoke = Ops), BenchmarkCategory("Users.Create")]
    public Task Lib_create() => Repeat(Lib_create_once);

    public ValueTask<bool> Lib_create_once() => _users.CreateAsync(new User(NextId(), Created, Created));
}
