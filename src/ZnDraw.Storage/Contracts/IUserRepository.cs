using ZnDraw.Storage.Models;

namespace ZnDraw.Storage.Contracts;

/// <summary>Creates, reads, changes, renames and deletes users: the user's fields, the admin flag and the user and admin indexes.</summary>
/// <remarks>
/// <para>
/// A user exists once created (or saved) and until deleted or renamed. Users and admins are listed from indexes which every
/// create, save, rename, delete and admin change maintains; users written by an older ZnDraw server are added by the reindex
/// operation. Every write is one atomic step for the user itself; where a backend must update an index in a second,
/// idempotent step (the Redis backend's cluster-safe layout, below), a crash in between leaves a user missing from (or a
/// name lingering in) an index; the next call of the same operation (create and save add the name also when nothing else
/// changed, delete removes it also when the user is gone) or the reindex operation repairs it.
/// </para>
/// <para>
/// Field updates (<see cref="SetPasswordAsync"/>, <see cref="SetCurrentRoomAsync"/>, ...) change an existing user
/// only: they return <see langword="false"/> and write nothing when the user does not exist, so no half user without
/// <c>userName</c> and <c>createdAt</c> is ever created (ZnDraw's plain <c>HSET</c> would create one).
/// </para>
/// <para>
/// The <see cref="IRepository{T, TId}"/> members: <see cref="IRepository{T, TId}.SaveAsync"/> replaces the fields the
/// model knows and adds the name to the user index, in one atomic step; <c>passwordHash</c>, <c>passwordSalt</c> and fields
/// of later ZnDraw versions are kept. <see cref="IRepository{T, TId}.DeleteAsync"/> removes the user, its admin flag and the
/// name in both indexes in one atomic step (ZnDraw leaves nothing else either); it returns whether the user existed.
/// <see cref="IEnumerableRepository{T, TId}.ListIdsAsync"/> yields the names of <see cref="ListAllAsync"/>.
/// </para>
/// <para>
/// Credentials: <see cref="User"/> carries no password hash or salt. They are written only by
/// <see cref="SetPasswordAsync"/>, <see cref="RegisterPasswordAsync"/> and <see cref="RenameAsync"/>, and read only by
/// <see cref="GetCredentialsAsync"/>.
/// </para>
/// <para>
/// The token is checked before anything is sent and then bounds the wait; a backend may still complete the call. Invalid
/// names throw <see cref="ArgumentException"/> before anything is stored; an unreadable stored value throws
/// <see cref="StorageDataException"/> naming where it is stored, before anything is written.
/// </para>
/// <para>
/// Redis backend: the user is the hash <c>user:{user}</c> (it exists when the hash exists, ZnDraw's
/// <c>username_exists</c>), the admin flag <c>admin:user:{user}</c>, the indexes the sets <c>users:index</c> and
/// <c>admins:index</c>. Under <see cref="KeyLayout.ZnDraw"/> every write is one Lua script that includes the index sets.
/// Under <see cref="KeyLayout.ClusterSafe"/> the index sets live in other cluster slots than the user's keys: the user's
/// keys are written first in one atomic step, then the index sets in a second, idempotent step (<c>SADD</c>/<c>SREM</c>).
/// <see cref="IRepository{T, TId}.GetByIdAsync"/> is one <c>HGETALL</c>. <see cref="IRepository{T, TId}.ExistsAsync"/> is
/// one <c>EXISTS</c>. <see cref="IRepository{T, TId}.SaveAsync"/> is one Lua script: <c>HDEL</c> of the members that are
/// <see langword="null"/>, <c>HSET</c> of the others, <c>SADD users:index</c>. <see cref="IRepository{T, TId}.DeleteAsync"/>
/// removes <c>user:{user}</c>, <c>admin:user:{user}</c> and the name in both index sets in one Lua script; it returns
/// whether the user hash existed. StackExchange.Redis takes no cancellation tokens, so a command may still run on the
/// server after the caller stopped waiting. A key of the wrong Redis type (WRONGTYPE) or an unreadable value throws
/// <see cref="StorageDataException"/> naming the key (scripts check every type before their first write).
/// </para>
/// </remarks>
public interface IUserRepository : IRepository<User>, IEnumerableRepository<User, string>
{
    /// <summary>Creates a user; <see langword="false"/> when the user already exists (nothing is changed then).</summary>
    /// <exception cref="StorageUnavailableException">The storage backend could not be reached or timed out; the call may be retried (see docs/errors.md).</exception>
    /// <param name="user">The user. <see cref="User.CreatedAt"/> and <see cref="User.LastLogin"/> default to now, as ZnDraw's <c>create_user</c> writes them.</param>
    /// <param name="cancellationToken">Checked before anything is sent, then bounds the wait; a backend may still complete the call.</param>
    /// <returns><see langword="true"/> when this call created the user.</returns>
    /// <remarks>
    /// <para>
    /// The existence check and the write are one atomic step, so of concurrent creates of one name exactly one returns <see langword="true"/>; the name is added to the user index also when the user already existed (repairing a missing entry). The user has no password: give it one with <see cref="RegisterPasswordAsync"/>.
    /// </para>
    /// <para>
    /// Redis backend: one Lua script: <c>HLEN user:{user}</c>; when empty one <c>HSET</c> of every non-null field; then
    /// <c>SADD users:index</c> (also when the user already existed, which repairs a missing index entry). The check runs
    /// inside the script, so of concurrent creates of one name exactly one returns <see langword="true"/>.
    /// Cluster-safe layout: the <c>SADD</c> is a second round trip after the script. The user has no password: give it
    /// one with <see cref="RegisterPasswordAsync"/>.
    /// </para>
    /// </remarks>
    ValueTask<bool> CreateAsync(User user, CancellationToken cancellationToken = default);

