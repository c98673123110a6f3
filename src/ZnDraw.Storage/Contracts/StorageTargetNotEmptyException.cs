namespace ZnDraw.Storage.Contracts;

/// <summary>
/// A snapshot import (<c>StorageSnapshot.ImportAsync</c>) found its target store not empty: it writes into an empty
/// store only, so that nothing already there is overwritten or mixed with the snapshot. Nothing was written.
/// </summary>
public sealed class StorageTargetNotEmptyException : InvalidOperationException
{
    /// <summary>Creates the exception for a target that holds <paramref name="users"/> users or admin flags, <paramref name="rooms"/> rooms and perhaps a default room.</summary>
    /// <param name="users">How many users or admin flags the target holds.</param>
    /// <param name="rooms">How many rooms the target holds.</param>
    /// <param name="hasDefaultRoom">Whether the target has a default room.</param>
    public StorageTargetNotEmptyException(int users, int rooms, bool hasDefaultRoom)
        : base($"The target store is not empty ({users} users or admin flags, {rooms} rooms{(hasDefaultRoom ? ", a default room" : "")}): a snapshot is imported into an empty store only.")
    {
        Users = users;
        Rooms = rooms;
        HasDefaultRoom = hasDefaultRoom;
    }

    /// <summary>Creates the exception with a generic message (prefer the overload that gives the counts).</summary>
    public StorageTargetNotEmptyException()
        : base("The target store is not empty: a snapshot is imported into an empty store only.")
    {
    }

    /// <summary>Creates the exception with a message (prefer the overload that gives the counts).</summary>
    public StorageTargetNotEmptyException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and inner exception (prefer the overload that gives the counts).</summary>
    public StorageTargetNotEmptyException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>How many users or admin flags the target holds.</summary>
    public int Users { get; }

    /// <summary>How many rooms the target holds.</summary>
    public int Rooms { get; }

    /// <summary>Whether the target has a default room.</summary>
    public bool HasDefaultRoom { get; }
}
