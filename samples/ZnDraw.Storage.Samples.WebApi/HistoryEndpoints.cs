using System.Globalization;
using Microsoft.AspNetCore.Mvc;
using ZnDraw.Storage.History;

namespace ZnDraw.Storage.Samples.WebApi;

/// <summary>
/// Read-only history endpoints over <see cref="IHistoryQuery"/>: extension registrations, room events
/// and user sessions, newest first. Query parameters: <c>limit</c> (an integer, 1 to 1000, default 100)
/// and <c>since</c> (an ISO 8601 date or date-time; without an offset it is UTC).
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
                string name, string? limit, string? since, [FromServices] IHistoryQuery? query, CancellationToken cancellationToken) =>
            RunAsync(query, limit, since, (q, l, s) => q.GetExtensionHistoryAsync(name, l, s, cancellationToken)))
            .WithName("GetExtensionHistory");

        history.MapGet("/rooms/{roomId}/events", (
                string roomId, string? limit, string? since, [FromServices] IHistoryQuery? query, CancellationToken cancellationToken) =>
            RunAsync(query, limit, since, (q, l, s) => q.GetRoomEventsAsync(roomId, l, s, cancellationToken)))
            .WithName("GetRoomEvents");

        history.MapGet("/users/{username}/sessions", (
                string username, string? limit, string? since, [FromServices] IHistoryQuery? query, CancellationToken cancellationToken) =>
            RunAsync(query, limit, since, (q, l, s) => q.GetUserSessionsAsync(username, l, s, cancellationToken)))
            .WithName("GetUserSessions");

        return endpoints;
    }

    private static async Task<IResult> RunAsync<T>(
        IHistoryQuery? query,
        string? limit,
        string? since,
        Func<IHistoryQuery, int, DateTimeOffset?, Task<IReadOnlyList<T>>> read)
    {
        if (query is null)
        {
            return TypedResults.Problem(
                statusCode: StatusCodes.Status501NotImplemented,
                title: "History is not configured",
                detail: $"This server records no history. Set {SampleSettings.SqliteKey} (e.g. \"Data Source=history.db\") " +
                        $"or {SampleSettings.PostgresKey} to a connection string to enable the history endpoints.");
        }

        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
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
            return TypedResults.ValidationProblem(
                errors,
                title: "Invalid query parameter",
                detail: "Invalid value for " + string.Join(" and ", errors.Keys) + ".");
        }

        return TypedResults.Ok(await read(query, count, from).ConfigureAwait(false));
    }

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
