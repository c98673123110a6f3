namespace ZnDraw.Storage.Contracts;

/// <summary>The outcome of <see cref="IRoomRepository.CopyAsync"/>.</summary>
public enum RoomCopyResult
{
    /// <summary>The target room was created as a copy of the source.</summary>
    Copied = 0,

    /// <summary>Nothing was written: the source room has no trajectory (ZnDraw cannot copy an empty room).</summary>
    SourceHasNoTrajectory = 1,

    /// <summary>Nothing was written: the target room already exists (its <c>current_frame</c> exists).</summary>
    TargetExists = 2,
}