    /// <summary>Lists every user name from the user index, sorted ordinally.</summary>
    /// <exception cref="StorageUnavailableException">The storage backend could not be reached or timed out; the call may be retried (see docs/errors.md).</exception>
    /// <param name="cancellationToken">Checked before anything is sent, then bounds the wait; a backend may still complete the call.</param>
    /// <returns>The names; empty when there are none.</returns>
    /// <remarks><para>Users an older server wrote appear after the reindex operation.</para><para>Redis backend: one <c>SMEMBERS users:index</c>. No SCAN: users an older server wrote appear after the reindex operation.</para></remarks>
    ValueTask<IReadOnlyList<string>> ListAllAsync(CancellationToken cancellationToken = default);

    /// <summary>Sets a user's password hash and salt together; <see langword="false"/> when the user does not exist.</summary>
    /// <exception cref="StorageUnavailableException">The storage backend could not be reached or timed out; the call may be retried (see docs/errors.md).</exception>
    /// <param name="userName">The user.</param>
    /// <param name="passwordHash">
    /// The hash: ZnDraw's 64 lowercase hex characters (<see cref="ZnDrawPasswordHash.Compute"/>), or the self-describing
    /// <c>pbkdf2-sha256$ITERATIONS$SALTHEX$HASHHEX</c> (iterations 1 to <see cref="ZnDrawPasswordOptions.MaxPbkdf2Iterations"/>)
    /// that <c>UserService</c> writes under <see cref="PasswordHashing.Pbkdf2"/>.
    /// </param>
    /// <param name="passwordSalt">The salt the hash was computed with (ZnDraw: 32 lowercase hex characters); not empty.</param>
    /// <param name="cancellationToken">Checked before anything is sent, then bounds the wait; a backend may still complete the call.</param>
    /// <returns><see langword="true"/> when the fields were written.</returns>
    /// <remarks>
    /// <para>
    /// Both fields are written in one atomic step, or neither (ZnDraw writes them in two commands, so a crash in between leaves a user whose password can never verify). A missing user is not created. Whatever password the user had is replaced: use <see cref="RegisterPasswordAsync"/> for a first password.
    /// </para>
    /// <para>
    /// Redis backend: one Lua script: <c>HLEN</c>, then one <c>HSET user:{user} passwordHash … passwordSalt …</c>. ZnDraw writes the two
    /// fields in two commands, so a crash in between leaves a user whose password can never verify; here both are
    /// written or neither. A missing user is not created (no half hash). Whatever password the user had is replaced: use
    /// <see cref="RegisterPasswordAsync"/> for a first password.
    /// </para>
    /// </remarks>
    /// <exception cref="ArgumentException">The hash is in neither format, or the salt is empty.</exception>
    ValueTask<bool> SetPasswordAsync(string userName, string passwordHash, string passwordSalt, CancellationToken cancellationToken = default);

