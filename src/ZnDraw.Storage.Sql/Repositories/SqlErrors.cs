using System.Data.Common;
using System.Net.Sockets;
using Microsoft.Data.Sqlite;
using Npgsql;
using ZnDraw.Storage.Contracts;

namespace ZnDraw.Storage.Sql.Repositories;

/// <summary>Classifies database failures and maps them to the library's exceptions, as <c>RedisErrors</c> does for Redis.</summary>
internal static class SqlErrors
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
    private const int SqliteConstraint = 19;
    private const int SqliteConstraintPrimaryKey = 1555;
    private const int SqliteConstraintUnique = 2067;
    private const int SqliteConstraintForeignKey = 787;

    /// <summary>True for a unique or primary-key violation (PostgreSQL 23505, SQLite's constraint codes).</summary>
    public static bool IsUniqueViolation(Exception exception) => exception switch
    {
        PostgresException pg => pg.SqlState == PostgresErrorCodes.UniqueViolation,
        SqliteException lite => lite.SqliteErrorCode == SqliteConstraint
            && lite.SqliteExtendedErrorCode is SqliteConstraintUnique or SqliteConstraintPrimaryKey,
        _ => exception.InnerException is { } inner && IsUniqueViolation(inner),
    };

    /// <summary>True for a foreign-key violation (PostgreSQL 23503, SQLite 787): the referenced row is gone.</summary>
    public static bool IsForeignKeyViolation(Exception exception) => exception switch
    {
        PostgresException pg => pg.SqlState == PostgresErrorCodes.ForeignKeyViolation,
        SqliteException lite => lite.SqliteErrorCode == SqliteConstraint && lite.SqliteExtendedErrorCode == SqliteConstraintForeignKey,
        _ => exception.InnerException is { } inner && IsForeignKeyViolation(inner),
    };

    /// <summary>True for an exception a database call raises (mapped by <see cref="Map"/>); not for argument or cancellation errors.</summary>
    public static bool IsDatabaseFailure(Exception exception) =>
        exception is DbException or SocketException or TimeoutException or IOException
        || (exception is InvalidOperationException && exception.InnerException is DbException or SocketException or TimeoutException);

    /// <summary>
    /// Maps a database failure of <paramref name="operation"/> on <paramref name="key"/> (e.g. <c>rooms:lobby</c>):
    /// unreachable, timed out, busy or read-only → <see cref="StorageUnavailableException"/> (retry may help); anything
    /// else the server refused → <see cref="StorageBackendException"/>.
    /// </summary>
    public static Exception Map(Exception exception, string operation, string? key) => exception switch
    {
        PostgresException pg when IsTransient(pg) =>
            new StorageUnavailableException(operation, key, $"PostgreSQL is not available ({pg.SqlState}: {pg.MessageText}).", pg),
        PostgresException pg =>
            new StorageBackendException(operation, key, $"PostgreSQL refused the statement ({pg.SqlState}: {pg.MessageText}).", pg),
        NpgsqlException npg =>
            new StorageUnavailableException(operation, key, "PostgreSQL could not be reached or the connection broke: " + npg.Message, npg),
        SqliteException lite when lite.SqliteErrorCode is SqliteBusy or SqliteLocked or SqliteReadOnly or SqliteIoError or SqliteFull or SqliteCantOpen =>
            new StorageUnavailableException(operation, key, $"SQLite is not available (error {lite.SqliteErrorCode}): {lite.Message}", lite),
        SqliteException lite when lite.SqliteErrorCode is SqliteCorrupt or SqliteNotADatabase =>
            new StorageUnavailableException(operation, key, $"The SQLite file cannot be read (error {lite.SqliteErrorCode}): {lite.Message}", lite),
        SqliteException lite =>
            new StorageBackendException(operation, key, $"SQLite refused the statement (error {lite.SqliteErrorCode}): {lite.Message}", lite),
        SocketException or TimeoutException or IOException =>
            new StorageUnavailableException(operation, key, "The database could not be reached: " + exception.Message, exception),
        InvalidOperationException { InnerException: { } inner } => Map(inner, operation, key),
        _ => new StorageBackendException(operation, key, exception.Message, exception),
    };

    private static bool IsTransient(PostgresException pg) =>
        pg.IsTransient
        || pg.SqlState.StartsWith("08", StringComparison.Ordinal) // connection exception
        || pg.SqlState.StartsWith("57P", StringComparison.Ordinal) // operator intervention (shutdown)
        || pg.SqlState == PostgresErrorCodes.ReadOnlySqlTransaction;
}
