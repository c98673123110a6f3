using System.Text.Json;
using StackExchange.Redis;
using ZnDraw.Storage.Contracts;
using ZnDraw.Storage.Models;
using ZnDraw.Storage.Redis.Serialization;
using ZnDraw.Storage.Serialization;

namespace ZnDraw.Storage.Redis.Mapping;

/// <summary>Maps extension schemas (hash fields) and queued tasks (list entries).</summary>
internal static class ExtensionMapping
{
    /// <summary>The hash entry <c>name → schema JSON</c> (Python <c>json.dumps</c> style).</summary>
    public static HashEntry ToHashEntry(ExtensionSchema schema)
    {
        ArgumentNullException.ThrowIfNull(schema);
        return new HashEntry(schema.Name, FormatSchema(schema.Schema));
    }

    /// <summary>The stored schema text.</summary>
    public static RedisValue FormatSchema(JsonElement schema)
    {
        JsonValues.RequireDefined(schema, nameof(schema));
        return PythonJsonWriter.ToUtf8(schema);
    }

    /// <summary>Reads one schema field (HGET); <see langword="null"/> when the field is missing.</summary>
    /// <exception cref="StorageDataException">The JSON is broken.</exception>
    public static ExtensionSchema? FromValue(string key, string name, string category, ExtensionScope scope, string? roomId, in RedisValue value) =>
        value.IsNull ? null : new ExtensionSchema(name, category, JsonParsing.Parse(key, name, value), scope, roomId);

    /// <summary>
    /// Reads every schema of a category (HGETALL), in stored order; empty for a missing key. A schema whose JSON is
    /// broken is left out and handed to <paramref name="unreadable"/> (a listing reports it and goes on).
    /// </summary>
    public static List<ExtensionSchema> FromHash(string key, string category, ExtensionScope scope, string? roomId, HashEntry[] entries, Action<StorageDataException> unreadable)
    {
        ArgumentNullException.ThrowIfNull(entries);
        ArgumentNullException.ThrowIfNull(unreadable);
        var result = new List<ExtensionSchema>(entries.Length);
        for (int i = 0; i < entries.Length; i++)
        {
            string name = entries[i].Name!;
            try
            {
                result.Add(new ExtensionSchema(name, category, JsonParsing.Parse(key, name, entries[i].Value), scope, roomId));
            }
            catch (StorageDataException ex)
            {
                unreadable(ex);
            }
        }

        return result;
    }

    /// <summary>
    /// The queue entry as ZnDraw writes it: <c>{"user_name", "data", "room", "jobId"}</c>, plus
    /// <c>"provider"</c> last when set.
    /// </summary>
    public static RedisValue FormatTask(ExtensionTask task)
    {
        ArgumentNullException.ThrowIfNull(task);
        JsonValues.RequireDefined(task.Data, nameof(task));
        using var writer = PythonJsonWriter.Rent();
        writer.WriteStartObject();
        writer.WriteString("user_name", task.UserName);
        writer.WritePropertyName("data");
        writer.WriteElement(task.Data);
        writer.WriteString("room", task.Room);
        writer.WriteString("jobId", task.JobId);
        if (task.Provider is { } provider)
        {
            writer.WriteString("provider", (string)JobMapping.FormatProvider(provider)!);
        }

        writer.WriteEndObject();
        return writer.ToArray();
    }

    /// <summary>Reads a queue entry (LPOP/LINDEX); <see langword="null"/> when the list was empty.</summary>
    /// <exception cref="StorageDataException">Broken JSON, a missing member, or an unknown provider.</exception>
    public static ExtensionTask? ParseTask(string key, in RedisValue value)
    {
        if (value.IsNull)
        {
            return null;
        }

        ExtensionTaskDocument? doc;
        try
        {
            ReadOnlyMemory<byte> utf8 = value;
            doc = JsonSerializer.Deserialize(utf8.Span, ZnDrawJsonContext.Default.ExtensionTaskDocument);
        }
        catch (JsonException ex)
        {
            throw new StorageDataException(key, null, $"broken task JSON: {ex.Message}", ex);
        }
        catch (InvalidOperationException ex)
        {
            // A string member holding a lone surrogate (System.Text.Json cannot decode it).
            throw new StorageDataException(key, null, $"unreadable task JSON: {ex.Message}", ex);
        }

        if (doc is null)
        {
            throw new StorageDataException(key, null, "expected a task object, found JSON null.");
        }

        if (doc.Data.ValueKind == JsonValueKind.Undefined)
        {
            throw RedisText.Missing(key, "data");
        }

        JobProvider? provider = doc.Provider is null ? null : JobMapping.ParseProvider(key, "provider", doc.Provider);
        return new ExtensionTask(
            doc.UserName ?? throw RedisText.Missing(key, "user_name"),
            doc.Data,
            doc.Room ?? throw RedisText.Missing(key, "room"),
            doc.JobId ?? throw RedisText.Missing(key, "jobId"),
            provider);
    }
}
