using System.Globalization;
using System.Reflection;
using System.Text.Json;
using System.Text.RegularExpressions;
using ZnDraw.Storage.DependencyInjection;
using ZnDraw.Storage.Tests.Infrastructure;

namespace ZnDraw.Storage.Tests.DependencyInjection;

/// <summary>
/// <c>src/ZnDraw.Storage/ConfigurationSchema.json</c> (appsettings IntelliSense) and the options table of
/// <c>docs/configuration.md</c> against the options classes: every bindable property is in both with its type and
/// default, nothing else is, and every integer range they state is the validator's.
/// </summary>
public sealed partial class ConfigurationSchemaTests
{
    /// <summary>Public settable properties that configuration cannot bind (set in code only).</summary>
    private static readonly HashSet<string> CodeOnly = ["RedisConfiguration"];

    private static readonly Lazy<string> Root = new(() => RepositoryRoot.Path);

    [Fact]
    public void The_schema_lists_every_bindable_option_and_nothing_else()
    {
        var options = BindableOptions();
        var schema = SchemaOptions();

        Assert.Equal(options.Keys.Order(StringComparer.Ordinal), schema.Keys.Order(StringComparer.Ordinal));
        Assert.Contains("AbortOnConnectFail", options.Keys);
        Assert.Contains("IndexReconciliation:PageSize", options.Keys);
    }

    [Fact]
    public void Every_schema_entry_has_the_type_and_default_of_its_property()
    {
        var options = BindableOptions();
        foreach ((string path, JsonElement entry) in SchemaOptions())
        {
            (Type type, object? value) = options[path];
            Assert.True(entry.TryGetProperty("description", out _), $"{path}: no description");
            if (type.IsEnum)
            {
                Assert.Equal(Enum.GetNames(type), entry.GetProperty("enum").EnumerateArray().Select(e => e.GetString()!).ToArray());
            }
            else
            {
                Assert.Equal(JsonType(type), entry.GetProperty("type").GetString());
                if (type == typeof(TimeSpan))
                {
                    Assert.Equal("duration", entry.GetProperty("format").GetString());
                }
            }

            string? expected = Text(value);
            string? actual = entry.TryGetProperty("default", out JsonElement d) ? Text(d) : null;
            Assert.True(expected == actual, $"{path}: the schema's default is {actual ?? "absent"}, the property's {expected ?? "null"}");
        }
    }

    [Fact]
    public void Every_integer_range_of_the_schema_is_the_validator_s()
    {
        var validator = new ZnDrawStorageOptionsValidator();
        int checkedRanges = 0;
        foreach ((string path, JsonElement entry) in SchemaOptions())
        {
            foreach ((string bound, int step) in new[] { ("minimum", -1), ("maximum", 1) })
            {
                if (!entry.TryGetProperty(bound, out JsonElement limit))
                {
                    continue;
                }

                int value = limit.GetInt32();
                Assert.True(validator.Validate(null, With(path, value)).Succeeded, $"{path} = {value} ({bound}) is refused");
                var outside = validator.Validate(null, With(path, value + step));
                Assert.True(outside.Failed, $"{path} = {value + step} (beyond the {bound}) is accepted");
                Assert.Contains(outside.Failures!, f => f.Contains(path.Replace(':', '.'), StringComparison.Ordinal));
                checkedRanges++;
            }
        }

        Assert.True(checkedRanges >= 20, $"only {checkedRanges} ranges checked");
    }

    [Fact]
    public void The_buildTransitive_targets_registers_the_schema_for_appsettings()
    {
        string targets = File.ReadAllText(Path.Combine(Root.Value, "src", "ZnDraw.Storage", "buildTransitive", "ZnDraw.Storage.targets"));
        Assert.Contains("<JsonSchemaSegment Include=\"$(MSBuildThisFileDirectory)..\\..\\ConfigurationSchema.json\"", targets, StringComparison.Ordinal);
        Assert.Contains("FilePathPattern=\"appsettings\\..*json\"", targets, StringComparison.Ordinal);

        string project = File.ReadAllText(Path.Combine(Root.Value, "src", "ZnDraw.Storage", "ZnDraw.Storage.csproj"));
        Assert.Contains("<None Update=\"ConfigurationSchema.json\" Pack=\"true\" PackagePath=\"/\" />", project, StringComparison.Ordinal);
        Assert.Contains("<None Update=\"buildTransitive/ZnDraw.Storage.targets\" Pack=\"true\" PackagePath=\"buildTransitive/$(TargetFramework)/ZnDraw.Storage.targets\" />", project, StringComparison.Ordinal);
    }

