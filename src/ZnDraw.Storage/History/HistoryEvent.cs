using System.Security.Cryptography;
using System.Text.Json.Serialization;

namespace ZnDraw.Storage.History;

/// <summary>Something that happened in ZnDraw and is worth keeping after Redis forgets it.</summary>
/// <remarks>
/// <see cref="EventId"/> identifies the event for idempotency: a sink stores at most one row per
/// event id, so delivering an event twice (a dispatcher retry, a reclaimed outbox entry) is harmless.
/// Create ids with <see cref="NewEventId(DateTimeOffset)"/>.
/// </remarks>
/// <param name="EventId">The unique id of the event (at most 64 characters; a version 7 GUID by default).</param>
/// <param name="OccurredAt">When the event happened; sinks store it in UTC.</param>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "type")]
[JsonDerivedType(typeof(ExtensionRegisteredEvent), "extension_registered")]
[JsonDerivedType(typeof(RoomHistoryEvent), "room")]
[JsonDerivedType(typeof(UserLoginEvent), "user_login")]
[JsonDerivedType(typeof(UserLogoutEvent), "user_logout")]
public abstract record HistoryEvent(string EventId, DateTimeOffset OccurredAt)
{
    /// <summary>The longest event id a sink accepts.</summary>
    public const int MaxEventIdLength = 64;

    /// <summary>The unique id of the event (at most <see cref="MaxEventIdLength"/> characters).</summary>
    public string EventId { get; init; } = ValidateEventId(EventId);

    /// <summary>A new, time-ordered event id: a version 7 GUID for <paramref name="occurredAt"/>, 36 characters.</summary>
    /// <remarks>
    /// The same layout as <see cref="Guid.CreateVersion7(DateTimeOffset)"/> (48-bit Unix milliseconds, version 7,
    /// RFC 9562 variant, 74 random bits from the cryptographic generator), but the random bits are drawn from a
    /// per-thread block filled once per <see cref="EventIdRandom.IdsPerBlock"/> ids: the generator's system call costs
    /// about as much as the rest of an event, and a durable write pays for it on the caller's path.
    /// </remarks>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="occurredAt"/> is before the Unix epoch.</exception>
    public static string NewEventId(DateTimeOffset occurredAt)
    {
        long unixMs = occurredAt.ToUnixTimeMilliseconds();
        ArgumentOutOfRangeException.ThrowIfNegative(unixMs, nameof(occurredAt));
        Span<byte> bytes = stackalloc byte[16];
        EventIdRandom.Next(bytes[6..]);
        // Big-endian: bytes 0-5 are the timestamp, the high nibble of byte 6 the version, the top bits of byte 8 the variant.
        bytes[0] = (byte)(unixMs >> 40);
        bytes[1] = (byte)(unixMs >> 32);
        bytes[2] = (byte)(unixMs >> 24);
        bytes[3] = (byte)(unixMs >> 16);
        bytes[4] = (byte)(unixMs >> 8);
        bytes[5] = (byte)unixMs;
        bytes[6] = (byte)((bytes[6] & 0x0F) | 0x70);
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
        return new Guid(bytes, bigEndian: true).ToString("D");
    }

    private static string ValidateEventId(string eventId)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(eventId);
        return eventId.Length <= MaxEventIdLength
            ? eventId
            : throw new ArgumentException($"An event id has at most {MaxEventIdLength} characters.", nameof(eventId));
    }
}

/// <summary>The random bits of event ids: cryptographic random bytes, fetched a block at a time per thread.</summary>
internal static class EventIdRandom
{
    /// <summary>The random bytes one id takes (bytes 6-15 of the GUID; 74 of their 80 bits survive).</summary>
    public const int BytesPerId = 10;

    /// <summary>How many ids one block serves.</summary>
    public const int IdsPerBlock = 64;

    [ThreadStatic]
    private static byte[]? t_block;

    [ThreadStatic]
    private static int t_used;

    /// <summary>Fills <paramref name="destination"/> (<see cref="BytesPerId"/> bytes) with random bytes not handed out before.</summary>
    public static void Next(Span<byte> destination)
    {
        byte[]? block = t_block;
        int used = t_used;
        if (block is null || used == block.Length)
        {
            block = t_block ??= new byte[BytesPerId * IdsPerBlock];
            RandomNumberGenerator.Fill(block);
            used = 0;
        }

        block.AsSpan(used, BytesPerId).CopyTo(destination);
        t_used = used + BytesPerId;
    }
}

