using System.Reflection;
using System.Text.RegularExpressions;
using ZnDraw.Storage.Redis;
using ZnDraw.Storage.Redis.Scripts;

namespace ZnDraw.Storage.Tests.Redis.Scripts;

/// <summary>
/// The script catalogue (docs/scripts.md): every Lua script of the Redis backend is a field of one
/// <c>{Aggregate}Scripts</c> class in <c>ZnDraw.Storage.Redis.Scripts</c>, named <c>{aggregate}.{verb-kebab}</c>.
/// </summary>
public sealed partial class ScriptCatalogueTests
{
    private const string CatalogueNamespace = "ZnDraw.Storage.Redis.Scripts";

    private static IEnumerable<(Type Owner, FieldInfo Field, RedisScript Script)> AllScripts() =>
        typeof(RedisScript).Assembly.GetTypes()
            .SelectMany(t => t.GetFields(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.DeclaredOnly))
            .Where(f => f.FieldType == typeof(RedisScript))
            .Select(f => (f.DeclaringType!, f, (RedisScript)f.GetValue(null)!));

    [Fact]
    public void Every_script_of_the_library_is_in_the_catalogue()
    {
        var scripts = AllScripts().ToList();
        Assert.True(scripts.Count >= 40, $"only {scripts.Count} scripts found");
        Assert.All(scripts, s =>
        {
            Assert.Equal(CatalogueNamespace, s.Owner.Namespace);
            Assert.EndsWith("Scripts", s.Owner.Name, StringComparison.Ordinal);
            Assert.True(s.Owner.IsAbstract && s.Owner.IsSealed, $"{s.Owner.Name} is not a static class");
            Assert.True(s.Field.IsInitOnly, $"{s.Owner.Name}.{s.Field.Name} is not readonly");
        });
    }

    [Fact]
    public void Every_script_is_named_aggregate_dot_verb()
    {
        Assert.All(AllScripts(), s =>
        {
            string aggregate = Kebab(s.Owner.Name[..^"Scripts".Length]);
            Assert.Equal($"{aggregate}.{Kebab(s.Field.Name)}", s.Script.Name);
        });
    }

    [Fact]
    public void Script_names_and_texts_are_unique()
    {
        var scripts = AllScripts().ToList();
        Assert.Equal(scripts.Count, scripts.Select(s => s.Script.Name).Distinct(StringComparer.Ordinal).Count());
        Assert.Equal(scripts.Count, scripts.Select(s => s.Script.Text).Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public void Scripts_with_a_history_condition_have_an_outbox_variant_that_runs_the_body_unchanged()
    {
        RedisScript[] conditioned = [RoomScripts.Create, RoomScripts.Copy, RoomScripts.CopyWrite, RoomScripts.Delete, RoomScripts.SetIfExists, SessionScripts.Delete, UserScripts.SetFields, ExtensionScripts.Register];
        Assert.All(conditioned, s => Assert.Contains(s.Text, s.OutboxText!, StringComparison.Ordinal));
        Assert.Equal(
            conditioned.Select(s => s.Name).Order(StringComparer.Ordinal),
            AllScripts().Where(s => s.Script.OutboxText is not null).Select(s => s.Script.Name).Order(StringComparer.Ordinal));
        Assert.Contains("tonumber(__v) == 1", RoomScripts.Create.OutboxText, StringComparison.Ordinal);
        Assert.Contains("tonumber(__v) == 0", RoomScripts.Copy.OutboxText, StringComparison.Ordinal);
        Assert.Contains("tonumber(__v) == 0", RoomScripts.CopyWrite.OutboxText, StringComparison.Ordinal); // the cluster-safe copy's decisive step
        Assert.Contains("tonumber(__v) > 0", RoomScripts.Delete.OutboxText, StringComparison.Ordinal);
    }

    [Fact]
    public void Shared_Lua_functions_are_prepended_where_used()
    {
        Assert.StartsWith(LuaFragments.CheckType, ExtensionScripts.Register.Text, StringComparison.Ordinal);
        Assert.StartsWith(LuaFragments.CheckType + LuaFragments.IsoToMilliseconds, JobScripts.Start.Text, StringComparison.Ordinal);
        Assert.StartsWith(LuaFragments.ChunkedCall, RoomScripts.SetMetadata.Text, StringComparison.Ordinal);
    }

    private static string Kebab(string pascal) => UpperAfterFirst().Replace(pascal, "-$1").ToLowerInvariant();

    [GeneratedRegex("(?<!^)([A-Z])")]
    private static partial Regex UpperAfterFirst();
}
