using System.CommandLine;

namespace ZnDraw.Storage.Tool.Infrastructure;

/// <summary>How a command file gives its command an action: <c>command.SetToolAction(async ctx =&gt; { ...; return ExitCodes.Ok; })</c>.</summary>
internal static class ToolCommand
{
    /// <summary>
    /// Sets <paramref name="action"/> as the command's action, with the tool's context and its one error handler around
    /// it: an exception becomes one line on standard error and an exit code (<see cref="ToolErrors"/>).
    /// </summary>
    public static Command SetToolAction(this Command command, Func<ToolContext, Task<int>> action)
    {
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(action);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var configuration = parse.InvocationConfiguration;
            var output = new ToolOutput(parse.GetValue(GlobalOptions.Json), configuration.Output, configuration.Error);
            var context = new ToolContext(parse, output, cancellationToken);
            try
            {
                return await action(context).ConfigureAwait(false);
            }
#pragma warning disable CA1031 // The one place every error of a command is turned into a line and an exit code.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                return ToolErrors.Report(ex, output.Error, parse.GetValue(GlobalOptions.Verbose), cancellationToken);
            }
        });
        return command;
    }

    /// <summary>A command group (no action of its own: run without a subcommand it shows its help).</summary>
    public static Command Group(string name, string description, params Command[] subcommands)
    {
        var group = new Command(name, description);
        foreach (var subcommand in subcommands)
        {
            group.Subcommands.Add(subcommand);
        }

        return group;
    }
}
