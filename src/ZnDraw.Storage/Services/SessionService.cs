using Microsoft.Extensions.Logging;
using ZnDraw.Storage.Contracts;
using ZnDraw.Storage.Diagnostics;
using ZnDraw.Storage.History;
using ZnDraw.Storage.Models;

namespace ZnDraw.Storage.Services;

/// <summary>
/// Socket.IO sessions of ZnDraw users: connect (<c>sid:{sid}</c> → user and role, the user's <c>currentSid</c> and
/// <c>lastActivity</c>), disconnect (all of it cleaned up) and lookup; records login and logout history.
/// </summary>
/// <remarks>
/// <para>
/// What is atomic: the session keys (<c>sid:{sid}</c>, <c>sid:{sid}:role</c>) are written together and deleted together
/// (<see cref="ISessionRepository"/>); each field of the user hash is written by its own atomic step. Session keys and
/// the user hash have different owners (different cluster slots under the cluster-safe layout), so connect and
/// disconnect are ordered sequences of idempotent steps, not one transaction. They are ordered so that a crash leaves
/// nothing a retry cannot finish: connect writes the user fields first and the session last (a session that exists is
/// complete); disconnect clears the user's <c>currentSid</c> first and deletes the session last (a retry still finds
/// the session and finishes).
/// </para>
/// <para>
/// History: a <see cref="UserLoginEvent"/> after a connect and a <see cref="UserLogoutEvent"/> after the disconnect that
/// deleted the session, both with the sid, so a sink can pair them. They follow the Redis steps (direct mode: the sink is
/// called; durable mode: a separate <c>XADD</c> to the outbox after the steps, since the steps span owners); a history
/// failure is logged and never fails the call.
/// </para>
/// <para>
/// Every method is timed as an operation of <see cref="ZnDrawStorageDiagnostics"/> (<c>session.connect</c>, ...). A
/// cancellation token bounds the waits only: a command already sent may still run.
/// </para>
/// </remarks>
public sealed class SessionService
{
    private readonly ISessionRepository _sessions;
    private readonly IUserRepository _users;
    private readonly ILogger _logger;
    private readonly string? _dbSystem; // db.system.name of the sessions repository, for telemetry
    private readonly HistoryRecorder _history;

    /// <summary>Creates the service without history recording.</summary>
    /// <param name="sessions">The session repository.</param>
    /// <param name="users">The user repository.</param>
    /// <param name="logger">The logger.</param>
    public SessionService(ISessionRepository sessions, IUserRepository users, ILogger<SessionService> logger)
        : this(sessions, users, logger, HistoryRecorder.Disabled)
    {
    }

    /// <summary>Creates the service with history recording (what <c>AddZnDrawStorage</c> registers).</summary>
    /// <param name="sessions">The session repository.</param>
    /// <param name="users">The user repository.</param>
    /// <param name="logger">The logger.</param>
    /// <param name="history">The recorder; <see cref="HistoryRecorder.Disabled"/> when history is not configured.</param>
    internal SessionService(ISessionRepository sessions, IUserRepository users, ILogger<SessionService> logger, HistoryRecorder history)
    {
        ArgumentNullException.ThrowIfNull(sessions);
        ArgumentNullException.ThrowIfNull(users);
        ArgumentNullException.ThrowIfNull(logger);
        ArgumentNullException.ThrowIfNull(history);

        _sessions = sessions;
        _dbSystem = DbSystem.Of(sessions);
        _users = users;
        _logger = logger;
        _history = history;
    }

    /// <summary>Connects a Socket.IO session to a user, as ZnDraw's socket <c>connect</c> handler does.</summary>
    /// <exception cref="StorageUnavailableException">The storage backend could not be reached or timed out; the call may be retried (see docs/errors.md).</exception>
    /// <param name="sid">The Socket.IO session id.</param>
    /// <param name="userName">The user (from the host's token); must exist.</param>
    /// <param name="role">The role from the token, or <see langword="null"/> to derive it from Redis now.</param>
    /// <param name="ipAddress">The client address for the login history (IPv4 or IPv6 text), or <see langword="null"/>.</param>
    /// <param name="cancellationToken">Bounds the waits.</param>
    /// <returns>The session as written.</returns>
    /// <remarks>
    /// Steps: (1) the user's <c>currentSid</c> and <c>lastActivity</c>, and the role when not given, in one round trip
    /// (each an atomic step that writes nothing when the user does not exist); (2) <c>sid:{sid}</c> and
    /// <c>sid:{sid}:role</c> in one MULTI/EXEC. Connecting an existing sid again overwrites it (idempotent). Then the
    /// <see cref="UserLoginEvent"/>.
    /// </remarks>
    /// <exception cref="ArgumentException">The sid or user name is empty or invalid.</exception>
    /// <exception cref="UserOperationException"><see cref="UserOperationError.UserNotFound"/>: the user does not exist (nothing was written).</exception>
    public async ValueTask<SessionInfo> ConnectAsync(string sid, string userName, UserRole? role = null, string? ipAddress = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(sid);
        ArgumentException.ThrowIfNullOrEmpty(userName);
        using var op = StorageOperation.Start("session.connect", _dbSystem);
        try
        {
            // Sent together; each checks that the user exists before writing.
            var setSid = _users.SetCurrentSidAsync(userName, sid, cancellationToken);
            var touch = _users.TouchLastActivityAsync(userName, cancellationToken);
            var roleLookup = role is null ? _users.GetRoleAsync(userName, cancellationToken) : new ValueTask<UserRole>(role.Value);
            var userExists = await setSid.ConfigureAwait(false);
            await touch.ConfigureAwait(false);
            var effectiveRole = await roleLookup.ConfigureAwait(false);
            if (!userExists)
            {
                throw new UserOperationException(UserOperationError.UserNotFound, userName, $"User '{userName}' does not exist.");
            }

            var session = new SessionInfo(sid, userName, effectiveRole);

            // In durable mode the login event is written in the same MULTI as the session keys.
            var login = _history.IsEnabled ? new UserLoginEvent(_history.NewEventId(), _history.Now, userName, sid, ipAddress) : null;
            using (var outbox = _history.BeginOutbox(login))
            {
                await _sessions.SaveAsync(session, cancellationToken).ConfigureAwait(false);
                if (login is not null)
                {
                    await _history.RecordAsync(outbox, login, cancellationToken).ConfigureAwait(false);
                }
            }

            SessionServiceLog.Connected(_logger, sid, userName, effectiveRole);

            return session;
        }
        catch (Exception ex) when (op.RecordFailure(ex))
        {
            throw;
        }
    }

