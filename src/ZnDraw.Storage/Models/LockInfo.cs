using System.Collections.Immutable;
using System.Text.Json;
using ZnDraw.Storage.Serialization;

namespace ZnDraw.Storage.Models;

/// <summary>A held lock: <c>room:{room}:lock:{target}</c> (value = holder's user name, with a TTL) and its optional metadata.</summary>
/// <param name="Target">The lock target, usually <c>trajectory:meta</c> (it may contain <c>:</c>).</param>
/// <param name="Holder">The user name holding the lock.</param>
/// <param name="TimeToLive">The remaining TTL, or <see langword="null"/> when unknown or the key has none.</param>
/// <param name="Metadata">The content of <c>room:{room}:lock:{target}:metadata</c>, or <see langword="null"/> when absent.</param>
public sealed record LockInfo(string Target, string Holder, TimeSpan? TimeToLive = null, LockMetadata? Metadata = null)
{
    /// <summary>The target ZnDraw's clients lock (<c>vis.lock</c>).</summary>
    public const string TrajectoryMetaTarget = "trajectory:meta";
}

/// <summary>Lock metadata JSON: <c>{"userName": …, "timestamp": "&lt;iso&gt;", …client fields such as "msg"}</c>.</summary>
/// <remarks>Written in that order: <c>userName</c>, <c>timestamp</c>, then <see cref="Extra"/> in its order. Client fields of any JSON type are kept.</remarks>
/// <param name="UserName">The holder who wrote the metadata.</param>
/// <param name="Timestamp">When it was written, naive UTC ISO in the stored JSON.</param>
/// <param name="Extra">Every other member, in stored order (e.g. <c>msg</c>).</param>
public sealed record LockMetadata(string UserName, DateTime Timestamp, ImmutableArray<KeyValuePair<string, JsonElement>> Extra)
{
    /// <summary>The client's <c>msg</c> member when it is a string, otherwise <see langword="null"/>.</summary>
    public string? Message
    {
        get
        {
            if (Extra.IsDefault)
            {
                return null;
            }

            foreach (KeyValuePair<string, JsonElement> pair in Extra)
            {
                if (pair.Key == "msg" && pair.Value.ValueKind == JsonValueKind.String)
                {
                    return pair.Value.GetString();
                }
            }

            return null;
        }
    }

    /// <inheritdoc/>
    public bool Equals(LockMetadata? other)
    {
        if (other is null || UserName != other.UserName || Timestamp != other.Timestamp)
        {
            return false;
        }

        ReadOnlySpan<KeyValuePair<string, JsonElement>> a = Extra.IsDefault ? [] : Extra.AsSpan();
        ReadOnlySpan<KeyValuePair<string, JsonElement>> b = other.Extra.IsDefault ? [] : other.Extra.AsSpan();
        if (a.Length != b.Length)
        {
            return false;
        }

        for (int i = 0; i < a.Length; i++)
        {
            if (a[i].Key != b[i].Key || !JsonValues.DeepEquals(a[i].Value, b[i].Value))
            {
                return false;
            }
        }

        return true;
    }

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(UserName, Timestamp);
}
