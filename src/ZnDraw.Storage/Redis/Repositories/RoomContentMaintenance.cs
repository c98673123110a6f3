using System.Globalization;
using System.Runtime.CompilerServices;
using StackExchange.Redis;
using ZnDraw.Storage.Contracts;
using ZnDraw.Storage.Diagnostics;
using ZnDraw.Storage.Models;
using ZnDraw.Storage.Redis.Keys;
using ZnDraw.Storage.Redis.Mapping;
using ZnDraw.Storage.Redis.Serialization;

namespace ZnDraw.Storage.Redis.Repositories;

/// <summary>The Redis implementation of <see cref="IRoomContentListing"/> and <see cref="IRoomContentImport"/>.</summary>
internal sealed class RoomContentMaintenance(RedisStoreContext context) : IRoomContentListing, IRoomContentImport
{
    private const string FrameSelectionHead = "frame_selection:";
    private const string UserHead = "user:";
    private const string SettingsCategory = "settings";

    private readonly IDatabase _db = context.Database;
    private readonly KeySpace _keys = context.Keys;

    /// <inheritdoc/>
    public async ValueTask<IReadOnlyList<string>> ListFrameSelectionGroupsAsync(string roomId, CancellationToken cancellationToken = default)
    {
        var groups = new List<string>();
        foreach (string suffix in await RegisteredSuffixesAsync(roomId, cancellationToken).ConfigureAwait(false))
        {
            if (suffix.StartsWith(FrameSelectionHead, StringComparison.Ordinal) && suffix.Length > FrameSelectionHead.Length)
            {
                groups.Add(suffix[FrameSelectionHead.Length..]);
            }
        }

        return Sorted(groups);
    }

    /// <inheritdoc/>
    public async ValueTask<IReadOnlyList<string>> ListSettingsUsersAsync(string roomId, CancellationToken cancellationToken = default)
    {
        var users = new List<string>();
        foreach (string suffix in await RegisteredSuffixesAsync(roomId, cancellationToken).ConfigureAwait(false))
        {
            if (TryParseUserKey(suffix, out string? user, out string? category) && category == SettingsCategory)
            {
                users.Add(user);
            }
        }

        return Sorted(users);
    }

    /// <inheritdoc/>
    public async ValueTask<IReadOnlyList<ExtensionDataKey>> ListExtensionDataAsync(string roomId, CancellationToken cancellationToken = default)
    {
        RoomKeys room = _keys.Room(roomId);
        var hashes = new List<(string User, string Category, RedisKey Key)>();
        foreach (string suffix in await RegisteredSuffixesAsync(roomId, cancellationToken).ConfigureAwait(false))
        {
            if (TryParseUserKey(suffix, out string? user, out string? category) && category != SettingsCategory)
            {
                hashes.Add((user, category, room.UserExtensionData(user, category)));
            }
        }

        if (hashes.Count == 0)
        {
            return [];
        }

        IBatch batch = _db.CreateBatch();
        var names = new Task<RedisValue[]>[hashes.Count];
        for (int i = 0; i < hashes.Count; i++)
        {
            names[i] = batch.HashKeysAsync(hashes[i].Key);
        }

        RedisStoreContext.Execute(batch);
        var result = new List<ExtensionDataKey>();
        for (int i = 0; i < hashes.Count; i++)
        {
            foreach (RedisValue name in await RedisReply.Of(names[i], hashes[i].Key, cancellationToken).ConfigureAwait(false))
            {
                result.Add(new ExtensionDataKey(hashes[i].User, hashes[i].Category, name.ToString()));
            }
        }

        result.Sort(static (a, b) =>
        {
            int c = string.CompareOrdinal(a.UserName, b.UserName);
            c = c != 0 ? c : string.CompareOrdinal(a.Category, b.Category);
            return c != 0 ? c : string.CompareOrdinal(a.Extension, b.Extension);
        });
        return result;
    }

    /// <inheritdoc/>
    public ValueTask<IReadOnlyList<ChatMessage>> ListChatMessagesAsync(string roomId, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        RedisKey data = _keys.Room(roomId).ChatData();
        return RedisReply.Map(
            _db.HashGetAllAsync(data),
            (data, context.Logger),
            static (entries, s) =>
            {
                string key = s.data.ToString();
                var messages = new List<ChatMessage>(entries.Length);
                foreach (HashEntry entry in entries)
                {
                    try
                    {
                        if (ChatMapping.Parse(key, entry.Name.ToString(), entry.Value) is { } message)
                        {
                            messages.Add(message);
                        }
                    }
                    catch (StorageDataException ex)
                    {
                        UnreadableEntries.Report(s.Logger, UnreadableEntries.ChatMessage, ex);
                    }
                }

                messages.Sort(static (a, b) =>
                {
                    int c = a.CreatedAt.CompareTo(b.CreatedAt);
                    return c != 0 ? c : string.CompareOrdinal(a.Id, b.Id);
                });
                return (IReadOnlyList<ChatMessage>)messages;
            },
            data,
            cancellationToken);
    }

