using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using ZnDraw.Storage.Contracts;
using ZnDraw.Storage.History;
using ZnDraw.Storage.Redis.Repositories;
using ZnDraw.Storage.Redis.Serialization;

namespace ZnDraw.Storage.Redis;

/// <summary>
/// Checks at host start, after the connection is made, that the Redis user may run every command the enabled feature
/// sets issue (<see cref="AclTable"/>), and fails the start with a <see cref="StoragePermissionException"/> naming the
/// first missing command and its feature set.
/// </summary>
/// <remarks>
/// One dry probe: a script that asks <c>redis.acl_check_cmd</c> (Redis 7.0 and later) about each command with a key
/// in the prefix (or the outbox stream, or the notification channel pattern); it runs none of them, touches no key and
/// needs no permission beyond <c>EVAL</c>, which the core rule has. Skipped, and left to the first use, when the
/// connection is not made (<c>AbortOnConnectFail=false</c> with Redis down) or the server has no
/// <c>redis.acl_check_cmd</c> (Redis 6, other servers). On a Redis Cluster the probe runs on one primary: give every
/// node the same rule.
/// </remarks>
internal sealed class AclStartCheck(IServiceProvider services) : IHostedService
{
    private const string Script = """
        local denied = {}
        local i = 1
        while i <= #ARGV do
          local n = tonumber(ARGV[i + 1])
          local args = {}
          for j = 1, n do args[j] = ARGV[i + 1 + j] end
          if not redis.acl_check_cmd(unpack(args)) then denied[#denied + 1] = ARGV[i] end
          i = i + n + 2
        end
        return denied
        """;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        ZnDrawConnection connection = services.GetRequiredService<ZnDrawConnection>();
        if (!connection.Multiplexer.IsConnected)
        {
            return; // checked on first use
        }

        ZnDrawStorageOptions options = services.GetRequiredService<IOptions<ZnDrawStorageOptions>>().Value;
        HistoryOptions history = services.GetRequiredService<IOptions<HistoryOptions>>().Value;
        ZnDrawAclFeatures features = Features(connection.Multiplexer, options, history, services.GetService<IHistorySink>() is not null);
        await CheckAsync(connection.Multiplexer.GetDatabase(options.Database), options, history.StreamKey, features, cancellationToken).ConfigureAwait(false);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>The feature sets <paramref name="options"/> turn on.</summary>
    internal static ZnDrawAclFeatures Features(IConnectionMultiplexer multiplexer, ZnDrawStorageOptions options, HistoryOptions history, bool sink)
    {
        ZnDrawAclFeatures features = ZnDrawAclFeatures.Core;
        bool cluster = multiplexer.GetServers().Any(static s => s.ServerType == ServerType.Cluster);
        if (cluster)
        {
            features |= ZnDrawAclFeatures.Cluster;
        }

        if (history.Mode == HistoryMode.Durable && sink)
        {
            features |= ZnDrawAclFeatures.DurableHistory;
        }

        if (options.IndexReconciliation.Enabled)
        {
            features |= ZnDrawAclFeatures.Reindex;
            if (options.IndexReconciliation.UseKeyspaceNotifications && !cluster)
            {
                features |= ZnDrawAclFeatures.KeyspaceNotifications;
            }
        }

        return features;
    }

    /// <summary>Probes every command of <paramref name="features"/>; throws <see cref="StoragePermissionException"/> for a missing one.</summary>
    internal static async Task CheckAsync(IDatabaseAsync database, ZnDrawStorageOptions options, string streamKey, ZnDrawAclFeatures features, CancellationToken cancellationToken)
    {
        string key = (options.KeyPrefix ?? string.Empty) + AclTable.ProbeKey;
        string channel = AclTable.NotificationPatterns(options)[0];
        var args = new List<RedisValue>();
        for (int i = 0; i < AclTable.Commands.Length; i++)
        {
            AclCommand command = AclTable.Commands[i];
            if (command.Probe is null || (features & command.Feature) == 0)
            {
                continue;
            }

            string[] name = command.Name.Split('|');
            args.Add(i);
            args.Add(name.Length + command.Probe.Length);
            foreach (string part in name)
            {
                args.Add(part);
            }

            foreach (string arg in command.Probe)
            {
                args.Add(arg switch { "K" => key, "S" => streamKey, "C" => channel, _ => arg });
            }
        }

        RedisResult reply;
        try
        {
            reply = await RedisStoreContext.WaitAsync(database.ScriptEvaluateAsync(Script, null, [.. args]), cancellationToken).ConfigureAwait(false);
        }
        catch (RedisServerException ex) when (RedisErrors.Permission(ex, "the start check") is { } permission)
        {
            throw permission; // EVAL itself is refused
        }
        catch (Exception ex) when (RedisErrors.IsClientFailure(ex))
        {
            return; // no redis.acl_check_cmd (Redis 6, another server), or the connection failed: checked on first use
        }

        var denied = (RedisResult[]?)reply ?? [];
        if (denied.Length == 0)
        {
            return;
        }

        AclCommand first = AclTable.Commands[(int)denied[0]];
        string others = denied.Length == 1
            ? string.Empty
            : " (also missing: " + string.Join(", ", denied.Skip(1).Select(d => AclTable.Commands[(int)d].Name)) + ")";
        string what = first.Name == "psubscribe"
            ? $"no permission to run 'psubscribe' on the channel pattern '{channel}'{others}"
            : $"no permission to run '{first.Name}' on the library's keys{others}";
        throw new StoragePermissionException("the start check", null, first.Name, first.Feature, what, null);
    }
}
