
namespace ZnDraw.Storage.Contracts;

/// <summary>
/// Where a stored value was read (a backend's key and field): the backend-neutral readers name it in a
/// <see cref="StorageDataException"/> only when the value turns out unreadable.
/// </summary>
/// <remarks>
/// Implemented by small structs and taken as a constrained generic, so that a reader that succeeds never turns the key into
/// text (a prefixed Redis key, or a SQL row's <c>table:room/name</c>, costs a string).
/// </remarks>
internal interface IStoredValueLocation
{
    /// <summary>The error for the value at this location.</summary>
    StorageDataException Unreadable(string message, Exception? innerException = null);
}

/// <summary>A location whose key is already text.</summary>
internal readonly struct StoredValueKey(string key, string? field) : IStoredValueLocation
{
    /// <inheritdoc/>
    public StorageDataException Unreadable(string message, Exception? innerException = null) =>
        new(key, field, message, innerException);
}
