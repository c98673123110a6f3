using Microsoft.EntityFrameworkCore.Design;
using Microsoft.EntityFrameworkCore;

namespace ZnDraw.Storage.Sql;

/// <summary>Lets <c>dotnet ef migrations add --context SqliteHistoryDbContext</c> build the SQLite model (no database is opened).</summary>
internal sealed class SqliteHistoryDesignTimeFactory : IDesignTimeDbContextFactory<SqliteHistoryDbContext>
{
    public SqliteHistoryDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder().UseSqlite("Data Source=history.db").Options);
}

/// <summary>
/// Lets <c>dotnet ef migrations add --context PostgresHistoryDbContext</c> build the PostgreSQL model.
/// <c>dotnet ef database update</c> reads the connection string from <c>ZNDRAW_HISTORY_POSTGRES</c>.
/// </summary>
internal sealed class PostgresHistoryDesignTimeFactory : IDesignTimeDbContextFactory<PostgresHistoryDbContext>
{
    public PostgresHistoryDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder()
            .UseNpgsql(Environment.GetEnvironmentVariable("ZNDRAW_HISTORY_POSTGRES") ?? "Host=localhost;Database=zndraw_history")
            .Options);
}

/// <summary>Lets <c>dotnet ef migrations add --context SqliteStorageDbContext</c> build the SQLite storage model (no database is opened).</summary>
internal sealed class SqliteStorageDesignTimeFactory : IDesignTimeDbContextFactory<Model.SqliteStorageDbContext>
{
    public Model.SqliteStorageDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder().UseSqlite("Data Source=zndraw.db").Options);
}

/// <summary>
/// Lets <c>dotnet ef migrations add --context PostgresStorageDbContext</c> build the PostgreSQL storage model.
/// <c>dotnet ef database update</c> reads the connection string from <c>ZNDRAW_STORAGE_POSTGRES</c>.
/// </summary>
internal sealed class PostgresStorageDesignTimeFactory : IDesignTimeDbContextFactory<Model.PostgresStorageDbContext>
{
    public Model.PostgresStorageDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder()
            .UseNpgsql(Environment.GetEnvironmentVariable("ZNDRAW_STORAGE_POSTGRES") ?? "Host=localhost;Database=zndraw")
            .Options);
}