    /// <summary>
    /// Gives an existing user without a password its first password hash and salt, atomically; <see langword="false"/>
    /// (nothing written) when the user does not exist or already has a <c>passwordHash</c>.
    /// </summary>
    /// <exception cref="StorageUnavailableException">The storage backend could not be reached or timed out; the call may be retried (see docs/errors.md).</exception>
    /// <param name="userName">The user (usually a guest).</param>
    /// <param name="passwordHash">The hash, in a format <see cref="SetPasswordAsync"/> accepts.</param>
    /// <param name="passwordSalt">The salt of <paramref name="passwordHash"/>; not empty.</param>
    /// <param name="cancellationToken">Checked before anything is sent, then bounds the wait; a backend may still complete the call.</param>
    /// <returns><see langword="true"/> when this call registered the user.</returns>
    /// <remarks>
    /// <para>
    /// The check and the write are one atomic step, so of concurrent calls for one user exactly one returns <see langword="true"/> and its password is the one stored (ZnDraw checks and writes in separate commands: the last password wins). The indexes do not change.
    /// </para>
    /// <para>
    /// Redis backend: one Lua script on the user's hash only (one slot in every layout; the index sets do not change): <c>HLEN</c>,
    /// <c>HEXISTS passwordHash</c>, then one <c>HSET</c> of both fields. The check and the write are one step, so of
    /// concurrent calls for one user exactly one returns <see langword="true"/> and its password is the one stored
    /// (ZnDraw checks and writes in separate commands: the last password wins).
    /// </para>
    /// </remarks>
    /// <exception cref="ArgumentException">The hash is in neither format, or the salt is empty.</exception>
    ValueTask<bool> RegisterPasswordAsync(string userName, string passwordHash, string passwordSalt, CancellationToken cancellationToken = default);

    /// <summary>Reads a user's password hash and salt; <see langword="null"/> when the user does not exist.</summary>
    /// <exception cref="StorageUnavailableException">The storage backend could not be reached or timed out; the call may be retried (see docs/errors.md).</exception>
    /// <param name="userName">The user.</param>
    /// <param name="cancellationToken">Checked before anything is sent, then bounds the wait; a backend may still complete the call.</param>
    /// <returns>The credentials (without a hash for a guest), or <see langword="null"/>.</returns>
    /// <remarks>
    /// <para>
    /// The only read of the credentials: treat the result as secret (it prints and serializes without them).
    /// </para>
    /// <para>
    /// Redis backend: one round trip: <c>EXISTS user:{user}</c> and <c>HMGET user:{user} passwordHash passwordSalt</c> in one batch (one
    /// slot). The only read of the credentials: treat the result as secret (it prints and serializes without them).
    /// </para>
    /// </remarks>
    ValueTask<UserCredentials?> GetCredentialsAsync(string userName, CancellationToken cancellationToken = default);

    /// <summary>Grants or revokes the user's admin flag.</summary>
    /// <exception cref="StorageUnavailableException">The storage backend could not be reached or timed out; the call may be retried (see docs/errors.md).</exception>
    /// <param name="userName">The user.</param>
    /// <param name="isAdmin"><see langword="true"/> to write <c>"1"</c>, <see langword="false"/> to delete the flag.</param>
    /// <param name="cancellationToken">Checked before anything is sent, then bounds the wait; a backend may still complete the call.</param>
    /// <returns>A task that completes when the flag and the index are written.</returns>
    /// <remarks>
    /// <para>
    /// The flag and the admin index change together (one atomic step where the backend can; see the Redis backend). As in ZnDraw the flag does not require the user to exist (the env-configured admin is flagged at first login).
    /// </para>
    /// <para>
    /// Redis backend: one Lua script: <c>SET admin:user:{user} 1</c> and <c>SADD admins:index</c>, or <c>DEL</c> and <c>SREM</c>. As in
    /// ZnDraw the flag does not require the user hash to exist (the env-configured admin is flagged at first login).
    /// Cluster-safe layout: <c>SET</c>/<c>DEL</c> first, then <c>SADD</c>/<c>SREM</c> (two round trips).
    /// </para>
    /// </remarks>
    ValueTask SetAdminAsync(string userName, bool isAdmin, CancellationToken cancellationToken = default);

