using System.Text.Json;
using ZnDraw.Storage.Services;
using ZnDraw.Storage.Tool.Infrastructure;
using ZnDraw.Storage.Tool.Tests.Infrastructure;

namespace ZnDraw.Storage.Tool.Tests.Cli;

/// <summary>One-line errors with documented exit codes, and where the settings come from (flags, environment, file).</summary>
[Collection(RedisMoreCollection.Name)]
public sealed class ErrorsAndSettingsTests(RedisFixture redis)
{
    [Fact]
    public async Task Errors_are_one_line_with_their_exit_code_and_a_stack_trace_only_with_verbose()
    {
        _ = redis.Connection;
        var unreachable = (await ToolProcess.RunAsync("--redis", "127.0.0.1:1,connectTimeout=500", "rooms", "list")).ShouldExit(ExitCodes.Unavailable);
        var line = Assert.Single(unreachable.ErrorLines);
        Assert.StartsWith("error: Redis unreachable: could not connect to 127.0.0.1:1 within 500 ms", line);

        var verbose = (await ToolProcess.RunAsync("--redis", "127.0.0.1:1,connectTimeout=500", "--verbose", "rooms", "list")).ShouldExit(ExitCodes.Unavailable);
        Assert.Equal(line, verbose.ErrorLines[0]);
        Assert.Contains(verbose.ErrorLines, l => l.StartsWith("at ", StringComparison.Ordinal));
        Assert.Contains("RedisConnectionException", verbose.StandardError);

        var none = (await ToolProcess.RunAsync("rooms", "list")).ShouldExit(ExitCodes.Usage);
        Assert.StartsWith("error: no Redis connection string: pass --redis", Assert.Single(none.ErrorLines));

        var database = (await ToolProcess.RunAsync("--redis", redis.Address, "--database", "999", "rooms", "list")).ShouldExit(ExitCodes.Usage);
        Assert.StartsWith("error: invalid setting: ZnDrawStorage:Database", Assert.Single(database.ErrorLines));

        var typo = (await ToolProcess.RunAsync("rooms", "lst")).ShouldExit(ExitCodes.Usage);
        Assert.Equal(["error: Unrecognized command or argument 'lst'.", "Run 'zndraw-storage rooms --help' for usage."], typo.ErrorLines);

        var layout = (await ToolProcess.RunAsync("--layout", "sideways", "rooms", "list")).ShouldExit(ExitCodes.Usage);
        Assert.Contains("sideways", layout.ErrorLines[0]);

        var settings = (await ToolProcess.RunAsync("--settings", Path.Combine(Path.GetTempPath(), $"missing-{Guid.NewGuid():N}.json"), "rooms", "list")).ShouldExit(ExitCodes.Usage);
        Assert.StartsWith("error: settings file not found: ", Assert.Single(settings.ErrorLines));

        foreach (var run in new[] { unreachable, none, database, typo, layout, settings })
        {
            Assert.Empty(run.StandardOutput);
            Assert.DoesNotContain(run.ErrorLines, l => l.StartsWith("at ", StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task Flags_override_the_environment_which_overrides_the_settings_file_with_the_library_names()
    {
        await using var store = await SeededStore.OnRedisAsync(redis);
        await store.Get<RoomService>().CreateAsync("gamma");
        string file = Path.Combine(Path.GetTempPath(), $"zndraw-tool-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(file, JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["ZnDrawStorage"] = new Dictionary<string, string> { ["ConnectionString"] = redis.Address, ["KeyPrefix"] = "wrong:" },
        }));
        try
        {
            static IEnumerable<string> Ids(ToolResult run) => run.ShouldExit(ExitCodes.Ok).Json().EnumerateArray().Select(r => r.GetProperty("id").GetString()!);

            // The file alone: its (wrong) prefix, its connection string under the library's section name.
            Assert.Empty(Ids(await ToolProcess.RunAsync(["--settings", file, "rooms", "list", "--json"], environment: null)));

            // The environment (the library's names, .NET's double underscore) overrides the file.
            var environment = new Dictionary<string, string?> { ["ZnDrawStorage__KeyPrefix"] = store.Prefix };
            Assert.Equal(["gamma"], Ids(await ToolProcess.RunAsync(["--settings", file, "rooms", "list", "--json"], environment)));

            // A flag overrides both; ConnectionStrings__redis (Aspire's name) overrides ZnDrawStorage:ConnectionString.
            var unreachable = new Dictionary<string, string?> { ["ZnDrawStorage__KeyPrefix"] = store.Prefix, ["ConnectionStrings__redis"] = "127.0.0.1:1,connectTimeout=500" };
            Assert.Empty(Ids(await ToolProcess.RunAsync(["--settings", file, "--prefix", "other:", "--redis", redis.Address, "rooms", "list", "--json"], unreachable)));
            (await ToolProcess.RunAsync(["--settings", file, "rooms", "list"], unreachable)).ShouldExit(ExitCodes.Unavailable);
        }
        finally
        {
            File.Delete(file);
        }
    }
}
