using Microsoft.Extensions.Logging.Abstractions;
using ZnDraw.Storage.Redis.Repositories;
using ZnDraw.Storage.Services;
using ZnDraw.Storage.Testing;
using ZnDraw.Storage.Tests.Infrastructure;
using ZnDraw.Storage.Tests.Redis.Repositories;

namespace ZnDraw.Storage.Tests.Services.Users;

/// <summary>Concurrent registrations of one guest on real Redis: exactly one succeeds, and its password is the one stored.</summary>
[Collection(RedisCollection.Name)]
public sealed class UserServiceRegistrationRaceTests(RedisFixture redis)
{
    private const int Callers = 16;
    private const int Rounds = 20;

    private static UserService Create(RedisFixture redis, string space, out UserRepository repo)
    {
        var keys = Spaces.Create(space);
        repo = new UserRepository(Spaces.Context(redis, keys));
        return new UserService(repo, TestOptions.For(keys), NullLogger<UserService>.Instance);
    }

    [Theory]
    [MemberData(nameof(Spaces.All), MemberType = typeof(Spaces))]
    public async Task Of_16_concurrent_registrations_of_one_guest_under_its_name_exactly_one_succeeds(string space)
    {
        var service = Create(redis, space, out var repo);
        for (var round = 0; round < Rounds; round++)
        {
            var guest = (await service.CreateGuestAsync()).UserName;
            var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var calls = Enumerable.Range(0, Callers).Select(i => Task.Run(async () =>
            {
                await start.Task;
                try
                {
                    await service.RegisterAsync(guest, guest, $"pw-{round}-{i}");
                    return (int?)i;
                }
                catch (UserOperationException ex) when (ex.Error == UserOperationError.AlreadyRegistered)
                {
                    return null;
                }
            })).ToList();
            start.SetResult();
            var outcomes = await Task.WhenAll(calls);

            var winner = Assert.Single(outcomes, o => o is not null);
            Assert.True(await service.VerifyPasswordAsync(guest, $"pw-{round}-{winner}"));
            foreach (var loser in Enumerable.Range(0, Callers).Where(i => i != winner))
            {
                Assert.False(await service.VerifyPasswordAsync(guest, $"pw-{round}-{loser}"));
            }

            Assert.True((await repo.GetCredentialsAsync(guest))!.IsRegistered);
        }
    }

    [Theory]
    [MemberData(nameof(Spaces.All), MemberType = typeof(Spaces))]
    public async Task Of_16_concurrent_registrations_of_one_guest_to_different_names_exactly_one_succeeds(string space)
    {
        var service = Create(redis, space, out var repo);
        for (var round = 0; round < Rounds; round++)
        {
            var guest = (await service.CreateGuestAsync()).UserName;
            var names = Enumerable.Range(0, Callers).Select(_ => RedisFixture.NewId("user")).ToArray();
            var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var calls = Enumerable.Range(0, Callers).Select(i => Task.Run(async () =>
            {
                await start.Task;
                try
                {
                    await service.RegisterAsync(guest, names[i], $"pw-{round}-{i}");
                    return (int?)i;
                }
                catch (UserOperationException ex) when (ex.Error == UserOperationError.UserNotFound)
                {
                    return null;
                }
            })).ToList();
            start.SetResult();
            var outcomes = await Task.WhenAll(calls);

            var winner = Assert.Single(outcomes, o => o is not null)!.Value;
            Assert.True(await service.VerifyPasswordAsync(names[winner], $"pw-{round}-{winner}"));
            Assert.False(await repo.ExistsAsync(guest));
            foreach (var loser in Enumerable.Range(0, Callers).Where(i => i != winner))
            {
                Assert.False(await repo.ExistsAsync(names[loser]));
            }
        }
    }
}
