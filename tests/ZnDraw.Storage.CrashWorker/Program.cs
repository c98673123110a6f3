using System.Globalization;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using ZnDraw.Storage;
using ZnDraw.Storage.CrashWorker;

// The child process of the cross-store crash test: opens the storage through the library's public DI (users and rooms in
// SQL, ephemeral state in Redis) and runs CrashWorkload until the test kills it.
// Arguments: <SQLite file path | PostgreSQL connection string> <Redis address> <key prefix> <seed>.
if (args.Length != 4 || !int.TryParse(args[3], NumberStyles.Integer, CultureInfo.InvariantCulture, out int seed))
{
    await Console.Error.WriteLineAsync("usage: ZnDraw.Storage.CrashWorker <sqlite-file|postgres-connection-string> <redis> <key-prefix> <seed>");
    return 2;
}

// Never outlive the test: it holds stdin open, so end of input means the test is gone (or done); and a hard limit.
_ = Task.Run(async () =>
{
    _ = await Console.In.ReadToEndAsync();
    Environment.Exit(3);
});
_ = Task.Delay(TimeSpan.FromMinutes(2)).ContinueWith(static _ => Environment.Exit(4), TaskScheduler.Default);

string database = args[0];
var services = new ServiceCollection();
services.AddSingleton<ILoggerFactory>(NullLoggerFactory.Instance);
services.AddSingleton(typeof(ILogger<>), typeof(NullLogger<>));
services.AddZnDrawStorage(o =>
    {
        o.ConnectionString = args[1];
        o.KeyPrefix = args[2];
        o.IndexReconciliation.Enabled = false;
        o.Passwords.Hashing = PasswordHashing.ZnDrawSha256; // registrations stay cheap: the test measures crashes, not hashing
    })
    .AddSqlStorage(
        sql =>
        {
            if (CrashWorkload.IsPostgres(database))
            {
                sql.UseNpgsql(database);
            }
            else
            {
                sql.UseSqlite(new SqliteConnectionStringBuilder { DataSource = database, DefaultTimeout = 30 }.ToString());
            }
        },
        o => o.ReconcileOnStart = false); // the test reconciles after the kill, never the worker

await using ServiceProvider provider = services.BuildServiceProvider();
try
{
    await new CrashWorkload(provider, seed, Console.Out).RunAsync();
    return 0;
}
#pragma warning disable CA1031 // Any failure of the workload is reported to the test (stderr, exit code 1).
catch (Exception ex)
#pragma warning restore CA1031
{
    await Console.Error.WriteLineAsync(ex.ToString());
    return 1;
}
