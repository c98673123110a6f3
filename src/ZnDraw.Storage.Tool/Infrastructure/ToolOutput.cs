using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using Spectre.Console;

namespace ZnDraw.Storage.Tool.Infrastructure;

/// <summary>
/// Where results go: a Spectre.Console table (or key/value grid) on standard output, or, with --json, one JSON document
/// (camelCase, indented) instead. Diagnostics (errors, hints) go to standard error, so --json output stays parseable.
/// </summary>
internal sealed class ToolOutput
{
    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        Converters = { new UtcDateTimeConverter() },
    };

    public ToolOutput(bool json, TextWriter output, TextWriter error)
    {
        Json = json;
        Out = output;
        Error = error;
        Console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(output),
            Ansi = AnsiSupport.Detect,
            ColorSystem = ColorSystemSupport.Detect,
        });
        if (!ReferenceEquals(output, System.Console.Out) || System.Console.IsOutputRedirected)
        {
            // Piped or captured: no terminal to fit, so a table keeps each row on one line (Spectre would wrap at 80).
            Console.Profile.Width = int.TryParse(Environment.GetEnvironmentVariable("COLUMNS"), out int columns) && columns > 0 ? columns : RedirectedWidth;
        }
    }

    /// <summary>The width of tables written to a pipe or file (wide enough for any row).</summary>
    private const int RedirectedWidth = 4096;

    /// <summary>--json: write JSON instead of tables.</summary>
    public bool Json { get; }

    /// <summary>Standard output.</summary>
    public TextWriter Out { get; }

    /// <summary>Standard error.</summary>
    public TextWriter Error { get; }

    /// <summary>The Spectre console on standard output (tables, grids, progress).</summary>
    public IAnsiConsole Console { get; }

    /// <summary>Writes <paramref name="value"/> as JSON (with --json).</summary>
    public void WriteJson<T>(T value) => Out.WriteLine(JsonSerializer.Serialize(value, JsonOptions));

    /// <summary>A table with these column headers (escaped); fill it with <see cref="Row"/> and <see cref="Write"/> it.</summary>
    public static Table Table(params string[] columns)
    {
        var table = new Table().Border(TableBorder.Rounded);
        foreach (var column in columns)
        {
            table.AddColumn(new TableColumn(Markup.Escape(column)));
        }

        return table;
    }

    /// <summary>Adds a row of plain text cells (escaped; null shown as an empty cell).</summary>
    public static void Row(Table table, params string?[] cells) =>
        table.AddRow(cells.Select(static c => (Spectre.Console.Rendering.IRenderable)new Text(c ?? string.Empty)).ToArray());

    /// <summary>A two-column grid of names and values (for one item: <c>rooms show</c>).</summary>
    public static Grid Details(IEnumerable<(string Name, string? Value)> fields)
    {
        var grid = new Grid().AddColumn(new GridColumn().NoWrap()).AddColumn();
        foreach (var (name, value) in fields)
        {
            grid.AddRow(new Text(name, new Style(decoration: Decoration.Bold)), new Text(value ?? string.Empty));
        }

        return grid;
    }

    /// <summary>Writes a renderable to standard output.</summary>
    public void Write(Spectre.Console.Rendering.IRenderable renderable) => Console.Write(renderable);

    /// <summary>A one-line note on standard error (e.g. "no rooms"), so it never mixes into --json output.</summary>
    public void Note(string text) => Error.WriteLine(text);

    /// <summary>The library's times are naive UTC (as ZnDraw stores them): written with their <c>Z</c>, so no reader takes them for local times.</summary>
    private sealed class UtcDateTimeConverter : JsonConverter<DateTime>
    {
        public override DateTime Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            reader.GetDateTime();

        public override void Write(Utf8JsonWriter writer, DateTime value, JsonSerializerOptions options) =>
            writer.WriteStringValue(value.Kind == DateTimeKind.Local ? value.ToUniversalTime() : DateTime.SpecifyKind(value, DateTimeKind.Utc));
    }
}
