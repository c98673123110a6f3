using ZnDraw.Storage.Models;

namespace ZnDraw.Storage.Contracts;

/// <summary>Reads and writes Socket.IO sessions: <c>sid:{sid}</c> (the user name) and <c>sid:{sid}:role</c> (guest, user or admin).</summary>
/// <remarks>
/// <para>
/// The id is the sid. A session exists when <c>sid:{sid}</c> exists. Under <see cref="KeyLayout.ClusterSafe"/> both keys
/// share the sid's slot, so every call is one atomic step in both layouts.
/// </para>
/// <para>
/// <see cref="IRepository{T, TId}.GetByIdAsync"/>: <c>GET sid:{sid}</c> and <c>GET sid:{sid}:role</c> in one batch
/// (<see langword="null"/> when <c>sid:{sid}</c> is absent; <see cref="SessionInfo.Role"/> is <see langword="null"/> when
/// the role key is absent, as for servers before 2025-11-04). <see cref="IRepository{T, TId}.SaveAsync"/>: one MULTI/EXEC with
/// <c>SET sid:{sid}</c> and <c>SET sid:{sid}:role</c>, or <c>DEL sid:{sid}:role</c> when the role is
/// <see langword="null"/>. <see cref="IRepository{T, TId}.DeleteAsync"/>: one Lua script deleting both keys (ZnDraw never
/// deletes the role key, which leaks one key per connection; here it goes with the session) and returns whether
/// <c>sid:{sid}</c> existed. <see cref="IRepository{T, TId}.ExistsAsync"/>: one <c>EXISTS sid:{sid}</c>.
/// </para>
/// <para>
/// ZnDraw writes the user hash's <c>currentSid</c> separately; use <see cref="IUserRepository.SetCurrentSidAsync"/> for
/// it (the two keys are in different slots under the cluster-safe layout).
/// </para>
/// <para>
/// StackExchange.Redis takes no cancellation tokens: a token is checked before anything is sent and then bounds the
/// wait only, so a command may still run on the server after the caller stopped waiting. Invalid sids and user names
/// throw <see cref="ArgumentException"/> before anything is sent; a key of the wrong Redis type or an unknown role
/// throws <see cref="StorageDataException"/> naming the key.
/// </para>
/// </remarks>
public interface ISessionRepository : IRepository<SessionInfo>
{
}