    /// <summary>Whether the user's admin flag is exactly <c>"1"</c> (anything else, or nothing, is not admin, as in ZnDraw).</summary>
    /// <exception cref="StorageUnavailableException">The storage backend could not be reached or timed out; the call may be retried (see docs/errors.md).</exception>
    /// <param name="userName">The user.</param>
    /// <param name="cancellationToken">Checked before anything is sent, then bounds the wait; a backend may still complete the call.</param>
    /// <returns>Whether the user is an admin.</returns>
    /// <remarks><para>ZnDraw's local mode (everyone is admin without a flag) is the caller's decision.</para><para>Redis backend: one <c>GET</c>.</para></remarks>
    ValueTask<bool> IsAdminAsync(string userName, CancellationToken cancellationToken = default);

    /// <summary>Lists every admin name from the admin index, sorted ordinally.</summary>
    /// <exception cref="StorageUnavailableException">The storage backend could not be reached or timed out; the call may be retried (see docs/errors.md).</exception>
    /// <param name="cancellationToken">Checked before anything is sent, then bounds the wait; a backend may still complete the call.</param>
    /// <returns>The names; empty when there are none.</returns>
    /// <remarks><para>Redis backend: one <c>SMEMBERS admins:index</c>.</para></remarks>
    ValueTask<IReadOnlyList<string>> ListAdminsAsync(CancellationToken cancellationToken = default);

    /// <summary>The user's role as ZnDraw derives it: admin when the flag is <c>"1"</c>, else user when <c>passwordHash</c> exists, else guest.</summary>
    /// <exception cref="StorageUnavailableException">The storage backend could not be reached or timed out; the call may be retried (see docs/errors.md).</exception>
    /// <param name="userName">The user.</param>
    /// <param name="cancellationToken">Checked before anything is sent, then bounds the wait; a backend may still complete the call.</param>
    /// <returns>The role; <see cref="UserRole.Guest"/> for a user that does not exist (as ZnDraw answers).</returns>
    /// <remarks><para>Redis backend: one round trip: <c>GET admin:user:{user}</c> and <c>HEXISTS user:{user} passwordHash</c> in one batch (one slot in the cluster-safe layout).</para></remarks>
    ValueTask<UserRole> GetRoleAsync(string userName, CancellationToken cancellationToken = default);

    /// <summary>Sets <c>currentRoom</c> (the room the user joined last); <see langword="false"/> when the user does not exist. In one atomic step.</summary>
    /// <exception cref="StorageUnavailableException">The storage backend could not be reached or timed out; the call may be retried (see docs/errors.md).</exception>
    /// <param name="userName">The user.</param>
    /// <param name="roomId">The room id (ZnDraw's room id rule).</param>
    /// <param name="cancellationToken">Checked before anything is sent, then bounds the wait; a backend may still complete the call.</param>
    /// <returns><see langword="true"/> when the field was written.</returns>
    /// <remarks><para>ZnDraw's join also adds the user to <c>room:{room}:users</c>; that belongs to the room.</para><para>Redis backend: one Lua script: <c>HLEN</c>, then <c>HSET</c>.</para></remarks>
    ValueTask<bool> SetCurrentRoomAsync(string userName, string roomId, CancellationToken cancellationToken = default);

    /// <summary>Sets <c>currentSid</c>; <c>""</c> marks a disconnect, as ZnDraw writes it. <see langword="false"/> when the user does not exist. In one atomic step.</summary>
    /// <exception cref="StorageUnavailableException">The storage backend could not be reached or timed out; the call may be retried (see docs/errors.md).</exception>
    /// <param name="userName">The user.</param>
    /// <param name="sid">The Socket.IO session id, or <see cref="string.Empty"/> after disconnect.</param>
    /// <param name="cancellationToken">Checked before anything is sent, then bounds the wait; a backend may still complete the call.</param>
    /// <returns><see langword="true"/> when the field was written.</returns>
    /// <remarks><para>Redis backend: one Lua script: <c>HLEN</c>, then <c>HSET</c>.</para></remarks>
    ValueTask<bool> SetCurrentSidAsync(string userName, string sid, CancellationToken cancellationToken = default);

