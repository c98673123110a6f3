using ZnDraw.Storage.Diagnostics;
using System.Data.Common;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using ZnDraw.Storage.Contracts;
using ZnDraw.Storage.History;
using ZnDraw.Storage.Models;
using ZnDraw.Storage.Sql.Model;

namespace ZnDraw.Storage.Sql.Repositories;

/// <summary>The SQL implementation of <see cref="IRoomRepository"/>: tables <c>rooms</c>, <c>room_members</c>, <c>room_metadata</c>, <c>server_settings</c> and <c>room_cleanups</c>.</summary>
/// <remarks>
/// <para>
/// A room exists while its <c>rooms</c> row does; the listing is that table, so it changes in the same transaction as
/// every create and delete. Creates are <c>INSERT ... ON CONFLICT DO NOTHING</c>: of concurrent creates of one id the
/// unique key lets exactly one insert.
/// </para>
/// <para>
/// Delete spans both stores. One transaction deletes the room's rows from <c>rooms</c> and from every room-scoped table
/// (every table of the storage model with a <c>room_id</c> column) and records a <c>room_cleanups</c> row; then the
/// room's ephemeral state in Redis is removed (<see cref="IRoomEphemeralState"/>, idempotent); then the
/// <c>room_cleanups</c> row. A process stopped between the steps leaves the row: the next create, copy or save of the id
/// finishes the cleanup before the room exists again (so a recreated room never sees stale locks), and
/// <see cref="SqlStorageReconciler"/> finishes all of them.
/// </para>
/// <para>
/// Copy and the delete statement are built from the storage model when the repository is created: copy takes every
/// column but <c>room_id</c> of <c>room_frames</c>, <c>room_geometries</c> and <c>room_bookmarks</c>, so the statements
/// follow those tables' schemas.
/// </para>
/// </remarks>
internal sealed class SqlRoomRepository : IRoomRepository, IDbSystemNamed
{
    private const string Operation = "IRoomRepository.";

    /// <summary>The tables <see cref="CopyAsync"/> copies, as ZnDraw's duplicate does (trajectory, geometries, bookmarks).</summary>
    private static readonly string[] CopiedTables = ["room_frames", "room_geometries", "room_bookmarks"];

    /// <summary>Tables of the rooms group that are not part of a room's content.</summary>
    private static readonly string[] NotRoomScoped = ["rooms", "room_cleanups"];

    /// <summary>Metadata rows per <c>INSERT</c> (two parameters each, plus position).</summary>
    private const int MetadataRowsPerStatement = 200;

    /// <summary>A copy attempt that a pending cleanup of the target blocked.</summary>
    private const RoomCopyResult RetryCopy = (RoomCopyResult)(-1);

    // A cleanup is pending for an id while room_cleanups holds it and no room of that id exists.
    private const string PendingCleanupOfId =
        "SELECT 1 FROM room_cleanups WHERE room_id = @id AND NOT EXISTS (SELECT 1 FROM rooms WHERE id = @id)";

    private const string CreateSql =
        "INSERT INTO rooms (id, description, locked, hidden, current_frame, created_at) "
        + "SELECT @id, @description, FALSE, FALSE, 0, @now WHERE NOT EXISTS (" + PendingCleanupOfId + ") "
        + "ON CONFLICT (id) DO NOTHING RETURNING id";

    private const string SaveSql =
        "INSERT INTO rooms (id, description, locked, hidden, current_frame, created_at) "
        + "SELECT @id, @description, @locked, @hidden, @frame, @now WHERE NOT EXISTS (" + PendingCleanupOfId + ") "
        + "ON CONFLICT (id) DO UPDATE SET description = excluded.description, locked = excluded.locked, "
        + "hidden = excluded.hidden, current_frame = excluded.current_frame RETURNING id";

    // After an insert that did not happen: does the room exist, and is a cleanup of the id pending?
    private const string ProbeSql =
        "SELECT EXISTS (SELECT 1 FROM rooms WHERE id = @id), (SELECT deleted_at FROM room_cleanups WHERE room_id = @id)";

    private const string CopyTargetSql =
        "INSERT INTO rooms (id, description, locked, hidden, current_frame, created_at) "
        + "SELECT @id, @description, FALSE, FALSE, 0, @now "
        + "WHERE EXISTS (SELECT 1 FROM room_frames WHERE room_id = @source) AND NOT EXISTS (" + PendingCleanupOfId + ") "
        + "ON CONFLICT (id) DO NOTHING RETURNING id";

    private const string CopyProbeSql =
        "SELECT EXISTS (SELECT 1 FROM room_frames WHERE room_id = @source), EXISTS (SELECT 1 FROM rooms WHERE id = @id), "
        + "(SELECT deleted_at FROM room_cleanups WHERE room_id = @id)";

    private const string GetSql = "SELECT description, locked, hidden, current_frame FROM rooms WHERE id = @id";

