using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Configuration;
using Spectre.Console;
using StackExchange.Redis;
using ZnDraw.Storage.Services;
using ZnDraw.Storage.Sql;
using ZnDraw.Storage.Tool.Infrastructure;

namespace ZnDraw.Storage.Tool.Commands;

/// <summary>
/// <c>migrate layout</c> (ZnDraw's layout → the cluster-safe layout on another Redis or a Redis Cluster) and
/// <c>migrate to-sql</c> (Redis → the hybrid store), both through <see cref="StorageMigration"/> then
/// <see cref="StorageMigration.VerifyAsync"/>.
/// </summary>
internal static class MigrateCommand
{
    private const string NotMoved =
        "Only persistent aggregates move (users with credentials and admin flags, rooms with every persistent part, the default room); "
        + "ephemeral state (sessions, locks, presence, extensions, workers, queues, jobs, filesystems) stays behind, and deletions on the "
        + "source are not propagated: stop the ZnDraw servers (the writers) first. ";

    private const string Resumable =
        "Resumable: each aggregate is compared by a content hash per part on both sides; equal aggregates are skipped, differing parts "
        + "replaced, so a rerun after an interruption writes only what is missing. ";

    public static Command Create() => ToolCommand.Group(
        "migrate",
        "Copy the store into another layout or backend, verified by counts and content hashes. " + NotMoved,
        Layout(),
        ToSql());

    private static Command Layout()
    {
        var to = new Option<string>("--to")
        {
            Description = "The target key layout: cluster-safe (from ZnDraw's layout) or zndraw (back).",
            Required = true,
        };
        to.AcceptOnlyFromAmong("cluster-safe", "zndraw");
        var target = new Option<string>("--target")
        {
            Description = "The target Redis connection string (another Redis, or a node of a Redis Cluster).",
            Required = true,
        };
        var targetPrefix = new Option<string?>("--target-prefix")
        {
            Description = "The key prefix on the target (default: the source's --prefix).",
        };
        var dryRun = new Option<bool>("--dry-run")
        {
            Description = "Compare only: list what would be copied or replaced, write nothing.",
        };
        var command = new Command(
            "layout",
            "Copy the store the global options describe (source, e.g. ZnDraw's layout) into the other key layout on --target, "
            + "then verify (counts and content hashes per aggregate). " + Resumable + NotMoved
            + "Exit 5 when an aggregate failed or the verification found a difference.")
        {
            to,
            target,
            targetPrefix,
            dryRun,
        };
        command.SetToolAction(async ctx =>
        {
            var ct = ctx.CancellationToken;
            string layout = ctx.Get(to) == "zndraw" ? nameof(KeyLayout.ZnDraw) : nameof(KeyLayout.ClusterSafe);
            var sourceConfiguration = TransferSupport.Overlay(ctx.Configuration, new() { [ToolConfiguration.SqlStorageKey] = "none" });
            await using var source = await ToolStore.OpenAsync(sourceConfiguration, StoreNeeds.Redis, ctx.Verbose, ct).ConfigureAwait(false);
            if (source.Options.Layout.ToString() == layout)
            {
                throw new ToolException(ExitCodes.Usage, $"the source already has the {ctx.Get(to)} layout (--layout); --to names the other one.");
            }

            var targetConfiguration = TransferSupport.Overlay(ctx.Configuration, new()
            {
                [$"ConnectionStrings:{ToolConfiguration.RedisConnectionName}"] = ctx.Get(target),
                ["ZnDrawStorage:ConnectionString"] = null,
                ["ZnDrawStorage:KeyPrefix"] = ctx.Get(targetPrefix) ?? source.Options.KeyPrefix,
                ["ZnDrawStorage:Layout"] = layout,
                ["ZnDrawStorage:Database"] = null,
                [ToolConfiguration.SqlStorageKey] = "none",
            });
            await using var destination = await ToolStore.OpenAsync(targetConfiguration, StoreNeeds.Redis, ctx.Verbose, ct).ConfigureAwait(false);
            if (await IsSameKeySpaceAsync(source, destination).ConfigureAwait(false))
            {
                throw new ToolException(
                    ExitCodes.Usage,
                    $"--target is the source's own Redis, database and prefix ('{source.Options.KeyPrefix}'): both layouts in one key space would read "
                    + "each other's keys; give another server, or another database or --target-prefix.");
            }

            return await TransferSupport.MigrateAndVerifyAsync(
                ctx, source, destination, new StorageMigrationOptions { DryRun = ctx.Get(dryRun) }).ConfigureAwait(false);
        });
        return command;
    }

