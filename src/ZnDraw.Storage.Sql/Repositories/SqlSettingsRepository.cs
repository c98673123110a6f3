using ZnDraw.Storage.Diagnostics;
using System.Data.Common;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using ZnDraw.Storage.Contracts;
using ZnDraw.Storage.Models;
using ZnDraw.Storage.Serialization;

namespace ZnDraw.Storage.Sql.Repositories;

/// <summary>
/// The SQL implementation of <see cref="ISettingsRepository"/>: the tables <c>room_user_settings</c> (one row per section)
/// and <c>room_extension_data</c> (one row per category and extension).
/// </summary>
/// <remarks>
/// Values are stored as the JSON text Python's <c>json.dumps</c> writes and read back as written. Extension data of the
/// category <c>settings</c> is a settings section, as in ZnDraw. Sections read back in the order they were first written
/// (the order of a Redis hash). As on Redis, the room itself is neither checked nor created.
/// </remarks>
internal sealed class SqlSettingsRepository(SqlStoreContext context) : ISettingsRepository, IDbSystemNamed
{
    /// <summary>The extension category whose form data are the settings sections themselves (ZnDraw's one hash).</summary>
    private const string SettingsCategory = "settings";

    private const string SettingsTable = "room_user_settings";
    private const string ExtensionTable = "room_extension_data";

    private const string GetSectionSql = "SELECT value FROM room_user_settings WHERE room_id = @room AND user_name = @user AND section = @section";

    private const string GetExtensionSql = """
        SELECT value FROM room_extension_data WHERE room_id = @room AND user_name = @user AND category = @category AND extension = @extension
        """;

    private const string SetExtensionSql = """
        INSERT INTO room_extension_data (room_id, user_name, category, extension, value) VALUES (@room, @user, @category, @extension, @value)
        ON CONFLICT (room_id, user_name, category, extension) DO UPDATE SET value = excluded.value
        """;

    // The upserts of 1..CachedUpserts sections (the SQL text depends only on the count).
    private const int CachedUpserts = 8;

    private static readonly string[] Upserts = [.. Enumerable.Range(1, CachedUpserts).Select(BuildUpsert)];

    private readonly SqlStoreContext _context = context;

    /// <inheritdoc />
    public string DbSystemName => _context.Dialect.DbSystemName;

    private readonly string _getAllSql =
        $"SELECT section, value FROM room_user_settings WHERE room_id = @room AND user_name = @user ORDER BY position, section{context.Dialect.Ordinal}";

    /// <inheritdoc/>
    public ValueTask<JsonElement?> GetSectionAsync(string roomId, string userName, string section, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        ValidateUser(roomId, userName);
        ArgumentException.ThrowIfNullOrEmpty(section);
        string key = SettingsKey(roomId, userName, section);
        return _context.ReadAsync(
            "ISettingsRepository.GetSectionAsync",
            key,
            (roomId, userName, section, key),
            static async (call, s) =>
            {
                await using DbCommand command = Select(call, GetSectionSql, s.roomId, s.userName);
                SqlCall.Add(command, "@section", s.section);
                return Text(await call.ScalarAsync(command).ConfigureAwait(false), s.key) is { } json ? ParseObject(json, s.key) : (JsonElement?)null;
            },
            cancellationToken);
    }

    /// <inheritdoc/>
    public ValueTask<UserRoomSettings?> GetAllAsync(string roomId, string userName, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        ValidateUser(roomId, userName);
        return _context.ReadAsync(
            "ISettingsRepository.GetAllAsync",
            SettingsKey(roomId, userName, null),
            (roomId, userName, sql: _getAllSql),
            static async (call, s) =>
            {
                await using DbCommand command = Select(call, s.sql, s.roomId, s.userName);
                await using DbDataReader reader = await call.QueryAsync(command).ConfigureAwait(false);
                List<RoomSettingsSection>? sections = null;
                while (await reader.ReadAsync(call.CancellationToken).ConfigureAwait(false))
                {
                    string name = reader.GetString(0);
                    string key = SettingsKey(s.roomId, s.userName, name);
                    string json = Text(reader.GetValue(1), key) ?? throw new StorageDataException(key, "value", "expected JSON text, found NULL.");
                    (sections ??= []).Add(new RoomSettingsSection(name, ParseObject(json, key)));
                }

                return sections is null ? null : new UserRoomSettings([.. sections]);
            },
            cancellationToken);
    }

