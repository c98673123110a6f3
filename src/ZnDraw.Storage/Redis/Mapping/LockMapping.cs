using System.Collections.Immutable;
using System.Text.Json;
using StackExchange.Redis;
using ZnDraw.Storage.Contracts;
using ZnDraw.Storage.Models;
using ZnDraw.Storage.Redis.Serialization;
using ZnDraw.Storage.Serialization;

namespace ZnDraw.Storage.Redis.Mapping;

/// <summary>Maps locks and lock metadata.</summary>
internal static class LockMapping
{
    /// <summary>
    /// Builds a lock from GET of the lock key, its TTL and GET of the metadata key;
    /// <see langword="null"/> when the lock key is missing (not held).
    /// </summary>
    /// <exception cref="StorageDataException">The metadata is broken.</exception>
    public static LockInfo? FromValues(string metadataKey, string target, in RedisValue holder, TimeSpan? timeToLive, in RedisValue metadata)
    {
        if (holder.IsNull)
        {
            return null;
        }

        return new LockInfo(target, holder!, timeToLive, ParseMetadata(metadataKey, metadata));
    }

    /// <summary>The metadata JSON in Python style: <c>userName</c>, <c>timestamp</c>, then the extra members.</summary>
    /// <exception cref="ArgumentException">An extra member is named <c>userName</c> or <c>timestamp</c>, or is undefined.</exception>
    public static RedisValue FormatMetadata(LockMetadata metadata)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        using var writer = PythonJsonWriter.Rent();
        writer.WriteStartObject();
        writer.WriteString("userName", metadata.UserName);
        writer.WriteString("timestamp", ZnDrawTime.FormatIso(metadata.Timestamp));
        if (!metadata.Extra.IsDefault)
        {
            foreach (KeyValuePair<string, JsonElement> pair in metadata.Extra)
            {
                if (pair.Key is "userName" or "timestamp")
                {
                    throw new ArgumentException($"Extra member '{pair.Key}' would repeat a fixed member.", nameof(metadata));
                }

                JsonValues.RequireDefined(pair.Value, nameof(metadata));
                writer.WritePropertyName(pair.Key);
                writer.WriteElement(pair.Value);
            }
        }

        writer.WriteEndObject();
        return writer.ToArray();
    }

    /// <summary>Reads the metadata JSON; <see langword="null"/> when missing.</summary>
    /// <exception cref="StorageDataException">Broken JSON, not an object, <c>userName</c> not a string, <c>timestamp</c> not an ISO string.</exception>
    public static LockMetadata? ParseMetadata(string key, in RedisValue value)
    {
        if (value.IsNull)
        {
            return null;
        }

        JsonElement root = JsonParsing.ParseObject(key, null, value);
        string? userName = null;
        DateTime? timestamp = null;
        var extra = ImmutableArray.CreateBuilder<KeyValuePair<string, JsonElement>>();
        foreach (JsonProperty property in root.EnumerateObject())
        {
            switch (JsonValues.GetName(property))
            {
                case "userName":
                    userName = property.Value.ValueKind == JsonValueKind.String
                        ? JsonValues.GetString(property.Value)
                        : throw new StorageDataException(key, "userName", "lock metadata 'userName' is not a string.");
                    break;
                case "timestamp":
                    timestamp = property.Value.ValueKind == JsonValueKind.String
                        && ZnDrawTime.TryParseIso(JsonValues.GetString(property.Value), out DateTime parsed)
                        ? parsed
                        : throw new StorageDataException(key, "timestamp", "lock metadata 'timestamp' is not an ISO timestamp string.");
                    break;
                default:
                    extra.Add(new(JsonValues.GetName(property), property.Value));
                    break;
            }
        }

        return new LockMetadata(
            userName ?? throw RedisText.Missing(key, "userName"),
            timestamp ?? throw RedisText.Missing(key, "timestamp"),
            extra.ToImmutable());
    }
}