    /// <summary>Sets <c>lastActivity</c> to now (naive UTC ISO, as ZnDraw writes at socket connect); <see langword="false"/> when the user does not exist. In one atomic step.</summary>
    /// <exception cref="StorageUnavailableException">The storage backend could not be reached or timed out; the call may be retried (see docs/errors.md).</exception>
    /// <param name="userName">The user.</param>
    /// <param name="cancellationToken">Checked before anything is sent, then bounds the wait; a backend may still complete the call.</param>
    /// <returns><see langword="true"/> when the field was written.</returns>
    /// <remarks><para>The time comes from the store's <see cref="TimeProvider"/>.</para><para>Redis backend: one Lua script: <c>HLEN</c>, then <c>HSET</c>.</para></remarks>
    ValueTask<bool> TouchLastActivityAsync(string userName, CancellationToken cancellationToken = default);

    /// <summary>Sets <c>lastLogin</c> to now (naive UTC ISO); <see langword="false"/> when the user does not exist. In one atomic step.</summary>
    /// <exception cref="StorageUnavailableException">The storage backend could not be reached or timed out; the call may be retried (see docs/errors.md).</exception>
    /// <param name="userName">The user.</param>
    /// <param name="cancellationToken">Checked before anything is sent, then bounds the wait; a backend may still complete the call.</param>
    /// <returns><see langword="true"/> when the field was written.</returns>
    /// <remarks><para>The time comes from the store's <see cref="TimeProvider"/>.</para><para>Redis backend: one Lua script: <c>HLEN</c>, then <c>HSET</c>.</para></remarks>
    ValueTask<bool> TouchLastLoginAsync(string userName, CancellationToken cancellationToken = default);

    /// <summary>
    /// Moves a user to a new name, as ZnDraw's registration with a new name does, but atomically;
    /// <see langword="false"/> (and nothing changed) when <paramref name="newName"/> exists or <paramref name="oldName"/> does not.
    /// </summary>
    /// <exception cref="StorageUnavailableException">The storage backend could not be reached or timed out; the call may be retried (see docs/errors.md).</exception>
    /// <param name="oldName">The current name (usually a guest's <c>user-xxxxxxxx</c>).</param>
    /// <param name="newName">The new name; must differ from <paramref name="oldName"/>.</param>
    /// <param name="passwordHash">The new password hash (registration), or <see langword="null"/> to carry the old user's hash and salt over.</param>
    /// <param name="passwordSalt">The salt of <paramref name="passwordHash"/>; given exactly when the hash is.</param>
    /// <param name="cancellationToken">Checked before anything is sent, then bounds the wait; a backend may still complete the call.</param>
    /// <returns><see langword="true"/> when the user was renamed.</returns>
    /// <remarks>
    /// <para>
    /// The new hash holds exactly what ZnDraw's <c>register_user</c> writes: <c>userName</c> (the new name),
    /// <c>passwordHash</c> and <c>passwordSalt</c> (the given ones, else the old user's when present), <c>createdAt</c>
    /// (the old user's, else now) and <c>lastLogin</c> (now). <c>currentRoom</c>, <c>currentSid</c> and
    /// <c>lastActivity</c> are not carried over, as in ZnDraw: the client reconnects under the new name. The old hash and
    /// admin flag are deleted; the new flag is <c>"1"</c> when the old one was <c>"1"</c> (ZnDraw moves any non-empty
    /// value; only <c>"1"</c> means admin). <c>users:index</c> and <c>admins:index</c> follow.
    /// </para>
    /// <para>
    /// Redis backend: ZnDraw layout: one Lua script, so of concurrent renames to one new name exactly one succeeds and nothing is lost.
    /// </para>
    /// <para>
    /// Redis backend: Cluster-safe layout: the two users are in different slots, so the rename is an ordered sequence of single-slot
    /// steps: (1) read the old hash and flag (one batch); (2) create the new hash and flag in one script that checks the
    /// new name is free (of concurrent renames to one name exactly one passes this step); (3) delete the old hash and flag
    /// in one script that checks the old hash still exists; if another rename or delete took it in between, the new user
    /// of step 2 is deleted again and the call returns <see langword="false"/>; (4) update both index sets (idempotent
    /// <c>SADD</c>/<c>SREM</c>). A crash after step 2 leaves both users (nothing is lost; delete the old one to finish);
    /// a crash after step 3 leaves the index sets behind, which the reindex operation repairs. Four to five round trips.
    /// </para>
    /// </remarks>
    /// <exception cref="ArgumentException">The names are equal, only one of hash and salt is given, or the hash is malformed.</exception>
    ValueTask<bool> RenameAsync(string oldName, string newName, string? passwordHash = null, string? passwordSalt = null, CancellationToken cancellationToken = default);
}
