using Microsoft.Extensions.Logging;
using ZnDraw.Storage.Diagnostics;

namespace ZnDraw.Storage.Services;

/// <summary>Log messages of <see cref="RoomService"/> (event ids 3500–3599, <see cref="ZnDrawEventIds"/>).</summary>
internal static partial class RoomServiceLog
{
    [LoggerMessage(EventId = ZnDrawEventIds.RoomJoined, Level = LogLevel.Debug, Message = "User {UserName} joined room {RoomId} ({Outcome}).")]
    public static partial void Joined(ILogger logger, string userName, string roomId, RoomJoinOutcome outcome);

    [LoggerMessage(EventId = ZnDrawEventIds.RoomCopied, Level = LogLevel.Debug, Message = "Room {SourceRoomId} copied to {TargetRoomId}.")]
    public static partial void Copied(ILogger logger, string sourceRoomId, string targetRoomId);

    [LoggerMessage(EventId = ZnDrawEventIds.RoomDeleted, Level = LogLevel.Debug, Message = "Room {RoomId} deleted: {Deleted}.")]
    public static partial void Deleted(ILogger logger, string roomId, bool deleted);

    [LoggerMessage(EventId = ZnDrawEventIds.RoomChanged, Level = LogLevel.Debug, Message = "Room {RoomId}: {Change}.")]
    public static partial void Changed(ILogger logger, string roomId, string change);

    [LoggerMessage(EventId = ZnDrawEventIds.RoomJoinRefused, Level = LogLevel.Debug, Message = "Join of room {RoomId} refused: it does not exist and creation is not allowed.")]
    public static partial void JoinRefused(ILogger logger, string roomId);

    [LoggerMessage(EventId = ZnDrawEventIds.RoomStaleIndexEntries, Level = LogLevel.Warning, Message = "Room list: {Count} id(s) in the room index name no existing room (run ReindexAsync to repair the index).")]
    public static partial void StaleIndexEntries(ILogger logger, int count);
}
