using System.Text.Json;
using ZnDraw.Storage.Contracts;
using ZnDraw.Storage.Models;

namespace ZnDraw.Storage.Sql.Repositories;

/// <summary>The SQL implementation of <see cref="ISettingsRepository"/> (not yet written).</summary>
internal sealed class SqlSettingsRepository(SqlStoreContext context) : ISettingsRepository
{
    private readonly SqlStoreContext _context = context;

    /// <inheritdoc/>
    public ValueTask<JsonElement?> GetSectionAsync(string roomId, string userName, string section, CancellationToken cancellationToken = default) =>
        throw new NotImplementedException();

    /// <inheritdoc/>
    public ValueTask<UserRoomSettings?> GetAllAsync(string roomId, string userName, CancellationToken cancellationToken = default) =>
        throw new NotImplementedException();

    /// <inheritdoc/>
    public ValueTask SetSectionAsync(string roomId, string userName, string section, JsonElement value, CancellationToken cancellationToken = default) =>
        throw new NotImplementedException();

    /// <inheritdoc/>
    public ValueTask SetSectionsAsync(string roomId, string userName, UserRoomSettings settings, CancellationToken cancellationToken = default) =>
        throw new NotImplementedException();

    /// <inheritdoc/>
    public ValueTask<JsonElement?> GetExtensionDataAsync(string roomId, string userName, string category, string extension, CancellationToken cancellationToken = default) =>
        throw new NotImplementedException();

    /// <inheritdoc/>
    public ValueTask SetExtensionDataAsync(string roomId, string userName, string category, string extension, JsonElement value, CancellationToken cancellationToken = default) =>
        throw new NotImplementedException();
}
