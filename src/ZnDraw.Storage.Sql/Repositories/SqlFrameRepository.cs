using System.Text.Json;
using ZnDraw.Storage.Contracts;
using ZnDraw.Storage.Models;

namespace ZnDraw.Storage.Sql.Repositories;

/// <summary>The SQL implementation of <see cref="IFrameRepository"/> (not yet written).</summary>
internal sealed class SqlFrameRepository(SqlStoreContext context) : IFrameRepository
{
    private readonly SqlStoreContext _context = context;

    /// <inheritdoc/>
    public ValueTask<long> CountAsync(string roomId, CancellationToken cancellationToken = default) =>
        throw new NotImplementedException();

    /// <inheritdoc/>
    public ValueTask<IReadOnlyList<TrajectoryEntry>> GetRangeAsync(string roomId, int start = 0, int stop = -1, CancellationToken cancellationToken = default) =>
        throw new NotImplementedException();

    /// <inheritdoc/>
    public ValueTask<FrameIndex?> GetAsync(string roomId, int index, CancellationToken cancellationToken = default) =>
        throw new NotImplementedException();

    /// <inheritdoc/>
    public ValueTask<int> AppendAsync(string roomId, IReadOnlyList<FrameIndex> frames, CancellationToken cancellationToken = default) =>
        throw new NotImplementedException();

    /// <inheritdoc/>
    public ValueTask InsertAsync(string roomId, int position, FrameIndex frame, CancellationToken cancellationToken = default) =>
        throw new NotImplementedException();

    /// <inheritdoc/>
    public ValueTask<int> DeleteAsync(string roomId, IReadOnlyList<int> indices, bool allowTemplateFrames = false, CancellationToken cancellationToken = default) =>
        throw new NotImplementedException();

    /// <inheritdoc/>
    public ValueTask<FrameIndex> ReplaceAsync(string roomId, int index, FrameIndex frame, CancellationToken cancellationToken = default) =>
        throw new NotImplementedException();

    /// <inheritdoc/>
    public ValueTask<long> RenormalizeAsync(string roomId, CancellationToken cancellationToken = default) =>
        throw new NotImplementedException();

    /// <inheritdoc/>
    public ValueTask ReplaceAllAsync(string roomId, IReadOnlyList<FrameIndex> frames, CancellationToken cancellationToken = default) =>
        throw new NotImplementedException();

    /// <inheritdoc/>
    public ValueTask<FrameSelection?> GetFrameSelectionAsync(string roomId, string group = FrameSelection.DefaultGroup, CancellationToken cancellationToken = default) =>
        throw new NotImplementedException();

    /// <inheritdoc/>
    public ValueTask SetFrameSelectionAsync(string roomId, FrameSelection selection, CancellationToken cancellationToken = default) =>
        throw new NotImplementedException();
}
