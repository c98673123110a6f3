namespace ZnDraw.Storage.Models;

/// <summary>A chat message: one field of <c>room:{room}:chat:data</c> (field = <see cref="Id"/>), indexed by <see cref="CreatedAt"/> in <c>room:{room}:chat:index</c>.</summary>
/// <remarks>Stored as JSON <c>{"id", "roomId", "author": {"id"}, "content", "createdAt", "updatedAt", "isEdited"}</c> with times as integer epoch milliseconds; sub-millisecond precision is dropped on writing.</remarks>
/// <param name="Id">The message id, <c>msg_{room}_{n}</c> (n from <c>room:{room}:chat:counter</c>).</param>
/// <param name="RoomId">The room.</param>
/// <param name="Author">The author's user name (<c>author.id</c>).</param>
/// <param name="Content">The text (ZnDraw requires it non-empty).</param>
/// <param name="CreatedAt">Creation time (<c>createdAt</c>, epoch ms; also the index score).</param>
/// <param name="UpdatedAt">Last edit time (<c>updatedAt</c>, epoch ms).</param>
/// <param name="IsEdited">Whether the message was edited (<c>isEdited</c>).</param>
public sealed record ChatMessage(
    string Id,
    string RoomId,
    string Author,
    string Content,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    bool IsEdited = false)
{
    /// <summary>The message id ZnDraw gives the <paramref name="number"/>-th message of <paramref name="roomId"/>.</summary>
    /// <param name="roomId">The room.</param>
    /// <param name="number">The value INCR returned on <c>room:{room}:chat:counter</c>.</param>
    /// <returns><c>msg_{room}_{n}</c>.</returns>
    public static string MessageId(string roomId, long number) =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture, $"msg_{roomId}_{number}");
}
