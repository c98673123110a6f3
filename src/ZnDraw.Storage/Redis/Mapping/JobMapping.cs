using System.Text.Json;
using StackExchange.Redis;
using ZnDraw.Storage.Contracts;
using ZnDraw.Storage.Models;
using ZnDraw.Storage.Redis.Serialization;
using ZnDraw.Storage.Serialization;

namespace ZnDraw.Storage.Redis.Mapping;

/// <summary>Maps <see cref="Job"/> to and from the hash <c>job:{job}</c>, and the status/provider texts.</summary>
internal static class JobMapping
{
    public const string IdField = "id";
    public const string RoomField = "room";
    public const string CategoryField = "category";
    public const string ExtensionField = "extension";
    public const string DataField = "data";
    public const string UserNameField = "user_name";
    public const string StatusField = "status";
    public const string ProviderField = "provider";
    public const string CreatedAtField = "created_at";
    public const string StartedAtField = "started_at";
    public const string CompletedAtField = "completed_at";
    public const string WorkerIdField = "worker_id";
    public const string ErrorField = "error";
    public const string ResultField = "result";
    public const string WaitTimeMsField = "wait_time_ms";
    public const string ExecutionTimeMsField = "execution_time_ms";

    /// <summary>The number of hash fields a job is written with.</summary>
    public const int FieldCount = 16;

    /// <summary>All sixteen fields, every one present, <c>""</c> for "not set" (as ZnDraw writes them).</summary>
    public static HashEntry[] ToHashEntries(Job job)
    {
        var flat = new RedisValue[2 * FieldCount];
        WriteFields(job, flat, 0);
        var entries = new HashEntry[FieldCount];
        for (int i = 0; i < entries.Length; i++)
        {
            entries[i] = new HashEntry(flat[2 * i], flat[(2 * i) + 1]);
        }

        return entries;
    }

    /// <summary>
    /// Writes the sixteen field/value pairs of <see cref="ToHashEntries"/> into <paramref name="target"/> from
    /// <paramref name="offset"/> (2 × <see cref="FieldCount"/> values), e.g. straight into script arguments.
    /// </summary>
    public static void WriteFields(Job job, RedisValue[] target, int offset)
    {
        ArgumentNullException.ThrowIfNull(job);
        ArgumentNullException.ThrowIfNull(target);
        Span<RedisValue> t = target.AsSpan(offset, 2 * FieldCount);
        t[0] = IdField;
        t[1] = job.Id;
        t[2] = RoomField;
        t[3] = job.Room;
        t[4] = CategoryField;
        t[5] = job.Category;
        t[6] = ExtensionField;
        t[7] = job.Extension;
        t[8] = DataField;
        t[9] = job.Data is { } data ? PythonJsonWriter.ToUtf8(data) : RedisValue.EmptyString;
        t[10] = UserNameField;
        t[11] = job.UserName;
        t[12] = StatusField;
        t[13] = FormatStatus(job.Status);
        t[14] = ProviderField;
        t[15] = FormatProvider(job.Provider);
        t[16] = CreatedAtField;
        t[17] = ZnDrawTime.FormatIso(job.CreatedAt);
        t[18] = StartedAtField;
        t[19] = job.StartedAt is { } started ? ZnDrawTime.FormatIso(started) : RedisValue.EmptyString;
        t[20] = CompletedAtField;
        t[21] = job.CompletedAt is { } completed ? ZnDrawTime.FormatIso(completed) : RedisValue.EmptyString;
        t[22] = WorkerIdField;
        t[23] = job.WorkerId ?? string.Empty;
        t[24] = ErrorField;
        t[25] = job.Error ?? string.Empty;
        t[26] = ResultField;
        t[27] = job.Result is { } result ? PythonJsonWriter.ToUtf8(result) : RedisValue.EmptyString;
        t[28] = WaitTimeMsField;
        t[29] = job.WaitTimeMs is { } wait ? RedisText.Integer(wait) : RedisValue.EmptyString;
        t[30] = ExecutionTimeMsField;
        t[31] = job.ExecutionTimeMs is { } exec ? RedisText.Integer(exec) : RedisValue.EmptyString;
    }

