using Microsoft.EntityFrameworkCore;
using ZnDraw.Storage.Sql;

namespace ZnDraw.Storage.Sql.Model;

/// <summary>
/// The schema of ZnDraw's persistent aggregates in SQL (users, rooms and everything persistent that is room-scoped).
/// It exists for the migrations and the schema; the repositories issue their own SQL over plain connections.
/// </summary>
/// <remarks>
/// Conventions (as the history tables): tables in snake_case and plural, columns in snake_case, keys <c>pk_{table}</c>,
/// indexes <c>ix_{table}_{columns}</c>, foreign keys <c>fk_{table}_{principal}_{column}</c>. Every room-scoped table has
/// a <c>room_id</c> that references <c>rooms(id)</c> with <c>ON DELETE CASCADE</c>, so deleting a room is one statement.
/// JSON is kept as text (not <c>jsonb</c>), so the bytes written are the bytes read, as in Redis.
/// </remarks>
internal abstract class StorageDbContext(DbContextOptions options) : DbContext(options)
{
    /// <inheritdoc/>
    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        ArgumentNullException.ThrowIfNull(configurationBuilder);
        configurationBuilder.Properties<DateTime>().HaveConversion<UtcDateTimeConverter>();
        configurationBuilder.Properties<DateTime?>().HaveConversion<UtcDateTimeConverter>();
    }

    /// <inheritdoc/>
    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        ArgumentNullException.ThrowIfNull(modelBuilder);
        UserModel.Configure(modelBuilder);
        RoomModel.Configure(modelBuilder);
        FrameModel.Configure(modelBuilder);
        GeometryModel.Configure(modelBuilder);
        ChatModel.Configure(modelBuilder);
        SettingsModel.Configure(modelBuilder);
    }
}

/// <summary>The SQLite schema (its own migrations).</summary>
internal sealed class SqliteStorageDbContext(DbContextOptions options) : StorageDbContext(options);

/// <summary>The PostgreSQL schema (its own migrations).</summary>
internal sealed class PostgresStorageDbContext(DbContextOptions options) : StorageDbContext(options);
