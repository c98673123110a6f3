namespace ZnDraw.Storage.Sql.Provider;

/// <summary>How a history column's values travel: text, JSON text (stored as the provider's JSON type), or a UTC timestamp.</summary>
internal enum HistoryColumnKind
{
    /// <summary>Text.</summary>
    Text,

    /// <summary>JSON, sent as text.</summary>
    Json,

    /// <summary>A UTC <see cref="DateTime"/>.</summary>
    Time,
}

/// <summary>One column of a history table that the sink writes.</summary>
/// <param name="Name">The column name.</param>
/// <param name="Kind">How its values travel.</param>
internal sealed record HistoryColumn(string Name, HistoryColumnKind Kind);

/// <summary>A history table and the columns the sink writes (every column but <c>id</c>; <c>event_id</c> first).</summary>
internal sealed class HistoryTable
{
    private HistoryTable(string name, HistoryColumn[] columns)
    {
        Name = name;
        Columns = columns;
        QuotedName = Quote(name);
        QuotedColumns = string.Join(", ", columns.Select(c => Quote(c.Name)));
    }

    /// <summary>Extension registrations.</summary>
    public static HistoryTable Extensions { get; } = new(
        "extension_registrations",
        [
            new("event_id", HistoryColumnKind.Text),
            new("scope", HistoryColumnKind.Text),
            new("category", HistoryColumnKind.Text),
            new("name", HistoryColumnKind.Text),
            new("schema_json", HistoryColumnKind.Json),
            new("worker_id", HistoryColumnKind.Text),
            new("registered_at", HistoryColumnKind.Time),
        ]);

    /// <summary>Room events.</summary>
    public static HistoryTable Rooms { get; } = new(
        "room_events",
        [
            new("event_id", HistoryColumnKind.Text),
            new("room_id", HistoryColumnKind.Text),
            new("event_type", HistoryColumnKind.Text),
            new("user", HistoryColumnKind.Text),
            new("metadata", HistoryColumnKind.Json),
            new("timestamp", HistoryColumnKind.Time),
        ]);

    /// <summary>User logins (a logout fills <c>logout_at</c> of its login).</summary>
    public static HistoryTable Logins { get; } = new(
        "user_login_events",
        [
            new("event_id", HistoryColumnKind.Text),
            new("username", HistoryColumnKind.Text),
            new("session_id", HistoryColumnKind.Text),
            new("login_at", HistoryColumnKind.Time),
            new("ip_address", HistoryColumnKind.Text),
        ]);

    /// <summary>Every table the sink inserts into (a dialect prepares its statements from this list).</summary>
    public static IReadOnlyList<HistoryTable> All { get; } = [Extensions, Rooms, Logins];

    /// <summary>The table name.</summary>
    public string Name { get; }

    /// <summary>The written columns, <c>event_id</c> first.</summary>
    public HistoryColumn[] Columns { get; }

    /// <summary>The table name, quoted.</summary>
    public string QuotedName { get; }

    /// <summary>The written columns, quoted and comma-separated.</summary>
    public string QuotedColumns { get; }

    private static string Quote(string identifier) => "\"" + identifier + "\"";
}

/// <summary>The rows of one history table in a batch, row-major (column <c>c</c> of row <c>r</c> at <c>r * columns + c</c>).</summary>
internal sealed class HistoryRows(HistoryTable table)
{
    private readonly List<object?> _values = [];

    /// <summary>The table.</summary>
    public HistoryTable Table => table;

    /// <summary>The number of rows.</summary>
    public int Count => _values.Count / table.Columns.Length;

    /// <summary>Adds a row: one value per column, in column order.</summary>
    public void Add(params ReadOnlySpan<object?> values) => _values.AddRange(values);

    /// <summary>The value of <paramref name="column"/> in <paramref name="row"/>.</summary>
    public object? Get(int column, int row) => _values[(row * table.Columns.Length) + column];

    /// <summary>The values of a text or JSON column, one per row.</summary>
    public string?[] TextColumn(int column)
    {
        var result = new string?[Count];
        for (var r = 0; r < result.Length; r++)
        {
            result[r] = (string?)Get(column, r);
        }

        return result;
    }

    /// <summary>The values of a time column, one per row.</summary>
    public DateTime[] TimeColumn(int column)
    {
        var result = new DateTime[Count];
        for (var r = 0; r < result.Length; r++)
        {
            result[r] = (DateTime)Get(column, r)!;
        }

        return result;
    }
}

/// <summary>A logout to store: fills <c>logout_at</c> of the open login of <paramref name="Username"/> and <paramref name="SessionId"/>.</summary>
/// <param name="Username">The user name, already cut to its column.</param>
/// <param name="SessionId">The session id, already cut to its column.</param>
/// <param name="At">When the session ended (UTC).</param>
internal readonly record struct HistoryLogout(string Username, string SessionId, DateTime At);