    /// <summary>
    /// Reads a job from HGETALL <paramref name="key"/>; <see langword="null"/> for an empty array (no such
    /// job, or its TTL expired). Optional fields may be <c>""</c> or absent.
    /// </summary>
    /// <exception cref="StorageDataException">
    /// A required field (<c>id</c>, <c>room</c>, <c>category</c>, <c>extension</c>, <c>user_name</c>,
    /// <c>status</c>, <c>provider</c>, <c>created_at</c>) is missing or empty, a status or provider is
    /// unknown, JSON is broken, or a number or timestamp does not parse.
    /// </exception>
    public static Job? FromHash(string key, HashEntry[] entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        if (entries.Length == 0)
        {
            return null;
        }

        RedisValue id = default, room = default, category = default, extension = default, data = default,
            user = default, status = default, provider = default, created = default, started = default,
            completed = default, worker = default, error = default, result = default, wait = default, exec = default;
        Span<char> buffer = stackalloc char[32];
        foreach (HashEntry entry in entries)
        {
            if (!RedisText.TryGetChars(entry.Name, buffer, out int length))
            {
                continue;
            }

            switch (buffer[..length])
            {
                case IdField: id = entry.Value; break;
                case RoomField: room = entry.Value; break;
                case CategoryField: category = entry.Value; break;
                case ExtensionField: extension = entry.Value; break;
                case DataField: data = entry.Value; break;
                case UserNameField: user = entry.Value; break;
                case StatusField: status = entry.Value; break;
                case ProviderField: provider = entry.Value; break;
                case CreatedAtField: created = entry.Value; break;
                case StartedAtField: started = entry.Value; break;
                case CompletedAtField: completed = entry.Value; break;
                case WorkerIdField: worker = entry.Value; break;
                case ErrorField: error = entry.Value; break;
                case ResultField: result = entry.Value; break;
                case WaitTimeMsField: wait = entry.Value; break;
                case ExecutionTimeMsField: exec = entry.Value; break;
                default: break;
            }
        }

        return new Job(
            Required(key, IdField, id),
            Required(key, RoomField, room),
            Required(key, CategoryField, category),
            Required(key, ExtensionField, extension),
            OptionalJson(key, DataField, data),
            Required(key, UserNameField, user),
            ParseStatus(key, StatusField, status),
            ParseProvider(key, ProviderField, provider),
            RedisText.ParseIso(key, CreatedAtField, RequiredValue(key, CreatedAtField, created)),
            OptionalIso(key, StartedAtField, started),
            OptionalIso(key, CompletedAtField, completed),
            OptionalText(worker),
            OptionalText(error),
            OptionalJson(key, ResultField, result),
            OptionalInt64(key, WaitTimeMsField, wait),
            OptionalInt64(key, ExecutionTimeMsField, exec));
    }

    public static RedisValue FormatStatus(JobStatus status) => status switch
    {
        JobStatus.Queued => "queued",
        JobStatus.Running => "running",
        JobStatus.Completed => "completed",
        JobStatus.Failed => "failed",
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, "Unknown job status."),
    };

    /// <exception cref="StorageDataException">Missing or not one of ZnDraw's four statuses.</exception>
    public static JobStatus ParseStatus(string key, string? field, in RedisValue value)
    {
        Span<char> buffer = stackalloc char[16];
        if (RedisText.TryGetChars(value, buffer, out int length))
        {
            switch (buffer[..length])
            {
                case "queued": return JobStatus.Queued;
                case "running": return JobStatus.Running;
                case "completed": return JobStatus.Completed;
                case "failed": return JobStatus.Failed;
            }
        }

        throw new StorageDataException(key, field, $"unknown job status {RedisText.Describe(value)}; expected queued, running, completed or failed.");
    }

    public static RedisValue FormatProvider(JobProvider provider) => provider switch
    {
        JobProvider.Client => "client",
        JobProvider.Celery => "celery",
        _ => throw new ArgumentOutOfRangeException(nameof(provider), provider, "Unknown job provider."),
    };

    /// <exception cref="StorageDataException">Missing or not <c>client</c>/<c>celery</c>.</exception>
    public static JobProvider ParseProvider(string key, string? field, in RedisValue value)
    {
        Span<char> buffer = stackalloc char[16];
        if (RedisText.TryGetChars(value, buffer, out int length))
        {
            switch (buffer[..length])
            {
                case "client": return JobProvider.Client;
                case "celery": return JobProvider.Celery;
            }
        }

        throw new StorageDataException(key, field, $"unknown job provider {RedisText.Describe(value)}; expected client or celery.");
    }

    private static RedisValue RequiredValue(string key, string field, in RedisValue value) =>
        value.IsNullOrEmpty ? throw RedisText.Missing(key, field) : value;

    private static string Required(string key, string field, in RedisValue value) =>
        (string)RequiredValue(key, field, value)!;

    private static string? OptionalText(in RedisValue value) => value.IsNullOrEmpty ? null : (string?)value;

    private static DateTime? OptionalIso(string key, string field, in RedisValue value) =>
        value.IsNullOrEmpty ? null : RedisText.ParseIso(key, field, value);

    private static long? OptionalInt64(string key, string field, in RedisValue value) =>
        value.IsNullOrEmpty ? null : RedisText.ParseInt64(key, field, value);

    private static JsonElement? OptionalJson(string key, string field, in RedisValue value) =>
        value.IsNullOrEmpty ? null : JsonParsing.Parse(key, field, value);
}
