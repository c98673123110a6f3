using System.Data.Common;
using ZnDraw.Storage.Contracts;
using ZnDraw.Storage.Models;
using ZnDraw.Storage.Sql.PostgreSql;
using ZnDraw.Storage.Sql.Repositories;
using ZnDraw.Storage.Sql.Tests.Infrastructure;
using ZnDraw.Storage.Testing.Contracts;

namespace ZnDraw.Storage.Sql.Tests.Storage;

/// <summary>
/// SQL facts of <see cref="SqlUserRepository"/>: the primary keys, not a check before the write, pick one winner among
/// 32 concurrent writers of one name; hostile names are parameters, never SQL.
/// </summary>
public abstract class SqlUserConcurrencyTests(IStoreFactory backend) : StoreContract(backend)
{
    private const int Writers = 32;
    private const string Salt = "00112233445566778899aabbccddeeff";
    private const string Hash = "1e6ac894fd19240b9821e0bc46f7dfb91c6a58d659288a080b633e98b99b248a";

    private IUserRepository Users => Store.Get<IUserRepository>();

    /// <summary>Names that <see cref="KeyValidation.ValidateUserName"/> accepts, written to break naive SQL.</summary>
    public static TheoryData<string> HostileNames => new()
    {
        "'; DROP TABLE users; --",
        "Robert'); DROP TABLE user_admins;--",
        "O'Brien",
        "\"quoted\" name",
        "back\\slash \\' \\\"",
        "x' OR '1'='1",
        "50% _of_ [all] *names*?",
        "@n $1 ? :name",
        "/* comment */ -- line",
        "a;b;c",
        "{brace}:colon",
        "ümit Ådne ñ",
        "名前 🙂 𝄞",
        "inner\u00A0and\u2028separators",
    };

    [Fact]
    public async Task Of_32_concurrent_creates_of_one_name_exactly_one_wins()
    {
        string name = NewId("user");
        IUserRepository users = Users;
        using var start = new ManualResetEventSlim(false);

        Task<bool>[] creates = [.. Enumerable.Range(0, Writers).Select(i => Task.Run(async () =>
        {
            start.Wait();
            return await users.CreateAsync(new User(name, CurrentRoom: "room" + i));
        }))];
        start.Set();
        bool[] results = await Task.WhenAll(creates);

        int winner = Assert.Single(Enumerable.Range(0, Writers), i => results[i]);
        Assert.Equal("room" + winner, (await Users.GetByIdAsync(name))!.CurrentRoom);
        Assert.Single(await Users.ListAllAsync(), n => n == name);
    }

    [Fact]
    public async Task Of_32_concurrent_renames_of_different_guests_to_one_name_exactly_one_wins_and_the_losers_keep_their_names()
    {
        string target = NewId("user");
        string[] guests = [.. Enumerable.Range(0, Writers).Select(_ => NewId("user"))];
        for (int i = 0; i < Writers; i++)
        {
            Assert.True(await Users.CreateAsync(new User(guests[i], new DateTime(2025, 1, 1, 0, 0, i, DateTimeKind.Utc), CurrentRoom: "room" + i)));
        }

        User?[] before = await Task.WhenAll(guests.Select(g => Users.GetByIdAsync(g).AsTask()));

        IUserRepository users = Users;
        using var start = new ManualResetEventSlim(false);
        Task<bool>[] renames = [.. guests.Select(g => Task.Run(async () =>
        {
            start.Wait();
            return await users.RenameAsync(g, target, Hash, Salt);
        }))];
        start.Set();
        bool[] results = await Task.WhenAll(renames);

        int winner = Assert.Single(Enumerable.Range(0, Writers), i => results[i]);
        User? renamed = await Users.GetByIdAsync(target);
        Assert.Equal(new DateTime(2025, 1, 1, 0, 0, winner, DateTimeKind.Utc), renamed!.CreatedAt);
        Assert.True(renamed.IsRegistered);
        Assert.False(await Users.ExistsAsync(guests[winner]));
        for (int i = 0; i < Writers; i++)
        {
            if (i != winner)
            {
                // A loser is untouched: still there under its old name, fields and all, and still a guest.
                Assert.Equal(before[i], await Users.GetByIdAsync(guests[i]));
                Assert.Equal(UserRole.Guest, await Users.GetRoleAsync(guests[i]));
            }
        }

        IReadOnlyList<string> listed = await Users.ListAllAsync();
        Assert.Equal(Writers, listed.Count);
        Assert.Contains(target, listed);
        Assert.DoesNotContain(guests[winner], listed);
    }

