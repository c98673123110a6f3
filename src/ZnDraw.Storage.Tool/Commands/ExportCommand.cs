using System.CommandLine;
using ZnDraw.Storage.Services;
using ZnDraw.Storage.Tool.Infrastructure;

namespace ZnDraw.Storage.Tool.Commands;

/// <summary><c>export [--output file|-]</c>: a JSON Lines snapshot of the store (<see cref="StorageSnapshot.ExportAsync"/>).</summary>
internal static class ExportCommand
{
    public static Command Create()
    {
        var output = new Option<string>("--output", "-o")
        {
            Description = "The snapshot file, or - for standard output (the summary then goes to standard error).",
            DefaultValueFactory = _ => "-",
        };
        var command = new Command(
            "export",
            "Write every persistent aggregate of the store the global options describe (users with credentials and admin flags, "
            + "rooms with every persistent part, the default room) as a JSON Lines snapshot, one aggregate at a time. "
            + "Not exported: ephemeral state (sessions, locks, presence, extensions, workers, queues, jobs, filesystems). "
            + "Stop the ZnDraw servers first for an exact copy. Exit 5 when an aggregate could not be read (it is left out).")
        {
            output,
        };
        command.SetToolAction(async ctx =>
        {
            var ct = ctx.CancellationToken;
            string path = ctx.Get(output) ?? "-";
            await using var store = await ctx.OpenStoreAsync(StoreNeeds.Redis).ConfigureAwait(false);
            var endpoint = StorageMigrationEndpoint.FromServices(store.Services);
            bool toStdout = path == "-";
            StorageSnapshotResult result;
            await using (Stream destination = toStdout ? Console.OpenStandardOutput() : OpenFile(path))
            {
                result = await StorageSnapshot.ExportAsync(endpoint, destination, cancellationToken: ct).ConfigureAwait(false);
            }

            TransferSupport.WriteSnapshot(ctx, "export", result, toStdout);
            return result.Failures.Count == 0 ? ExitCodes.Ok : ExitCodes.DataError;
        });
        return command;
    }

    private static FileStream OpenFile(string path)
    {
        try
        {
            return new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new ToolException(ExitCodes.Usage, $"cannot write {path}: {ex.Message}", ex);
        }
    }
}
