using System.Runtime.CompilerServices;
using StackExchange.Redis;
using ZnDraw.Storage.Contracts;
using ZnDraw.Storage.Redis.Keys;
using ZnDraw.Storage.Redis.Serialization;

namespace ZnDraw.Storage.Redis.Repositories;

/// <summary>Small helpers the repositories share (awaiting and failure mapping are <see cref="RedisReply"/>'s).</summary>
internal static class RedisCalls
{
    /// <summary>The members of a set reply as strings, sorted ordinally (listings).</summary>
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
