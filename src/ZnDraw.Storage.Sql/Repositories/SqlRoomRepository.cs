using System.Text.Json;
using ZnDraw.Storage.Contracts;
using ZnDraw.Storage.Models;

namespace ZnDraw.Storage.Sql.Repositories;

/// <summary>The SQL implementation of <see cref="IRoomRepository"/> (not yet written).</summary>
internal sealed class SqlRoomRepository(SqlStoreContext context) : IRoomRepository
{
    private readonly SqlStoreContext _context = context;

    /// <inheritdoc/>
    public ValueTask<Room?> GetByIdAsync(string id, CancellationToken cancellationToken = default) =>
        throw new NotImplementedException();

    /// <inheritdoc/>
    public ValueTask SaveAsync(Room entity, CancellationToken cancellationToken = default) =>
        throw new NotImplementedException();

    /// <inheritdoc/>
    public ValueTask<bool> DeleteAsync(string id, CancellationToken cancellationToken = default) =>
        throw new NotImplementedException();

    /// <inheritdoc/>
    public ValueTask<bool> ExistsAsync(string id, CancellationToken cancellationToken = default) =>
        throw new NotImplementedException();

    /// <inheritdoc/>
    public IAsyncEnumerable<string> ListIdsAsync(CancellationToken cancellationToken = default) =>
        throw new NotImplementedException();

    /// <inheritdoc/>
    public ValueTask<bool> CreateAsync(string roomId, string? description = null, CancellationToken cancellationToken = default) =>
        throw new NotImplementedException();

    /// <inheritdoc/>
    public ValueTask<RoomCopyResult> CopyAsync(string sourceRoomId, string targetRoomId, string? description = null, CancellationToken cancellationToken = default) =>
        throw new NotImplementedException();

    /// <inheritdoc/>
    public ValueTask<Room?> GetWithFrameCountAsync(string roomId, CancellationToken cancellationToken = default) =>
        throw new NotImplementedException();

    /// <inheritdoc/>
    public ValueTask<IReadOnlyList<string>> ListAllAsync(CancellationToken cancellationToken = default) =>
        throw new NotImplementedException();

    /// <inheritdoc/>
    public ValueTask<bool> SetCurrentFrameAsync(string roomId, int frame, CancellationToken cancellationToken = default) =>
        throw new NotImplementedException();

    /// <inheritdoc/>
    public ValueTask<bool> SetLockedAsync(string roomId, bool locked, CancellationToken cancellationToken = default) =>
        throw new NotImplementedException();

    /// <inheritdoc/>
    public ValueTask<bool> SetHiddenAsync(string roomId, bool hidden, CancellationToken cancellationToken = default) =>
        throw new NotImplementedException();

    /// <inheritdoc/>
    public ValueTask<string?> GetDescriptionAsync(string roomId, CancellationToken cancellationToken = default) =>
        throw new NotImplementedException();

    /// <inheritdoc/>
    public ValueTask<bool> SetDescriptionAsync(string roomId, string? description, CancellationToken cancellationToken = default) =>
        throw new NotImplementedException();

    /// <inheritdoc/>
    public ValueTask<RoomMetadata?> GetMetadataAsync(string roomId, CancellationToken cancellationToken = default) =>
        throw new NotImplementedException();

    /// <inheritdoc/>
    public ValueTask<bool> SetMetadataAsync(string roomId, RoomMetadata metadata, CancellationToken cancellationToken = default) =>
        throw new NotImplementedException();

    /// <inheritdoc/>
    public ValueTask<bool> DeleteMetadataFieldAsync(string roomId, string field, CancellationToken cancellationToken = default) =>
        throw new NotImplementedException();

    /// <inheritdoc/>
    public ValueTask<bool> AddUserAsync(string roomId, string userName, CancellationToken cancellationToken = default) =>
        throw new NotImplementedException();

    /// <inheritdoc/>
    public ValueTask<string?> GetDefaultRoomAsync(CancellationToken cancellationToken = default) =>
        throw new NotImplementedException();

    /// <inheritdoc/>
    public ValueTask<bool> SetDefaultRoomAsync(string roomId, CancellationToken cancellationToken = default) =>
        throw new NotImplementedException();

    /// <inheritdoc/>
    public ValueTask<bool> ClearDefaultRoomAsync(CancellationToken cancellationToken = default) =>
        throw new NotImplementedException();

    /// <inheritdoc/>
    public ValueTask<IReadOnlyList<string>> GetUsersAsync(string roomId, CancellationToken cancellationToken = default) =>
        throw new NotImplementedException();
}
