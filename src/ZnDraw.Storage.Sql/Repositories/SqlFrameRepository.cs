using ZnDraw.Storage.Diagnostics;
using System.Collections.Immutable;
using System.Data.Common;
using System.Globalization;
using System.Runtime.InteropServices;
using ZnDraw.Storage.Contracts;
using ZnDraw.Storage.Models;
using ZnDraw.Storage.Serialization;
using ZnDraw.Storage.Sql.Provider;

namespace ZnDraw.Storage.Sql.Repositories;

/// <summary>The SQL implementation of <see cref="IFrameRepository"/>: the trajectory in <c>room_frames</c>.</summary>
/// <remarks>
/// <para>
/// A row is a member of Redis's sorted set (<c>"{sourceRoom}:{physicalIndex}"</c>) with its score; logical frame <em>n</em>
/// is the row of rank <em>n</em> in <c>ORDER BY score, member</c> (member ordinal), so the order equals Redis's, ties
/// included, and the scores follow the same rules (append: last + 1; insert: the neighbours' mean; renormalize and bulk
/// replace: 0, 1, 2, …).
/// </para>
/// <para>
/// Every edit is one transaction that first takes the room's trajectory lock (PostgreSQL: a transaction-scoped advisory
/// lock on the room id, see <see cref="SqlDialect.LockRoom"/>; SQLite: the database write lock of <c>BEGIN
/// IMMEDIATE</c>), then reads what it needs and writes, bookmark shifts included: concurrent edits of one room are
/// serialised, as the Redis scripts are. A refused edit rolls back and changes nothing.
/// </para>
/// <para>
/// As in Redis, a trajectory needs no <c>rooms</c> row: writing frames to a room that was never created stores them and
/// does not create the room.
/// </para>
/// </remarks>
internal sealed class SqlFrameRepository : IFrameRepository, IDbSystemNamed
{
    private readonly SqlStoreContext _context;

    /// <inheritdoc />
    public string DbSystemName => _context.Dialect.DbSystemName;
    private readonly TrajectorySql _sql;

    public SqlFrameRepository(SqlStoreContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        _context = context;
        _sql = context.Trajectory;
    }

    /// <inheritdoc/>
    public ValueTask<long> CountAsync(string roomId, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        KeyValidation.ValidateRoomId(roomId);
        return _context.ReadAsync(
            "IFrameRepository.CountAsync",
            TrajectorySql.Key(roomId),
            (_sql, roomId),
            static async (call, s) =>
            {
                await using DbCommand command = call.Command(s._sql.Count);
                SqlCall.Add(command, "@room", s.roomId);
                return Convert.ToInt64(await call.ScalarAsync(command).ConfigureAwait(false), CultureInfo.InvariantCulture);
            },
            cancellationToken);
    }

    /// <inheritdoc/>
    public ValueTask<IReadOnlyList<TrajectoryEntry>> GetRangeAsync(string roomId, int start = 0, int stop = -1, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        KeyValidation.ValidateRoomId(roomId);
        if (start >= 0 && stop >= 0 && start > stop)
        {
            return ValueTask.FromResult<IReadOnlyList<TrajectoryEntry>>([]);
        }

        return _context.ReadAsync(
            "IFrameRepository.GetRangeAsync",
            TrajectorySql.Key(roomId),
            (_sql, roomId, start, stop),
            static async (call, s) =>
            {
                DbCommand command;
                if (s.start >= 0 && s.stop >= -1)
                {
                    // ZRANGE with non-negative bounds (or "to the end"): a slice of the rank order.
                    command = call.Command(s._sql.Slice);
                    SqlCall.Add(command, "@offset", (long)s.start);
                    SqlCall.Add(command, "@limit", s.stop == -1 ? long.MaxValue : (long)s.stop - s.start + 1);
                }
                else
                {
                    // Bounds counted from the end: one statement reads the ranks and the count together.
                    command = call.Command(s._sql.RangeFromEnd);
                    SqlCall.Add(command, "@start", (long)s.start);
                    SqlCall.Add(command, "@stop", (long)s.stop);
                }

                await using (command.ConfigureAwait(false))
                {
                    SqlCall.Add(command, "@room", s.roomId);
                    await using DbDataReader reader = await call.QueryAsync(command).ConfigureAwait(false);
                    var entries = new List<TrajectoryEntry>(s.start >= 0 && s.stop >= 0 ? Math.Min(s.stop - s.start + 1, 1024) : 16);
                    while (await reader.ReadAsync(call.CancellationToken).ConfigureAwait(false))
                    {
                        entries.Add(new TrajectoryEntry(TrajectorySql.ParseMember(s.roomId, reader.GetString(0)), reader.GetDouble(1)));
                    }

                    return (IReadOnlyList<TrajectoryEntry>)entries;
                }
            },
            cancellationToken);
    }

