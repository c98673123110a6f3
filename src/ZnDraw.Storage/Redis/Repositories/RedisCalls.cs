using System.Runtime.CompilerServices;
using StackExchange.Redis;
using ZnDraw.Storage.Contracts;
using ZnDraw.Storage.Redis.Keys;
using ZnDraw.Storage.Redis.Serialization;

namespace ZnDraw.Storage.Redis.Repositories;

/// <summary>Shared plumbing of the repositories: awaiting with a token and mapping client failures (<see cref="RedisErrors"/>).</summary>
internal static class RedisCalls
{
    /// <summary>Runs <paramref name="script"/>; WRONGTYPE becomes <see cref="StorageDataException"/> naming every key of the script.</summary>
    public static ValueTask<RedisResult> RunAsync(RedisStoreContext context, RedisScript script, RedisKey[] keys, RedisValue[] values, CancellationToken cancellationToken) =>
        script.EvaluateAsync(context.Database, keys, values, cancellationToken);

    /// <summary>Awaits a single-key command; a failure is mapped naming <paramref name="key"/> and the calling method.</summary>
    public static ValueTask<T> OneKeyAsync<T>(Task<T> task, RedisKey key, CancellationToken cancellationToken, [CallerMemberName] string operation = "") =>
        RedisReply.Of(task, key, cancellationToken, operation);

    /// <inheritdoc cref="OneKeyAsync{T}(Task{T}, RedisKey, CancellationToken, string)"/>
    public static ValueTask OneKeyAsync(Task task, RedisKey key, CancellationToken cancellationToken, [CallerMemberName] string operation = "") =>
        RedisReply.Of(task, key, cancellationToken, operation);

    /// <summary>The reply of a command sent earlier in a batch, a failure on <paramref name="key"/> mapped.</summary>
    public static ValueTask<T> SentAsync<T>(Task<T> task, RedisKey key, [CallerMemberName] string operation = "") =>
        RedisReply.Of(task, key, CancellationToken.None, operation);

    public static string[] SortedStrings(RedisValue[] members)
    {
        var result = new string[members.Length];
        for (var i = 0; i < members.Length; i++)
        {
            result[i] = members[i].ToString();
        }

        Array.Sort(result, StringComparer.Ordinal);
        return result;
    }

    /// <summary>
    /// The text a job hash name of the room starts with (<c>{prefix}job:</c>, or <c>{prefix}job:{room}:</c> in the
    /// cluster-safe layout): the job builder's key for a one-character job id without that id.
    /// </summary>
    public static string JobHashHead(KeySpace space, string roomId)
    {
        string key = space.Job(roomId, "_").Hash().ToString();
        return key[..^1];
    }

    /// <summary>
    /// The valid room ids of <c>rooms:index</c> (one SMEMBERS), for the maintenance listings of the aggregates that live
    /// in rooms (<see cref="IEnumerableRepository{T, TId}.ListIdsAsync"/>); an id that is not a valid room id is skipped.
    /// </summary>
    public static async IAsyncEnumerable<string> ListRoomIdsAsync(RedisStoreContext context, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        RedisKey index = context.Global.RoomsIndex();
        foreach (RedisValue member in await RedisReply.Of(context.Database.SetMembersAsync(index), index, cancellationToken).ConfigureAwait(false))
        {
            string roomId = (string)member!;
            if (KeyValidation.IsValidRoomId(roomId))
            {
                yield return roomId;
            }
        }
    }
}
