namespace ZnDraw.Storage.Sql.Repositories;

/// <summary>ZnDraw's default geometries, written into <c>room_geometries</c> when a room is created (as the Redis create script does).</summary>
internal static class SqlGeometryDefaults
{
    /// <summary>Inserts the default geometries of a new room in the caller's transaction.</summary>
    /// <param name="call">The create's connection and transaction.</param>
    /// <param name="roomId">The new room.</param>
    /// <returns>A task that completes when the rows are written.</returns>
    public static Task InsertAsync(SqlCall call, string roomId) =>
        throw new NotImplementedException($"Default geometries for {roomId} ({call.Connection.GetType().Name}).");
}
