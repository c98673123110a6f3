using System.Runtime.CompilerServices;
using System.Text.Json;
using StackExchange.Redis;
using ZnDraw.Storage.Keys;
using ZnDraw.Storage.Models;
using ZnDraw.Storage.Redis;
using ZnDraw.Storage.Serialization;

namespace ZnDraw.Storage.Repositories;

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
            static (value, s) => value.IsNull ? null : (JsonElement?)JsonParsing.ParseObject(s.key.ToString(), s.section, value),
            key,
            cancellationToken);
    }

    /// <inheritdoc/>
    public ValueTask<UserRoomSettings?> GetAllAsync(string roomId, string userName, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        RedisKey key = _keys.Room(roomId).UserSettings(userName);
        return RedisReply.Map(_db.HashGetAllAsync(key), key, static (entries, key) => SettingsMapping.FromHash(key.ToString(), entries), key, cancellationToken);
    }

    /// <inheritdoc/>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    public async ValueTask SetSectionAsync(string roomId, string userName, string section, JsonElement value, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        RoomKeys room = _keys.Room(roomId);
        RedisKey key = room.UserSettings(userName);
        ArgumentException.ThrowIfNullOrEmpty(section);
        JsonParsing.RequireObject(value, nameof(value));
        await WriteAsync(room.KeyRegistry(), key, [new HashEntry(section, PythonJsonWriter.ToRedisValue(value))], cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    public async ValueTask SetSectionsAsync(string roomId, string userName, UserRoomSettings settings, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        RoomKeys room = _keys.Room(roomId);
        RedisKey key = room.UserSettings(userName);
        ArgumentNullException.ThrowIfNull(settings);
        var names = new HashSet<string>(StringComparer.Ordinal);
        if (!settings.Sections.IsDefault)
        {
            foreach (RoomSettingsSection section in settings.Sections)
            {
                ArgumentNullException.ThrowIfNull(section, nameof(settings));
                ArgumentException.ThrowIfNullOrEmpty(section.Name, nameof(settings));
                if (!names.Add(section.Name))
                {
                    throw new ArgumentException($"Section '{section.Name}' is listed twice.", nameof(settings));
                }
            }
        }

        HashEntry[] entries = SettingsMapping.ToHashEntries(settings);
        if (entries.Length == 0)
        {
            return;
        }

        await WriteAsync(room.KeyRegistry(), key, entries, cancellationToken).ConfigureAwait(false);
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
            static (value, s) => SettingsMapping.ParseJsonField(s.key.ToString(), s.extension, value),
            key,
            cancellationToken);
    }

    /// <inheritdoc/>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    public async ValueTask SetExtensionDataAsync(string roomId, string userName, string category, string extension, JsonElement value, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        RoomKeys room = _keys.Room(roomId);
        RedisKey key = room.UserExtensionData(userName, category);
        KeyValidation.ValidateExtensionName(extension);
        RedisValue json = SettingsMapping.FormatJson(value);
        await WriteAsync(room.KeyRegistry(), key, [new HashEntry(extension, json)], cancellationToken).ConfigureAwait(false);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask WriteAsync(RedisKey registry, RedisKey key, HashEntry[] entries, CancellationToken cancellationToken)
    {
        ITransaction tx = _db.CreateTransaction();
        Task set = tx.HashSetAsync(key, entries);
        Task registered = tx.SetAddAsync(registry, key.ToString());
        try
        {
            await RedisStoreContext.WaitAsync(tx.ExecuteAsync(), cancellationToken).ConfigureAwait(false);
            await RedisStoreContext.WaitAsync(Task.WhenAll(set, registered), cancellationToken).ConfigureAwait(false);
        }
        catch (RedisServerException ex) when (RedisErrors.IsWrongType(ex))
        {
            throw RedisErrors.WrongType([key, registry], ex);
        }
    }
}
