using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ZnDraw.Storage;
using ZnDraw.Storage.Contracts;
using ZnDraw.Storage.Redis.Keys;
using ZnDraw.Storage.Services;

// ZnDraw.Storage compiled to native code: registration with options bound from configuration (the source-generated
// binder), validation at start, a room round trip through its repository and lock calls through LockService (Lua
// scripts, JSON metadata through the source-generated serializer), all under a unique key prefix on the Redis in
// ZNDRAW_REDIS. Prints one line per check; exits 0 only when every check holds.
var redis = Environment.GetEnvironmentVariable("ZNDRAW_REDIS");
if (string.IsNullOrWhiteSpace(redis))
{
    Console.Error.WriteLine("aot smoke: ZNDRAW_REDIS is not set (scripts/test.sh sets it).");
    return 2;
}

var prefix = $"aot-smoke-{Guid.NewGuid():N}:";
var failures = 0;
void Check(bool condition, string what)
{
    Console.WriteLine($"aot smoke: {(condition ? "ok  " : "FAIL")} {what}");
    failures += condition ? 0 : 1;
}

try
{
    var builder = Host.CreateApplicationBuilder(args);
    builder.Logging.SetMinimumLevel(LogLevel.Error);
    builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
    {
        ["ZnDrawStorage:ConnectionString"] = redis,
        ["ZnDrawStorage:KeyPrefix"] = prefix,
        ["ZnDrawStorage:Layout"] = nameof(KeyLayout.ZnDraw),
        ["ZnDrawStorage:Locks:DefaultTtl"] = "00:00:42",
    });
    builder.Services.AddZnDrawStorage(builder.Configuration.GetSection(ZnDrawStorageOptions.DefaultSectionName));

    using var host = builder.Build();
    await host.StartAsync();

    var options = host.Services.GetRequiredService<IOptions<ZnDrawStorageOptions>>().Value;
    Check(options.KeyPrefix == prefix && options.Layout == KeyLayout.ZnDraw && options.Locks.DefaultTtl == TimeSpan.FromSeconds(42),
        "options bound from configuration (string, enum, nested TimeSpan)");
    Check(host.Services.GetRequiredService<KeySpace>().Room("r1").CurrentFrame().ToString() == prefix + "room:r1:current_frame",
        "prefixed ZnDraw key");

    var rooms = host.Services.GetRequiredService<IRoomRepository>();
    Check(await rooms.CreateAsync("r1", "aot smoke"), "room created");
    Check(!await rooms.CreateAsync("r1"), "a second create of the same room is refused");
    Check(await rooms.GetByIdAsync("r1") is { Id: "r1", Description: "aot smoke" }, "room read back");
    Check((await rooms.ListAllAsync()).SequenceEqual(["r1"]), "the prefixed index lists exactly the room");

    var locks = host.Services.GetRequiredService<LockService>();
    var lease = await locks.AcquireAsync("r1", "trajectory:meta", "alice", message: "aot");
    Check(lease is { Owner: "alice", TimeToLive.TotalSeconds: 42 }, "lock acquired with the configured default TTL");
    Check(await locks.AcquireAsync("r1", "trajectory:meta", "bob") is null, "another holder is refused");
    Check(await locks.GetAsync("r1", "trajectory:meta") is { Holder: "alice", Metadata.Message: "aot" }, "lock and its JSON metadata read back");
    Check(await locks.ReleaseAsync("r1", "trajectory:meta", "alice"), "lock released");

    Check(await rooms.DeleteAsync("r1") && !await rooms.ExistsAsync("r1"), "room deleted");
    await host.StopAsync();
}
catch (Exception ex)
{
    Console.Error.WriteLine($"aot smoke: FAIL {ex}");
    failures++;
}

Console.WriteLine(failures == 0 ? "aot smoke: all checks passed" : $"aot smoke: {failures} check(s) failed");
return failures == 0 ? 0 : 1;
