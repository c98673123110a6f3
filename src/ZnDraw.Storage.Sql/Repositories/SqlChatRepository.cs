using System.Data.Common;
using System.Globalization;
using Microsoft.Extensions.Logging;
using ZnDraw.Storage.Contracts;
using ZnDraw.Storage.Diagnostics;
using ZnDraw.Storage.Models;

namespace ZnDraw.Storage.Sql.Repositories;

/// <summary>The SQL implementation of <see cref="IChatRepository"/>: the tables <c>room_chat_messages</c> and <c>room_chat_counters</c>.</summary>
/// <remarks>
/// As on Redis, the room itself is neither checked nor created. Times are truncated to milliseconds; pages are ordered
/// by (creation time, id), as the Redis index orders equal scores by member.
/// </remarks>
internal sealed class SqlChatRepository : IChatRepository, IDbSystemNamed
{
    private const string Table = "room_chat_messages";

    // One command, two statements (one round trip): take the room's next number (the upsert is Redis's INCR: it starts
    // at 1 and locks the counter row until commit, so concurrent posts queue), then store the message under the number
    // the first statement wrote.
    private const string PostSql = """
        INSERT INTO room_chat_counters (room_id, last_number) VALUES (@room, 1)
        ON CONFLICT (room_id) DO UPDATE SET last_number = room_chat_counters.last_number + 1;
        INSERT INTO room_chat_messages (room_id, number, id, author, content, created_at, updated_at, is_edited)
        SELECT room_id, last_number, @prefix || last_number, @author, @content, @now, @now, FALSE FROM room_chat_counters WHERE room_id = @room
        RETURNING number
        """;

    private const string EditSql = """
        UPDATE room_chat_messages SET content = @content, updated_at = @now, is_edited = TRUE
        WHERE room_id = @room AND id = @id AND author = @author
        RETURNING created_at
        """;

    private const string AuthorSql = "SELECT author FROM room_chat_messages WHERE room_id = @room AND id = @id";

    private const string GetSql = """
        SELECT author, content, created_at, updated_at, is_edited FROM room_chat_messages WHERE room_id = @room AND id = @id
        """;

    private const string CountSql = "SELECT COUNT(*) FROM room_chat_messages WHERE room_id = @room";

    private readonly SqlStoreContext _context;

    /// <inheritdoc />
    public string DbSystemName => _context.Dialect.DbSystemName;

    // Newest first, optionally bounded on either side (Redis: ZREVRANGEBYSCORE); index: bounds as flags (1 before, 2 after).
    private readonly string[] _reversePages;

    // Oldest first after a time (Redis: ZRANGEBYSCORE), reversed after reading.
    private readonly string _forwardPage;

    public SqlChatRepository(SqlStoreContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        _context = context;
        string ordinal = context.Dialect.Ordinal;
        const string Select = "SELECT id, author, content, created_at, updated_at, is_edited FROM room_chat_messages WHERE room_id = @room";
        string reverse = $" ORDER BY created_at DESC, id{ordinal} DESC LIMIT @limit";
        _reversePages =
        [
            Select + reverse,
            Select + " AND created_at < @before" + reverse,
            Select + " AND created_at > @after" + reverse,
            Select + " AND created_at < @before AND created_at > @after" + reverse,
        ];
        _forwardPage = Select + $" AND created_at > @after ORDER BY created_at, id{ordinal} LIMIT @limit";
    }

    /// <inheritdoc/>
    public ValueTask<ChatMessage> PostAsync(string roomId, string author, string content, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        KeyValidation.ValidateRoomId(roomId);
        KeyValidation.ValidateUserName(author, _context.Layout);
        ArgumentException.ThrowIfNullOrEmpty(content);
        SizeLimits.CheckText(content, _context.Limits.MaxChatMessageBytes, "chat message", nameof(content));

        DateTime now = NowToMillisecond();
        return _context.WriteAsync(
            "IChatRepository.PostAsync",
            RoomKey(roomId),
            (roomId, author, content, now),
            static async (call, s) =>
            {
                await using DbCommand command = call.Command(PostSql);
                SqlCall.Add(command, "@room", s.roomId);
                SqlCall.Add(command, "@prefix", MessagePrefix(s.roomId));
                SqlCall.Add(command, "@author", s.author);
                SqlCall.Add(command, "@content", s.content);
                SqlCall.Add(command, "@now", s.now);
                long n = Convert.ToInt64(await call.ScalarAsync(command).ConfigureAwait(false), CultureInfo.InvariantCulture);
                var at = new DateTimeOffset(s.now);
                return new ChatMessage(ChatMessage.MessageId(s.roomId, n), s.roomId, s.author, s.content, at, at);
            },
            recordWhen: null,
            cancellationToken);
    }