    /// <inheritdoc/>
    public ValueTask<long> GetChatCounterAsync(string roomId, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        RedisKey counter = _keys.Room(roomId).ChatCounter();
        return RedisReply.Map(
            _db.StringGetAsync(counter),
            counter,
            static (value, key) =>
            {
                if (value.IsNull)
                {
                    return 0L;
                }

                return long.TryParse(value.ToString(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long n)
                    ? n
                    : throw new StorageDataException(key.ToString(), null, "the chat counter is not an integer.");
            },
            counter,
            cancellationToken);
    }

    /// <inheritdoc/>
    public ValueTask ReplaceTrajectoryAsync(string roomId, IReadOnlyList<TrajectoryEntry> entries, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        RedisKey key = _keys.Room(roomId).TrajectoryIndices();
        ArgumentNullException.ThrowIfNull(entries);
        var members = new SortedSetEntry[entries.Count];
        var check = new TrajectoryEntryCheck(entries.Count);
        for (int i = 0; i < entries.Count; i++)
        {
            TrajectoryEntry entry = entries[i];
            check.Next(i, entry, nameof(entries));
            members[i] = new SortedSetEntry(FrameMapping.FormatMember(entry.Frame), entry.Score);
        }

        return ReplaceAsync(key, tx => members.Length == 0 ? null : tx.SortedSetAddAsync(key, members), cancellationToken);
    }

    /// <inheritdoc/>
    public ValueTask ReplaceMembersAsync(string roomId, IReadOnlyList<string> userNames, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        RedisKey key = _keys.Room(roomId).Users();
        ArgumentNullException.ThrowIfNull(userNames);
        var names = new RedisValue[userNames.Count];
        var seen = new HashSet<string>(userNames.Count, StringComparer.Ordinal);
        for (int i = 0; i < names.Length; i++)
        {
            ArgumentException.ThrowIfNullOrEmpty(userNames[i], nameof(userNames));
            if (!seen.Add(userNames[i]))
            {
                throw new ArgumentException($"Member '{userNames[i]}' repeats.", nameof(userNames));
            }

            names[i] = userNames[i];
        }

        return ReplaceAsync(key, tx => names.Length == 0 ? null : tx.SetAddAsync(key, names), cancellationToken);
    }

    /// <inheritdoc/>
    public ValueTask ReplaceMetadataAsync(string roomId, RoomMetadata? metadata, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        RedisKey key = _keys.Room(roomId).Metadata();
        HashEntry[] fields = metadata is null ? [] : new HashEntry[metadata.Fields.Count];
        for (int i = 0; i < fields.Length; i++)
        {
            KeyValuePair<string, string> field = metadata!.Fields[i];
            ArgumentException.ThrowIfNullOrEmpty(field.Key, nameof(metadata));
            ArgumentNullException.ThrowIfNull(field.Value, nameof(metadata));
            fields[i] = new HashEntry(field.Key, field.Value);
        }

        return ReplaceAsync(key, tx => fields.Length == 0 ? null : tx.HashSetAsync(key, fields), cancellationToken);
    }

    /// <inheritdoc/>
    public ValueTask SetActiveSelectionGroupAsync(string roomId, string? name, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        RedisKey key = _keys.Room(roomId).ActiveSelectionGroup();
        if (name is null)
        {
            return RedisReply.Of((Task)_db.KeyDeleteAsync(key), key, cancellationToken);
        }

        ArgumentException.ThrowIfNullOrEmpty(name);
        return RedisReply.Of((Task)_db.StringSetAsync(key, name), key, cancellationToken);
    }

    /// <inheritdoc/>
    public ValueTask ReplaceChatAsync(string roomId, IReadOnlyList<ChatMessage> messages, long counter, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        RoomKeys room = _keys.Room(roomId);
        ArgumentNullException.ThrowIfNull(messages);
        ArgumentOutOfRangeException.ThrowIfNegative(counter);
        var data = new HashEntry[messages.Count];
        var index = new SortedSetEntry[messages.Count];
        var seen = new HashSet<string>(messages.Count, StringComparer.Ordinal);
        for (int i = 0; i < messages.Count; i++)
        {
            ChatMessage message = messages[i];
            ArgumentNullException.ThrowIfNull(message, nameof(messages));
            KeyValidation.ValidateSegment(message.Id, nameof(messages));
            if (!seen.Add(message.Id))
            {
                throw new ArgumentException($"Message '{message.Id}' repeats.", nameof(messages));
            }

            data[i] = new HashEntry(message.Id, ChatMapping.Format(message));
            index[i] = new SortedSetEntry(message.Id, message.CreatedAt.ToUnixTimeMilliseconds());
        }

        RedisKey dataKey = room.ChatData();
        RedisKey indexKey = room.ChatIndex();
        RedisKey counterKey = room.ChatCounter();
        return WriteChatAsync(dataKey, indexKey, counterKey, data, index, counter, cancellationToken);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask WriteChatAsync(
        RedisKey dataKey, RedisKey indexKey, RedisKey counterKey, HashEntry[] data, SortedSetEntry[] index, long counter, CancellationToken cancellationToken)
    {
        ITransaction tx = _db.CreateTransaction();
        var replies = new List<Task>(6) { tx.KeyDeleteAsync([dataKey, indexKey, counterKey]) };
        if (data.Length > 0)
        {
            replies.Add(tx.HashSetAsync(dataKey, data));
            replies.Add(tx.SortedSetAddAsync(indexKey, index));
        }

        if (counter > 0)
        {
            replies.Add(tx.StringSetAsync(counterKey, counter));
        }

        await ExecuteAsync(tx, replies, dataKey, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>One MULTI/EXEC: <c>DEL key</c>, then the write <paramref name="fill"/> queues (none when it returns null).</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask ReplaceAsync(RedisKey key, Func<ITransaction, Task?> fill, CancellationToken cancellationToken)
    {
        ITransaction tx = _db.CreateTransaction();
        var replies = new List<Task>(2) { tx.KeyDeleteAsync(key) };
        if (fill(tx) is { } write)
        {
            replies.Add(write);
        }

        await ExecuteAsync(tx, replies, key, cancellationToken).ConfigureAwait(false);
    }

    private static async Task ExecuteAsync(ITransaction tx, List<Task> replies, RedisKey key, CancellationToken cancellationToken)
    {
        try
        {
            await RedisStoreContext.WaitAsync(tx.ExecuteAsync(), cancellationToken).ConfigureAwait(false);
            foreach (Task reply in replies)
            {
                // Every reply came with EXEC.
                await reply.ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (RedisErrors.IsClientFailure(ex))
        {
            throw RedisErrors.Map(ex, key);
        }
    }

    /// <summary>The room's registered key names, each without the room's head (<c>{prefix}room:{room}:</c>).</summary>
    private ValueTask<List<string>> RegisteredSuffixesAsync(string roomId, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        RedisKey registry = _keys.Room(roomId).KeyRegistry();
        string head = _keys.RoomKeyText(roomId);
        return RedisReply.Map(
            _db.SetMembersAsync(registry),
            head,
            static (members, head) =>
            {
                var suffixes = new List<string>(members.Length);
                foreach (RedisValue member in members)
                {
                    string text = member.ToString();
                    if (text.StartsWith(head, StringComparison.Ordinal))
                    {
                        suffixes.Add(text[head.Length..]);
                    }
                }

                return suffixes;
            },
            registry,
            cancellationToken);
    }

    /// <summary>
    /// Reads <c>user:{user}:{category}</c>: the category never contains <c>:</c>, so it is the last segment and the user
    /// everything between. Names the library would refuse are skipped (it could not read their data either).
    /// </summary>
    private bool TryParseUserKey(string suffix, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out string? user, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out string? category)
    {
        user = null;
        category = null;
        if (!suffix.StartsWith(UserHead, StringComparison.Ordinal))
        {
            return false;
        }

        int colon = suffix.LastIndexOf(':');
        if (colon <= UserHead.Length || colon == suffix.Length - 1)
        {
            return false;
        }

        string name = suffix[UserHead.Length..colon];
        string cat = suffix[(colon + 1)..];
        try
        {
            KeyValidation.ValidateUserName(name, _keys.Layout);
            KeyValidation.ValidateCategory(cat, _keys.Layout);
        }
        catch (ArgumentException)
        {
            return false;
        }

        user = name;
        category = cat;
        return true;
    }

    private static string[] Sorted(List<string> names)
    {
        string[] result = [.. names.Distinct(StringComparer.Ordinal)];
        Array.Sort(result, StringComparer.Ordinal);
        return result;
    }
}
