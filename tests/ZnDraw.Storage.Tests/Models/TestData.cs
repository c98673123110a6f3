using System.Text.Json;
using StackExchange.Redis;

namespace ZnDraw.Storage.Tests.Models;

internal static class TestData
{
    public static HashEntry[] Hash(params (string Name, string Value)[] fields)
    {
        var entries = new HashEntry[fields.Length];
        for (int i = 0; i < fields.Length; i++)
        {
            entries[i] = new HashEntry(fields[i].Name, fields[i].Value);
        }

        return entries;
    }

    /// <summary>The same hash as Redis would return it: names and values as raw UTF-8 bytes.</summary>
    public static HashEntry[] AsBytes(HashEntry[] entries)
    {
        var copy = new HashEntry[entries.Length];
        for (int i = 0; i < entries.Length; i++)
        {
            copy[i] = new HashEntry((byte[])entries[i].Name!, (byte[])entries[i].Value!);
        }

        return copy;
    }

    public static Dictionary<string, string> ToDictionary(HashEntry[] entries)
    {
        var dict = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (HashEntry e in entries)
        {
            dict.Add(e.Name!, e.Value!);
        }

        return dict;
    }

    public static JsonElement Json(string text)
    {
        using var doc = JsonDocument.Parse(text);
        return doc.RootElement.Clone();
    }

    public static RedisValue Bytes(string text) => System.Text.Encoding.UTF8.GetBytes(text);
}