    /// <inheritdoc/>
    public ValueTask<ChatEditResult> EditAsync(string roomId, string messageId, string author, string newContent, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        KeyValidation.ValidateRoomId(roomId);
        KeyValidation.ValidateSegment(messageId);
        KeyValidation.ValidateUserName(author, _context.Layout);
        ArgumentException.ThrowIfNullOrEmpty(newContent);
        SizeLimits.CheckText(newContent, _context.Limits.MaxChatMessageBytes, "chat message", nameof(newContent));

        DateTime now = NowToMillisecond();
        return _context.WriteAsync(
            "IChatRepository.EditAsync",
            MessageKey(roomId, messageId),
            (roomId, messageId, author, newContent, now),
            static async (call, s) =>
            {
                DateTime? created = null;
                await using (DbCommand command = call.Command(EditSql))
                {
                    SqlCall.Add(command, "@content", s.newContent);
                    SqlCall.Add(command, "@now", s.now);
                    SqlCall.Add(command, "@room", s.roomId);
                    SqlCall.Add(command, "@id", s.messageId);
                    SqlCall.Add(command, "@author", s.author);
                    await using DbDataReader reader = await call.QueryAsync(command).ConfigureAwait(false);
                    if (await reader.ReadAsync(call.CancellationToken).ConfigureAwait(false))
                    {
                        created = ReadTime(reader, 0, s.roomId, s.messageId, "created_at");
                    }
                }

                if (created is { } createdAt)
                {
                    var message = new ChatMessage(s.messageId, s.roomId, s.author, s.newContent, new DateTimeOffset(createdAt), new DateTimeOffset(s.now), IsEdited: true);
                    return new ChatEditResult(ChatEditStatus.Edited, message);
                }

                // Nothing written: tell a missing message from another author's (only on this path: a second statement).
                await using DbCommand probe = call.Command(AuthorSql);
                SqlCall.Add(probe, "@room", s.roomId);
                SqlCall.Add(probe, "@id", s.messageId);
                object? stored = await call.ScalarAsync(probe).ConfigureAwait(false);
                return stored is string owner && !string.Equals(owner, s.author, StringComparison.Ordinal)
                    ? new ChatEditResult(ChatEditStatus.NotAuthor, null)
                    : new ChatEditResult(ChatEditStatus.NotFound, null);
            },
            recordWhen: null,
            cancellationToken);
    }

    /// <inheritdoc/>
    public ValueTask<ChatMessage?> GetAsync(string roomId, string messageId, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        KeyValidation.ValidateRoomId(roomId);
        KeyValidation.ValidateSegment(messageId);
        return _context.ReadAsync(
            "IChatRepository.GetAsync",
            MessageKey(roomId, messageId),
            (roomId, messageId),
            static async (call, s) =>
            {
                await using DbCommand command = call.Command(GetSql);
                SqlCall.Add(command, "@room", s.roomId);
                SqlCall.Add(command, "@id", s.messageId);
                await using DbDataReader reader = await call.QueryAsync(command).ConfigureAwait(false);
                return await reader.ReadAsync(call.CancellationToken).ConfigureAwait(false)
                    ? ReadMessage(reader, s.roomId, s.messageId, first: 0)
                    : null;
            },
            cancellationToken);
    }

