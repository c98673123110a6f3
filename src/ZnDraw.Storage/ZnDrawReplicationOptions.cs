namespace ZnDraw.Storage;

/// <summary>
/// Waits for replicas after the writes whose loss on a failover would break a guarantee (locks, worker acquisition,
/// extension registration): each such write is followed by Redis <c>WAIT</c> on the primary that took it. Off by
/// default. See <c>docs/cluster.md</c>.
/// </summary>
/// <remarks>
/// <para>
/// Covered calls, and only when they changed state: <c>ILockRepository.AcquireAsync</c>, <c>RefreshAsync</c> and
/// <c>AcquirePresenterAsync</c> when they return <see langword="true"/>; <c>IExtensionRepository.AcquireWorkerAsync</c>
/// when it returns a worker; <c>IExtensionRepository.RegisterExtensionAsync</c> (in the cluster-safe layout, on the
/// primary of the extension's keys and on the primary of the worker's registration set).
/// </para>
/// <para>
/// When fewer than <see cref="WaitForReplicas"/> replicas acknowledge within <see cref="Timeout"/>, the call throws
/// <see cref="Contracts.StorageUnavailableException"/>: the write reached the primary and stays there, but a failover
/// before the replicas catch up may lose it, so the outcome is unknown, as after a timeout. <c>WAIT</c> is not strong
/// consistency: a failover can still promote a replica that missed the write (one that did not acknowledge).
/// </para>
/// <para>
/// <c>WAIT</c> blocks the connection it is sent on until it returns; the library's multiplexer shares that connection
/// with every other call to the same primary, which queue behind it. With healthy replicas it returns in well under a
/// millisecond; without them (a replica down or lagging) each covered call holds that primary's connection for up to
/// <see cref="Timeout"/>. Keep <see cref="Timeout"/> short.
/// </para>
/// </remarks>
public sealed class ZnDrawReplicationOptions
{
    /// <summary>The largest <see cref="WaitForReplicas"/>: 16.</summary>
    public const int MaxWaitForReplicas = 16;

    /// <summary>The shortest <see cref="Timeout"/>: 10 ms.</summary>
    public static readonly TimeSpan MinTimeout = TimeSpan.FromMilliseconds(10);

    /// <summary>The longest <see cref="Timeout"/>: 10 s.</summary>
    public static readonly TimeSpan MaxTimeout = TimeSpan.FromSeconds(10);

    /// <summary>How many replicas must acknowledge a covered write before the call returns.</summary>
    /// <value>Default 0: no <c>WAIT</c> is sent. Range 0 to 16. On a cluster with one replica per primary, 1.</value>
    public int WaitForReplicas { get; set; }

    /// <summary>How long a covered call waits for the replicas' acknowledgements (the <c>WAIT</c> timeout).</summary>
    /// <value>
    /// Default 1 s. Range 10 ms to 10 s (0, "wait forever", is refused). Keep it below the connection's async timeout
    /// (StackExchange.Redis <c>asyncTimeout</c>, 5 s by default), or the client gives up first.
    /// </value>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(1);
}