    /// <summary>
    /// Whether <paramref name="target"/> is the key space of <paramref name="source"/>: a server in common (by its
    /// <c>run_id</c>, whatever address names it), the same database and the same prefix.
    /// </summary>
    private static async Task<bool> IsSameKeySpaceAsync(ToolStore source, ToolStore target)
    {
        if (!string.Equals(source.Options.KeyPrefix, target.Options.KeyPrefix, StringComparison.Ordinal)
            || source.Redis.GetDatabase(source.Options.Database).Database != target.Redis.GetDatabase(target.Options.Database).Database)
        {
            return false;
        }

        HashSet<string> sourceIds = await RunIdsAsync(source.Redis).ConfigureAwait(false);
        return (await RunIdsAsync(target.Redis).ConfigureAwait(false)).Overlaps(sourceIds);

        static async Task<HashSet<string>> RunIdsAsync(IConnectionMultiplexer redis)
        {
            var ids = new HashSet<string>(StringComparer.Ordinal);
            foreach (IServer server in redis.GetServers().Where(static s => s.IsConnected))
            {
                IGrouping<string, KeyValuePair<string, string>>[] info;
                try
                {
                    info = await server.InfoAsync("server").ConfigureAwait(false);
                }
                catch (RedisServerException)
                {
                    continue; // INFO refused (an ACL without it): this server cannot be told apart
                }

                foreach (IGrouping<string, KeyValuePair<string, string>> section in info)
                {
                    foreach (KeyValuePair<string, string> entry in section.Where(static e => e.Key == "run_id"))
                    {
                        ids.Add(entry.Value);
                    }
                }
            }

            return ids;
        }
    }

    private static Command ToSql()
    {
        var groups = new Option<string>("--groups")
        {
            Description = "What moves to SQL: users,rooms (default), users, or rooms.",
            DefaultValueFactory = _ => "users,rooms",
        };
        var dryRun = new Option<bool>("--dry-run")
        {
            Description = "Compare only: list what would be copied or replaced, write nothing (the SQL schema is still migrated).",
        };
        var command = new Command(
            "to-sql",
            "Copy users and/or rooms from Redis (the global options' store) into SQL (--sql-provider sqlite|postgresql, --sql "
            + "<connection string>), the hybrid storage of AddSqlStorage: the SQL schema is migrated first (a missing SQLite file "
            + "is created), then the aggregates are copied with a progress bar and verified (counts and content hashes). "
            + "Afterwards run the servers with the SQL storage of those groups. " + Resumable + NotMoved
            + "Exit 5 when an aggregate failed or the verification found a difference.")
        {
            groups,
            dryRun,
        };
        command.SetToolAction(async ctx =>
        {
            var ct = ctx.CancellationToken;
            (SqlStorageGroups sqlGroups, StorageMigrationScope scope) = ParseGroups(ctx.Get(groups) ?? "users,rooms");
            if (ToolConfiguration.SqlProvider(ctx.Configuration) == SqlProviderKind.None
                || string.IsNullOrWhiteSpace(ctx.Configuration.GetConnectionString(ToolConfiguration.SqlConnectionName)))
            {
                throw new ToolException(ExitCodes.Usage, "migrate to-sql needs --sql-provider sqlite|postgresql and --sql <connection string>.");
            }

            var sourceConfiguration = TransferSupport.Overlay(ctx.Configuration, new() { [ToolConfiguration.SqlStorageKey] = "none" });
            var targetConfiguration = TransferSupport.Overlay(ctx.Configuration, new() { [ToolConfiguration.SqlStorageKey] = sqlGroups.ToString() });
            TransferSupport.CreateSqliteFileIfMissing(targetConfiguration);
            await using var source = await ToolStore.OpenAsync(sourceConfiguration, StoreNeeds.Redis, ctx.Verbose, ct).ConfigureAwait(false);
            await using var destination = await ToolStore.OpenAsync(targetConfiguration, StoreNeeds.Redis, ctx.Verbose, ct).ConfigureAwait(false);
            await destination.Services.MigrateStorageDatabaseAsync(ct).ConfigureAwait(false);
            return await TransferSupport.MigrateAndVerifyAsync(
                ctx, source, destination, new StorageMigrationOptions { Scope = scope, DryRun = ctx.Get(dryRun) }).ConfigureAwait(false);
        });
        return command;
    }

