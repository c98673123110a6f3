using System.CommandLine;
using System.Globalization;
using Spectre.Console;
using Spectre.Console.Rendering;
using ZnDraw.Storage.Contracts;
using ZnDraw.Storage.Services;
using ZnDraw.Storage.Tool.Infrastructure;

namespace ZnDraw.Storage.Tool.Commands;

/// <summary><c>check [--page-size N] [--rate KEYS_PER_S] [--fix [--yes]]</c>: the library's <see cref="StorageCheck"/>.</summary>
internal static class CheckCommand
{
    /// <summary>The exit code when problems are found (and, with --fix, not all were repaired): 1, as the issue asks.</summary>
    private const int ProblemsFound = ExitCodes.Failure;

    public static Command Create()
    {
        var pageSize = new Option<int>("--page-size")
        {
            Description = $"The COUNT hint of each SCAN call, 1 to {StorageCheckOptions.MaxPageSize}.",
            DefaultValueFactory = static _ => 1000,
        };
        var rate = new Option<int?>("--rate")
        {
            Description = "The most keys scanned per second (summed over every primary); no limit when left out. See docs/check.md for the measured effect on other clients.",
        };
        var parallel = new Option<int>("--parallel")
        {
            Description = "How many aggregates are read at once, 1 to 64 (default 4). Beside live traffic, 1 (with --rate and --page-size 100) sends the server no bursts; see docs/check.md.",
            DefaultValueFactory = static _ => new StorageCheckOptions().MaxDegreeOfParallelism,
        };
        var fix = new Option<bool>("--fix")
        {
            Description = "Repair what is safe (index drift by a reindex, orphan jobs and worker sets by conditional deletes, pending SQL cleanups by the reconcile), each re-checked first; asks first unless --yes.",
        };
        var yes = new Option<bool>("--yes")
        {
            Description = "With --fix: repair without asking.",
        };
        var command = new Command(
            "check",
            "Check the integrity of a live store without blocking it: unreadable rooms, users and jobs (every aggregate read "
            + "through the library), index drift, orphan jobs and worker sets, and Redis against SQL for hybrid stores. "
            + "A table per kind of problem; exit 1 when anything is found (with --fix: when anything is left unrepaired).")
        {
            pageSize,
            rate,
            parallel,
            fix,
            yes,
        };
        command.SetToolAction(async ctx =>
        {
            var ct = ctx.CancellationToken;
            var options = new StorageCheckOptions { PageSize = ctx.Get(pageSize), MaxKeysPerSecond = ctx.Get(rate), MaxDegreeOfParallelism = ctx.Get(parallel) };
            if (options.PageSize is < 1 or > StorageCheckOptions.MaxPageSize)
            {
                throw new ToolException(ExitCodes.Usage, $"--page-size must be 1 to {StorageCheckOptions.MaxPageSize}.");
            }

            if (options.MaxDegreeOfParallelism is < 1 or > 64)
            {
                throw new ToolException(ExitCodes.Usage, "--parallel must be 1 to 64.");
            }

            if (options.MaxKeysPerSecond is < 1)
            {
                throw new ToolException(ExitCodes.Usage, "--rate must be at least 1 key per second.");
            }

            bool interactive = !ctx.Output.Json && ctx.Output.Console.Profile.Capabilities.Interactive;
            if (ctx.Get(fix) && !ctx.Get(yes) && !interactive)
            {
                throw new ToolException(ExitCodes.Usage, "--fix asks for confirmation, which needs a terminal: add --yes.");
            }

            await using var store = await ctx.OpenStoreAsync(StoreNeeds.Redis).ConfigureAwait(false);
            StorageCheckReport report = interactive
                ? await RunWithProgressAsync(ctx.Output.Console, store.Services, options, ct).ConfigureAwait(false)
                : await StorageCheck.RunAsync(store.Services, options, progress: null, ct).ConfigureAwait(false);

            StorageRepairResult? repair = null;
            if (ctx.Get(fix) && report.Problems.Any(static p => p.Repairable))
            {
                if (!ctx.Output.Json)
                {
                    WriteProblems(ctx.Output, report);
                }

                int repairable = report.Problems.Count(static p => p.Repairable);
                if (ctx.Get(yes) || await ctx.Output.Console.PromptAsync(new ConfirmationPrompt($"Repair {repairable} problem(s)?") { DefaultValue = false }, ct).ConfigureAwait(false))
                {
                    repair = await StorageCheck.RepairAsync(store.Services, report, ct).ConfigureAwait(false);
                }
            }

            int left = report.Problems.Count - (repair?.Repairs.Count ?? 0);
            if (ctx.Output.Json)
            {
                ctx.Output.WriteJson(new
                {
                    report.KeysScanned,
                    report.AggregatesRead,
                    ElapsedSeconds = Math.Round(report.Elapsed.TotalSeconds, 3),
                    Problems = report.Problems.Select(static p => new { Kind = p.Kind.ToString(), p.Key, p.Detail, p.Repairable }),
                    Repairs = repair?.Repairs.Select(static r => new { Kind = r.Kind.ToString(), r.Key, r.Action }),
                    Skipped = repair?.Skipped.Select(static p => new { Kind = p.Kind.ToString(), p.Key, p.Detail }),
                });
                return left > 0 ? ProblemsFound : ExitCodes.Ok;
            }

            if (repair is null)
            {
                WriteProblems(ctx.Output, report);
            }
            else
            {
                WriteRepairs(ctx.Output, repair);
            }

            double seconds = Math.Max(report.Elapsed.TotalSeconds, 0.001);
            string outcome = repair is null ? "." : string.Create(CultureInfo.InvariantCulture, $", {repair.Repairs.Count} repaired, {left} left.");
            ctx.Output.Note(string.Create(
                CultureInfo.InvariantCulture,
                $"{report.KeysScanned} keys scanned, {report.AggregatesRead} aggregates read in {seconds:0.0} s ({report.KeysScanned / seconds:0} keys/s): {report.Problems.Count} problem(s){outcome}"));
            return left > 0 ? ProblemsFound : ExitCodes.Ok;
        });
        return command;
    }

