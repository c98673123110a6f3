using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text;
using BenchmarkDotNet.Reports;
using ZnDraw.Storage.Benchmarks.Scenarios;

namespace ZnDraw.Storage.Benchmarks.Infrastructure;

/// <summary>One library call against its raw twin (or a scenario figure), with the targets it is checked against.</summary>
public sealed record SummaryRow(
    string Group,
    string Parameters,
    string Library,
    string Baseline,
    double? BaselineValue,
    double? LibraryValue,
    string Unit,
    double? TimeRatio,
    double? PairedRatio,
    double? PairedControl,
    long? BaselineAllocated,
    long? LibraryAllocated,
    double? AllocRatio,
    string BaselineRoundTrips,
    string LibraryRoundTrips,
    IReadOnlyList<TargetCheck> Targets);

/// <summary>A target: what is required, what was measured, and whether it is met (null: informational).</summary>
public sealed record TargetCheck(string Target, string Measured, bool? Met);

/// <summary>Writes the summary of a run (markdown + JSON) with met / not met for every target.</summary>
public static class SummaryWriter
{
    public const double TimeTarget = 1.02;

    /// <summary>The SQL twins' time target (issue: median ≤ 1.10× the hand-written ADO.NET twin).</summary>
    public const double SqlTimeTarget = 1.10;
    public const double AllocTarget = 1.10;
    public const double ThroughputTarget = 0.95;
    public const double ListingTarget = 100;
    public const double DurableTarget = 1.10;

    /// <summary>The check's speed target (issue: ≥ 50,000 keys/s over 1M keys) and its effect on other clients (≤ +10 %).</summary>
    public const double CheckKeysTarget = 50_000;
    public const double CheckLatencyTarget = 1.10;
    public const double DrainTarget = 20_000;

    public static async Task<string> WriteAsync(
        string directory, string mode, DateTimeOffset started, IReadOnlyList<Summary> summaries, IReadOnlyList<PairedResult> paired, IReadOnlyList<ScenarioResult> scenarios)
    {
        var rows = new List<SummaryRow>();
        var pairedByKey = paired.ToDictionary(p => (p.Class.Name, p.Category, p.Parameters, p.LibraryMethod));
        var used = new HashSet<PairedResult>();
        foreach (Summary summary in summaries)
        {
            rows.AddRange(Pairs(summary, pairedByKey, used));
        }

        // Classes BenchmarkDotNet skipped in this run (in the quick run all but the [QuickRun] ones): the paired figures alone.
        rows.AddRange(paired.Where(p => !used.Contains(p)).Select(PairedOnly));
        rows.Sort((a, b) => string.CompareOrdinal(a.Group + a.Parameters + a.Library, b.Group + b.Parameters + b.Library));

        rows.AddRange(scenarios.Select(Scenario));
        Directory.CreateDirectory(directory);
        var machine = await MachineAsync();
        var document = new
        {
            mode,
            started,
            finished = DateTimeOffset.UtcNow,
            machine,
            targets = new { time = TimeTarget, allocations = AllocTarget, roundTrips = "equal to raw (1 per call)", sqlTime = SqlTimeTarget, throughput = ThroughputTarget, listingSpeedupAt1M = ListingTarget, durableHistory = DurableTarget, drainEventsPerSecond = DrainTarget, checkKeysPerSecond = CheckKeysTarget, checkOtherClientLatency = CheckLatencyTarget },
            rows,
        };
        string json = Path.Combine(directory, "summary.json");
        await File.WriteAllTextAsync(json, JsonSerializer.Serialize(document, new JsonSerializerOptions { WriteIndented = true }));
        string md = Path.Combine(directory, "summary.md");
        await File.WriteAllTextAsync(md, Markdown(mode, started, machine, rows));
        return md;
    }

