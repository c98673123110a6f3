using StackExchange.Redis;
using ZnDraw.Storage.Contracts;
using ZnDraw.Storage.Models;
using ZnDraw.Storage.Redis.Serialization;

namespace ZnDraw.Storage.Redis.Mapping;

/// <summary>Maps <see cref="FilesystemInfo"/> to and from its hash.</summary>
internal static class FilesystemMapping
{
    public const string NameField = "name";
    public const string FsTypeField = "fsType";
    public const string WorkerIdField = "workerId";
    public const string UserNameField = "userName";
    public const string PublicField = "public";

    private static readonly RedisValue True = "true";
    private static readonly RedisValue False = "false";

    /// <summary>The number of hash fields of a filesystem (<see cref="WritePairs"/> writes twice as many values).</summary>
    public const int FieldCount = 5;

    public static HashEntry[] ToHashEntries(FilesystemInfo info)
    {
        var pairs = new RedisValue[2 * FieldCount];
        WritePairs(info, pairs, 0);
        var entries = new HashEntry[FieldCount];
        for (int i = 0; i < entries.Length; i++)
        {
            entries[i] = new HashEntry(pairs[2 * i], pairs[(2 * i) + 1]);
        }

        return entries;
    }

    /// <summary>
    /// Writes the field/value pairs of <see cref="ToHashEntries"/> (same order) into <paramref name="target"/> from
    /// <paramref name="at"/> on, straight into a script's argument array.
    /// </summary>
    public static void WritePairs(FilesystemInfo info, RedisValue[] target, int at)
    {
        ArgumentNullException.ThrowIfNull(info);
        target[at] = NameField;
        target[at + 1] = info.Name;
        target[at + 2] = FsTypeField;
        target[at + 3] = info.FsType;
        target[at + 4] = WorkerIdField;
        target[at + 5] = info.WorkerId;
        target[at + 6] = UserNameField;
        target[at + 7] = info.UserName;
        target[at + 8] = PublicField;
        target[at + 9] = info.IsPublic ? True : False;
    }

    /// <summary>Reads HGETALL of a filesystem key; <see langword="null"/> for an empty array.</summary>
    /// <exception cref="StorageDataException"><c>name</c>, <c>fsType</c>, <c>workerId</c> or <c>userName</c> is missing.</exception>
    public static FilesystemInfo? FromHash(string key, HashEntry[] entries, ExtensionScope scope, string? roomId)
    {
        ArgumentNullException.ThrowIfNull(entries);
        if (entries.Length == 0)
        {
            return null;
        }

        string? name = null, type = null, worker = null, user = null;
        bool isPublic = false;
        Span<char> buffer = stackalloc char[16];
        foreach (HashEntry entry in entries)
        {
            if (!RedisText.TryGetChars(entry.Name, buffer, out int length))
            {
                continue;
            }

            switch (buffer[..length])
            {
                case NameField: name = entry.Value; break;
                case FsTypeField: type = entry.Value; break;
                case WorkerIdField: worker = entry.Value; break;
                case UserNameField: user = entry.Value; break;
                case PublicField: isPublic = entry.Value == True; break;
                default: break;
            }
        }

        return new FilesystemInfo(
            name ?? throw RedisText.Missing(key, NameField),
            type ?? throw RedisText.Missing(key, FsTypeField),
            worker ?? throw RedisText.Missing(key, WorkerIdField),
            user ?? throw RedisText.Missing(key, UserNameField),
            isPublic,
            scope,
            roomId);
    }
}
