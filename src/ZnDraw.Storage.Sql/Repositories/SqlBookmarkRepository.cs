using ZnDraw.Storage.Diagnostics;
using System.Data.Common;
using ZnDraw.Storage.Contracts;
using ZnDraw.Storage.Models;

namespace ZnDraw.Storage.Sql.Repositories;

/// <summary>The SQL implementation of <see cref="IBookmarkRepository"/>: a room's bookmarks in <c>room_bookmarks</c>.</summary>
/// <remarks>
/// One row per bookmark (frame, label). Frame edits of <see cref="SqlFrameRepository"/> shift and drop these rows in
/// their own transaction; <see cref="SetAsync"/> takes the same room lock, so its range check holds against the trajectory
/// as it is when the row is written. The frame is an integer column, so every stored bookmark is readable.
/// </remarks>
internal sealed class SqlBookmarkRepository : IBookmarkRepository, IDbSystemNamed
{
    private readonly SqlStoreContext _context;

    /// <inheritdoc />
    public string DbSystemName => _context.Dialect.DbSystemName;
    private readonly TrajectorySql _sql;

    public SqlBookmarkRepository(SqlStoreContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        _context = context;
        _sql = context.Trajectory;
    }

    /// <inheritdoc/>
    public ValueTask<IReadOnlyList<Bookmark>> GetAllAsync(string roomId, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        KeyValidation.ValidateRoomId(roomId);
        return _context.ReadAsync(
            "IBookmarkRepository.GetAllAsync",
            TrajectorySql.BookmarkKey(roomId),
            (_sql, roomId),
            static async (call, s) =>
            {
                await using DbCommand command = call.Command(s._sql.BookmarksAll);
                SqlCall.Add(command, "@room", s.roomId);
                await using DbDataReader reader = await call.QueryAsync(command).ConfigureAwait(false);
                var bookmarks = new List<Bookmark>();
                while (await reader.ReadAsync(call.CancellationToken).ConfigureAwait(false))
                {
                    bookmarks.Add(new Bookmark(reader.GetInt32(0), reader.GetString(1)));
                }

                return (IReadOnlyList<Bookmark>)bookmarks;
            },
            cancellationToken);
    }

    /// <inheritdoc/>
    public ValueTask<Bookmark?> GetAsync(string roomId, int frame, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        KeyValidation.ValidateRoomId(roomId);
        ArgumentOutOfRangeException.ThrowIfNegative(frame);
        return _context.ReadAsync(
            "IBookmarkRepository.GetAsync",
            TrajectorySql.BookmarkKey(roomId),
            (_sql, roomId, frame),
            static async (call, s) =>
            {
                await using DbCommand command = call.Command(s._sql.BookmarkGet);
                SqlCall.Add(command, "@room", s.roomId);
                SqlCall.Add(command, "@frame", s.frame);
                return await call.ScalarAsync(command).ConfigureAwait(false) is string label ? new Bookmark(s.frame, label) : null;
            },
            cancellationToken);
    }

    /// <inheritdoc/>
    public async ValueTask SetAsync(string roomId, int frame, string label, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        KeyValidation.ValidateRoomId(roomId);
        ArgumentOutOfRangeException.ThrowIfNegative(frame);
        ArgumentException.ThrowIfNullOrEmpty(label);
        SizeLimits.CheckText(label, _context.Limits.MaxBookmarkLabelBytes, "bookmark label", nameof(label));
        await _context.WriteAsync(
            "IBookmarkRepository.SetAsync",
            TrajectorySql.BookmarkKey(roomId),
            (_sql, roomId, frame, label),
            static async (call, s) =>
            {
                await using DbCommand command = call.Command(s._sql.BookmarkSet);
                SqlCall.Add(command, "@room", s.roomId);
                SqlCall.Add(command, "@frame", s.frame);
                SqlCall.Add(command, "@label", s.label);
                await using DbDataReader reader = await s._sql.QueryAfterLockAsync(call, command).ConfigureAwait(false);
                if (await reader.ReadAsync(call.CancellationToken).ConfigureAwait(false))
                {
                    return true;
                }

                // Nothing written: the frame is past the trajectory (the count comes with the same command).
                await reader.NextResultAsync(call.CancellationToken).ConfigureAwait(false);
                await reader.ReadAsync(call.CancellationToken).ConfigureAwait(false);
                throw new ArgumentOutOfRangeException(
                    nameof(frame),
                    s.frame,
                    $"The trajectory has {reader.GetInt64(0)} frame(s); a bookmark needs a frame 0 … count − 1. Nothing was changed.");
            },
            null,
            cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public ValueTask<bool> DeleteAsync(string roomId, int frame, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        KeyValidation.ValidateRoomId(roomId);
        ArgumentOutOfRangeException.ThrowIfNegative(frame);
        return _context.WriteAsync(
            "IBookmarkRepository.DeleteAsync",
            TrajectorySql.BookmarkKey(roomId),
            (_sql, roomId, frame),
            static async (call, s) =>
            {
                // Under the room lock: a concurrent frame edit that shifts bookmarks comes wholly before or after.
                await using DbCommand command = call.Command(s._sql.BookmarkDelete);
                SqlCall.Add(command, "@room", s.roomId);
                SqlCall.Add(command, "@frame", s.frame);
                await using DbDataReader reader = await s._sql.QueryAfterLockAsync(call, command).ConfigureAwait(false);
                return await reader.ReadAsync(call.CancellationToken).ConfigureAwait(false);
            },
            null,
            cancellationToken);
    }

    /// <inheritdoc/>
    public ValueTask<bool> ClearAsync(string roomId, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        KeyValidation.ValidateRoomId(roomId);
        return _context.WriteAsync(
            "IBookmarkRepository.ClearAsync",
            TrajectorySql.BookmarkKey(roomId),
            (_sql, roomId),
            static async (call, s) =>
            {
                await using DbCommand command = call.Command(s._sql.BookmarkClear);
                SqlCall.Add(command, "@room", s.roomId);
                return await call.ExecuteAsync(command).ConfigureAwait(false) > 0;
            },
            null,
            cancellationToken);
    }
}
