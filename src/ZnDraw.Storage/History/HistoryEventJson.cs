using System.Buffers;
using System.Text.Json.Serialization.Metadata;
using System.Text.Json;

namespace ZnDraw.Storage.History;

/// <summary>
/// Writes the outbox JSON of a history event: exactly the bytes of
/// <c>JsonSerializer.SerializeToUtf8Bytes(e, HistoryJsonContext.Default.HistoryEvent)</c>, at about half the cost.
/// </summary>
/// <remarks>
/// Serializing through the polymorphic base contract makes System.Text.Json take its general (metadata) path, which
/// allocates a frame stack for the derived type on every call. Here the event is serialized with its own, derived
/// contract, whose source-generated fast path writes straight into a per-thread buffer, and the discriminator
/// (<c>{"type":"room",</c>) is put in front of it: the polymorphic serializer writes the discriminator first and
/// then the very same derived contract, so the bytes are equal (a property test checks it). The only allocation is
/// the returned array. Types the context does not know, and indented options, go through the serializer as before.
/// </remarks>
internal static class HistoryEventJson
{
    /// <summary>Buffers above this size are not kept for the next call (a large extension schema, say).</summary>
    private const int KeepBufferBytes = 16 * 1024;

    private static readonly JsonTypeInfo<HistoryEvent> Polymorphic = HistoryJsonContext.Default.HistoryEvent;
    private static readonly Contract[] Contracts = BuildContracts();

    [ThreadStatic]
    private static Writer? t_writer;

    /// <summary>The event JSON (UTF-8).</summary>
    public static byte[] Serialize(HistoryEvent historyEvent)
    {
        Contract? contract = Find(historyEvent.GetType());
        if (contract is null)
        {
            return JsonSerializer.SerializeToUtf8Bytes(historyEvent, Polymorphic);
        }

        // Taken, not borrowed: a (pathological) nested call on this thread gets a writer of its own.
        Writer writer = t_writer ?? new Writer();
        t_writer = null;
        try
        {
            JsonSerializer.Serialize(writer.Json, historyEvent, contract.TypeInfo);
            ReadOnlySpan<byte> body = writer.Buffer.WrittenSpan;
            byte[] prefix = contract.Prefix;
            if (prefix.Length == 0)
            {
                return body.ToArray(); // a derived type without a discriminator is written as itself
            }

            if (body.Length < 2 || body[0] != (byte)'{')
            {
                return JsonSerializer.SerializeToUtf8Bytes(historyEvent, Polymorphic); // not an object: leave it to the serializer
            }

            // prefix is '{"type":"room",'; body is '{...}' (or '{}', when the comma must go).
            bool empty = body.Length == 2;
            var json = new byte[prefix.Length + body.Length - (empty ? 2 : 1)];
            prefix.AsSpan(0, empty ? prefix.Length - 1 : prefix.Length).CopyTo(json);
            body[1..].CopyTo(json.AsSpan(empty ? prefix.Length - 1 : prefix.Length));
            return json;
        }
        finally
        {
            writer.Json.Reset();
            if (writer.Buffer.Capacity <= KeepBufferBytes)
            {
                writer.Buffer.ResetWrittenCount();
                t_writer = writer;
            }
        }
    }

    private static Contract? Find(Type type)
    {
        foreach (Contract contract in Contracts)
        {
            if (contract.Type == type)
            {
                return contract;
            }
        }

        return null;
    }

    private static Contract[] BuildContracts()
    {
        JsonSerializerOptions options = Polymorphic.Options;
        JsonPolymorphismOptions? polymorphism = Polymorphic.PolymorphismOptions;
        if (polymorphism is null || options.WriteIndented)
        {
            return [];
        }

        var contracts = new List<Contract>();
        foreach (var derived in polymorphism.DerivedTypes)
        {
            byte[] prefix = derived.TypeDiscriminator switch
            {
                null => [],
                string s => Prefix(options, polymorphism.TypeDiscriminatorPropertyName, w => w.WriteStringValue(s)),
                int i => Prefix(options, polymorphism.TypeDiscriminatorPropertyName, w => w.WriteNumberValue(i)),
                _ => [],
            };
            contracts.Add(new Contract(derived.DerivedType, options.GetTypeInfo(derived.DerivedType), prefix));
        }

        return [.. contracts];
    }

    private static byte[] Prefix(JsonSerializerOptions options, string propertyName, Action<Utf8JsonWriter> writeValue)
    {
        var buffer = new ArrayBufferWriter<byte>(64);
        using (var w = new Utf8JsonWriter(buffer, WriterOptions(options)))
        {
            w.WriteStartObject();
            w.WritePropertyName(propertyName);
            writeValue(w);
        }

        return [.. buffer.WrittenSpan, (byte)','];
    }

    private static JsonWriterOptions WriterOptions(JsonSerializerOptions options) => new()
    {
        Encoder = options.Encoder,
        Indented = false,
        MaxDepth = options.MaxDepth,
        SkipValidation = true,
    };

    private sealed record Contract(Type Type, JsonTypeInfo TypeInfo, byte[] Prefix);

    private sealed class Writer
    {
        public Writer()
        {
            Buffer = new ArrayBufferWriter<byte>(512);
            Json = new Utf8JsonWriter(Buffer, WriterOptions(Polymorphic.Options));
        }

        public ArrayBufferWriter<byte> Buffer { get; }

        public Utf8JsonWriter Json { get; }
    }
}