    /// <summary>
    /// Writes summary.md again from the summary.json in <paramref name="directory"/> (same rows, same machine), so a
    /// change to how the summary reads applies to a committed run without measuring again.
    /// </summary>
    public static async Task<string> RenderAsync(string directory)
    {
        string json = Path.Combine(directory, "summary.json");
        using JsonDocument document = JsonDocument.Parse(await File.ReadAllBytesAsync(json));
        JsonElement root = document.RootElement;
        var options = new JsonSerializerOptions { PropertyNameCaseInsensitive = true };
        string mode = root.GetProperty("mode").GetString()!;
        DateTimeOffset started = root.GetProperty("started").GetDateTimeOffset();
        var machine = root.GetProperty("machine").Deserialize<Dictionary<string, string>>(options)!;
        var rows = root.GetProperty("rows").Deserialize<List<SummaryRow>>(options)!;
        string md = Path.Combine(directory, "summary.md");
        await File.WriteAllTextAsync(md, Markdown(mode, started, machine, rows));
        return md;
    }

    private static IEnumerable<SummaryRow> Pairs(
        Summary summary, Dictionary<(string, string, string, string), PairedResult> paired, HashSet<PairedResult> used)
    {
        var reports = summary.Reports.Where(r => r.Success && r.ResultStatistics is not null).ToList();
        foreach (var group in reports.GroupBy(r => (
                     Type: r.BenchmarkCase.Descriptor.Type.Name,
                     Category: r.BenchmarkCase.Descriptor.Categories.FirstOrDefault() ?? r.BenchmarkCase.Descriptor.Type.Name,
                     Params: r.BenchmarkCase.Parameters.PrintInfo)))
        {
            BenchmarkReport? baseline = group.FirstOrDefault(r => r.BenchmarkCase.Descriptor.Baseline);
            if (baseline is null)
            {
                continue;
            }

            foreach (BenchmarkReport report in group.Where(r => !r.BenchmarkCase.Descriptor.Baseline))
            {
                paired.TryGetValue(
                    (report.BenchmarkCase.Descriptor.Type.Name, group.Key.Category, group.Key.Params, report.BenchmarkCase.Descriptor.WorkloadMethod.Name),
                    out PairedResult? p);
                if (p is not null)
                {
                    used.Add(p);
                }

                yield return Pair(group.Key.Category, group.Key.Params, baseline, report, p);
            }
        }
    }

    private static SummaryRow Pair(string category, string parameters, BenchmarkReport baseline, BenchmarkReport library, PairedResult? paired)
    {
        double rawMedian = baseline.ResultStatistics!.Median;
        double libMedian = library.ResultStatistics!.Median;
        double sequential = libMedian / rawMedian;

        // The targets judge the paired ratio (raw and library interleaved in short blocks) when there is one:
        // BenchmarkDotNet's medians come from runs seconds apart, and drift on a shared machine moves them more than
        // the 2 % the time target allows (its A/A control shows the paired method's own noise).
        double time = paired?.Ratio ?? sequential;
        string how = paired is null ? string.Empty : " (paired)";
        long? rawAlloc = baseline.GcStats.GetBytesAllocatedPerOperation(baseline.BenchmarkCase);
        long? libAlloc = library.GcStats.GetBytesAllocatedPerOperation(library.BenchmarkCase);
        double? alloc = rawAlloc is > 0 && libAlloc is not null ? (double)libAlloc / rawAlloc.Value : libAlloc == 0 ? 1 : null;
        RoundTripCount? rawTrips = RoundTripColumn.For(baseline.BenchmarkCase);
        RoundTripCount? libTrips = RoundTripColumn.For(library.BenchmarkCase);
        var targets = new List<TargetCheck>();
        bool cpu = category.StartsWith("Cpu.", StringComparison.Ordinal);
        string method = library.BenchmarkCase.Descriptor.WorkloadMethod.Name;
        if (IsInstrument(category))
        {
            targets.Add(InstrumentCheck(time));
        }
        else if (IsHistoryWrite(category))
        {
            targets.Add(HistoryCheck(category, method, time, how));
        }
        else if (category is "History.Floor" or "History.ServiceFloor")
        {
            targets.Add(new TargetCheck("server floor of durable history (informational)", $"{time:0.000}×", null));
        }
        else if (IsSql(category))
        {
            targets.AddRange(SqlChecks(time, how, alloc, rawTrips, libTrips));
        }
        else
        {
            targets.Add(new TargetCheck(cpu ? "CPU-only time (informational)" : $"time ≤ {TimeTarget:0.00}× raw{how}", $"{time:0.000}×", cpu ? null : time <= TimeTarget));
            if (alloc is { } a)
            {
                targets.Add(new TargetCheck(cpu ? "CPU-only allocations (informational)" : $"allocations ≤ {AllocTarget:0.00}× raw", $"{a:0.000}×", cpu ? null : a <= AllocTarget));
            }

            if (!cpu && rawTrips is not null && libTrips is not null)
            {
                int calls = Calls(category);
                targets.Add(new TargetCheck("round trips = raw", $"{libTrips.RoundTrips} vs {rawTrips.RoundTrips}", libTrips.RoundTrips == rawTrips.RoundTrips));
                targets.Add(new TargetCheck(calls == 1 ? "1 round trip per call" : $"1 round trip per call ({calls} calls or steps)", libTrips.RoundTrips.ToString(CultureInfo.InvariantCulture), libTrips.RoundTrips <= calls));
            }
        }

        return new SummaryRow(category, parameters, method, baseline.BenchmarkCase.Descriptor.WorkloadMethod.Name,
            rawMedian / 1000, libMedian / 1000, "µs", sequential, paired?.Ratio, paired?.Control, rawAlloc, libAlloc, alloc,
            RoundTripColumn.Format(rawTrips), RoundTripColumn.Format(libTrips), targets);
    }

