using System.Text.Json.Serialization;

namespace ZnDraw.Storage.Sql;

/// <summary>Source-generated JSON of the SQL package (no reflection).</summary>
[JsonSerializable(typeof(string))]
[JsonSerializable(typeof(Dictionary<string, string>))]
internal sealed partial class HistorySqlJsonContext : JsonSerializerContext;
