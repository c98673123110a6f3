using System.Text.Json;
using StackExchange.Redis;
using ZnDraw.Storage.Contracts;
using ZnDraw.Storage.Models;
using ZnDraw.Storage.Redis.Serialization;
using ZnDraw.Storage.Serialization;

namespace ZnDraw.Storage.Redis.Mapping;

/// <summary>
/// Maps a user's room settings, and generally any hash whose field values are JSON
/// (per-user extension form data <c>room:{room}:user:{user}:{category}</c>).
/// </summary>
internal static class SettingsMapping
{
    /// <summary>One HSET entry per section, values in Python <c>json.dumps</c> style.</summary>
    public static HashEntry[] ToHashEntries(UserRoomSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (settings.Sections.IsDefault)
        {
            return [];
        }

        var entries = new HashEntry[settings.Sections.Length];
        for (int i = 0; i < entries.Length; i++)
        {
            RoomSettingsSection section = settings.Sections[i];
            JsonValues.RequireObject(section.Value, nameof(settings));
            entries[i] = new HashEntry(section.Name, PythonJsonWriter.ToUtf8(section.Value));
        }

        return entries;
    }

    /// <summary>Reads HGETALL; <see langword="null"/> for an empty array (no settings for this user).</summary>
    /// <exception cref="StorageDataException">A section is broken JSON or not an object.</exception>
    public static UserRoomSettings? FromHash(in RedisKey key, HashEntry[] entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        if (entries.Length == 0)
        {
            return null;
        }

        var sections = new RoomSettingsSection[entries.Length];
        for (int i = 0; i < entries.Length; i++)
        {
            string name = entries[i].Name!;
            sections[i] = new RoomSettingsSection(name, JsonParsing.ParseObject(key, name, entries[i].Value));
        }

        return new UserRoomSettings(System.Runtime.InteropServices.ImmutableCollectionsMarshal.AsImmutableArray(sections));
    }

    /// <summary>Reads one JSON field value (HGET); <see langword="null"/> when missing.</summary>
    /// <exception cref="StorageDataException">Broken JSON.</exception>
    public static JsonElement? ParseJsonField(in RedisKey key, string field, in RedisValue value) =>
        value.IsNull ? null : JsonParsing.Parse(key, field, value);

    /// <summary>Any JSON value in Python <c>json.dumps</c> style (for HSET of a JSON field).</summary>
    public static RedisValue FormatJson(JsonElement value)
    {
        JsonValues.RequireDefined(value, nameof(value));
        return PythonJsonWriter.ToUtf8(value);
    }
}
