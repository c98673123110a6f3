using ZnDraw.Storage.Redis;
using ZnDraw.Storage.Redis.Keys;
using ZnDraw.Storage.Sql;

namespace ZnDraw.Storage.Tool.Infrastructure;

/// <summary>
/// Says "wrong layout" when data is missing under the chosen key layout but present under the other one. The index
/// sets (<c>rooms:index</c>, <c>users:index</c>) are named alike in both layouts, while a room's or user's own keys
/// differ (<c>room:x:...</c> vs <c>room:{x}:...</c>): an indexed room that exists only under the other layout is the
/// sign. Probed through the library (a <see cref="ZnDrawRedisStore"/> on the same connection with the other layout),
/// only when a lookup came back empty, so a healthy store pays nothing.
/// </summary>
internal static class LayoutProbe
{
    private const int MaxProbes = 3;

    /// <summary>Throws a <see cref="ToolException"/> (<see cref="ExitCodes.WrongLayout"/>) when one of these rooms exists under the other layout.</summary>
    public static Task ThrowIfRoomsUnderOtherLayoutAsync(ToolStore store, IEnumerable<string> roomIds, CancellationToken cancellationToken) =>
        ProbeAsync(store, SqlStorageGroups.Rooms, "room", roomIds, static (s, id, ct) => s.Rooms.ExistsAsync(id, ct), cancellationToken);

    /// <summary>
    /// Before a listing: when none of the first indexed rooms exists under the chosen layout, throws if one exists under
    /// the other (so the listing does not first warn about every index entry it cannot find).
    /// </summary>
    public static async Task EnsureRoomsLayoutAsync(ToolStore store, IReadOnlyList<string> indexed, CancellationToken cancellationToken)
    {
        if (indexed.Count == 0 || store.SqlStorage.HasFlag(SqlStorageGroups.Rooms))
        {
            return;
        }

        var rooms = store.Get<Contracts.IRoomRepository>();
        foreach (var id in indexed.Take(MaxProbes))
        {
            if (await rooms.ExistsAsync(id, cancellationToken).ConfigureAwait(false))
            {
                return;
            }
        }

        await ThrowIfRoomsUnderOtherLayoutAsync(store, indexed, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Throws a <see cref="ToolException"/> (<see cref="ExitCodes.WrongLayout"/>) when one of these users exists under the other layout.</summary>
    public static Task ThrowIfUsersUnderOtherLayoutAsync(ToolStore store, IEnumerable<string> userNames, CancellationToken cancellationToken) =>
        ProbeAsync(store, SqlStorageGroups.Users, "user", userNames, static (s, id, ct) => s.Users.ExistsAsync(id, ct), cancellationToken);

    /// <summary>The flag value of a layout.</summary>
    public static string FlagValue(KeyLayout layout) => layout == KeyLayout.ClusterSafe ? "cluster-safe" : "zndraw";

    private static async Task ProbeAsync(
        ToolStore store,
        SqlStorageGroups group,
        string what,
        IEnumerable<string> ids,
        Func<ZnDrawRedisStore, string, CancellationToken, ValueTask<bool>> exists,
        CancellationToken cancellationToken)
    {
        if (store.SqlStorage.HasFlag(group))
        {
            return; // Read from SQL: no key layout involved.
        }

        var layout = store.Options.Layout;
        var otherLayout = layout == KeyLayout.ClusterSafe ? KeyLayout.ZnDraw : KeyLayout.ClusterSafe;
        KeySpace otherKeys;
        try
        {
            otherKeys = new KeySpace(store.Options.KeyPrefix, otherLayout);
        }
        catch (ArgumentException)
        {
            return; // The prefix is not valid in the other layout: nothing can be stored there.
        }

        var other = new ZnDrawRedisStore(store.Redis, otherKeys, database: store.Options.Database);
        foreach (var id in ids.Take(MaxProbes))
        {
            bool found;
            try
            {
                found = await exists(other, id, cancellationToken).ConfigureAwait(false);
            }
            catch (ArgumentException)
            {
                continue; // An id the other layout refuses (e.g. braces under cluster-safe).
            }

            if (found)
            {
                throw new ToolException(
                    ExitCodes.WrongLayout,
                    $"wrong layout: {what} '{id}' is stored under the {FlagValue(otherLayout)} layout, not {FlagValue(layout)}; "
                    + $"pass --layout {FlagValue(otherLayout)} (ZnDrawStorage:Layout = {otherLayout}).");
            }
        }
    }
}
