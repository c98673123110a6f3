using ZnDraw.Storage.Samples.WebApi;
using ZnDraw.Storage.Sql;
using ZnDraw.Storage;

// ZnDraw.Storage minimal web API sample: a health check on the shared Redis, room endpoints and
// the history endpoints over whatever history store is configured. Every endpoint goes through the
// library's public services; nothing here touches Redis or builds a key.
var builder = WebApplication.CreateBuilder(args);

// Redis: the "ZnDrawStorage" section (appsettings.json, or ZnDrawStorage__ConnectionString in
// the environment); when neither sets a connection string, ZNDRAW_REDIS (what the repository's
// scripts export for their throwaway server).
var storage = builder.Services
    .AddZnDrawStorage(builder.Configuration.GetSection(ZnDrawStorageOptions.DefaultSectionName))
    .AddRedisHealthCheck();
builder.Services.AddOptions<ZnDrawStorageOptions>().PostConfigure<IConfiguration>((options, configuration) =>
{
    if (options.RedisConfiguration is null && string.IsNullOrWhiteSpace(options.ConnectionString))
    {
        options.ConnectionString = configuration[SampleSettings.RedisEnvironmentVariable];
    }
});

// Hybrid storage (optional): Storage:Sqlite or Storage:Postgres holds a connection string; users and rooms then live
// in that database (Storage:Groups narrows it to Users or Rooms), ephemeral state stays in Redis, and the history goes
// to the same database (one transaction per change) unless the History section names another.
var (storageStore, storageConnection) = SampleSettings.ReadSqlStore(builder.Configuration, SampleSettings.StorageSection);
var (historyStore, historyConnection) = SampleSettings.ReadSqlStore(builder.Configuration, SampleSettings.HistorySection);
if (storageStore != SqlStore.None)
{
    var groups = builder.Configuration.GetValue(SampleSettings.StorageSection + ":Groups", SqlStorageGroups.All);
    storage.AddSqlStorage(
        sql => _ = storageStore == SqlStore.Sqlite ? sql.UseSqlite(storageConnection) : sql.UseNpgsql(storageConnection),
        o =>
        {
            o.Groups = groups;
            o.IncludeHistory = historyStore == SqlStore.None;
            o.MigrateOnStart = true;
        });
}

// History (optional): History:Sqlite or History:Postgres holds a connection string. Without either (and without
// hybrid storage), no sink is registered and the history endpoints answer 501.
switch (historyStore, historyConnection)
{
    case (SqlStore.Sqlite, var connectionString):
        storage.AddSqlHistory(sql => sql.UseSqlite(connectionString), o => o.MigrateOnStart = true);
        break;
    case (SqlStore.Postgres, var connectionString):
        storage.AddSqlHistory(sql => sql.UseNpgsql(connectionString), o => o.MigrateOnStart = true);
        break;
}

builder.Services.AddProblemDetails();

// A body or parameter the endpoint cannot bind (malformed JSON, a number where a string belongs) is the client's
// mistake: answer 400 (problem details, below) in every environment. Minimal APIs otherwise throw in Development,
// and the exception handler turns that into a 500.
builder.Services.Configure<RouteHandlerOptions>(options => options.ThrowOnBadRequest = false);

var app = builder.Build();

app.UseExceptionHandler();
app.UseStatusCodePages();

app.MapHealthChecks("/health");
app.MapRoomEndpoints();
app.MapHistoryEndpoints();

await app.RunAsync();

/// <summary>The sample's entry point; public so that tests can start it with <c>WebApplicationFactory&lt;Program&gt;</c>.</summary>
public partial class Program;