    [Fact]
    public void The_options_table_of_the_docs_lists_every_schema_entry_with_its_type_and_default()
    {
        var rows = new Dictionary<string, (string Type, string Default)>(StringComparer.Ordinal);
        foreach (string line in File.ReadLines(Path.Combine(Root.Value, "docs", "configuration.md")))
        {
            Match row = TableRow().Match(line);
            if (row.Success)
            {
                Assert.True(rows.TryAdd(row.Groups["path"].Value, (row.Groups["type"].Value.Trim(), row.Groups["default"].Value.Trim())), $"{row.Groups["path"].Value} is listed twice");
            }
        }

        var schema = SchemaOptions();
        var options = BindableOptions();
        Assert.Equal(schema.Keys.Order(StringComparer.Ordinal), rows.Keys.Order(StringComparer.Ordinal));
        foreach ((string path, (string type, string shown)) in rows)
        {
            Type property = options[path].Type;
            string expectedType = property.IsEnum ? "enum" : JsonType(property) == "string" && property == typeof(TimeSpan) ? "duration" : JsonType(property);
            Assert.True(expectedType == type, $"{path}: the table says {type}, the property is {expectedType}");
            string? expected = schema[path].TryGetProperty("default", out JsonElement d) ? Text(d) : null;
            Assert.True((expected is null ? "—" : $"`{expected}`") == shown, $"{path}: the table's default is {shown}, the schema's {expected ?? "none"}");
        }
    }

    /// <summary>A row of the options table: <c>| `ZnDrawStorage:Path` | type | default | ...</c>.</summary>
    [GeneratedRegex(@"^\| `ZnDrawStorage:(?<path>[A-Za-z0-9:]+)` \| (?<type>[^|]+) \| (?<default>[^|]+) \|")]
    private static partial Regex TableRow();

    /// <summary>Every bindable option (configuration path below the section) with its type and default value.</summary>
    private static Dictionary<string, (Type Type, object? Value)> BindableOptions()
    {
        var found = new Dictionary<string, (Type, object?)>(StringComparer.Ordinal);
        Walk(new ZnDrawStorageOptions(), string.Empty, found);
        return found;

        static void Walk(object instance, string prefix, Dictionary<string, (Type, object?)> found)
        {
            foreach (PropertyInfo property in instance.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance))
            {
                if (property.GetMethod is null || CodeOnly.Contains(property.Name) || property.GetIndexParameters().Length > 0)
                {
                    continue;
                }

                Type type = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
                object? value = property.GetValue(instance);
                if (type.IsClass && type != typeof(string) && type.Namespace == typeof(ZnDrawStorageOptions).Namespace)
                {
                    Walk(value!, prefix + property.Name + ":", found);
                }
                else if (property.SetMethod is { IsPublic: true })
                {
                    found.Add(prefix + property.Name, (type, value));
                }
            }
        }
    }

    /// <summary>Every leaf of the schema's <c>ZnDrawStorage</c> object (path below the section) with its schema.</summary>
    private static Dictionary<string, JsonElement> SchemaOptions()
    {
        using var document = JsonDocument.Parse(File.ReadAllText(Path.Combine(Root.Value, "src", "ZnDraw.Storage", "ConfigurationSchema.json")));
        var found = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        Walk(document.RootElement.GetProperty("properties").GetProperty(ZnDrawStorageOptions.DefaultSectionName), string.Empty, found);
        return found;

        static void Walk(JsonElement node, string prefix, Dictionary<string, JsonElement> found)
        {
            foreach (JsonProperty property in node.GetProperty("properties").EnumerateObject())
            {
                if (property.Value.TryGetProperty("properties", out _))
                {
                    Walk(property.Value, prefix + property.Name + ":", found);
                }
                else
                {
                    found.Add(prefix + property.Name, property.Value.Clone());
                }
            }
        }
    }

    private static ZnDrawStorageOptions With(string path, int value)
    {
        var options = new ZnDrawStorageOptions { ConnectionString = "127.0.0.1:6379" };
        object target = options;
        string[] parts = path.Split(':');
        foreach (string part in parts[..^1])
        {
            target = target.GetType().GetProperty(part)!.GetValue(target)!;
        }

        target.GetType().GetProperty(parts[^1])!.SetValue(target, value);
        return options;
    }

    private static string JsonType(Type type) =>
        type == typeof(string) || type == typeof(TimeSpan) ? "string"
        : type == typeof(bool) ? "boolean"
        : type == typeof(int) ? "integer"
        : throw new InvalidOperationException($"No JSON schema type for {type}: add one here and to the schema.");

    private static string? Text(object? value) => value switch
    {
        null => null,
        bool b => b ? "true" : "false",
        TimeSpan t => t.ToString("c", CultureInfo.InvariantCulture),
        int i => i.ToString(CultureInfo.InvariantCulture),
        Enum e => e.ToString(),
        string s => s,
        JsonElement { ValueKind: JsonValueKind.String } j => j.GetString(),
        JsonElement { ValueKind: JsonValueKind.True } => "true",
        JsonElement { ValueKind: JsonValueKind.False } => "false",
        JsonElement { ValueKind: JsonValueKind.Number } j => j.GetRawText(),
        _ => throw new InvalidOperationException($"No text for {value}"),
    };
}