    /// <inheritdoc/>
    public ValueTask<ChatPage> GetPageAsync(string roomId, int limit, DateTimeOffset? before = null, DateTimeOffset? after = null, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        KeyValidation.ValidateRoomId(roomId);
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(limit, ChatPage.MaxLimit);

        // As Redis: the bounds are exclusive at millisecond precision; only "after" alone pages forward.
        bool forward = after is not null && before is null;
        string sql = forward ? _forwardPage : _reversePages[(before is null ? 0 : 1) | (after is null ? 0 : 2)];
        DateTime? beforeTime = before is { } b ? ToMillisecond(b) : null;
        DateTime? afterTime = after is { } a ? ToMillisecond(a) : null;
        return _context.ReadAsync(
            "IChatRepository.GetPageAsync",
            RoomKey(roomId),
            (roomId, limit, forward, sql, beforeTime, afterTime, _context.Logger),
            static async (call, s) =>
            {
                await using DbCommand command = call.Command(s.sql);
                SqlCall.Add(command, "@room", s.roomId);
                SqlCall.Add(command, "@limit", s.limit + 1);
                if (s.beforeTime is { } before)
                {
                    SqlCall.Add(command, "@before", before);
                }

                if (s.afterTime is { } after)
                {
                    SqlCall.Add(command, "@after", after);
                }

                var messages = new List<ChatMessage>(Math.Min(s.limit, 64));
                int rows = 0;
                await using DbDataReader reader = await call.QueryAsync(command).ConfigureAwait(false);
                while (await reader.ReadAsync(call.CancellationToken).ConfigureAwait(false))
                {
                    if (++rows > s.limit)
                    {
                        break;
                    }

                    try
                    {
                        string id = reader.GetString(0);
                        messages.Add(ReadMessage(reader, s.roomId, id, first: 1));
                    }
                    catch (StorageDataException ex)
                    {
                        UnreadableEntries.Report(s.Logger, UnreadableEntries.ChatMessage, ex);
                    }
                }

                if (s.forward)
                {
                    messages.Reverse();
                }

                return new ChatPage(messages, rows > s.limit);
            },
            cancellationToken);
    }

    /// <inheritdoc/>
    public ValueTask<long> CountAsync(string roomId, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        KeyValidation.ValidateRoomId(roomId);
        return _context.ReadAsync(
            "IChatRepository.CountAsync",
            RoomKey(roomId),
            roomId,
            static async (call, roomId) =>
            {
                await using DbCommand command = call.Command(CountSql);
                SqlCall.Add(command, "@room", roomId);
                return Convert.ToInt64(await call.ScalarAsync(command).ConfigureAwait(false), CultureInfo.InvariantCulture);
            },
            cancellationToken);
    }

    /// <summary>Reads author, content, created_at, updated_at and is_edited from column <paramref name="first"/> on.</summary>
    /// <exception cref="StorageDataException">A column does not hold its type (SQLite keeps any value in any column).</exception>
    private static ChatMessage ReadMessage(DbDataReader reader, string roomId, string id, int first)
    {
        string column = "author";
        try
        {
            string author = reader.GetString(first);
            column = "content";
            string content = reader.GetString(first + 1);
            column = "created_at";
            DateTime created = SqlCall.GetUtc(reader, first + 2);
            column = "updated_at";
            DateTime updated = SqlCall.GetUtc(reader, first + 3);
            column = "is_edited";
            bool edited = SqlCall.GetBool(reader, first + 4);
            return new ChatMessage(id, roomId, author, content, new DateTimeOffset(created), new DateTimeOffset(updated), edited);
        }
        catch (Exception ex) when (IsUnreadable(ex))
        {
            throw Unreadable(roomId, id, column, ex);
        }
    }

    private static DateTime ReadTime(DbDataReader reader, int ordinal, string roomId, string id, string column)
    {
        try
        {
            return SqlCall.GetUtc(reader, ordinal);
        }
        catch (Exception ex) when (IsUnreadable(ex))
        {
            throw Unreadable(roomId, id, column, ex);
        }
    }

    private static bool IsUnreadable(Exception ex) =>
        ex is FormatException or InvalidCastException or OverflowException or ArgumentOutOfRangeException;

    private static StorageDataException Unreadable(string roomId, string id, string column, Exception ex) =>
        new(MessageKey(roomId, id), column, $"unreadable chat message column: {ex.Message}", ex);

    /// <summary><c>msg_{room}_</c>: the id without its number.</summary>
    private static string MessagePrefix(string roomId) => string.Concat("msg_", roomId, "_");

    /// <summary>The room, as errors name it (<c>rooms:{room}</c>).</summary>
    private static string RoomKey(string roomId) => "rooms:" + roomId;

    /// <summary>A message, as errors name it: the table and the row's key.</summary>
    private static string MessageKey(string roomId, string id) =>
        string.Create(CultureInfo.InvariantCulture, $"{Table}(room_id='{roomId}', id='{id}')");

    private static DateTime ToMillisecond(DateTimeOffset time) =>
        DateTimeOffset.FromUnixTimeMilliseconds(time.ToUnixTimeMilliseconds()).UtcDateTime;

    private DateTime NowToMillisecond() => ToMillisecond(_context.Time.GetUtcNow());
}
