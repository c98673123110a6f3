using ZnDraw.Storage.Models;

namespace ZnDraw.Storage.Contracts;

/// <summary>Reads and writes Socket.IO sessions: the sid's user name and role (guest, user or admin).</summary>
/// <remarks>
/// <para>
/// The id is the sid. A session exists from its save until its delete. Every call is one atomic step.
/// <see cref="IRepository{T, TId}.GetByIdAsync"/> returns <see langword="null"/> when the session does not exist;
/// <see cref="SessionInfo.Role"/> is <see langword="null"/> when no role was stored, as for servers before 2025-11-04.
/// <see cref="IRepository{T, TId}.SaveAsync"/> writes the user name and the role (or removes the role when it is
/// <see langword="null"/>). <see cref="IRepository{T, TId}.DeleteAsync"/> removes the session and its role and returns
/// whether the session existed.
/// </para>
/// <para>
/// ZnDraw writes the user's <c>currentSid</c> separately; use <see cref="IUserRepository.SetCurrentSidAsync"/> for it.
/// </para>
/// <para>
/// The token is checked before anything is sent and then bounds the wait; a backend may still complete the call. Invalid
/// sids and user names throw <see cref="ArgumentException"/> before anything is stored; an unknown stored role throws
/// <see cref="StorageDataException"/>.
/// </para>
/// <para>
/// Redis backend: the keys <c>sid:{sid}</c> (the user name) and <c>sid:{sid}:role</c>; a session exists when
/// <c>sid:{sid}</c> exists. Under <see cref="KeyLayout.ClusterSafe"/> both keys share the sid's slot, so every call is one
/// atomic step in both layouts. <see cref="IRepository{T, TId}.GetByIdAsync"/>: <c>GET sid:{sid}</c> and
/// <c>GET sid:{sid}:role</c> in one batch. <see cref="IRepository{T, TId}.SaveAsync"/>: one MULTI/EXEC with
/// <c>SET sid:{sid}</c> and <c>SET sid:{sid}:role</c>, or <c>DEL sid:{sid}:role</c> when the role is
/// <see langword="null"/>. <see cref="IRepository{T, TId}.DeleteAsync"/>: one Lua script deleting both keys (ZnDraw never
/// deletes the role key, which leaks one key per connection; here it goes with the session).
/// <see cref="IRepository{T, TId}.ExistsAsync"/>: one <c>EXISTS sid:{sid}</c>. The user hash's <c>currentSid</c> is in
/// another slot under the cluster-safe layout. StackExchange.Redis takes no cancellation tokens, so a command may still
/// run on the server after the caller stopped waiting. A key of the wrong Redis type (WRONGTYPE) throws
/// <see cref="StorageDataException"/> naming the key.
/// </para>
/// </remarks>
public interface ISessionRepository : IRepository<SessionInfo>
{
}
