using System.Runtime.CompilerServices;
using StackExchange.Redis;
using ZnDraw.Storage.Contracts;
using ZnDraw.Storage.Models;
using ZnDraw.Storage.Redis.Keys;
using ZnDraw.Storage.Redis.Serialization;
using ZnDraw.Storage.Redis;

namespace ZnDraw.Storage.Redis.Repositories;

/// <summary>Shared plumbing of the repositories: awaiting with a token and mapping WRONGTYPE to <see cref="StorageDataException"/>.</summary>
internal static class RedisCalls
{
    /// <summary>
    /// Lua helper prepended to scripts that write many arguments: calls <c>cmd key ARGV[first..first+count-1]</c> in
    /// chunks of at most 1000 arguments (an even number, so field/value and score/member pairs stay together), because
    /// Lua's <c>unpack</c> has a stack limit.
    /// </summary>
    public const string LuaChunkedCall = """
        local function chunked(cmd, key, first, count)
          local last = first + count - 1
          local i = first
          while i <= last do
            local j = math.min(i + 999, last)
            redis.call(cmd, key, unpack(ARGV, i, j))
            i = j + 1
          end
        end

        """;

    /// <summary>Runs <paramref name="script"/>; WRONGTYPE becomes <see cref="StorageDataException"/> naming every key of the script.</summary>
    public static ValueTask<RedisResult> RunAsync(RedisStoreContext context, RedisScript script, RedisKey[] keys, RedisValue[] values, CancellationToken cancellationToken) =>
        script.EvaluateAsync(context.Database, keys, values, cancellationToken);

    /// <summary>Awaits a single-key command; WRONGTYPE becomes <see cref="StorageDataException"/> naming <paramref name="key"/>.</summary>
    public static ValueTask<T> OneKeyAsync<T>(Task<T> task, RedisKey key, CancellationToken cancellationToken) =>
        RedisReply.Of(task, key, cancellationToken);

    /// <inheritdoc cref="OneKeyAsync{T}(Task{T}, RedisKey, CancellationToken)"/>
    public static ValueTask OneKeyAsync(Task task, RedisKey key, CancellationToken cancellationToken) =>
        RedisReply.Of(task, key, cancellationToken);

    /// <summary>The reply of a command sent earlier in a batch, WRONGTYPE on <paramref name="key"/> mapped.</summary>
    public static ValueTask<T> SentAsync<T>(Task<T> task, RedisKey key) => RedisReply.Of(task, key, CancellationToken.None);

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
