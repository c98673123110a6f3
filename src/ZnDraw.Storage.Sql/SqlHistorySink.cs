using System.Data.Common;
using System.Text.Json;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.EntityFrameworkCore;
using ZnDraw.Storage.Diagnostics;
using ZnDraw.Storage.History;
using ZnDraw.Storage.Sql.Provider;

namespace ZnDraw.Storage.Sql;

/// <summary>
/// Stores history events in the history database, one transaction per batch, idempotently: an event
/// whose id already has a row is skipped, and a logout only fills <c>logout_at</c> of the open login
/// with the same user name and session id.
/// </summary>
/// <remarks>
/// <para>Strings longer than their column are truncated and JSON that does not parse is stored as a JSON
/// string, so that one odd event never blocks the durable outbox. A logout without a stored login
/// (e.g. a session that began before history was enabled) stores nothing.</para>
/// <para>The batch bypasses change tracking: the unique <c>event_id</c> index does the skipping
/// (<c>ON CONFLICT (event_id) DO NOTHING</c>), so a batch costs no read of existing ids. On PostgreSQL
/// each table takes one <c>INSERT ... SELECT FROM unnest(arrays)</c> and all logouts one set-based
/// <c>UPDATE</c>; on SQLite (in-process, no round trips) one prepared statement is re-executed per row.
/// Concurrent writers of the same events (two dispatchers) are safe: the conflicting insert is skipped
/// rather than failing.</para>
/// </remarks>
internal sealed class SqlHistorySink(HistoryDbContextFactory factory) : IHistorySink, IDbSystemNamed
{
    /// <inheritdoc />
    public string DbSystemName => factory.Dialect.DbSystemName;

    public async ValueTask WriteAsync(IReadOnlyList<HistoryEvent> events, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(events);
        if (events.Count == 0)
        {
            return;
        }

        await using var db = await factory.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        await using var tx = await db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await WriteAsync(factory.Dialect, db.Database.GetDbConnection(), tx.GetDbTransaction(), events, cancellationToken).ConfigureAwait(false);
        await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Writes <paramref name="events"/> in the caller's open <paramref name="transaction"/> (the SQL storage writes a
    /// state change's history row in the change's own transaction this way). The caller commits.
    /// </summary>
    internal static async ValueTask WriteAsync(
        SqlDialect dialect, DbConnection connection, DbTransaction transaction, IReadOnlyList<HistoryEvent> events, CancellationToken cancellationToken)
    {
        var seen = new HashSet<string>(events.Count, StringComparer.Ordinal);
        var extensions = new HistoryRows(HistoryTable.Extensions);
        var rooms = new HistoryRows(HistoryTable.Rooms);
        var logins = new HistoryRows(HistoryTable.Logins);
        var logouts = new List<HistoryLogout>();
        foreach (var e in events)
        {
            if (!seen.Add(e.EventId))
            {
                continue;
            }

            switch (e)
            {
                case ExtensionRegisteredEvent x:
                    extensions.Add(
                        x.EventId,
                        Fit(x.Scope, HistoryColumns.Scope),
                        Fit(x.Category, HistoryColumns.Category),
                        Fit(x.Name, HistoryColumns.Name),
                        ValidJson(x.SchemaJson),
                        Fit(x.WorkerId, HistoryColumns.WorkerId),
                        x.OccurredAt.UtcDateTime);
                    break;
                case RoomHistoryEvent x:
                    rooms.Add(
                        x.EventId,
                        Fit(x.RoomId, HistoryColumns.RoomId),
                        Fit(x.EventType, HistoryColumns.EventType),
                        FitOrNull(x.User, HistoryColumns.User),
                        x.Metadata is null ? null : JsonSerializer.Serialize(x.Metadata, HistoryJsonContext.Default.IReadOnlyDictionaryStringString),
                        x.OccurredAt.UtcDateTime);
                    break;
                case UserLoginEvent x:
                    logins.Add(
                        x.EventId,
                        Fit(x.Username, HistoryColumns.Username),
                        Fit(x.SessionId, HistoryColumns.SessionId),
                        x.OccurredAt.UtcDateTime,
                        FitOrNull(x.IpAddress, HistoryColumns.IpAddress));
                    break;
                case UserLogoutEvent x:
                    logouts.Add(new HistoryLogout(
                        Fit(x.Username, HistoryColumns.Username), Fit(x.SessionId, HistoryColumns.SessionId), x.OccurredAt.UtcDateTime));
                    break;
                default:
                    throw new NotSupportedException($"The SQL history sink does not store {e.GetType().Name}.");
            }
        }

        foreach (var rows in new[] { extensions, rooms, logins })
        {
            if (rows.Count == 0)
            {
                continue;
            }

            await dialect.InsertHistoryAsync(connection, transaction, rows, cancellationToken).ConfigureAwait(false);
        }

        // After the inserts: a logout fills the open login of its session (also one stored in this
        // batch); a redelivered logout finds it closed and changes nothing.
        if (logouts.Count > 0)
        {
            await dialect.CloseLoginsAsync(connection, transaction, logouts, cancellationToken).ConfigureAwait(false);
        }
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