    /// <summary>
    /// Round trips one benchmark call may take: one per library call it makes, plus the extra steps of the calls that
    /// take several by design (docs/repositories.md: merge 2, dequeue 2, unregister worker 3). Pairs named
    /// "…Then…" make two calls.
    /// </summary>
    internal static int Calls(string category) => StepsByCategory.TryGetValue(category, out int steps)
        ? steps
        : category.Contains("Then", StringComparison.Ordinal) ? 2 : 1;

    private static readonly Dictionary<string, int> StepsByCategory = new(StringComparer.Ordinal)
    {
        ["Extension.AcquireRelease"] = 2,
        ["Locks.AcquireRelease"] = 2,
        ["Locks.AcquireReleasePresenter"] = 2,
        ["Geometry.Merge"] = 2,
        ["Extension.EnqueueDequeueRelease"] = 1 + 2 + 1,
        ["Extension.RegisterThenUnregisterWorker"] = 1 + 3,
        ["Filesystem.RegisterThenUnregisterWorker"] = 1 + 3,
    };

    /// <summary>
    /// History cost pairs: History.Service is the library's own write path (a service call whose script appends the
    /// event to the outbox), History.Write the host pattern (a MULTI the caller builds, the event enlisted by XADD).
    /// Durable is judged in both; direct is informational.
    /// </summary>
    internal static bool IsHistoryWrite(string category) => category is "History.Write" or "History.Service";

    private static TargetCheck HistoryCheck(string category, string method, double ratio, string how)
    {
        bool durable = method.Contains("durable", StringComparison.Ordinal);
        string path = category == "History.Service" ? "library write path" : "host MULTI, enlisted";
        return new TargetCheck(
            durable ? $"durable ≤ {DurableTarget:0.00}× off ({path}){how}" : $"direct vs off ({path}, informational)",
            $"{ratio:0.000}×",
            durable ? ratio <= DurableTarget : null);
    }

    /// <summary>SQL repository calls against hand-written ADO.NET twins (Sql/): their own section and targets.</summary>
    internal static bool IsSql(string category) => category.StartsWith("Sql.", StringComparison.Ordinal);

