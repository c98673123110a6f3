using System.Data.Common;
using System.Globalization;
using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using ZnDraw.Storage.History;
using ZnDraw.Storage.Sql.Model;
using ZnDraw.Storage.Sql.Provider;

namespace ZnDraw.Storage.Sql.Repositories;

/// <summary>
/// What every SQL repository shares: the connection source, the dialect, the clock, the size limits, the logger, and
/// the two ways a call runs (<see cref="ReadAsync"/>, <see cref="WriteAsync"/>) with error mapping and history.
/// </summary>
/// <remarks>
/// The repositories issue their own SQL over plain ADO.NET connections (pooled by the provider): no change tracking and
/// no per-call <see cref="DbContext"/>, so a call costs what a hand-written twin costs. EF Core owns the schema and the
/// migrations (<see cref="StorageDbContext"/>). Parameters only, never concatenated values. Both dialects accept
/// <c>@name</c> parameters, <c>ON CONFLICT</c> and <c>RETURNING</c>.
/// </remarks>
internal sealed class SqlStoreContext : IDisposable, IAsyncDisposable
{
    private readonly DbContextOptions _options;
    private TrajectorySql? _trajectory;

    public SqlStoreContext(
        SqlDialect dialect,
        TimeProvider? timeProvider = null,
        ZnDrawLimitOptions? limits = null,
        ILoggerFactory? loggerFactory = null,
        bool historyInTransaction = false,
        KeyLayout layout = KeyLayout.ZnDraw)
    {
        ArgumentNullException.ThrowIfNull(dialect);
        Dialect = dialect;
        _options = dialect.CreateContextOptions(loggerFactory);
        Time = timeProvider ?? TimeProvider.System;
        Limits = limits ?? new ZnDrawLimitOptions();
        Logger = loggerFactory?.CreateLogger("ZnDraw.Storage.Sql.Repositories") ?? NullLogger.Instance;
        HistoryInTransaction = historyInTransaction;
        Layout = layout;
    }

    /// <summary>
    /// The Redis key layout of the ephemeral state beside this store: ids and names are validated for it, so that a
    /// name SQL accepts is also one the Redis side (sessions, locks, ...) can hold.
    /// </summary>
    public KeyLayout Layout { get; }

    /// <summary>The provider's glue: connections, error mapping, SQL fragments.</summary>
    public SqlDialect Dialect { get; }

    /// <summary>The trajectory and bookmark statements in this store's dialect (built once).</summary>
    public TrajectorySql Trajectory => _trajectory ??= new TrajectorySql(Dialect);

    /// <summary>The clock for stored timestamps.</summary>
    public TimeProvider Time { get; }

    /// <summary>Now, in UTC.</summary>
    public DateTime UtcNow => Time.GetUtcNow().UtcDateTime;

    /// <summary>The size limits checked before a write is sent.</summary>
    public ZnDrawLimitOptions Limits { get; }

    /// <summary>The repositories' logger.</summary>
    public ILogger Logger { get; }

    /// <summary>True when the history tables live in this database: a write takes the ambient history event into its transaction.</summary>
    public bool HistoryInTransaction { get; }

    /// <summary>Creates an EF Core context of the configured dialect (migrations, schema checks).</summary>
    public StorageDbContext CreateDbContext() => Dialect.CreateStorageContext(_options);

    /// <summary>
    /// Benchmark hook: called with every connection this store opened (the SQLite twins count statements on it); null,
    /// and so free, outside the benchmarks' round-trip pass.
    /// </summary>
    internal static Action<DbConnection>? ConnectionOpened { get; set; }