    /// <inheritdoc/>
    public ValueTask<FrameIndex?> GetAsync(string roomId, int index, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        KeyValidation.ValidateRoomId(roomId);
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        return _context.ReadAsync(
            "IFrameRepository.GetAsync",
            TrajectorySql.Key(roomId),
            (_sql, roomId, index),
            static async (call, s) =>
            {
                await using DbCommand command = call.Command(s._sql.Slice);
                SqlCall.Add(command, "@room", s.roomId);
                SqlCall.Add(command, "@offset", (long)s.index);
                SqlCall.Add(command, "@limit", 1L);
                await using DbDataReader reader = await call.QueryAsync(command).ConfigureAwait(false);
                return await reader.ReadAsync(call.CancellationToken).ConfigureAwait(false)
                    ? TrajectorySql.ParseMember(s.roomId, reader.GetString(0))
                    : (FrameIndex?)null;
            },
            cancellationToken);
    }

    /// <inheritdoc/>
    public ValueTask<int> AppendAsync(string roomId, IReadOnlyList<FrameIndex> frames, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        KeyValidation.ValidateRoomId(roomId);
        ArgumentNullException.ThrowIfNull(frames);
        if (frames.Count == 0)
        {
            throw new ArgumentException("At least one frame is needed.", nameof(frames));
        }

        string[] members = TrajectorySql.FormatDistinct(frames, nameof(frames));
        return _context.WriteAsync(
            "IFrameRepository.AppendAsync",
            TrajectorySql.Key(roomId),
            (_sql, roomId, members),
            static async (call, s) =>
            {
                object list = s._sql.TextList(s.members);
                long count;
                double last;
                await using (DbCommand check = call.Command(s._sql.AppendCheck))
                {
                    SqlCall.Add(check, "@room", s.roomId);
                    SqlCall.Add(check, "@members", list);
                    await using DbDataReader reader = await s._sql.QueryAfterLockAsync(call, check).ConfigureAwait(false);
                    HashSet<string>? present = null;
                    while (await reader.ReadAsync(call.CancellationToken).ConfigureAwait(false))
                    {
                        (present ??= new HashSet<string>(StringComparer.Ordinal)).Add(reader.GetString(0));
                    }

                    if (present is not null)
                    {
                        // The first frame of the list that is present, as the Redis script reports it.
                        throw TrajectorySql.Duplicate(s.members.First(present.Contains), s.roomId);
                    }

                    await reader.NextResultAsync(call.CancellationToken).ConfigureAwait(false);
                    await reader.ReadAsync(call.CancellationToken).ConfigureAwait(false);
                    count = reader.GetInt64(0);
                    last = count == 0 ? 0 : reader.GetDouble(1);
                }

                if (count > 0 && !(last + 1 > last))
                {
                    // No double above the last score: renormalize first (order unchanged), as the Redis script does.
                    await s._sql.RenormalizeAsync(call, s.roomId).ConfigureAwait(false);
                    last = count - 1;
                }

                await using (DbCommand insert = call.Command(s._sql.AppendInsert))
                {
                    SqlCall.Add(insert, "@room", s.roomId);
                    SqlCall.Add(insert, "@members", list);
                    SqlCall.Add(insert, "@base", last);
                    await call.ExecuteAsync(insert).ConfigureAwait(false);
                }

                return (int)count;
            },
            null,
            cancellationToken);
    }

