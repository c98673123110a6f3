using System.CommandLine;
using ZnDraw.Storage.Tool.Infrastructure;

namespace ZnDraw.Storage.Tool.Commands;

/// <summary>
/// The root command and the ONE place where command groups are registered.
/// </summary>
/// <remarks>
/// How a command plugs in: each command group is a static factory in its own file under Commands/ (e.g.
/// <c>RoomsCommand.Create()</c> in RoomsCommand.cs) that returns a <see cref="Command"/> whose subcommands set their
/// action with <see cref="ToolCommand.SetToolAction"/> (context, output, store, one error handler); add one line to
/// <see cref="Create"/> below, a section to docs/tool.md, and an exit code to <see cref="ExitCodes"/> only if none fits.
/// The global options (<see cref="GlobalOptions"/>) are recursive: every command has them.
/// </remarks>
internal static class ToolCommands
{
    public static RootCommand Create()
    {
        var root = new RootCommand(
            "zndraw-storage: inspect (and check, export, import, migrate) the storage of ZnDraw in Redis and SQL, "
            + "through the ZnDraw.Storage library. Connection settings come from flags, environment variables or a settings "
            + "file (see --settings); exit codes: 0 ok, 1 unexpected error, 2 usage, 3 not found, 4 unavailable, 5 bad data, "
            + "6 wrong layout, 130 cancelled.");
        foreach (var option in GlobalOptions.All)
        {
            root.Options.Add(option);
        }

        // Command groups, one line each, in the order --help lists them.
        root.Subcommands.Add(RoomsCommand.Create());
        root.Subcommands.Add(UsersCommand.Create());
        root.Subcommands.Add(ExtensionsCommand.Create());
        root.Subcommands.Add(JobsCommand.Create());
        root.Subcommands.Add(HistoryCommand.Create());
        root.Subcommands.Add(CheckCommand.Create());
        return root;
    }
}
