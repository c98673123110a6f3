using System.Runtime.CompilerServices;
using StackExchange.Redis;
using ZnDraw.Storage.Contracts;
using ZnDraw.Storage.Diagnostics;
using ZnDraw.Storage.Models;
using ZnDraw.Storage.Redis.Keys;
using ZnDraw.Storage.Redis.Mapping;
using ZnDraw.Storage.Redis.Serialization;
using ZnDraw.Storage.Redis.Scripts;

namespace ZnDraw.Storage.Redis.Repositories;

/// <summary>The Redis implementation of <see cref="IGeometryRepository"/>.</summary>
internal sealed class GeometryRepository(RedisStoreContext context) : IGeometryRepository
{
    /// <summary>How often <see cref="MergeAsync"/> redoes the merge when other writers keep changing the geometry.</summary>
    internal const int MaxMergeAttempts = 16;

    private readonly IDatabase _db = context.Database;
    private readonly KeySpace _keys = context.Keys;

    // One report delegate per listing, made once per repository: a listing allocates nothing for it.
    private readonly Action<StorageDataException> _unreadableGeometry = ex => UnreadableEntries.Report(context.Logger, UnreadableEntries.Geometry, ex);
    private readonly Action<StorageDataException> _unreadableSelection = ex => UnreadableEntries.Report(context.Logger, UnreadableEntries.Selection, ex);
    private readonly Action<StorageDataException> _unreadableGroup = ex => UnreadableEntries.Report(context.Logger, UnreadableEntries.SelectionGroup, ex);

    /// <inheritdoc/>
    public ValueTask<Geometry?> GetAsync(string roomId, string name, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        RedisKey key = _keys.Room(roomId).Geometries();
        ArgumentException.ThrowIfNullOrEmpty(name);
        return RedisReply.Map(_db.HashGetAsync(key, name), (key, name), static (value, s) => GeometryMapping.Parse(s.key, s.name, value), key, cancellationToken);
    }

    /// <inheritdoc/>
    public ValueTask<IReadOnlyList<KeyValuePair<string, Geometry>>> GetAllAsync(string roomId, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        RedisKey key = _keys.Room(roomId).Geometries();
        return RedisReply.Map(
            _db.HashGetAllAsync(key),
            (key, _unreadableGeometry),
            static (entries, s) => (IReadOnlyList<KeyValuePair<string, Geometry>>)GeometryMapping.FromHash(s.key, entries, s._unreadableGeometry),
            key,
            cancellationToken);
    }

    /// <inheritdoc/>
    public ValueTask<IReadOnlyList<string>> ListNamesAsync(string roomId, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        RedisKey key = _keys.Room(roomId).Geometries();
        return RedisReply.Map(_db.HashKeysAsync(key), 0, static (names, _) => (IReadOnlyList<string>)Array.ConvertAll(names, static n => (string)n!), key, cancellationToken);
    }

    /// <inheritdoc/>
    public ValueTask SetAsync(string roomId, string name, Geometry geometry, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        RedisKey key = _keys.Room(roomId).Geometries();
        ArgumentException.ThrowIfNullOrEmpty(name);
        RedisValue value = GeometryMapping.Format(geometry);
        SizeLimits.CheckBytes(value.Length(), context.Limits.MaxGeometryJsonBytes, "geometry JSON", nameof(geometry));
        return RedisReply.Of((Task)_db.HashSetAsync(key, name, value), key, cancellationToken);
    }

    /// <inheritdoc/>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<Geometry> MergeAsync(string roomId, string name, Geometry geometry, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        RedisKey key = _keys.Room(roomId).Geometries();
        ArgumentException.ThrowIfNullOrEmpty(name);
        GeometryMapping.Validate(geometry); // the whole update is written only when nothing of its type is stored

