using System.Runtime.CompilerServices;
using System.Text.Json;
using StackExchange.Redis;
using ZnDraw.Storage.Keys;
using ZnDraw.Storage.Models;
using ZnDraw.Storage.Redis;
using ZnDraw.Storage.Serialization;

namespace ZnDraw.Storage.Repositories;

/// <summary>The Redis implementation of <see cref="IGeometryRepository"/>.</summary>
internal sealed class GeometryRepository(RedisStoreContext context) : IGeometryRepository
{
    /// <summary>How often <see cref="MergeAsync"/> redoes the merge when other writers keep changing the geometry.</summary>
    internal const int MaxMergeAttempts = 16;

    private readonly IDatabase _db = context.Database;
    private readonly KeySpace _keys = context.Keys;

    /// <inheritdoc/>
    public ValueTask<Geometry?> GetAsync(string roomId, string name, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        RedisKey key = _keys.Room(roomId).Geometries();
        ArgumentException.ThrowIfNullOrEmpty(name);
        return RedisReply.Map(_db.HashGetAsync(key, name), (key, name), static (value, s) => GeometryMapping.Parse(s.key.ToString(), s.name, value), key, cancellationToken);
    }

    /// <inheritdoc/>
    public ValueTask<IReadOnlyList<KeyValuePair<string, Geometry>>> GetAllAsync(string roomId, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        RedisKey key = _keys.Room(roomId).Geometries();
        return RedisReply.Map(
            _db.HashGetAllAsync(key), key, static (entries, key) => (IReadOnlyList<KeyValuePair<string, Geometry>>)GeometryMapping.FromHash(key.ToString(), entries), key, cancellationToken);
    }

    /// <inheritdoc/>
    public ValueTask<IReadOnlyList<string>> ListNamesAsync(string roomId, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        RedisKey key = _keys.Room(roomId).Geometries();
        return RedisReply.Map(_db.HashKeysAsync(key), 0, static (names, _) => (IReadOnlyList<string>)Array.ConvertAll(names, static n => (string)n!), key, cancellationToken);
    }

