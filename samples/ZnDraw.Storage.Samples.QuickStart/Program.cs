using System.Globalization;
using StackExchange.Redis;

// ZnDraw.Storage quick start: connects to the Redis that ./scripts/demo.sh started
// (or the one named by ZNDRAW_REDIS / the first argument) and shows what is there.
var address = args.Length > 0 ? args[0] : Environment.GetEnvironmentVariable("ZNDRAW_REDIS") ?? "127.0.0.1:6379";

ConnectionMultiplexer connection;
try
{
    var options = ConfigurationOptions.Parse(address);
    options.AbortOnConnectFail = true;
    options.ConnectTimeout = 3000;
    connection = await ConnectionMultiplexer.ConnectAsync(options);
}
catch (RedisConnectionException)
{
    Console.Error.WriteLine(
        $"Cannot reach Redis at {address}. Start one with ./scripts/demo.sh, or run redis-server and pass its address (host:port) as the first argument or in ZNDRAW_REDIS.");
    return 1;
}

await using (connection)
{
    var db = connection.GetDatabase();
    var latency = await db.PingAsync();
    var server = connection.GetServer(connection.GetEndPoints()[0]);

    Console.WriteLine("ZnDraw.Storage quick start");
    Console.WriteLine(new string('-', 40));
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{"Redis",-16}{address}"));
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{"Server version",-16}{server.Version}"));
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{"PING",-16}{latency.TotalMilliseconds:F3} ms"));
    var rooms = await db.SetLengthAsync("rooms:index");
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{"Rooms indexed",-16}{rooms}"));
}

return 0;
