namespace ZnDraw.Storage.Services;

/// <summary>What <see cref="RoomService.JoinAsync"/> did to the room before the user joined it.</summary>
public enum RoomJoinOutcome
{
    /// <summary>The room existed; the user joined it.</summary>
    Joined,

    /// <summary>This call created the room empty, with ZnDraw's defaults, and the user joined it.</summary>
    Created,

    /// <summary>This call created the room as a copy of another room, and the user joined it.</summary>
    Copied,
}

/// <summary>The result of <see cref="RoomService.JoinAsync"/>.</summary>
/// <param name="RoomId">The room joined.</param>
/// <param name="UserName">The user who joined (now in the room's users and with it as current room).</param>
/// <param name="Outcome">Whether the room existed, was created or was copied.</param>
public sealed record RoomJoinResult(string RoomId, string UserName, RoomJoinOutcome Outcome)
{
    /// <summary>Whether this call created the room (empty or as a copy): ZnDraw's <c>created</c> flag of the join response.</summary>
    public bool Created => Outcome != RoomJoinOutcome.Joined;
}
