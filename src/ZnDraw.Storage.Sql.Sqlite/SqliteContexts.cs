using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using ZnDraw.Storage.Sql.Model;

namespace ZnDraw.Storage.Sql.Sqlite;

/// <summary>The history context on SQLite; owns the SQLite history migrations (<c>Migrations/History</c>).</summary>
internal sealed class SqliteHistoryDbContext(DbContextOptions options) : HistoryDbContext(options);

/// <summary>The storage schema on SQLite; owns the SQLite storage migrations (<c>Migrations/Storage</c>).</summary>
internal sealed class SqliteStorageDbContext(DbContextOptions options) : StorageDbContext(options);

/// <summary>Lets <c>dotnet ef migrations add --context SqliteHistoryDbContext</c> build the SQLite model (no database is opened).</summary>
internal sealed class SqliteHistoryDesignTimeFactory : IDesignTimeDbContextFactory<SqliteHistoryDbContext>
{
    public SqliteHistoryDbContext CreateDbContext(string[] args) =>
        new(new SqliteDialect("Data Source=history.db", null).CreateContextOptions(null));
}

/// <summary>Lets <c>dotnet ef migrations add --context SqliteStorageDbContext</c> build the SQLite storage model (no database is opened).</summary>
internal sealed class SqliteStorageDesignTimeFactory : IDesignTimeDbContextFactory<SqliteStorageDbContext>
{
    public SqliteStorageDbContext CreateDbContext(string[] args) =>
        new(new SqliteDialect("Data Source=zndraw.db", null).CreateContextOptions(null));
}
