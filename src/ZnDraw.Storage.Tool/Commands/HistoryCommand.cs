using System.CommandLine;
using System.Text.Json;
using ZnDraw.Storage.History;
using ZnDraw.Storage.Tool.Infrastructure;

namespace ZnDraw.Storage.Tool.Commands;

/// <summary><c>history rooms|extensions|users</c>: the SQL history, newest first, one page at a time.</summary>
internal static class HistoryCommand
{
    private const int DefaultLimit = 50;

    public static Command Create() => ToolCommand.Group(
        "history",
        "The history recorded in SQL (AddSqlHistory): room events, extension registrations, user sessions. Needs "
        + "--sql-provider and --sql (Redis is not used). Newest first; a page ends with the cursor of the next one.",
        Paged<RoomHistoryEvent>(
            "rooms",
            "room-id",
            "The events of one room (created, copied, deleted, locked, unlocked, hidden, description_changed): time, event, user, metadata.",
            static (q, key, limit, since, before, ct) => q.GetRoomEventsAsync(key, limit, since, before, ct),
            ["Time", "Event", "User", "Metadata"],
            static e => [Formats.Time(e.OccurredAt), e.EventType, e.User, Formats.List((e.Metadata ?? new Dictionary<string, string>()).Select(static m => $"{m.Key}={m.Value}"))],
            static e => new { e.EventId, e.OccurredAt, e.RoomId, e.EventType, e.User, e.Metadata }),
        Paged<ExtensionRegisteredEvent>(
            "extensions",
            "extension-name",
            "The registrations of one extension (by name, every scope and category): time, scope, category, worker.",
            static (q, key, limit, since, before, ct) => q.GetExtensionHistoryAsync(key, limit, since, before, ct),
            ["Time", "Scope", "Category", "Extension", "Worker"],
            static e => [Formats.Time(e.OccurredAt), e.Scope, e.Category, e.Name, e.WorkerId],
            static e => new { e.EventId, e.OccurredAt, e.Scope, e.Category, e.Name, e.WorkerId, Schema = ParseOrText(e.SchemaJson) }),
        Paged<UserSession>(
            "users",
            "user-name",
            "The sessions of one user: login, logout, session id, IP address.",
            static (q, key, limit, since, before, ct) => q.GetUserSessionsAsync(key, limit, since, before, ct),
            ["Login", "Logout", "Session", "IP address"],
            static s => [Formats.Time(s.LoginAt), Formats.Time(s.LogoutAt), s.SessionId, s.IpAddress],
            static s => new { s.Username, s.SessionId, s.LoginAt, s.LogoutAt, s.IpAddress }));

    private static Command Paged<T>(
        string name,
        string keyName,
        string description,
        Func<IHistoryQuery, string, int, DateTimeOffset?, string?, CancellationToken, ValueTask<HistoryPage<T>>> query,
        string[] columns,
        Func<T, string?[]> row,
        Func<T, object> json)
    {
        var key = new Argument<string>(keyName) { Description = $"The {keyName.Replace('-', ' ')}." };
        var limit = new Option<int>("--limit")
        {
            Description = $"Items per page, 1 to 1000. Default {DefaultLimit}.",
            HelpName = "count",
            DefaultValueFactory = static _ => DefaultLimit,
        };
        var since = new Option<DateTimeOffset?>("--since")
        {
            Description = "Only items at or after this time (ISO 8601, e.g. 2026-01-31T00:00:00Z).",
            HelpName = "time",
        };
        var before = new Option<string?>("--before")
        {
            Description = "The cursor a previous page ended with: the page after it (older items).",
            HelpName = "cursor",
        };
        var all = new Option<bool>("--all")
        {
            Description = "Follow the cursors to the oldest item (pages of --limit) and write everything.",
        };
        var command = new Command(name, description + " Exit 2 for a bad id, limit or cursor; 4 when the database cannot be read.")
        {
            key,
            limit,
            since,
            before,
            all,
        };
        command.SetToolAction(async ctx =>
        {
            var ct = ctx.CancellationToken;
            await using var store = await ctx.OpenStoreAsync(StoreNeeds.SqlHistory).ConfigureAwait(false);
            var history = store.Get<IHistoryQuery>();
            string id = ctx.Get(key)!;
            var items = new List<T>();
            string? cursor = ctx.Get(before);
            do
            {
                var page = await query(history, id, ctx.Get(limit), ctx.Get(since), cursor, ct).ConfigureAwait(false);
                items.AddRange(page.Items);
                cursor = page.NextCursor;
            }
            while (ctx.Get(all) && cursor is not null);

            if (ctx.Output.Json)
            {
                ctx.Output.WriteJson(new { Items = items.Select(json).ToList(), NextCursor = cursor });
                return ExitCodes.Ok;
            }

            if (items.Count == 0)
            {
                ctx.Output.Note($"no history for {keyName.Replace('-', ' ')} '{id}'.");
            }
            else
            {
                var table = ToolOutput.Table(columns);
                foreach (var item in items)
                {
                    ToolOutput.Row(table, row(item));
                }

                ctx.Output.Write(table);
                ctx.Output.Note($"{items.Count} item(s).");
            }

            if (cursor is not null)
            {
                ctx.Output.Note($"older items: --before {cursor}");
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    private static object ParseOrText(string json)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            return document.RootElement.Clone();
        }
        catch (JsonException)
        {
            return json;
        }
    }
}
