using System.CommandLine;
using ZnDraw.Storage.Contracts;
using ZnDraw.Storage.Models;
using ZnDraw.Storage.Tool.Infrastructure;

namespace ZnDraw.Storage.Tool.Commands;

/// <summary><c>jobs list --room &lt;id&gt;</c>.</summary>
internal static class JobsCommand
{
    public static Command Create() => ToolCommand.Group(
        "jobs",
        "Jobs: the extension runs of a room (queued, running, completed, failed).",
        List());

    private static Command List()
    {
        var room = CommonArguments.RequiredRoom("The room whose jobs to list.");
        var status = new Option<string>("--status")
        {
            Description = "Which jobs: active (queued or running), finished (completed or failed) or all.",
            HelpName = "active|finished|all",
            DefaultValueFactory = static _ => "all",
        };
        status.AcceptOnlyFromAmong("active", "finished", "all");
        var command = new Command(
            "list",
            "List the jobs of a room, newest first: id, status, extension, user, worker, times and error. "
            + "Exit 3 when the room does not exist.")
        {
            room,
            status,
        };
        command.SetToolAction(async ctx =>
        {
            string roomId = ctx.Get(room)!;
            string which = ctx.Get(status) ?? "all";
            var ct = ctx.CancellationToken;
            await using var store = await ctx.OpenStoreAsync(StoreNeeds.Redis).ConfigureAwait(false);
            if (!await store.Get<IRoomRepository>().ExistsAsync(roomId, ct).ConfigureAwait(false))
            {
                await LayoutProbe.ThrowIfRoomsUnderOtherLayoutAsync(store, [roomId], ct).ConfigureAwait(false);
                throw new ToolException(ExitCodes.NotFound, $"room '{roomId}' not found.");
            }

            var jobs = store.Get<IJobRepository>();
            var ids = new List<string>();
            if (which is "active" or "all")
            {
                ids.AddRange(await jobs.ListActiveAsync(roomId, ct).ConfigureAwait(false));
            }

            if (which is "finished" or "all")
            {
                ids.AddRange(await jobs.ListInactiveAsync(roomId, ct).ConfigureAwait(false));
            }

            // One read per job, sent together (pipelined); a job whose hash expired is left out.
            var read = await Task.WhenAll(ids.Distinct(StringComparer.Ordinal).Select(id => jobs.GetByIdAsync(new JobId(roomId, id), ct).AsTask())).ConfigureAwait(false);
            var rows = read.OfType<Job>()
                .OrderByDescending(static j => j.CreatedAt)
                .ThenBy(static j => j.Id, StringComparer.Ordinal)
                .Select(static j => new
                {
                    j.Id,
                    j.Room,
                    Status = j.Status.ToString().ToLowerInvariant(),
                    j.Category,
                    j.Extension,
                    j.UserName,
                    Provider = j.Provider.ToString().ToLowerInvariant(),
                    j.WorkerId,
                    j.CreatedAt,
                    j.StartedAt,
                    j.CompletedAt,
                    j.WaitTimeMs,
                    j.ExecutionTimeMs,
                    j.Error,
                })
                .ToList();
            if (ctx.Output.Json)
            {
                ctx.Output.WriteJson(rows);
                return ExitCodes.Ok;
            }

            if (rows.Count == 0)
            {
                ctx.Output.Note($"no jobs in room '{roomId}'.");
                return ExitCodes.Ok;
            }

            var table = ToolOutput.Table("Job", "Status", "Extension", "User", "Worker", "Created", "Started", "Completed", "Error");
            foreach (var j in rows)
            {
                ToolOutput.Row(table, j.Id, j.Status, $"{j.Category}/{j.Extension}", j.UserName, j.WorkerId, Formats.Time(j.CreatedAt), Formats.Time(j.StartedAt), Formats.Time(j.CompletedAt), j.Error);
            }

            ctx.Output.Write(table);
            ctx.Output.Note($"{rows.Count} job(s).");
            return ExitCodes.Ok;
        });
        return command;
    }
}
