using System.Globalization;
using ZnDraw.Storage.Tool.Infrastructure;
using ZnDraw.Storage.Tool.Tests.Infrastructure;

namespace ZnDraw.Storage.Tool.Tests.Transfer;

/// <summary>
/// export / import and migrate layout|to-sql as processes: a store on the single Redis (ZnDraw's layout) copied onto the
/// real Redis Cluster (cluster-safe layout), into SQLite and PostgreSQL, and through a snapshot file.
/// </summary>
[Collection(RedisClusterCollection.Name)]
public sealed class TransferTests(RedisClusterFixture cluster, RedisFixture redis) : IClassFixture<RedisFixture>
{
    private static string NewPrefix() => string.Create(CultureInfo.InvariantCulture, $"t{Guid.NewGuid():N}:");

    private static string ClusterAddress => Environment.GetEnvironmentVariable(RedisClusterFixture.EnvironmentVariable)!;

    [Fact]
    public async Task Migrate_layout_onto_the_cluster_dry_runs_copies_verifies_and_a_rerun_skips_everything()
    {
        _ = cluster.Connection;
        await using var source = await SeededStore.OnRedisAsync(redis);
        await Seed.InspectDataAsync(source);
        string targetPrefix = NewPrefix();
        string[] migrate(params string[] more) =>
            source.Args(["migrate", "layout", "--to", "cluster-safe", "--target", ClusterAddress, "--target-prefix", targetPrefix, "--json", .. more]);
        string[] onTarget(params string[] command) =>
            ["--redis", ClusterAddress, "--prefix", targetPrefix, "--layout", "cluster-safe", .. command];

        var dry = (await ToolProcess.RunAsync(migrate("--dry-run"))).ShouldExit(ExitCodes.Ok).Json();
        Assert.True(dry.GetProperty("dryRun").GetBoolean());
        long total = dry.GetProperty("migration").GetProperty("total").GetInt64();
        long toWrite = dry.GetProperty("migration").GetProperty("written").GetInt64();
        Assert.True(total >= 5 && toWrite == 4, dry.ToString()); // two users, two rooms; no default room (listed, missing)
        Assert.Equal(0, (await ToolProcess.RunAsync(onTarget("rooms", "list", "--json"))).ShouldExit(ExitCodes.Ok).Json().GetArrayLength());
        Assert.Equal(0, (await ToolProcess.RunAsync(onTarget("users", "list", "--json"))).ShouldExit(ExitCodes.Ok).Json().GetArrayLength());

        var first = (await ToolProcess.RunAsync(migrate())).ShouldExit(ExitCodes.Ok).Json();
        Assert.Equal(toWrite, first.GetProperty("migration").GetProperty("written").GetInt64());
        var verification = first.GetProperty("verification");
        Assert.True(verification.GetProperty("isMatch").GetBoolean(), first.ToString());
        Assert.Contains(verification.GetProperty("counts").EnumerateArray(), c => c.GetProperty("item").GetString() == "frames" && c.GetProperty("target").GetInt64() == 4);

        var again = (await ToolProcess.RunAsync(migrate())).ShouldExit(ExitCodes.Ok).Json();
        Assert.Equal(0, again.GetProperty("migration").GetProperty("written").GetInt64());
        Assert.Equal(toWrite, again.GetProperty("migration").GetProperty("skipped").GetInt64());

        var rooms = (await ToolProcess.RunAsync(onTarget("rooms", "list", "--json"))).ShouldExit(ExitCodes.Ok);
        Assert.Contains(Seed.Room, rooms.StandardOutput, StringComparison.Ordinal);

        // The table form names the verification.
        var table = (await ToolProcess.RunAsync(source.Args("migrate", "layout", "--to", "cluster-safe", "--target", ClusterAddress, "--target-prefix", targetPrefix))).ShouldExit(ExitCodes.Ok);
        Assert.Contains("verified:", table.StandardError, StringComparison.Ordinal);

        // Never into the source's own key space (the same server, here by another address, database and prefix).
        string sameServer = redis.Address.Replace("127.0.0.1", "localhost", StringComparison.Ordinal);
        var own = (await ToolProcess.RunAsync(source.Args("migrate", "layout", "--to", "cluster-safe", "--target", sameServer))).ShouldExit(ExitCodes.Usage);
        Assert.Contains("the source's own Redis", own.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Migrate_to_sql_fills_a_new_sqlite_file_and_a_postgresql_database_verified()
    {
        await using var source = await SeededStore.OnRedisAsync(redis);
        await Seed.InspectDataAsync(source);
        string folder = Path.Combine(Path.GetTempPath(), "zndraw-transfer-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        var postgres = new PostgresTestDatabase();
        await postgres.InitializeAsync();
        try
        {
            foreach ((string provider, string connection) in new[] { ("sqlite", $"Data Source={Path.Combine(folder, "store.db")};Pooling=False"), ("postgresql", postgres.ConnectionString) })
            {
                var result = (await ToolProcess.RunAsync(source.Args("--sql-provider", provider, "--sql", connection, "migrate", "to-sql", "--json"))).ShouldExit(ExitCodes.Ok).Json();
                Assert.True(result.GetProperty("verification").GetProperty("isMatch").GetBoolean(), result.ToString());
                Assert.True(result.GetProperty("migration").GetProperty("written").GetInt64() == 4, result.ToString());

                var again = (await ToolProcess.RunAsync(source.Args("--sql-provider", provider, "--sql", connection, "migrate", "to-sql", "--groups", "rooms", "--json"))).ShouldExit(ExitCodes.Ok).Json();
                Assert.Equal(0, again.GetProperty("migration").GetProperty("written").GetInt64());

                var fromSql = (await ToolProcess.RunAsync(source.Args("--sql-provider", provider, "--sql", connection, "--sql-storage", "all", "users", "list", "--json"))).ShouldExit(ExitCodes.Ok).Json();
                Assert.Equal(new[] { "alice", "bob" }, fromSql.EnumerateArray().Select(u => u.GetProperty("userName").GetString()).Order(StringComparer.Ordinal));
            }
        }
        finally
        {
            await postgres.DisposeAsync();
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task Export_import_into_another_prefix_and_into_sqlite_then_export_again_gives_the_same_bytes()
    {
        await using var source = await SeededStore.OnRedisAsync(redis);
        await Seed.InspectDataAsync(source);
        string folder = Path.Combine(Path.GetTempPath(), "zndraw-transfer-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        try
        {
            string first = Path.Combine(folder, "first.jsonl");
            (await ToolProcess.RunAsync(source.Args("export", "--output", first))).ShouldExit(ExitCodes.Ok);
            byte[] expected = await File.ReadAllBytesAsync(first);
            Assert.StartsWith("{\"format\":\"zndraw-storage-snapshot\",\"version\":1", System.Text.Encoding.UTF8.GetString(expected), StringComparison.Ordinal);

            // Standard output gives the same bytes as the file.
            var piped = (await ToolProcess.RunAsync(source.Args("export"))).ShouldExit(ExitCodes.Ok);
            Assert.Equal(System.Text.Encoding.UTF8.GetString(expected), piped.StandardOutput);

            string[][] targets =
            [
                ["--redis", redis.Address, "--prefix", NewPrefix()],
                ["--redis", ClusterAddress, "--prefix", NewPrefix(), "--layout", "cluster-safe"],
                ["--redis", redis.Address, "--prefix", NewPrefix(), "--sql-provider", "sqlite", "--sql", $"Data Source={Path.Combine(folder, "import.db")};Pooling=False", "--sql-storage", "all"],
            ];
            foreach (string[] target in targets)
            {
                (await ToolProcess.RunAsync([.. target, "import", "--input", first])).ShouldExit(ExitCodes.Ok);
                string second = Path.Combine(folder, "second.jsonl");
                (await ToolProcess.RunAsync([.. target, "export", "--output", second])).ShouldExit(ExitCodes.Ok);
                Assert.Equal(expected, await File.ReadAllBytesAsync(second));

                // Not into a store that holds data.
                var refused = (await ToolProcess.RunAsync([.. target, "import", "--input", first])).ShouldExit(ExitCodes.Usage);
                Assert.Contains("not empty", refused.StandardError, StringComparison.Ordinal);
            }

            // A damaged line is named.
            string[] lines = await File.ReadAllLinesAsync(first);
            int room = Array.FindIndex(lines, l => l.Contains("\"kind\":\"room\",\"id\":\"alpha\"", StringComparison.Ordinal));
            Assert.True(room > 0);
            lines[room] = lines[room].Replace("first room", "frist room", StringComparison.Ordinal);
            string damaged = Path.Combine(folder, "damaged.jsonl");
            await File.WriteAllLinesAsync(damaged, lines);
            string damagedPrefix = NewPrefix();
            var corrupt = (await ToolProcess.RunAsync("--redis", redis.Address, "--prefix", damagedPrefix, "import", "--input", damaged)).ShouldExit(ExitCodes.DataError);
            Assert.Contains($"line {room + 1}", corrupt.StandardError, StringComparison.Ordinal);
            var nothing = (await ToolProcess.RunAsync("--redis", redis.Address, "--prefix", damagedPrefix, "users", "list", "--json")).ShouldExit(ExitCodes.Ok);
            Assert.Equal(0, nothing.Json().GetArrayLength()); // a file is checked whole before anything is written
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
