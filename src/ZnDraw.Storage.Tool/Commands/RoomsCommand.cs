using System.CommandLine;
using System.Globalization;
using ZnDraw.Storage.Services;
using ZnDraw.Storage.Tool.Infrastructure;

namespace ZnDraw.Storage.Tool.Commands;

/// <summary><c>rooms list</c>, <c>rooms show &lt;id&gt;</c>.</summary>
internal static class RoomsCommand
{
    public static Command Create() => ToolCommand.Group(
        "rooms",
        "Rooms: list them, or show one with its members, metadata, content counts and jobs.",
        List());

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
            var details = await rooms.ListDetailsAsync(includeHidden: true, ctx.CancellationToken).ConfigureAwait(false);
            if (details.Count == 0)
            {
                var indexed = await rooms.ListAsync(ctx.CancellationToken).ConfigureAwait(false);
                await LayoutProbe.ThrowIfRoomsUnderOtherLayoutAsync(store, indexed, ctx.CancellationToken).ConfigureAwait(false);
            }

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
}