    /// <inheritdoc/>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    public async ValueTask SetAsync(string roomId, string name, Geometry geometry, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        RedisKey key = _keys.Room(roomId).Geometries();
        ArgumentException.ThrowIfNullOrEmpty(name);
        RedisValue value = GeometryMapping.Format(geometry);
        await HashSetAsync(key, name, value, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<Geometry> MergeAsync(string roomId, string name, Geometry geometry, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        RedisKey key = _keys.Room(roomId).Geometries();
        ArgumentException.ThrowIfNullOrEmpty(name);
        RedisValue replacement = GeometryMapping.Format(geometry); // validates type and data
        string keyText = key.ToString();

        RedisValue current = await HashGetAsync(key, name, cancellationToken).ConfigureAwait(false);
        for (int attempt = 0; attempt < MaxMergeAttempts; attempt++)
        {
            RedisValue merged = Merge(keyText, name, current, geometry, replacement);
            RedisValue[] args = current.IsNull
                ? [name, RedisText.Zero, RedisValue.EmptyString, merged]
                : [name, RedisText.One, current, merged];
            RedisResult[] result = await FrameRepository.RunScriptAsync(
                _db, GeometryScripts.CompareAndSet, [key], args, cancellationToken).ConfigureAwait(false);
            if ((long)result[0] == 1)
            {
                return GeometryMapping.Parse(keyText, name, merged)!;
            }

            current = result.Length > 1 ? (RedisValue)result[1] : RedisValue.Null;
        }

        throw new InvalidOperationException(
            $"Geometry '{name}' at '{keyText}' was changed by other writers during each of {MaxMergeAttempts} merge attempts; nothing was written.");
    }

    /// <inheritdoc/>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<bool> DeleteAsync(string roomId, string name, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        RedisKey key = _keys.Room(roomId).Geometries();
        ArgumentException.ThrowIfNullOrEmpty(name);
        return await HashDeleteAsync(key, name, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<Figure?> GetFigureAsync(string roomId, string name, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        RedisKey key = _keys.Room(roomId).Figures();
        ArgumentException.ThrowIfNullOrEmpty(name);
        RedisValue value = await HashGetAsync(key, name, cancellationToken).ConfigureAwait(false);
        return GeometryMapping.ParseFigure(key.ToString(), name, value);
    }

    /// <inheritdoc/>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    public async ValueTask SetFigureAsync(string roomId, string name, Figure figure, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        RedisKey key = _keys.Room(roomId).Figures();
        ArgumentException.ThrowIfNullOrEmpty(name);
        RedisValue value = GeometryMapping.FormatFigure(figure);
        await HashSetAsync(key, name, value, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<bool> DeleteFigureAsync(string roomId, string name, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        RedisKey key = _keys.Room(roomId).Figures();
        ArgumentException.ThrowIfNullOrEmpty(name);
        return await HashDeleteAsync(key, name, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<IReadOnlyList<string>> ListFigureNamesAsync(string roomId, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return await HashKeysAsync(_keys.Room(roomId).Figures(), cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<Selection?> GetSelectionAsync(string roomId, string geometry, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        RedisKey key = _keys.Room(roomId).Selections();
        ArgumentException.ThrowIfNullOrEmpty(geometry);
        RedisValue value = await HashGetAsync(key, geometry, cancellationToken).ConfigureAwait(false);
        return SelectionMapping.ParseSelection(key.ToString(), geometry, value);
    }

    /// <inheritdoc/>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<IReadOnlyList<Selection>> GetSelectionsAsync(string roomId, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        RedisKey key = _keys.Room(roomId).Selections();
        HashEntry[] entries = await HashGetAllAsync(key, cancellationToken).ConfigureAwait(false);
        return SelectionMapping.SelectionsFromHash(key.ToString(), entries);
    }

    /// <inheritdoc/>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    public async ValueTask SetSelectionAsync(string roomId, Selection selection, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        RoomKeys room = _keys.Room(roomId);
        ArgumentNullException.ThrowIfNull(selection);
        ArgumentException.ThrowIfNullOrEmpty(selection.Geometry, nameof(selection));
        RedisValue value = SelectionMapping.FormatIndices(selection.Indices);
        RedisKey key = room.Selections();
        RedisKey active = room.ActiveSelectionGroup();

        ITransaction tx = _db.CreateTransaction();
        Task set = tx.HashSetAsync(key, selection.Geometry, value);
        Task cleared = tx.KeyDeleteAsync(active);
        try
        {
            await RedisStoreContext.WaitAsync(tx.ExecuteAsync(), cancellationToken).ConfigureAwait(false);
            await RedisStoreContext.WaitAsync(Task.WhenAll(set, cleared), cancellationToken).ConfigureAwait(false);
        }
        catch (RedisServerException ex) when (RedisErrors.IsWrongType(ex))
        {
            throw RedisErrors.WrongType(key.ToString(), ex);
        }
    }

    /// <inheritdoc/>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<SelectionGroup?> GetSelectionGroupAsync(string roomId, string name, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        RedisKey key = _keys.Room(roomId).SelectionGroups();
        ArgumentException.ThrowIfNullOrEmpty(name);
        RedisValue value = await HashGetAsync(key, name, cancellationToken).ConfigureAwait(false);
        return SelectionMapping.ParseGroup(key.ToString(), name, value);
    }

    /// <inheritdoc/>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<IReadOnlyList<SelectionGroup>> GetSelectionGroupsAsync(string roomId, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        RedisKey key = _keys.Room(roomId).SelectionGroups();
        HashEntry[] entries = await HashGetAllAsync(key, cancellationToken).ConfigureAwait(false);
        string keyText = key.ToString();
        var groups = new SelectionGroup[entries.Length];
        for (int i = 0; i < groups.Length; i++)
        {
            string name = entries[i].Name!;
            groups[i] = SelectionMapping.ParseGroup(keyText, name, entries[i].Value) ?? throw RedisText.Missing(keyText, name);
        }

        return groups;
    }

    /// <inheritdoc/>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    public async ValueTask SetSelectionGroupAsync(string roomId, SelectionGroup group, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        RedisKey key = _keys.Room(roomId).SelectionGroups();
        ArgumentNullException.ThrowIfNull(group);
        ArgumentException.ThrowIfNullOrEmpty(group.Name, nameof(group));
        RedisValue value = SelectionMapping.FormatGroup(group);
        await HashSetAsync(key, group.Name, value, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<bool> DeleteSelectionGroupAsync(string roomId, string name, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        RoomKeys room = _keys.Room(roomId);
        ArgumentException.ThrowIfNullOrEmpty(name);
        RedisResult result = await EvaluateAsync(
            GeometryScripts.DeleteGroup, [room.SelectionGroups(), room.ActiveSelectionGroup()], [name], cancellationToken).ConfigureAwait(false);
        return (long)result == 1;
    }

    /// <inheritdoc/>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<string?> GetActiveSelectionGroupAsync(string roomId, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        RedisKey key = _keys.Room(roomId).ActiveSelectionGroup();
        try
        {
            return await RedisStoreContext.WaitAsync(_db.StringGetAsync(key), cancellationToken).ConfigureAwait(false);
        }
        catch (RedisServerException ex) when (RedisErrors.IsWrongType(ex))
        {
            throw RedisErrors.WrongType(key.ToString(), ex);
        }
    }

    /// <inheritdoc/>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<bool> LoadSelectionGroupAsync(string roomId, string name, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        RoomKeys room = _keys.Room(roomId);
        ArgumentException.ThrowIfNullOrEmpty(name);
        RedisKey groups = room.SelectionGroups();
        RedisResult result = await EvaluateAsync(
            GeometryScripts.LoadGroup, [groups, room.Selections(), room.ActiveSelectionGroup()], [name], cancellationToken).ConfigureAwait(false);
        long status = (long)result;
        if (status < 0)
        {
            throw new StorageDataException(groups.ToString(), name, "expected a JSON object {geometry: [non-negative integer indices]}; nothing was loaded.");
        }

        return status == 1;
    }

    /// <summary>
    /// The value to store for a merge of <paramref name="update"/> into <paramref name="current"/>: the stored data with the
    /// update's members replacing or appended (stored order kept), or <paramref name="replacement"/> when nothing of the same
    /// type is stored.
    /// </summary>
    internal static RedisValue Merge(string key, string name, in RedisValue current, Geometry update, in RedisValue replacement)
    {
        Geometry? stored = GeometryMapping.Parse(key, name, current);
        if (stored is null || !string.Equals(stored.Type, update.Type, StringComparison.Ordinal))
        {
            return replacement;
        }

        using var writer = new PythonJsonWriter(512);
        writer.WriteStartObject();
        writer.WriteString("type", stored.Type);
        writer.WritePropertyName("data");
        writer.WriteStartObject();
        var written = new HashSet<string>(StringComparer.Ordinal);
        foreach (JsonProperty property in stored.Data.EnumerateObject())
        {
            string member = JsonParsing.GetName(property);
            if (!written.Add(member))
            {
                continue; // a repeated member: the value read below is the last one, as Python's json.loads keeps it
            }

            writer.WritePropertyName(member);
            writer.WriteElement(update.Data.TryGetProperty(member, out JsonElement value) ? value
                : stored.Data.TryGetProperty(member, out JsonElement last) ? last : property.Value);
        }

        foreach (JsonProperty property in update.Data.EnumerateObject())
        {
            string member = JsonParsing.GetName(property);
            if (written.Add(member))
            {
                writer.WritePropertyName(member);
                writer.WriteElement(update.Data.TryGetProperty(member, out JsonElement last) ? last : property.Value);
            }
        }

        writer.WriteEndObject();
        writer.WriteEndObject();
        return writer.ToRedisValue();
    }

    private ValueTask<RedisResult> EvaluateAsync(RedisScript script, RedisKey[] keys, RedisValue[] args, CancellationToken cancellationToken) =>
        script.EvaluateAsync(_db, keys, args, cancellationToken);

    private ValueTask<RedisValue> HashGetAsync(RedisKey key, string field, CancellationToken cancellationToken) =>
        RedisCalls.OneKeyAsync(_db.HashGetAsync(key, field), key, cancellationToken);

    private ValueTask<HashEntry[]> HashGetAllAsync(RedisKey key, CancellationToken cancellationToken) =>
        RedisCalls.OneKeyAsync(_db.HashGetAllAsync(key), key, cancellationToken);

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<string[]> HashKeysAsync(RedisKey key, CancellationToken cancellationToken)
    {
        RedisValue[] names = await RedisCalls.OneKeyAsync(_db.HashKeysAsync(key), key, cancellationToken).ConfigureAwait(false);
        return Array.ConvertAll(names, static n => (string)n!);
    }

    private ValueTask HashSetAsync(RedisKey key, string field, RedisValue value, CancellationToken cancellationToken) =>
        RedisCalls.OneKeyAsync((Task)_db.HashSetAsync(key, field, value), key, cancellationToken);

    private ValueTask<bool> HashDeleteAsync(RedisKey key, string field, CancellationToken cancellationToken) =>
        RedisCalls.OneKeyAsync(_db.HashDeleteAsync(key, field), key, cancellationToken);
}
