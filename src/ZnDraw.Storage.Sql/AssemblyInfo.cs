namespace ZnDraw.Storage.Sql;

/// <summary>Describes the SQL history package.</summary>
public static class SqlHistoryPackage
{
    /// <summary>The name of the package, used for diagnostics.</summary>
    public const string Name = "ZnDraw.Storage.Sql";
}
