using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using ZnDraw.Storage.Sql.Model;

namespace ZnDraw.Storage.Sql.PostgreSql;

/// <summary>The history context on PostgreSQL (<c>jsonb</c> JSON columns); owns the PostgreSQL history migrations (<c>Migrations/History</c>).</summary>
internal sealed class PostgresHistoryDbContext(DbContextOptions options) : HistoryDbContext(options)
{
    private protected override string? JsonColumnType => "jsonb";
}

/// <summary>The storage schema on PostgreSQL; owns the PostgreSQL storage migrations (<c>Migrations/Storage</c>).</summary>
internal sealed class PostgresStorageDbContext(DbContextOptions options) : StorageDbContext(options);

/// <summary>
/// Lets <c>dotnet ef migrations add --context PostgresHistoryDbContext</c> build the PostgreSQL model.
/// <c>dotnet ef database update</c> reads the connection string from <c>ZNDRAW_HISTORY_POSTGRES</c>.
/// </summary>
internal sealed class PostgresHistoryDesignTimeFactory : IDesignTimeDbContextFactory<PostgresHistoryDbContext>
{
    public PostgresHistoryDbContext CreateDbContext(string[] args) =>
        new(new PostgresDialect(Environment.GetEnvironmentVariable("ZNDRAW_HISTORY_POSTGRES") ?? "Host=localhost;Database=zndraw_history", null)
            .CreateContextOptions(null));
}

/// <summary>
/// Lets <c>dotnet ef migrations add --context PostgresStorageDbContext</c> build the PostgreSQL storage model.
/// <c>dotnet ef database update</c> reads the connection string from <c>ZNDRAW_STORAGE_POSTGRES</c>.
/// </summary>
internal sealed class PostgresStorageDesignTimeFactory : IDesignTimeDbContextFactory<PostgresStorageDbContext>
{
    public PostgresStorageDbContext CreateDbContext(string[] args) =>
        new(new PostgresDialect(Environment.GetEnvironmentVariable("ZNDRAW_STORAGE_POSTGRES") ?? "Host=localhost;Database=zndraw", null)
            .CreateContextOptions(null));
}
