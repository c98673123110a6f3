using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using StackExchange.Redis;
using ZnDraw.Storage.Repositories;
using ZnDraw.Storage.Serialization;

namespace ZnDraw.Storage.Redis;

/// <summary>
/// A Lua script sent as <c>EVALSHA</c> (one round trip, the script text never re-sent). When the
/// server does not know the script (after a restart or <c>SCRIPT FLUSH</c>) it answers
/// <c>NOSCRIPT</c> and the script is sent once with <c>EVAL</c>, which also caches it again.
/// </summary>
/// <remarks>
/// Every key a script touches must be passed in <c>KEYS</c> so that the script stays correct under
/// the cluster-safe layout (all keys of one room share a slot). A script runs atomically: Redis
/// executes nothing else while it runs, so a script is the unit of "whole or not at all".
/// </remarks>
internal sealed class RedisScript
{
    private readonly byte[] _sha1;

    public RedisScript(string name, string text)
    {
        Name = name;
        Text = text;
        _sha1 = SHA1.HashData(Encoding.UTF8.GetBytes(text));
    }

    /// <summary>A short name used in logs and errors.</summary>
    public string Name { get; }

    /// <summary>The Lua source.</summary>
    public string Text { get; }

    /// <summary>
    /// Runs the script: <c>EVALSHA</c>, falling back to <c>EVAL</c> on <c>NOSCRIPT</c>. WRONGTYPE on any key becomes
    /// <see cref="StorageDataException"/> naming the script's keys; the token bounds the wait (the script may still run).
    /// </summary>
    /// <remarks>Pooled state machine: no allocation of its own once warm, and none for the token when it cannot cancel.</remarks>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<RedisResult> EvaluateAsync(IDatabaseAsync db, RedisKey[] keys, RedisValue[] values, CancellationToken cancellationToken = default)
    {
        try
        {
            try
            {
                return await RedisStoreContext.WaitAsync(db.ScriptEvaluateAsync(_sha1, keys, values), cancellationToken).ConfigureAwait(false);
            }
            catch (RedisServerException ex) when (ex.Message.StartsWith("NOSCRIPT", StringComparison.Ordinal))
            {
                return await RedisStoreContext.WaitAsync(db.ScriptEvaluateAsync(Text, keys, values), cancellationToken).ConfigureAwait(false);
            }
        }
        catch (RedisServerException ex) when (RedisErrors.IsWrongType(ex))
        {
            throw RedisErrors.WrongType(keys, ex);
        }
    }
}
