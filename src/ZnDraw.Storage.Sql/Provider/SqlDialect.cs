using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using ZnDraw.Storage.Serialization;
using ZnDraw.Storage.Sql.Model;

namespace ZnDraw.Storage.Sql.Provider;

/// <summary>
/// What differs between the database providers, in one place: connections, the provider's EF Core contexts (which own
/// its migrations), error classification, the SQL fragments the repositories assemble their statements from, and the
/// bulk history insert. One internal sealed subclass per provider package (<c>ZnDraw.Storage.Sql.Sqlite</c>,
/// <c>ZnDraw.Storage.Sql.PostgreSql</c>); this package references neither provider.
/// </summary>
/// <remarks>A dialect owns what it opened (a data source, a pool); dispose it with the store or factory that created it.</remarks>
internal abstract class SqlDialect : IDisposable, IAsyncDisposable
{
    private readonly Action<DbContextOptionsBuilder>? _configureContext;

    /// <summary>Creates the dialect.</summary>
    /// <param name="configureContext">The host's EF Core tweak, applied after the provider is chosen (interceptors, logging, ...).</param>
    protected SqlDialect(Action<DbContextOptionsBuilder>? configureContext) => _configureContext = configureContext;

    /// <summary>The database product, for messages (e.g. <c>SQLite</c>).</summary>
    public abstract string Name { get; }

    /// <summary>The OpenTelemetry <c>db.system.name</c> of the database: <c>sqlite</c> or <c>postgresql</c>.</summary>
    public abstract string DbSystemName { get; }

    /// <summary>
    /// Appended to an <c>ORDER BY</c> of text so that it sorts ordinally (by code point) as the contracts promise, e.g.
    /// <c>COLLATE "C"</c>; empty where the default collation is binary already.
    /// </summary>
    public abstract string Ordinal { get; }

    /// <summary>Appended to a <c>SELECT</c> that takes the rows for an update in the same transaction (empty where the transaction holds the write lock).</summary>
    public abstract string ForUpdate { get; }

    /// <summary>As <see cref="ForUpdate"/>, but without blocking inserts that reference the row (PostgreSQL <c>FOR NO KEY UPDATE</c>).</summary>
    public abstract string ForNoKeyUpdate { get; }

    /// <summary>Appended to a <c>SELECT</c> whose rows must not change until the transaction ends.</summary>
    public abstract string ForShare { get; }

    /// <summary>
    /// The statement (ending in a line break) that every trajectory and bookmark edit of room <c>@room</c> runs first, held
    /// until commit; empty where the transaction already serialises every write. When not empty it returns one result.
    /// </summary>
    public abstract string LockRoom { get; }

    /// <summary>
    /// Whether several <c>INSERT ... SELECT</c>s can be one statement (data-modifying <c>WITH</c>), so that they read one
    /// snapshot; otherwise they run one after the other in the transaction, which must then hold the write lock.
    /// </summary>
    public abstract bool DataModifyingWith { get; }

    /// <summary>A subquery of the elements of list parameter <paramref name="parameter"/> (<see cref="TextList"/>, <see cref="IntList"/>), for <c>IN</c>.</summary>
    public abstract string InList(string parameter);

    /// <summary>A table <paramref name="alias"/> with one column <c>v</c>: the elements of list parameter <paramref name="parameter"/>.</summary>
    public abstract string ListTable(string parameter, string alias);

    /// <summary>
    /// <c>SELECT @room, element, @base + n</c> over the elements of list parameter <paramref name="parameter"/>, n being
    /// the 1-based position of the element.
    /// </summary>
    public abstract string NumberedList(string parameter);

    /// <summary>A list of texts as one parameter value.</summary>
    public abstract object TextList(string[] values);

    /// <summary>A list of integers as one parameter value.</summary>
    public abstract object IntList(int[] values);

    /// <summary>A new, closed connection (pooled by the provider).</summary>
    public abstract DbConnection CreateConnection();

