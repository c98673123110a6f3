using ZnDraw.Storage.Contracts;

namespace ZnDraw.Storage.Redis.Repositories;

/// <summary>
/// The Redis implementation of <see cref="IRoomEphemeralState"/>: the Redis room delete, which removes every key the room
/// owns in Redis (ephemeral state, and persistent keys too when the room was ever kept in Redis) in one script.
/// </summary>
internal sealed class RoomEphemeralState(IRoomRepository rooms) : IRoomEphemeralState
{
    /// <inheritdoc/>
    public async ValueTask DeleteAsync(string roomId, CancellationToken cancellationToken = default) =>
        await rooms.DeleteAsync(roomId, cancellationToken).ConfigureAwait(false);
}
