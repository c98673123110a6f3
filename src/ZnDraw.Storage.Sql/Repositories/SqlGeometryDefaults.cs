using System.Data.Common;
using System.Globalization;
using System.Text;
using ZnDraw.Storage.Models;

namespace ZnDraw.Storage.Sql.Repositories;

/// <summary>ZnDraw's default geometries, written into <c>room_geometries</c> when a room is created (as the Redis create script does).</summary>
internal static class SqlGeometryDefaults
{
    /// <summary>One INSERT of every default geometry (<c>@room</c>, <c>@n{i}</c>, <c>@v{i}</c>); replaces a row of the same name as HSET does.</summary>
    private static readonly string Insert = BuildInsert();

    /// <summary>Inserts the default geometries of a new room in the caller's transaction.</summary>
    /// <param name="call">The create's connection and transaction.</param>
    /// <param name="roomId">The new room (its <c>rooms</c> row is written already).</param>
    /// <returns>A task that completes when the rows are written.</returns>
    /// <remarks>
    /// The values are <see cref="DefaultGeometries"/>' JSON as ZnDraw writes it, byte for byte what the Redis backend stores,
    /// so <see cref="Contracts.IGeometryRepository.GetAllAsync"/> reads the same geometries on both backends (here ordered by
    /// name). One statement.
    /// </remarks>
    public static async Task InsertAsync(SqlCall call, string roomId)
    {
        await using DbCommand command = call.Command(Insert);
        SqlCall.Add(command, "@room", roomId);
        for (int i = 0; i < DefaultGeometries.All.Count; i++)
        {
            DefaultGeometry geometry = DefaultGeometries.All[i];
            SqlCall.Add(command, "@n" + i.ToString(CultureInfo.InvariantCulture), geometry.Name);
            SqlCall.Add(command, "@v" + i.ToString(CultureInfo.InvariantCulture), geometry.Json);
        }

        await call.ExecuteAsync(command).ConfigureAwait(false);
    }

    private static string BuildInsert()
    {
        var sql = new StringBuilder("INSERT INTO ").Append(SqlGeometryRepository.GeometriesTable).Append(" (room_id, name, value) VALUES ");
        for (int i = 0; i < DefaultGeometries.All.Count; i++)
        {
            sql.Append(CultureInfo.InvariantCulture, $"{(i == 0 ? string.Empty : ", ")}(@room, @n{i}, @v{i})");
        }

        return sql.Append(" ON CONFLICT (room_id, name) DO UPDATE SET value = excluded.value").ToString();
    }
}
