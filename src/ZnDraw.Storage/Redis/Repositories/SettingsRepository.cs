using System.Runtime.CompilerServices;
using System.Text.Json;
using StackExchange.Redis;
using ZnDraw.Storage.Contracts;
using ZnDraw.Storage.Models;
using ZnDraw.Storage.Redis.Keys;
using ZnDraw.Storage.Redis.Mapping;
using ZnDraw.Storage.Redis.Serialization;
using ZnDraw.Storage.Serialization;

namespace ZnDraw.Storage.Redis.Repositories;

/// <summary>The Redis implementation of <see cref="ISettingsRepository"/>.</summary>
internal sealed class SettingsRepository(RedisStoreContext context) : ISettingsRepository
{
    private readonly IDatabase _db = context.Database;
    private readonly KeySpace _keys = context.Keys;

    /// <inheritdoc/>
    public ValueTask<JsonElement?> GetSectionAsync(string roomId, string userName, string section, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        RedisKey key = _keys.Room(roomId).UserSettings(userName);
        ArgumentException.ThrowIfNullOrEmpty(section);
        return RedisReply.Map(
            _db.HashGetAsync(key, section),
            (key, section),
            static (value, s) => value.IsNull ? null : (JsonElement?)JsonParsing.ParseObject(s.key, s.section, value),
            key,
            cancellationToken);
    }

    /// <inheritdoc/>
    public ValueTask<UserRoomSettings?> GetAllAsync(string roomId, string userName, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        RedisKey key = _keys.Room(roomId).UserSettings(userName);
        return RedisReply.Map(_db.HashGetAllAsync(key), key, static (entries, key) => SettingsMapping.FromHash(key, entries), key, cancellationToken);
    }

    /// <inheritdoc/>
    public ValueTask SetSectionAsync(string roomId, string userName, string section, JsonElement value, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        RoomKeys room = _keys.Room(roomId);
        RedisKey key = room.UserSettings(userName);
        ArgumentException.ThrowIfNullOrEmpty(section);
        JsonValues.RequireObject(value, nameof(value));
        return WriteAsync(room.KeyRegistry(), key, [new HashEntry(section, PythonJsonWriter.ToUtf8(value))], cancellationToken);
    }

    /// <inheritdoc/>
    public ValueTask SetSectionsAsync(string roomId, string userName, UserRoomSettings settings, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        RoomKeys room = _keys.Room(roomId);
        RedisKey key = room.UserSettings(userName);
        ArgumentNullException.ThrowIfNull(settings);
        if (!settings.Sections.IsDefault)
        {
            SettingsValidation.ValidateSectionNames(settings.Sections.AsSpan(), nameof(settings));
        }

        HashEntry[] entries = SettingsMapping.ToHashEntries(settings);
        return entries.Length == 0 ? ValueTask.CompletedTask : WriteAsync(room.KeyRegistry(), key, entries, cancellationToken);
    }

    /// <inheritdoc/>
    public ValueTask<JsonElement?> GetExtensionDataAsync(string roomId, string userName, string category, string extension, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        RedisKey key = _keys.Room(roomId).UserExtensionData(userName, category);
        KeyValidation.ValidateExtensionName(extension);
        return RedisReply.Map(
            _db.HashGetAsync(key, extension),
            (key, extension),
            static (value, s) => SettingsMapping.ParseJsonField(s.key, s.extension, value),
            key,
            cancellationToken);
    }

    /// <inheritdoc/>
    public ValueTask SetExtensionDataAsync(string roomId, string userName, string category, string extension, JsonElement value, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        RoomKeys room = _keys.Room(roomId);
        RedisKey key = room.UserExtensionData(userName, category);
        KeyValidation.ValidateExtensionName(extension);
        RedisValue json = SettingsMapping.FormatJson(value);
        return WriteAsync(room.KeyRegistry(), key, [new HashEntry(extension, json)], cancellationToken);
    }

    /// <summary>
    /// MULTI: HSET of the entries and SADD of the hash's name to the room's key registry. The call's one async layer: the
    /// public methods validate, build the values and return this.
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask WriteAsync(RedisKey registry, RedisKey key, HashEntry[] entries, CancellationToken cancellationToken)
    {
        ITransaction tx = _db.CreateTransaction();
        Task set = tx.HashSetAsync(key, entries);
        Task registered = tx.SetAddAsync(registry, key.ToString());
        try
        {
            await RedisStoreContext.WaitAsync(tx.ExecuteAsync(), cancellationToken).ConfigureAwait(false);

            // Both replies came with EXEC: awaited one by one, without a combined task.
            await set.ConfigureAwait(false);
            await registered.ConfigureAwait(false);
        }
        catch (Exception ex) when (RedisErrors.IsClientFailure(ex))
        {
            throw RedisErrors.Map(ex, [key, registry]);
        }
    }
}
