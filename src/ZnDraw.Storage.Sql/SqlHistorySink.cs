using System.Data.Common;
using System.Text.Json;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using NpgsqlTypes;
using ZnDraw.Storage.History;

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
internal sealed class SqlHistorySink(IDbContextFactory<HistoryDbContext> factory) : IHistorySink
{
    private static readonly Table Extensions = new(
        "extension_registrations",
        [
            new("event_id", ColumnKind.Text),
            new("scope", ColumnKind.Text),
            new("category", ColumnKind.Text),
            new("name", ColumnKind.Text),
            new("schema_json", ColumnKind.Json),
            new("worker_id", ColumnKind.Text),
            new("registered_at", ColumnKind.Time),
        ]);

    private static readonly Table Rooms = new(
        "room_events",
        [
            new("event_id", ColumnKind.Text),
            new("room_id", ColumnKind.Text),
            new("event_type", ColumnKind.Text),
            new("user", ColumnKind.Text),
            new("metadata", ColumnKind.Json),
            new("timestamp", ColumnKind.Time),
        ]);

    private static readonly Table Logins = new(
        "user_login_events",
        [
            new("event_id", ColumnKind.Text),
            new("username", ColumnKind.Text),
            new("session_id", ColumnKind.Text),
            new("login_at", ColumnKind.Time),
            new("ip_address", ColumnKind.Text),
        ]);

    private const string SqliteLogout =
        "UPDATE user_login_events SET logout_at = $at WHERE username = $username AND session_id = $session AND logout_at IS NULL";

    private const string PostgresLogout =
        "UPDATE user_login_events AS u SET logout_at = v.at "
        + "FROM unnest($1::text[], $2::text[], $3::timestamptz[]) AS v(username, session_id, at) "
        + "WHERE u.username = v.username AND u.session_id = v.session_id AND u.logout_at IS NULL";