    private const string GetWithFrameCountSql =
        "SELECT description, locked, hidden, current_frame, (SELECT COUNT(*) FROM room_frames WHERE room_id = @id) FROM rooms WHERE id = @id";

    private const string ExistsSql = "SELECT 1 FROM rooms WHERE id = @id";

    private const string RecordCleanupSql =
        "INSERT INTO room_cleanups (room_id, deleted_at) VALUES (@id, @now) "
        + "ON CONFLICT (room_id) DO UPDATE SET deleted_at = excluded.deleted_at RETURNING deleted_at";

    private const string CleanupOfIdSql = "SELECT deleted_at FROM room_cleanups WHERE room_id = @id";

    private const string RemoveCleanupSql = "DELETE FROM room_cleanups WHERE room_id = @id AND deleted_at = @stamp";

    private const string SetCurrentFrameSql = "UPDATE rooms SET current_frame = @value WHERE id = @id";

    private const string SetLockedSql = "UPDATE rooms SET locked = @value WHERE id = @id";

    private const string SetHiddenSql = "UPDATE rooms SET hidden = @value WHERE id = @id";

    private const string SetDescriptionSql = "UPDATE rooms SET description = @value WHERE id = @id";

    private const string GetDescriptionSql = "SELECT description FROM rooms WHERE id = @id";

    private const string DeleteMetadataFieldSql = "DELETE FROM room_metadata WHERE room_id = @id AND field = @field";

    private const string SetCurrentRoomSql = "UPDATE users SET current_room = @id WHERE user_name = @user";

    private const string AddMemberSql =
        "INSERT INTO room_members (room_id, user_name) VALUES (@id, @user) ON CONFLICT (room_id, user_name) DO NOTHING";

    private const string GetDefaultRoomSql = "SELECT value FROM server_settings WHERE \"key\" = 'default_room'";

    private const string SetDefaultRoomSql =
        "INSERT INTO server_settings (\"key\", value) SELECT 'default_room', id FROM rooms WHERE id = @id "
        + "ON CONFLICT (\"key\") DO UPDATE SET value = excluded.value";

    private const string ClearDefaultRoomSql = "DELETE FROM server_settings WHERE \"key\" = 'default_room'";

    private static readonly string[] MetadataInsertSql = new string[MetadataRowsPerStatement + 1];

    private readonly SqlStoreContext _context;

    /// <inheritdoc />
    public string DbSystemName => _context.Dialect.DbSystemName;
    private readonly IRoomEphemeralState _ephemeral;
    private readonly IUserRepository _users;
    private readonly bool _usersInSql;
    private readonly string _listSql;
    private readonly string _usersSql;
    private readonly string _metadataSql;
    private readonly string _lockForMetadataSql;
    private readonly string _deleteSql;
    private readonly string? _copySql;
    private readonly string? _copyMissing;

    /// <summary>Creates the repository and builds its model-driven statements (delete, copy).</summary>
    /// <param name="context">The SQL store.</param>
    /// <param name="ephemeral">Where the room's ephemeral state lives (Redis); removed after the SQL delete.</param>
    /// <param name="users">The user repository; when it is the SQL one, a join writes the user and the membership in one transaction.</param>
    public SqlRoomRepository(SqlStoreContext context, IRoomEphemeralState ephemeral, IUserRepository users)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(ephemeral);
        ArgumentNullException.ThrowIfNull(users);
        _context = context;
        _ephemeral = ephemeral;
        _users = users;
        _usersInSql = users is SqlUserRepository;
        string ordinal = context.Dialect.Ordinal;
        _listSql = "SELECT id FROM rooms ORDER BY id" + ordinal;
        _usersSql = "SELECT user_name FROM room_members WHERE room_id = @id ORDER BY user_name" + ordinal;
        _metadataSql = "SELECT field, value FROM room_metadata WHERE room_id = @id ORDER BY position, field" + ordinal;

        // Takes the room row for the write (a concurrent delete waits, or this finds the room gone) and the next position.
        _lockForMetadataSql = "SELECT COALESCE((SELECT MAX(position) + 1 FROM room_metadata WHERE room_id = @id), 0) FROM rooms WHERE id = @id"
            + context.Dialect.ForNoKeyUpdate;

