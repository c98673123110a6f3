using System.Globalization;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;
using ZnDraw.Storage.Contracts;
using ZnDraw.Storage.Diagnostics;
using ZnDraw.Storage.Models;
using ZnDraw.Storage.Redis.Keys;
using ZnDraw.Storage.Redis.Mapping;
using ZnDraw.Storage.Redis.Scripts;

namespace ZnDraw.Storage.Redis.Repositories;

/// <summary>The Redis implementation of <see cref="IChatRepository"/>.</summary>
internal sealed class ChatRepository(RedisStoreContext context) : IChatRepository
{
    // The JSON written by ChatMapping starts {"id": "<id>", "roomId": ... ; the id's number is spliced in by the
    // scripts. An encoded JSON string never contains an unescaped quote, so the first '", "roomId": ' ends the id.
    private static ReadOnlySpan<byte> AfterId => "\", \"roomId\": "u8;

    // After the content only createdAt, updatedAt and isEdited follow, so the last occurrence is the member.
    private static ReadOnlySpan<byte> CreatedAtZero => "\"createdAt\": 0, "u8;

    private static readonly RedisValue Reverse = "rev";
    private static readonly RedisValue Forward = "fwd";
    private static readonly RedisValue PlusInfinity = "+inf";
    private static readonly RedisValue MinusInfinity = "-inf";

    /// <inheritdoc/>
    public ValueTask<ChatMessage> PostAsync(string roomId, string author, string content, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        RoomKeys keys = context.Keys.Room(roomId);
        KeyValidation.ValidateUserName(author, context.Keys.Layout);
        ArgumentException.ThrowIfNullOrEmpty(content);
        SizeLimits.CheckText(content, context.Limits.MaxChatMessageBytes, "chat message", nameof(content));

        DateTimeOffset now = NowToMillisecond();
        string idPrefix = ChatMessage.MessageId(roomId, 0)[..^1];
        (RedisValue head, RedisValue tail) = ChatMapping.FormatSplit(new ChatMessage(idPrefix, roomId, author, content, now, now), AfterId, last: false, offset: 0, drop: 0);
        RedisValue[] args = [idPrefix, head, tail, now.ToUnixTimeMilliseconds()];
        RedisKey counter = keys.ChatCounter();
        return ChatScripts.Post.EvaluateAsync(
            context.Database,
            [counter, keys.ChatData(), keys.ChatIndex()],
            args,
            (counter, roomId, author, content, now),
            static (result, s) => result.Resp2Type == ResultType.BulkString
                ? throw new StorageDataException(s.counter.ToString(), null, "the chat counter is not an integer.")
                : new ChatMessage(ChatMessage.MessageId(s.roomId, (long)result), s.roomId, s.author, s.content, s.now, s.now),
            cancellationToken);
    }

