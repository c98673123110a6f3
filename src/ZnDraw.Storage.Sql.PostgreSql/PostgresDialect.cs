using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using NpgsqlTypes;
using ZnDraw.Storage.Contracts;
using ZnDraw.Storage.Sql.Model;
using ZnDraw.Storage.Sql.Provider;

namespace ZnDraw.Storage.Sql.PostgreSql;

/// <summary>
/// PostgreSQL: connections from an <see cref="NpgsqlDataSource"/>, <see cref="PostgresException"/> classification, lists
/// as arrays read with <c>unnest</c>, row locks (<c>FOR UPDATE</c>, <c>FOR SHARE</c>), a transaction-scoped advisory lock
/// per room, ordinal sorting with <c>COLLATE "C"</c>, and history inserted set-based (one <c>INSERT ... SELECT FROM
/// unnest(arrays)</c> per table, one <c>UPDATE</c> for all logouts).
/// </summary>
internal sealed class PostgresDialect : SqlDialect
{
    private const string Logout =
        "UPDATE user_login_events AS u SET logout_at = v.at "
        + "FROM unnest($1::text[], $2::text[], $3::timestamptz[]) AS v(username, session_id, at) "
        + "WHERE u.username = v.username AND u.session_id = v.session_id AND u.logout_at IS NULL";

    private readonly NpgsqlDataSource _dataSource;
    private readonly string? _connectionString;
    private readonly Dictionary<HistoryTable, string> _inserts;

    /// <summary>Creates the glue of the database <paramref name="connectionString"/> names (its own data source, disposed with it).</summary>
    /// <param name="connectionString">An Npgsql connection string.</param>
    /// <param name="configureContext">The host's EF Core tweak, or <see langword="null"/>.</param>
    public PostgresDialect(string connectionString, Action<DbContextOptionsBuilder>? configureContext)
        : this(NpgsqlDataSource.Create(connectionString), connectionString, configureContext)
    {
    }

    /// <summary>Creates the glue of the host's <paramref name="dataSource"/> (the host disposes it).</summary>
    /// <param name="dataSource">The host's data source.</param>
    /// <param name="configureContext">The host's EF Core tweak, or <see langword="null"/>.</param>
    public PostgresDialect(NpgsqlDataSource dataSource, Action<DbContextOptionsBuilder>? configureContext)
        : this(dataSource, null, configureContext)
    {
    }

    private PostgresDialect(NpgsqlDataSource dataSource, string? connectionString, Action<DbContextOptionsBuilder>? configureContext)
        : base(configureContext)
    {
        _dataSource = dataSource;
        _connectionString = connectionString;
        _inserts = HistoryTable.All.ToDictionary(t => t, InsertSql);
    }

    public override string Name => "PostgreSQL";

    /// <inheritdoc />
    public override string DbSystemName => "postgresql";

    public override string Ordinal => " COLLATE \"C\"";

    public override string ForUpdate => " FOR UPDATE";

    public override string ForNoKeyUpdate => " FOR NO KEY UPDATE";

    public override string ForShare => " FOR SHARE";

    /// <summary>
    /// A transaction-scoped advisory lock on the room id (in its own key class 2054055538): needs no <c>rooms</c> row; a
    /// room delete or copy that must not interleave with frame edits takes it too.
    /// </summary>
    public override string LockRoom => "SELECT pg_advisory_xact_lock(2054055538, hashtext(@room));\n";

    public override bool DataModifyingWith => true;

    public override string InList(string parameter) => $"(SELECT unnest({parameter}))";

    public override string ListTable(string parameter, string alias) => $"unnest({parameter}) AS {alias}(v)";

    public override string NumberedList(string parameter) => $"SELECT @room, t.m, @base + t.o FROM unnest({parameter}) WITH ORDINALITY AS t(m, o)";

    public override object TextList(string[] values) => values;

    public override object IntList(int[] values) => values;

    public override DbConnection CreateConnection() => _dataSource.CreateConnection();

