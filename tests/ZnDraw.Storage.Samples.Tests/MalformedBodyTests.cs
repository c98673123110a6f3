using System.Net.Http.Json;
using System.Net;
using System.Text.Json;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using ZnDraw.Storage.History;
using ZnDraw.Storage.Samples.Tests.Infrastructure;

namespace ZnDraw.Storage.Samples.Tests;

/// <summary>
/// A body that is not the JSON an endpoint expects is the client's mistake: 400 with problem details in every
/// environment (Development used to answer 500, because minimal APIs throw on bad requests there).
/// </summary>
public abstract class MalformedBodyTests(SampleApp app)
{
    private readonly HttpClient _client = app.CreateClient();

    [Theory]
    [InlineData("{\"roomId\": ")] // cut off
    [InlineData("not json at all")]
    [InlineData("{\"roomId\": 5}")] // a number where a string belongs
    [InlineData("[\"roomId\"]")]
    public async Task CreateRoom_WithAMalformedBody_Is400Problem(string body)
    {
        using var content = new StringContent(body, Encoding.UTF8, "application/json");

        using var response = await _client.PostAsync(new Uri("/api/rooms", UriKind.Relative), content);

        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{(int)response.StatusCode} {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonSerializer.Deserialize<JsonElement>(text, Http.Json);
        Assert.Equal(400, problem.GetProperty("status").GetInt32());
        Assert.False(problem.TryGetProperty("exception", out _), text);
        Assert.DoesNotContain("   at ", text, StringComparison.Ordinal); // no stack trace
    }

    [Fact]
    public async Task CreateRoom_WithAWellFormedBody_StillWorks()
    {
        var id = "room-" + Guid.NewGuid().ToString("N");

        using var response = await _client.PostAsJsonAsync(new Uri("/api/rooms", UriKind.Relative), new { roomId = id });

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

    [Fact]
    public void TheFixtureRecordsNoHistory() => Assert.Null(app.Services.GetService<IHistorySink>());
}

/// <summary>The sample in the Development environment.</summary>
public sealed class DevelopmentMalformedBodyTests(DevelopmentApp fixture)
    : MalformedBodyTests(fixture.App), IClassFixture<DevelopmentApp>;

/// <summary>The sample in the Production environment.</summary>
public sealed class ProductionMalformedBodyTests(ProductionApp fixture)
    : MalformedBodyTests(fixture.App), IClassFixture<ProductionApp>;

/// <summary>The sample in Development.</summary>
public sealed class DevelopmentApp() : RoomsApp("Development");

/// <summary>The sample in Production.</summary>
public sealed class ProductionApp() : RoomsApp("Production");
