using System.Diagnostics;
using System.Text.Json;

namespace ZnDraw.Storage.Tool.Tests.Infrastructure;

/// <summary>One finished run of the tool: its exit code and everything it wrote.</summary>
public sealed record ToolResult(int ExitCode, string StandardOutput, string StandardError, string CommandLine)
{
    /// <summary>Standard output parsed as JSON (for runs with --json).</summary>
    public JsonElement Json()
    {
        try
        {
            using var document = JsonDocument.Parse(StandardOutput);
            return document.RootElement.Clone();
        }
        catch (JsonException ex)
        {
            throw new InvalidOperationException($"Not JSON: {this}", ex);
        }
    }

    /// <summary>The lines of standard error.</summary>
    public IReadOnlyList<string> ErrorLines =>
        StandardError.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>Fails with the whole run in the message unless the exit code is <paramref name="expected"/>.</summary>
    public ToolResult ShouldExit(int expected)
    {
        Assert.True(ExitCode == expected, $"expected exit {expected}, got: {this}");
        return this;
    }

    /// <summary>Everything about the run, for assertion messages.</summary>
    public override string ToString() =>
        $"zndraw-storage {CommandLine}\nexit {ExitCode}\n--- stdout ---\n{StandardOutput}\n--- stderr ---\n{StandardError}";
}

/// <summary>
/// Runs the BUILT tool as a child process: <c>dotnet zndraw-storage.dll args</c> from this test's output folder (the
/// project reference copies it there), with the given environment on top of this process's, a time bound, and its
/// standard output, standard error and exit code captured.
/// </summary>
public static class ToolProcess
{
    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(60);

    /// <summary>The tool's entry assembly beside the tests.</summary>
    public static string ToolPath { get; } = Path.Combine(AppContext.BaseDirectory, "zndraw-storage.dll");

    /// <summary>Runs the tool with <paramref name="args"/>.</summary>
    public static Task<ToolResult> RunAsync(params string[] args) => RunAsync(args, environment: null);

    /// <summary>
    /// Runs the tool with <paramref name="args"/>; <paramref name="environment"/> adds or (with a null value) removes
    /// variables. The run is killed after <paramref name="timeout"/> (default 60 s) and the test fails.
    /// </summary>
    public static async Task<ToolResult> RunAsync(
        IReadOnlyList<string> args,
        IReadOnlyDictionary<string, string?>? environment,
        TimeSpan? timeout = null,
        string? workingDirectory = null)
    {
        ArgumentNullException.ThrowIfNull(args);
        if (!File.Exists(ToolPath))
        {
            throw new FileNotFoundException("The tool is built beside the tests (project reference); it is missing.", ToolPath);
        }

        var start = new ProcessStartInfo(DotnetHost())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? AppContext.BaseDirectory,
        };
        start.ArgumentList.Add(ToolPath);
        foreach (string argument in args)
        {
            start.ArgumentList.Add(argument);
        }

        CleanEnvironment(start);
        if (environment is not null)
        {
            foreach (var (name, value) in environment)
            {
                if (value is null)
                {
                    start.Environment.Remove(name);
                }
                else
                {
                    start.Environment[name] = value;
                }
            }
        }

        using var process = new Process { StartInfo = start };
        if (!process.Start())
        {
            throw new InvalidOperationException("The tool did not start.");
        }

        process.StandardInput.Close();
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        Task<string> error = process.StandardError.ReadToEndAsync();
        using var bound = new CancellationTokenSource(timeout ?? DefaultTimeout);
        try
        {
            await process.WaitForExitAsync(bound.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            throw new TimeoutException($"zndraw-storage {string.Join(' ', args)} did not exit within {timeout ?? DefaultTimeout}:\n{await output}\n{await error}");
        }

        return new ToolResult(process.ExitCode, await output, await error, string.Join(' ', args));
    }

    /// <summary>
    /// Runs the tool with <paramref name="args"/> on a terminal (a pseudo-terminal made by util-linux <c>script</c>), as
    /// an operator at a keyboard: progress bars and prompts appear, and when the output shows <paramref name="prompt"/>
    /// the keys <paramref name="answer"/> are typed. Standard output and standard error are the terminal's one stream
    /// (in <see cref="ToolResult.StandardOutput"/>).
    /// </summary>
    public static async Task<ToolResult> RunInTerminalAsync(IReadOnlyList<string> args, string prompt, string answer, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(args);
        string command = string.Join(' ', new[] { DotnetHost(), ToolPath }.Concat(args).Select(static a => "'" + a.Replace("'", "'\\''", StringComparison.Ordinal) + "'"));
        var start = new ProcessStartInfo("script")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        foreach (string argument in (string[])["-q", "-e", "-c", command, "/dev/null"])
        {
            start.ArgumentList.Add(argument);
        }

        CleanEnvironment(start);
        start.Environment["TERM"] = "xterm";
        using var process = new Process { StartInfo = start };
        if (!process.Start())
        {
            throw new InvalidOperationException("script (util-linux) did not start.");
        }

        var output = new System.Text.StringBuilder();
        bool answered = false;
        Task<string> error = process.StandardError.ReadToEndAsync();
        using var bound = new CancellationTokenSource(timeout ?? DefaultTimeout);
        try
        {
            var buffer = new char[4096];
            int read;
            while ((read = await process.StandardOutput.ReadAsync(buffer, bound.Token)) > 0)
            {
                output.Append(buffer, 0, read);
                if (!answered && output.ToString().Contains(prompt, StringComparison.Ordinal))
                {
                    answered = true;
                    await process.StandardInput.WriteAsync(answer);
                    await process.StandardInput.FlushAsync();
                }
            }

            await process.WaitForExitAsync(bound.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            throw new TimeoutException($"zndraw-storage {string.Join(' ', args)} (on a terminal) did not exit within {timeout ?? DefaultTimeout}:\n{output}\n{await error}");
        }

        return new ToolResult(process.ExitCode, output.ToString(), await error, string.Join(' ', args) + " (on a terminal)");
    }

    /// <summary>
    /// The tool reads the standard .NET configuration variables: none of this machine's may leak into a test; and no
    /// colours, so that output is plain text.
    /// </summary>
    private static void CleanEnvironment(ProcessStartInfo start)
    {
        foreach (string name in start.Environment.Keys.Where(IsToolConfiguration).ToList())
        {
            start.Environment.Remove(name);
        }

        start.Environment["NO_COLOR"] = "1";
    }

    private static bool IsToolConfiguration(string name) =>
        name.StartsWith("ConnectionStrings__", StringComparison.OrdinalIgnoreCase)
        || name.StartsWith("ZnDrawStorage__", StringComparison.OrdinalIgnoreCase)
        || name.StartsWith("ZnDrawStorageTool__", StringComparison.OrdinalIgnoreCase);

    private static string DotnetHost()
    {
        string? host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        if (!string.IsNullOrEmpty(host) && File.Exists(host))
        {
            return host;
        }

        string? current = Environment.ProcessPath;
        return current is not null && Path.GetFileNameWithoutExtension(current) == "dotnet" ? current : "dotnet";
    }
}