    /// <inheritdoc/>
    public ValueTask SetSectionAsync(string roomId, string userName, string section, JsonElement value, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        ValidateUser(roomId, userName);
        ArgumentException.ThrowIfNullOrEmpty(section);
        JsonValues.RequireObject(value, nameof(value));
        return UpsertSectionsAsync("ISettingsRepository.SetSectionAsync", roomId, userName, [(section, PythonJsonWriter.Serialize(value))], cancellationToken);
    }

    /// <inheritdoc/>
    public ValueTask SetSectionsAsync(string roomId, string userName, UserRoomSettings settings, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        ValidateUser(roomId, userName);
        ArgumentNullException.ThrowIfNull(settings);
        if (settings.Sections.IsDefaultOrEmpty)
        {
            return ValueTask.CompletedTask;
        }

        ReadOnlySpan<RoomSettingsSection> sections = settings.Sections.AsSpan();
        SettingsValidation.ValidateSectionNames(sections, nameof(settings));
        var rows = new (string Section, string Json)[sections.Length];
        for (int i = 0; i < rows.Length; i++)
        {
            JsonValues.RequireObject(sections[i].Value, nameof(settings));
            rows[i] = (sections[i].Name, PythonJsonWriter.Serialize(sections[i].Value));
        }

        return UpsertSectionsAsync("ISettingsRepository.SetSectionsAsync", roomId, userName, rows, cancellationToken);
    }

    /// <inheritdoc/>
    public ValueTask<JsonElement?> GetExtensionDataAsync(string roomId, string userName, string category, string extension, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        ValidateUser(roomId, userName);
        KeyValidation.ValidateCategory(category);
        KeyValidation.ValidateExtensionName(extension);
        bool settings = IsSettings(category);
        return _context.ReadAsync(
            "ISettingsRepository.GetExtensionDataAsync",
            settings ? SettingsKey(roomId, userName, extension) : ExtensionKey(roomId, userName, category, extension),
            (roomId, userName, category, extension, settings),
            static async (call, s) =>
            {
                await using DbCommand command = Select(call, s.settings ? GetSectionSql : GetExtensionSql, s.roomId, s.userName);
                if (s.settings)
                {
                    SqlCall.Add(command, "@section", s.extension);
                }
                else
                {
                    SqlCall.Add(command, "@category", s.category);
                    SqlCall.Add(command, "@extension", s.extension);
                }

                string key = s.settings ? SettingsKey(s.roomId, s.userName, s.extension) : ExtensionKey(s.roomId, s.userName, s.category, s.extension);
                return Text(await call.ScalarAsync(command).ConfigureAwait(false), key) is { } json ? Parse(json, key) : (JsonElement?)null;
            },
            cancellationToken);
    }

    /// <inheritdoc/>
    public ValueTask SetExtensionDataAsync(string roomId, string userName, string category, string extension, JsonElement value, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        ValidateUser(roomId, userName);
        KeyValidation.ValidateCategory(category);
        KeyValidation.ValidateExtensionName(extension);
        JsonValues.RequireDefined(value, nameof(value));
        string json = PythonJsonWriter.Serialize(value);
        if (IsSettings(category))
        {
            // Any JSON value, as ZnDraw's HSET writes it (reading it as a section then requires an object).
            return UpsertSectionsAsync("ISettingsRepository.SetExtensionDataAsync", roomId, userName, [(extension, json)], cancellationToken);
        }

        return Done(_context.WriteAsync(
            "ISettingsRepository.SetExtensionDataAsync",
            ExtensionKey(roomId, userName, category, extension),
            (roomId, userName, category, extension, json),
            static async (call, s) =>
            {
                await using DbCommand command = call.Command(SetExtensionSql);
                SqlCall.Add(command, "@room", s.roomId);
                SqlCall.Add(command, "@user", s.userName);
                SqlCall.Add(command, "@category", s.category);
                SqlCall.Add(command, "@extension", s.extension);
                SqlCall.Add(command, "@value", s.json);
                await call.ExecuteAsync(command).ConfigureAwait(false);
                return true;
            },
            recordWhen: null,
            cancellationToken));
    }

