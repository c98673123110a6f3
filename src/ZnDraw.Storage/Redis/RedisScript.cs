using System.Security.Cryptography;
using System.Text;
using StackExchange.Redis;
using ZnDraw.Storage.Contracts;
using ZnDraw.Storage.History;
using ZnDraw.Storage.Redis.History;
using ZnDraw.Storage.Redis.Repositories;
using ZnDraw.Storage.Redis.Serialization;

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
    private readonly string? _withOutboxText;
    private readonly byte[]? _withOutboxSha1;

    /// <param name="name">A short name used in logs and errors.</param>
    /// <param name="text">The Lua source.</param>
    /// <param name="historyWhen">
    /// When the script's state change succeeded, for the transactional history outbox (see <see cref="HistoryWhen"/>).
    /// With a condition, a call made inside a <see cref="HistoryOutboxScope"/> runs a variant that appends the scope's
    /// event to the outbox stream in the same script, only when the condition holds.
    /// </param>
    public RedisScript(string name, string text, HistoryWhen? historyWhen = null)
    {
        Name = name;
        Text = text;
        _sha1 = SHA1.HashData(Encoding.UTF8.GetBytes(text));
        if (historyWhen is not null)
        {
            // The body runs unchanged as a function, after the outbox key and the event's two arguments are taken off
            // KEYS and ARGV, so it sees exactly the keys and arguments it was written for.
            _withOutboxText = $$"""
                local __outbox = table.remove(KEYS)
                local __event = table.remove(ARGV)
                local __id = table.remove(ARGV)
                local function __body()
                {{text}}
                end
                local __r = __body()
                local __v = __r
                if type(__v) == 'table' then __v = __v[1] end
                if type(__v) == 'boolean' then __v = __v and 1 or 0 end
                if tonumber(__v) ~= nil and {{historyWhen.ToLua("tonumber(__v)")}} then
                  redis.call('XADD', __outbox, '*', '{{HistoryOutbox.IdField}}', __id, '{{HistoryOutbox.EventField}}', __event)
                end
                return __r
                """;
            _withOutboxSha1 = SHA1.HashData(Encoding.UTF8.GetBytes(_withOutboxText));
        }
    }

    /// <summary>A short name used in logs and errors.</summary>
    public string Name { get; }

    /// <summary>The Lua source.</summary>
    public string Text { get; }

    /// <summary>
    /// The Lua source of the outbox variant (the body as a function, then the event's <c>XADD</c> when the history
    /// condition holds), or null for a script declared without a condition.
    /// </summary>
    public string? OutboxText => _withOutboxText;

    /// <summary>
    /// Runs the script: <c>EVALSHA</c>, falling back to <c>EVAL</c> on <c>NOSCRIPT</c>. WRONGTYPE on any key becomes
    /// <see cref="StorageDataException"/> naming the script's keys, a lost connection or timeout
    /// <see cref="StorageUnavailableException"/> naming the script (<see cref="RedisErrors"/>); the token bounds the wait
    /// (the script may still run).
    /// </summary>
    /// <remarks>Pooled state machine: no allocation of its own once warm, and none for the token when it cannot cancel.</remarks>
    public ValueTask<RedisResult> EvaluateAsync(IDatabaseAsync db, RedisKey[] keys, RedisValue[] values, CancellationToken cancellationToken = default) =>
        EvaluateAsync(db, keys, values, 0, static (result, _) => result, cancellationToken);

    /// <summary>
    /// Runs the script like <see cref="EvaluateAsync(IDatabaseAsync, RedisKey[], RedisValue[], CancellationToken)"/> and
    /// maps its result with <paramref name="map"/> (a static lambda; <paramref name="state"/> carries what it needs)
    /// when the reply arrives, in the same one async method (see <see cref="RedisReply"/>).
    /// </summary>
    public ValueTask<TResult> EvaluateAsync<TState, TResult>(
        IDatabaseAsync db, RedisKey[] keys, RedisValue[] values, TState state, Func<RedisResult, TState, TResult> map, CancellationToken cancellationToken = default)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled<TResult>(cancellationToken);
        }

        HistoryOutboxScope? scope = Prepare(ref keys, ref values, out byte[] sha1, out string text, out Task? registration);
        return registration is null
            ? RedisReply.ScriptAsync(db, Name, sha1, text, keys, values, scope, state, map, cancellationToken)
            : RegisterThenEvaluateAsync(registration, db, sha1, text, keys, values, scope!, state, map, cancellationToken);
    }

    /// <summary>Like <see cref="EvaluateAsync{TState, TResult}"/> for a call that only reports completion (the map may throw).</summary>
    public ValueTask EvaluateVoidAsync<TState>(
        IDatabaseAsync db, RedisKey[] keys, RedisValue[] values, TState state, Func<RedisResult, TState, bool> map, CancellationToken cancellationToken = default)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled(cancellationToken);
        }

        HistoryOutboxScope? scope = Prepare(ref keys, ref values, out byte[] sha1, out string text, out Task? registration);
        return registration is null
            ? RedisReply.ScriptVoidAsync(db, Name, sha1, text, keys, values, scope, state, map, cancellationToken)
            : RegisterThenEvaluateVoidAsync(registration, db, sha1, text, keys, values, scope!, state, map, cancellationToken);
    }

    /// <summary>
    /// Inside a <see cref="HistoryOutboxScope"/> of the Redis outbox, for a script with a history condition: takes the
    /// event and switches to the outbox variant, with the shard of the script's first key appended to KEYS (the same slot
    /// as the state change) and the event to ARGV. <paramref name="registration"/> is the shard's first registration in
    /// this process, to await before the script runs.
    /// </summary>
    private HistoryOutboxScope? Prepare(ref RedisKey[] keys, ref RedisValue[] values, out byte[] sha1, out string text, out Task? registration)
    {
        sha1 = _sha1;
        text = Text;
        registration = null;
        if (_withOutboxSha1 is not null && HistoryOutboxScope.Current is { Outbox: RedisHistoryOutbox outbox } current && current.TryTake())
        {
            sha1 = _withOutboxSha1;
            text = _withOutboxText!;
            RedisKey shard = outbox.ShardFor(keys.Length > 0 ? keys[0] : default, out registration);
            keys = [.. keys, shard];
            values = [.. values, .. HistoryOutbox.ToScriptArgs(current.Event)];
            return current;
        }

        return null;
    }

    private async ValueTask<TResult> RegisterThenEvaluateAsync<TState, TResult>(
        Task registration, IDatabaseAsync db, byte[] sha1, string text, RedisKey[] keys, RedisValue[] values, HistoryOutboxScope scope,
        TState state, Func<RedisResult, TState, TResult> map, CancellationToken cancellationToken)
    {
        await AwaitRegistrationAsync(registration, keys, scope, cancellationToken).ConfigureAwait(false);
        return await RedisReply.ScriptAsync(db, Name, sha1, text, keys, values, scope, state, map, cancellationToken).ConfigureAwait(false);
    }

    private async ValueTask RegisterThenEvaluateVoidAsync<TState>(
        Task registration, IDatabaseAsync db, byte[] sha1, string text, RedisKey[] keys, RedisValue[] values, HistoryOutboxScope scope,
        TState state, Func<RedisResult, TState, bool> map, CancellationToken cancellationToken)
    {
        await AwaitRegistrationAsync(registration, keys, scope, cancellationToken).ConfigureAwait(false);
        await RedisReply.ScriptVoidAsync(db, Name, sha1, text, keys, values, scope, state, map, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The shard's registration must succeed before the script may append to it; if it fails, nothing ran.</summary>
    private async Task AwaitRegistrationAsync(Task registration, RedisKey[] keys, HistoryOutboxScope scope, CancellationToken cancellationToken)
    {
        try
        {
            await RedisStoreContext.WaitAsync(registration, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            scope.Release();
            if (RedisErrors.IsClientFailure(ex))
            {
                throw RedisErrors.Map(ex, keys, Name);
            }

            throw;
        }
    }
}
