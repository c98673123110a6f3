using Microsoft.Extensions.Logging;
using ZnDraw.Storage.Diagnostics;
using ZnDraw.Storage.Models;

namespace ZnDraw.Storage.Services;

/// <summary>Log messages of <see cref="SessionService"/> (event ids 3600–3699, <see cref="ZnDrawEventIds"/>).</summary>
internal static partial class SessionServiceLog
{
    [LoggerMessage(EventId = ZnDrawEventIds.SessionConnected, Level = LogLevel.Debug, Message = "Session {Sid} connected to user {UserName} as {Role}.")]
    public static partial void Connected(ILogger logger, string sid, string userName, UserRole role);

    [LoggerMessage(EventId = ZnDrawEventIds.SessionDisconnected, Level = LogLevel.Debug, Message = "Session {Sid} of user {UserName} disconnected.")]
    public static partial void Disconnected(ILogger logger, string sid, string userName);

    [LoggerMessage(EventId = ZnDrawEventIds.SessionNotFound, Level = LogLevel.Debug, Message = "Session {Sid} does not exist (already disconnected).")]
    public static partial void NoSession(ILogger logger, string sid);
}