/// <summary>A worker registered an extension (in a room or globally).</summary>
/// <param name="EventId">The unique id of the event.</param>
/// <param name="OccurredAt">When the extension was registered.</param>
/// <param name="Scope">Where the extension was registered: <c>room:{id}</c> or <c>global</c> (see <see cref="HistoryScopes"/>).</param>
/// <param name="Category">The extension category (<c>modifiers</c>, <c>selections</c>, <c>analysis</c>, ...).</param>
/// <param name="Name">The extension name.</param>
/// <param name="SchemaJson">The JSON schema of the extension's parameters, as registered.</param>
/// <param name="WorkerId">The worker (socket session id) that registered it.</param>
public sealed record ExtensionRegisteredEvent(
    string EventId,
    DateTimeOffset OccurredAt,
    string Scope,
    string Category,
    string Name,
    string SchemaJson,
    string WorkerId) : HistoryEvent(EventId, OccurredAt);

/// <summary>Something happened to a room: created, copied, deleted, locked, unlocked, hidden, description changed, ...</summary>
/// <param name="EventId">The unique id of the event.</param>
/// <param name="OccurredAt">When it happened.</param>
/// <param name="RoomId">The room.</param>
/// <param name="EventType">What happened, one of <see cref="RoomEventTypes"/> (or another short snake_case word, at most 50 characters).</param>
/// <param name="User">The user who did it, or <see langword="null"/> when unknown or done by the server.</param>
/// <param name="Metadata">Details (e.g. the source room of a copy, the new description), or <see langword="null"/>.</param>
public sealed record RoomHistoryEvent(
    string EventId,
    DateTimeOffset OccurredAt,
    string RoomId,
    string EventType,
    string? User,
    IReadOnlyDictionary<string, string>? Metadata) : HistoryEvent(EventId, OccurredAt);

/// <summary>A user logged in and got a session.</summary>
/// <param name="EventId">The unique id of the event.</param>
/// <param name="OccurredAt">When the user logged in.</param>
/// <param name="Username">The user name.</param>
/// <param name="SessionId">The session (socket) id.</param>
/// <param name="IpAddress">The client address (IPv4 or IPv6 text, at most 45 characters), or <see langword="null"/>.</param>
public sealed record UserLoginEvent(
    string EventId,
    DateTimeOffset OccurredAt,
    string Username,
    string SessionId,
    string? IpAddress) : HistoryEvent(EventId, OccurredAt);

/// <summary>A user's session ended; sinks pair it with the login of the same user name and session id.</summary>
/// <param name="EventId">The unique id of the event.</param>
/// <param name="OccurredAt">When the session ended.</param>
/// <param name="Username">The user name.</param>
/// <param name="SessionId">The session (socket) id of the matching login.</param>
public sealed record UserLogoutEvent(
    string EventId,
    DateTimeOffset OccurredAt,
    string Username,
    string SessionId) : HistoryEvent(EventId, OccurredAt);

/// <summary>The event types of <see cref="RoomHistoryEvent"/> that ZnDraw.Storage emits.</summary>
public static class RoomEventTypes
{
    /// <summary>The longest event type a sink accepts.</summary>
    public const int MaxLength = 50;

    /// <summary>A room was created.</summary>
    public const string Created = "created";

    /// <summary>A room was created as a copy of another (metadata <c>source_room</c>).</summary>
    public const string Copied = "copied";

    /// <summary>A room was deleted.</summary>
    public const string Deleted = "deleted";

    /// <summary>A room was locked.</summary>
    public const string Locked = "locked";

    /// <summary>A room was unlocked.</summary>
    public const string Unlocked = "unlocked";

    /// <summary>A room was hidden from listings.</summary>
    public const string Hidden = "hidden";

    /// <summary>A room's description changed (metadata <c>description</c>).</summary>
    public const string DescriptionChanged = "description_changed";
}

/// <summary>The scope strings of <see cref="ExtensionRegisteredEvent.Scope"/>.</summary>
public static class HistoryScopes
{
    /// <summary>A global (public) extension.</summary>
    public const string Global = "global";

    /// <summary>The scope of an extension registered in room <paramref name="roomId"/>: <c>room:{roomId}</c>.</summary>
    public static string Room(string roomId)
    {
        ArgumentException.ThrowIfNullOrEmpty(roomId);
        return "room:" + roomId;
    }
}

/// <summary>One login session of a user, with its logout when there was one.</summary>
/// <param name="Username">The user name.</param>
/// <param name="SessionId">The session (socket) id.</param>
/// <param name="LoginAt">When the user logged in (UTC).</param>
/// <param name="LogoutAt">When the session ended (UTC), or <see langword="null"/> while it is open or when no logout was recorded.</param>
/// <param name="IpAddress">The client address, or <see langword="null"/>.</param>
public sealed record UserSession(
    string Username,
    string SessionId,
    DateTimeOffset LoginAt,
    DateTimeOffset? LogoutAt,
    string? IpAddress);
