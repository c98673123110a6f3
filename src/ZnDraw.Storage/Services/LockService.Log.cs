using Microsoft.Extensions.Logging;
using ZnDraw.Storage.Diagnostics;

namespace ZnDraw.Storage.Services;

/// <summary>Log messages of <see cref="LockService"/> (event ids 3300–3399, <see cref="ZnDrawEventIds"/>).</summary>
internal static partial class LockServiceLog
{
    [LoggerMessage(EventId = ZnDrawEventIds.LockAcquired, Level = LogLevel.Debug, Message = "Lock {Target} in room {RoomId} acquired by {Holder} for {Seconds} s.")]
    public static partial void Acquired(ILogger logger, string roomId, string target, string holder, long seconds);

    [LoggerMessage(EventId = ZnDrawEventIds.LockAcquireRefused, Level = LogLevel.Debug, Message = "Lock {Target} in room {RoomId} is held by another user; refused to {Holder}.")]
    public static partial void AcquireRefused(ILogger logger, string roomId, string target, string holder);

    [LoggerMessage(EventId = ZnDrawEventIds.LockRefreshed, Level = LogLevel.Debug, Message = "Lock {Target} in room {RoomId} refreshed by {Holder} for {Seconds} s.")]
    public static partial void Refreshed(ILogger logger, string roomId, string target, string holder, long seconds);

    [LoggerMessage(EventId = ZnDrawEventIds.LockReleased, Level = LogLevel.Debug, Message = "Lock {Target} in room {RoomId} released by {Holder}.")]
    public static partial void Released(ILogger logger, string roomId, string target, string holder);

    [LoggerMessage(EventId = ZnDrawEventIds.LockNotOwner, Level = LogLevel.Debug, Message = "Could not {Action} lock {Target} in room {RoomId}: {Holder} does not hold it.")]
    public static partial void NotOwner(ILogger logger, string action, string roomId, string target, string holder);

    [LoggerMessage(EventId = ZnDrawEventIds.LockPresenter, Level = LogLevel.Debug, Message = "Presenter of room {RoomId} requested by {Sid}: {Acquired}.")]
    public static partial void Presenter(ILogger logger, string roomId, string sid, bool acquired);

    [LoggerMessage(EventId = ZnDrawEventIds.LockPresenterReleased, Level = LogLevel.Debug, Message = "Presenter of room {RoomId} released by {Sid}: {Released}.")]
    public static partial void PresenterReleased(ILogger logger, string roomId, string sid, bool released);
}
