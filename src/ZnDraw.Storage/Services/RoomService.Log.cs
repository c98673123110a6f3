using Microsoft.Extensions.Logging;

namespace ZnDraw.Storage.Services;

/// <summary>Log messages of <see cref="RoomService"/> (event ids 3100–3199).</summary>
internal static partial class RoomServiceLog
{
    [LoggerMessage(EventId = 3100, Level = LogLevel.Debug, Message = "User {UserName} joined room {RoomId} ({Outcome}).")]
    public static partial void Joined(ILogger logger, string userName, string roomId, RoomJoinOutcome outcome);

    [LoggerMessage(EventId = 3101, Level = LogLevel.Debug, Message = "Room {SourceRoomId} copied to {TargetRoomId}.")]
    public static partial void Copied(ILogger logger, string sourceRoomId, string targetRoomId);

    [LoggerMessage(EventId = 3102, Level = LogLevel.Debug, Message = "Room {RoomId} deleted: {Deleted}.")]
    public static partial void Deleted(ILogger logger, string roomId, bool deleted);

    [LoggerMessage(EventId = 3103, Level = LogLevel.Debug, Message = "Room {RoomId}: {Change}.")]
    public static partial void Changed(ILogger logger, string roomId, string change);

    [LoggerMessage(EventId = 3104, Level = LogLevel.Debug, Message = "Join of room {RoomId} refused: it does not exist and creation is not allowed.")]
    public static partial void JoinRefused(ILogger logger, string roomId);

    [LoggerMessage(EventId = 3105, Level = LogLevel.Warning, Message = "Room list: {Count} id(s) in the room index name no existing room (run ReindexAsync to repair the index).")]
    public static partial void StaleIndexEntries(ILogger logger, int count);
}