    /// <summary>Opens a pooled connection; an unreachable database becomes <see cref="Contracts.StorageUnavailableException"/>.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<DbConnection> OpenAsync(string operation, string? key, CancellationToken cancellationToken)
    {
        DbConnection connection = Dialect.CreateConnection();
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            ConnectionOpened?.Invoke(connection);
            return connection;
        }
        catch (Exception ex) when (SqlErrors.IsDatabaseFailure(ex))
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw SqlErrors.Map(Dialect, ex, operation, key);
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// Runs <paramref name="read"/> on an open connection without a transaction (one statement reads a consistent
    /// snapshot). Database failures are mapped (see <see cref="SqlErrors.Map"/>).
    /// </summary>
    /// <param name="operation">The contract call, for errors (e.g. <c>IRoomRepository.GetByIdAsync</c>).</param>
    /// <param name="key">What the call is about, for errors (e.g. <c>rooms:lobby</c>).</param>
    /// <param name="state">Passed to <paramref name="read"/> (a static lambda allocates no closure).</param>
    /// <param name="read">The statements.</param>
    /// <param name="cancellationToken">Checked first, then passed to every statement.</param>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<T> ReadAsync<TState, T>(
        string operation, string? key, TState state, Func<SqlCall, TState, ValueTask<T>> read, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        await using DbConnection connection = await OpenAsync(operation, key, cancellationToken).ConfigureAwait(false);
        try
        {
            return await read(new SqlCall(connection, null, cancellationToken), state).ConfigureAwait(false);
        }
        catch (Exception ex) when (SqlErrors.IsDatabaseFailure(ex))
        {
            throw SqlErrors.Map(Dialect, ex, operation, key);
        }
    }

    /// <summary>
    /// Runs <paramref name="write"/> in one transaction and commits. When the history lives in this database, a history
    /// event of the current call (<see cref="HistoryOutboxScope"/>) is written in the same transaction if
    /// <paramref name="recordWhen"/> says the result is a change: exactly once, without an outbox.
    /// </summary>
    /// <param name="operation">The contract call, for errors.</param>
    /// <param name="key">What the call is about, for errors.</param>
    /// <param name="state">Passed to <paramref name="write"/> (a static lambda allocates no closure).</param>
    /// <param name="write">The statements, in the transaction.</param>
    /// <param name="recordWhen">Which results change state (and so carry the history event); <see langword="null"/> when none do.</param>
    /// <param name="cancellationToken">Checked first, then passed to every statement.</param>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<T> WriteAsync<TState, T>(
        string operation,
        string? key,
        TState state,
        Func<SqlCall, TState, ValueTask<T>> write,
        Func<T, bool>? recordWhen,
        CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        await using DbConnection connection = await OpenAsync(operation, key, cancellationToken).ConfigureAwait(false);
        HistoryOutboxScope? taken = null;
        try
        {
            await using DbTransaction transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            T result = await write(new SqlCall(connection, transaction, cancellationToken), state).ConfigureAwait(false);
            if (HistoryInTransaction && recordWhen is not null && recordWhen(result)
                && HistoryOutboxScope.Current is { } scope && scope.TryTake())
            {
                taken = scope;
                await SqlHistorySink.WriteAsync(Dialect, connection, transaction, [scope.Event], cancellationToken).ConfigureAwait(false);
            }

            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            return result;
        }
        catch (Exception ex) when (SqlErrors.IsDatabaseFailure(ex))
        {
            taken?.Release();
            throw SqlErrors.Map(Dialect, ex, operation, key);
        }
        catch
        {
            taken?.Release();
            throw;
        }
    }

    /// <inheritdoc/>
    public void Dispose() => Dialect.Dispose();

    /// <inheritdoc/>
    public ValueTask DisposeAsync() => Dialect.DisposeAsync();
}

/// <summary>One call's connection and (for writes) transaction: makes commands and reads columns.</summary>
internal readonly struct SqlCall(DbConnection connection, DbTransaction? transaction, CancellationToken cancellationToken)
{
    /// <summary>The open connection.</summary>
    public DbConnection Connection => connection;

    /// <summary>The call's transaction, or null for a read.</summary>
    public DbTransaction? Transaction => transaction;

    /// <summary>The call's cancellation token.</summary>
    public CancellationToken CancellationToken => cancellationToken;

    /// <summary>A command in the call's transaction; dispose it.</summary>
    public DbCommand Command(string sql)
    {
        DbCommand command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = transaction;
        return command;
    }

    /// <summary>Adds a parameter (<c>@name</c> in the SQL); null becomes <see cref="DBNull"/>.</summary>
    public static DbCommand Add(DbCommand command, string name, object? value)
    {
        DbParameter parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value ?? DBNull.Value;
        command.Parameters.Add(parameter);
        return command;
    }

    /// <summary>Executes a statement, returning the rows affected.</summary>
    public Task<int> ExecuteAsync(DbCommand command) => command.ExecuteNonQueryAsync(cancellationToken);

    /// <summary>Executes a statement, returning the first column of the first row (null when no row).</summary>
    public Task<object?> ScalarAsync(DbCommand command) => command.ExecuteScalarAsync(cancellationToken);

    /// <summary>Executes a query.</summary>
    public Task<DbDataReader> QueryAsync(DbCommand command) => command.ExecuteReaderAsync(cancellationToken);

    /// <summary>Reads a UTC timestamp (SQLite stores text without a kind; PostgreSQL <c>timestamptz</c>).</summary>
    public static DateTime GetUtc(DbDataReader reader, int ordinal) =>
        DateTime.SpecifyKind(reader.GetDateTime(ordinal), DateTimeKind.Utc);

    /// <summary>Reads a nullable UTC timestamp.</summary>
    public static DateTime? GetUtcOrNull(DbDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : GetUtc(reader, ordinal);

    /// <summary>Reads a nullable string.</summary>
    public static string? GetStringOrNull(DbDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    /// <summary>Reads a boolean (SQLite stores 0/1 integers, PostgreSQL booleans).</summary>
    public static bool GetBool(DbDataReader reader, int ordinal) =>
        Convert.ToBoolean(reader.GetValue(ordinal), CultureInfo.InvariantCulture);
}
