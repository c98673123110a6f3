using System.CommandLine;
using ZnDraw.Storage.Contracts;
using ZnDraw.Storage.Models;
using ZnDraw.Storage.Tool.Infrastructure;

namespace ZnDraw.Storage.Tool.Commands;

/// <summary><c>users list</c>, <c>users show &lt;name&gt;</c>.</summary>
internal static class UsersCommand
{
    public static Command Create() => ToolCommand.Group(
        "users",
        "Users: list them, or show one (role, timestamps, current room and session). Password hashes are never shown.",
        List(),
        Show());

    private static Command List()
    {
        var adminsOnly = new Option<bool>("--admins")
        {
            Description = "Only the users with the admin flag.",
        };
        var command = new Command(
            "list",
            "List every user of the users index with role (admin, user = registered, guest), creation, last login, "
            + "last activity and current room (users in the index whose data is gone are left out). "
            + "Exit 6 when the users exist only under the other key layout.")
        {
            adminsOnly,
        };
        command.SetToolAction(async ctx =>
        {
            var ct = ctx.CancellationToken;
            await using var store = await ctx.OpenStoreAsync(StoreNeeds.Redis).ConfigureAwait(false);
            var users = store.Get<IUserRepository>();
            var names = await users.ListAllAsync(ct).ConfigureAwait(false);
            var admins = (await users.ListAdminsAsync(ct).ConfigureAwait(false)).ToHashSet(StringComparer.Ordinal);
            if (ctx.Get(adminsOnly))
            {
                names = names.Where(admins.Contains).ToList();
            }

            // One read per user, sent together (pipelined).
            var read = await Task.WhenAll(names.Select(n => users.GetByIdAsync(n, ct).AsTask())).ConfigureAwait(false);
            var found = read.OfType<User>().OrderBy(static u => u.UserName, StringComparer.Ordinal).ToList();
            if (found.Count == 0 && names.Count > 0)
            {
                await LayoutProbe.ThrowIfUsersUnderOtherLayoutAsync(store, names, ct).ConfigureAwait(false);
            }

            var rows = found.Select(u => Describe(u, admins.Contains(u.UserName))).ToList();
            if (ctx.Output.Json)
            {
                ctx.Output.WriteJson(rows);
                return ExitCodes.Ok;
            }

            if (rows.Count == 0)
            {
                ctx.Output.Note("no users.");
                return ExitCodes.Ok;
            }

            var table = ToolOutput.Table("User", "Role", "Created", "Last login", "Last activity", "Current room");
            foreach (var u in rows)
            {
                ToolOutput.Row(table, u.UserName, u.Role, Formats.Time(u.CreatedAt), Formats.Time(u.LastLogin), Formats.Time(u.LastActivity), u.CurrentRoom);
            }

            ctx.Output.Write(table);
            ctx.Output.Note($"{rows.Count} user(s).");
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Show()
    {
        var userName = CommonArguments.UserName("The user name (as in 'users list').");
        var command = new Command(
            "show",
            "Show one user: role, admin flag, whether a password is registered, timestamps, current room and Socket.IO "
            + "session. Exit 3 when the user does not exist, 6 when it exists only under the other key layout.")
        {
            userName,
        };
        command.SetToolAction(async ctx =>
        {
            string name = ctx.Get(userName)!;
            var ct = ctx.CancellationToken;
            await using var store = await ctx.OpenStoreAsync(StoreNeeds.Redis).ConfigureAwait(false);
            var users = store.Get<IUserRepository>();
            var user = await users.GetByIdAsync(name, ct).ConfigureAwait(false);
            if (user is null)
            {
                await LayoutProbe.ThrowIfUsersUnderOtherLayoutAsync(store, [name], ct).ConfigureAwait(false);
                throw new ToolException(ExitCodes.NotFound, $"user '{name}' not found.");
            }

            var details = Describe(user, await users.IsAdminAsync(name, ct).ConfigureAwait(false));
            if (ctx.Output.Json)
            {
                ctx.Output.WriteJson(details);
                return ExitCodes.Ok;
            }

            ctx.Output.Write(ToolOutput.Details(
            [
                ("User", details.UserName),
                ("Role", details.Role),
                ("Admin", Formats.YesNo(details.IsAdmin)),
                ("Registered", Formats.YesNo(details.IsRegistered)),
                ("Created", Formats.Time(details.CreatedAt)),
                ("Last login", Formats.Time(details.LastLogin)),
                ("Last activity", Formats.Time(details.LastActivity)),
                ("Current room", details.CurrentRoom),
                ("Current session", details.CurrentSid),
            ]));
            return ExitCodes.Ok;
        });
        return command;
    }

    private static UserDetails Describe(User user, bool isAdmin) => new(
        user.UserName,
        user.GetRole(isAdmin).ToString().ToLowerInvariant(),
        isAdmin,
        user.IsRegistered,
        user.CreatedAt,
        user.LastLogin,
        user.LastActivity,
        string.IsNullOrEmpty(user.CurrentRoom) ? null : user.CurrentRoom,
        string.IsNullOrEmpty(user.CurrentSid) ? null : user.CurrentSid);

    private sealed record UserDetails(
        string UserName,
        string Role,
        bool IsAdmin,
        bool IsRegistered,
        DateTime? CreatedAt,
        DateTime? LastLogin,
        DateTime? LastActivity,
        string? CurrentRoom,
        string? CurrentSid);
}
