using System.CommandLine;
using System.CommandLine.Invocation;
using ZnDraw.Storage.Tool.Commands;

namespace ZnDraw.Storage.Tool.Infrastructure;

/// <summary>Parses and runs one command line.</summary>
internal static class ToolApp
{
    public static Task<int> RunAsync(string[] args) => RunAsync(args, Console.Out, Console.Error, CancellationToken.None);

    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        var root = ToolCommands.Create();
        var parse = root.Parse(args);
        var invocation = new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false };
        if (parse.Action is ParseErrorAction)
        {
            // One line per parse error (unknown command or option, a value not among the choices, a missing argument),
            // and where to look; never the whole help text.
            // "Required command was not provided" beside a more precise error (a mistyped subcommand) says nothing more.
            var messages = parse.Errors.Select(static e => e.Message).Distinct().ToList();
            if (messages.Count > 1)
            {
                messages.RemoveAll(static m => m.StartsWith("Required command was not provided", StringComparison.Ordinal));
            }

            foreach (var message in messages)
            {
                ToolErrors.WriteLine(error, message);
            }

            error.WriteLine($"Run '{CommandPath(parse)} --help' for usage.");
            return ExitCodes.Usage;
        }

        return await parse.InvokeAsync(invocation, cancellationToken).ConfigureAwait(false);
    }

    private static string CommandPath(ParseResult parse)
    {
        var names = new List<string>();
        for (var result = parse.CommandResult; result is not null; result = result.Parent as System.CommandLine.Parsing.CommandResult)
        {
            names.Add(result.Command is RootCommand ? "zndraw-storage" : result.Command.Name);
        }

        names.Reverse();
        return string.Join(' ', names);
    }
}