    public async ValueTask WriteAsync(IReadOnlyList<HistoryEvent> events, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(events);
        if (events.Count == 0)
        {
            return;
        }

        await using var db = await factory.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        var postgres = db.Database.IsNpgsql();
        await using var tx = await db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await WriteAsync(db.Database.GetDbConnection(), tx.GetDbTransaction(), postgres, events, cancellationToken).ConfigureAwait(false);
        await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Writes <paramref name="events"/> in the caller's open <paramref name="transaction"/> (the SQL storage writes a
    /// state change's history row in the change's own transaction this way). The caller commits.
    /// </summary>
    internal static async ValueTask WriteAsync(
        DbConnection connection, DbTransaction transaction, bool postgres, IReadOnlyList<HistoryEvent> events, CancellationToken cancellationToken)
    {
        var seen = new HashSet<string>(events.Count, StringComparer.Ordinal);
        var extensions = new Rows(Extensions);
        var rooms = new Rows(Rooms);
        var logins = new Rows(Logins);
        var logouts = new List<UserLogoutEvent>();
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
                    logouts.Add(x);
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

            if (postgres)
            {
                await InsertPostgresAsync(connection, transaction, rows, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await InsertSqliteAsync(connection, transaction, rows, cancellationToken).ConfigureAwait(false);
            }
        }

        // After the inserts: a logout fills the open login of its session (also one stored in this
        // batch); a redelivered logout finds it closed and changes nothing.
        if (logouts.Count > 0)
        {
            if (postgres)
            {
                await LogoutPostgresAsync(connection, transaction, logouts, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await LogoutSqliteAsync(connection, transaction, logouts, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>One prepared <c>INSERT ... ON CONFLICT DO NOTHING</c>, executed per row (SQLite runs in process: no round trips).</summary>
    private static async Task InsertSqliteAsync(DbConnection connection, DbTransaction transaction, Rows rows, CancellationToken ct)
    {
        var table = rows.Table;
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = table.SqliteInsert;
        var parameters = new DbParameter[table.Columns.Length];
        for (var c = 0; c < parameters.Length; c++)
        {
            parameters[c] = command.CreateParameter();
            parameters[c].ParameterName = "$p" + c.ToString(System.Globalization.CultureInfo.InvariantCulture);
            command.Parameters.Add(parameters[c]);
        }

        command.Prepare();
        for (var r = 0; r < rows.Count; r++)
        {
            for (var c = 0; c < parameters.Length; c++)
            {
                parameters[c].Value = rows.Get(c, r) ?? DBNull.Value;
            }

            await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }
    }

    /// <summary>One <c>INSERT ... SELECT FROM unnest(column arrays) ON CONFLICT DO NOTHING</c> for the whole batch.</summary>
    private static async Task InsertPostgresAsync(DbConnection connection, DbTransaction transaction, Rows rows, CancellationToken ct)
    {
        var table = rows.Table;
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = table.PostgresInsert;
        for (var c = 0; c < table.Columns.Length; c++)
        {
            command.Parameters.Add(rows.Table.Columns[c].Kind == ColumnKind.Time
                ? new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.TimestampTz, Value = rows.TimeColumn(c) }
                : new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text, Value = rows.TextColumn(c) });
        }

        await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
    }

    private static async Task LogoutSqliteAsync(DbConnection connection, DbTransaction transaction, List<UserLogoutEvent> logouts, CancellationToken ct)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = SqliteLogout;
        var at = AddParameter(command, "$at");
        var username = AddParameter(command, "$username");
        var session = AddParameter(command, "$session");
        command.Prepare();
        foreach (var x in logouts)
        {
            at.Value = x.OccurredAt.UtcDateTime;
            username.Value = Fit(x.Username, HistoryColumns.Username);
            session.Value = Fit(x.SessionId, HistoryColumns.SessionId);
            await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }
    }

    private static async Task LogoutPostgresAsync(DbConnection connection, DbTransaction transaction, List<UserLogoutEvent> logouts, CancellationToken ct)
    {
        // One UPDATE for the batch. The first logout of a session wins, as when they run one by one
        // (the later ones find the login closed).
        var sessions = new HashSet<(string, string)>();
        var usernames = new List<string>(logouts.Count);
        var sessionIds = new List<string>(logouts.Count);
        var times = new List<DateTime>(logouts.Count);
        foreach (var x in logouts)
        {
            var username = Fit(x.Username, HistoryColumns.Username);
            var sessionId = Fit(x.SessionId, HistoryColumns.SessionId);
            if (sessions.Add((username, sessionId)))
            {
                usernames.Add(username);
                sessionIds.Add(sessionId);
                times.Add(x.OccurredAt.UtcDateTime);
            }
        }

        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = PostgresLogout;
        command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text, Value = usernames.ToArray() });
        command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text, Value = sessionIds.ToArray() });
        command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.TimestampTz, Value = times.ToArray() });
        await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
    }

    private static DbParameter AddParameter(DbCommand command, string name)
    {
        var p = command.CreateParameter();
        p.ParameterName = name;
        command.Parameters.Add(p);
        return p;
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

    private enum ColumnKind
    {
        Text,
        Json,
        Time,
    }

    private sealed record Column(string Name, ColumnKind Kind);

    /// <summary>A history table and its two insert statements (every column but <c>id</c>; <c>event_id</c> first).</summary>
    private sealed class Table
    {
        public Table(string name, Column[] columns)
        {
            Name = name;
            Columns = columns;
            var list = string.Join(", ", columns.Select(c => Quote(c.Name)));
            SqliteInsert = $"INSERT INTO {Quote(name)} ({list}) VALUES ({string.Join(", ", columns.Select((_, i) => "$p" + i))}) "
                + "ON CONFLICT (event_id) DO NOTHING";
            var arrays = string.Join(", ", columns.Select((c, i) => $"${i + 1}::{(c.Kind == ColumnKind.Time ? "timestamptz" : "text")}[]"));
            var values = string.Join(", ", columns.Select((c, i) => c.Kind == ColumnKind.Json ? $"c{i}::jsonb" : $"c{i}"));
            var aliases = string.Join(", ", columns.Select((_, i) => $"c{i}"));
            PostgresInsert = $"INSERT INTO {Quote(name)} ({list}) SELECT {values} FROM unnest({arrays}) AS v({aliases}) "
                + "ON CONFLICT (event_id) DO NOTHING";
        }

        public string Name { get; }

        public Column[] Columns { get; }

        public string SqliteInsert { get; }

        public string PostgresInsert { get; }

        private static string Quote(string identifier) => "\"" + identifier + "\"";
    }

    /// <summary>The rows of one table in a batch, row-major (column <c>c</c> of row <c>r</c> at <c>r * columns + c</c>).</summary>
    private sealed class Rows(Table table)
    {
        private readonly List<object?> _values = [];

        public Table Table => table;

        public int Count => _values.Count / table.Columns.Length;

        public void Add(params ReadOnlySpan<object?> values) => _values.AddRange(values);

        public object? Get(int column, int row) => _values[(row * table.Columns.Length) + column];

        public string?[] TextColumn(int column)
        {
            var result = new string?[Count];
            for (var r = 0; r < result.Length; r++)
            {
                result[r] = (string?)Get(column, r);
            }

            return result;
        }

        public DateTime[] TimeColumn(int column)
        {
            var result = new DateTime[Count];
            for (var r = 0; r < result.Length; r++)
            {
                result[r] = (DateTime)Get(column, r)!;
            }

            return result;
        }
    }
}
