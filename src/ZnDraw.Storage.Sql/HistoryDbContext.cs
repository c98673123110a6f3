using Microsoft.EntityFrameworkCore.Storage.ValueConversion;
using Microsoft.EntityFrameworkCore;

namespace ZnDraw.Storage.Sql;

/// <summary>
/// The history database: <c>extension_registrations</c>, <c>room_events</c> and
/// <c>user_login_events</c>, with snake_case names so that other tools (e.g. Python) can read it.
/// </summary>
/// <remarks>
/// Obtain instances from <see cref="IDbContextFactory{TContext}"/> of <see cref="HistoryDbContext"/>
/// (registered by <c>AddSqlHistory</c>): it returns the provider-specific subclass that owns the
/// migrations of SQLite or PostgreSQL. Every time column holds UTC.
/// </remarks>
internal class HistoryDbContext : DbContext
{
    /// <summary>Creates a context with <paramref name="options"/> (SQLite or PostgreSQL).</summary>
    /// <param name="options">The options; prefer the registered <see cref="IDbContextFactory{TContext}"/>.</param>
    public HistoryDbContext(DbContextOptions options)
        : base(options)
    {
    }

    /// <summary>Table <c>extension_registrations</c>.</summary>
    public DbSet<ExtensionRegistrationEntity> ExtensionRegistrations => Set<ExtensionRegistrationEntity>();

    /// <summary>Table <c>room_events</c>.</summary>
    public DbSet<RoomEventEntity> RoomEvents => Set<RoomEventEntity>();

    /// <summary>Table <c>user_login_events</c>.</summary>
    public DbSet<UserLoginEventEntity> UserLoginEvents => Set<UserLoginEventEntity>();

    /// <summary>The store type of the JSON columns, or <see langword="null"/> for the provider's text type.</summary>
    private protected virtual string? JsonColumnType => null;

    /// <inheritdoc />
    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        ArgumentNullException.ThrowIfNull(configurationBuilder);
        configurationBuilder.Properties<DateTime>().HaveConversion<UtcDateTimeConverter>();
        configurationBuilder.Properties<DateTime?>().HaveConversion<UtcDateTimeConverter>();
    }

    /// <inheritdoc />
    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        ArgumentNullException.ThrowIfNull(modelBuilder);
        var json = JsonColumnType;

        modelBuilder.Entity<ExtensionRegistrationEntity>(e =>
        {
            e.ToTable("extension_registrations");
            e.HasKey(x => x.Id).HasName("pk_extension_registrations");
            e.Property(x => x.Id).HasColumnName("id");
            e.Property(x => x.EventId).HasColumnName("event_id").HasMaxLength(HistoryColumns.EventId);
            e.Property(x => x.Scope).HasColumnName("scope").HasMaxLength(HistoryColumns.Scope);
            e.Property(x => x.Category).HasColumnName("category").HasMaxLength(HistoryColumns.Category);
            e.Property(x => x.Name).HasColumnName("name").HasMaxLength(HistoryColumns.Name);
            var schema = e.Property(x => x.SchemaJson).HasColumnName("schema_json");
            if (json is not null)
            {
                schema.HasColumnType(json);
            }

            e.Property(x => x.WorkerId).HasColumnName("worker_id").HasMaxLength(HistoryColumns.WorkerId);
            e.Property(x => x.RegisteredAt).HasColumnName("registered_at");
            e.HasIndex(x => x.EventId).IsUnique().HasDatabaseName("ix_extension_registrations_event_id");
            e.HasIndex(x => x.Scope).HasDatabaseName("ix_extension_registrations_scope");
            e.HasIndex(x => x.Category).HasDatabaseName("ix_extension_registrations_category");
            e.HasIndex(x => x.Name).HasDatabaseName("ix_extension_registrations_name");
            e.HasIndex(x => x.RegisteredAt).HasDatabaseName("ix_extension_registrations_registered_at");
            e.HasIndex(x => new { x.Name, x.RegisteredAt }).HasDatabaseName("ix_extension_registrations_name_registered_at");
            e.HasIndex(x => new { x.Scope, x.Category }).HasDatabaseName("ix_extension_registrations_scope_category");
        });

        modelBuilder.Entity<RoomEventEntity>(e =>
        {
            e.ToTable("room_events");
            e.HasKey(x => x.Id).HasName("pk_room_events");
            e.Property(x => x.Id).HasColumnName("id");
            e.Property(x => x.EventId).HasColumnName("event_id").HasMaxLength(HistoryColumns.EventId);
            e.Property(x => x.RoomId).HasColumnName("room_id").HasMaxLength(HistoryColumns.RoomId);
            e.Property(x => x.EventType).HasColumnName("event_type").HasMaxLength(HistoryColumns.EventType);
            e.Property(x => x.User).HasColumnName("user").HasMaxLength(HistoryColumns.User);
            var metadata = e.Property(x => x.Metadata).HasColumnName("metadata");
            if (json is not null)
            {
                metadata.HasColumnType(json);
            }

            e.Property(x => x.Timestamp).HasColumnName("timestamp");
            e.HasIndex(x => x.EventId).IsUnique().HasDatabaseName("ix_room_events_event_id");
            e.HasIndex(x => x.RoomId).HasDatabaseName("ix_room_events_room_id");
            e.HasIndex(x => x.Timestamp).HasDatabaseName("ix_room_events_timestamp");
            e.HasIndex(x => new { x.RoomId, x.Timestamp }).HasDatabaseName("ix_room_events_room_id_timestamp");
        });

        modelBuilder.Entity<UserLoginEventEntity>(e =>
        {
            e.ToTable("user_login_events");
            e.HasKey(x => x.Id).HasName("pk_user_login_events");
            e.Property(x => x.Id).HasColumnName("id");
            e.Property(x => x.EventId).HasColumnName("event_id").HasMaxLength(HistoryColumns.EventId);
            e.Property(x => x.Username).HasColumnName("username").HasMaxLength(HistoryColumns.Username);
            e.Property(x => x.SessionId).HasColumnName("session_id").HasMaxLength(HistoryColumns.SessionId);
            e.Property(x => x.LoginAt).HasColumnName("login_at");
            e.Property(x => x.LogoutAt).HasColumnName("logout_at");
            e.Property(x => x.IpAddress).HasColumnName("ip_address").HasMaxLength(HistoryColumns.IpAddress);
            e.HasIndex(x => x.EventId).IsUnique().HasDatabaseName("ix_user_login_events_event_id");
            e.HasIndex(x => x.Username).HasDatabaseName("ix_user_login_events_username");
            e.HasIndex(x => x.LoginAt).HasDatabaseName("ix_user_login_events_login_at");
            e.HasIndex(x => new { x.Username, x.SessionId }).HasDatabaseName("ix_user_login_events_username_session_id");
            e.HasIndex(x => new { x.Username, x.LoginAt }).HasDatabaseName("ix_user_login_events_username_login_at");
        });
    }
}

/// <summary>Stores <see cref="DateTime"/> values (always UTC) as they are and reads them back as UTC.</summary>
internal sealed class UtcDateTimeConverter() : ValueConverter<DateTime, DateTime>(
    v => DateTime.SpecifyKind(v, DateTimeKind.Utc),
    v => DateTime.SpecifyKind(v, DateTimeKind.Utc));
