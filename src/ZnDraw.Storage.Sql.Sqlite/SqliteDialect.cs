using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using ZnDraw.Storage.Contracts;
using ZnDraw.Storage.Sql.Model;
using ZnDraw.Storage.Sql.Provider;

namespace ZnDraw.Storage.Sql.Sqlite;

/// <summary>
/// SQLite: pooled connections to one file, <see cref="SqliteException"/> classification, lists as JSON arrays read with
/// <c>json_each</c>, no row locks (a write transaction is <c>BEGIN IMMEDIATE</c> and holds the database's write lock),
/// history inserted by one prepared statement per row (in process: no round trips).
/// </summary>
internal sealed class SqliteDialect : SqlDialect
{
    // SQLite primary result codes (https://www.sqlite.org/rescode.html).
    private const int SqliteBusy = 5;
    private const int SqliteLocked = 6;
    private const int SqliteReadOnly = 8;
    private const int SqliteIoError = 10;
    private const int SqliteCorrupt = 11;
    private const int SqliteFull = 13;
    private const int SqliteCantOpen = 14;
    private const int SqliteNotADatabase = 26;

    private const string Logout =
        "UPDATE user_login_events SET logout_at = $at WHERE username = $username AND session_id = $session AND logout_at IS NULL";

    private readonly string _connectionString;
    private readonly string _pooled;
    private readonly Dictionary<HistoryTable, string> _inserts;

    /// <summary>Creates the glue of the database <paramref name="connectionString"/> names.</summary>
    /// <param name="connectionString">A Microsoft.Data.Sqlite connection string.</param>
    /// <param name="configureContext">The host's EF Core tweak, or <see langword="null"/>.</param>
    public SqliteDialect(string connectionString, Action<DbContextOptionsBuilder>? configureContext)
        : base(configureContext)
    {
        _connectionString = connectionString;

        // No foreign keys in the schema: the connection does not send PRAGMA foreign_keys on every pooled open.
        _pooled = new SqliteConnectionStringBuilder(connectionString) { Pooling = true }.ToString();
        _inserts = HistoryTable.All.ToDictionary(
            t => t,
            t => $"INSERT INTO {t.QuotedName} ({t.QuotedColumns}) VALUES ({string.Join(", ", t.Columns.Select((_, i) => "$p" + i))}) "
                + "ON CONFLICT (event_id) DO NOTHING");
    }

    public override string Name => "SQLite";

    /// <inheritdoc />
    public override string DbSystemName => "sqlite";

    public override string Ordinal => string.Empty;

    public override string ForUpdate => string.Empty;

    public override string ForNoKeyUpdate => string.Empty;

    public override string ForShare => string.Empty;

    public override string LockRoom => string.Empty;

    public override bool DataModifyingWith => false;

    public override string InList(string parameter) => $"(SELECT value FROM json_each({parameter}))";

    public override string ListTable(string parameter, string alias) => $"(SELECT value AS v FROM json_each({parameter})) AS {alias}";

    public override string NumberedList(string parameter) => $"SELECT @room, value, @base + (key + 1) FROM json_each({parameter})";

    public override object TextList(string[] values) => JsonArray(values);

    public override object IntList(int[] values) => JsonArray(values);

    public override DbConnection CreateConnection() => new SqliteConnection(_pooled);

    public override Exception? Map(Exception exception, string operation, string? key) => exception switch
    {
        SqliteException lite when lite.SqliteErrorCode is SqliteBusy or SqliteLocked or SqliteReadOnly or SqliteIoError or SqliteFull or SqliteCantOpen =>
            new StorageUnavailableException(operation, key, $"SQLite is not available (error {lite.SqliteErrorCode}): {lite.Message}", lite),
        SqliteException lite when lite.SqliteErrorCode is SqliteCorrupt or SqliteNotADatabase =>
            new StorageUnavailableException(operation, key, $"The SQLite file cannot be read (error {lite.SqliteErrorCode}): {lite.Message}", lite),
        SqliteException lite =>
            new StorageBackendException(operation, key, $"SQLite refused the statement (error {lite.SqliteErrorCode}): {lite.Message}", lite),
        _ => null,
    };

    public override HistoryDbContext CreateHistoryContext(DbContextOptions options) => new SqliteHistoryDbContext(options);

    public override StorageDbContext CreateStorageContext(DbContextOptions options) => new SqliteStorageDbContext(options);

    public override async Task AfterStorageMigrationAsync(StorageDbContext db, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);

        // Readers never block the writer and vice versa; the mode is stored in the file.
        await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", cancellationToken).ConfigureAwait(false);
        SqliteConnection.ClearAllPools();
    }

    /// <summary>One prepared <c>INSERT ... ON CONFLICT DO NOTHING</c>, executed per row (SQLite runs in process: no round trips).</summary>
    public override async Task InsertHistoryAsync(DbConnection connection, DbTransaction transaction, HistoryRows rows, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(rows);
        var table = rows.Table;
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = _inserts[table];
        var parameters = new DbParameter[table.Columns.Length];
        for (var c = 0; c < parameters.Length; c++)
        {
            parameters[c] = command.CreateParameter();
            parameters[c].ParameterName = "$p" + c.ToString(System.Globalization.CultureInfo.InvariantCulture);
            command.Parameters.Add(parameters[c]);
        }

        command.Prepare();
        for (var r = 0; r < rows.Count; r++)
        {
            for (var c = 0; c < parameters.Length; c++)
            {
                parameters[c].Value = rows.Get(c, r) ?? DBNull.Value;
            }

            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>One prepared <c>UPDATE</c>, executed per logout in order (the later logouts of a session find the login closed).</summary>
    public override async Task CloseLoginsAsync(
        DbConnection connection, DbTransaction transaction, IReadOnlyList<HistoryLogout> logouts, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(logouts);
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = Logout;
        var at = AddParameter(command, "$at");
        var username = AddParameter(command, "$username");
        var session = AddParameter(command, "$session");
        command.Prepare();
        foreach (var x in logouts)
        {
            at.Value = x.At;
            username.Value = x.Username;
            session.Value = x.SessionId;
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    protected override void UseProvider(DbContextOptionsBuilder builder) =>
        builder.UseSqlite(_connectionString, sqlite => sqlite.MigrationsAssembly(typeof(SqliteDialect).Assembly.GetName().Name));

    private static DbParameter AddParameter(DbCommand command, string name)
    {
        var p = command.CreateParameter();
        p.ParameterName = name;
        command.Parameters.Add(p);
        return p;
    }
}
