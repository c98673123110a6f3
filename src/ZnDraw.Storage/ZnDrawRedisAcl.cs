using ZnDraw.Storage.History;
using ZnDraw.Storage.Redis;

namespace ZnDraw.Storage;

/// <summary>
/// The least-privilege Redis ACL rule each feature set of the library needs, for given options: the one source that
/// the documentation (<c>docs/acl.md</c>), the library's start check and the tests share.
/// </summary>
/// <remarks>
/// A rule is a list of <c>ACL SETUSER</c> arguments (commands, key patterns, channel patterns) that follow
/// <see cref="ZnDrawStorageOptions.KeyPrefix"/>, e.g. for <see cref="ZnDrawAclFeatures.Core"/> with prefix
/// <c>app1:</c>: <c>resetkeys resetchannels -@all +get +set … ~app1:*</c>. Give a user the rule of every feature the
/// host uses (<see cref="For"/> with the features combined), then <c>on</c> and its password.
/// </remarks>
/// <example>
/// <code>
/// var rule = ZnDrawRedisAcl.For(options, ZnDrawAclFeatures.Core | ZnDrawAclFeatures.Reindex);
/// await admin.ExecuteAsync("ACL", ["SETUSER", "zndraw", "reset", "on", "&gt;secret", .. rule]);
/// </code>
/// </example>
public static class ZnDrawRedisAcl
{
    /// <summary>
    /// The <c>ACL SETUSER</c> arguments (after the user name) that allow exactly what <paramref name="features"/> need
    /// under <paramref name="options"/>: <c>resetkeys resetchannels -@all</c>, the commands, the key patterns and the
    /// channel patterns.
    /// </summary>
    /// <param name="options">The storage options (<see cref="ZnDrawStorageOptions.KeyPrefix"/>, <see cref="ZnDrawStorageOptions.Database"/>,
    /// <see cref="ZnDrawStorageOptions.Replication"/>).</param>
    /// <param name="features">The feature sets the host uses; <see cref="ZnDrawAclFeatures.Core"/> is always included
    /// (and <see cref="ZnDrawAclFeatures.Reindex"/> with <see cref="ZnDrawAclFeatures.Check"/>).</param>
    /// <param name="historyStreamKey">The outbox stream key (<see cref="HistoryOptions.StreamKey"/>); default
    /// <see cref="HistoryOptions.DefaultStreamKey"/>. Used with <see cref="ZnDrawAclFeatures.DurableHistory"/>.</param>
    /// <returns>The rule's arguments, one per element (a key pattern may contain spaces when the prefix does).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is null.</exception>
    public static IReadOnlyList<string> For(ZnDrawStorageOptions options, ZnDrawAclFeatures features, string? historyStreamKey = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        features |= ZnDrawAclFeatures.Core;
        if ((features & ZnDrawAclFeatures.Check) != 0)
        {
            features |= ZnDrawAclFeatures.Reindex; // the check scans like the reindex
        }

        var rule = new List<string> { "resetkeys", "resetchannels", "-@all" };
        foreach (AclCommand command in AclTable.Commands)
        {
            if ((features & command.Feature) != 0 && (command.Name != "wait" || options.Replication.WaitForReplicas > 0))
            {
                rule.Add("+" + command.Name);
            }
        }

        rule.AddRange(AclTable.KeyPatterns(options, features, historyStreamKey ?? HistoryOptions.DefaultStreamKey));
        rule.AddRange(AclTable.ChannelPatterns(options, features));
        return rule;
    }
}