    public override Exception? Map(Exception exception, string operation, string? key) => exception switch
    {
        PostgresException pg when IsTransient(pg) =>
            new StorageUnavailableException(operation, key, $"PostgreSQL is not available ({pg.SqlState}: {pg.MessageText}).", pg),
        PostgresException pg =>
            new StorageBackendException(operation, key, $"PostgreSQL refused the statement ({pg.SqlState}: {pg.MessageText}).", pg),
        NpgsqlException npg =>
            new StorageUnavailableException(operation, key, "PostgreSQL could not be reached or the connection broke: " + npg.Message, npg),
        _ => null,
    };

    public override HistoryDbContext CreateHistoryContext(DbContextOptions options) => new PostgresHistoryDbContext(options);

    public override StorageDbContext CreateStorageContext(DbContextOptions options) => new PostgresStorageDbContext(options);

    /// <summary>One <c>INSERT ... SELECT FROM unnest(column arrays) ON CONFLICT DO NOTHING</c> for the whole batch.</summary>
    public override async Task InsertHistoryAsync(DbConnection connection, DbTransaction transaction, HistoryRows rows, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(rows);
        var table = rows.Table;
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = _inserts[table];
        for (var c = 0; c < table.Columns.Length; c++)
        {
            command.Parameters.Add(table.Columns[c].Kind == HistoryColumnKind.Time
                ? new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.TimestampTz, Value = rows.TimeColumn(c) }
                : new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text, Value = rows.TextColumn(c) });
        }

        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>One set-based <c>UPDATE</c> for the batch; the first logout of a session wins, as when they run one by one.</summary>
    public override async Task CloseLoginsAsync(
        DbConnection connection, DbTransaction transaction, IReadOnlyList<HistoryLogout> logouts, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(logouts);
        var sessions = new HashSet<(string, string)>();
        var usernames = new List<string>(logouts.Count);
        var sessionIds = new List<string>(logouts.Count);
        var times = new List<DateTime>(logouts.Count);
        foreach (var x in logouts)
        {
            if (sessions.Add((x.Username, x.SessionId)))
            {
                usernames.Add(x.Username);
                sessionIds.Add(x.SessionId);
                times.Add(x.At);
            }
        }

        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = Logout;
        command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text, Value = usernames.ToArray() });
        command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text, Value = sessionIds.ToArray() });
        command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.TimestampTz, Value = times.ToArray() });
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Disposes the data source when this dialect created it (not the host's).</summary>
    protected override void Dispose(bool disposing)
    {
        if (disposing && _connectionString is not null)
        {
            _dataSource.Dispose();
        }
    }

    /// <summary>Disposes the data source when this dialect created it (not the host's).</summary>
    protected override ValueTask DisposeAsyncCore() => _connectionString is null ? ValueTask.CompletedTask : _dataSource.DisposeAsync();

    protected override void UseProvider(DbContextOptionsBuilder builder)
    {
        // EF Core gets the connection string when the host gave one (its own pool), the host's data source otherwise.
        string? assembly = typeof(PostgresDialect).Assembly.GetName().Name;
        _ = _connectionString is not null
            ? builder.UseNpgsql(_connectionString, npgsql => npgsql.MigrationsAssembly(assembly))
            : builder.UseNpgsql(_dataSource, npgsql => npgsql.MigrationsAssembly(assembly));
    }

    private static string InsertSql(HistoryTable table)
    {
        var columns = table.Columns;
        var arrays = string.Join(", ", columns.Select((c, i) => $"${i + 1}::{(c.Kind == HistoryColumnKind.Time ? "timestamptz" : "text")}[]"));
        var values = string.Join(", ", columns.Select((c, i) => c.Kind == HistoryColumnKind.Json ? $"c{i}::jsonb" : $"c{i}"));
        var aliases = string.Join(", ", columns.Select((_, i) => $"c{i}"));
        return $"INSERT INTO {table.QuotedName} ({table.QuotedColumns}) SELECT {values} FROM unnest({arrays}) AS v({aliases}) "
            + "ON CONFLICT (event_id) DO NOTHING";
    }

    private static bool IsTransient(PostgresException pg) =>
        pg.IsTransient
        || pg.SqlState.StartsWith("08", StringComparison.Ordinal) // connection exception
        || pg.SqlState.StartsWith("57P", StringComparison.Ordinal) // operator intervention (shutdown)
        || pg.SqlState == PostgresErrorCodes.ReadOnlySqlTransaction;
}
