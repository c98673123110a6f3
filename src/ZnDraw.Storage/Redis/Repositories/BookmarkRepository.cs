using StackExchange.Redis;
using ZnDraw.Storage.Contracts;
using ZnDraw.Storage.Diagnostics;
using ZnDraw.Storage.Models;
using ZnDraw.Storage.Redis.Keys;
using ZnDraw.Storage.Redis.Mapping;
using ZnDraw.Storage.Redis.Scripts;

namespace ZnDraw.Storage.Redis.Repositories;

/// <summary>The Redis implementation of <see cref="IBookmarkRepository"/>.</summary>
internal sealed class BookmarkRepository(RedisStoreContext context) : IBookmarkRepository
{
    private readonly IDatabase _db = context.Database;
    private readonly KeySpace _keys = context.Keys;
    private readonly ZnDrawLimitOptions _limits = context.Limits;

    // Made once per repository: a listing allocates nothing for it.
    private readonly Action<StorageDataException> _unreadable = ex => UnreadableEntries.Report(context.Logger, UnreadableEntries.Bookmark, ex);

    /// <inheritdoc/>
    public ValueTask<IReadOnlyList<Bookmark>> GetAllAsync(string roomId, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        RedisKey key = _keys.Room(roomId).Bookmarks();
        return RedisReply.Map(
            _db.HashGetAllAsync(key),
            (key, _unreadable),
            static (entries, s) => (IReadOnlyList<Bookmark>)FrameMapping.BookmarksFromHash(s.key, entries, s._unreadable),
            key,
            cancellationToken);
    }

    /// <inheritdoc/>
    public ValueTask<Bookmark?> GetAsync(string roomId, int frame, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        RedisKey key = _keys.Room(roomId).Bookmarks();
        RedisValue field = FrameMapping.BookmarkField(frame);
        return RedisReply.Map(
            _db.HashGetAsync(key, field),
            (key, field, frame),
            static (label, s) => label.IsNull ? null : new Bookmark(s.frame, FrameMapping.ParseLabel(s.key, s.field, label)),
            key,
            cancellationToken);
    }

    /// <inheritdoc/>
    public ValueTask SetAsync(string roomId, int frame, string label, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        RoomKeys room = _keys.Room(roomId);
        ArgumentOutOfRangeException.ThrowIfNegative(frame);
        ArgumentException.ThrowIfNullOrEmpty(label);
        SizeLimits.CheckText(label, _limits.MaxBookmarkLabelBytes, "bookmark label", nameof(label));
        RedisValue[] args = FrameMapping.BookmarkArgs(frame, label);
        return FrameScripts.SetBookmark.EvaluateVoidAsync(
            _db,
            [room.TrajectoryIndices(), room.Bookmarks()],
            args,
            frame,
            static (reply, frame) =>
            {
                var result = (RedisResult[])reply!;
                if ((long)result[0] == FrameScripts.OutOfRange)
                {
                    throw new ArgumentOutOfRangeException(
                        nameof(frame), frame, $"The trajectory has {(long)result[1]} frame(s); a bookmark needs a frame 0 … count − 1. Nothing was changed.");
                }

                return true;
            },
            cancellationToken);
    }

    /// <inheritdoc/>
    public ValueTask<bool> DeleteAsync(string roomId, int frame, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        RedisKey key = _keys.Room(roomId).Bookmarks();
        RedisValue field = FrameMapping.BookmarkField(frame);
        return RedisReply.Of(_db.HashDeleteAsync(key, field), key, cancellationToken);
    }

    /// <inheritdoc/>
    public ValueTask<bool> ClearAsync(string roomId, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        RedisKey key = _keys.Room(roomId).Bookmarks();
        return RedisReply.Of(_db.KeyDeleteAsync(key), key, cancellationToken);
    }
}
