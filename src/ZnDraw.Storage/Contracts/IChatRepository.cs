using ZnDraw.Storage.Models;

namespace ZnDraw.Storage.Contracts;

/// <summary>Posts, edits and pages through a room's chat: <c>room:{room}:chat:counter</c>, <c>:chat:data</c> and <c>:chat:index</c>.</summary>
/// <remarks>
/// <para>
/// Messages are stored as ZnDraw stores them: JSON byte-identical to Python's <c>json.dumps</c> in the hash
/// <c>chat:data</c> under the id <c>msg_{room}_{n}</c>, indexed by creation time (epoch milliseconds) in the sorted set
/// <c>chat:index</c>. Every call is one round trip; every write is one Lua script (all keys in one room, so one slot
/// under the cluster-safe layout). The room itself is not checked, as in ZnDraw.
/// </para>
/// <para>
/// StackExchange.Redis takes no cancellation tokens: a token is checked before anything is sent and then bounds the
/// wait only, so a command may still run on the server after the caller stopped waiting. Invalid arguments throw
/// before anything is sent; a key of the wrong Redis type or an unreadable message throws
/// <see cref="StorageDataException"/>.
/// </para>
/// </remarks>
public interface IChatRepository
{
    /// <summary>Posts a message and returns it with its new id and times.</summary>
    /// <exception cref="StorageUnavailableException">The storage backend could not be reached or timed out; the call may be retried (see docs/errors.md).</exception>
    /// <param name="roomId">The room.</param>
    /// <param name="author">The author's user name.</param>
    /// <param name="content">The text; must not be empty.</param>
    /// <param name="cancellationToken">Bounds the wait.</param>
    /// <returns>The stored message.</returns>
    /// <exception cref="ArgumentException"><paramref name="content"/> is empty or an id is invalid.</exception>
    /// <remarks>
    /// One Lua script: <c>INCR chat:counter</c>, <c>HSET chat:data msg_{room}_{n} {json}</c>, <c>ZADD chat:index
    /// {createdAt ms} msg_{room}_{n}</c>. Unlike ZnDraw (INCR, then a MULTI) a failure leaves no gap in the numbers.
    /// <c>createdAt</c> and <c>updatedAt</c> are the repository clock's now, truncated to milliseconds.
    /// </remarks>
    /// <exception cref="ArgumentException"><paramref name="content"/> is over <see cref="ZnDrawLimitOptions.MaxChatMessageBytes"/> (UTF-8 bytes); nothing is sent.</exception>
    ValueTask<ChatMessage> PostAsync(string roomId, string author, string content, CancellationToken cancellationToken = default);

    /// <summary>Replaces a message's content; only its author may.</summary>
    /// <exception cref="StorageUnavailableException">The storage backend could not be reached or timed out; the call may be retried (see docs/errors.md).</exception>
    /// <param name="roomId">The room.</param>
    /// <param name="messageId">The message id (<c>msg_{room}_{n}</c>).</param>
    /// <param name="author">The user asking to edit; must be the message's author.</param>
    /// <param name="newContent">The new text; must not be empty.</param>
    /// <param name="cancellationToken">Bounds the wait.</param>
    /// <returns>The edited message, or why nothing was written.</returns>
    /// <exception cref="ArgumentException"><paramref name="newContent"/> is empty or an id is invalid.</exception>
    /// <remarks>
    /// One Lua script reads the stored JSON, compares <c>author.id</c> with <paramref name="author"/> and, when they
    /// match, writes the message with the new content, <c>updatedAt</c> now and <c>isEdited</c> true (ZnDraw's
    /// read-modify-write without WATCH could lose a concurrent edit; this cannot). <c>createdAt</c> is kept; <c>id</c>,
    /// <c>roomId</c> and <c>author.id</c> are written from <paramref name="messageId"/>, <paramref name="roomId"/> and
    /// <paramref name="author"/> (the values ZnDraw stores). A stored message that is not JSON, or lacks
    /// <c>author.id</c> or an integer <c>createdAt</c>, throws <see cref="StorageDataException"/>.
    /// </remarks>
    /// <exception cref="ArgumentException"><paramref name="newContent"/> is over <see cref="ZnDrawLimitOptions.MaxChatMessageBytes"/> (UTF-8 bytes); nothing is sent.</exception>
    ValueTask<ChatEditResult> EditAsync(string roomId, string messageId, string author, string newContent, CancellationToken cancellationToken = default);

