using Microsoft.EntityFrameworkCore;

namespace ZnDraw.Storage.Sql.Model;

/// <summary>A row of <c>room_user_settings</c>: one settings section (a JSON object) of a user in a room.</summary>
/// <remarks>
/// Extension form data of the category <c>settings</c> is stored here too (section = extension name), as ZnDraw keeps
/// both in one hash. <c>position</c> keeps the order in which sections were first written (an update keeps it), the
/// order a Redis hash returns its fields in.
/// </remarks>
internal sealed class UserSettingsEntity
{
    public string RoomId { get; set; } = string.Empty;

    public string UserName { get; set; } = string.Empty;

    public string Section { get; set; } = string.Empty;

    /// <summary>The JSON text, as written (Python <c>json.dumps</c> form).</summary>
    public string Value { get; set; } = string.Empty;

    public int Position { get; set; }
}

/// <summary>A row of <c>room_extension_data</c>: a user's last submitted form data (any JSON value) for an extension in a room.</summary>
internal sealed class ExtensionDataEntity
{
    public string RoomId { get; set; } = string.Empty;

    public string UserName { get; set; } = string.Empty;

    public string Category { get; set; } = string.Empty;

    public string Extension { get; set; } = string.Empty;

    /// <summary>The JSON text, as written (Python <c>json.dumps</c> form).</summary>
    public string Value { get; set; } = string.Empty;
}

/// <summary>The settings tables.</summary>
internal static class SettingsModel
{
    public static void Configure(ModelBuilder modelBuilder)
    {
        ArgumentNullException.ThrowIfNull(modelBuilder);
        modelBuilder.Entity<UserSettingsEntity>(e =>
        {
            e.ToTable("room_user_settings");

            // Reads are one section or all of a user's sections in a room: both are prefixes of the key.
            e.HasKey(x => new { x.RoomId, x.UserName, x.Section }).HasName("pk_room_user_settings");
            RoomModel.BelongsToRoom(e, "room_user_settings");
            e.Property(x => x.UserName).HasColumnName("user_name");
            e.Property(x => x.Section).HasColumnName("section");
            e.Property(x => x.Value).HasColumnName("value");
            e.Property(x => x.Position).HasColumnName("position");
        });

        modelBuilder.Entity<ExtensionDataEntity>(e =>
        {
            e.ToTable("room_extension_data");
            e.HasKey(x => new { x.RoomId, x.UserName, x.Category, x.Extension }).HasName("pk_room_extension_data");
            RoomModel.BelongsToRoom(e, "room_extension_data");
            e.Property(x => x.UserName).HasColumnName("user_name");
            e.Property(x => x.Category).HasColumnName("category");
            e.Property(x => x.Extension).HasColumnName("extension");
            e.Property(x => x.Value).HasColumnName("value");
        });
    }
}
