using System.Data.Common;
using System.Net.Sockets;
using ZnDraw.Storage.Contracts;
using ZnDraw.Storage.Sql.Provider;

namespace ZnDraw.Storage.Sql.Repositories;

/// <summary>Classifies database failures and maps them to the library's exceptions, as <c>RedisErrors</c> does for Redis.</summary>
internal static class SqlErrors
{
    /// <summary>True for an exception a database call raises (mapped by <see cref="Map"/>); not for argument or cancellation errors.</summary>
    public static bool IsDatabaseFailure(Exception exception) =>
        exception is DbException or SocketException or TimeoutException or IOException
        || (exception is InvalidOperationException && exception.InnerException is DbException or SocketException or TimeoutException);

    /// <summary>
    /// Maps a database failure of <paramref name="operation"/> on <paramref name="key"/> (e.g. <c>rooms:lobby</c>):
    /// the provider's own exceptions as <paramref name="dialect"/> classifies them; unreachable or timed out →
    /// <see cref="StorageUnavailableException"/> (retry may help); anything else → <see cref="StorageBackendException"/>.
    /// </summary>
    public static Exception Map(SqlDialect dialect, Exception exception, string operation, string? key) =>
        dialect.Map(exception, operation, key) ?? exception switch
        {
            SocketException or TimeoutException or IOException =>
                new StorageUnavailableException(operation, key, "The database could not be reached: " + exception.Message, exception),
            InvalidOperationException { InnerException: { } inner } => Map(dialect, inner, operation, key),
            _ => new StorageBackendException(operation, key, exception.Message, exception),
        };
}
