namespace ZnDraw.Storage.Tool.Infrastructure;

/// <summary>
/// Every exit code of zndraw-storage, in one place (docs/tool.md lists them). A command returns <see cref="Ok"/> or
/// throws; <see cref="ToolErrors"/> turns the exception into one of the others. A new code is added here and to the doc.
/// </summary>
internal static class ExitCodes
{
    /// <summary>The command did what was asked.</summary>
    public const int Ok = 0;

    /// <summary>An unexpected error (a defect of the tool or the library): the message names its type; --verbose prints the stack trace.</summary>
    public const int Failure = 1;

    /// <summary>Wrong usage: an unknown command or option, a bad option value or id, a missing or invalid setting, an unreadable settings file.</summary>
    public const int Usage = 2;

    /// <summary>The room, user or other item named does not exist.</summary>
    public const int NotFound = 3;

    /// <summary>Redis or the SQL database cannot be reached, refused the connection, or timed out.</summary>
    public const int Unavailable = 4;

    /// <summary>Stored data cannot be read (a value of the wrong type or shape: <c>StorageDataException</c>).</summary>
    public const int DataError = 5;

    /// <summary>The key layout given does not match the server or the data (e.g. ZnDraw's own layout on a Redis Cluster).</summary>
    public const int WrongLayout = 6;

    /// <summary>Interrupted (Ctrl+C), as shells report SIGINT.</summary>
    public const int Cancelled = 130;
}
