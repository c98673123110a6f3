using System.Collections.Immutable;
using System.Runtime.InteropServices;
using StackExchange.Redis;
using ZnDraw.Storage.Contracts;
using ZnDraw.Storage.Diagnostics;
using ZnDraw.Storage.Models;
using ZnDraw.Storage.Redis.Serialization;
using ZnDraw.Storage.Serialization;

namespace ZnDraw.Storage.Redis.Mapping;

/// <summary>Maps selections, selection groups and frame selections to and from their JSON values.</summary>
internal static class SelectionMapping
{
    /// <summary>Python <c>json.dumps(list)</c> of the indices: <c>[0, 1]</c>, <c>[]</c>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An index is negative.</exception>
    public static RedisValue FormatIndices(ImmutableArray<int> indices) =>
        StoredJson.FormatIndexArrayUtf8(indices.IsDefault ? [] : indices.AsSpan());

    /// <summary>Reads a JSON array of non-negative ints.</summary>
    /// <exception cref="StorageDataException">Missing, broken JSON, not an array, or an element that is not a non-negative int.</exception>
    public static ImmutableArray<int> ParseIndices(in RedisKey key, string? field, in RedisValue value) =>
        ImmutableCollectionsMarshal.AsImmutableArray(JsonParsing.ParseIndexArray(key, field, value));

    /// <summary>Reads one field of <c>room:{room}:selections</c>; <see langword="null"/> when missing.</summary>
    public static Selection? ParseSelection(in RedisKey key, string geometry, in RedisValue value) =>
        value.IsNull ? null : new Selection(geometry, ParseIndices(key, geometry, value));

    /// <summary>
    /// Reads HGETALL of <c>room:{room}:selections</c> in stored order. A field that is not an index array is left out
    /// and handed to <paramref name="unreadable"/> (a listing reports it and goes on).
    /// </summary>
    public static Selection[] SelectionsFromHash(in RedisKey key, HashEntry[] entries, Action<StorageDataException> unreadable)
    {
        ArgumentNullException.ThrowIfNull(entries);
        ArgumentNullException.ThrowIfNull(unreadable);
        var result = new Selection[entries.Length];
        int count = 0;
        for (int i = 0; i < entries.Length; i++)
        {
            string geometry = entries[i].Name!;
            try
            {
                result[count] = new Selection(geometry, ParseIndices(key, geometry, entries[i].Value));
                count++;
            }
            catch (StorageDataException ex)
            {
                unreadable(ex);
            }
        }

        return UnreadableEntries.Trim(result, count);
    }

    /// <summary>A group's JSON: <c>{"particles": [0, 1], …}</c> in Python style.</summary>
    public static RedisValue FormatGroup(SelectionGroup group) => SelectionJson.FormatGroupUtf8(group);

    /// <summary>Reads one field of <c>room:{room}:selection_groups</c>; <see langword="null"/> when missing.</summary>
    /// <remarks>A geometry named twice keeps its first position and its last value, as Python's <c>json.loads</c> does.</remarks>
    /// <exception cref="StorageDataException">Broken JSON, not an object, or a member that is not an index array.</exception>
    public static SelectionGroup? ParseGroup(in RedisKey key, string name, in RedisValue value)
    {
        if (value.IsNull)
        {
            return null;
        }

        ReadOnlyMemory<byte> utf8 = value;
        return SelectionJson.ParseGroup(new RedisValueLocation(key, name), name, utf8.Span);
    }

    /// <summary>
    /// Reads HGETALL of <c>room:{room}:selection_groups</c> in stored order. A group that does not parse (see
    /// <see cref="ParseGroup"/>) is left out and handed to <paramref name="unreadable"/> (a listing reports it and goes on).
    /// </summary>
    public static SelectionGroup[] GroupsFromHash(in RedisKey key, HashEntry[] entries, Action<StorageDataException> unreadable)
    {
        ArgumentNullException.ThrowIfNull(entries);
        ArgumentNullException.ThrowIfNull(unreadable);
        var result = new SelectionGroup[entries.Length];
        int count = 0;
        for (int i = 0; i < entries.Length; i++)
        {
            string name = entries[i].Name!;
            try
            {
                result[count] = ParseGroup(key, name, entries[i].Value) ?? throw RedisText.Missing(JsonParsing.KeyText(key), name);
                count++;
            }
            catch (StorageDataException ex)
            {
                unreadable(ex);
            }
        }

        return UnreadableEntries.Trim(result, count);
    }

    /// <summary>Reads <c>room:{room}:frame_selection:{group}</c>; <see langword="null"/> when missing.</summary>
    public static FrameSelection? ParseFrameSelection(in RedisKey key, string group, in RedisValue value) =>
        value.IsNull ? null : new FrameSelection(group, ParseIndices(key, null, value));

    /// <summary>The frame selection JSON array.</summary>
    public static RedisValue FormatFrameSelection(FrameSelection selection)
    {
        ArgumentNullException.ThrowIfNull(selection);
        return FormatIndices(selection.Frames);
    }
}
