namespace ZnDraw.Storage.Contracts;

/// <summary>
/// A frame delete was refused because a frame is a template frame: a frame of a copied room whose source room is another room
/// (ZnDraw answers such a delete with HTTP 403).
/// </summary>
/// <remarks>Nothing was changed when this is thrown.</remarks>
public sealed class TemplateFrameException : InvalidOperationException
{
    /// <summary>Creates the exception for the template frame at logical index <paramref name="index"/> of room <paramref name="roomId"/>.</summary>
    /// <param name="roomId">The room whose trajectory was edited.</param>
    /// <param name="index">The logical frame index.</param>
    /// <param name="member">The stored member, e.g. <c>r1:0</c>.</param>
    public TemplateFrameException(string roomId, int index, string member)
        : base($"Frame {index} of room '{roomId}' is the template frame '{member}' of another room and may not be deleted.")
    {
        RoomId = roomId;
        Index = index;
        Member = member;
    }

    /// <summary>Creates the exception with a default message.</summary>
    public TemplateFrameException()
        : base("A template frame may not be deleted.")
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">The message.</param>
    public TemplateFrameException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and an inner exception.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public TemplateFrameException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The room whose trajectory was edited (empty when not given).</summary>
    public string RoomId { get; } = string.Empty;

    /// <summary>The logical index of the refused frame (-1 when not given).</summary>
    public int Index { get; } = -1;

    /// <summary>The stored member of the refused frame (empty when not given).</summary>
    public string Member { get; } = string.Empty;
}
