using System.Text.Json;
using ZnDraw.Storage.Contracts;
using ZnDraw.Storage.Models;

namespace ZnDraw.Storage.Sql.Repositories;

/// <summary>The SQL implementation of <see cref="IChatRepository"/> (not yet written).</summary>
internal sealed class SqlChatRepository(SqlStoreContext context) : IChatRepository
{
    private readonly SqlStoreContext _context = context;

    /// <inheritdoc/>
    public ValueTask<ChatMessage> PostAsync(string roomId, string author, string content, CancellationToken cancellationToken = default) =>
        throw new NotImplementedException();

    /// <inheritdoc/>
    public ValueTask<ChatEditResult> EditAsync(string roomId, string messageId, string author, string newContent, CancellationToken cancellationToken = default) =>
        throw new NotImplementedException();

    /// <inheritdoc/>
    public ValueTask<ChatMessage?> GetAsync(string roomId, string messageId, CancellationToken cancellationToken = default) =>
        throw new NotImplementedException();

    /// <inheritdoc/>
    public ValueTask<ChatPage> GetPageAsync(string roomId, int limit, DateTimeOffset? before = null, DateTimeOffset? after = null, CancellationToken cancellationToken = default) =>
        throw new NotImplementedException();

    /// <inheritdoc/>
    public ValueTask<long> CountAsync(string roomId, CancellationToken cancellationToken = default) =>
        throw new NotImplementedException();
}