    /// <summary>One message, or <see langword="null"/> when there is none with that id.</summary>
    /// <exception cref="StorageUnavailableException">The storage backend could not be reached or timed out; the call may be retried (see docs/errors.md).</exception>
    /// <param name="roomId">The room.</param>
    /// <param name="messageId">The message id (<c>msg_{room}_{n}</c>).</param>
    /// <param name="cancellationToken">Bounds the wait.</param>
    /// <returns>The message.</returns>
    /// <remarks>One <c>HGET chat:data</c>.</remarks>
    ValueTask<ChatMessage?> GetAsync(string roomId, string messageId, CancellationToken cancellationToken = default);

    /// <summary>A page of messages, newest first.</summary>
    /// <exception cref="StorageUnavailableException">The storage backend could not be reached or timed out; the call may be retried (see docs/errors.md).</exception>
    /// <param name="roomId">The room.</param>
    /// <param name="limit">The most messages to return, 1 to <see cref="ChatPage.MaxLimit"/>.</param>
    /// <param name="before">Only messages created strictly before this time (exclusive, millisecond precision), or <see langword="null"/>.</param>
    /// <param name="after">Only messages created strictly after this time (exclusive, millisecond precision), or <see langword="null"/>.</param>
    /// <param name="cancellationToken">Bounds the wait.</param>
    /// <returns>The messages, newest first, and whether more exist beyond the page.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="limit"/> is out of range.</exception>
    /// <remarks>
    /// <para>
    /// Without <paramref name="after"/> the page holds the newest <paramref name="limit"/> messages (before
    /// <paramref name="before"/>, if given) and <see cref="ChatPage.HasMore"/> says whether older ones exist in the
    /// range. With only <paramref name="after"/> it holds the <paramref name="limit"/> messages right after that time,
    /// returned newest first, and <see cref="ChatPage.HasMore"/> says whether newer ones exist. Messages sharing one
    /// millisecond with a bound are all excluded by it.
    /// </para>
    /// <para>
    /// One Lua script: <c>ZREVRANGEBYSCORE</c> (or <c>ZRANGEBYSCORE</c> for "after") with exclusive bounds and
    /// <c>LIMIT 0 limit+1</c>, then <c>HMGET chat:data</c> of those ids. Index entries without data are skipped.
    /// </para>
    /// <para>
    /// A page never fails because of one message and never alters one: a message that cannot be read (for which
    /// <see cref="GetAsync"/> throws <see cref="StorageDataException"/>) is left out of the page and reported: one
    /// warning naming the key and field, and one count on
    /// <see cref="Diagnostics.ZnDrawStorageDiagnostics.UnreadableInstrument"/> tagged <c>aggregate=chat_message</c>.
    /// The page then holds fewer than <paramref name="limit"/> messages.
    /// </para>
    /// </remarks>
    ValueTask<ChatPage> GetPageAsync(string roomId, int limit, DateTimeOffset? before = null, DateTimeOffset? after = null, CancellationToken cancellationToken = default);

    /// <summary>The number of messages in the room.</summary>
    /// <exception cref="StorageUnavailableException">The storage backend could not be reached or timed out; the call may be retried (see docs/errors.md).</exception>
    /// <param name="roomId">The room.</param>
    /// <param name="cancellationToken">Bounds the wait.</param>
    /// <returns>The message count.</returns>
    /// <remarks>One <c>ZCARD chat:index</c>.</remarks>
    ValueTask<long> CountAsync(string roomId, CancellationToken cancellationToken = default);
}

/// <summary>Why <see cref="IChatRepository.EditAsync"/> did or did not write.</summary>
public enum ChatEditStatus
{
    /// <summary>The message was edited.</summary>
    Edited = 0,

    /// <summary>There is no message with that id in the room.</summary>
    NotFound = 1,

    /// <summary>The message belongs to another author; nothing was written.</summary>
    NotAuthor = 2,
}

/// <summary>The outcome of <see cref="IChatRepository.EditAsync"/>.</summary>
/// <param name="Status">What happened.</param>
/// <param name="Message">The edited message when <paramref name="Status"/> is <see cref="ChatEditStatus.Edited"/>, otherwise <see langword="null"/>.</param>
public sealed record ChatEditResult(ChatEditStatus Status, ChatMessage? Message);

/// <summary>A page of chat messages, newest first.</summary>
/// <param name="Messages">The messages, newest first.</param>
/// <param name="HasMore">Whether more messages exist beyond this page in the paging direction.</param>
public sealed record ChatPage(IReadOnlyList<ChatMessage> Messages, bool HasMore)
{
    /// <summary>The largest page <see cref="IChatRepository.GetPageAsync"/> returns.</summary>
    public const int MaxLimit = 1000;
}
