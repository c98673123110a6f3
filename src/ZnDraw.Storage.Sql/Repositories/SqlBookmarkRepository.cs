using System.Text.Json;
using ZnDraw.Storage.Contracts;
using ZnDraw.Storage.Models;

namespace ZnDraw.Storage.Sql.Repositories;

/// <summary>The SQL implementation of <see cref="IBookmarkRepository"/> (not yet written).</summary>
internal sealed class SqlBookmarkRepository(SqlStoreContext context) : IBookmarkRepository
{
    private readonly SqlStoreContext _context = context;

    /// <inheritdoc/>
    public ValueTask<IReadOnlyList<Bookmark>> GetAllAsync(string roomId, CancellationToken cancellationToken = default) =>
        throw new NotImplementedException();

    /// <inheritdoc/>
    public ValueTask<Bookmark?> GetAsync(string roomId, int frame, CancellationToken cancellationToken = default) =>
        throw new NotImplementedException();

    /// <inheritdoc/>
    public ValueTask SetAsync(string roomId, int frame, string label, CancellationToken cancellationToken = default) =>
        throw new NotImplementedException();

    /// <inheritdoc/>
    public ValueTask<bool> DeleteAsync(string roomId, int frame, CancellationToken cancellationToken = default) =>
        throw new NotImplementedException();

    /// <inheritdoc/>
    public ValueTask<bool> ClearAsync(string roomId, CancellationToken cancellationToken = default) =>
        throw new NotImplementedException();
}
