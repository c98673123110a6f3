using System.Text.Json;
using StackExchange.Redis;
using ZnDraw.Storage.Serialization;

namespace ZnDraw.Storage.Models;

/// <summary>Maps <see cref="ChatMessage"/> to and from its JSON value and index score.</summary>
internal static class ChatMapping
{
    /// <summary>The stored JSON, byte-identical to ZnDraw's <c>json.dumps</c> of the message dict.</summary>
    public static RedisValue Format(ChatMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        using var writer = new PythonJsonWriter(128 + (message.Content.Length * 2));
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
        return writer.ToRedisValue();
    }

    /// <summary>The <c>room:{room}:chat:index</c> score: <c>createdAt</c> in epoch ms.</summary>
    public static double IndexScore(ChatMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        return message.CreatedAt.ToUnixTimeMilliseconds();
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

        ChatMessageDocument? doc;
        try
        {
            ReadOnlyMemory<byte> utf8 = value;
            doc = JsonSerializer.Deserialize(utf8.Span, ZnDrawJsonContext.Default.ChatMessageDocument);
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

        if (doc is null)
        {
            throw new StorageDataException(key, field, "expected a chat message object, found JSON null.");
        }

        return new ChatMessage(
            doc.Id ?? throw Missing(key, field, "id"),
            doc.RoomId ?? throw Missing(key, field, "roomId"),
            doc.Author?.Id ?? throw Missing(key, field, "author.id"),
            doc.Content ?? throw Missing(key, field, "content"),
            Time(key, field, "createdAt", doc.CreatedAt),
            Time(key, field, "updatedAt", doc.UpdatedAt),
            doc.IsEdited ?? false);
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
