using System.Collections.Immutable;
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using ZnDraw.Storage.Contracts;
using ZnDraw.Storage.Models;

namespace ZnDraw.Storage.Services;

/// <summary>
/// The JSON Lines form of the migration's snapshots (<see cref="UserSnapshot"/>, <see cref="RoomSnapshot"/>, the
/// default room): one JSON object per aggregate, collections in the order the content hash sorts them (so two stores
/// holding the same data export the same bytes), stored JSON values kept as their stored text in JSON strings.
/// </summary>
internal static class SnapshotCodec
{
    public const string Format = "zndraw-storage-snapshot";
    public const int Version = 1;

    public static readonly JsonWriterOptions WriterOptions = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Indented = false,
        SkipValidation = false,
    };

    public static void WriteHeader(Utf8JsonWriter writer, long listed)
    {
        writer.WriteStartObject();
        writer.WriteString("format", Format);
        writer.WriteNumber("version", Version);
        writer.WriteNumber("listed", listed);
        writer.WriteEndObject();
    }

    public static void WriteEnd(Utf8JsonWriter writer, long aggregates)
    {
        writer.WriteStartObject();
        writer.WriteNumber("end", aggregates);
        writer.WriteEndObject();
    }

    /// <summary>Writes one aggregate as a JSON object: <c>kind</c>, <c>id</c>, its parts, <c>hash</c> (the content hash).</summary>
    public static void Write(Utf8JsonWriter writer, string kind, string id, MigrationSnapshot snapshot)
    {
        writer.WriteStartObject();
        writer.WriteString("kind", kind);
        writer.WriteString("id", id);
        switch (snapshot)
        {
            case UserSnapshot user:
                WriteUser(writer, user);
                break;
            case RoomSnapshot room:
                WriteRoom(writer, room);
                break;
            case MigrationDefaultRoom.DefaultRoomSnapshot defaultRoom:
                writer.WriteString("room", defaultRoom.RoomId);
                break;
            default:
                throw new InvalidOperationException($"No snapshot form for {snapshot.GetType().Name}.");
        }

        writer.WriteString("hash", Convert.ToHexStringLower(snapshot.Hash));
        writer.WriteEndObject();
    }

    /// <summary>Reads one aggregate line; checks its content hash.</summary>
    /// <exception cref="InvalidDataException">The line is not an aggregate of this format or its content hash differs.</exception>
    public static (MigrationKind Kind, string Id, MigrationSnapshot Snapshot) Read(JsonElement line, long number)
    {
        try
        {
            string kindName = Str(line, "kind");
            string id = Str(line, "id");
            (MigrationKind kind, MigrationSnapshot snapshot) = kindName switch
            {
                StorageMigrationKinds.User => ((MigrationKind)MigrationUsers.Instance, (MigrationSnapshot)ReadUser(line)),
                StorageMigrationKinds.Room => (MigrationRooms.Instance, ReadRoom(line, id)),
                StorageMigrationKinds.DefaultRoom => (MigrationDefaultRoom.Instance, new MigrationDefaultRoom.DefaultRoomSnapshot(NullableStr(line, "room"))),
                _ => throw new FormatException($"Unknown kind '{kindName}'."),
            };
            string hash = Str(line, "hash");
            if (!string.Equals(hash, Convert.ToHexStringLower(snapshot.Hash), StringComparison.Ordinal))
            {
                throw new FormatException($"The content hash of {kindName} '{id}' does not match its content (the line was changed or damaged).");
            }

            return (kind, id, snapshot);
        }
        catch (Exception ex) when (ex is FormatException or InvalidOperationException or KeyNotFoundException or IndexOutOfRangeException or JsonException or ArgumentException or OverflowException)
        {
            throw Corrupt(number, ex.Message, ex);
        }
    }

    public static InvalidDataException Corrupt(long number, string message, Exception? inner = null) =>
        new(string.Create(CultureInfo.InvariantCulture, $"Snapshot line {number}: {message}"), inner);

    private static void WriteUser(Utf8JsonWriter writer, UserSnapshot user)
    {
        if (user.User is { } u)
        {
            writer.WriteStartObject("user");
            writer.WriteString("user_name", u.UserName);
            WriteTime(writer, "created_at", u.CreatedAt);
            WriteTime(writer, "last_login", u.LastLogin);
            WriteTime(writer, "last_activity", u.LastActivity);
            writer.WriteString("current_room", u.CurrentRoom);
            writer.WriteString("current_sid", u.CurrentSid);
            writer.WriteEndObject();
        }
        else
        {
            writer.WriteNull("user");
        }

        writer.WriteString("password_hash", user.PasswordHash);
        writer.WriteString("password_salt", user.PasswordSalt);
        writer.WriteBoolean("admin", user.IsAdmin);
    }

    private static UserSnapshot ReadUser(JsonElement line)
    {
        User? user = null;
        JsonElement u = line.GetProperty("user");
        if (u.ValueKind != JsonValueKind.Null)
        {
            user = new User(
                Str(u, "user_name"),
                ReadTime(u, "created_at"),
                ReadTime(u, "last_login"),
                ReadTime(u, "last_activity"),
                NullableStr(u, "current_room"),
                NullableStr(u, "current_sid"));
        }

        return new UserSnapshot(user, NullableStr(line, "password_hash"), NullableStr(line, "password_salt"), line.GetProperty("admin").GetBoolean());
    }

    private static void WriteTime(Utf8JsonWriter writer, string name, DateTime? time)
    {
        if (time is { } t)
        {
            writer.WriteString(name, t.ToString("O", CultureInfo.InvariantCulture));
        }
        else
        {
            writer.WriteNull(name);
        }
    }

    private static DateTime? ReadTime(JsonElement element, string name) =>
        NullableStr(element, name) is { } text ? DateTime.ParseExact(text, "O", CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind) : null;

    private static void WriteRoom(Utf8JsonWriter writer, RoomSnapshot room)
    {
        if (room.Room is { } r)
        {
            writer.WriteStartObject(RoomSnapshot.RoomPart);
            writer.WriteString("description", r.Description);
            writer.WriteBoolean("locked", r.Locked);
            writer.WriteBoolean("hidden", r.Hidden);
            writer.WriteNumber("current_frame", r.CurrentFrame);
            writer.WriteEndObject();
        }
        else
        {
            writer.WriteNull(RoomSnapshot.RoomPart);
        }

        if (room.Metadata is { } metadata)
        {
            writer.WriteStartArray(RoomSnapshot.MetadataPart);
            // In stored order (both backends keep it, and RoomMetadata compares in order); the hash sorts them.
            foreach (KeyValuePair<string, string> field in metadata.Fields)
            {
                writer.WriteStartArray();
                writer.WriteStringValue(field.Key);
                writer.WriteStringValue(field.Value);
                writer.WriteEndArray();
            }

            writer.WriteEndArray();
        }
        else
        {
            writer.WriteNull(RoomSnapshot.MetadataPart);
        }

        writer.WriteStartArray(RoomSnapshot.MembersPart);
        foreach (string member in room.Members.Order(StringComparer.Ordinal))
        {
            writer.WriteStringValue(member);
        }

        writer.WriteEndArray();

        // In logical order (the scores rise): the order is the content.
        writer.WriteStartArray(RoomSnapshot.TrajectoryPart);
        foreach (TrajectoryEntry entry in room.Trajectory)
        {
            writer.WriteStartArray();
            writer.WriteStringValue(entry.Frame.SourceRoom);
            writer.WriteNumberValue(entry.Frame.PhysicalIndex);
            writer.WriteNumberValue(entry.Score);
            writer.WriteEndArray();
        }

        writer.WriteEndArray();

        writer.WriteStartArray(RoomSnapshot.FrameSelectionsPart);
        foreach (FrameSelection selection in room.FrameSelections.OrderBy(static s => s.Group, StringComparer.Ordinal))
        {
            writer.WriteStartArray();
            writer.WriteStringValue(selection.Group);
            WriteInts(writer, selection.Frames);
            writer.WriteEndArray();
        }

        writer.WriteEndArray();

        writer.WriteStartArray(RoomSnapshot.BookmarksPart);
        foreach (Bookmark bookmark in room.Bookmarks.OrderBy(static b => b.Frame))
        {
            writer.WriteStartArray();
            writer.WriteNumberValue(bookmark.Frame);
            writer.WriteStringValue(bookmark.Label);
            writer.WriteEndArray();
        }

        writer.WriteEndArray();

        writer.WriteStartArray(RoomSnapshot.GeometriesPart);
        foreach (KeyValuePair<string, Geometry> geometry in room.Geometries.OrderBy(static g => g.Key, StringComparer.Ordinal))
        {
            writer.WriteStartArray();
            writer.WriteStringValue(geometry.Key);
            writer.WriteStringValue(geometry.Value.Type);
            writer.WriteStringValue(geometry.Value.Data.GetRawText());
            writer.WriteEndArray();
        }

        writer.WriteEndArray();

        writer.WriteStartArray(RoomSnapshot.FiguresPart);
        foreach (KeyValuePair<string, Figure> figure in room.Figures.OrderBy(static f => f.Key, StringComparer.Ordinal))
        {
            writer.WriteStartArray();
            writer.WriteStringValue(figure.Key);
            writer.WriteStringValue(figure.Value.Value.GetRawText());
            writer.WriteEndArray();
        }

        writer.WriteEndArray();

        writer.WritePropertyName(RoomSnapshot.SelectionsPart);
        WriteSelections(writer, room.Selections);

        writer.WriteStartArray(RoomSnapshot.SelectionGroupsPart);
        foreach (SelectionGroup group in room.SelectionGroups.OrderBy(static g => g.Name, StringComparer.Ordinal))
        {
            writer.WriteStartArray();
            writer.WriteStringValue(group.Name);
            WriteSelections(writer, group.Selections.IsDefault ? [] : group.Selections);
            writer.WriteEndArray();
        }

        writer.WriteEndArray();

        writer.WriteString(RoomSnapshot.ActiveSelectionGroupPart, room.ActiveSelectionGroup);

        writer.WriteNumber("chat_counter", room.ChatCounter);
        writer.WriteStartArray(RoomSnapshot.ChatPart);
        foreach (ChatMessage message in room.Chat.OrderBy(static m => m.CreatedAt).ThenBy(static m => m.Id, StringComparer.Ordinal))
        {
            writer.WriteStartObject();
            writer.WriteString("id", message.Id);
            writer.WriteString("room_id", message.RoomId);
            writer.WriteString("author", message.Author);
            writer.WriteString("content", message.Content);
            writer.WriteString("created_at", message.CreatedAt.ToString("O", CultureInfo.InvariantCulture));
            writer.WriteString("updated_at", message.UpdatedAt.ToString("O", CultureInfo.InvariantCulture));
            writer.WriteBoolean("is_edited", message.IsEdited);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();

        writer.WriteStartArray(RoomSnapshot.SettingsPart);
        foreach (KeyValuePair<string, UserRoomSettings> settings in room.Settings.OrderBy(static s => s.Key, StringComparer.Ordinal))
        {
            writer.WriteStartArray();
            writer.WriteStringValue(settings.Key);
            writer.WriteStartArray();
            foreach (RoomSettingsSection section in (settings.Value.Sections.IsDefault ? [] : settings.Value.Sections).OrderBy(static s => s.Name, StringComparer.Ordinal))
            {
                writer.WriteStartArray();
                writer.WriteStringValue(section.Name);
                writer.WriteStringValue(section.Value.GetRawText());
                writer.WriteEndArray();
            }

            writer.WriteEndArray();
            writer.WriteEndArray();
        }

        writer.WriteEndArray();

        writer.WriteStartArray(RoomSnapshot.ExtensionDataPart);
        foreach (KeyValuePair<ExtensionDataKey, JsonElement> entry in room.ExtensionData.OrderBy(static e => e.Key, ExtensionDataKeyComparer.Instance))
        {
            writer.WriteStartArray();
            writer.WriteStringValue(entry.Key.UserName);
            writer.WriteStringValue(entry.Key.Category);
            writer.WriteStringValue(entry.Key.Extension);
            writer.WriteStringValue(entry.Value.GetRawText());
            writer.WriteEndArray();
        }

        writer.WriteEndArray();
    }

    private static RoomSnapshot ReadRoom(JsonElement line, string id)
    {
        Room? room = null;
        JsonElement r = line.GetProperty(RoomSnapshot.RoomPart);
        if (r.ValueKind != JsonValueKind.Null)
        {
            room = new Room(id, NullableStr(r, "description"), r.GetProperty("locked").GetBoolean(), r.GetProperty("hidden").GetBoolean(), r.GetProperty("current_frame").GetInt32());
        }

        RoomMetadata? metadata = null;
        JsonElement m = line.GetProperty(RoomSnapshot.MetadataPart);
        if (m.ValueKind != JsonValueKind.Null)
        {
            metadata = new RoomMetadata([.. Items(m).Select(static f => new KeyValuePair<string, string>(Str(f[0]), Str(f[1])))]);
        }

        return new RoomSnapshot
        {
            Room = room,
            Metadata = metadata,
            Members = [.. Items(line.GetProperty(RoomSnapshot.MembersPart)).Select(static e => Str(e))],
            Trajectory = [.. Items(line.GetProperty(RoomSnapshot.TrajectoryPart)).Select(static t => new TrajectoryEntry(new FrameIndex(Str(t[0]), t[1].GetInt32()), t[2].GetDouble()))],
            FrameSelections = [.. Items(line.GetProperty(RoomSnapshot.FrameSelectionsPart)).Select(static s => new FrameSelection(Str(s[0]), ReadInts(s[1])))],
            Bookmarks = [.. Items(line.GetProperty(RoomSnapshot.BookmarksPart)).Select(static b => new Bookmark(b[0].GetInt32(), Str(b[1])))],
            Geometries = [.. Items(line.GetProperty(RoomSnapshot.GeometriesPart)).Select(static g => new KeyValuePair<string, Geometry>(Str(g[0]), new Geometry(Str(g[1]), Json(g[2]))))],
            Figures = [.. Items(line.GetProperty(RoomSnapshot.FiguresPart)).Select(static f => new KeyValuePair<string, Figure>(Str(f[0]), new Figure(Json(f[1]))))],
            Selections = ReadSelections(line.GetProperty(RoomSnapshot.SelectionsPart)),
            SelectionGroups = [.. Items(line.GetProperty(RoomSnapshot.SelectionGroupsPart)).Select(static g => new SelectionGroup(Str(g[0]), [.. ReadSelections(g[1])]))],
            ActiveSelectionGroup = NullableStr(line, RoomSnapshot.ActiveSelectionGroupPart),
            ChatCounter = line.GetProperty("chat_counter").GetInt64(),
            Chat = [.. Items(line.GetProperty(RoomSnapshot.ChatPart)).Select(static c => new ChatMessage(
                Str(c, "id"),
                Str(c, "room_id"),
                Str(c, "author"),
                Str(c, "content"),
                ReadTimeOffset(c, "created_at"),
                ReadTimeOffset(c, "updated_at"),
                c.GetProperty("is_edited").GetBoolean()))],
            Settings = [.. Items(line.GetProperty(RoomSnapshot.SettingsPart)).Select(static s => new KeyValuePair<string, UserRoomSettings>(
                Str(s[0]),
                new UserRoomSettings([.. Items(s[1]).Select(static section => new RoomSettingsSection(Str(section[0]), Json(section[1])))])))],
            ExtensionData = [.. Items(line.GetProperty(RoomSnapshot.ExtensionDataPart)).Select(static e => new KeyValuePair<ExtensionDataKey, JsonElement>(
                new ExtensionDataKey(Str(e[0]), Str(e[1]), Str(e[2])), Json(e[3])))],
        };
    }

    private static void WriteSelections(Utf8JsonWriter writer, IReadOnlyList<Selection> selections)
    {
        writer.WriteStartArray();
        foreach (Selection selection in selections.OrderBy(static s => s.Geometry, StringComparer.Ordinal))
        {
            writer.WriteStartArray();
            writer.WriteStringValue(selection.Geometry);
            WriteInts(writer, selection.Indices);
            writer.WriteEndArray();
        }

        writer.WriteEndArray();
    }

    private static List<Selection> ReadSelections(JsonElement array) =>
        [.. Items(array).Select(static s => new Selection(Str(s[0]), ReadInts(s[1])))];

    private static void WriteInts(Utf8JsonWriter writer, ImmutableArray<int> values)
    {
        writer.WriteStartArray();
        foreach (int value in values.IsDefault ? [] : values)
        {
            writer.WriteNumberValue(value);
        }

        writer.WriteEndArray();
    }

    private static ImmutableArray<int> ReadInts(JsonElement array) => [.. Items(array).Select(static e => e.GetInt32())];

    private static DateTimeOffset ReadTimeOffset(JsonElement element, string name) =>
        DateTimeOffset.ParseExact(Str(element, name), "O", CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind);

    /// <summary>A stored JSON value, kept as its stored text in a JSON string: parsed back, never re-serialised here.</summary>
    private static JsonElement Json(JsonElement text)
    {
        using JsonDocument document = JsonDocument.Parse(Str(text));
        return document.RootElement.Clone();
    }

    private static JsonElement.ArrayEnumerator Items(JsonElement array) =>
        array.ValueKind == JsonValueKind.Array ? array.EnumerateArray() : throw new FormatException($"Expected an array, found {array.ValueKind}.");

    private static string Str(JsonElement element) =>
        element.ValueKind == JsonValueKind.String ? element.GetString()! : throw new FormatException($"Expected a string, found {element.ValueKind}.");

    private static string Str(JsonElement element, string name) =>
        NullableStr(element, name) ?? throw new FormatException($"'{name}' is null.");

    private static string? NullableStr(JsonElement element, string name)
    {
        JsonElement value = element.GetProperty(name);
        return value.ValueKind == JsonValueKind.Null ? null : Str(value);
    }
}
