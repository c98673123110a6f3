using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace ZnDraw.Storage.Sql.Model;

/// <summary>
/// A row of <c>room_geometries</c>: one geometry of a room, its whole stored JSON (<c>{"type": …, "data": {…}}</c>, as the
/// Redis hash field holds it) in <c>value</c>.
/// </summary>
internal sealed class RoomGeometryEntity
{
    public string RoomId { get; set; } = string.Empty;

    public string Name { get; set; } = string.Empty;

    public string Value { get; set; } = string.Empty;
}

/// <summary>A row of <c>room_figures</c>: one figure of a room, any JSON value (e.g. Plotly JSON) in <c>value</c>.</summary>
internal sealed class RoomFigureEntity
{
    public string RoomId { get; set; } = string.Empty;

    public string Name { get; set; } = string.Empty;

    public string Value { get; set; } = string.Empty;
}

/// <summary>A row of <c>room_selections</c>: the selected indices of one geometry, a JSON array (<c>[0, 1]</c>) in <c>value</c>.</summary>
internal sealed class RoomSelectionEntity
{
    public string RoomId { get; set; } = string.Empty;

    public string Geometry { get; set; } = string.Empty;

    public string Value { get; set; } = string.Empty;
}

/// <summary>A row of <c>room_selection_groups</c>: one named group, a JSON object (<c>{"particles": [0, 1]}</c>) in <c>value</c>.</summary>
internal sealed class RoomSelectionGroupEntity
{
    public string RoomId { get; set; } = string.Empty;

    public string Name { get; set; } = string.Empty;

    public string Value { get; set; } = string.Empty;
}

/// <summary>
/// A row of <c>room_active_selection_groups</c>: the name of a room's active selection group (no row: none). A table of its
/// own rather than a column of <c>rooms</c>, because, as on Redis, a room that was never created can have one.
/// </summary>
internal sealed class RoomActiveSelectionGroupEntity
{
    public string RoomId { get; set; } = string.Empty;

    public string Name { get; set; } = string.Empty;
}

/// <summary>
/// A room's scene: geometries, figures, selections and selection groups, one row per entry of the matching Redis hash,
/// keyed by room and name, and the active selection group, one row per room. JSON is text, stored as written (bytes in =
/// bytes out). No table references <c>rooms</c>: as on Redis, a room's scene can be written before (or without) the room.
/// </summary>
internal static class GeometryModel
{
    public static void Configure(ModelBuilder modelBuilder)
    {
        ArgumentNullException.ThrowIfNull(modelBuilder);

        modelBuilder.Entity<RoomGeometryEntity>(e =>
        {
            RoomScoped(e, "room_geometries", x => new { x.RoomId, x.Name });
            e.Property(x => x.Name).HasColumnName("name");
            e.Property(x => x.Value).HasColumnName("value");
        });

        modelBuilder.Entity<RoomFigureEntity>(e =>
        {
            RoomScoped(e, "room_figures", x => new { x.RoomId, x.Name });
            e.Property(x => x.Name).HasColumnName("name");
            e.Property(x => x.Value).HasColumnName("value");
        });

        modelBuilder.Entity<RoomSelectionEntity>(e =>
        {
            RoomScoped(e, "room_selections", x => new { x.RoomId, x.Geometry });
            e.Property(x => x.Geometry).HasColumnName("geometry");
            e.Property(x => x.Value).HasColumnName("value");
        });

        modelBuilder.Entity<RoomSelectionGroupEntity>(e =>
        {
            RoomScoped(e, "room_selection_groups", x => new { x.RoomId, x.Name });
            e.Property(x => x.Name).HasColumnName("name");
            e.Property(x => x.Value).HasColumnName("value");
        });

        modelBuilder.Entity<RoomActiveSelectionGroupEntity>(e =>
        {
            RoomScoped(e, "room_active_selection_groups", x => x.RoomId);
            e.Property(x => x.Name).HasColumnName("name");
        });
    }

    /// <summary>The table, its key (starting with <c>room_id</c>, which serves every per-room query) and its room id column.</summary>
    private static void RoomScoped<T>(EntityTypeBuilder<T> entity, string table, System.Linq.Expressions.Expression<Func<T, object?>> key)
        where T : class
    {
        entity.ToTable(table);
        entity.HasKey(key).HasName($"pk_{table}");
        RoomModel.BelongsToRoom(entity, table);
    }
}