    /// <summary>
    /// The SQL twins' targets: time ≤ 1.10× the twin, allocations ≤ 1.10×, and the same database round trips (PostgreSQL:
    /// commands or batches sent, from Npgsql's ActivitySource; SQLite, in process: statements executed).
    /// </summary>
    private static IEnumerable<TargetCheck> SqlChecks(double time, string how, double? alloc, RoundTripCount? twin, RoundTripCount? library)
    {
        yield return new TargetCheck($"time ≤ {SqlTimeTarget:0.00}× twin{how}", $"{time:0.000}×", time <= SqlTimeTarget);
        if (alloc is { } a)
        {
            yield return new TargetCheck($"allocations ≤ {AllocTarget:0.00}× twin", $"{a:0.000}×", a <= AllocTarget);
        }

        if (twin is not null && library is not null)
        {
            yield return new TargetCheck("database round trips = twin", $"{library.RoundTrips} vs {twin.RoundTrips}", library.RoundTrips == twin.RoundTrips);
        }
    }

    /// <summary>Raw-against-raw controls of the paired method (Instrument/InstrumentControls.cs): never a target.</summary>
    internal static bool IsInstrument(string category) => category.StartsWith("Instrument.", StringComparison.Ordinal);

    private static TargetCheck InstrumentCheck(double ratio) => new("instrument control, raw vs raw (informational)", $"{ratio:0.000}×", null);

    private static SummaryRow PairedOnly(PairedResult p)
    {
        RoundTripCounts.All.TryGetValue(RoundTripCounts.Key(p.Class, p.RawMethod, p.Parameters), out RoundTripCount? rawTrips);
        RoundTripCounts.All.TryGetValue(RoundTripCounts.Key(p.Class, p.LibraryMethod, p.Parameters), out RoundTripCount? libTrips);
        double? alloc = p.RawBytes > 0 ? p.LibraryBytes / p.RawBytes : null;
        var targets = new List<TargetCheck>();
        if (IsInstrument(p.Category))
        {
            targets.Add(InstrumentCheck(p.Ratio));
        }
        else if (p.Category is "History.Floor" or "History.ServiceFloor")
        {
            targets.Add(new TargetCheck("server floor of durable history (informational)", $"{p.Ratio:0.000}×", null));
        }
        else if (IsHistoryWrite(p.Category))
        {
            targets.Add(HistoryCheck(p.Category, p.LibraryMethod, p.Ratio, " (paired)"));
        }
        else if (IsSql(p.Category))
        {
            targets.AddRange(SqlChecks(p.Ratio, " (paired)", alloc, rawTrips, libTrips));
        }
        else
        {
            targets.Add(new TargetCheck($"time ≤ {TimeTarget:0.00}× raw (paired)", $"{p.Ratio:0.000}×", p.Ratio <= TimeTarget));
            if (alloc is { } a)
            {
                targets.Add(new TargetCheck($"allocations ≤ {AllocTarget:0.00}× raw (paired run)", $"{a:0.000}×", a <= AllocTarget));
            }

            if (rawTrips is not null && libTrips is not null)
            {
                int calls = Calls(p.Category);
                targets.Add(new TargetCheck("round trips = raw", $"{libTrips.RoundTrips} vs {rawTrips.RoundTrips}", libTrips.RoundTrips == rawTrips.RoundTrips));
                targets.Add(new TargetCheck(calls == 1 ? "1 round trip per call" : $"1 round trip per call ({calls} calls or steps)", libTrips.RoundTrips.ToString(CultureInfo.InvariantCulture), libTrips.RoundTrips <= calls));
            }
        }

        return new SummaryRow(p.Category, p.Parameters, p.LibraryMethod, p.RawMethod, p.RawMicroseconds, p.LibraryMicroseconds, "µs",
            null, p.Ratio, p.Control, (long)Math.Round(p.RawBytes), (long)Math.Round(p.LibraryBytes), alloc, RoundTripColumn.Format(rawTrips), RoundTripColumn.Format(libTrips), targets);
    }

