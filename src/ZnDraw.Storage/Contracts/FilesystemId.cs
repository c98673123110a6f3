using ZnDraw.Storage.Models;

namespace ZnDraw.Storage.Contracts;

/// <summary>Names one filesystem: its scope (a room or global) and its name.</summary>
/// <remarks>
/// Create it with <see cref="InRoom"/> or <see cref="Global"/>; the ids are validated when a repository uses the
/// value (<see cref="ArgumentException"/> before anything is sent).
/// </remarks>
/// <param name="Scope">Room-scoped or global.</param>
/// <param name="RoomId">The room for <see cref="ExtensionScope.Room"/>; <see langword="null"/> for global filesystems.</param>
/// <param name="Name">The filesystem name.</param>
public readonly record struct FilesystemId(ExtensionScope Scope, string? RoomId, string Name)
{
    /// <summary>A room-scoped filesystem: keys under <c>room:{room}:filesystems:</c>.</summary>
    /// <param name="roomId">The room id.</param>
    /// <param name="name">The filesystem name.</param>
    /// <returns>The id.</returns>
    public static FilesystemId InRoom(string roomId, string name) => new(ExtensionScope.Room, roomId, name);

    /// <summary>A global (public) filesystem: keys under <c>global:filesystems:</c>.</summary>
    /// <param name="name">The filesystem name.</param>
    /// <returns>The id.</returns>
    public static FilesystemId Global(string name) => new(ExtensionScope.Global, null, name);

    /// <summary>The id of <paramref name="filesystem"/>.</summary>
    /// <param name="filesystem">The filesystem.</param>
    /// <returns>Its scope, room and name.</returns>
    public static FilesystemId Of(FilesystemInfo filesystem)
    {
        ArgumentNullException.ThrowIfNull(filesystem);
        return new(filesystem.Scope, filesystem.RoomId, filesystem.Name);
    }
}
