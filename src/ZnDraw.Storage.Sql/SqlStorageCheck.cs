using System.Data.Common;
using ZnDraw.Storage.Contracts;
using ZnDraw.Storage.Redis.Check;
using ZnDraw.Storage.Services;
using ZnDraw.Storage.Sql.Repositories;

namespace ZnDraw.Storage.Sql;

/// <summary>
/// The SQL side of <see cref="StorageCheck"/> for a hybrid store (<c>AddSqlStorage</c>): every pending room cleanup
/// (<c>room_cleanups</c> row: a room deleted in SQL whose Redis state may still be there) is a problem, repaired by the
/// reconcile's own locked step (<see cref="SqlStorageReconciler"/>), which leaves a room that exists again alone.
/// </summary>
/// <remarks>
/// Room-scoped Redis state of a room SQL does not hold is not a problem on its own: as in ZnDraw, room-scoped data may be
/// written for a room that was never created (a lock, a job), so only what a delete left behind is repaired.
/// </remarks>
internal sealed class SqlStorageCheck(SqlStoreContext context, IRoomEphemeralState roomState, SqlStorageGroups groups) : IStorageCrossCheck
{
    private const string Operation = "StorageCheck.Sql";

    public bool OwnsRooms => groups.HasFlag(SqlStorageGroups.Rooms);

    public bool OwnsUsers => groups.HasFlag(SqlStorageGroups.Users);

    public async ValueTask<IReadOnlyList<StorageProblem>> CheckAsync(IReadOnlySet<string> redisRoomIds, CancellationToken cancellationToken)
    {
        IReadOnlyList<(string RoomId, bool Exists)> rows = await context.ReadAsync(
            Operation,
            "room_cleanups",
            0,
            static async (call, _) =>
            {
                await using DbCommand command = call.Command(
                    "SELECT c.room_id, (SELECT COUNT(*) FROM rooms r WHERE r.id = c.room_id) FROM room_cleanups c");
                await using DbDataReader reader = await call.QueryAsync(command).ConfigureAwait(false);
                var list = new List<(string, bool)>();
                while (await reader.ReadAsync(call.CancellationToken).ConfigureAwait(false))
                {
                    list.Add((reader.GetString(0), Convert.ToInt64(reader.GetValue(1), System.Globalization.CultureInfo.InvariantCulture) > 0));
                }

                return (IReadOnlyList<(string, bool)>)list;
            },
            cancellationToken).ConfigureAwait(false);

        return [.. rows.OrderBy(static r => r.RoomId, StringComparer.Ordinal).Select(r => new StorageProblem(
            StorageProblemKind.PendingCleanup,
            "room_cleanups " + r.RoomId,
            r.Exists
                ? $"room {r.RoomId} exists again in SQL; the stale cleanup row is dropped, its Redis state kept"
                : $"room {r.RoomId} was deleted in SQL; its Redis state is {(redisRoomIds.Contains(r.RoomId) ? "still there" : "gone")} and the cleanup is pending",
            true)
        {
            Target = r.RoomId,
        })];
    }

    public async ValueTask<string?> RepairAsync(StorageProblem problem, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(problem);
        string roomId = (string)problem.Target!;
        return await SqlStorageReconciler.FinishCleanupAsync(context, roomState, roomId, cancellationToken).ConfigureAwait(false) switch
        {
            SqlStorageReconciler.CleanupOutcome.Finished => $"removed the Redis state of deleted room {roomId} and its cleanup row",
            SqlStorageReconciler.CleanupOutcome.Superseded => $"dropped the cleanup row of room {roomId}, which exists again",
            _ => null,
        };
    }
}
