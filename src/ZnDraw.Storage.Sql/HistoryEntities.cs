namespace ZnDraw.Storage.Sql;

/// <summary>A row of <c>extension_registrations</c>: one registration of an extension by a worker.</summary>
internal sealed class ExtensionRegistrationEntity
{
    /// <summary>Column <c>id</c>: the surrogate key.</summary>
    public long Id { get; set; }

    /// <summary>Column <c>event_id</c>: the history event that produced the row (unique, at most 64 characters).</summary>
    public string EventId { get; set; } = string.Empty;

    /// <summary>Column <c>scope</c>: <c>room:{id}</c> or <c>global</c> (at most 255 characters).</summary>
    public string Scope { get; set; } = string.Empty;

    /// <summary>Column <c>category</c> (at most 100 characters).</summary>
    public string Category { get; set; } = string.Empty;

    /// <summary>Column <c>name</c>: the extension name (at most 255 characters).</summary>
    public string Name { get; set; } = string.Empty;

    /// <summary>Column <c>schema_json</c>: the parameter schema (JSON; <c>jsonb</c> on PostgreSQL).</summary>
    public string SchemaJson { get; set; } = "{}";

    /// <summary>Column <c>worker_id</c> (at most 255 characters).</summary>
    public string WorkerId { get; set; } = string.Empty;

    /// <summary>Column <c>registered_at</c> (UTC).</summary>
    public DateTime RegisteredAt { get; set; }
}

/// <summary>A row of <c>room_events</c>: something that happened to a room.</summary>
internal sealed class RoomEventEntity
{
    /// <summary>Column <c>id</c>: the surrogate key.</summary>
    public long Id { get; set; }

    /// <summary>Column <c>event_id</c>: the history event that produced the row (unique, at most 64 characters).</summary>
    public string EventId { get; set; } = string.Empty;

    /// <summary>Column <c>room_id</c> (at most 255 characters).</summary>
    public string RoomId { get; set; } = string.Empty;

    /// <summary>Column <c>event_type</c>: <c>created</c>, <c>copied</c>, <c>deleted</c>, ... (at most 50 characters).</summary>
    public string EventType { get; set; } = string.Empty;

    /// <summary>Column <c>user</c>: who did it, or <see langword="null"/> (at most 255 characters).</summary>
    public string? User { get; set; }

    /// <summary>Column <c>metadata</c>: a JSON object of strings, or <see langword="null"/> (<c>jsonb</c> on PostgreSQL).</summary>
    public string? Metadata { get; set; }

    /// <summary>Column <c>timestamp</c> (UTC).</summary>
    public DateTime Timestamp { get; set; }
}

/// <summary>A row of <c>user_login_events</c>: one login session, with its logout once known.</summary>
internal sealed class UserLoginEventEntity
{
    /// <summary>Column <c>id</c>: the surrogate key.</summary>
    public long Id { get; set; }

    /// <summary>Column <c>event_id</c>: the login event that produced the row (unique, at most 64 characters).</summary>
    public string EventId { get; set; } = string.Empty;

    /// <summary>Column <c>username</c> (at most 255 characters).</summary>
    public string Username { get; set; } = string.Empty;

    /// <summary>Column <c>session_id</c> (at most 255 characters).</summary>
    public string SessionId { get; set; } = string.Empty;

    /// <summary>Column <c>login_at</c> (UTC).</summary>
    public DateTime LoginAt { get; set; }

    /// <summary>Column <c>logout_at</c> (UTC), filled by the matching logout; <see langword="null"/> while open.</summary>
    public DateTime? LogoutAt { get; set; }

    /// <summary>Column <c>ip_address</c>: IPv4 or IPv6 text (at most 45 characters), or <see langword="null"/>.</summary>
    public string? IpAddress { get; set; }
}

/// <summary>Column sizes of the history tables; the sink truncates longer values rather than fail.</summary>
internal static class HistoryColumns
{
    public const int EventId = 64;
    public const int Scope = 255;
    public const int Category = 100;
    public const int Name = 255;
    public const int WorkerId = 255;
    public const int RoomId = 255;
    public const int EventType = 50;
    public const int User = 255;
    public const int Username = 255;
    public const int SessionId = 255;
    public const int IpAddress = 45;
}
