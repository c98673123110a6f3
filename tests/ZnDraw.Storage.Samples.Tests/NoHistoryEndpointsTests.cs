using System.Net;
using Microsoft.Extensions.DependencyInjection;
using ZnDraw.Storage.History;
using ZnDraw.Storage.Samples.Tests.Infrastructure;

namespace ZnDraw.Storage.Samples.Tests;

/// <summary>The web API sample with no history store configured.</summary>
public sealed class NoHistoryEndpointsTests(NoHistoryApp fixture) : IClassFixture<NoHistoryApp>
{
    private readonly HttpClient _client = fixture.App.CreateClient();

    [Theory]
    [InlineData("/api/extensions/Rotate/history")]
    [InlineData("/api/rooms/r1/events")]
    [InlineData("/api/users/alice/sessions?limit=5")]
    public async Task HistoryEndpoints_Are501ProblemSayingHistoryIsNotConfigured(string path)
    {
        var problem = await _client.GetProblemAsync(path, HttpStatusCode.NotImplemented);

        Assert.Equal("History is not configured", problem.GetProperty("title").GetString());
        Assert.Contains("History:Sqlite", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public void NoSinkOrQuery_IsRegistered()
    {
        Assert.Null(fixture.App.Services.GetService<IHistorySink>());
        Assert.Null(fixture.App.Services.GetService<IHistoryQuery>());
    }

    [Fact]
    public async Task Health_IsHealthy_WithTheRedisAddressFromZNDRAW_REDIS()
    {
        using var response = await _client.GetAsync(new Uri("/health", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Healthy", await response.Content.ReadAsStringAsync());
    }
}
