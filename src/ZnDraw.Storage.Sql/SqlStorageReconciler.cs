using System.Data.Common;
using System.Globalization;
using ZnDraw.Storage.Contracts;
using ZnDraw.Storage.History;
using ZnDraw.Storage.Diagnostics;
using ZnDraw.Storage.Sql;
using ZnDraw.Storage.Sql.Repositories;

namespace ZnDraw.Storage.Sql
{
    /// <summary>What one <see cref="SqlStorageReconciler.ReconcileAsync"/> found and did.</summary>
    /// <param name="RoomCleanupsFound">Pending room cleanups (<c>room_cleanups</c> rows) the run listed.</param>
    /// <param name="RoomCleanupsFinished">
    /// Cleanups this run finished: the deleted room's ephemeral state was removed from Redis and its row deleted.
    /// </param>
    /// <param name="RoomCleanupsAlreadyFinished">
    /// Listed cleanups that another caller finished first (the delete itself, a create of the same id, a concurrent
    /// reconcile): nothing left to do.
    /// </param>
    /// <param name="RoomCleanupsSuperseded">
    /// Listed cleanups of a room id that exists again in SQL: the row was dropped and Redis left alone, because the Redis
    /// state of that id now belongs to the live room.
    /// </param>
    public sealed record SqlReconcileResult(
        int RoomCleanupsFound,
        int RoomCleanupsFinished,
        int RoomCleanupsAlreadyFinished,
        int RoomCleanupsSuperseded)
    {
        /// <summary>True when the run changed nothing (no pending cleanup was finished or dropped).</summary>
        public bool NothingToDo => RoomCleanupsFinished == 0 && RoomCleanupsSuperseded == 0;
    }

    /// <summary>
    /// Repairs what a process killed in the middle of an operation across SQL and Redis left behind: finishes every pending
    /// room cleanup (a room deleted in SQL whose ephemeral state — locks, presence, jobs, extensions — may still be in
    /// Redis). Run at start (<see cref="SqlStorageOptions.ReconcileOnStart"/>) and whenever a host wants.
    /// </summary>
    /// <remarks>
    /// <para>
    /// A room delete in SQL is one transaction that removes the room's rows and writes a <c>room_cleanups</c> row; the
    /// ephemeral state is then removed through <see cref="IRoomEphemeralState"/> and the row deleted. A crash between the
    /// steps leaves the row: SQL says the room is gone, and this operation removes what Redis still holds.
    /// </para>
    /// <para>
    /// Each pending row is claimed and finished in one SQL transaction: the row is deleted, the Redis state removed, then
    /// the transaction commits. Until it commits the row is locked (PostgreSQL: the row; SQLite: the database's write lock),
    /// so a concurrent create or delete of the same id that touches the row waits, and a new room of that id never loses
    /// its Redis state to an older delete. A row whose room exists again is dropped without touching Redis. A Redis failure
    /// rolls the claim back: the row stays pending for the next run, and the exception propagates.
    /// </para>
    /// <para>
    /// Idempotent (a second run finds nothing), safe to run concurrently with itself and with traffic, and bounded: rows
    /// written after the listing started are left to their own delete (or the next run). One SQL round trip per page of
    /// 256 rows to list, then one transaction and one Redis call per pending row.
    /// </para>
    /// </remarks>
    public sealed class SqlStorageReconciler
    {
        /// <summary>How many pending rows one listing query reads.</summary>
        internal const int PageSize = 256;

        private const string Operation = "SqlStorageReconciler.ReconcileAsync";

        private readonly SqlStoreContext _context;
        private readonly IRoomEphemeralState _roomState;
        private readonly string _listSql;

        internal SqlStorageReconciler(SqlStoreContext context, IRoomEphemeralState roomState)
        {
            ArgumentNullException.ThrowIfNull(context);
            ArgumentNullException.ThrowIfNull(roomState);
            _context = context;
            _roomState = roomState;
            _listSql = string.Create(
                CultureInfo.InvariantCulture,
                $"SELECT room_id FROM room_cleanups WHERE room_id > @after{context.Dialect.Ordinal} ORDER BY room_id{context.Dialect.Ordinal} LIMIT {PageSize}");
        }

