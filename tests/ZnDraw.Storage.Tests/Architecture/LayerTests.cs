using System.Reflection;
using NetArchTest.Rules;
using ZnDraw.Storage.Contracts;
using ZnDraw.Storage.Sql;
using ZnDraw.Storage.Tests.Infrastructure;

namespace ZnDraw.Storage.Tests.Architecture;

/// <summary>
/// The layers of docs/architecture.md, checked on the compiled assemblies: models, contracts, services and the
/// backend-neutral history and serialization code reference no backend type and no higher layer; a backend
/// references no service and no composition code.
/// </summary>
public sealed class LayerTests
{
    private const string Root = "ZnDraw.Storage";
    private const string Models = Root + ".Models";
    private const string Serialization = Root + ".Serialization";
    private const string Contracts = Root + ".Contracts";
    private const string History = Root + ".History";
    private const string Services = Root + ".Services";
    private const string Diagnostics = Root + ".Diagnostics";
    private const string Redis = Root + ".Redis";
    private const string Sql = Root + ".Sql";
    private const string Composition = Root + ".DependencyInjection";
    private const string StackExchangeRedis = "StackExchange.Redis";
    private const string EntityFrameworkCore = "Microsoft.EntityFrameworkCore";

    private static readonly Assembly Core = typeof(IRoomRepository).Assembly;
    private static readonly Assembly SqlPackage = typeof(SqlHistoryOptions).Assembly;

    /// <summary>Each neutral layer and what it must never reference (backends, and every layer above it).</summary>
    public static TheoryData<string, string[]> NeutralLayers => new()
    {
        { Serialization, [StackExchangeRedis, EntityFrameworkCore, Models, Contracts, History, Services, Redis, Sql, Composition] },
        { Models, [StackExchangeRedis, EntityFrameworkCore, Contracts, History, Services, Redis, Sql, Composition] },
        { Contracts, [StackExchangeRedis, EntityFrameworkCore, Services, Redis, Sql, Composition] },
        { History, [StackExchangeRedis, EntityFrameworkCore, Services, Redis, Sql, Composition] },
        { Diagnostics, [StackExchangeRedis, EntityFrameworkCore, Services, Redis, Sql, Composition] },
        { Services, [StackExchangeRedis, EntityFrameworkCore, Redis, Sql, Composition] },
    };

    [Theory]
    [MemberData(nameof(NeutralLayers))]
    public void A_neutral_layer_references_no_backend_and_no_higher_layer(string layer, string[] forbidden)
    {
        AssertLayerHasTypes(Core, layer);
        var result = Types.InAssembly(Core).That().ResideInNamespace(layer).ShouldNot().HaveDependencyOnAny(forbidden).GetResult();

        Assert.True(result.IsSuccessful, Describe(layer, forbidden, result));
    }

    [Fact]
    public void The_redis_backend_references_no_service_and_no_composition_code()
    {
        string[] forbidden = [Services, Composition, Sql, EntityFrameworkCore];
        AssertLayerHasTypes(Core, Redis);
        var result = Types.InAssembly(Core).That().ResideInNamespace(Redis).ShouldNot().HaveDependencyOnAny(forbidden).GetResult();

        Assert.True(result.IsSuccessful, Describe(Redis, forbidden, result));
    }

    [Fact]
    public void The_sql_package_references_no_service_no_redis_backend_and_no_redis_client()
    {
        string[] forbidden = [Services, Redis, StackExchangeRedis, Composition];
        var result = Types.InAssembly(SqlPackage).ShouldNot().HaveDependencyOnAny(forbidden).GetResult();

        Assert.True(result.IsSuccessful, Describe(Sql, forbidden, result));
    }

    [Fact]
    public void The_rule_catches_a_reference_it_forbids()
    {
        // The control: the Redis backend does reference StackExchange.Redis, so the same rule must fail there.
        var result = Types.InAssembly(Core).That().ResideInNamespace(Redis).ShouldNot().HaveDependencyOn(StackExchangeRedis).GetResult();

        Assert.False(result.IsSuccessful);
        Assert.Contains(result.FailingTypeNames, name => name.StartsWith(Redis + ".Repositories.", StringComparison.Ordinal));
    }

    [Fact]
    public void Every_type_lives_in_a_layer()
    {
        string[] layers = [Models, Serialization, Contracts, History, Services, Diagnostics, Redis, Composition];
        var strays = Core.GetTypes()
            .Where(t => t.Namespace is { } ns && ns.StartsWith(Root, StringComparison.Ordinal) && ns != Root)
            .Where(t => !layers.Any(l => t.Namespace == l || t.Namespace!.StartsWith(l + ".", StringComparison.Ordinal)))
            .Select(t => t.FullName)
            .ToList();

        Assert.Empty(strays);
    }

    [Theory]
    [InlineData("Models")]
    [InlineData("Serialization")]
    [InlineData("Contracts")]
    [InlineData("History")]
    [InlineData("Services")]
    [InlineData("Diagnostics")]
    public void A_neutral_layers_sources_import_no_backend_namespace(string folder)
    {
        // The compiled check cannot see constants (inlined) or XML doc references; the sources can.
        string directory = Path.Combine(RepositoryRoot.Path, "src", "ZnDraw.Storage", folder);
        string[] files = Directory.GetFiles(directory, "*.cs", SearchOption.AllDirectories);
        Assert.NotEmpty(files);
        var offending = files
            .SelectMany(f => File.ReadLines(f).Select(line => (File: Path.GetFileName(f), Line: line.Trim())))
            .Where(x => x.Line.StartsWith("using ", StringComparison.Ordinal)
                && (x.Line.Contains(Redis, StringComparison.Ordinal) || x.Line.Contains(StackExchangeRedis, StringComparison.Ordinal)
                    || x.Line.Contains(EntityFrameworkCore, StringComparison.Ordinal) || x.Line.Contains(Sql, StringComparison.Ordinal)))
            .Select(x => $"{x.File}: {x.Line}")
            .ToList();

        Assert.Empty(offending);
    }

    private static void AssertLayerHasTypes(Assembly assembly, string layer) =>
        Assert.NotEmpty(Types.InAssembly(assembly).That().ResideInNamespace(layer).GetTypes());

    private static string Describe(string layer, string[] forbidden, TestResult result) =>
        $"{layer} must not reference {string.Join(", ", forbidden)}; offending types: {string.Join(", ", result.FailingTypeNames ?? [])}";
}
