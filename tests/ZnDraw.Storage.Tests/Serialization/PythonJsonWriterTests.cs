using ZnDraw.Storage.Serialization;
using ZnDraw.Storage.Tests.Models;

namespace ZnDraw.Storage.Tests.Serialization;

public class PythonJsonWriterTests
{
    [Fact]
    public void A_rented_writer_comes_back_clean_and_plain_runs_mix_with_escapes()
    {
        PythonJsonWriter first;
        using (first = PythonJsonWriter.Rent())
        {
            first.WriteStartObject();
            first.WriteString("left", "over");
        }

        // Disposed mid-object: the thread's next writer is the same instance, with nothing of the last use left.
        using PythonJsonWriter second = PythonJsonWriter.Rent();
        Assert.Same(first, second);
        second.WriteStartArray();
        second.WriteString("plain text, then \"quoted\" \\ caf\u00e9\n and a long plain tail ~~~");
        second.WriteEndArray();
        Assert.Equal("[\"plain text, then \\\"quoted\\\" \\\\ caf\\u00e9\\n and a long plain tail ~~~\"]", second.ToString());
        Assert.Equal(
            "{\"a b\": \"x\\\"y\\u00e9z \\ud83d\\ude00 tail\"}",
            PythonJsonWriter.Serialize(TestData.Json("{\"a b\": \"x\\\"y\u00e9z \\ud83d\\ude00 tail\"}")));
    }

    [Theory]
    [InlineData("{\"a\":1,\"b\":[1,2,{}],\"c\":[]}", "{\"a\": 1, \"b\": [1, 2, {}], \"c\": []}")]
    [InlineData("{\"x\": 1.0, \"y\": 0.7, \"z\": 1e5, \"w\": -0.0}", "{\"x\": 1.0, \"y\": 0.7, \"z\": 1e5, \"w\": -0.0}")]
    [InlineData("\"caf\u00e9\"", "\"caf\\u00e9\"")]
    [InlineData("\"\\u00E9\"", "\"\\u00e9\"")]
    [InlineData("\"\\u0041\\/\"", "\"A/\"")]
    [InlineData("\"😀\"", "\"\\ud83d\\ude00\"")]
    [InlineData("\"\\ud800\"", "\"\\ud800\"")]
    [InlineData("\"a\\\"b\\\\c\\n\\r\\t\\b\\f\\u0001\\u007f\"", "\"a\\\"b\\\\c\\n\\r\\t\\b\\f\\u0001\\u007f\"")]
    [InlineData("{\"\u00fc\": null, \"t\": true, \"f\": false}", "{\"\\u00fc\": null, \"t\": true, \"f\": false}")]
    public void Writes_like_python_json_dumps(string input, string expected)
    {
        Assert.Equal(expected, PythonJsonWriter.Serialize(TestData.Json(input)));
    }

    [Fact]
    public void Writes_dotnet_strings_with_python_escapes()
    {
        using var writer = new PythonJsonWriter(4);
        writer.WriteStartObject();
        writer.WriteString("k\u00e9y", "v\U0001F600\u007f\"");
        writer.WriteNumber("n", -12);
        writer.WritePropertyName("a");
        writer.WriteStartArray();
        writer.WriteNull();
        writer.WriteBoolean(false);
        writer.WriteEndArray();
        writer.WriteEndObject();
        Assert.Equal("{\"k\\u00e9y\": \"v\\ud83d\\ude00\\u007f\\\"\", \"n\": -12, \"a\": [null, false]}", writer.ToString());
    }
}

public class LoneSurrogateTests
{
    [Fact]
    public void Values_python_writes_with_lone_surrogates_are_read_and_written_back()
    {
        const string geometry = "{\"type\": \"Sphere\\ud800\", \"data\": {\"\\udc00\": \"\\ud800\"}}";
        ZnDraw.Storage.Models.Geometry g = ZnDraw.Storage.Redis.Mapping.GeometryMapping.Parse("k", "f", geometry)!;
        Assert.Equal("Sphere\ud800", g.Type);
        Assert.Equal(geometry, (string?)ZnDraw.Storage.Redis.Mapping.GeometryMapping.Format(g));
        Assert.Equal(g, ZnDraw.Storage.Redis.Mapping.GeometryMapping.Parse("k", "f", geometry));

        const string meta = "{\"userName\": \"a\\udc00\", \"timestamp\": \"2025-10-31T12:00:00\", \"m\\ud800\": 1}";
        ZnDraw.Storage.Models.LockMetadata m = ZnDraw.Storage.Redis.Mapping.LockMapping.ParseMetadata("k", meta)!;
        Assert.Equal("a\udc00", m.UserName);
        Assert.Equal(meta, (string?)ZnDraw.Storage.Redis.Mapping.LockMapping.FormatMetadata(m));
    }
}

public class JsonEqualityTests
{
    [Theory]
    [InlineData("1e599999999999999999999")]
    [InlineData("[\"\\ud800\", 1.0]")]
    public void Exotic_values_equal_themselves(string json)
    {
        Assert.True(ZnDraw.Storage.Serialization.JsonValues.DeepEquals(TestData.Json(json), TestData.Json(json)));
        Assert.False(ZnDraw.Storage.Serialization.JsonValues.DeepEquals(TestData.Json(json), TestData.Json("2")));
    }
}
