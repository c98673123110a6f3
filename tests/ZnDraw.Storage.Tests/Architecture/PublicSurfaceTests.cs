using System.Reflection;
using System.Runtime.CompilerServices;
using ZnDraw.Storage.Contracts;
using ZnDraw.Storage.History;
using ZnDraw.Storage.Models;

namespace ZnDraw.Storage.Tests.Architecture;

/// <summary>
/// The rules of the core package's public surface (docs/public-api.md), checked on the compiled assembly: public types
/// live only where a host needs them, implementations are internal, public types are sealed (or static, or abstract
/// bases), models are immutable, and collections are exposed as read-only interfaces. PublicAPI.*.txt pins the exact
/// members; these rules say which kinds of type may be in it at all.
/// </summary>
public sealed class PublicSurfaceTests
{
    private static readonly Assembly Core = typeof(IRoomRepository).Assembly;

    /// <summary>The namespaces that may hold public types; the backend's namespaces hold only its entry point.</summary>
    private static readonly string[] PublicNamespaces =
    [
        "Microsoft.Extensions.DependencyInjection",
        "Microsoft.Extensions.Hosting", // builder.AddZnDrawStorage("redis"), where Aspire's AddRedisClient lives
        "ZnDraw.Storage",
        "ZnDraw.Storage.Contracts",
        "ZnDraw.Storage.Models",
        "ZnDraw.Storage.History",
        "ZnDraw.Storage.Services",
        "ZnDraw.Storage.Diagnostics",
        "ZnDraw.Storage.Redis.Keys",
    ];

    /// <summary>The only public types of the Redis backend outside its key builders: the store without dependency injection.</summary>
    private static readonly string[] PublicRedisTypes = ["ZnDraw.Storage.Redis.ZnDrawRedisStore"];

    /// <summary>Types made internal when the surface was pruned: seams between the library's own packages and helpers.</summary>
    public static TheoryData<string> PrunedTypes => new()
    {
        "ZnDraw.Storage.Contracts.IRoomEphemeralState",
        "ZnDraw.Storage.Contracts.IRoomContentListing",
        "ZnDraw.Storage.Contracts.IRoomContentImport",
        "ZnDraw.Storage.Contracts.ExtensionDataKey",
        "ZnDraw.Storage.Models.DefaultGeometries",
        "ZnDraw.Storage.Models.DefaultGeometry",
        "ZnDraw.Storage.Models.ZnDrawTime",
    };

    private static IEnumerable<Type> PublicTypes => Core.GetExportedTypes();

    [Fact]
    public void Public_types_live_only_in_the_host_facing_namespaces()
    {
        var strays = PublicTypes
            .Where(t => !PublicNamespaces.Contains(t.Namespace, StringComparer.Ordinal) && !PublicRedisTypes.Contains(t.FullName, StringComparer.Ordinal))
            .Select(t => t.FullName)
            .ToList();

        Assert.Empty(strays);
    }

    [Fact]
    public void The_rule_sees_the_internal_backend_types_it_keeps_out()
    {
        // The control: the namespaces the rule keeps public types out of do hold (internal) types.
        string[] guarded = ["ZnDraw.Storage.Redis.Repositories", "ZnDraw.Storage.Redis.Serialization", "ZnDraw.Storage.Serialization"];
        foreach (var ns in guarded)
        {
            Assert.Contains(Core.GetTypes(), t => t.Namespace == ns);
            Assert.DoesNotContain(PublicTypes, t => t.Namespace == ns);
        }
    }

    [Theory]
    [MemberData(nameof(PrunedTypes))]
    public void A_pruned_type_stays_internal(string fullName)
    {
        var type = Core.GetType(fullName);

        Assert.NotNull(type);
        Assert.False(type.IsPublic, $"{fullName} is public again; it is not part of what a host needs (docs/public-api.md).");
    }