    private static SummaryRow Scenario(ScenarioResult r)
    {
        TargetCheck check = r.Scenario switch
        {
            "Throughput" => new TargetCheck($"throughput ≥ {ThroughputTarget:0.00}× raw", $"{r.Ratio:0.000}×", r.Ratio >= ThroughputTarget),
            "Listing" when r.Case.Contains("1,000,000 unrelated", StringComparison.Ordinal) =>
                new TargetCheck($"index ≥ {ListingTarget:0}× faster than SCAN at 1M keys", $"{1 / r.Ratio:N0}×", 1 / r.Ratio >= ListingTarget),
            "Listing" => new TargetCheck("index vs SCAN (informational)", $"{1 / r.Ratio:N0}× faster", null),
            "Drain" when r.Case.Contains("informational", StringComparison.Ordinal) => new TargetCheck("larger batch (informational)", $"{r.Library:N0} events/s", null),
            "Drain" => new TargetCheck($"drain ≥ {DrainTarget:N0} events/s", $"{r.Library:N0} events/s", r.Library >= DrainTarget),
            "Cluster" when r.Unit == "s" => new TargetCheck("time to resume (informational)", $"{r.Library:0.00} s", null),
            "Cluster" when r.Unit == "ops/s" => new TargetCheck("cluster vs one server (informational)", $"{r.Ratio:0.000}×", null),
            "Cluster" => new TargetCheck("WAIT 1 vs none (informational)", $"{r.Ratio:0.000}× (+{r.Library - r.Baseline:0.0} µs)", null),
            "Check" when r.Unit == "keys/s" => new TargetCheck($"check ≥ {CheckKeysTarget:N0} keys/s", $"{r.Library:N0} keys/s", r.Library >= CheckKeysTarget),
            "Check" when r.Unit == "%" => new TargetCheck("Redis CPU during the check (informational)", $"{r.Library:0.0} % ({r.Baseline:0.0} % idle)", null),
            "Check" when r.Case.Contains("all on both CPUs", StringComparison.Ordinal) =>
                new TargetCheck("other client's GET during ÷ idle (informational: all share both CPUs)", $"{r.Ratio:0.000}×", null),
            "Check" => new TargetCheck($"other client's GET during ≤ {CheckLatencyTarget:0.00}× idle", $"{r.Ratio:0.000}×", r.Ratio <= CheckLatencyTarget),
            _ => new TargetCheck("informational", $"{r.Ratio:0.000}", null),
        };
        string baselineName = r.Scenario switch
        {
            "Listing" => "SCAN MATCH",
            "Drain" => "target",
            "Cluster" when r.Unit == "ops/s" => "one server",
            "Cluster" when r.Unit == "s" => "node timeout",
            "Cluster" => "no WAIT",
            "Check" when r.Unit == "keys/s" => "target",
            "Check" => "idle",
            _ => "raw",
        };
        return new SummaryRow(r.Scenario + ": " + r.Case, r.Detail, "library", baselineName, r.Baseline, r.Library, r.Unit,
            r.Ratio, null, null, null, null, null, "-", "-", [check]);
    }

