using System.Text.Json;
using StackExchange.Redis;
using ZnDraw.Storage.Contracts;
using ZnDraw.Storage.Models;
using ZnDraw.Storage.Redis.Serialization;
using ZnDraw.Storage.Serialization;

namespace ZnDraw.Storage.Redis.Mapping;

/// <summary>Maps <see cref="ChatMessage"/> to and from its JSON value and index score.</summary>
internal static class ChatMapping
{
    /// <summary>The stored JSON, byte-identical to ZnDraw's <c>json.dumps</c> of the message dict.</summary>
    public static RedisValue Format(ChatMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        using var writer = PythonJsonWriter.Rent(128 + (message.Content.Length * 2));
        Write(writer, message);
        return writer.ToArray();
    }

    private static void Write(PythonJsonWriter writer, ChatMessage message)
    {
        writer.WriteStartObject();
        writer.WriteString("id", message.Id);
        writer.WriteString("roomId", message.RoomId);
        writer.WritePropertyName("author");
        writer.WriteStartObject();
        writer.WriteString("id", message.Author);
        writer.WriteEndObject();
        writer.WriteString("content", message.Content);
        writer.WriteNumber("createdAt", message.CreatedAt.ToUnixTimeMilliseconds());
        writer.WriteNumber("updatedAt", message.UpdatedAt.ToUnixTimeMilliseconds());
        writer.WriteBoolean("isEdited", message.IsEdited);
        writer.WriteEndObject();
    }

    /// <summary>
    /// Writes the message like <see cref="Format"/> and cuts the bytes around a spot a script splices a value into:
    /// at the first (or last) <paramref name="marker"/>, plus <paramref name="offset"/>, dropping
    /// <paramref name="drop"/> bytes there. Two arrays, no intermediate string.
    /// </summary>
    public static (RedisValue Head, RedisValue Tail) FormatSplit(ChatMessage message, ReadOnlySpan<byte> marker, bool last, int offset, int drop)
    {
        ArgumentNullException.ThrowIfNull(message);
        using var writer = PythonJsonWriter.Rent(128 + (message.Content.Length * 2));
        Write(writer, message);
        ReadOnlySpan<byte> json = writer.WrittenSpan;
        int at = last ? json.LastIndexOf(marker) : json.IndexOf(marker);
        if (at < 0)
        {
            throw new InvalidOperationException("The chat message JSON has no splice point.");
        }

        int cut = at + offset;
        return (json[..cut].ToArray(), json[(cut + drop)..].ToArray());
    }

    /// <summary>Reads one message (HGET); <see langword="null"/> when the field is missing.</summary>
    /// <remarks><c>isEdited</c> is optional and defaults to <see langword="false"/>; every other member is required.</remarks>
    /// <exception cref="StorageDataException">Broken JSON, a missing member, a wrong JSON type, or a time out of range.</exception>
    public static ChatMessage? Parse(string key, string field, in RedisValue value)
    {
        if (value.IsNull)
        {
            return null;
        }

        ReadOnlyMemory<byte> utf8 = value;
        try
        {
            return Read(key, field, utf8.Span);
        }
        catch (JsonException ex)
        {
            throw new StorageDataException(key, field, $"broken chat message JSON: {ex.Message}", ex);
        }
        catch (InvalidOperationException ex)
        {
            // A string member holding a lone surrogate (System.Text.Json cannot decode it).
            throw new StorageDataException(key, field, $"unreadable chat message JSON: {ex.Message}", ex);
        }
    }