    [Theory]
    [MemberData(nameof(HostileNames))]
    public async Task A_hostile_name_round_trips_unchanged_through_every_call_and_the_tables_survive(string name)
    {
        KeyValidation.ValidateUserName(name); // the point: names the validation lets through
        string renamed = name + " (renamed)";
        string sid = "'; DROP TABLE users; --";
        var created = new DateTime(2025, 1, 2, 3, 4, 5, DateTimeKind.Utc);

        Assert.True(await Users.CreateAsync(new User(name, created, created, CurrentSid: sid)));
        Assert.False(await Users.CreateAsync(new User(name)));
        Assert.Equal(new User(name, created, created, CurrentSid: sid), await Users.GetByIdAsync(name));
        Assert.True(await Users.ExistsAsync(name));
        Assert.True(await Users.SetCurrentSidAsync(name, sid + "2"));
        Assert.True(await Users.RegisterPasswordAsync(name, Hash, Salt));
        await Users.SetAdminAsync(name, true);
        Assert.True(await Users.IsAdminAsync(name));
        Assert.Equal(UserRole.Admin, await Users.GetRoleAsync(name));
        Assert.Equal([name], await Users.ListAllAsync());
        Assert.Equal([name], await Users.ListAdminsAsync());
        UserCredentials? credentials = await Users.GetCredentialsAsync(name);
        Assert.Equal((name, Hash, Salt), (credentials!.UserName, credentials.PasswordHash, credentials.PasswordSalt));

        Assert.True(await Users.RenameAsync(name, renamed));

        Assert.False(await Users.ExistsAsync(name));
        Assert.True(await Users.IsAdminAsync(renamed));
        Assert.Equal([renamed], await Users.ListAllAsync());
        Assert.Equal([renamed], await Users.ListAdminsAsync());
        Assert.True(await Users.DeleteAsync(renamed));
        Assert.Empty(await Users.ListAllAsync());
        Assert.Empty(await Users.ListAdminsAsync());

        // The tables are still there and usable.
        Assert.Equal(0L, await CountAsync("users"));
        Assert.Equal(0L, await CountAsync("user_admins"));
        Assert.True(await Users.CreateAsync(new User("after")));
        Assert.Equal(1L, await CountAsync("users"));
    }

    [Fact]
    public async Task An_unreadable_stored_time_is_a_data_error_naming_the_table_column_and_user()
    {
        var context = Store.Get<SqlStoreContext>();
        if (context.Dialect is PostgresDialect)
        {
            return; // timestamptz columns cannot hold anything but a time; SQLite's text columns can
        }

        string name = NewId("user");
        await Users.CreateAsync(new User(name));
        await using (DbConnection connection = await context.OpenAsync("test", null, default))
        await using (DbCommand command = connection.CreateCommand())
        {
            command.CommandText = "UPDATE users SET last_login = 'yesterday' WHERE user_name = @n";
            DbParameter parameter = command.CreateParameter();
            parameter.ParameterName = "@n";
            parameter.Value = name;
            command.Parameters.Add(parameter);
            Assert.Equal(1, await command.ExecuteNonQueryAsync());
        }

        var error = await Assert.ThrowsAsync<StorageDataException>(async () => await Users.GetByIdAsync(name));

        Assert.Equal(("users:" + name, "last_login"), (error.Key, error.Field));
    }

    private async Task<long> CountAsync(string table)
    {
        var context = Store.Get<SqlStoreContext>();
        await using DbConnection connection = await context.OpenAsync("test", null, default);
        await using DbCommand command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM " + table; // a constant table name of the test, not input
        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }
}

/// <summary>The user concurrency and injection facts on SQLite.</summary>
[Collection(SqliteCollection.Name)]
public sealed class SqlUserConcurrencyOnSqlite(RedisFixture redis) : SqlUserConcurrencyTests(SqlStores.Sqlite(redis));

/// <summary>The user concurrency and injection facts on PostgreSQL.</summary>
[Collection(PostgresCollection.Name)]
public sealed class SqlUserConcurrencyOnPostgres(RedisFixture redis) : SqlUserConcurrencyTests(SqlStores.Postgres(redis));