    private static string Markdown(string mode, DateTimeOffset started, Dictionary<string, string> machine, List<SummaryRow> rows)
    {
        var all = rows.SelectMany(r => r.Targets).Where(t => t.Met is not null).ToList();
        var sb = new StringBuilder();
        sb.AppendLine(CultureInfo.InvariantCulture, $"# ZnDraw.Storage benchmarks — {mode} run, {started:yyyy-MM-dd HH:mm} UTC");
        sb.AppendLine();
        sb.AppendLine(CultureInfo.InvariantCulture, $"Targets met: **{all.Count(t => t.Met == true)} of {all.Count}** (not met: {all.Count(t => t.Met == false)}).");
        sb.AppendLine(mode == "quick"
            ? "Quick mode: short jobs (2 warm-ups, 7 iterations of 100 ms, in-process); ratios within ±5 % are noise on a shared 2-core machine."
            : "Full mode: 5 warm-ups, 25 iterations of 250 ms, in-process.");
        string? instrumentLine = InstrumentLine(rows);
        if (instrumentLine is not null)
        {
            sb.AppendLine();
            sb.AppendLine(instrumentLine);
        }

        sb.AppendLine();
        sb.AppendLine("## Machine");
        sb.AppendLine();
        foreach (var (k, v) in machine)
        {
            sb.AppendLine(CultureInfo.InvariantCulture, $"- {k}: {v}");
        }

        sb.AppendLine();
        sb.AppendLine("## Library call vs raw StackExchange.Redis twin");
        sb.AppendLine();
        sb.AppendLine("Times: BenchmarkDotNet medians (raw µs, library µs, and their ratio \"BDN time\", informational: raw and library run");
        sb.AppendLine("seconds apart, and drift on a shared 2-core machine moves that ratio by ±10 %). \"Paired time\" is the target's");
        sb.AppendLine("measure: the same two calls interleaved in ABBA blocks (raw, library, library, raw) for a few seconds, the median of");
        sb.AppendLine("library ÷ raw over the blocks; \"A/A\" is the raw twin against itself in the same blocks (the method's noise floor).");
        sb.AppendLine("Rows without BenchmarkDotNet figures come from classes the quick run measures with the paired comparison only.");
        sb.AppendLine();
        sb.AppendLine("| call | params | raw µs | library µs | BDN time | paired time | A/A | raw B | library B | alloc | raw round trips | library round trips | targets |");
        sb.AppendLine("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- | --- |");
        foreach (SummaryRow r in rows.Where(r => r.Unit == "µs" && !IsInstrument(r.Group) && !IsSql(r.Group)))
        {
            sb.AppendLine(CultureInfo.InvariantCulture,
                $"| {r.Group} ({r.Library} vs {r.Baseline}) | {r.Parameters} | {r.BaselineValue:0.000} | {r.LibraryValue:0.000} | {Ratio(r.TimeRatio)} | {Ratio(r.PairedRatio)} | {Ratio(r.PairedControl)} | {r.BaselineAllocated} | {r.LibraryAllocated} | {Ratio(r.AllocRatio)} | {r.BaselineRoundTrips} | {r.LibraryRoundTrips} | {Targets(r)} |");
        }

        SqlSections(sb, rows);

        var instrument = rows.Where(r => r.Unit == "µs" && IsInstrument(r.Group)).ToList();
        if (instrument.Count > 0)
        {
            sb.AppendLine();
            sb.AppendLine("## Instrument controls (raw against raw, informational)");
            sb.AppendLine();
            sb.AppendLine("The paired method applied to two raw StackExchange.Redis callers that issue the same one ZCARD and differ only in");
            sb.AppendLine("what the row names: an identical copy of the method; one hand-written async method level (plain, and pooled like the");
            sb.AppendLine("library's) around the client's task; one microsecond of busy CPU after the reply. They show what the paired time");
            sb.AppendLine("can resolve on the machine of this run (docs/benchmarks.md, \"What the paired time can resolve\").");
            sb.AppendLine();
            sb.AppendLine("| control | raw µs | other µs | paired time | A/A | raw B | other B |");
            sb.AppendLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
            foreach (SummaryRow r in instrument)
            {
                sb.AppendLine(CultureInfo.InvariantCulture,
                    $"| {r.Group} ({r.Library} vs {r.Baseline}) | {r.BaselineValue:0.000} | {r.LibraryValue:0.000} | {Ratio(r.PairedRatio)} | {Ratio(r.PairedControl)} | {r.BaselineAllocated} | {r.LibraryAllocated} |");
            }
        }

        sb.AppendLine();
        sb.AppendLine("## Scenarios");
        sb.AppendLine();
        sb.AppendLine("| scenario | detail | baseline | library | unit | target |");
        sb.AppendLine("| --- | --- | ---: | ---: | --- | --- |");
        foreach (SummaryRow r in rows.Where(r => r.Unit != "µs"))
        {
            sb.AppendLine(CultureInfo.InvariantCulture,
                $"| {r.Group} | {r.Parameters} | {r.BaselineValue:N2} ({r.Baseline}) | {r.LibraryValue:N2} | {r.Unit} | {Targets(r)} |");
        }

        return sb.ToString();
    }

