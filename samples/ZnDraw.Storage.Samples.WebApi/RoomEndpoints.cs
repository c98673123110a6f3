using Microsoft.AspNetCore.Http.HttpResults;
using ZnDraw.Storage.Contracts;
using ZnDraw.Storage.Services;

namespace ZnDraw.Storage.Samples.WebApi;

/// <summary>The body of <c>POST /api/rooms</c>.</summary>
/// <param name="RoomId">The new room's id (letters, digits, <c>_</c>, <c>-</c>, <c>.</c>).</param>
/// <param name="Description">The description, or <see langword="null"/> for none.</param>
internal sealed record CreateRoomRequest(string? RoomId, string? Description);

/// <summary>
/// Room endpoints: list, read, create, lock and unlock, each one call of <see cref="RoomService"/> (no Redis type, no
/// key string here). An invalid room id is a 400, an unknown room a 404, an existing one a 409, all with problem details.
/// </summary>
internal static class RoomEndpoints
{
    /// <summary>Maps <c>GET /api/rooms</c>, <c>GET /api/rooms/{roomId}</c>, <c>POST /api/rooms</c> and <c>POST</c>/<c>DELETE /api/rooms/{roomId}/lock</c>.</summary>
    public static IEndpointRouteBuilder MapRoomEndpoints(this IEndpointRouteBuilder endpoints)
    {
        var rooms = endpoints.MapGroup("/api/rooms").WithTags("Rooms");

        rooms.MapGet("/", async (RoomService service, CancellationToken cancellationToken) =>
                TypedResults.Ok(await service.ListAsync(cancellationToken).ConfigureAwait(false)))
            .WithName("ListRooms");

        rooms.MapGet("/{roomId}", async Task<IResult> (string roomId, RoomService service, CancellationToken cancellationToken) =>
            {
                if (InvalidRoomId(roomId) is { } invalid)
                {
                    return invalid;
                }

                var room = await service.GetAsync(roomId, cancellationToken).ConfigureAwait(false);
                return room is null ? RoomNotFound(roomId) : (IResult)TypedResults.Ok(room);
            })
            .WithName("GetRoom");

        rooms.MapPost("/", async Task<IResult> (CreateRoomRequest request, RoomService service, CancellationToken cancellationToken) =>
            {
                if (InvalidRoomId(request.RoomId) is { } invalid)
                {
                    return invalid;
                }

                var roomId = request.RoomId!;
                try
                {
                    var room = await service.CreateAsync(roomId, request.Description, cancellationToken: cancellationToken).ConfigureAwait(false);
                    return TypedResults.Created($"/api/rooms/{roomId}", room);
                }
                catch (RoomAlreadyExistsException)
                {
                    return TypedResults.Problem(
                        statusCode: StatusCodes.Status409Conflict,
                        title: "Room exists",
                        detail: $"A room '{roomId}' already exists.");
                }
                catch (ArgumentException ex) when (ex.ParamName == "description")
                {
                    // Over ZnDrawStorageOptions.Limits.MaxDescriptionBytes: refused before anything was written.
                    return TypedResults.ValidationProblem(
                        new Dictionary<string, string[]>(StringComparer.Ordinal) { ["description"] = [ex.Message] },
                        title: "Description too long");
                }
            })
            .WithName("CreateRoom");

        rooms.MapPost("/{roomId}/lock", (string roomId, RoomService service, CancellationToken cancellationToken) =>
                SetLockedAsync(service, roomId, locked: true, cancellationToken))
            .WithName("LockRoom");

        rooms.MapDelete("/{roomId}/lock", (string roomId, RoomService service, CancellationToken cancellationToken) =>
                SetLockedAsync(service, roomId, locked: false, cancellationToken))
            .WithName("UnlockRoom");

        return endpoints;
    }

    private static async Task<IResult> SetLockedAsync(RoomService service, string roomId, bool locked, CancellationToken cancellationToken)
    {
        if (InvalidRoomId(roomId) is { } invalid)
        {
            return invalid;
        }

        try
        {
            if (locked)
            {
                await service.LockAsync(roomId, cancellationToken: cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await service.UnlockAsync(roomId, cancellationToken: cancellationToken).ConfigureAwait(false);
            }

            return TypedResults.NoContent();
        }
        catch (RoomNotFoundException)
        {
            return RoomNotFound(roomId);
        }
    }

    /// <summary>A 400 naming <c>roomId</c> when the id is not a valid ZnDraw room id, otherwise <see langword="null"/>.</summary>
    private static IResult? InvalidRoomId(string? roomId)
    {
        try
        {
            KeyValidation.ValidateRoomId(roomId, nameof(roomId));
            return null;
        }
        catch (ArgumentException ex)
        {
            return TypedResults.ValidationProblem(
                new Dictionary<string, string[]>(StringComparer.Ordinal) { ["roomId"] = [ex.Message] },
                title: "Invalid room id");
        }
    }

    private static ProblemHttpResult RoomNotFound(string roomId) =>
        TypedResults.Problem(
            statusCode: StatusCodes.Status404NotFound,
            title: "Room not found",
            detail: $"There is no room '{roomId}'.");
}
