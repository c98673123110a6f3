using Microsoft.EntityFrameworkCore;
using ZnDraw.Storage.Sql;

namespace ZnDraw.Storage.Sql.Model;

/// <summary>
/// The schema of ZnDraw's persistent aggregates in SQL (users, rooms and everything persistent that is room-scoped).
/// It exists for the migrations and the schema; the repositories issue their own SQL over plain connections.
/// </summary>
/// <remarks>
/// Conventions (as the history tables): tables in snake_case and plural, columns in snake_case, keys <c>pk_{table}</c>,
/// indexes <c>ix_{table}_{columns}</c>. Every room-scoped table has a <c>room_id</c> (first column of its key or an
/// index) but no foreign key: as in Redis, room-scoped data does not need the room row; a room delete removes the rows
/// of every such table in one transaction.
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
