using ZnDraw.Storage.Models;

namespace ZnDraw.Storage.Contracts;

/// <summary>Names one extension: its scope (a room or global), its category and its name.</summary>
/// <remarks>
/// Create it with <see cref="InRoom"/> or <see cref="Global"/>; the ids are validated when a repository uses the
/// value (<see cref="ArgumentException"/> before anything is sent).
/// </remarks>
/// <param name="Scope">Room-scoped or global.</param>
/// <param name="RoomId">The room for <see cref="ExtensionScope.Room"/>; <see langword="null"/> for global extensions.</param>
/// <param name="Category">The category, e.g. <c>modifiers</c>.</param>
/// <param name="Name">The extension name.</param>
public readonly record struct ExtensionId(ExtensionScope Scope, string? RoomId, string Category, string Name)
{
    /// <summary>A room-scoped extension: keys under <c>room:{room}:extensions:{category}</c>.</summary>
    /// <param name="roomId">The room id.</param>
    /// <param name="category">The category.</param>
    /// <param name="name">The extension name.</param>
    /// <returns>The id.</returns>
    public static ExtensionId InRoom(string roomId, string category, string name) => new(ExtensionScope.Room, roomId, category, name);

    /// <summary>A global (public) extension: keys under <c>global:extensions:{category}</c>.</summary>
    /// <param name="category">The category.</param>
    /// <param name="name">The extension name.</param>
    /// <returns>The id.</returns>
    public static ExtensionId Global(string category, string name) => new(ExtensionScope.Global, null, category, name);

    /// <summary>The id of the extension <paramref name="schema"/> registers.</summary>
    /// <param name="schema">The registration.</param>
    /// <returns>Its scope, room, category and name.</returns>
    public static ExtensionId Of(ExtensionSchema schema)
    {
        ArgumentNullException.ThrowIfNull(schema);
        return new(schema.Scope, schema.RoomId, schema.Category, schema.Name);
    }
}