    private static async Task<StorageCheckReport> RunWithProgressAsync(IAnsiConsole console, IServiceProvider services, StorageCheckOptions options, CancellationToken cancellationToken) =>
        await console.Progress()
            .AutoClear(true)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RateColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .StartAsync(async progress =>
            {
                ProgressTask scan = progress.AddTask("scan keys", maxValue: 1);
                ProgressTask read = progress.AddTask("read aggregates", autoStart: false, maxValue: 1);
                var reporter = new Progress<StorageCheckProgress>(p =>
                {
                    scan.MaxValue = Math.Max(1, Math.Max(p.EstimatedKeys, p.KeysScanned));
                    scan.Value = p.KeysScanned;
                    if (p.AggregatesTotal > 0)
                    {
                        scan.Value = scan.MaxValue;
                        scan.StopTask();
                        read.StartTask();
                        read.MaxValue = p.AggregatesTotal;
                        read.Value = p.AggregatesRead;
                    }
                });
                StorageCheckReport report = await StorageCheck.RunAsync(services, options, reporter, cancellationToken).ConfigureAwait(false);
                scan.Value = scan.MaxValue;
                read.Value = read.MaxValue;
                return report;
            }).ConfigureAwait(false);

    private static void WriteProblems(ToolOutput output, StorageCheckReport report)
    {
        if (report.IsClean)
        {
            output.Note("no problems found.");
            return;
        }

        foreach (IGrouping<StorageProblemKind, StorageProblem> kind in report.Problems.GroupBy(static p => p.Kind))
        {
            Table table = ToolOutput.Table("Key", "Problem", "Repairable").Title(Markup.Escape($"{kind.Key} ({kind.Count()})"));
            foreach (StorageProblem problem in kind)
            {
                ToolOutput.Row(table, problem.Key, problem.Detail, problem.Repairable ? "yes" : "no");
            }

            output.Write(table);
        }
    }

    private static void WriteRepairs(ToolOutput output, StorageRepairResult repair)
    {
        if (repair.Repairs.Count > 0)
        {
            Table table = ToolOutput.Table("Kind", "Key", "Change").Title("Repaired");
            foreach (StorageRepair change in repair.Repairs)
            {
                ToolOutput.Row(table, change.Kind.ToString(), change.Key, change.Action);
            }

            output.Write(table);
        }

        if (repair.Skipped.Count > 0)
        {
            Table table = ToolOutput.Table("Kind", "Key", "Why").Title("Left alone");
            foreach (StorageProblem problem in repair.Skipped)
            {
                ToolOutput.Row(table, problem.Kind.ToString(), problem.Key, problem.Detail);
            }

            output.Write(table);
        }
    }

    /// <summary>The task's speed as items per second (Spectre's own <see cref="ProgressTask.Speed"/>).</summary>
    private sealed class RateColumn : ProgressColumn
    {
        public override IRenderable Render(RenderOptions options, ProgressTask task, TimeSpan deltaTime) =>
            new Text(task.Speed is double speed ? string.Create(CultureInfo.InvariantCulture, $"{speed:0}/s") : "-/s", Style.Plain);
    }
}