    private static (SqlStorageGroups Groups, StorageMigrationScope Scope) ParseGroups(string text)
    {
        SqlStorageGroups groups = SqlStorageGroups.None;
        StorageMigrationScope scope = 0;
        foreach (string part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            switch (part.ToUpperInvariant())
            {
                case "USERS":
                    groups |= SqlStorageGroups.Users;
                    scope |= StorageMigrationScope.Users;
                    break;
                case "ROOMS":
                    groups |= SqlStorageGroups.Rooms;
                    scope |= StorageMigrationScope.Rooms;
                    break;
                case "ALL":
                    groups |= SqlStorageGroups.All;
                    scope |= StorageMigrationScope.All;
                    break;
                default:
                    throw new ToolException(ExitCodes.Usage, $"--groups: '{part}' is not a group; expected users, rooms or users,rooms.");
            }
        }

        return groups == SqlStorageGroups.None
            ? throw new ToolException(ExitCodes.Usage, "--groups: name users, rooms or both.")
            : (groups, scope);
    }
}

/// <summary>What export, import and migrate share: configuration overlays, the SQLite file, the migration run, its tables.</summary>
internal static class TransferSupport
{
    /// <summary>The run's configuration with <paramref name="values"/> on top (a null value hides the setting below).</summary>
    public static IConfiguration Overlay(IConfiguration configuration, Dictionary<string, string?> values)
    {
        var result = new ConfigurationManager();
        result.AddConfiguration(configuration);
        result.AddInMemoryCollection(values);
        return result;
    }

    /// <summary>A store written to may be a new SQLite database: its empty file is created (the store opener refuses a missing one).</summary>
    public static void CreateSqliteFileIfMissing(IConfiguration configuration)
    {
        if (ToolConfiguration.SqlProvider(configuration) != SqlProviderKind.Sqlite
            || ToolConfiguration.SqlStorage(configuration) == SqlStorageGroups.None
            || configuration.GetConnectionString(ToolConfiguration.SqlConnectionName) is not { Length: > 0 } connection)
        {
            return;
        }

        Microsoft.Data.Sqlite.SqliteConnectionStringBuilder builder;
        try
        {
            builder = new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder(connection);
        }
        catch (ArgumentException ex)
        {
            throw new ToolException(ExitCodes.Usage, $"invalid SQLite connection string: {ex.Message}", ex);
        }

        string file = builder.DataSource;
        if (file.Length > 0 && file != ":memory:" && !file.StartsWith("file:", StringComparison.OrdinalIgnoreCase) && !File.Exists(file))
        {
            File.WriteAllBytes(file, []);
        }
    }

    /// <summary>Runs the migration (with a progress bar on a terminal), then the verification unless dry; prints both.</summary>
    public static async Task<int> MigrateAndVerifyAsync(ToolContext ctx, ToolStore source, ToolStore target, StorageMigrationOptions options)
    {
        var ct = ctx.CancellationToken;
        var from = StorageMigrationEndpoint.FromServices(source.Services);
        var to = StorageMigrationEndpoint.FromServices(target.Services);
        StorageMigrationResult migrated = await WithProgressAsync(
            ctx, options.DryRun ? "comparing" : "copying", p => StorageMigration.MigrateAsync(from, to, options, p, ct)).ConfigureAwait(false);
        StorageVerificationResult? verified = null;
        if (!options.DryRun)
        {
            var verifyOptions = new StorageMigrationOptions { Scope = options.Scope, MaxDegreeOfParallelism = options.MaxDegreeOfParallelism };
            verified = await WithProgressAsync(ctx, "verifying", p => StorageMigration.VerifyAsync(from, to, verifyOptions, p, ct)).ConfigureAwait(false);
        }

        if (ctx.Output.Json)
        {
            ctx.Output.WriteJson(new { dryRun = options.DryRun, migration = migrated, verification = verified });
        }
        else
        {
            WriteKinds(ctx, options.DryRun ? "Dry run (nothing written): would copy / replace" : "Migration", migrated.Kinds);
            WriteFailures(ctx, migrated.Failures);
            ctx.Output.Note(string.Create(
                System.Globalization.CultureInfo.InvariantCulture,
                $"{(options.DryRun ? "compared" : "migrated")} {migrated.Total} aggregates in {migrated.Elapsed.TotalSeconds:F1} s: {migrated.Written} {(options.DryRun ? "to write" : "written")}, {migrated.Skipped} skipped (already identical), {migrated.Failures.Count} failed."));
            if (verified is not null)
            {
                var counts = ToolOutput.Table("Item", "Source", "Target", "Match");
                foreach (var count in verified.Counts)
                {
                    ToolOutput.Row(counts, count.Item, Formats.Number(count.Source), Formats.Number(count.Target), count.IsMatch ? "yes" : "NO");
                }

                ctx.Output.Write(counts);
                if (verified.Mismatches.Count > 0)
                {
                    var mismatches = ToolOutput.Table("Kind", "Id", "Source hash", "Target hash", "Differs");
                    foreach (var m in verified.Mismatches)
                    {
                        ToolOutput.Row(mismatches, m.Kind, m.Id, m.SourceHash, m.TargetHash, string.Join(", ", m.Parts));
                    }

                    ctx.Output.Write(mismatches);
                }

                ctx.Output.Note(verified.IsMatch
                    ? $"verified: {verified.Compared} aggregates equal (counts and content hashes)."
                    : $"verification FAILED: {verified.Mismatches.Count} aggregates differ, {verified.Counts.Count(static c => !c.IsMatch)} counts differ.");
            }
        }

        return migrated.Failures.Count == 0 && (verified?.IsMatch ?? true) ? ExitCodes.Ok : ExitCodes.DataError;
    }