        /// <summary>Finishes every room cleanup that is pending when the call starts.</summary>
        /// <param name="cancellationToken">Checked before each row; a cancelled run leaves the remaining rows pending (safe).</param>
        /// <returns>What was found and done.</returns>
        /// <exception cref="StorageUnavailableException">The database or Redis could not be reached or timed out; what is not finished stays pending, and the call may be retried.</exception>
        /// <exception cref="StorageBackendException">The database refused a statement (e.g. the storage migrations were not applied).</exception>
        public async Task<SqlReconcileResult> ReconcileAsync(CancellationToken cancellationToken = default)
        {
            using var op = StorageOperation.Start("storage.reconcile", _context.Dialect.DbSystemName);
            try
            {
                int found = 0, finished = 0, already = 0, superseded = 0;
                string after = string.Empty;
                while (true)
                {
                    IReadOnlyList<string> page = await _context.ReadAsync(
                        Operation,
                        "room_cleanups",
                        (Sql: _listSql, After: after),
                        static async (call, state) =>
                        {
                            await using DbCommand command = SqlCall.Add(call.Command(state.Sql), "@after", state.After);
                            await using DbDataReader reader = await call.QueryAsync(command).ConfigureAwait(false);
                            var ids = new List<string>();
                            while (await reader.ReadAsync(call.CancellationToken).ConfigureAwait(false))
                            {
                                ids.Add(reader.GetString(0));
                            }

                            return (IReadOnlyList<string>)ids;
                        },
                        cancellationToken).ConfigureAwait(false);

                    foreach (string roomId in page)
                    {
                        cancellationToken.ThrowIfCancellationRequested();
                        found++;
                        switch (await FinishCleanupAsync(_context, _roomState, roomId, cancellationToken).ConfigureAwait(false))
                        {
                            case CleanupOutcome.Finished:
                                finished++;
                                break;
                            case CleanupOutcome.Superseded:
                                superseded++;
                                break;
                            default:
                                already++;
                                break;
                        }
                    }

                    if (page.Count < PageSize)
                    {
                        return new SqlReconcileResult(found, finished, already, superseded);
                    }

                    after = page[^1];
                }
            }
            catch (Exception ex) when (op.RecordFailure(ex))
            {
                throw;
            }
        }

        /// <summary>
        /// Claims the pending cleanup of <paramref name="roomId"/> and, when its room is still gone, removes the room's Redis
        /// state before the claim commits: one transaction, so whoever else finishes the same row (a create of the id, a
        /// concurrent reconcile) waits for it or finds the row gone, and a room created again never loses its Redis state.
        /// </summary>
        /// <returns>What happened to the row.</returns>
        internal static ValueTask<CleanupOutcome> FinishCleanupAsync(
            SqlStoreContext context, IRoomEphemeralState roomState, string roomId, CancellationToken cancellationToken) =>
            context.WriteAsync(
                Operation,
                "room_cleanups:" + roomId,
                (RoomId: roomId, State: roomState),
                static async (call, state) =>
                {
                    // The claim: the row is deleted (and stays locked until commit) and tells whether the room lives again.
                    await using DbCommand claim = SqlCall.Add(
                        call.Command(
                            "DELETE FROM room_cleanups WHERE room_id = @id " +
                            "RETURNING (SELECT COUNT(*) FROM rooms WHERE id = @id)"),
                        "@id",
                        state.RoomId);
                    object? roomRows = await call.ScalarAsync(claim).ConfigureAwait(false);
                    if (roomRows is null or DBNull)
                    {
                        return CleanupOutcome.AlreadyFinished;
                    }

                    if (Convert.ToInt64(roomRows, CultureInfo.InvariantCulture) > 0)
                    {
                        return CleanupOutcome.Superseded;
                    }

                    // A service's history event (e.g. of the create that finishes this cleanup) belongs to its SQL
                    // step: the Redis delete must not take it into the outbox.
                    HistoryOutboxScope? scope = HistoryOutboxScope.Current;
                    bool held = scope is not null && scope.TryTake();
                    try
                    {
                        await state.State.DeleteAsync(state.RoomId, call.CancellationToken).ConfigureAwait(false);
                    }
                    finally
                    {
                        if (held)
                        {
                            scope!.Release();
                        }
                    }

                    return CleanupOutcome.Finished;
                },
                recordWhen: null,
                cancellationToken);

        /// <summary>What <see cref="FinishCleanupAsync"/> did with a pending cleanup.</summary>
        internal enum CleanupOutcome
        {
            /// <summary>No row: another caller finished it first.</summary>
            AlreadyFinished,

            /// <summary>The Redis state was removed and the row deleted.</summary>
            Finished,

            /// <summary>The room exists again: the row was deleted, Redis left alone.</summary>
            Superseded,
        }
    }
}

#pragma warning disable IDE0130 // DI extensions live in the DI namespace, as Microsoft's do.
namespace Microsoft.Extensions.DependencyInjection
#pragma warning restore IDE0130
{
    /// <summary>Runs the SQL storage's cross-store reconcile from a host's services.</summary>
    public static class SqlStorageReconcilerExtensions
    {
        /// <summary>
        /// Finishes what a crash left between SQL and Redis (see <see cref="SqlStorageReconciler"/>): every pending room
        /// cleanup. Idempotent; safe beside traffic and beside another reconcile.
        /// </summary>
        /// <param name="services">The host's services (after <c>AddSqlStorage</c>).</param>
        /// <param name="cancellationToken">Stops the run between rows; what is not finished stays pending.</param>
        /// <returns>What was found and done.</returns>
        /// <exception cref="StorageUnavailableException">The database or Redis could not be reached or timed out; the call may be retried.</exception>
        public static Task<SqlReconcileResult> ReconcileStorageAsync(this IServiceProvider services, CancellationToken cancellationToken = default)
        {
            ArgumentNullException.ThrowIfNull(services);
            return services.GetRequiredService<SqlStorageReconciler>().ReconcileAsync(cancellationToken);
        }
    }
}
