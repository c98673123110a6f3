using Microsoft.EntityFrameworkCore;
using ZnDraw.Storage.Samples.WebApi;
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

// History (optional): History:Sqlite or History:Postgres holds a connection string. Without
// either, no sink is registered and the history endpoints answer 501.
switch (SampleSettings.ReadHistoryStore(builder.Configuration))
{
    case (HistoryStore.Sqlite, var connectionString):
        storage.AddSqlHistory(db => db.UseSqlite(connectionString), o => o.MigrateOnStart = true);
        break;
    case (HistoryStore.Postgres, var connectionString):
        storage.AddSqlHistory(db => db.UseNpgsql(connectionString), o => o.MigrateOnStart = true);
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
