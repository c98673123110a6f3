using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using ZnDraw.Storage.Contracts;
using ZnDraw.Storage.History;

namespace ZnDraw.Storage.Sql;

/// <summary>Reads history from the history database, newest first, one keyset page at a time.</summary>
/// <remarks>
/// Every query orders by (time, <c>id</c>) descending, which is total (<c>id</c> is the unique surrogate key), and a
/// page after a cursor (t, i) is <c>time &lt;= t AND (time &lt; t OR id &lt; i)</c>: the first conjunct bounds the
/// index range scan, the second drops the rows of equal time already returned. It reads <c>limit + 1</c> rows to know
/// whether an older page exists. Indexes: <c>(name, registered_at)</c>, <c>(room_id, timestamp)</c>,
/// <c>(username, login_at)</c>; SQLite appends the rowid (<c>id</c>) to every index entry, PostgreSQL orders ties
/// by <c>id</c> with an incremental sort over the few rows of one time.
/// </remarks>
internal sealed class SqlHistoryQuery(IDbContextFactory<HistoryDbContext> factory) : IHistoryQuery
{
    public async ValueTask<HistoryPage<ExtensionRegisteredEvent>> GetExtensionHistoryAsync(
        string name, int limit = 100, DateTimeOffset? since = null, string? before = null, CancellationToken cancellationToken = default)
    {
        KeyValidation.ValidateExtensionName(name, nameof(name));
        ValidateLimit(limit);
        var cursor = HistoryCursor.Parse(before, nameof(before));
        await using var db = await factory.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        var query = db.ExtensionRegistrations.AsNoTracking().Where(r => r.Name == name);
        if (since is { } s)
        {
            var from = s.UtcDateTime;
            query = query.Where(r => r.RegisteredAt >= from);
        }

        if (cursor is { } c)
        {
            var (time, id) = (c.Time, c.Id);
            query = query.Where(r => r.RegisteredAt <= time && (r.RegisteredAt < time || r.Id < id));
        }

        var rows = await query.OrderByDescending(r => r.RegisteredAt).ThenByDescending(r => r.Id).Take(limit + 1)
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        return Page(rows, limit, r => (r.RegisteredAt, r.Id), r => new ExtensionRegisteredEvent(
            r.EventId, Utc(r.RegisteredAt), r.Scope, r.Category, r.Name, r.SchemaJson, r.WorkerId));
    }

    public async ValueTask<HistoryPage<RoomHistoryEvent>> GetRoomEventsAsync(
        string roomId, int limit = 100, DateTimeOffset? since = null, string? before = null, CancellationToken cancellationToken = default)
    {
        KeyValidation.ValidateRoomId(roomId, nameof(roomId));
        ValidateLimit(limit);
        var cursor = HistoryCursor.Parse(before, nameof(before));
        await using var db = await factory.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        var query = db.RoomEvents.AsNoTracking().Where(r => r.RoomId == roomId);
        if (since is { } s)
        {
            var from = s.UtcDateTime;
            query = query.Where(r => r.Timestamp >= from);
        }

        if (cursor is { } c)
        {
            var (time, id) = (c.Time, c.Id);
            query = query.Where(r => r.Timestamp <= time && (r.Timestamp < time || r.Id < id));
        }

        var rows = await query.OrderByDescending(r => r.Timestamp).ThenByDescending(r => r.Id).Take(limit + 1)
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        return Page(rows, limit, r => (r.Timestamp, r.Id), r => new RoomHistoryEvent(
            r.EventId, Utc(r.Timestamp), r.RoomId, r.EventType, r.User, ReadMetadata(r)));
    }

    public async ValueTask<HistoryPage<UserSession>> GetUserSessionsAsync(
        string username, int limit = 100, DateTimeOffset? since = null, string? before = null, CancellationToken cancellationToken = default)
    {
        KeyValidation.ValidateUserName(username, KeyLayout.ZnDraw, nameof(username));
        ValidateLimit(limit);
        var cursor = HistoryCursor.Parse(before, nameof(before));
        await using var db = await factory.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        var query = db.UserLoginEvents.AsNoTracking().Where(r => r.Username == username);
        if (since is { } s)
        {
            var from = s.UtcDateTime;
            query = query.Where(r => r.LoginAt >= from);
        }

        if (cursor is { } c)
        {
            var (time, id) = (c.Time, c.Id);
            query = query.Where(r => r.LoginAt <= time && (r.LoginAt < time || r.Id < id));
        }

        var rows = await query.OrderByDescending(r => r.LoginAt).ThenByDescending(r => r.Id).Take(limit + 1)
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        return Page(rows, limit, r => (r.LoginAt, r.Id), r => new UserSession(
            r.Username, r.SessionId, Utc(r.LoginAt), r.LogoutAt is { } o ? Utc(o) : null, r.IpAddress));
    }