        RedisValue current;
        try
        {
            current = await RedisStoreContext.WaitAsync(_db.HashGetAsync(key, name), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (RedisErrors.IsClientFailure(ex))
        {
            throw RedisErrors.Map(ex, key.ToString());
        }

        for (int attempt = 0; attempt < MaxMergeAttempts; attempt++)
        {
            RedisValue merged = GeometryMapping.Merge(key, name, current, geometry);
            SizeLimits.CheckBytes(merged.Length(), context.Limits.MaxGeometryJsonBytes, "merged geometry JSON", nameof(geometry));
            RedisValue[] args = current.IsNull
                ? [name, RedisText.Zero, RedisValue.EmptyString, merged]
                : [name, RedisText.One, current, merged];
            RedisResult[] result = await FrameRepository.RunScriptAsync(
                _db, GeometryScripts.CompareAndSet, [key], args, cancellationToken).ConfigureAwait(false);
            if ((long)result[0] == 1)
            {
                return GeometryMapping.Parse(key, name, merged)!;
            }

            current = result.Length > 1 ? (RedisValue)result[1] : RedisValue.Null;
        }

        throw new InvalidOperationException(
            $"Geometry '{name}' at '{key}' was changed by other writers during each of {MaxMergeAttempts} merge attempts; nothing was written.");
    }

    /// <inheritdoc/>
    public ValueTask<bool> DeleteAsync(string roomId, string name, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        RedisKey key = _keys.Room(roomId).Geometries();
        ArgumentException.ThrowIfNullOrEmpty(name);
        return RedisReply.Of(_db.HashDeleteAsync(key, name), key, cancellationToken);
    }

    /// <inheritdoc/>
    public ValueTask<Figure?> GetFigureAsync(string roomId, string name, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        RedisKey key = _keys.Room(roomId).Figures();
        ArgumentException.ThrowIfNullOrEmpty(name);
        return RedisReply.Map(_db.HashGetAsync(key, name), (key, name), static (value, s) => GeometryMapping.ParseFigure(s.key, s.name, value), key, cancellationToken);
    }

    /// <inheritdoc/>
    public ValueTask SetFigureAsync(string roomId, string name, Figure figure, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        RedisKey key = _keys.Room(roomId).Figures();
        ArgumentException.ThrowIfNullOrEmpty(name);
        RedisValue value = GeometryMapping.FormatFigure(figure);
        SizeLimits.CheckBytes(value.Length(), context.Limits.MaxFigureJsonBytes, "figure JSON", nameof(figure));
        return RedisReply.Of((Task)_db.HashSetAsync(key, name, value), key, cancellationToken);
    }

    /// <inheritdoc/>
    public ValueTask<bool> DeleteFigureAsync(string roomId, string name, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        RedisKey key = _keys.Room(roomId).Figures();
        ArgumentException.ThrowIfNullOrEmpty(name);
        return RedisReply.Of(_db.HashDeleteAsync(key, name), key, cancellationToken);
    }

    /// <inheritdoc/>
    public ValueTask<IReadOnlyList<string>> ListFigureNamesAsync(string roomId, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        RedisKey key = _keys.Room(roomId).Figures();
        return RedisReply.Map(_db.HashKeysAsync(key), 0, static (names, _) => (IReadOnlyList<string>)Array.ConvertAll(names, static n => (string)n!), key, cancellationToken);
    }

    /// <inheritdoc/>
    public ValueTask<Selection?> GetSelectionAsync(string roomId, string geometry, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        RedisKey key = _keys.Room(roomId).Selections();
        ArgumentException.ThrowIfNullOrEmpty(geometry);
        return RedisReply.Map(
            _db.HashGetAsync(key, geometry), (key, geometry), static (value, s) => SelectionMapping.ParseSelection(s.key, s.geometry, value), key, cancellationToken);
    }

    /// <inheritdoc/>
    public ValueTask<IReadOnlyList<Selection>> GetSelectionsAsync(string roomId, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        RedisKey key = _keys.Room(roomId).Selections();
        return RedisReply.Map(
            _db.HashGetAllAsync(key),
            (key, _unreadableSelection),
            static (entries, s) => (IReadOnlyList<Selection>)SelectionMapping.SelectionsFromHash(s.key, entries, s._unreadableSelection),
            key,
            cancellationToken);
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

            // Both replies came with EXEC: awaited one by one, without a combined task.
            await set.ConfigureAwait(false);
            await cleared.ConfigureAwait(false);
        }
        catch (Exception ex) when (RedisErrors.IsClientFailure(ex))
        {
            throw RedisErrors.Map(ex, key.ToString());
        }
    }

    /// <inheritdoc/>
    public ValueTask<SelectionGroup?> GetSelectionGroupAsync(string roomId, string name, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        RedisKey key = _keys.Room(roomId).SelectionGroups();
        ArgumentException.ThrowIfNullOrEmpty(name);
        return RedisReply.Map(_db.HashGetAsync(key, name), (key, name), static (value, s) => SelectionMapping.ParseGroup(s.key, s.name, value), key, cancellationToken);
    }

    /// <inheritdoc/>
    public ValueTask<IReadOnlyList<SelectionGroup>> GetSelectionGroupsAsync(string roomId, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        RedisKey key = _keys.Room(roomId).SelectionGroups();
        return RedisReply.Map(
            _db.HashGetAllAsync(key),
            (key, _unreadableGroup),
            static (entries, s) => (IReadOnlyList<SelectionGroup>)SelectionMapping.GroupsFromHash(s.key, entries, s._unreadableGroup),
            key,
            cancellationToken);
    }

    /// <inheritdoc/>
    public ValueTask SetSelectionGroupAsync(string roomId, SelectionGroup group, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        RedisKey key = _keys.Room(roomId).SelectionGroups();
        ArgumentNullException.ThrowIfNull(group);
        ArgumentException.ThrowIfNullOrEmpty(group.Name, nameof(group));
        RedisValue value = SelectionMapping.FormatGroup(group);
        return RedisReply.Of((Task)_db.HashSetAsync(key, group.Name, value), key, cancellationToken);
    }

    /// <inheritdoc/>
    public ValueTask<bool> DeleteSelectionGroupAsync(string roomId, string name, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        RoomKeys room = _keys.Room(roomId);
        ArgumentException.ThrowIfNullOrEmpty(name);
        return GeometryScripts.DeleteGroup.EvaluateAsync(
            _db, [room.SelectionGroups(), room.ActiveSelectionGroup()], [name], 0, static (result, _) => (long)result == 1, cancellationToken);
    }

    /// <inheritdoc/>
    public ValueTask<string?> GetActiveSelectionGroupAsync(string roomId, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        RedisKey key = _keys.Room(roomId).ActiveSelectionGroup();
        return RedisReply.Map(_db.StringGetAsync(key), 0, static (value, _) => (string?)value, key, cancellationToken);
    }

    /// <inheritdoc/>
    public ValueTask<bool> LoadSelectionGroupAsync(string roomId, string name, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        RoomKeys room = _keys.Room(roomId);
        ArgumentException.ThrowIfNullOrEmpty(name);
        RedisKey groups = room.SelectionGroups();
        return GeometryScripts.LoadGroup.EvaluateAsync(
            _db,
            [groups, room.Selections(), room.ActiveSelectionGroup()],
            [name],
            (groups, name),
            static (result, s) =>
            {
                long status = (long)result;
                if (status < 0)
                {
                    throw new StorageDataException(s.groups.ToString(), s.name, "expected a JSON object {geometry: [non-negative integer indices]}; nothing was loaded.");
                }

                return status == 1;
            },
            cancellationToken);
    }
}