    /// <summary>Prints a snapshot's counts (to standard error when the snapshot itself went to standard output).</summary>
    public static void WriteSnapshot(ToolContext ctx, string what, StorageSnapshotResult result, bool toStdout)
    {
        if (ctx.Output.Json && !toStdout)
        {
            ctx.Output.WriteJson(result);
            return;
        }

        if (!toStdout)
        {
            WriteKinds(ctx, what, result.Kinds);
            WriteFailures(ctx, result.Failures);
        }
        else
        {
            foreach (var failure in result.Failures)
            {
                ctx.Output.Note($"failed: {failure.Kind} {failure.Id}: {failure.Reason}");
            }
        }

        ctx.Output.Note(string.Create(
            System.Globalization.CultureInfo.InvariantCulture,
            $"{what}: {result.Aggregates} aggregates in {result.Elapsed.TotalSeconds:F1} s, {result.Failures.Count} failed."));
    }

    private static void WriteKinds(ToolContext ctx, string title, IReadOnlyList<StorageMigrationKindResult> kinds)
    {
        var table = ToolOutput.Table("Kind", "Listed", "Copied", "Replaced", "Skipped", "Missing", "Failed");
        table.Title = new TableTitle(title);
        foreach (var k in kinds)
        {
            ToolOutput.Row(table, k.Kind, Formats.Number(k.Listed), Formats.Number(k.Copied), Formats.Number(k.Replaced), Formats.Number(k.Skipped), Formats.Number(k.Missing), Formats.Number(k.Failed));
        }

        ctx.Output.Write(table);
    }

    private static void WriteFailures(ToolContext ctx, IReadOnlyList<StorageMigrationFailure> failures)
    {
        if (failures.Count == 0)
        {
            return;
        }

        var table = ToolOutput.Table("Kind", "Id", "Reason");
        foreach (var f in failures)
        {
            ToolOutput.Row(table, f.Kind, f.Id, f.Reason);
        }

        ctx.Output.Write(table);
    }

    private static async Task<T> WithProgressAsync<T>(ToolContext ctx, string label, Func<IProgress<StorageMigrationProgress>?, Task<T>> run)
    {
        if (ctx.Output.Json || !ctx.Output.Console.Profile.Capabilities.Interactive)
        {
            return await run(null).ConfigureAwait(false);
        }

        T result = default!;
        await ctx.Output.Console.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .StartAsync(async progressContext =>
            {
                var task = progressContext.AddTask(label, maxValue: 1);
                var reporter = new SyncProgress(p =>
                {
                    task.MaxValue = Math.Max(1, p.Total);
                    task.Value = p.Done;
                });
                result = await run(reporter).ConfigureAwait(false);
                task.Value = task.MaxValue;
            }).ConfigureAwait(false);
        return result;
    }

    /// <summary>Reports on the caller's thread (the library reports under its own lock, in order).</summary>
    private sealed class SyncProgress(Action<StorageMigrationProgress> report) : IProgress<StorageMigrationProgress>
    {
        public void Report(StorageMigrationProgress value) => report(value);
    }
}