    /// <summary>
    /// One line on what the paired time can resolve in this run: the raw-vs-raw controls, and how many library calls
    /// read within 1.02× and within the control of one pooled async level (what any caller that awaits and maps a
    /// reply pays in a one-caller loop on this machine); null when the controls did not run.
    /// </summary>
    private static string? InstrumentLine(List<SummaryRow> rows)
    {
        double? Control(string group) => rows.FirstOrDefault(r => r.Group == group)?.PairedRatio;
        double? copy = Control("Instrument.IdenticalCopy");
        double? level = Control("Instrument.AsyncLevel");
        double? pooled = Control("Instrument.PooledAsyncLevel");
        double? cpu = Control("Instrument.OneMicrosecondCpu");
        if (copy is null || level is null || pooled is null || cpu is null)
        {
            return null;
        }

        var calls = rows.Where(r => r.Unit == "µs" && r.PairedRatio is not null && !IsInstrument(r.Group) && !IsSql(r.Group)
            && !r.Group.StartsWith("History.", StringComparison.Ordinal) && !r.Group.StartsWith("Cpu.", StringComparison.Ordinal)).ToList();
        double bound = Math.Max(pooled.Value, level.Value);
        return string.Create(CultureInfo.InvariantCulture,
            $"Instrument (raw vs raw, paired): identical copy {copy:0.000}×, one async level {level:0.000}× (pooled {pooled:0.000}×), "
            + $"1 µs of CPU {cpu:0.000}×. Library calls with paired time ≤ {TimeTarget:0.00}×: {calls.Count(r => r.PairedRatio <= TimeTarget)} of {calls.Count}; "
            + $"within the one-level control (≤ {bound:0.000}×): {calls.Count(r => r.PairedRatio <= bound)} of {calls.Count} (informational; see \"Instrument controls\").");
    }

    /// <summary>
    /// "SQL twins": each SQL repository call against its hand-written ADO.NET twin, per dialect; then the informational
    /// side-by-side of the same operations on Redis, SQLite and PostgreSQL (library medians of this run).
    /// </summary>
    private static void SqlSections(StringBuilder sb, List<SummaryRow> rows)
    {
        var sql = rows.Where(r => r.Unit == "µs" && IsSql(r.Group)).ToList();
        if (sql.Count == 0)
        {
            return;
        }

        sb.AppendLine();
        sb.AppendLine("## SQL twins (library vs hand-written ADO.NET)");
        sb.AppendLine();
        sb.AppendLine("Each SQL repository call against a twin that opens a pooled connection with the library's connection string and");
        sb.AppendLine("issues the same statements with the same parameters in the same transaction shape, decoding into the same model.");
        sb.AppendLine("Paired ABBA time as above (0.6 of the mode's budget per pair). Round trips are counted outside the library:");
        sb.AppendLine("PostgreSQL, activities of Npgsql's ActivitySource (one per command or batch sent; BEGIN travels with the first");
        sb.AppendLine("command, COMMIT is not an activity); SQLite (in process), statements SQLite started, traced on each connection.");
        sb.AppendLine();
        sb.AppendLine("| call | dialect | twin µs | library µs | BDN time | paired time | A/A | twin B | library B | alloc | twin round trips | library round trips | targets |");
        sb.AppendLine("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- | --- |");
        foreach (SummaryRow r in sql.OrderBy(r => r.Parameters, StringComparer.Ordinal).ThenBy(r => r.Group, StringComparer.Ordinal))
        {
            sb.AppendLine(CultureInfo.InvariantCulture,
                $"| {r.Group[4..]} | {Dialect(r.Parameters)} | {r.BaselineValue:0.0} | {r.LibraryValue:0.0} | {Ratio(r.TimeRatio)} | {Ratio(r.PairedRatio)} | {Ratio(r.PairedControl)} | {r.BaselineAllocated} | {r.LibraryAllocated} | {Ratio(r.AllocRatio)} | {r.BaselineRoundTrips} | {r.LibraryRoundTrips} | {Targets(r)} |");
        }

        sb.AppendLine();
        sb.AppendLine("## Redis vs SQLite vs PostgreSQL (informational)");
        sb.AppendLine();
        sb.AppendLine("The library's median µs per call of the same operation on each backend in this run (Redis: the repository twin's");
        sb.AppendLine("library side, the smallest parameter set; SQL: the rows above). One caller, loopback servers, no network between.");
        sb.AppendLine();
        sb.AppendLine("| operation | Redis µs | SQLite µs | PostgreSQL µs | SQLite ÷ Redis | PostgreSQL ÷ Redis |");
        sb.AppendLine("| --- | ---: | ---: | ---: | ---: | ---: |");
        foreach (var op in sql.GroupBy(r => r.Group[4..]).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            double? redis = rows.Where(r => r.Group == op.Key && r.Unit == "µs").OrderBy(r => r.Parameters.Length).ThenBy(r => r.Parameters, StringComparer.Ordinal).FirstOrDefault()?.LibraryValue;
            double? sqlite = op.FirstOrDefault(r => Dialect(r.Parameters) == "sqlite")?.LibraryValue;
            double? postgres = op.FirstOrDefault(r => Dialect(r.Parameters) == "postgres")?.LibraryValue;
            sb.AppendLine(CultureInfo.InvariantCulture,
                $"| {op.Key} | {Micro(redis)} | {Micro(sqlite)} | {Micro(postgres)} | {Times(sqlite, redis)} | {Times(postgres, redis)} |");
        }
    }