    /// <summary>Disconnects a session: clears the user's <c>currentSid</c> and deletes <c>sid:{sid}</c> and <c>sid:{sid}:role</c>.</summary>
    /// <exception cref="StorageUnavailableException">The storage backend could not be reached or timed out; the call may be retried (see docs/errors.md).</exception>
    /// <param name="sid">The Socket.IO session id.</param>
    /// <param name="cancellationToken">Bounds the waits.</param>
    /// <returns>The session that was removed, or <see langword="null"/> when there was none (already disconnected).</returns>
    /// <remarks>
    /// <para>
    /// Steps: (1) read the session; (2) read the user and, when its <c>currentSid</c> is still this sid, set it to
    /// <c>""</c> (ZnDraw clears it unconditionally, which marks a user whose newer tab is still connected as disconnected;
    /// here a newer connection is kept; the read and the write are two steps, so a connect landing exactly between them is
    /// cleared as in ZnDraw); (3) delete both session keys in one step. Idempotent: calling it again returns
    /// <see langword="null"/>. Of concurrent disconnects of one sid exactly one emits the <see cref="UserLogoutEvent"/>
    /// (the one whose delete removed the session).
    /// </para>
    /// <para>ZnDraw's <c>sid:{sid}:role</c> is never deleted by ZnDraw; here it goes with the session.</para>
    /// </remarks>
    /// <exception cref="ArgumentException">The sid is empty or invalid.</exception>
    public async ValueTask<SessionInfo?> DisconnectAsync(string sid, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(sid);
        using var op = StorageOperation.Start("session.disconnect", _dbSystem);
        try
        {
            var session = await _sessions.GetByIdAsync(sid, cancellationToken).ConfigureAwait(false);
            if (session is null)
            {
                SessionServiceLog.NoSession(_logger, sid);
                return null;
            }

            var user = await _users.GetByIdAsync(session.UserName, cancellationToken).ConfigureAwait(false);
            if (user is not null && string.Equals(user.CurrentSid, sid, StringComparison.Ordinal))
            {
                await _users.SetCurrentSidAsync(session.UserName, string.Empty, cancellationToken).ConfigureAwait(false);
            }

            // In durable mode the delete script appends the logout event only when it removed the session.
            var logout = _history.IsEnabled ? new UserLogoutEvent(_history.NewEventId(), _history.Now, session.UserName, sid) : null;
            using (var outbox = _history.BeginOutbox(logout))
            {
                if (!await _sessions.DeleteAsync(sid, cancellationToken).ConfigureAwait(false))
                {
                    // A concurrent disconnect deleted it first; it reports the logout.
                    SessionServiceLog.NoSession(_logger, sid);
                    return null;
                }

                if (logout is not null)
                {
                    await _history.RecordAsync(outbox, logout, cancellationToken).ConfigureAwait(false);
                }
            }

            SessionServiceLog.Disconnected(_logger, sid, session.UserName);

            return session;
        }
        catch (Exception ex) when (op.RecordFailure(ex))
        {
            throw;
        }
    }

    /// <summary>Looks a session up: its user and role.</summary>
    /// <exception cref="StorageUnavailableException">The storage backend could not be reached or timed out; the call may be retried (see docs/errors.md).</exception>
    /// <param name="sid">The Socket.IO session id.</param>
    /// <param name="cancellationToken">Bounds the wait.</param>
    /// <returns>The session, or <see langword="null"/> when <c>sid:{sid}</c> does not exist.</returns>
    /// <remarks>One round trip. <see cref="SessionInfo.Role"/> is <see langword="null"/> for sessions a ZnDraw older than 2025-11-04 wrote.</remarks>
    /// <exception cref="ArgumentException">The sid is empty or invalid.</exception>
    public async ValueTask<SessionInfo?> GetAsync(string sid, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(sid);
        using var op = StorageOperation.Start("session.get", _dbSystem);
        try
        {
            return await _sessions.GetByIdAsync(sid, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (op.RecordFailure(ex))
        {
            throw;
        }
    }
}
