using ZnDraw.Storage.Contracts;

namespace ZnDraw.Storage.Services;

/// <summary>A service refused an operation for a reason of the domain (not a bad argument and not a storage fault).</summary>
/// <remarks>
/// Hosts map these to their protocol (e.g. HTTP 404, 403, 409). Nothing was written when a service throws one,
/// unless the derived type says otherwise. Bad input is an <see cref="ArgumentException"/>; unreadable stored data is a
/// <see cref="StorageDataException"/>.
/// </remarks>
public abstract class ZnDrawServiceException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What was refused and why.</param>
    protected ZnDrawServiceException(string message)
        : base(message)
    {
    }
}

/// <summary>The room does not exist (its <c>room:{room}:current_frame</c> is absent): ZnDraw answers such requests with 404.</summary>
public sealed class RoomNotFoundException : ZnDrawServiceException
{
    /// <summary>Creates the exception for <paramref name="roomId"/>.</summary>
    /// <param name="roomId">The missing room.</param>
    public RoomNotFoundException(string roomId)
        : base($"Room '{roomId}' does not exist.")
    {
        RoomId = roomId;
    }

    /// <summary>The missing room.</summary>
    public string RoomId { get; }
}

/// <summary>
/// The user does not exist (its <c>user:{user}</c> hash is absent), so the operation was refused: a room join never
/// creates a user hash. Nothing was written, except as the refusing method documents otherwise.
/// </summary>
public sealed class UserNotFoundException : ZnDrawServiceException
{
    /// <summary>Creates the exception for <paramref name="userName"/>.</summary>
    /// <param name="userName">The missing user.</param>
    public UserNotFoundException(string userName)
        : base($"User '{userName}' does not exist.")
    {
        UserName = userName;
    }

    /// <summary>The missing user.</summary>
    public string UserName { get; }
}

/// <summary>A room with this id already exists, so it cannot be created as a copy.</summary>
public sealed class RoomAlreadyExistsException : ZnDrawServiceException
{
    /// <summary>Creates the exception for <paramref name="roomId"/>.</summary>
    /// <param name="roomId">The existing room.</param>
    public RoomAlreadyExistsException(string roomId)
        : base($"Room '{roomId}' already exists.")
    {
        RoomId = roomId;
    }

    /// <summary>The existing room.</summary>
    public string RoomId { get; }
}

/// <summary>The source room of a copy has no trajectory (no frames) or does not exist: ZnDraw cannot copy it.</summary>
public sealed class RoomNotCopyableException : ZnDrawServiceException
{
    /// <summary>Creates the exception for <paramref name="sourceRoomId"/>.</summary>
    /// <param name="sourceRoomId">The room that could not be copied.</param>
    public RoomNotCopyableException(string sourceRoomId)
        : base($"Room '{sourceRoomId}' cannot be copied: it has no frames or does not exist.")
    {
        SourceRoomId = sourceRoomId;
    }

    /// <summary>The room that could not be copied.</summary>
    public string SourceRoomId { get; }
}

/// <summary>Why <see cref="ExtensionService"/> refused an extension operation.</summary>
public enum ExtensionRefusal
{
    /// <summary>The worker's session (<c>sid:{sid}</c>) does not exist: only a connected session may register.</summary>
    SessionNotFound,

    /// <summary>A global extension may only be registered by a session whose role (<c>sid:{sid}:role</c>) is admin.</summary>
    AdminRequired,

    /// <summary>The extension is registered with a different schema (ZnDraw requires an identical schema).</summary>
    SchemaConflict,

    /// <summary>No worker registered the extension, so a job for it would never run (ZnDraw: "No workers available").</summary>
    NotRegistered,
}

/// <summary>An extension operation was refused; <see cref="Reason"/> says why. Nothing was written.</summary>
public sealed class ExtensionRefusedException : ZnDrawServiceException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="extension">The extension concerned.</param>
    /// <param name="reason">Why the operation was refused.</param>
    public ExtensionRefusedException(ExtensionId extension, ExtensionRefusal reason)
        : base(Describe(extension, reason))
    {
        Extension = extension;
        Reason = reason;
    }

    /// <summary>The extension concerned.</summary>
    public ExtensionId Extension { get; }

    /// <summary>Why the operation was refused.</summary>
    public ExtensionRefusal Reason { get; }

    private static string Describe(ExtensionId extension, ExtensionRefusal reason)
    {
        var name = extension.RoomId is null
            ? $"global extension '{extension.Category}/{extension.Name}'"
            : $"extension '{extension.Category}/{extension.Name}' of room '{extension.RoomId}'";
        return reason switch
        {
            ExtensionRefusal.SessionNotFound => $"Cannot register {name}: the worker's session is not connected.",
            ExtensionRefusal.AdminRequired => $"Cannot register {name}: only an admin session may register global extensions.",
            ExtensionRefusal.SchemaConflict => $"Cannot register {name}: it is already registered with a different schema.",
            ExtensionRefusal.NotRegistered => $"Cannot submit a job for {name}: no worker registered it.",
            _ => $"The operation on {name} was refused ({reason}).",
        };
    }
}
