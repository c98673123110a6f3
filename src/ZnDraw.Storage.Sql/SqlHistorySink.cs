using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using ZnDraw.Storage.History;

namespace ZnDraw.Storage.Sql;

/// <summary>
/// Stores history events in the history database, one transaction per batch, idempotently: an event
/// whose id already has a row is skipped, and a logout only fills <c>logout_at</c> of the open login
/// with the same user name and session id.
/// </summary>
/// <remarks>
/// Strings longer than their column are truncated and JSON that does not parse is stored as a JSON
/// string, so that one odd event never blocks the durable outbox. A logout without a stored login
/// (e.g. a session that began before history was enabled) stores nothing.
/// </remarks>
internal sealed class SqlHistorySink(IDbContextFactory<HistoryDbContext> factory) : IHistorySink
{
    public async ValueTask WriteAsync(IReadOnlyList<HistoryEvent> events, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(events);
        if (events.Count == 0)
        {
            return;
        }

        // Two dispatchers racing on the same events can both miss the other's rows and then hit the
        // unique index; the second attempt sees the rows and skips them.
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await WriteOnceAsync(events, cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (DbUpdateException) when (attempt < 3)
            {
            }
        }
    }

    private async Task WriteOnceAsync(IReadOnlyList<HistoryEvent> events, CancellationToken ct)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var extensions = new List<ExtensionRegisteredEvent>();
        var rooms = new List<RoomHistoryEvent>();
        var logins = new List<UserLoginEvent>();
        var logouts = new List<UserLogoutEvent>();
        foreach (var e in events)
        {
            if (!seen.Add(e.EventId))
            {
                continue;
            }

            switch (e)
            {
                case ExtensionRegisteredEvent x: extensions.Add(x); break;
                case RoomHistoryEvent x: rooms.Add(x); break;
                case UserLoginEvent x: logins.Add(x); break;
                case UserLogoutEvent x: logouts.Add(x); break;
                default: throw new NotSupportedException($"The SQL history sink does not store {e.GetType().Name}.");
            }
        }

        await using var db = await factory.CreateDbContextAsync(ct).ConfigureAwait(false);
        await using var tx = await db.Database.BeginTransactionAsync(ct).ConfigureAwait(false);

        if (extensions.Count > 0)
        {
            var ids = extensions.ConvertAll(x => x.EventId);
            var existing = await db.ExtensionRegistrations.Where(r => ids.Contains(r.EventId)).Select(r => r.EventId).ToListAsync(ct).ConfigureAwait(false);
            var skip = existing.ToHashSet(StringComparer.Ordinal);
            foreach (var x in extensions)
            {
                if (!skip.Contains(x.EventId))
                {
                    db.ExtensionRegistrations.Add(new ExtensionRegistrationEntity
                    {
                        EventId = x.EventId,
                        Scope = Fit(x.Scope, HistoryColumns.Scope),
                        Category = Fit(x.Category, HistoryColumns.Category),
                        Name = Fit(x.Name, HistoryColumns.Name),
                        SchemaJson = ValidJson(x.SchemaJson),
                        WorkerId = Fit(x.WorkerId, HistoryColumns.WorkerId),
                        RegisteredAt = x.OccurredAt.UtcDateTime,
                    });
                }
            }
        }

        if (rooms.Count > 0)
        {
            var ids = rooms.ConvertAll(x => x.EventId);
            var existing = await db.RoomEvents.Where(r => ids.Contains(r.EventId)).Select(r => r.EventId).ToListAsync(ct).ConfigureAwait(false);
            var skip = existing.ToHashSet(StringComparer.Ordinal);
            foreach (var x in rooms)
            {
                if (!skip.Contains(x.EventId))
                {
                    db.RoomEvents.Add(new RoomEventEntity
                    {
                        EventId = x.EventId,
                        RoomId = Fit(x.RoomId, HistoryColumns.RoomId),
                        EventType = Fit(x.EventType, HistoryColumns.EventType),
                        User = FitOrNull(x.User, HistoryColumns.User),
                        Metadata = x.Metadata is null ? null : JsonSerializer.Serialize(x.Metadata, HistoryJsonContext.Default.IReadOnlyDictionaryStringString),
                        Timestamp = x.OccurredAt.UtcDateTime,
                    });
                }
            }
        }

        if (logins.Count > 0)
        {
            var ids = logins.ConvertAll(x => x.EventId);
            var existing = await db.UserLoginEvents.Where(r => ids.Contains(r.EventId)).Select(r => r.EventId).ToListAsync(ct).ConfigureAwait(false);
            var skip = existing.ToHashSet(StringComparer.Ordinal);
            foreach (var x in logins)
            {
                if (!skip.Contains(x.EventId))
                {
                    db.UserLoginEvents.Add(new UserLoginEventEntity
                    {
                        EventId = x.EventId,
                        Username = Fit(x.Username, HistoryColumns.Username),
                        SessionId = Fit(x.SessionId, HistoryColumns.SessionId),
                        LoginAt = x.OccurredAt.UtcDateTime,
                        IpAddress = FitOrNull(x.IpAddress, HistoryColumns.IpAddress),
                    });
                }
            }
        }

        await db.SaveChangesAsync(ct).ConfigureAwait(false);

        // A logout fills the open login of its session; a redelivered logout finds it closed and changes nothing.
        foreach (var x in logouts)
        {
            var username = Fit(x.Username, HistoryColumns.Username);
            var sessionId = Fit(x.SessionId, HistoryColumns.SessionId);
            var at = x.OccurredAt.UtcDateTime;
            await db.UserLoginEvents
                .Where(r => r.Username == username && r.SessionId == sessionId && r.LogoutAt == null)
                .ExecuteUpdateAsync(s => s.SetProperty(r => r.LogoutAt, at), ct)
                .ConfigureAwait(false);
        }

        await tx.CommitAsync(ct).ConfigureAwait(false);
    }

    private static string Fit(string value, int max) => value.Length <= max ? value : value[..max];

    private static string? FitOrNull(string? value, int max) => value is null ? null : Fit(value, max);

    /// <summary><paramref name="json"/> when it parses as JSON, otherwise the text as a JSON string.</summary>
    private static string ValidJson(string json)
    {
        try
        {
            using var doc = JsonDocument.Parse(json);
            return json;
        }
        catch (JsonException)
        {
            return JsonSerializer.Serialize(json, HistorySqlJsonContext.Default.String);
        }
    }
}
