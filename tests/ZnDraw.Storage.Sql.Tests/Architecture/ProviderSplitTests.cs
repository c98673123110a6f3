using System.Reflection;
using NetArchTest.Rules;
using ZnDraw.Storage.Sql.PostgreSql;
using ZnDraw.Storage.Sql.Provider;
using ZnDraw.Storage.Sql.Sqlite;

namespace ZnDraw.Storage.Sql.Tests.Architecture;

/// <summary>
/// The package split: the relational core (ZnDraw.Storage.Sql) references no database provider, and each provider
/// package references its own provider only, so a host gets only the native binaries and drivers it chose.
/// </summary>
public sealed class ProviderSplitTests
{
    private static readonly Assembly Core = typeof(SqlHistoryOptions).Assembly;
    private static readonly Assembly Sqlite = typeof(SqliteDialect).Assembly;
    private static readonly Assembly Postgres = typeof(PostgresDialect).Assembly;

    private static readonly string[] SqliteAssemblies = ["Microsoft.Data.Sqlite", "Microsoft.EntityFrameworkCore.Sqlite", "SQLitePCLRaw.core"];
    private static readonly string[] PostgresAssemblies = ["Npgsql", "Npgsql.EntityFrameworkCore.PostgreSQL"];

    [Fact]
    public void The_core_assembly_references_neither_provider()
    {
        var references = References(Core);

        Assert.Contains("Microsoft.EntityFrameworkCore.Relational", references);
        Assert.DoesNotContain(references, r => SqliteAssemblies.Contains(r) || PostgresAssemblies.Contains(r));
    }

    [Fact]
    public void No_core_type_depends_on_a_provider_namespace()
    {
        var result = Types.InAssembly(Core).ShouldNot()
            .HaveDependencyOnAny("Microsoft.Data.Sqlite", "Npgsql", "NpgsqlTypes", "Microsoft.EntityFrameworkCore.Sqlite", "ZnDraw.Storage.Sql.Sqlite", "ZnDraw.Storage.Sql.PostgreSql")
            .GetResult();

        Assert.True(result.IsSuccessful, "Core types that reference a provider: " + string.Join(", ", result.FailingTypeNames ?? []));
    }

    [Fact]
    public void Each_provider_assembly_references_its_own_provider_only()
    {
        var sqlite = References(Sqlite);
        var postgres = References(Postgres);

        Assert.Contains("Microsoft.Data.Sqlite", sqlite);
        Assert.DoesNotContain(sqlite, r => PostgresAssemblies.Contains(r));
        Assert.Contains("Npgsql", postgres);
        Assert.DoesNotContain(postgres, r => SqliteAssemblies.Contains(r));
    }

    [Fact]
    public void Each_provider_implements_the_dialect_in_one_internal_sealed_class()
    {
        foreach (var assembly in new[] { Sqlite, Postgres })
        {
            var dialect = Assert.Single(assembly.GetTypes(), t => t.IsSubclassOf(typeof(SqlDialect)));
            Assert.True(dialect.IsSealed && !dialect.IsPublic, $"{dialect} should be internal sealed");
        }
    }

    [Fact]
    public void Each_provider_owns_its_migrations()
    {
        foreach (var assembly in new[] { Sqlite, Postgres })
        {
            var migrations = assembly.GetTypes().Where(t => t.IsSubclassOf(typeof(Microsoft.EntityFrameworkCore.Migrations.Migration))).ToList();
            Assert.Contains(migrations, t => t.Namespace!.EndsWith(".Migrations.History", StringComparison.Ordinal));
            Assert.Contains(migrations, t => t.Namespace!.EndsWith(".Migrations.Storage", StringComparison.Ordinal));
        }

        Assert.DoesNotContain(Core.GetTypes(), t => t.IsSubclassOf(typeof(Microsoft.EntityFrameworkCore.Migrations.Migration)));
    }

    private static List<string> References(Assembly assembly) =>
        [.. assembly.GetReferencedAssemblies().Select(a => a.Name!)];
}
