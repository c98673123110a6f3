namespace ZnDraw.Storage;

/// <summary>How key names are shaped: exactly as ZnDraw writes them, or with Redis Cluster hash tags.</summary>
/// <remarks>
/// <para>
/// <see cref="ZnDraw"/> produces byte-identical keys to the ZnDraw server (no hash tags), so a .NET host and
/// ZnDraw can share one Redis. Keys of one room then hash to different cluster slots: on a Redis Cluster every
/// multi-key command or transaction fails with <c>CROSSSLOT</c>. Use it on a single Redis node (or one primary).
/// A prefix that is itself a hash tag (e.g. <c>{app}:</c>) pins the whole key space to one slot, which also works
/// on a cluster, at the cost of putting all data on one node.
/// </para>
/// <para>
/// <see cref="ClusterSafe"/> inserts a hash tag so that keys used together share a slot:
/// every room-scoped key (and the job hashes of the room) is tagged with the room id (<c>room:{r1}:current_frame</c>,
/// <c>job:{r1}:{jobId}</c>); <c>user:{name}</c> and <c>admin:user:{name}</c> with the user name;
/// <c>sid:{sid}</c>, <c>sid:{sid}:role</c> and the worker registration set with the sid; the global extension keys of
/// one category with the category (<c>global:extensions:{modifiers}:…</c>); all global filesystem keys with the fixed
/// tag <c>{filesystems}</c>. These keys are not ZnDraw's: a ZnDraw server does not see data written in this layout.
/// In this layout user names, sids and categories must not contain <c>{</c> or <c>}</c> (anywhere in the key space, so
/// that one name is valid in every builder), and neither may the prefix.
/// </para>
/// <para>
/// Operations that can never be single-slot, even with <see cref="ClusterSafe"/>, because they mix keys of different
/// owners: joining a room (the user hash's <c>currentRoom</c> and the room's <c>users</c> set); session connect and
/// disconnect (<c>sid:{sid}</c> and the user hash); maintaining an index set together with the keys it indexes
/// (<c>rooms:index</c> with room keys, <c>users:index</c> with user hashes, <c>admins:index</c> with admin flags);
/// a worker's registration set together with the room or global extension keys it records; copying a room (two
/// rooms); global extension keys of two categories. Such operations must be split into single-slot steps (or use a Lua
/// script per slot) on a cluster. The durable history outbox is not among them: in this layout it is sharded by hash
/// slot (one stream per slot in use), and a step appends its event to the shard of its own slot, atomically.
/// </para>
/// <para>
/// Do not mix layouts under one prefix in one Redis database: a ZnDraw-layout user named <c>{bob}</c> and a
/// cluster-layout user <c>bob</c> would both be <c>user:{bob}</c>.
/// </para>
/// </remarks>
public enum KeyLayout
{
    /// <summary>ZnDraw's own key names, byte for byte (the default).</summary>
    ZnDraw = 0,

    /// <summary>ZnDraw's key names with Redis Cluster hash tags, so the keys of one room (user, session, ...) share a slot.</summary>
    ClusterSafe = 1,
}