    /// <summary>One statement upserting every section; a new section goes after the user's last one, an existing one keeps its place.</summary>
    private ValueTask UpsertSectionsAsync(string operation, string roomId, string userName, (string Section, string Json)[] rows, CancellationToken cancellationToken) =>
        Done(_context.WriteAsync(
            operation,
            SettingsKey(roomId, userName, rows.Length == 1 ? rows[0].Section : null),
            (roomId, userName, rows),
            static async (call, s) =>
            {
                await using DbCommand command = call.Command(s.rows.Length <= CachedUpserts ? Upserts[s.rows.Length - 1] : BuildUpsert(s.rows.Length));
                SqlCall.Add(command, "@room", s.roomId);
                SqlCall.Add(command, "@user", s.userName);
                for (int i = 0; i < s.rows.Length; i++)
                {
                    SqlCall.Add(command, SectionParameter(i), s.rows[i].Section);
                    SqlCall.Add(command, ValueParameter(i), s.rows[i].Json);
                }

                await call.ExecuteAsync(command).ConfigureAwait(false);
                return true;
            },
            recordWhen: null,
            cancellationToken));

    /// <summary>The write as a <see cref="ValueTask"/> (no allocation when it completed synchronously).</summary>
    private static ValueTask Done(ValueTask<bool> write) =>
        write.IsCompletedSuccessfully ? ValueTask.CompletedTask : AwaitAsync(write);

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private static async ValueTask AwaitAsync(ValueTask<bool> write) => await write.ConfigureAwait(false);

    /// <summary>
    /// <c>INSERT ... VALUES (...), ... ON CONFLICT DO UPDATE</c> of <paramref name="count"/> sections. The i-th new
    /// section's position is the user's highest before the statement plus i (the sub-query sees the rows as they were
    /// before the statement, or the rows inserted so far: both keep the list's order).
    /// </summary>
    private static string BuildUpsert(int count)
    {
        var sql = new StringBuilder("INSERT INTO room_user_settings (room_id, user_name, section, value, position) VALUES ");
        for (int i = 0; i < count; i++)
        {
            sql.Append(i == 0 ? "\n" : ",\n")
                .Append("(@room, @user, ").Append(SectionParameter(i)).Append(", ").Append(ValueParameter(i))
                .Append(", (SELECT COALESCE(MAX(position), 0) FROM room_user_settings WHERE room_id = @room AND user_name = @user) + ")
                .Append(i + 1).Append(')');
        }

        return sql.Append("\nON CONFLICT (room_id, user_name, section) DO UPDATE SET value = excluded.value").ToString();
    }

    private static string SectionParameter(int i) => "@s" + i.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static string ValueParameter(int i) => "@v" + i.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static DbCommand Select(SqlCall call, string sql, string roomId, string userName)
    {
        DbCommand command = call.Command(sql);
        SqlCall.Add(command, "@room", roomId);
        SqlCall.Add(command, "@user", userName);
        return command;
    }

    private void ValidateUser(string roomId, string userName)
    {
        KeyValidation.ValidateRoomId(roomId);
        KeyValidation.ValidateUserName(userName, _context.Layout);
    }

    private static bool IsSettings(string category) => string.Equals(category, SettingsCategory, StringComparison.Ordinal);

    /// <summary>
    /// A value column's text, or <see langword="null"/> for no row; a value of another type (SQLite keeps any value in any
    /// column) is unreadable.
    /// </summary>
    private static string? Text(object? value, string key) => value switch
    {
        null or DBNull => null,
        string text => text,
        _ => throw new StorageDataException(key, "value", $"expected JSON text, found a {value.GetType().Name}."),
    };

    /// <summary>Parses a stored JSON value into a detached element.</summary>
    /// <exception cref="StorageDataException">The text is not JSON.</exception>
    private static JsonElement Parse(string json, string key)
    {
        try
        {
            using JsonDocument document = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = JsonValues.MaxDepth });
            return document.RootElement.Clone();
        }
        catch (JsonException ex)
        {
            throw new StorageDataException(key, "value", $"broken JSON: {ex.Message}", ex);
        }
    }

    /// <summary>Parses a stored section, which must be a JSON object.</summary>
    private static JsonElement ParseObject(string json, string key)
    {
        JsonElement element = Parse(json, key);
        return element.ValueKind == JsonValueKind.Object
            ? element
            : throw new StorageDataException(key, "value", $"expected a JSON object, found a JSON {element.ValueKind}.");
    }

    /// <summary>A settings row (or a user's rows), as errors name it: the table and the row's key.</summary>
    private static string SettingsKey(string roomId, string userName, string? section) =>
        section is null
            ? $"{SettingsTable}(room_id='{roomId}', user_name='{userName}')"
            : $"{SettingsTable}(room_id='{roomId}', user_name='{userName}', section='{section}')";

    private static string ExtensionKey(string roomId, string userName, string category, string extension) =>
        $"{ExtensionTable}(room_id='{roomId}', user_name='{userName}', category='{category}', extension='{extension}')";
}
