using StackExchange.Redis;
using ZnDraw.Storage.Contracts;
using ZnDraw.Storage.Redis.Serialization;

namespace ZnDraw.Storage.Tests.Redis.Security;

/// <summary>How the ACL refusals Redis sends (7.0 and 7.2 wordings) become <see cref="StoragePermissionException"/>.</summary>
public sealed class AclErrorMappingTests
{
    [Theory]
    [InlineData("NOPERM this user has no permissions to run the 'scan' command", "scan", ZnDrawAclFeatures.Reindex)]
    [InlineData("NOPERM User acl-1 has no permissions to run the 'xgroup|create' command", "xgroup|create", ZnDrawAclFeatures.DurableHistory)]
    [InlineData("NOPERM this user has no permissions to run the 'psubscribe' command", "psubscribe", ZnDrawAclFeatures.KeyspaceNotifications)]
    [InlineData("ERR ACL failure in script: User acl-1 has no permissions to run the 'sadd' command script: 4f1e, on @user_script:12.", "sadd", ZnDrawAclFeatures.Core)]
    [InlineData("ERR The user executing the script can't run this command or subcommand script: 4f1e, on @user_script:12.", null, ZnDrawAclFeatures.Core)]
    [InlineData("NOPERM this user has no permissions to access one of the keys used as arguments", null, ZnDrawAclFeatures.Core)]
    [InlineData("NOPERM this user has no permissions to access one of the channels used as arguments", null, ZnDrawAclFeatures.Core)]
    public void An_ACL_refusal_names_the_command_and_its_feature_set(string reply, string? command, ZnDrawAclFeatures feature)
    {
        var client = Server(reply);

        var ex = Assert.IsType<StoragePermissionException>(RedisErrors.Map(client, (RedisKey)"app:room:r1:current_frame", "JoinAsync"));

        Assert.Equal(command, ex.Command);
        Assert.Equal(feature, ex.Feature);
        Assert.Equal("JoinAsync", ex.Operation);
        Assert.Equal("app:room:r1:current_frame", ex.Key);
        Assert.Same(client, ex.InnerException);
        Assert.Contains(feature.ToString(), ex.Message, StringComparison.Ordinal);
        Assert.Contains("docs/acl.md", ex.Message, StringComparison.Ordinal);
        if (command is not null)
        {
            Assert.Contains($"'{command}'", ex.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Other_script_errors_stay_StorageBackendException()
    {
        var ex = RedisErrors.Map(Server("ERR user_script:1: Script attempted to access nonexistent global variable 'x'"), default(RedisKey), "Op");
        Assert.IsType<StorageBackendException>(ex);
    }

#if STACKEXCHANGE_REDIS_3
    private static RedisServerException Server(string message) => new(RedisErrorKind.Unknown, CommandFlags.None, message);
#else
    private static RedisServerException Server(string message) => new(message);
#endif
}