    /// <inheritdoc/>
    public async ValueTask InsertAsync(string roomId, int position, FrameIndex frame, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        KeyValidation.ValidateRoomId(roomId);
        ArgumentOutOfRangeException.ThrowIfNegative(position);
        string member = TrajectorySql.FormatMember(frame);
        await _context.WriteAsync(
            "IFrameRepository.InsertAsync",
            TrajectorySql.Key(roomId),
            (_sql, roomId, position, member),
            static async (call, s) =>
            {
                long count;
                double score;
                bool renormalize;
                await using (DbCommand check = call.Command(s._sql.InsertCheck))
                {
                    SqlCall.Add(check, "@room", s.roomId);
                    SqlCall.Add(check, "@member", s.member);
                    SqlCall.Add(check, "@offset", (long)Math.Max(s.position - 1, 0));
                    await using DbDataReader reader = await s._sql.QueryAfterLockAsync(call, check).ConfigureAwait(false);
                    await reader.ReadAsync(call.CancellationToken).ConfigureAwait(false);
                    count = reader.GetInt64(0);
                    if (s.position > count)
                    {
                        throw TrajectorySql.OutOfRange(nameof(position), s.position, count, "a position 0 … frame count");
                    }

                    await reader.NextResultAsync(call.CancellationToken).ConfigureAwait(false);
                    await reader.ReadAsync(call.CancellationToken).ConfigureAwait(false);
                    if (reader.GetInt64(0) > 0)
                    {
                        throw TrajectorySql.Duplicate(s.member, s.roomId);
                    }

                    await reader.NextResultAsync(call.CancellationToken).ConfigureAwait(false);
                    double a = 0, b = 0;
                    if (await reader.ReadAsync(call.CancellationToken).ConfigureAwait(false))
                    {
                        a = reader.GetDouble(0);
                        if (await reader.ReadAsync(call.CancellationToken).ConfigureAwait(false))
                        {
                            b = reader.GetDouble(0);
                        }
                    }

                    score = InsertScore(count, s.position, a, b, out renormalize);
                }

                if (renormalize)
                {
                    await s._sql.RenormalizeAsync(call, s.roomId).ConfigureAwait(false);
                }

                await using (DbCommand insert = call.Command(s._sql.InsertWrite))
                {
                    SqlCall.Add(insert, "@room", s.roomId);
                    SqlCall.Add(insert, "@member", s.member);
                    SqlCall.Add(insert, "@score", score);
                    SqlCall.Add(insert, "@position", s.position);
                    await call.ExecuteAsync(insert).ConfigureAwait(false);
                }

                return true;
            },
            null,
            cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public ValueTask<int> DeleteAsync(string roomId, IReadOnlyList<int> indices, bool allowTemplateFrames = false, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        KeyValidation.ValidateRoomId(roomId);
        SortedSet<int> sorted = FrameArguments.DistinctIndices(indices);

        if (sorted.Count == 0)
        {
            return ValueTask.FromResult(0);
        }

        int[] distinct = [.. sorted];
        return _context.WriteAsync(
            "IFrameRepository.DeleteAsync",
            TrajectorySql.Key(roomId),
            (_sql, roomId, distinct, allowTemplateFrames),
            static async (call, s) =>
            {
                object indexList = s._sql.IntList(s.distinct);
                string[] members = new string[s.distinct.Length];
                await using (DbCommand check = call.Command(s._sql.DeleteCheck))
                {
                    SqlCall.Add(check, "@room", s.roomId);
                    SqlCall.Add(check, "@indices", indexList);
                    await using DbDataReader reader = await s._sql.QueryAfterLockAsync(call, check).ConfigureAwait(false);
                    await reader.ReadAsync(call.CancellationToken).ConfigureAwait(false);
                    long count = reader.GetInt64(0);
                    int max = s.distinct[^1];
                    if (max >= count)
                    {
                        throw TrajectorySql.OutOfRange(nameof(indices), max, count, "indices below the frame count");
                    }

                    await reader.NextResultAsync(call.CancellationToken).ConfigureAwait(false);
                    int i = 0;
                    while (await reader.ReadAsync(call.CancellationToken).ConfigureAwait(false))
                    {
                        string member = reader.GetString(1);
                        if (!s.allowTemplateFrames && TrajectorySql.IsTemplate(member, s.roomId))
                        {
                            throw new TemplateFrameException(s.roomId, (int)reader.GetInt64(0), member);
                        }

                        members[i++] = member;
                    }
                }

                await using (DbCommand delete = call.Command(s._sql.DeleteWrite))
                {
                    SqlCall.Add(delete, "@room", s.roomId);
                    SqlCall.Add(delete, "@members", s._sql.TextList(members));
                    SqlCall.Add(delete, "@indices", indexList);
                    SqlCall.Add(delete, "@min", s.distinct[0]);
                    await call.ExecuteAsync(delete).ConfigureAwait(false);
                }

                return s.distinct.Length;
            },
            null,
            cancellationToken);
    }

    /// <inheritdoc/>
    public ValueTask<FrameIndex> ReplaceAsync(string roomId, int index, FrameIndex frame, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        KeyValidation.ValidateRoomId(roomId);
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        string member = TrajectorySql.FormatMember(frame);
        return _context.WriteAsync(
            "IFrameRepository.ReplaceAsync",
            TrajectorySql.Key(roomId),
            (_sql, roomId, index, member),
            static async (call, s) =>
            {
                string old;
                double score;
                bool tied;
                await using (DbCommand check = call.Command(s._sql.ReplaceCheck))
                {
                    int low = Math.Max(s.index - 1, 0);
                    SqlCall.Add(check, "@room", s.roomId);
                    SqlCall.Add(check, "@member", s.member);
                    SqlCall.Add(check, "@offset", (long)low);
                    await using DbDataReader reader = await s._sql.QueryAfterLockAsync(call, check).ConfigureAwait(false);
                    await reader.ReadAsync(call.CancellationToken).ConfigureAwait(false);
                    long count = reader.GetInt64(0);
                    if (s.index >= count)
                    {
                        throw TrajectorySql.OutOfRange(nameof(index), s.index, count, "an index below the frame count");
                    }

                    // The frame at the index and its neighbours (for ties).
                    await reader.NextResultAsync(call.CancellationToken).ConfigureAwait(false);
                    int pos = s.index - low;
                    double before = double.NaN, after = double.NaN;
                    old = string.Empty;
                    score = 0;
                    for (int row = 0; row < 3 && await reader.ReadAsync(call.CancellationToken).ConfigureAwait(false); row++)
                    {
                        if (row == pos)
                        {
                            old = reader.GetString(0);
                            score = reader.GetDouble(1);
                        }
                        else if (row < pos)
                        {
                            before = reader.GetDouble(1);
                        }
                        else
                        {
                            after = reader.GetDouble(1);
                        }
                    }

                    // NaN never equals: a missing neighbour is no tie.
                    tied = before == score || after == score;

                    await reader.NextResultAsync(call.CancellationToken).ConfigureAwait(false);
                    await reader.ReadAsync(call.CancellationToken).ConfigureAwait(false);
                    if (old != s.member && reader.GetInt64(0) > 0)
                    {
                        throw TrajectorySql.Duplicate(s.member, s.roomId);
                    }
                }

                FrameIndex replaced = TrajectorySql.ParseMember(s.roomId, old);
                bool changed = old != s.member;
                if (changed && tied)
                {
                    // The new member could sort to the other side of an equal score: renormalize first (order unchanged).
                    await s._sql.RenormalizeAsync(call, s.roomId).ConfigureAwait(false);
                    score = s.index;
                }

                await using (DbCommand write = call.Command(changed ? s._sql.ReplaceWrite : s._sql.BookmarkDrop))
                {
                    SqlCall.Add(write, "@room", s.roomId);
                    SqlCall.Add(write, "@index", s.index);
                    if (changed)
                    {
                        SqlCall.Add(write, "@member", s.member);
                        SqlCall.Add(write, "@old", old);
                        SqlCall.Add(write, "@score", score);
                    }

                    await call.ExecuteAsync(write).ConfigureAwait(false);
                }

                return replaced;
            },
            null,
            cancellationToken);
    }

    /// <inheritdoc/>
    public ValueTask<long> RenormalizeAsync(string roomId, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        KeyValidation.ValidateRoomId(roomId);
        return _context.WriteAsync(
            "IFrameRepository.RenormalizeAsync",
            TrajectorySql.Key(roomId),
            (_sql, roomId),
            static async (call, s) =>
            {
                await using DbCommand command = call.Command(s._sql.RenormalizeLocked);
                SqlCall.Add(command, "@room", s.roomId);
                await using DbDataReader reader = await s._sql.QueryAfterLockAsync(call, command).ConfigureAwait(false);
                await reader.ReadAsync(call.CancellationToken).ConfigureAwait(false);
                return reader.GetInt64(0);
            },
            null,
            cancellationToken);
    }

    /// <inheritdoc/>
    public async ValueTask ReplaceAllAsync(string roomId, IReadOnlyList<FrameIndex> frames, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        KeyValidation.ValidateRoomId(roomId);
        ArgumentNullException.ThrowIfNull(frames);
        string[] members = TrajectorySql.FormatDistinct(frames, nameof(frames));
        await _context.WriteAsync(
            "IFrameRepository.ReplaceAllAsync",
            TrajectorySql.Key(roomId),
            (_sql, roomId, members),
            static async (call, s) =>
            {
                await using DbCommand command = call.Command(s.members.Length == 0 ? s._sql.ClearFrames : s._sql.ReplaceAll);
                SqlCall.Add(command, "@room", s.roomId);
                if (s.members.Length > 0)
                {
                    SqlCall.Add(command, "@members", s._sql.TextList(s.members));
                    SqlCall.Add(command, "@base", -1.0);
                }

                await call.ExecuteAsync(command).ConfigureAwait(false);
                return true;
            },
            null,
            cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public ValueTask<FrameSelection?> GetFrameSelectionAsync(string roomId, string group = FrameSelection.DefaultGroup, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        KeyValidation.ValidateRoomId(roomId);
        KeyValidation.ValidateSegment(group);
        return _context.ReadAsync(
            "IFrameRepository.GetFrameSelectionAsync",
            TrajectorySql.SelectionKey(roomId, group),
            (_sql, roomId, group),
            static async (call, s) =>
            {
                await using DbCommand command = call.Command(s._sql.SelectionGet);
                SqlCall.Add(command, "@room", s.roomId);
                SqlCall.Add(command, "@group", s.group);
                return await call.ScalarAsync(command).ConfigureAwait(false) is string json
                    ? new FrameSelection(s.group, TrajectorySql.ParseIndices(json, s.roomId, s.group))
                    : null;
            },
            cancellationToken);
    }

    /// <inheritdoc/>
    public async ValueTask SetFrameSelectionAsync(string roomId, FrameSelection selection, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        ArgumentNullException.ThrowIfNull(selection);
        KeyValidation.ValidateRoomId(roomId);
        KeyValidation.ValidateSegment(selection.Group, nameof(selection));
        string json = TrajectorySql.FormatIndices(selection.Frames);
        await _context.WriteAsync(
            "IFrameRepository.SetFrameSelectionAsync",
            TrajectorySql.SelectionKey(roomId, selection.Group),
            (_sql, roomId, group: selection.Group, json),
            static async (call, s) =>
            {
                await using DbCommand command = call.Command(s._sql.SelectionSet);
                SqlCall.Add(command, "@room", s.roomId);
                SqlCall.Add(command, "@group", s.group);
                SqlCall.Add(command, "@frames", s.json);
                await call.ExecuteAsync(command).ConfigureAwait(false);
                return true;
            },
            null,
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The score of a frame inserted at <paramref name="position"/> of <paramref name="count"/> frames, from the scores
    /// around it (<paramref name="a"/>: rank <c>max(position − 1, 0)</c>, <paramref name="b"/>: the next rank), by the
    /// Redis script's rules; <paramref name="renormalize"/> when no double fits and the scores must first become 0, 1, 2, ….
    /// </summary>
    private static double InsertScore(long count, int position, double a, double b, out bool renormalize)
    {
        renormalize = false;
        double score;
        if (count == 0)
        {
            return 1.0;
        }

        if (position == count)
        {
            score = a + 1.0;
            if (!(score > a))
            {
                renormalize = true;
                score = count;
            }
        }
        else if (position == 0)
        {
            score = a - 1.0;
            if (!(score < a))
            {
                renormalize = true;
                score = -1.0;
            }
        }
        else
        {
            score = (a + b) / 2;
            if (!(score > a && score < b))
            {
                renormalize = true;
                score = position - 0.5;
            }
        }

        return score;
    }
}

/// <summary>
/// The SQL of the trajectory and bookmark repositories in one dialect, and the member, list and index-array helpers
/// they share.
/// </summary>
/// <remarks>
/// Lists travel as one parameter: a <c>text[]</c> / <c>integer[]</c> array on PostgreSQL (<c>unnest</c>), a JSON array on
/// SQLite (<c>json_each</c>). Bookmark shifts move the shifted rows through negative frames (<c>f → −1 − new</c>, then
/// <c>g → −1 − g</c>) so that no row ever meets another's key on the way: the primary key is checked per row.
/// </remarks>
internal sealed class TrajectorySql
{
    private readonly SqlDialect _dialect;
    private readonly bool _lockReturnsResult;

    public TrajectorySql(SqlDialect dialect)
    {
        _dialect = dialect;
        string order = "score, member" + dialect.Ordinal;

        // PostgreSQL: the room's advisory lock. SQLite: BEGIN IMMEDIATE already holds the database's write lock.
        string lockRoom = dialect.LockRoom;
        _lockReturnsResult = lockRoom.Length != 0;

        string count = "SELECT COUNT(*) FROM room_frames WHERE room_id = @room;\n";
        string memberCount = "SELECT COUNT(*) FROM room_frames WHERE room_id = @room AND member = @member;\n";
        string flip = "UPDATE room_bookmarks SET frame = -1 - frame WHERE room_id = @room AND frame < 0;\n";
        string numbered = dialect.NumberedList("@members");

        Count = count;
        Slice = $"SELECT member, score FROM room_frames WHERE room_id = @room ORDER BY {order} LIMIT @limit OFFSET @offset;";
        RangeFromEnd = $"""
            SELECT member, score FROM (
              SELECT member, score, ROW_NUMBER() OVER (ORDER BY {order}) - 1 AS rn, COUNT(*) OVER () AS n
              FROM room_frames WHERE room_id = @room) AS t
            WHERE rn >= CASE WHEN @start < 0 THEN n + @start ELSE @start END
              AND rn <= CASE WHEN @stop < 0 THEN n + @stop ELSE @stop END
            ORDER BY rn;
            """;
        Renormalize = $"""
            UPDATE room_frames AS f SET score = t.rn
            FROM (SELECT member, ROW_NUMBER() OVER (ORDER BY {order}) - 1 AS rn FROM room_frames WHERE room_id = @room) AS t
            WHERE f.room_id = @room AND f.member = t.member;

            """;
        RenormalizeLocked = lockRoom + Renormalize + count;
        AppendCheck = lockRoom
            + $"SELECT member FROM room_frames WHERE room_id = @room AND member IN {In("@members")};\n"
            + "SELECT COUNT(*), MAX(score) FROM room_frames WHERE room_id = @room;\n";
        AppendInsert = "INSERT INTO room_frames (room_id, member, score) " + numbered + ";\n";
        InsertCheck = lockRoom + count + memberCount
            + $"SELECT score FROM room_frames WHERE room_id = @room ORDER BY {order} LIMIT 2 OFFSET @offset;\n";
        InsertWrite = "INSERT INTO room_frames (room_id, member, score) VALUES (@room, @member, @score);\n"
            + "UPDATE room_bookmarks SET frame = -2 - frame WHERE room_id = @room AND frame >= @position;\n"
            + flip;
        DeleteCheck = lockRoom + count + $"""
            SELECT rn, member FROM (
              SELECT member, ROW_NUMBER() OVER (ORDER BY {order}) - 1 AS rn FROM room_frames WHERE room_id = @room) AS t
            WHERE rn IN {In("@indices")}
            ORDER BY rn;

            """;
        string deleted = dialect.ListTable("@indices", "d");
        DeleteWrite = $"DELETE FROM room_frames WHERE room_id = @room AND member IN {In("@members")};\n"
            + $"DELETE FROM room_bookmarks WHERE room_id = @room AND frame IN {In("@indices")};\n"
            + $"UPDATE room_bookmarks SET frame = -1 - (frame - (SELECT COUNT(*) FROM {deleted} WHERE d.v < room_bookmarks.frame)) WHERE room_id = @room AND frame > @min;\n"
            + flip;
        ReplaceCheck = lockRoom + count
            + $"SELECT member, score FROM room_frames WHERE room_id = @room ORDER BY {order} LIMIT 3 OFFSET @offset;\n"
            + memberCount;
        BookmarkDrop = "DELETE FROM room_bookmarks WHERE room_id = @room AND frame = @index;\n";
        ReplaceWrite = "UPDATE room_frames SET member = @member, score = @score WHERE room_id = @room AND member = @old;\n" + BookmarkDrop;
        ClearFrames = lockRoom + "DELETE FROM room_frames WHERE room_id = @room;\n";
        ReplaceAll = lockRoom + "DELETE FROM room_frames WHERE room_id = @room;\n" + AppendInsert;
        SelectionGet = "SELECT frames FROM room_frame_selections WHERE room_id = @room AND group_name = @group;";
        SelectionSet = "INSERT INTO room_frame_selections (room_id, group_name, frames) VALUES (@room, @group, @frames)"
            + " ON CONFLICT (room_id, group_name) DO UPDATE SET frames = excluded.frames;\n";

        BookmarksAll = "SELECT frame, label FROM room_bookmarks WHERE room_id = @room ORDER BY frame;";
        BookmarkGet = "SELECT label FROM room_bookmarks WHERE room_id = @room AND frame = @frame;";
        BookmarkSet = lockRoom + """
            INSERT INTO room_bookmarks (room_id, frame, label)
            SELECT @room, @frame, @label WHERE (SELECT COUNT(*) FROM room_frames WHERE room_id = @room) > @frame
            ON CONFLICT (room_id, frame) DO UPDATE SET label = excluded.label
            RETURNING frame;

            """ + count;
        BookmarkDelete = lockRoom + "DELETE FROM room_bookmarks WHERE room_id = @room AND frame = @frame RETURNING frame;";
        BookmarkClear = "DELETE FROM room_bookmarks WHERE room_id = @room;";
    }

    /// <summary>The frame count (<c>@room</c>).</summary>
    public string Count { get; }

    /// <summary>Members and scores of ranks <c>@offset</c> … <c>@offset + @limit − 1</c>.</summary>
    public string Slice { get; }

    /// <summary>Members and scores of ranks <c>@start</c> … <c>@stop</c>, either counted from the end when negative.</summary>
    public string RangeFromEnd { get; }

    /// <summary>Rewrites the scores as 0, 1, 2, … in rank order (no lock; inside an edit that holds it).</summary>
    public string Renormalize { get; }

    /// <summary>Lock, renormalize, then the count.</summary>
    public string RenormalizeLocked { get; }

    /// <summary>Lock, the listed members already present, then count and last score.</summary>
    public string AppendCheck { get; }

    /// <summary>Inserts <c>@members</c> scored <c>@base + 1</c>, <c>@base + 2</c>, ….</summary>
    public string AppendInsert { get; }

    /// <summary>Lock, count, whether <c>@member</c> is present, the scores at <c>@offset</c> and after.</summary>
    public string InsertCheck { get; }

    /// <summary>Inserts <c>@member</c> at <c>@score</c> and shifts bookmarks at or after <c>@position</c> up by one.</summary>
    public string InsertWrite { get; }

    /// <summary>Lock, count, then rank and member of each of <c>@indices</c>.</summary>
    public string DeleteCheck { get; }

    /// <summary>Deletes <c>@members</c>, drops bookmarks on <c>@indices</c>, shifts the later ones down.</summary>
    public string DeleteWrite { get; }

    /// <summary>Lock, count, three ranks from <c>@offset</c>, whether <c>@member</c> is present.</summary>
    public string ReplaceCheck { get; }

    /// <summary>Replaces <c>@old</c> by <c>@member</c> at <c>@score</c> and drops the bookmark on <c>@index</c>.</summary>
    public string ReplaceWrite { get; }

    /// <summary>Drops the bookmark on <c>@index</c>.</summary>
    public string BookmarkDrop { get; }

    /// <summary>Lock, then deletes every frame.</summary>
    public string ClearFrames { get; }

    /// <summary>Lock, deletes every frame, inserts <c>@members</c> scored from <c>@base + 1</c>.</summary>
    public string ReplaceAll { get; }

    /// <summary>The JSON of one frame selection group.</summary>
    public string SelectionGet { get; }

    /// <summary>Upserts one frame selection group.</summary>
    public string SelectionSet { get; }

    /// <summary>Every bookmark by frame.</summary>
    public string BookmarksAll { get; }

    /// <summary>The label on <c>@frame</c>.</summary>
    public string BookmarkGet { get; }

    /// <summary>Lock, upsert of <c>@frame</c> when it is below the frame count (returns the frame), then the count.</summary>
    public string BookmarkSet { get; }

    /// <summary>Lock, deletes the bookmark on <c>@frame</c> (returns the frame when there was one).</summary>
    public string BookmarkDelete { get; }

    /// <summary>Deletes every bookmark.</summary>
    public string BookmarkClear { get; }

    /// <summary>The trajectory of a room, for errors.</summary>
    public static string Key(string roomId) => "room_frames:" + roomId;

    /// <summary>The bookmarks of a room, for errors.</summary>
    public static string BookmarkKey(string roomId) => "room_bookmarks:" + roomId;

    /// <summary>A frame selection group, for errors.</summary>
    public static string SelectionKey(string roomId, string group) => $"room_frame_selections:{roomId}:{group}";

    /// <summary>
    /// Executes a command that starts with the room lock and returns the reader at the first result after it (the lock
    /// is a row-returning statement where the dialect has one, see <see cref="SqlDialect.LockRoom"/>).
    /// </summary>
    public async ValueTask<DbDataReader> QueryAfterLockAsync(SqlCall call, DbCommand command)
    {
        DbDataReader reader = await call.QueryAsync(command).ConfigureAwait(false);
        if (_lockReturnsResult)
        {
            await reader.NextResultAsync(call.CancellationToken).ConfigureAwait(false);
        }

        return reader;
    }

    /// <summary>Renormalizes in the caller's transaction (which holds the lock).</summary>
    public async ValueTask RenormalizeAsync(SqlCall call, string roomId)
    {
        await using DbCommand command = call.Command(Renormalize);
        SqlCall.Add(command, "@room", roomId);
        await call.ExecuteAsync(command).ConfigureAwait(false);
    }

    /// <summary>A list of texts as one parameter value.</summary>
    public object TextList(string[] values) => _dialect.TextList(values);

    /// <summary>A list of integers as one parameter value.</summary>
    public object IntList(int[] values) => _dialect.IntList(values);

    /// <summary>The member text <c>"{sourceRoom}:{physicalIndex}"</c>.</summary>
    /// <exception cref="ArgumentException">The source room is empty or contains <c>:</c>, or the index is negative.</exception>
    public static string FormatMember(FrameIndex frame) => FrameArguments.FormatMember(frame);

    /// <summary>The members of <paramref name="frames"/>, each once, checked in list order (the first bad frame or repeat is reported).</summary>
    /// <exception cref="ArgumentException">A frame is invalid or listed twice.</exception>
    public static string[] FormatDistinct(IReadOnlyList<FrameIndex> frames, string paramName)
    {
        var members = new string[frames.Count];
        HashSet<string>? seen = members.Length > 8 ? new HashSet<string>(members.Length, StringComparer.Ordinal) : null;
        for (int i = 0; i < members.Length; i++)
        {
            string member = FormatMember(frames[i]);
            bool repeated;
            if (seen is not null)
            {
                repeated = !seen.Add(member);
            }
            else
            {
                repeated = Array.IndexOf(members, member, 0, i) >= 0;
            }

            if (repeated)
            {
                throw new ArgumentException($"Frame '{frames[i]}' is listed twice; a trajectory holds each frame once.", paramName);
            }

            members[i] = member;
        }

        return members;
    }

    /// <summary>
    /// Parses a stored member, splitting at the last <c>:</c>; a member without <c>:</c> is a legacy bare index of
    /// <paramref name="roomId"/>.
    /// </summary>
    /// <exception cref="StorageDataException">The index part is not a non-negative decimal int, or the room part is empty.</exception>
    public static FrameIndex ParseMember(string roomId, string member)
    {
        int colon = member.LastIndexOf(':');
        ReadOnlySpan<char> room = colon < 0 ? roomId : member.AsSpan(0, colon);
        ReadOnlySpan<char> index = colon < 0 ? member : member.AsSpan(colon + 1);
        if (member.Length == 0 || room.IsEmpty
            || !int.TryParse(index, NumberStyles.None, CultureInfo.InvariantCulture, out int physical))
        {
            throw new StorageDataException(Key(roomId), "member", $"bad trajectory member '{member}'; expected \"{{room}}:{{index}}\".");
        }

        // The room's own frames reuse the room id string.
        return new FrameIndex(room.SequenceEqual(roomId) ? roomId : room.ToString(), physical);
    }

    /// <summary>Whether a stored member is a frame of another room (ZnDraw's template check: the text before the last <c>:</c>).</summary>
    public static bool IsTemplate(string member, string roomId)
    {
        int colon = member.LastIndexOf(':');
        return colon >= 0 && !member.AsSpan(0, colon).SequenceEqual(roomId);
    }

    /// <summary>The error of a frame that is already in the trajectory.</summary>
    public static InvalidOperationException Duplicate(string member, string roomId) =>
        new($"Frame '{member}' is already in the trajectory of room '{roomId}'; a trajectory holds each frame once. Nothing was changed.");

    /// <summary>The error of an index or position outside the trajectory.</summary>
    public static ArgumentOutOfRangeException OutOfRange(string paramName, int value, long count, string expected) =>
        new(paramName, value, $"The trajectory has {count} frame(s); expected {expected}. Nothing was changed.");

    /// <summary>Python <c>json.dumps(list)</c> of the indices: <c>[0, 1]</c>, <c>[]</c>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An index is negative.</exception>
    public static string FormatIndices(ImmutableArray<int> indices) =>
        StoredJson.FormatIndexArrayText(indices.IsDefault ? [] : indices.AsSpan());

    /// <summary>Reads a JSON array of non-negative ints (a frame selection).</summary>
    /// <exception cref="StorageDataException">Broken JSON, not an array, or an element that is not a non-negative int.</exception>
    public static ImmutableArray<int> ParseIndices(string json, string roomId, string group) =>
        ImmutableCollectionsMarshal.AsImmutableArray(StoredJson.ParseIndexArray(new SelectionRow(roomId, group), json));

    /// <summary>A frame selection's row, for the neutral reader's errors (the key becomes text only when one is thrown).</summary>
    private readonly struct SelectionRow(string roomId, string group) : IStoredValueLocation
    {
        public StorageDataException Unreadable(string message, Exception? innerException = null) =>
            new(SelectionKey(roomId, group), "frames", message, innerException);
    }

    private string In(string parameter) => _dialect.InList(parameter);
}
