using System.Text.Json;
using ZnDraw.Storage.Contracts;
using ZnDraw.Storage.Models;

namespace ZnDraw.Storage.Sql.Repositories;

/// <summary>The SQL implementation of <see cref="IGeometryRepository"/> (not yet written).</summary>
internal sealed class SqlGeometryRepository(SqlStoreContext context) : IGeometryRepository
{
    private readonly SqlStoreContext _context = context;

    /// <inheritdoc/>
    public ValueTask<Geometry?> GetAsync(string roomId, string name, CancellationToken cancellationToken = default) =>
        throw new NotImplementedException();

    /// <inheritdoc/>
    public ValueTask<IReadOnlyList<KeyValuePair<string, Geometry>>> GetAllAsync(string roomId, CancellationToken cancellationToken = default) =>
        throw new NotImplementedException();

    /// <inheritdoc/>
    public ValueTask<IReadOnlyList<string>> ListNamesAsync(string roomId, CancellationToken cancellationToken = default) =>
        throw new NotImplementedException();

    /// <inheritdoc/>
    public ValueTask SetAsync(string roomId, string name, Geometry geometry, CancellationToken cancellationToken = default) =>
        throw new NotImplementedException();

    /// <inheritdoc/>
    public ValueTask<Geometry> MergeAsync(string roomId, string name, Geometry geometry, CancellationToken cancellationToken = default) =>
        throw new NotImplementedException();

    /// <inheritdoc/>
    public ValueTask<bool> DeleteAsync(string roomId, string name, CancellationToken cancellationToken = default) =>
        throw new NotImplementedException();

    /// <inheritdoc/>
    public ValueTask<Figure?> GetFigureAsync(string roomId, string name, CancellationToken cancellationToken = default) =>
        throw new NotImplementedException();

    /// <inheritdoc/>
    public ValueTask SetFigureAsync(string roomId, string name, Figure figure, CancellationToken cancellationToken = default) =>
        throw new NotImplementedException();

    /// <inheritdoc/>
    public ValueTask<bool> DeleteFigureAsync(string roomId, string name, CancellationToken cancellationToken = default) =>
        throw new NotImplementedException();

    /// <inheritdoc/>
    public ValueTask<IReadOnlyList<string>> ListFigureNamesAsync(string roomId, CancellationToken cancellationToken = default) =>
        throw new NotImplementedException();

    /// <inheritdoc/>
    public ValueTask<Selection?> GetSelectionAsync(string roomId, string geometry, CancellationToken cancellationToken = default) =>
        throw new NotImplementedException();

    /// <inheritdoc/>
    public ValueTask<IReadOnlyList<Selection>> GetSelectionsAsync(string roomId, CancellationToken cancellationToken = default) =>
        throw new NotImplementedException();

    /// <inheritdoc/>
    public ValueTask SetSelectionAsync(string roomId, Selection selection, CancellationToken cancellationToken = default) =>
        throw new NotImplementedException();

    /// <inheritdoc/>
    public ValueTask<SelectionGroup?> GetSelectionGroupAsync(string roomId, string name, CancellationToken cancellationToken = default) =>
        throw new NotImplementedException();

    /// <inheritdoc/>
    public ValueTask<IReadOnlyList<SelectionGroup>> GetSelectionGroupsAsync(string roomId, CancellationToken cancellationToken = default) =>
        throw new NotImplementedException();

    /// <inheritdoc/>
    public ValueTask SetSelectionGroupAsync(string roomId, SelectionGroup group, CancellationToken cancellationToken = default) =>
        throw new NotImplementedException();

    /// <inheritdoc/>
    public ValueTask<bool> DeleteSelectionGroupAsync(string roomId, string name, CancellationToken cancellationToken = default) =>
        throw new NotImplementedException();

    /// <inheritdoc/>
    public ValueTask<string?> GetActiveSelectionGroupAsync(string roomId, CancellationToken cancellationToken = default) =>
        throw new NotImplementedException();

    /// <inheritdoc/>
    public ValueTask<bool> LoadSelectionGroupAsync(string roomId, string name, CancellationToken cancellationToken = default) =>
        throw new NotImplementedException();
}
