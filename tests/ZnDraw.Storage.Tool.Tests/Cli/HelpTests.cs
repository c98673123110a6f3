using System.CommandLine;
using System.Reflection;
using ZnDraw.Storage.Tool.Commands;
using ZnDraw.Storage.Tool.Infrastructure;
using ZnDraw.Storage.Tool.Tests.Infrastructure;

namespace ZnDraw.Storage.Tool.Tests.Cli;

/// <summary>--help and --version.</summary>
public sealed class HelpTests
{
    [Fact]
    public void Every_command_argument_and_option_has_help_text_and_every_leaf_command_an_action()
    {
        var missing = new List<string>();
        void Walk(Command command, string path)
        {
            if (string.IsNullOrWhiteSpace(command.Description))
            {
                missing.Add($"{path}: no description");
            }

            if (command.Subcommands.Count == 0 && command.Action is null)
            {
                missing.Add($"{path}: no action");
            }

            missing.AddRange(command.Options.Where(o => string.IsNullOrWhiteSpace(o.Description)).Select(o => $"{path} {o.Name}: no description"));
            missing.AddRange(command.Arguments.Where(a => string.IsNullOrWhiteSpace(a.Description)).Select(a => $"{path} <{a.Name}>: no description"));
            foreach (var sub in command.Subcommands)
            {
                Walk(sub, $"{path} {sub.Name}");
            }
        }

        var root = ToolCommands.Create();
        Walk(root, "zndraw-storage");
        Assert.Empty(missing);
        Assert.Equal(["rooms", "users", "extensions", "jobs", "history"], root.Subcommands.Select(c => c.Name).Take(5));
    }

    [Fact]
    public async Task Help_and_version_print_to_standard_output_and_exit_0()
    {
        var help = (await ToolProcess.RunAsync("--help")).ShouldExit(ExitCodes.Ok);
        foreach (var text in new[] { "Usage:", "rooms", "users", "extensions", "jobs", "history", "--redis", "--layout <zndraw|cluster-safe>", "--settings", "--json", "--verbose" })
        {
            Assert.Contains(text, help.StandardOutput);
        }

        var show = (await ToolProcess.RunAsync("rooms", "show", "--help")).ShouldExit(ExitCodes.Ok);
        Assert.Contains("zndraw-storage rooms show <room-id> [options]", show.StandardOutput);

        var version = (await ToolProcess.RunAsync("--version")).ShouldExit(ExitCodes.Ok);
        string expected = typeof(ToolCommands).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()!.InformationalVersion;
        Assert.Equal(expected, version.StandardOutput.Trim());
        Assert.Empty(version.StandardError);
    }
}