    /// <summary>The first <paramref name="limit"/> of <paramref name="rows"/> (read with one extra), and the cursor of the last when the extra row exists.</summary>
    private static HistoryPage<T> Page<TRow, T>(List<TRow> rows, int limit, Func<TRow, (DateTime Time, long Id)> position, Func<TRow, T> map)
    {
        string? next = null;
        if (rows.Count > limit)
        {
            rows.RemoveAt(limit);
            var (time, id) = position(rows[^1]);
            next = HistoryCursor.Format(time, id);
        }

        return new HistoryPage<T>(rows.ConvertAll(r => map(r)), next);
    }

    private static void ValidateLimit(int limit, [System.Runtime.CompilerServices.CallerArgumentExpression(nameof(limit))] string? name = null)
    {
        if (limit is < 1 or > IHistoryQuery.MaxLimit)
        {
            throw new ArgumentOutOfRangeException(name, limit, $"The limit must be 1 to {IHistoryQuery.MaxLimit}.");
        }
    }

    private static DateTimeOffset Utc(DateTime value) => new(DateTime.SpecifyKind(value, DateTimeKind.Utc));

    private static Dictionary<string, string>? ReadMetadata(RoomEventEntity row)
    {
        if (row.Metadata is null)
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize(row.Metadata, HistorySqlJsonContext.Default.DictionaryStringString);
        }
        catch (JsonException ex)
        {
            throw new StorageDataException($"room_events id {row.Id}", "metadata", "the metadata is not a JSON object of strings.", ex);
        }
    }
}

/// <summary>
/// The page cursor of <see cref="SqlHistoryQuery"/>: the (time, <c>id</c>) of a page's last row as 16 bytes (UTC ticks
/// and id, big-endian) in base64url, 22 characters. Opaque to callers; the format may change between versions.
/// </summary>
internal readonly record struct HistoryCursor(DateTime Time, long Id)
{
    private const int Bytes = 16;

    public static string Format(DateTime time, long id)
    {
        Span<byte> bytes = stackalloc byte[Bytes];
        System.Buffers.Binary.BinaryPrimitives.WriteInt64BigEndian(bytes, DateTime.SpecifyKind(time, DateTimeKind.Utc).Ticks);
        System.Buffers.Binary.BinaryPrimitives.WriteInt64BigEndian(bytes[8..], id);
        return System.Buffers.Text.Base64Url.EncodeToString(bytes);
    }

    /// <summary>Reads a cursor; <see langword="null"/> for <see langword="null"/> text.</summary>
    /// <exception cref="ArgumentException">The text is not a cursor this store issued.</exception>
    public static HistoryCursor? Parse(string? text, string paramName)
    {
        if (text is null)
        {
            return null;
        }

        Span<byte> bytes = stackalloc byte[Bytes];
        // IsValid first: TryDecodeFromChars throws (rather than answer false) on characters outside the alphabet.
        if (text.Length != 22
            || !System.Buffers.Text.Base64Url.IsValid(text, out int length)
            || length != Bytes
            || !System.Buffers.Text.Base64Url.TryDecodeFromChars(text, bytes, out int written)
            || written != Bytes)
        {
            throw Invalid(paramName);
        }

        long ticks = System.Buffers.Binary.BinaryPrimitives.ReadInt64BigEndian(bytes);
        long id = System.Buffers.Binary.BinaryPrimitives.ReadInt64BigEndian(bytes[8..]);
        if (ticks is < 0 || ticks > DateTime.MaxValue.Ticks || id < 0 || Format(new DateTime(ticks, DateTimeKind.Utc), id) != text)
        {
            throw Invalid(paramName);
        }

        return new HistoryCursor(new DateTime(ticks, DateTimeKind.Utc), id);
    }

    private static ArgumentException Invalid(string paramName) =>
        new("Not a history page cursor: pass the nextCursor of a previous page unchanged.", paramName);
}