    [Fact]
    public void No_public_type_implements_a_contract()
    {
        // Repositories, the history sink and query, and index maintenance are reached through their interfaces.
        var contracts = PublicTypes
            .Where(t => t.IsInterface && t.Namespace is "ZnDraw.Storage.Contracts" or "ZnDraw.Storage.History")
            .ToList();
        Assert.Contains(typeof(IRoomRepository), contracts);
        Assert.Contains(typeof(IHistorySink), contracts);

        var implementations = PublicTypes
            .Where(t => !t.IsInterface)
            .SelectMany(t => t.GetInterfaces().Where(i => contracts.Contains(i.IsGenericType ? i.GetGenericTypeDefinition() : i)).Select(i => $"{t.FullName} : {i.Name}"))
            .ToList();

        Assert.Empty(implementations);
    }

    [Fact]
    public void Public_classes_are_sealed_static_or_abstract()
    {
        var open = PublicTypes
            .Where(t => t.IsClass && !t.IsSealed && !t.IsAbstract) // a static class is abstract and sealed
            .Where(t => !(typeof(Exception).IsAssignableFrom(t) && PublicTypes.Any(s => s.BaseType == t))) // StorageBackendException > StoragePermissionException
            .Select(t => t.FullName)
            .ToList();

        Assert.Empty(open);
    }

    [Fact]
    public void No_public_type_is_nested()
    {
        Assert.Empty(PublicTypes.Where(t => t.IsNested).Select(t => t.FullName));
    }

    [Fact]
    public void Only_options_have_public_setters()
    {
        // Models and results are immutable (get or init); options classes are bound from configuration and set in code.
        var settable = PublicTypes
            .Where(t => !t.Name.EndsWith("Options", StringComparison.Ordinal))
            .SelectMany(t => t.GetProperties(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly)
                .Where(p => p.SetMethod is { IsPublic: true } setter && !IsInitOnly(setter))
                .Select(p => $"{t.FullName}.{p.Name}"))
            .ToList();

        Assert.Empty(settable);
    }

    [Fact]
    public void Init_only_setters_are_told_apart_from_setters()
    {
        // The control for the rule above: an options property has a plain setter, a model property an init-only one.
        var plain = typeof(ZnDrawStorageOptions).GetProperty(nameof(ZnDrawStorageOptions.KeyPrefix))!.SetMethod!;
        var init = typeof(Room).GetProperty(nameof(Room.Description))!.SetMethod!;

        Assert.False(IsInitOnly(plain));
        Assert.True(IsInitOnly(init));
    }

    [Fact]
    public void Public_members_expose_no_mutable_collection()
    {
        Type[] mutable = [typeof(List<>), typeof(Dictionary<,>), typeof(HashSet<>), typeof(SortedDictionary<,>), typeof(SortedSet<>)];
        bool IsMutable(Type t) =>
            t.IsArray || (t.IsGenericType && mutable.Contains(t.GetGenericTypeDefinition()))
            || (t.IsGenericType && t.GetGenericArguments().Any(IsMutable));
        const BindingFlags members = BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;

        var exposed = PublicTypes
            .SelectMany(t =>
                t.GetProperties(members).Where(p => IsMutable(p.PropertyType)).Select(p => $"{t.FullName}.{p.Name}")
                    .Concat(t.GetFields(members).Where(f => IsMutable(f.FieldType)).Select(f => $"{t.FullName}.{f.Name}"))
                    .Concat(t.GetMethods(members).Where(m => !m.IsSpecialName)
                        .Where(m => IsMutable(m.ReturnType) || m.GetParameters().Any(p => IsMutable(p.ParameterType.IsByRef ? p.ParameterType.GetElementType()! : p.ParameterType)))
                        .Select(m => $"{t.FullName}.{m.Name}")))
            .ToList();

        Assert.Empty(exposed);
    }

    private static bool IsInitOnly(MethodInfo setter) =>
        setter.ReturnParameter.GetRequiredCustomModifiers().Contains(typeof(IsExternalInit));
}
