using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using ZnDraw.Storage.History;

namespace ZnDraw.Storage.Sql;

/// <summary>Reads history from the history database, newest first.</summary>
internal sealed class SqlHistoryQuery(IDbContextFactory<HistoryDbContext> factory) : IHistoryQuery
{
    public async Task<IReadOnlyList<ExtensionRegisteredEvent>> GetExtensionHistoryAsync(
        string name, int limit = 100, DateTimeOffset? since = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        ValidateLimit(limit);
        await using var db = await factory.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        var query = db.ExtensionRegistrations.AsNoTracking().Where(r => r.Name == name);
        if (since is { } s)
        {
            var from = s.UtcDateTime;
            query = query.Where(r => r.RegisteredAt >= from);
        }

        var rows = await query.OrderByDescending(r => r.RegisteredAt).ThenByDescending(r => r.Id).Take(limit)
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        return rows.ConvertAll(r => new ExtensionRegisteredEvent(
            r.EventId, Utc(r.RegisteredAt), r.Scope, r.Category, r.Name, r.SchemaJson, r.WorkerId));
    }

    public async Task<IReadOnlyList<RoomHistoryEvent>> GetRoomEventsAsync(
        string roomId, int limit = 100, DateTimeOffset? since = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(roomId);
        ValidateLimit(limit);
        await using var db = await factory.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        var query = db.RoomEvents.AsNoTracking().Where(r => r.RoomId == roomId);
        if (since is { } s)
        {
            var from = s.UtcDateTime;
            query = query.Where(r => r.Timestamp >= from);
        }

        var rows = await query.OrderByDescending(r => r.Timestamp).ThenByDescending(r => r.Id).Take(limit)
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        return rows.ConvertAll(r => new RoomHistoryEvent(
            r.EventId, Utc(r.Timestamp), r.RoomId, r.EventType, r.User, ReadMetadata(r)));
    }

    public async Task<IReadOnlyList<UserSession>> GetUserSessionsAsync(
        string username, int limit = 100, DateTimeOffset? since = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(username);
        ValidateLimit(limit);
        await using var db = await factory.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        var query = db.UserLoginEvents.AsNoTracking().Where(r => r.Username == username);
        if (since is { } s)
        {
            var from = s.UtcDateTime;
            query = query.Where(r => r.LoginAt >= from);
        }

        var rows = await query.OrderByDescending(r => r.LoginAt).ThenByDescending(r => r.Id).Take(limit)
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        return rows.ConvertAll(r => new UserSession(
            r.Username, r.SessionId, Utc(r.LoginAt), r.LogoutAt is { } o ? Utc(o) : null, r.IpAddress));
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