    /// <inheritdoc/>
    public ValueTask<ChatEditResult> EditAsync(string roomId, string messageId, string author, string newContent, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        RedisKey data = context.Keys.Room(roomId).ChatData();
        KeyValidation.ValidateSegment(messageId);
        KeyValidation.ValidateUserName(author, context.Keys.Layout);
        ArgumentException.ThrowIfNullOrEmpty(newContent);
        SizeLimits.CheckText(newContent, context.Limits.MaxChatMessageBytes, "chat message", nameof(newContent));

        DateTimeOffset now = NowToMillisecond();
        // Cut out the '0' of "createdAt": 0 (the script puts the stored createdAt there).
        (RedisValue head, RedisValue tail) = ChatMapping.FormatSplit(
            new ChatMessage(messageId, roomId, author, newContent, DateTimeOffset.UnixEpoch, now, IsEdited: true),
            CreatedAtZero,
            last: true,
            offset: CreatedAtZero.Length - 3,
            drop: 1);
        RedisValue[] args = [messageId, author, head, tail];
        return ChatScripts.Edit.EvaluateAsync(
            context.Database,
            [data],
            args,
            (data, roomId, messageId, author, newContent, now),
            static (result, s) =>
            {
                RedisResult[] reply = (RedisResult[])result!;
                switch ((int)reply[0])
                {
                    case 0:
                        return new ChatEditResult(ChatEditStatus.NotFound, null);
                    case -1:
                        return new ChatEditResult(ChatEditStatus.NotAuthor, null);
                    case 1:
                        long created = long.Parse((string)reply[1]!, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
                        var message = new ChatMessage(s.messageId, s.roomId, s.author, s.newContent, DateTimeOffset.FromUnixTimeMilliseconds(created), s.now, IsEdited: true);
                        return new ChatEditResult(ChatEditStatus.Edited, message);
                    default:
                        throw new StorageDataException(s.data.ToString(), s.messageId, (string?)reply[1] ?? "unreadable chat message.");
                }
            },
            cancellationToken);
    }

    /// <inheritdoc/>
    public ValueTask<ChatMessage?> GetAsync(string roomId, string messageId, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        RedisKey data = context.Keys.Room(roomId).ChatData();
        KeyValidation.ValidateSegment(messageId);
        return RedisReply.Map(
            context.Database.HashGetAsync(data, messageId), (data, messageId), static (value, s) => ChatMapping.Parse(s.data.ToString(), s.messageId, value), data, cancellationToken);
    }

    /// <inheritdoc/>
    public ValueTask<ChatPage> GetPageAsync(string roomId, int limit, DateTimeOffset? before = null, DateTimeOffset? after = null, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        RoomKeys keys = context.Keys.Room(roomId);
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(limit, ChatPage.MaxLimit);

        bool forward = after is not null && before is null;
        RedisValue[] args = forward
            ? [Forward, Exclusive(after!.Value), PlusInfinity, limit + 1]
            : [Reverse, before is { } b ? Exclusive(b) : PlusInfinity, after is { } a ? Exclusive(a) : MinusInfinity, limit + 1];
        RedisKey index = keys.ChatIndex();
        RedisKey data = keys.ChatData();
        return ChatScripts.Page.EvaluateAsync(
            context.Database,
            [index, data],
            args,
            (data, limit, forward, context.Logger),
            static (result, s) => ToPage((RedisResult[])result!, s.data, s.limit, s.forward, s.Logger),
            cancellationToken);
    }

    /// <inheritdoc/>
    public ValueTask<long> CountAsync(string roomId, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        RedisKey index = context.Keys.Room(roomId).ChatIndex();
        return RedisReply.Of(context.Database.SortedSetLengthAsync(index), index, cancellationToken);
    }

    private static ChatPage ToPage(RedisResult[] reply, RedisKey data, int limit, bool forward, ILogger logger)
    {
        RedisValue[] ids = (RedisValue[])reply[0]!;
        RedisValue[] values = ids.Length == 0 ? [] : (RedisValue[])reply[1]!;

        bool hasMore = ids.Length > limit;
        int count = Math.Min(ids.Length, limit);
        string dataKey = data.ToString();
        var messages = new List<ChatMessage>(count);
        for (int i = 0; i < count; i++)
        {
            try
            {
                if (ChatMapping.Parse(dataKey, ids[i].ToString(), values[i]) is { } message)
                {
                    messages.Add(message);
                }
            }
            catch (StorageDataException ex)
            {
                UnreadableEntries.Report(logger, UnreadableEntries.ChatMessage, ex);
            }
        }

        if (forward)
        {
            messages.Reverse();
        }

        return new ChatPage(messages, hasMore);
    }

    private static RedisValue Exclusive(DateTimeOffset time) =>
        "(" + time.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);

    private DateTimeOffset NowToMillisecond() =>
        DateTimeOffset.FromUnixTimeMilliseconds(context.Time.GetUtcNow().ToUnixTimeMilliseconds());
}