    /// <summary>
    /// Maps a failure the provider raised to <see cref="Contracts.StorageUnavailableException"/> (retry may help) or
    /// <see cref="Contracts.StorageBackendException"/>; <see langword="null"/> when <paramref name="exception"/> is not the provider's.
    /// </summary>
    public abstract Exception? Map(Exception exception, string operation, string? key);

    /// <summary>The EF Core options of this database (the history context's and the storage context's).</summary>
    /// <param name="loggerFactory">EF Core's logger factory, or <see langword="null"/>.</param>
    public DbContextOptions CreateContextOptions(ILoggerFactory? loggerFactory)
    {
        var builder = new DbContextOptionsBuilder();
        if (loggerFactory is not null)
        {
            builder.UseLoggerFactory(loggerFactory);
        }

        UseProvider(builder);
        _configureContext?.Invoke(builder);
        return builder.Options;
    }

    /// <summary>The provider's history context (it owns the provider's history migrations).</summary>
    public abstract HistoryDbContext CreateHistoryContext(DbContextOptions options);

    /// <summary>The provider's storage context (it owns the provider's storage migrations).</summary>
    public abstract StorageDbContext CreateStorageContext(DbContextOptions options);

    /// <summary>Runs after the storage migrations were applied (e.g. a journal mode stored in the file); nothing by default.</summary>
    public virtual Task AfterStorageMigrationAsync(StorageDbContext db, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>
    /// Inserts the rows of one history table in the caller's transaction, skipping an <c>event_id</c> that already has a
    /// row (<c>ON CONFLICT (event_id) DO NOTHING</c>).
    /// </summary>
    public abstract Task InsertHistoryAsync(DbConnection connection, DbTransaction transaction, HistoryRows rows, CancellationToken cancellationToken);

    /// <summary>
    /// Fills <c>logout_at</c> of the open login of each logout's user and session in the caller's transaction; the first
    /// logout of a session wins.
    /// </summary>
    public abstract Task CloseLoginsAsync(DbConnection connection, DbTransaction transaction, IReadOnlyList<HistoryLogout> logouts, CancellationToken cancellationToken);

    /// <summary>Releases what the dialect opened (nothing by default); a host may dispose its container either way.</summary>
    public void Dispose()
    {
        Dispose(disposing: true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Releases what the dialect opened (nothing by default).</summary>
    public ValueTask DisposeAsync()
    {
        GC.SuppressFinalize(this);
        return DisposeAsyncCore();
    }

    /// <summary>Releases what the dialect opened.</summary>
    /// <param name="disposing">True from <see cref="Dispose()"/>.</param>
    protected virtual void Dispose(bool disposing)
    {
    }

    /// <summary>Releases what the dialect opened, asynchronously.</summary>
    protected virtual ValueTask DisposeAsyncCore() => ValueTask.CompletedTask;

    /// <summary>Chooses the provider on <paramref name="builder"/> (e.g. <c>UseSqlite</c>) with this package's migrations assembly.</summary>
    protected abstract void UseProvider(DbContextOptionsBuilder builder);

    /// <summary>Python <c>json.dumps(list)</c> of texts: a list parameter for a dialect that reads lists with <c>json_each</c>.</summary>
    protected static string JsonArray(string[] values)
    {
        ArgumentNullException.ThrowIfNull(values);
        using var writer = PythonJsonWriter.Rent();
        writer.WriteStartArray();
        foreach (string value in values)
        {
            writer.WriteString(value);
        }

        writer.WriteEndArray();
        return writer.ToString();
    }

    /// <summary>Python <c>json.dumps(list)</c> of integers.</summary>
    protected static string JsonArray(int[] values)
    {
        ArgumentNullException.ThrowIfNull(values);
        using var writer = PythonJsonWriter.Rent();
        writer.WriteStartArray();
        foreach (int value in values)
        {
            writer.WriteNumber(value);
        }

        writer.WriteEndArray();
        return writer.ToString();
    }
}
