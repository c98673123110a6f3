using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;
using ZnDraw.Storage.Contracts;
using ZnDraw.Storage.Diagnostics;
using ZnDraw.Storage.Models;
using ZnDraw.Storage.Redis.Keys;
using ZnDraw.Storage.Redis.Mapping;
using ZnDraw.Storage.Redis.Serialization;
using ZnDraw.Storage.Redis.Scripts;

namespace ZnDraw.Storage.Redis.Repositories;

/// <summary>The Redis implementation of <see cref="IFilesystemRepository"/>.</summary>
internal sealed class FilesystemRepository(RedisStoreContext context) : IFilesystemRepository
{
    private const int FixedArgs = 8;
    private static readonly RedisValue One = "1";
    private static readonly RedisValue Zero = "0";

    private readonly RedisStoreContext _context = context ?? throw new ArgumentNullException(nameof(context));

    private IDatabase Db => _context.Database;

    /// <inheritdoc/>
    public ValueTask SaveAsync(FilesystemInfo entity, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        ArgumentNullException.ThrowIfNull(entity);
        FilesystemInfo filesystem = entity;
        var keys = KeysOf(filesystem.Scope, filesystem.RoomId, filesystem.Name);
        RedisKey reverse = keys.UserFilesystems(filesystem.WorkerId);
        RedisKey registrations = _context.Keys.Worker(filesystem.WorkerId).Registrations();
        ArgumentException.ThrowIfNullOrEmpty(filesystem.FsType, nameof(filesystem));
        ArgumentException.ThrowIfNullOrEmpty(filesystem.UserName, nameof(filesystem));
        bool hasRegistry = !keys.IsGlobal;
        bool registrationsInScript = !_context.Keys.IsClusterSafe;
        string entry = ExtensionWorkerRegistrations.ForFilesystems(keys.RoomId);

        // KEYS and ARGV built straight into their final arrays; each key name is one string, sent as key and argument.
        string metadata = (string)keys.Metadata()!, worker = (string)keys.Worker()!;
        var keyArray = new RedisKey[4 + (hasRegistry ? 1 : 0) + (registrationsInScript ? 1 : 0)];
        keyArray[0] = metadata;
        keyArray[1] = worker;
        keyArray[2] = reverse;
        keyArray[3] = keys.Index();
        if (hasRegistry)
        {
            keyArray[4] = _context.Keys.Room(keys.RoomId!).KeyRegistry();
        }

        if (registrationsInScript)
        {
            keyArray[^1] = registrations;
        }

        var args = new RedisValue[FixedArgs + (2 * FilesystemMapping.FieldCount)];
        args[0] = filesystem.Name;
        args[1] = filesystem.WorkerId;
        args[2] = hasRegistry ? One : Zero;
        args[3] = registrationsInScript ? One : Zero;
        args[4] = entry;
        args[5] = metadata;
        args[6] = worker;
        args[7] = (string)reverse!;
        FilesystemMapping.WritePairs(filesystem, args, FixedArgs);

        if (registrationsInScript)
        {
            // One script (ZnDraw's layout): no async layer of our own.
            return FilesystemScripts.Register.EvaluateVoidAsync(Db, keyArray, args, 0, static (_, _) => true, cancellationToken);
        }

        return AddEntryThenRegisterAsync(registrations, entry, keyArray, args, cancellationToken);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask AddEntryThenRegisterAsync(RedisKey registrations, string entry, RedisKey[] keyArray, RedisValue[] args, CancellationToken cancellationToken)
    {
        try
        {
            // Cluster-safe: the registrations set is in the worker's slot; written first (idempotent), so a crash
            // in between leaves only an entry pointing at nothing.
            await RedisStoreContext.WaitAsync(Db.SetAddAsync(registrations, entry), cancellationToken).ConfigureAwait(false);
            await FilesystemScripts.Register.EvaluateAsync(Db, keyArray, args, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (RedisErrors.IsClientFailure(ex))
        {
            throw RedisErrors.Map(ex, keyArray);
        }
    }

    /// <inheritdoc/>
    public ValueTask<FilesystemInfo?> GetByIdAsync(FilesystemId id, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        RedisKey metadata = KeysOf(id.Scope, id.RoomId, id.Name).Metadata();
        return RedisReply.Map(
            Db.HashGetAllAsync(metadata),
            (metadata, id.Scope, id.RoomId),
            static (entries, s) => FilesystemMapping.FromHash((string)s.metadata!, entries, s.Scope, s.RoomId),
            metadata,
            cancellationToken);
    }

    /// <inheritdoc/>
    public ValueTask<bool> ExistsAsync(FilesystemId id, CancellationToken cancellationToken = default)
    {
        // TYPE, not EXISTS: a worker's reverse index (a set) shares the metadata's key space.
        cancellationToken.ThrowIfCancellationRequested();
        RedisKey metadata = KeysOf(id.Scope, id.RoomId, id.Name).Metadata();
        return RedisReply.Map(Db.KeyTypeAsync(metadata), 0, static (type, _) => type == RedisType.Hash, metadata, cancellationToken);
    }

    /// <inheritdoc/>
    public async IAsyncEnumerable<FilesystemId> ListIdsAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        foreach (string name in await ReadIndexAsync(_context.Global.GlobalFilesystemsIndex(), cancellationToken).ConfigureAwait(false))
        {
            yield return FilesystemId.Global(name);
        }

        await foreach (string roomId in RedisCalls.ListRoomIdsAsync(_context, cancellationToken).ConfigureAwait(false))
        {
            foreach (string name in await ReadRoomIndexAsync(roomId, cancellationToken).ConfigureAwait(false))
            {
                yield return FilesystemId.InRoom(roomId, name);
            }
        }
    }

    /// <summary>The filesystem names of one room; a room whose index is unreadable is reported and skipped (empty).</summary>
    private async ValueTask<IReadOnlyList<string>> ReadRoomIndexAsync(string roomId, CancellationToken cancellationToken)
    {
        try
        {
            return await ReadIndexAsync(_context.Keys.Room(roomId).FilesystemsIndex(), cancellationToken).ConfigureAwait(false);
        }
        catch (StorageDataException ex)
        {
            UnreadableEntries.Report(_context.Logger, UnreadableEntries.Filesystem, ex);
            return [];
        }
    }

    /// <inheritdoc/>
    public ValueTask<IReadOnlyList<FilesystemInfo>> ListAsync(ExtensionScope scope, string? roomId, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        RedisKey index = IndexOf(scope, roomId);

        // One script reads the index and every metadata hash it names (all in the index's slot: the metadata keys share
        // its hash tag under the cluster-safe layout), so a listing is one round trip however many filesystems there are.
        string metadataHead = FilesystemKeys.MetadataHeadText(roomId, _context.Keys);
        return FilesystemScripts.List.EvaluateAsync(
            Db,
            [index],
            [metadataHead],
            (index, metadataHead, scope, roomId, _context.Logger),
            static (reply, s) => ToList((RedisResult[])reply!, s.index, s.metadataHead, s.scope, s.roomId, s.Logger),
            cancellationToken);
    }

    /// <inheritdoc/>
    public ValueTask<bool> DeleteAsync(FilesystemId id, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        string name = id.Name;
        var keys = KeysOf(id.Scope, id.RoomId, name);
        bool hasRegistry = !keys.IsGlobal;
        string metadata = (string)keys.Metadata()!, worker = (string)keys.Worker()!;
        RedisKey[] keyArray = hasRegistry
            ? [metadata, worker, keys.Index(), _context.Keys.Room(keys.RoomId!).KeyRegistry()]
            : [metadata, worker, keys.Index()];
        RedisValue[] args = [name, hasRegistry ? One : Zero, metadata, worker, keys.MetadataHeadText()];
        return FilesystemScripts.Unregister.EvaluateAsync(Db, keyArray, args, 0, static (result, _) => (long)result == 1, cancellationToken);
    }

    /// <inheritdoc/>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<int> UnregisterWorkerAsync(string workerId, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        RedisKey registrations = _context.Keys.Worker(workerId).Registrations();
        int removed = 0;
        for (int attempt = 0; attempt < ExtensionRepository.MaxAttempts; attempt++)
        {
            RedisValue[] members;
            try
            {
                members = await RedisStoreContext.WaitAsync(Db.SetMembersAsync(registrations), cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (RedisErrors.IsClientFailure(ex))
            {
                throw RedisErrors.Map(ex, (string)registrations!);
            }

            var groups = new List<(string Entry, string? RoomId, RedisKey Reverse, RedisKey Index)>(members.Length);
            foreach (var member in members)
            {
                string entry = (string)member!;
                if (!ExtensionWorkerRegistrations.TryParseFilesystems(entry, out var roomId))
                {
                    continue;
                }

                try
                {
                    RedisKey reverse = roomId is null
                        ? FilesystemKeys.GlobalUserFilesystemsKey(workerId, _context.Keys)
                        : FilesystemKeys.UserFilesystemsKey(roomId, workerId, _context.Keys);
                    RedisKey index = roomId is null ? _context.Global.GlobalFilesystemsIndex() : _context.Keys.Room(roomId).FilesystemsIndex();
                    groups.Add((entry, roomId, reverse, index));
                }
                catch (ArgumentException)
                {
                    // An entry naming an invalid room: no key can be built, nothing to clean.
                }
            }

            if (groups.Count == 0)
            {
                return removed;
            }

            var batch = Db.CreateBatch();
            var reads = new Task<RedisValue[]>[groups.Count];
            for (int i = 0; i < groups.Count; i++)
            {
                reads[i] = batch.SetMembersAsync(groups[i].Reverse);
            }

            RedisStoreContext.Execute(batch);
            try
            {
                // The replies arrive together; awaiting each costs nothing, Task.WhenAll an object.
                foreach (Task<RedisValue[]> read in reads)
                {
                    await RedisStoreContext.WaitAsync(read, cancellationToken).ConfigureAwait(false);
                }
            }
            catch (Exception ex) when (RedisErrors.IsClientFailure(ex))
            {
                var reverseKeys = new RedisKey[groups.Count];
                for (int i = 0; i < reverseKeys.Length; i++)
                {
                    reverseKeys[i] = groups[i].Reverse;
                }

                throw RedisErrors.Map(ex, reverseKeys);
            }

            bool changed = false;
            if (!_context.Keys.IsClusterSafe)
            {
                int r = await RunUnregisterWorkerAsync(workerId, registrations, groups, reads, 0, groups.Count, cancellationToken).ConfigureAwait(false);
                changed = r < 0;
                removed += Math.Max(r, 0);
            }
            else
            {
                var done = new List<RedisValue>(groups.Count);
                for (int i = 0; i < groups.Count; i++)
                {
                    int r = await RunUnregisterWorkerAsync(workerId, null, groups, reads, i, 1, cancellationToken).ConfigureAwait(false);
                    if (r < 0)
                    {
                        changed = true;
                    }
                    else
                    {
                        removed += r;
                        done.Add(groups[i].Entry);
                    }
                }

                if (done.Count > 0)
                {
                    await RedisReply.Of(Db.SetRemoveAsync(registrations, [.. done]), registrations, cancellationToken).ConfigureAwait(false);
                }
            }

            if (!changed)
            {
                return removed;
            }
        }

        throw new InvalidOperationException($"The filesystems of worker '{workerId}' kept changing while it was being unregistered.");
    }

    /// <summary>The readable filesystems of a listing reply; each unreadable entry is reported (warning and counter) and skipped.</summary>
    private static IReadOnlyList<FilesystemInfo> ToList(RedisResult[] reply, RedisKey index, string metadataHead, ExtensionScope scope, string? roomId, ILogger logger)
    {
        var result = new List<FilesystemInfo>(reply.Length / 2);
        for (int i = 0; i + 1 < reply.Length; i += 2)
        {
            try
            {
                if (ToInfo((string)reply[i]!, reply[i + 1], index, metadataHead, scope, roomId) is { } info)
                {
                    result.Add(info);
                }
            }
            catch (StorageDataException ex)
            {
                UnreadableEntries.Report(logger, UnreadableEntries.Filesystem, ex);
            }
        }

        result.Sort(static (a, b) => string.CompareOrdinal(a.Name, b.Name));
        return result;
    }

    /// <summary>One listed filesystem; <see langword="null"/> when its hash is gone.</summary>
    /// <exception cref="StorageDataException">The index entry is not a valid name, or its metadata cannot be read.</exception>
    private static FilesystemInfo? ToInfo(string name, RedisResult reply, RedisKey index, string metadataHead, ExtensionScope scope, string? roomId)
    {
        try
        {
            KeyValidation.ValidateFilesystemName(name, nameof(name));
        }
        catch (ArgumentException ex)
        {
            throw new StorageDataException((string)index!, name, "the index holds a name that is not a valid filesystem name.", ex);
        }

        string key = metadataHead + name;
        if (reply.Resp2Type != ResultType.Array)
        {
            throw new StorageDataException(key, null, $"the key holds a value of the wrong Redis type ({(string?)reply}).");
        }

        var fields = (RedisValue[])reply!;
        var entries = new HashEntry[fields.Length / 2];
        for (int j = 0; j < entries.Length; j++)
        {
            entries[j] = new HashEntry(fields[2 * j], fields[(2 * j) + 1]);
        }

        return FilesystemMapping.FromHash(key, entries, scope, roomId);
    }

    /// <summary>The valid names of one filesystem index set (SMEMBERS); an invalid entry is skipped, as the listing skips it.</summary>
    private async ValueTask<IReadOnlyList<string>> ReadIndexAsync(RedisKey index, CancellationToken cancellationToken)
    {
        var members = await RedisReply.Of(Db.SetMembersAsync(index), index, cancellationToken).ConfigureAwait(false);
        var names = new List<string>(members.Length);
        foreach (RedisValue member in members)
        {
            string name = (string)member!;
            try
            {
                KeyValidation.ValidateFilesystemName(name);
                names.Add(name);
            }
            catch (ArgumentException)
            {
                // Skipped as ListAsync skips it (which also reports it): no key can be built for it.
            }
        }

        return names;
    }

    private FilesystemKeys KeysOf(ExtensionScope scope, string? roomId, string name) => scope switch
    {
        ExtensionScope.Room => _context.Keys.Filesystem(roomId ?? throw new ArgumentException("A room-scoped filesystem needs a room id.", nameof(roomId)), name),
        ExtensionScope.Global => roomId is null
            ? _context.Keys.GlobalFilesystem(name)
            : throw new ArgumentException("A global filesystem has no room id.", nameof(roomId)),
        _ => throw new ArgumentOutOfRangeException(nameof(scope), scope, "Unknown scope."),
    };

    private RedisKey IndexOf(ExtensionScope scope, string? roomId) => scope switch
    {
        ExtensionScope.Room => _context.Keys.Room(roomId ?? throw new ArgumentException("A room-scoped filesystem needs a room id.", nameof(roomId))).FilesystemsIndex(),
        ExtensionScope.Global => roomId is null
            ? _context.Global.GlobalFilesystemsIndex()
            : throw new ArgumentException("A global filesystem has no room id.", nameof(roomId)),
        _ => throw new ArgumentOutOfRangeException(nameof(scope), scope, "Unknown scope."),
    };

    // KEYS and ARGV are counted first and written straight into their final arrays.
    private ValueTask<int> RunUnregisterWorkerAsync(
        string workerId,
        RedisKey? registrations,
        List<(string Entry, string? RoomId, RedisKey Reverse, RedisKey Index)> groups,
        Task<RedisValue[]>[] reads,
        int start,
        int count,
        CancellationToken cancellationToken)
    {
        int keyCount = registrations is null ? 0 : 1, argCount = 3;
        for (int g = start; g < start + count; g++)
        {
            int n = reads[g].Result.Length;
            keyCount += 2 + (groups[g].RoomId is null ? 0 : 1) + (2 * n);
            argCount += 3 + n;
        }

        var scriptKeys = new RedisKey[keyCount];
        var args = new RedisValue[argCount];
        int k = 0, a = 0;
        args[a++] = workerId;
        args[a++] = registrations is null ? Zero : One;
        args[a++] = count;
        if (registrations is { } r)
        {
            scriptKeys[k++] = r;
        }

        for (int g = start; g < start + count; g++)
        {
            var (entry, roomId, reverse, index) = groups[g];
            RedisValue[] names = reads[g].Result;
            scriptKeys[k++] = reverse;
            scriptKeys[k++] = index;
            if (roomId is not null)
            {
                scriptKeys[k++] = _context.Keys.Room(roomId).KeyRegistry();
            }

            args[a++] = entry;
            args[a++] = roomId is null ? Zero : One;
            args[a++] = names.Length;
            foreach (var value in names)
            {
                string name = (string)value!;
                FilesystemKeys fs;
                try
                {
                    fs = roomId is null ? _context.Keys.GlobalFilesystem(name) : _context.Keys.Filesystem(roomId, name);
                }
                catch (ArgumentException ex)
                {
                    throw new StorageDataException((string)reverse!, null, "the reverse index holds a name that is not a valid filesystem name.", ex);
                }

                scriptKeys[k++] = fs.Metadata();
                scriptKeys[k++] = fs.Worker();
                args[a++] = name;
            }
        }

        return FilesystemScripts.UnregisterWorker.EvaluateAsync(Db, scriptKeys, args, 0, static (result, _) => (int)result, cancellationToken);
    }
}