    /// <summary>
    /// Reads the message straight into <see cref="ChatMessage"/> (no intermediate document objects): members in any
    /// order, unknown members skipped, the last of duplicated members wins, JSON null for a member counts as missing,
    /// numbers must be integers (no strings), nothing may follow the object.
    /// </summary>
    private static ChatMessage Read(string key, string field, ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = JsonValues.MaxDepth });
        reader.Read();
        if (reader.TokenType == JsonTokenType.Null)
        {
            EnsureEnd(ref reader);
            throw new StorageDataException(key, field, "expected a chat message object, found JSON null.");
        }

        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException($"expected a JSON object, found {reader.TokenType}.");
        }

        string? id = null, roomId = null, author = null, content = null;
        long? createdAt = null, updatedAt = null;
        bool? isEdited = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("id"u8))
            {
                id = ReadString(ref reader);
            }
            else if (reader.ValueTextEquals("roomId"u8))
            {
                roomId = ReadString(ref reader);
            }
            else if (reader.ValueTextEquals("author"u8))
            {
                author = ReadAuthor(ref reader);
            }
            else if (reader.ValueTextEquals("content"u8))
            {
                content = ReadString(ref reader);
            }
            else if (reader.ValueTextEquals("createdAt"u8))
            {
                createdAt = ReadInt64(ref reader);
            }
            else if (reader.ValueTextEquals("updatedAt"u8))
            {
                updatedAt = ReadInt64(ref reader);
            }
            else if (reader.ValueTextEquals("isEdited"u8))
            {
                isEdited = ReadBoolean(ref reader);
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        EnsureEnd(ref reader);
        return new ChatMessage(
            id ?? throw Missing(key, field, "id"),
            roomId ?? throw Missing(key, field, "roomId"),
            author ?? throw Missing(key, field, "author.id"),
            content ?? throw Missing(key, field, "content"),
            Time(key, field, "createdAt", createdAt),
            Time(key, field, "updatedAt", updatedAt),
            isEdited ?? false);
    }

    private static string? ReadString(ref Utf8JsonReader reader)
    {
        reader.Read();
        return reader.TokenType switch
        {
            JsonTokenType.Null => null,
            JsonTokenType.String => reader.GetString(),
            _ => throw new JsonException($"expected a JSON string, found {reader.TokenType}."),
        };
    }

    private static long? ReadInt64(ref Utf8JsonReader reader)
    {
        reader.Read();
        return reader.TokenType switch
        {
            JsonTokenType.Null => null,
            JsonTokenType.Number when reader.TryGetInt64(out long value) => value,
            _ => throw new JsonException($"expected a JSON integer, found {reader.TokenType}."),
        };
    }

    private static bool? ReadBoolean(ref Utf8JsonReader reader)
    {
        reader.Read();
        return reader.TokenType switch
        {
            JsonTokenType.Null => null,
            JsonTokenType.True => true,
            JsonTokenType.False => false,
            _ => throw new JsonException($"expected a JSON boolean, found {reader.TokenType}."),
        };
    }

    /// <summary>The <c>id</c> of the <c>author</c> object (null when the author or its id is null or missing).</summary>
    private static string? ReadAuthor(ref Utf8JsonReader reader)
    {
        reader.Read();
        if (reader.TokenType == JsonTokenType.Null)
        {
            return null;
        }

        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException($"expected the author object, found {reader.TokenType}.");
        }

        string? id = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("id"u8))
            {
                id = ReadString(ref reader);
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        return id;
    }

    /// <summary>Only whitespace may follow the root value (the reader throws <see cref="JsonException"/> otherwise).</summary>
    private static void EnsureEnd(ref Utf8JsonReader reader)
    {
        if (reader.Read())
        {
            throw new JsonException($"unexpected {reader.TokenType} after the chat message.");
        }
    }

    private static DateTimeOffset Time(string key, string field, string member, long? milliseconds)
    {
        if (milliseconds is not { } ms)
        {
            throw Missing(key, field, member);
        }

        try
        {
            return DateTimeOffset.FromUnixTimeMilliseconds(ms);
        }
        catch (ArgumentOutOfRangeException ex)
        {
            throw new StorageDataException(key, field, $"'{member}' {ms} is not a valid epoch-milliseconds time.", ex);
        }
    }

    private static StorageDataException Missing(string key, string field, string member) =>
        new(key, field, $"chat message has no '{member}'.");
}