    private static string Dialect(string parameters) =>
        parameters.StartsWith("Dialect=", StringComparison.Ordinal) ? parameters["Dialect=".Length..] : parameters;

    private static string Micro(double? value) => value is { } v ? v.ToString("0.0", CultureInfo.InvariantCulture) : "-";

    private static string Times(double? value, double? baseline) =>
        value is { } v && baseline is > 0 ? (v / baseline.Value).ToString("0.00", CultureInfo.InvariantCulture) + "×" : "-";

    private static string Ratio(double? value) => value is { } v ? v.ToString("0.000", CultureInfo.InvariantCulture) + "×" : "-";

    private static string Targets(SummaryRow r) => string.Join("; ", r.Targets.Select(t =>
        $"{t.Target}: {t.Measured} {(t.Met is null ? "(info)" : t.Met.Value ? "**met**" : "**NOT MET**")}"));

    private static async Task<Dictionary<string, string>> MachineAsync()
    {
        var info = new Dictionary<string, string>
        {
            ["CPU"] = CpuModel(),
            ["logical cores"] = Environment.ProcessorCount.ToString(CultureInfo.InvariantCulture),
            ["memory"] = $"{GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / (1024.0 * 1024 * 1024):0.0} GiB",
            ["OS"] = RuntimeInformation.OSDescription,
            [".NET"] = RuntimeInformation.FrameworkDescription,
            ["load average at the end (1/5/15 min)"] = File.Exists("/proc/loadavg") ? string.Join(" ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a",
            ["StackExchange.Redis"] = typeof(StackExchange.Redis.IDatabase).Assembly.GetName().Version?.ToString() ?? "?",
        };
        if (BenchmarkRedis.Available)
        {
            try
            {
                info["Redis"] = BenchmarkRedis.Server.Version.ToString() + " (loopback, no persistence)";
            }
            catch (StackExchange.Redis.RedisException)
            {
                info["Redis"] = "unknown";
            }
        }

        if (HistoryDatabases.Postgres is not null)
        {
            info["PostgreSQL"] = await PostgresVersionAsync();
        }

        return info;
    }

    private static async Task<string> PostgresVersionAsync()
    {
        try
        {
            await using var connection = new Npgsql.NpgsqlConnection(HistoryDatabases.Postgres);
            await connection.OpenAsync();
            return connection.PostgreSqlVersion + " (loopback, fsync off)";
        }
        catch (Npgsql.NpgsqlException)
        {
            return "unknown";
        }
    }

    private static string CpuModel()
    {
        try
        {
            string? line = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
            return line?[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim() ?? RuntimeInformation.ProcessArchitecture.ToString();
        }
        catch (IOException)
        {
            return RuntimeInformation.ProcessArchitecture.ToString();
        }
    }
}
