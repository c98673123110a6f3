namespace ZnDraw.Storage.Sql;

/// <summary>Options of the SQL history store.</summary>
public sealed class SqlHistoryOptions
{
    /// <summary>Whether the host applies pending migrations when it starts (before the dispatcher delivers).</summary>
    /// <value>Default <see langword="false"/>: apply them with <c>MigrateHistoryDatabaseAsync</c>, or as a script from <c>dotnet ef migrations script</c>.</value>
    public bool MigrateOnStart { get; set; }
}
