using System.Text.Json.Serialization;

namespace ZnDraw.Storage.History;

/// <summary>Source-generated JSON for outbox payloads and metadata columns (no reflection).</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    RespectNullableAnnotations = true,
    RespectRequiredConstructorParameters = true)]
[JsonSerializable(typeof(HistoryEvent))]
[JsonSerializable(typeof(IReadOnlyDictionary<string, string>))]
internal sealed partial class HistoryJsonContext : JsonSerializerContext;
