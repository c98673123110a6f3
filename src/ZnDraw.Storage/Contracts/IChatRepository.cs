using ZnDraw.Storage.Models;

namespace ZnDraw.Storage.Contracts;

/// <summary>Posts, edits and pages through a room's chat.</summary>
/// <remarks>
/// <para>
/// Messages are stored as ZnDraw stores them: JSON byte-identical to Python's <c>json.dumps</c>, under the id
/// <c>msg_{room}_{n}</c>, ordered by creation time (epoch milliseconds). Every write is one atomic step. The room itself
/// is not checked, as in ZnDraw.
/// </para>
/// <para>
/// The token is checked before anything is sent and then bounds the wait; a backend may still complete the call. Invalid
/// arguments throw before anything is stored; an unreadable message throws <see cref="StorageDataException"/>.
/// </para>
/// <para>
/// Redis backend: the keys <c>room:{room}:chat:counter</c>, <c>:chat:data</c> (hash: id → JSON) and <c>:chat:index</c>
/// (sorted set scored by creation time). Every call is one round trip; every write is one Lua script (all keys in one
/// room, so one slot under the cluster-safe layout). StackExchange.Redis takes no cancellation tokens, so a command may
/// still run on the server after the caller stopped waiting. A key of the wrong Redis type (WRONGTYPE) throws
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
    /// <param name="cancellationToken">Checked before anything is sent, then bounds the wait; a backend may still complete the call.</param>
    /// <returns>The stored message.</returns>
    /// <exception cref="ArgumentException"><paramref name="content"/> is empty or an id is invalid.</exception>
    /// <remarks>
    /// <para>
    /// The message number is taken and the message stored and indexed in one atomic step, so a failure leaves no gap in the numbers (ZnDraw: INCR, then a MULTI). <c>createdAt</c> and <c>updatedAt</c> are the repository clock's now, truncated to milliseconds.
    /// </para>
    /// <para>
    /// Redis backend: one Lua script: <c>INCR chat:counter</c>, <c>HSET chat:data msg_{room}_{n} {json}</c>, <c>ZADD chat:index
    /// {createdAt ms} msg_{room}_{n}</c>. Unlike ZnDraw (INCR, then a MULTI) a failure leaves no gap in the numbers.
    /// <c>createdAt</c> and <c>updatedAt</c> are the repository clock's now, truncated to milliseconds.
    /// </para>
    /// </remarks>
    /// <exception cref="ArgumentException"><paramref name="content"/> is over <see cref="ZnDrawLimitOptions.MaxChatMessageBytes"/> (UTF-8 bytes); nothing is sent.</exception>
    ValueTask<ChatMessage> PostAsync(string roomId, string author, string content, CancellationToken cancellationToken = default);

    /// <summary>Replaces a message's content; only its author may.</summary>
    /// <exception cref="StorageUnavailableException">The storage backend could not be reached or timed out; the call may be retried (see docs/errors.md).</exception>
    /// <param name="roomId">The room.</param>
    /// <param name="messageId">The message id (<c>msg_{room}_{n}</c>).</param>
    /// <param name="author">The user asking to edit; must be the message's author.</param>
    /// <param name="newContent">The new text; must not be empty.</param>
    /// <param name="cancellationToken">Checked before anything is sent, then bounds the wait; a backend may still complete the call.</param>
    /// <returns>The edited message, or why nothing was written.</returns>
    /// <exception cref="ArgumentException"><paramref name="newContent"/> is empty or an id is invalid.</exception>
    /// <remarks>
    /// <para>
    /// The author check and the write are one atomic step (ZnDraw's read-modify-write without WATCH could lose a concurrent edit; this cannot): when the stored <c>author.id</c> is <paramref name="author"/>, the message is written with the new content, <c>updatedAt</c> now and <c>isEdited</c> true. <c>createdAt</c> is kept; <c>id</c>, <c>roomId</c> and <c>author.id</c> are written from <paramref name="messageId"/>, <paramref name="roomId"/> and <paramref name="author"/>. A stored message that is not JSON, or lacks <c>author.id</c> or an integer <c>createdAt</c>, throws <see cref="StorageDataException"/>.
    /// </para>
    /// <para>
    /// Redis backend: one Lua script reads the stored JSON, compares <c>author.id</c> with <paramref name="author"/> and, when they
    /// match, writes the message with the new content, <c>updatedAt</c> now and <c>isEdited</c> true (ZnDraw's
    /// read-modify-write without WATCH could lose a concurrent edit; this cannot). <c>createdAt</c> is kept; <c>id</c>,
    /// <c>roomId</c> and <c>author.id</c> are written from <paramref name="messageId"/>, <paramref name="roomId"/> and
    /// <paramref name="author"/> (the values ZnDraw stores). A stored message that is not JSON, or lacks
    /// <c>author.id</c> or an integer <c>createdAt</c>, throws <see cref="StorageDataException"/>.
    /// </para>
    /// </remarks>
    /// <exception cref="ArgumentException"><paramref name="newContent"/> is over <see cref="ZnDrawLimitOptions.MaxChatMessageBytes"/> (UTF-8 bytes); nothing is sent.</exception>
    ValueTask<ChatEditResult> EditAsync(string roomId, string messageId, string author, string newContent, CancellationToken cancellationToken = default);

    /// <summary>One message, or <see langword="null"/> when there is none with that id.</summary>
    /// <exception cref="StorageUnavailableException">The storage backend could not be reached or timed out; the call may be retried (see docs/errors.md).</exception>
    /// <param name="roomId">The room.</param>
    /// <param name="messageId">The message id (<c>msg_{room}_{n}</c>).</param>
    /// <param name="cancellationToken">Checked before anything is sent, then bounds the wait; a backend may still complete the call.</param>
    /// <returns>The message.</returns>
    /// <remarks><para>Redis backend: one <c>HGET chat:data</c>.</para></remarks>
    ValueTask<ChatMessage?> GetAsync(string roomId, string messageId, CancellationToken cancellationToken = default);

    /// <summary>A page of messages, newest first. In one atomic step.</summary>
    /// <exception cref="StorageUnavailableException">The storage backend could not be reached or timed out; the call may be retried (see docs/errors.md).</exception>
    /// <param name="roomId">The room.</param>
    /// <param name="limit">The most messages to return, 1 to <see cref="ChatPage.MaxLimit"/>.</param>
    /// <param name="before">Only messages created strictly before this time (exclusive, millisecond precision), or <see langword="null"/>.</param>
    /// <param name="after">Only messages created strictly after this time (exclusive, millisecond precision), or <see langword="null"/>.</param>
    /// <param name="cancellationToken">Checked before anything is sent, then bounds the wait; a backend may still complete the call.</param>
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
    /// Redis backend: one Lua script: <c>ZREVRANGEBYSCORE</c> (or <c>ZRANGEBYSCORE</c> for "after") with exclusive bounds and
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
    /// <param name="cancellationToken">Checked before anything is sent, then bounds the wait; a backend may still complete the call.</param>
    /// <returns>The message count.</returns>
    /// <remarks><para>Redis backend: one <c>ZCARD chat:index</c>.</para></remarks>
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