        using StorageDbContext db = context.CreateDbContext();
        IRelationalModel model = db.Model.GetRelationalModel();
        _deleteSql = BuildDeleteSql(model);
        (_copySql, _copyMissing) = BuildCopySql(model, context.Dialect.DataModifyingWith);
    }

    /// <summary>
    /// Test hook: runs after the SQL step of <see cref="DeleteAsync"/> committed and before the Redis step, with the room
    /// id. A hook that throws stops the delete there, as a crash would.
    /// </summary>
    internal Func<string, ValueTask>? AfterSqlStep { get; set; }

    /// <inheritdoc/>
    public ValueTask<Room?> GetByIdAsync(string id, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        KeyValidation.ValidateRoomId(id);
        return ReadRoomAsync(nameof(GetByIdAsync), id, withFrameCount: false, cancellationToken);
    }

    /// <inheritdoc/>
    public ValueTask<Room?> GetWithFrameCountAsync(string roomId, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        KeyValidation.ValidateRoomId(roomId);
        return ReadRoomAsync(nameof(GetWithFrameCountAsync), roomId, withFrameCount: true, cancellationToken);
    }

    private ValueTask<Room?> ReadRoomAsync(string operation, string roomId, bool withFrameCount, CancellationToken cancellationToken) =>
        _context.ReadAsync(
            Operation + operation,
            Key(roomId),
            (roomId, withFrameCount),
            static async (call, s) =>
            {
                await using DbCommand command = Command(call, s.withFrameCount ? GetWithFrameCountSql : GetSql, s.roomId);
                await using DbDataReader reader = await call.QueryAsync(command).ConfigureAwait(false);
                if (!await reader.ReadAsync(call.CancellationToken).ConfigureAwait(false))
                {
                    return null;
                }

                return new Room(
                    s.roomId,
                    SqlCall.GetStringOrNull(reader, 0),
                    SqlCall.GetBool(reader, 1),
                    SqlCall.GetBool(reader, 2),
                    reader.GetInt32(3),
                    s.withFrameCount ? reader.GetInt64(4) : null);
            },
            cancellationToken);

    /// <inheritdoc/>
    public ValueTask<bool> ExistsAsync(string id, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        KeyValidation.ValidateRoomId(id);
        return _context.ReadAsync(
            Operation + nameof(ExistsAsync),
            Key(id),
            id,
            static async (call, id) =>
            {
                await using DbCommand command = Command(call, ExistsSql, id);
                return await call.ScalarAsync(command).ConfigureAwait(false) is not null;
            },
            cancellationToken);
    }

    /// <inheritdoc/>
    public ValueTask SaveAsync(Room entity, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        ArgumentNullException.ThrowIfNull(entity);
        KeyValidation.ValidateRoomId(entity.Id, nameof(entity));
        CheckDescription(entity.Description, nameof(entity));
        ArgumentOutOfRangeException.ThrowIfNegative(entity.CurrentFrame, nameof(entity));
        return SaveCoreAsync(entity, cancellationToken);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask SaveCoreAsync(Room entity, CancellationToken cancellationToken)
    {
        while (true)
        {
            Attempt attempt = await _context.WriteAsync(
                Operation + nameof(SaveAsync),
                Key(entity.Id),
                (entity, now: _context.UtcNow),
                static async (call, s) =>
                {
                    await using (DbCommand command = Command(call, SaveSql, s.entity.Id))
                    {
                        SqlCall.Add(command, "@description", s.entity.Description);
                        SqlCall.Add(command, "@locked", s.entity.Locked);
                        SqlCall.Add(command, "@hidden", s.entity.Hidden);
                        SqlCall.Add(command, "@frame", s.entity.CurrentFrame);
                        SqlCall.Add(command, "@now", s.now);
                        if (await call.ScalarAsync(command).ConfigureAwait(false) is not null)
                        {
                            return Attempt.Written;
                        }
                    }

                    return await ProbeAsync(call, s.entity.Id).ConfigureAwait(false);
                },
                null,
                cancellationToken).ConfigureAwait(false);
            if (attempt.Done)
            {
                return;
            }

            await FinishCleanupAsync(entity.Id, attempt.PendingCleanup, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc/>
    public ValueTask<bool> CreateAsync(string roomId, string? description = null, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        KeyValidation.ValidateRoomId(roomId);
        CheckDescription(description, nameof(description));
        return CreateCoreAsync(roomId, description, cancellationToken);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<bool> CreateCoreAsync(string roomId, string? description, CancellationToken cancellationToken)
    {
        while (true)
        {
            // The insert, the default geometries and (with history in this database) the history row: one transaction.
            Attempt attempt = await _context.WriteAsync(
                Operation + nameof(CreateAsync),
                Key(roomId),
                (roomId, description, now: _context.UtcNow),
                static async (call, s) =>
                {
                    await using (DbCommand command = Command(call, CreateSql, s.roomId))
                    {
                        SqlCall.Add(command, "@description", s.description);
                        SqlCall.Add(command, "@now", s.now);
                        if (await call.ScalarAsync(command).ConfigureAwait(false) is not null)
                        {
                            await SqlGeometryDefaults.InsertAsync(call, s.roomId).ConfigureAwait(false);
                            return Attempt.Written;
                        }
                    }

                    return await ProbeAsync(call, s.roomId).ConfigureAwait(false);
                },
                static attempt => attempt.Wrote,
                cancellationToken).ConfigureAwait(false);
            if (attempt.Done)
            {
                return attempt.Wrote;
            }

            await FinishCleanupAsync(roomId, attempt.PendingCleanup, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc/>
    public ValueTask<RoomCopyResult> CopyAsync(string sourceRoomId, string targetRoomId, string? description = null, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        KeyValidation.ValidateRoomId(sourceRoomId);
        KeyValidation.ValidateRoomId(targetRoomId);
        if (string.Equals(sourceRoomId, targetRoomId, StringComparison.Ordinal))
        {
            throw new ArgumentException("A room cannot be copied onto itself.", nameof(targetRoomId));
        }

        CheckDescription(description, nameof(description));
        if (_copySql is null)
        {
            throw new InvalidOperationException(
                $"The storage model has no table {_copyMissing}: a room copy needs the room_frames, room_geometries and room_bookmarks tables.");
        }

        return CopyCoreAsync(sourceRoomId, targetRoomId, description, _copySql, cancellationToken);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<RoomCopyResult> CopyCoreAsync(string source, string target, string? description, string copySql, CancellationToken cancellationToken)
    {
        while (true)
        {
            // One transaction: the target row (only when the source has frames and the target does not exist), then the
            // target's stray rows replaced by the source's (one statement on PostgreSQL, so one snapshot of the source).
            (RoomCopyResult result, DateTime? pending) = await _context.WriteAsync(
                Operation + nameof(CopyAsync),
                Key(target),
                (source, target, description, copySql, now: _context.UtcNow),
                static async (call, s) =>
                {
                    await using (DbCommand command = Command(call, CopyTargetSql, s.target))
                    {
                        SqlCall.Add(command, "@source", s.source);
                        SqlCall.Add(command, "@description", s.description);
                        SqlCall.Add(command, "@now", s.now);
                        if (await call.ScalarAsync(command).ConfigureAwait(false) is not null)
                        {
                            await using DbCommand copy = Command(call, s.copySql, s.target);
                            SqlCall.Add(copy, "@source", s.source);
                            await call.ExecuteAsync(copy).ConfigureAwait(false);
                            return (RoomCopyResult.Copied, (DateTime?)null);
                        }
                    }

                    await using DbCommand probe = Command(call, CopyProbeSql, s.target);
                    SqlCall.Add(probe, "@source", s.source);
                    await using DbDataReader reader = await call.QueryAsync(probe).ConfigureAwait(false);
                    await reader.ReadAsync(call.CancellationToken).ConfigureAwait(false);
                    if (!SqlCall.GetBool(reader, 0))
                    {
                        return (RoomCopyResult.SourceHasNoTrajectory, null);
                    }

                    if (SqlCall.GetBool(reader, 1))
                    {
                        return (RoomCopyResult.TargetExists, null);
                    }

                    // The target does not exist: a cleanup of it is pending (or was finished meanwhile): retry.
                    return (RetryCopy, SqlCall.GetUtcOrNull(reader, 2));
                },
                static outcome => outcome.Item1 == RoomCopyResult.Copied,
                cancellationToken).ConfigureAwait(false);
            if (result != RetryCopy)
            {
                return result;
            }

            await FinishCleanupAsync(target, pending, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc/>
    public ValueTask<bool> DeleteAsync(string id, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        KeyValidation.ValidateRoomId(id);
        return DeleteCoreAsync(id, cancellationToken);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<bool> DeleteCoreAsync(string roomId, CancellationToken cancellationToken)
    {
        // SQL first (authoritative): every row of the room and the cleanup record, one transaction.
        (bool removed, DateTime? stamp) = await _context.WriteAsync(
            Operation + nameof(DeleteAsync),
            Key(roomId),
            (roomId, sql: _deleteSql, now: _context.UtcNow),
            static async (call, s) =>
            {
                int rows;
                await using (DbCommand delete = Command(call, s.sql, s.roomId))
                {
                    rows = await call.ExecuteAsync(delete).ConfigureAwait(false);
                }

                await using DbCommand cleanup = Command(call, rows > 0 ? RecordCleanupSql : CleanupOfIdSql, s.roomId);
                if (rows > 0)
                {
                    SqlCall.Add(cleanup, "@now", s.now);
                }

                await using DbDataReader reader = await call.QueryAsync(cleanup).ConfigureAwait(false);
                DateTime? stamp = await reader.ReadAsync(call.CancellationToken).ConfigureAwait(false) ? SqlCall.GetUtc(reader, 0) : null;
                return (rows > 0, stamp);
            },
            static outcome => outcome.Item1,
            cancellationToken).ConfigureAwait(false);

        if (AfterSqlStep is { } hook)
        {
            await hook(roomId).ConfigureAwait(false);
        }

        // Then Redis (idempotent), also when SQL held nothing: ephemeral state may exist without the room.
        await DeleteEphemeralAsync(roomId, cancellationToken).ConfigureAwait(false);
        if (stamp is { } deletedAt)
        {
            await RemoveCleanupAsync(roomId, deletedAt, cancellationToken).ConfigureAwait(false);
        }

        return removed;
    }

    /// <summary>
    /// Removes the room's ephemeral state, then the cleanup row written at <paramref name="deletedAt"/> (if any). The
    /// Redis step runs outside any SQL transaction: holding SQLite's single write lock across a Redis call stalls every
    /// other writer (and, under load, the thread pool). The reconciler, which runs beside no create of its own, claims
    /// the row in a transaction instead (<see cref="SqlStorageReconciler"/>).
    /// </summary>
    private async ValueTask FinishCleanupAsync(string roomId, DateTime? deletedAt, CancellationToken cancellationToken)
    {
        if (deletedAt is { } stamp)
        {
            await DeleteEphemeralAsync(roomId, cancellationToken).ConfigureAwait(false);
            await RemoveCleanupAsync(roomId, stamp, cancellationToken).ConfigureAwait(false);
        }
    }

    private async ValueTask DeleteEphemeralAsync(string roomId, CancellationToken cancellationToken)
    {
        // The call's history event belongs to its SQL step: the Redis delete must not append it to the outbox.
        HistoryOutboxScope? scope = HistoryOutboxScope.Current;
        bool held = scope is not null && scope.TryTake();
        try
        {
            await _ephemeral.DeleteAsync(roomId, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            if (held)
            {
                scope!.Release();
            }
        }
    }

    /// <summary>Removes the cleanup row, unless a later delete wrote it again (another stamp).</summary>
    private ValueTask<int> RemoveCleanupAsync(string roomId, DateTime deletedAt, CancellationToken cancellationToken) =>
        _context.WriteAsync(
            Operation + nameof(DeleteAsync),
            Key(roomId),
            (roomId, deletedAt),
            static async (call, s) =>
            {
                await using DbCommand command = Command(call, RemoveCleanupSql, s.roomId);
                SqlCall.Add(command, "@stamp", s.deletedAt);
                return await call.ExecuteAsync(command).ConfigureAwait(false);
            },
            null,
            cancellationToken);

    /// <inheritdoc/>
    public async IAsyncEnumerable<string> ListIdsAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        foreach (string id in await ListAllAsync(cancellationToken).ConfigureAwait(false))
        {
            yield return id;
        }
    }

    /// <inheritdoc/>
    public ValueTask<IReadOnlyList<string>> ListAllAsync(CancellationToken cancellationToken = default) =>
        _context.ReadAsync(Operation + nameof(ListAllAsync), "rooms", _listSql, static (call, sql) => ReadStringsAsync(call, sql, null), cancellationToken);

    /// <inheritdoc/>
    public ValueTask<bool> SetCurrentFrameAsync(string roomId, int frame, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        KeyValidation.ValidateRoomId(roomId);
        ArgumentOutOfRangeException.ThrowIfNegative(frame);
        return UpdateAsync(nameof(SetCurrentFrameAsync), SetCurrentFrameSql, roomId, frame, record: false, cancellationToken);
    }

    /// <inheritdoc/>
    public ValueTask<bool> SetLockedAsync(string roomId, bool locked, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        KeyValidation.ValidateRoomId(roomId);
        return UpdateAsync(nameof(SetLockedAsync), SetLockedSql, roomId, locked, record: true, cancellationToken);
    }

    /// <inheritdoc/>
    public ValueTask<bool> SetHiddenAsync(string roomId, bool hidden, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        KeyValidation.ValidateRoomId(roomId);
        return UpdateAsync(nameof(SetHiddenAsync), SetHiddenSql, roomId, hidden, record: true, cancellationToken);
    }

    /// <inheritdoc/>
    public ValueTask<string?> GetDescriptionAsync(string roomId, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        KeyValidation.ValidateRoomId(roomId);
        return _context.ReadAsync(
            Operation + nameof(GetDescriptionAsync),
            Key(roomId),
            roomId,
            static async (call, roomId) =>
            {
                await using DbCommand command = Command(call, GetDescriptionSql, roomId);
                return await call.ScalarAsync(command).ConfigureAwait(false) as string;
            },
            cancellationToken);
    }

    /// <inheritdoc/>
    public ValueTask<bool> SetDescriptionAsync(string roomId, string? description, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        KeyValidation.ValidateRoomId(roomId);
        CheckDescription(description, nameof(description));
        return UpdateAsync(nameof(SetDescriptionAsync), SetDescriptionSql, roomId, description, record: true, cancellationToken);
    }

    private ValueTask<bool> UpdateAsync(string operation, string sql, string roomId, object? value, bool record, CancellationToken cancellationToken) =>
        _context.WriteAsync(
            Operation + operation,
            Key(roomId),
            (sql, roomId, value),
            static async (call, s) =>
            {
                await using DbCommand command = Command(call, s.sql, s.roomId);
                SqlCall.Add(command, "@value", s.value);
                return await call.ExecuteAsync(command).ConfigureAwait(false) > 0;
            },
            record ? static changed => changed : null,
            cancellationToken);

    /// <inheritdoc/>
    public ValueTask<RoomMetadata?> GetMetadataAsync(string roomId, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        KeyValidation.ValidateRoomId(roomId);
        return _context.ReadAsync(
            Operation + nameof(GetMetadataAsync),
            Key(roomId),
            (roomId, _metadataSql),
            static async (call, s) =>
            {
                var fields = new List<KeyValuePair<string, string>>();
                await using DbCommand command = Command(call, s._metadataSql, s.roomId);
                await using DbDataReader reader = await call.QueryAsync(command).ConfigureAwait(false);
                while (await reader.ReadAsync(call.CancellationToken).ConfigureAwait(false))
                {
                    string field = reader.GetString(0);
                    string value = reader.GetString(1);
                    CheckStoredMetadata(s.roomId, field, value);
                    fields.Add(new KeyValuePair<string, string>(field, value));
                }

                return fields.Count == 0 ? null : new RoomMetadata(fields);
            },
            cancellationToken);
    }

    /// <summary>The typed metadata fields must parse, as on Redis (<c>file_size</c> an integer, <c>file_modified_timestamp</c> ISO 8601).</summary>
    private static void CheckStoredMetadata(string roomId, string field, string value)
    {
        if (field == RoomMetadata.FileSizeField
            && !long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out _))
        {
            throw new StorageDataException(MetadataKey(roomId), field, $"column value: expected a decimal integer, found {Describe(value)}.");
        }

        if (field == RoomMetadata.FileModifiedTimestampField && !ZnDrawTime.TryParseIsoWithOffset(value, out _))
        {
            throw new StorageDataException(MetadataKey(roomId), field, $"column value: expected an ISO 8601 timestamp, found {Describe(value)}.");
        }
    }

    /// <inheritdoc/>
    public ValueTask<bool> SetMetadataAsync(string roomId, RoomMetadata metadata, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        KeyValidation.ValidateRoomId(roomId);
        MetadataValidation.Validate(metadata, _context.Limits);

        return _context.WriteAsync(
            Operation + nameof(SetMetadataAsync),
            Key(roomId),
            (roomId, metadata.Fields, _lockForMetadataSql),
            static async (call, s) =>
            {
                // The room row first: a missing room writes nothing; a concurrent delete waits for this transaction.
                int next;
                await using (DbCommand check = Command(call, s._lockForMetadataSql, s.roomId))
                {
                    object? position = await call.ScalarAsync(check).ConfigureAwait(false);
                    if (position is null)
                    {
                        return false;
                    }

                    next = Convert.ToInt32(position, CultureInfo.InvariantCulture);
                }

                // A new field goes last; a field already stored keeps its place, as HSET keeps a hash field's.
                IReadOnlyList<KeyValuePair<string, string>> fields = s.Fields;
                for (int start = 0; start < fields.Count; start += MetadataRowsPerStatement)
                {
                    int rows = Math.Min(MetadataRowsPerStatement, fields.Count - start);
                    await using DbCommand upsert = Command(call, MetadataUpsertSql(rows), s.roomId);
                    for (int i = 0; i < rows; i++)
                    {
                        KeyValuePair<string, string> field = fields[start + i];
                        SqlCall.Add(upsert, Name("@f", i), field.Key);
                        SqlCall.Add(upsert, Name("@v", i), field.Value);
                        SqlCall.Add(upsert, Name("@p", i), next + start + i);
                    }

                    await call.ExecuteAsync(upsert).ConfigureAwait(false);
                }

                return true;
            },
            null,
            cancellationToken);
    }

    /// <inheritdoc/>
    public ValueTask<bool> DeleteMetadataFieldAsync(string roomId, string field, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        KeyValidation.ValidateRoomId(roomId);
        ArgumentException.ThrowIfNullOrEmpty(field);
        return _context.WriteAsync(
            Operation + nameof(DeleteMetadataFieldAsync),
            Key(roomId),
            (roomId, field),
            static async (call, s) =>
            {
                await using DbCommand command = Command(call, DeleteMetadataFieldSql, s.roomId);
                SqlCall.Add(command, "@field", s.field);
                return await call.ExecuteAsync(command).ConfigureAwait(false) > 0;
            },
            null,
            cancellationToken);
    }

    /// <inheritdoc/>
    public ValueTask<bool> AddUserAsync(string roomId, string userName, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        KeyValidation.ValidateRoomId(roomId);
        KeyValidation.ValidateUserName(userName);
        if (_usersInSql)
        {
            // Users in the same database: the user's current room and the membership in one transaction; the UPDATE
            // finds the user (or not) and holds its row, so a concurrent user delete never leaves half a write.
            return _context.WriteAsync(
                Operation + nameof(AddUserAsync),
                Key(roomId),
                (roomId, userName),
                static async (call, s) =>
                {
                    await using (DbCommand user = Command(call, SetCurrentRoomSql, s.roomId))
                    {
                        SqlCall.Add(user, "@user", s.userName);
                        if (await call.ExecuteAsync(user).ConfigureAwait(false) == 0)
                        {
                            return false;
                        }
                    }

                    await AddMemberAsync(call, s.roomId, s.userName).ConfigureAwait(false);
                    return true;
                },
                null,
                cancellationToken);
        }

        return AddUserElsewhereAsync(roomId, userName, cancellationToken);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<bool> AddUserElsewhereAsync(string roomId, string userName, CancellationToken cancellationToken)
    {
        // Users in another store: the user first (checked and written in one step there), then the membership
        // (idempotent), as the Redis backend's cluster-safe layout does; repeating the call completes it.
        if (!await _users.SetCurrentRoomAsync(userName, roomId, cancellationToken).ConfigureAwait(false))
        {
            return false;
        }

        return await _context.WriteAsync(
            Operation + nameof(AddUserAsync),
            Key(roomId),
            (roomId, userName),
            static async (call, s) =>
            {
                await AddMemberAsync(call, s.roomId, s.userName).ConfigureAwait(false);
                return true;
            },
            null,
            cancellationToken).ConfigureAwait(false);
    }

    private static async Task AddMemberAsync(SqlCall call, string roomId, string userName)
    {
        await using DbCommand member = Command(call, AddMemberSql, roomId);
        SqlCall.Add(member, "@user", userName);
        await call.ExecuteAsync(member).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public ValueTask<IReadOnlyList<string>> GetUsersAsync(string roomId, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        KeyValidation.ValidateRoomId(roomId);
        return _context.ReadAsync(
            Operation + nameof(GetUsersAsync),
            Key(roomId),
            (_usersSql, roomId),
            static (call, s) => ReadStringsAsync(call, s._usersSql, s.roomId),
            cancellationToken);
    }

    /// <inheritdoc/>
    public ValueTask<string?> GetDefaultRoomAsync(CancellationToken cancellationToken = default) =>
        _context.ReadAsync(
            Operation + nameof(GetDefaultRoomAsync),
            "server_settings:default_room",
            0,
            static async (call, _) =>
            {
                await using DbCommand command = call.Command(GetDefaultRoomSql);
                return await call.ScalarAsync(command).ConfigureAwait(false) as string;
            },
            cancellationToken);

    /// <inheritdoc/>
    public ValueTask<bool> SetDefaultRoomAsync(string roomId, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        KeyValidation.ValidateRoomId(roomId);

        // Written only when the room exists (the INSERT selects its row): one statement.
        return _context.WriteAsync(
            Operation + nameof(SetDefaultRoomAsync),
            "server_settings:default_room",
            roomId,
            static async (call, roomId) =>
            {
                await using DbCommand command = Command(call, SetDefaultRoomSql, roomId);
                return await call.ExecuteAsync(command).ConfigureAwait(false) > 0;
            },
            static changed => changed,
            cancellationToken);
    }

    /// <inheritdoc/>
    public ValueTask<bool> ClearDefaultRoomAsync(CancellationToken cancellationToken = default) =>
        _context.WriteAsync(
            Operation + nameof(ClearDefaultRoomAsync),
            "server_settings:default_room",
            0,
            static async (call, _) =>
            {
                await using DbCommand command = call.Command(ClearDefaultRoomSql);
                return await call.ExecuteAsync(command).ConfigureAwait(false) > 0;
            },
            null,
            cancellationToken);

    // ---------------------------------------------------------------- helpers

    /// <summary>Reads whether the room exists and whether a cleanup of it is pending, after an insert that did not happen.</summary>
    private static async ValueTask<Attempt> ProbeAsync(SqlCall call, string roomId)
    {
        await using DbCommand probe = Command(call, ProbeSql, roomId);
        await using DbDataReader reader = await call.QueryAsync(probe).ConfigureAwait(false);
        await reader.ReadAsync(call.CancellationToken).ConfigureAwait(false);

        // The room exists: nothing to do. Otherwise a cleanup blocked the insert (or was finished meanwhile): retry.
        return SqlCall.GetBool(reader, 0) ? Attempt.Existed : new Attempt(false, false, SqlCall.GetUtcOrNull(reader, 1));
    }

    private static async ValueTask<IReadOnlyList<string>> ReadStringsAsync(SqlCall call, string sql, string? roomId)
    {
        var values = new List<string>();
        await using DbCommand command = roomId is null ? call.Command(sql) : Command(call, sql, roomId);
        await using DbDataReader reader = await call.QueryAsync(command).ConfigureAwait(false);
        while (await reader.ReadAsync(call.CancellationToken).ConfigureAwait(false))
        {
            values.Add(reader.GetString(0));
        }

        return values;
    }

    /// <summary>A command with the room id as <c>@id</c>.</summary>
    private static DbCommand Command(SqlCall call, string sql, string roomId) => SqlCall.Add(call.Command(sql), "@id", roomId);

    private static string Key(string roomId) => "rooms:" + roomId;

    private static string MetadataKey(string roomId) => "room_metadata:" + roomId;

    private static string Name(string prefix, int i) => prefix + i.ToString(CultureInfo.InvariantCulture);

    private static string Describe(string value) =>
        value.Length <= 40 ? "'" + value + "'" : "'" + value[..40] + "…' (" + value.Length.ToString(CultureInfo.InvariantCulture) + " characters)";

    private void CheckDescription(string? description, string paramName) =>
        SizeLimits.CheckText(description, _context.Limits.MaxDescriptionBytes, "description", paramName);

    /// <summary>The upsert of <paramref name="rows"/> metadata fields (built once per row count).</summary>
    private static string MetadataUpsertSql(int rows)
    {
        string? sql = Volatile.Read(ref MetadataInsertSql[rows]);
        if (sql is null)
        {
            var text = new StringBuilder("INSERT INTO room_metadata (room_id, field, value, position) VALUES ");
            for (int i = 0; i < rows; i++)
            {
                text.Append(i == 0 ? "(@id, " : ", (@id, ")
                    .Append(Name("@f", i)).Append(", ").Append(Name("@v", i)).Append(", ").Append(Name("@p", i)).Append(')');
            }

            text.Append(" ON CONFLICT (room_id, field) DO UPDATE SET value = excluded.value");
            sql = text.ToString();
            Volatile.Write(ref MetadataInsertSql[rows], sql);
        }

        return sql;
    }

    /// <summary>
    /// <c>DELETE</c> of the room row, then of the room's rows in every room-scoped table of the model (those with a
    /// <c>room_id</c> column): one command. The room row goes first, so a writer holding it (metadata) finishes before the
    /// rest is deleted.
    /// </summary>
    private static string BuildDeleteSql(IRelationalModel model)
    {
        var sql = new StringBuilder("DELETE FROM rooms WHERE id = @id;");
        foreach (ITable table in model.Tables.OrderBy(t => t.Name, StringComparer.Ordinal))
        {
            if (!NotRoomScoped.Contains(table.Name) && table.FindColumn("room_id") is not null)
            {
                sql.Append(" DELETE FROM ").Append(Quote(table.Name)).Append(" WHERE room_id = @id;");
            }
        }

        return sql.ToString();
    }

    /// <summary>
    /// The copy of <see cref="CopiedTables"/> from <c>@source</c> to <c>@id</c>: the target's stray rows deleted, then
    /// <c>INSERT ... SELECT</c> of every column but <c>room_id</c> (and a generated single-column key). Where the dialect has
    /// data-modifying <c>WITH</c> (PostgreSQL) the inserts are one statement, so they read one snapshot of the source;
    /// otherwise (SQLite) the transaction holds the database's write lock throughout.
    /// </summary>
    private static (string? Sql, string? Missing) BuildCopySql(IRelationalModel model, bool oneStatement)
    {
        var deletes = new StringBuilder();
        var inserts = new List<string>();
        var missing = new List<string>();
        foreach (string name in CopiedTables)
        {
            ITable? table = model.FindTable(name, null);
            if (table is null)
            {
                missing.Add(name);
                continue;
            }

            var columns = new List<string>();
            foreach (IColumn column in table.Columns)
            {
                if (column.Name != "room_id" && !IsGeneratedKey(table, column))
                {
                    columns.Add(Quote(column.Name));
                }
            }

            string list = string.Join(", ", columns);
            deletes.Append("DELETE FROM ").Append(Quote(name)).Append(" WHERE room_id = @id; ");
            inserts.Add($"INSERT INTO {Quote(name)} (room_id{(list.Length == 0 ? "" : ", " + list)}) SELECT @id{(list.Length == 0 ? "" : ", " + list)} FROM {Quote(name)} WHERE room_id = @source");
        }

        if (missing.Count > 0)
        {
            return (null, string.Join(", ", missing));
        }

        if (!oneStatement)
        {
            return (deletes.ToString() + string.Join("; ", inserts) + ";", null);
        }

        var with = new StringBuilder(deletes.ToString()).Append("WITH ");
        for (int i = 0; i < inserts.Count - 1; i++)
        {
            with.Append(i == 0 ? string.Empty : ", ").Append("copy_").Append(i.ToString(CultureInfo.InvariantCulture)).Append(" AS (").Append(inserts[i]).Append(')');
        }

        return (with.Append(' ').Append(inserts[^1]).Append(';').ToString(), null);
    }

    private static bool IsGeneratedKey(ITable table, IColumn column) =>
        table.PrimaryKey is { Columns.Count: 1 } key
        && key.Columns[0] == column
        && column.PropertyMappings.Any(m => m.Property.ValueGenerated == ValueGenerated.OnAdd);

    private static string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    /// <summary>One try of a write that may create the room, and what it found when it did not write.</summary>
    /// <param name="Done">False when a pending cleanup blocked the write: finish it and try again.</param>
    /// <param name="Wrote">True when the row was written.</param>
    /// <param name="PendingCleanup">The pending cleanup's stamp, or null when none was found.</param>
    private readonly record struct Attempt(bool Done, bool Wrote, DateTime? PendingCleanup)
    {
        public static Attempt Written => new(true, true, null);

        public static Attempt Existed => new(true, false, null);
    }
}
