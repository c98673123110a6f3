using System.CommandLine;
using ZnDraw.Storage.Contracts;
using ZnDraw.Storage.Models;
using ZnDraw.Storage.Tool.Infrastructure;

namespace ZnDraw.Storage.Tool.Commands;

/// <summary><c>extensions list</c>.</summary>
internal static class ExtensionsCommand
{
    public static Command Create() => ToolCommand.Group(
        "extensions",
        "Extensions registered by workers: room-scoped and global.",
        List());

    private static Command List()
    {
        var room = new Option<string?>("--room")
        {
            Description = "Only the extensions registered in this room.",
            HelpName = "room-id",
        };
        var global = new Option<bool>("--global")
        {
            Description = "Only the global extensions.",
        };
        var command = new Command(
            "list",
            "List the extensions: scope, room, category, name, idle and busy workers, and queued tasks. Found as the library "
            + "lists them: the room-scoped extensions of every indexed room, and the global ones of the categories modifiers, "
            + "selections, analysis and every category used in a room.")
        {
            room,
            global,
        };
        command.Validators.Add(result =>
        {
            if (result.GetValue(global) && result.GetValue(room) is not null)
            {
                result.AddError("--room and --global cannot be combined.");
            }
        });
        command.SetToolAction(async ctx =>
        {
            var ct = ctx.CancellationToken;
            string? roomId = ctx.Get(room);
            bool globalOnly = ctx.Get(global);
            if (roomId is not null)
            {
                KeyValidation.ValidateRoomId(roomId, "--room");
            }

            await using var store = await ctx.OpenStoreAsync(StoreNeeds.Redis).ConfigureAwait(false);
            var extensions = store.Get<IExtensionRepository>();
            var ids = new List<ExtensionId>();
            await foreach (var id in extensions.ListIdsAsync(ct).ConfigureAwait(false))
            {
                if ((roomId is null || id.RoomId == roomId) && (!globalOnly || id.Scope == ExtensionScope.Global))
                {
                    ids.Add(id);
                }
            }

            ids.Sort(static (a, b) =>
            {
                int c = a.Scope.CompareTo(b.Scope);
                c = c != 0 ? c : string.CompareOrdinal(a.RoomId, b.RoomId);
                c = c != 0 ? c : string.CompareOrdinal(a.Category, b.Category);
                return c != 0 ? c : string.CompareOrdinal(a.Name, b.Name);
            });

            // Workers and queue length of every extension, sent together (pipelined).
            var workers = ids.Select(id => extensions.GetWorkersAsync(id, ct).AsTask()).ToList();
            var queues = ids.Select(id => extensions.QueueLengthAsync(id, ct).AsTask()).ToList();
            await Task.WhenAll(workers.Cast<Task>().Concat(queues)).ConfigureAwait(false);
            var rows = ids.Select((id, i) => new
            {
                Scope = id.Scope.ToString().ToLowerInvariant(),
                id.RoomId,
                id.Category,
                id.Name,
                IdleWorkers = workers[i].Result.Count(static w => w.Availability == WorkerAvailability.Idle),
                BusyWorkers = workers[i].Result.Count(static w => w.Availability == WorkerAvailability.Progressing),
                QueuedTasks = queues[i].Result,
            }).ToList();
            if (ctx.Output.Json)
            {
                ctx.Output.WriteJson(rows);
                return ExitCodes.Ok;
            }

            if (rows.Count == 0)
            {
                ctx.Output.Note("no extensions.");
                return ExitCodes.Ok;
            }

            var table = ToolOutput.Table("Scope", "Room", "Category", "Extension", "Idle workers", "Busy workers", "Queued");
            foreach (var row in rows)
            {
                ToolOutput.Row(table, row.Scope, row.RoomId, row.Category, row.Name, Formats.Number(row.IdleWorkers), Formats.Number(row.BusyWorkers), Formats.Number(row.QueuedTasks));
            }

            ctx.Output.Write(table);
            ctx.Output.Note($"{rows.Count} extension(s).");
            return ExitCodes.Ok;
        });
        return command;
    }
}
