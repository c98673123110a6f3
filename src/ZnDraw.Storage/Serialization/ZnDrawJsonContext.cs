using System.Text.Json.Serialization;
using System.Text.Json;

namespace ZnDraw.Storage.Serialization;

/// <summary>Source-generated System.Text.Json metadata for the JSON documents ZnDraw stores (no reflection).</summary>
/// <remarks>Used for reading only; writing goes through <see cref="PythonJsonWriter"/> so the bytes match Python's <c>json.dumps</c>.</remarks>
[JsonSourceGenerationOptions(MaxDepth = JsonValues.MaxDepth, NumberHandling = JsonNumberHandling.Strict)]
[JsonSerializable(typeof(JsonElement))]
[JsonSerializable(typeof(ExtensionTaskDocument))]
internal sealed partial class ZnDrawJsonContext : JsonSerializerContext;

/// <summary>The stored shape of a queued extension task (<c>...:queue</c> list entry).</summary>
internal sealed class ExtensionTaskDocument
{
    [JsonPropertyName("user_name")]
    public string? UserName { get; set; }

    [JsonPropertyName("data")]
    public JsonElement Data { get; set; }

    [JsonPropertyName("room")]
    public string? Room { get; set; }

    [JsonPropertyName("jobId")]
    public string? JobId { get; set; }

    [JsonPropertyName("provider")]
    public string? Provider { get; set; }
}
