using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using ZnDraw.Storage.Contracts;
using ZnDraw.Storage.History;

namespace ZnDraw.Storage.Samples.WebApi;

/// <summary>
/// Read-only history endpoints over <see cref="IHistoryQuery"/>: extension registrations, room events
/// and user sessions, newest first, one page at a time. Query parameters: <c>limit</c> (the page size, an integer,
/// 1 to 1000, default 100), <c>since</c> (an ISO 8601 date or date-time; without an offset it is UTC) and
/// <c>before</c> (the <c>nextCursor</c> of the previous page). The answer is <c>{"items": [...], "nextCursor": ...}</c>;
/// <c>nextCursor</c> is null on the last page. An invalid id or parameter answers 400 naming it.
/// </summary>
internal static class HistoryEndpoints
{
    /// <summary>The number of entries returned when <c>limit</c> is absent.</summary>
    public const int DefaultLimit = 100;

    private static readonly string[] IsoFormats =
    [
        "yyyy-MM-dd",
        "yyyy-MM-dd'T'HH:mmK",
        "yyyy-MM-dd'T'HH:mm:ssK",
        "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK",
    ];

    /// <summary>Maps <c>GET /api/extensions/{name}/history</c>, <c>GET /api/rooms/{roomId}/events</c> and <c>GET /api/users/{username}/sessions</c>.</summary>
    public static IEndpointRouteBuilder MapHistoryEndpoints(this IEndpointRouteBuilder endpoints)
    {
        var history = endpoints.MapGroup("/api").WithTags("History");

        history.MapGet("/extensions/{name}/history", (
                string name, string? limit, string? since, string? before, [FromServices] IHistoryQuery? query, CancellationToken cancellationToken) =>
            RunAsync(query, ("name", name, static n => KeyValidation.ValidateExtensionName(n)), limit, since, before,
                (q, l, s, b) => q.GetExtensionHistoryAsync(name, l, s, b, cancellationToken)))
            .WithName("GetExtensionHistory");

        history.MapGet("/rooms/{roomId}/events", (
                string roomId, string? limit, string? since, string? before, [FromServices] IHistoryQuery? query, CancellationToken cancellationToken) =>
            RunAsync(query, ("roomId", roomId, static r => KeyValidation.ValidateRoomId(r)), limit, since, before,
                (q, l, s, b) => q.GetRoomEventsAsync(roomId, l, s, b, cancellationToken)))
            .WithName("GetRoomEvents");

        history.MapGet("/users/{username}/sessions", (
                string username, string? limit, string? since, string? before, [FromServices] IHistoryQuery? query, CancellationToken cancellationToken) =>
            RunAsync(query, ("username", username, static u => KeyValidation.ValidateUserName(u)), limit, since, before,
                (q, l, s, b) => q.GetUserSessionsAsync(username, l, s, b, cancellationToken)))
            .WithName("GetUserSessions");

        return endpoints;
    }

    private static async Task<IResult> RunAsync<T>(
        IHistoryQuery? query,
        (string Parameter, string Value, Action<string> Validate) id,
        string? limit,
        string? since,
        string? before,
        Func<IHistoryQuery, int, DateTimeOffset?, string?, ValueTask<HistoryPage<T>>> read)
    {
        if (query is null)
        {
            return TypedResults.Problem(
                statusCode: StatusCodes.Status501NotImplemented,
                title: "History is not configured",
                detail: $"This server records no history. Set {SampleSettings.HistorySection}:Sqlite (e.g. \"Data Source=history.db\") " +
                        $"or {SampleSettings.HistorySection}:Postgres (or {SampleSettings.StorageSection}:Sqlite / :Postgres for hybrid storage) " +
                        "to a connection string to enable the history endpoints.");
        }

        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        try
        {
            id.Validate(id.Value);
        }
        catch (ArgumentException ex)
        {
            errors[id.Parameter] = [ex.Message];
        }

        var count = DefaultLimit;
        if (limit is not null && !TryParseLimit(limit, out count))
        {
            errors["limit"] = [$"limit must be an integer from 1 to {IHistoryQuery.MaxLimit}; got '{limit}'."];
        }

        DateTimeOffset? from = null;
        if (since is not null)
        {
            if (TryParseSince(since, out var parsed))
            {
                from = parsed;
            }
            else
            {
                errors["since"] = [$"since must be an ISO 8601 date or date-time (e.g. 2024-05-01T12:00:00Z); got '{since}'."];
            }
        }

        if (errors.Count > 0)
        {
            return Invalid(errors);
        }

        try
        {
            return TypedResults.Ok(await read(query, count, from, before).ConfigureAwait(false));
        }
        catch (ArgumentException ex) when (ex.ParamName is "before")
        {
            // Only the store can tell its cursors: an unknown one is the caller's mistake, not a server error.
            return Invalid(new Dictionary<string, string[]>(StringComparer.Ordinal) { ["before"] = [ex.Message] });
        }
    }

    private static ValidationProblem Invalid(Dictionary<string, string[]> errors) =>
        TypedResults.ValidationProblem(
            errors,
            title: "Invalid request",
            detail: "Invalid value for " + string.Join(" and ", errors.Keys) + ".");

    private static bool TryParseLimit(string text, out int limit) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out limit)
        && limit is >= 1 and <= IHistoryQuery.MaxLimit;

    private static bool TryParseSince(string text, out DateTimeOffset since) =>
        DateTimeOffset.TryParseExact(
            text,
            IsoFormats,
            CultureInfo.InvariantCulture,
            DateTimeStyles.AssumeUniversal,
            out since);
}
