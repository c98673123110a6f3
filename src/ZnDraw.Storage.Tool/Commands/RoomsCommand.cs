using System.CommandLine;
using System.Globalization;
using ZnDraw.Storage.Contracts;
using ZnDraw.Storage.Services;
using ZnDraw.Storage.Tool.Infrastructure;

namespace ZnDraw.Storage.Tool.Commands;

/// <summary><c>rooms list</c>, <c>rooms show &lt;id&gt;</c>.</summary>
internal static class RoomsCommand
{
    public static Command Create() => ToolCommand.Group(
        "rooms",
        "Rooms: list them, or show one with its members, metadata, content counts and jobs.",
        List(),
        Show());

    private static Command List()
    {
        var command = new Command(
            "list",
            "List every room of the rooms index with its description, flags, current frame and frame count "
            + "(rooms in the index whose data is gone are left out). Exit 6 when the rooms exist only under the other key layout.");
        command.SetToolAction(async ctx =>
        {
            await using var store = await ctx.OpenStoreAsync(StoreNeeds.Redis).ConfigureAwait(false);
            var rooms = store.Get<RoomService>();
            var indexed = await rooms.ListAsync(ctx.CancellationToken).ConfigureAwait(false);
            await LayoutProbe.EnsureRoomsLayoutAsync(store, indexed, ctx.CancellationToken).ConfigureAwait(false);
            var details = await rooms.ListDetailsAsync(includeHidden: true, ctx.CancellationToken).ConfigureAwait(false);

            var sorted = details.OrderBy(static r => r.Id, StringComparer.Ordinal).ToList();
            if (ctx.Output.Json)
            {
                ctx.Output.WriteJson(sorted.Select(static r => new
                {
                    r.Id,
                    r.Description,
                    r.Locked,
                    r.Hidden,
                    r.CurrentFrame,
                    r.FrameCount,
                }));
                return ExitCodes.Ok;
            }

            if (sorted.Count == 0)
            {
                ctx.Output.Note("no rooms.");
                return ExitCodes.Ok;
            }

            var table = ToolOutput.Table("Room", "Description", "Locked", "Hidden", "Current frame", "Frames");
            foreach (var room in sorted)
            {
                ToolOutput.Row(
                    table,
                    room.Id,
                    room.Description,
                    room.Locked ? "yes" : "no",
                    room.Hidden ? "yes" : "no",
                    room.CurrentFrame.ToString(CultureInfo.InvariantCulture),
                    room.FrameCount?.ToString(CultureInfo.InvariantCulture));
            }

            ctx.Output.Write(table);
            ctx.Output.Note($"{sorted.Count} room(s).");
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Show()
    {
        var roomId = CommonArguments.RoomId("The room id (as in 'rooms list').");
        var command = new Command(
            "show",
            "Show one room: description, flags, current frame, frame count, whether it is the default room, members, "
            + "metadata, geometry and figure names, and the numbers of bookmarks, chat messages and jobs. "
            + "Exit 3 when it does not exist, 6 when it exists only under the other key layout.")
        {
            roomId,
        };
        command.SetToolAction(async ctx =>
        {
            string id = ctx.Get(roomId)!;
            var ct = ctx.CancellationToken;
            await using var store = await ctx.OpenStoreAsync(StoreNeeds.Redis).ConfigureAwait(false);
            var rooms = store.Get<IRoomRepository>();
            var room = await rooms.GetWithFrameCountAsync(id, ct).ConfigureAwait(false);
            if (room is null)
            {
                await LayoutProbe.ThrowIfRoomsUnderOtherLayoutAsync(store, [id], ct).ConfigureAwait(false);
                throw new ToolException(ExitCodes.NotFound, $"room '{id}' not found.");
            }

            // Independent reads, sent together (pipelined) and awaited together.
            var members = rooms.GetUsersAsync(id, ct).AsTask();
            var metadata = rooms.GetMetadataAsync(id, ct).AsTask();
            var defaultRoom = rooms.GetDefaultRoomAsync(ct).AsTask();
            var geometries = store.Get<IGeometryRepository>().ListNamesAsync(id, ct).AsTask();
            var figures = store.Get<IGeometryRepository>().ListFigureNamesAsync(id, ct).AsTask();
            var bookmarks = store.Get<IBookmarkRepository>().GetAllAsync(id, ct).AsTask();
            var chat = store.Get<IChatRepository>().CountAsync(id, ct).AsTask();
            var activeJobs = store.Get<IJobRepository>().ListActiveAsync(id, ct).AsTask();
            var inactiveJobs = store.Get<IJobRepository>().ListInactiveAsync(id, ct).AsTask();
            await Task.WhenAll(members, metadata, defaultRoom, geometries, figures, bookmarks, chat, activeJobs, inactiveJobs).ConfigureAwait(false);

            var details = new
            {
                room.Id,
                room.Description,
                room.Locked,
                room.Hidden,
                room.CurrentFrame,
                room.FrameCount,
                IsDefault = defaultRoom.Result == id,
                Members = members.Result.Order(StringComparer.Ordinal).ToList(),
                Metadata = (metadata.Result?.Fields ?? []).ToDictionary(static f => f.Key, static f => f.Value, StringComparer.Ordinal),
                Geometries = geometries.Result.Order(StringComparer.Ordinal).ToList(),
                Figures = figures.Result.Order(StringComparer.Ordinal).ToList(),
                Bookmarks = bookmarks.Result.Count,
                ChatMessages = chat.Result,
                ActiveJobs = activeJobs.Result.Count,
                InactiveJobs = inactiveJobs.Result.Count,
            };
            if (ctx.Output.Json)
            {
                ctx.Output.WriteJson(details);
                return ExitCodes.Ok;
            }

            ctx.Output.Write(ToolOutput.Details(
            [
                ("Room", details.Id),
                ("Description", details.Description),
                ("Locked", Formats.YesNo(details.Locked)),
                ("Hidden", Formats.YesNo(details.Hidden)),
                ("Default room", Formats.YesNo(details.IsDefault)),
                ("Current frame", Formats.Number(details.CurrentFrame)),
                ("Frames", Formats.Number(details.FrameCount)),
                ("Members", Formats.List(details.Members)),
                ("Metadata", Formats.List(details.Metadata.Select(static f => $"{f.Key}={f.Value}"))),
                ("Geometries", Formats.List(details.Geometries)),
                ("Figures", Formats.List(details.Figures)),
                ("Bookmarks", Formats.Number(details.Bookmarks)),
                ("Chat messages", Formats.Number(details.ChatMessages)),
                ("Jobs", $"{details.ActiveJobs} active, {details.InactiveJobs} finished"),
            ]));
            return ExitCodes.Ok;
        });
        return command;
    }
}
