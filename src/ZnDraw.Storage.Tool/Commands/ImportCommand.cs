using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using ZnDraw.Storage.Contracts;
using ZnDraw.Storage.Services;
using ZnDraw.Storage.Sql;
using ZnDraw.Storage.Tool.Infrastructure;

namespace ZnDraw.Storage.Tool.Commands;

/// <summary><c>import [--input file|-]</c>: a snapshot into an empty store (<see cref="StorageSnapshot.ImportAsync"/>).</summary>
internal static class ImportCommand
{
    public static Command Create()
    {
        var input = new Option<string>("--input", "-i")
        {
            Description = "The snapshot file (written by export), or - for standard input.",
            DefaultValueFactory = _ => "-",
        };
        var command = new Command(
            "import",
            "Write a snapshot (from export) into the store the global options describe, which must be empty: either key "
            + "layout (--layout, --prefix), or SQL with --sql-storage all|users|rooms (the SQL schema is migrated first; a "
            + "missing SQLite file is created). Every line is checked (form and content hash) before it is written. "
            + "Exit 2 when the store is not empty, 5 when the snapshot is damaged or truncated (the message names the line) "
            + "or an aggregate was refused.")
        {
            input,
        };
        command.SetToolAction(async ctx =>
        {
            var ct = ctx.CancellationToken;
            string path = ctx.Get(input) ?? "-";
            Stream source = path == "-" ? Console.OpenStandardInput() : OpenFile(path);
            await using (source.ConfigureAwait(false))
            {
                TransferSupport.CreateSqliteFileIfMissing(ctx.Configuration);
                await using var store = await ctx.OpenStoreAsync(StoreNeeds.Redis).ConfigureAwait(false);
                if (store.SqlStorage != SqlStorageGroups.None)
                {
                    await store.Services.MigrateStorageDatabaseAsync(ct).ConfigureAwait(false);
                }

                var endpoint = StorageMigrationEndpoint.FromServices(store.Services);
                StorageSnapshotResult result;
                try
                {
                    result = await StorageSnapshot.ImportAsync(endpoint, source, cancellationToken: ct).ConfigureAwait(false);
                }
                catch (StorageTargetNotEmptyException ex)
                {
                    throw new ToolException(ExitCodes.Usage, ex.Message, ex);
                }
                catch (InvalidDataException ex)
                {
                    throw new ToolException(ExitCodes.DataError, ex.Message, ex);
                }

                TransferSupport.WriteSnapshot(ctx, "import", result, toStdout: false);
                return result.Failures.Count == 0 ? ExitCodes.Ok : ExitCodes.DataError;
            }
        });
        return command;
    }

    private static FileStream OpenFile(string path)
    {
        try
        {
            return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new ToolException(ExitCodes.Usage, $"cannot read {path}: {ex.Message}", ex);
        }
    }
}
