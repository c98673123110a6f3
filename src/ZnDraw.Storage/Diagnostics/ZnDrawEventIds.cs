namespace ZnDraw.Storage.Diagnostics;

/// <summary>
/// The event ids of every log message the library writes (the <c>EventId</c> of each <c>[LoggerMessage]</c>), one
/// constant per event, grouped by component in ranges of 100 so that a host can filter or alert on a component.
/// </summary>
/// <remarks>
/// <para>
/// Ranges: 2000–2099 history recording and dispatch; 2100–2199 repositories and listings; 3100–3199 users (and the
/// password policy at start); 3200–3299 extensions and jobs; 3300–3399 locks; 3400–3499 index reconciliation;
/// 3500–3599 rooms; 3600–3699 sessions; 3700–3799 the connection to Redis. 4000–4999 are kept for the <c>ZnDraw.Storage.Sql</c> package (it writes no log
/// message today).
/// </para>
/// <para>
/// An id, once published, keeps its meaning: a new message takes the next free id of its range, a removed one leaves
/// its id unused. Documented ids: 2100 (<c>docs/repositories.md</c>), 3108 and 3113 (<c>docs/passwords.md</c>), 3400–3412
/// (<c>docs/index-reconciliation.md</c>), 3700–3702 (<c>docs/configuration.md</c>). <c>EventIdTests</c> checks that every <c>[LoggerMessage]</c> of both
/// assemblies uses one of these constants and that no two messages share an id or a name.
/// </para>
/// </remarks>
internal static class ZnDrawEventIds
{
    // 2000–2099: history recording and dispatch (HistoryLog).
    public const int HistoryDirectSinkFailed = 2001;
    public const int HistoryOutboxAppendFailed = 2002;
    public const int HistoryDispatcherStarted = 2003;
    public const int HistoryBatchFailed = 2004;
    public const int HistoryOutboxUnavailable = 2005;
    public const int HistoryPoisonEntry = 2006;
    public const int HistoryReclaimed = 2007;
    public const int HistoryDelivered = 2008;
    public const int HistoryAckFailed = 2009;
    public const int HistoryNoSink = 2010;
    public const int HistoryShardsFound = 2011;

    // 2100–2199: repositories and listings (UnreadableEntries).
    public const int UnreadableEntrySkipped = 2100;

    // 3100–3199: users (UserServiceLog).
    public const int UserGuestCreated = 3101;
    public const int UserGuestNameTaken = 3102;
    public const int UserGuestRegistered = 3103;
    public const int UserLoggedIn = 3104;
    public const int UserLoginRefused = 3105;
    public const int UserHashUpgraded = 3106;
    public const int UserHashUpgradeFailed = 3107;
    public const int UserMalformedHash = 3108;
    public const int UserPasswordChanged = 3109;
    public const int UserPasswordReset = 3110;
    public const int UserAdminSet = 3111;
    public const int UserHashChangedDuringUpgrade = 3112;
    public const int UserZnDrawSha256InUse = 3113;

    // 3200–3299: extensions and jobs (ExtensionServiceLog).
    public const int ExtensionRegistered = 3200;
    public const int ExtensionRegistrationRefused = 3201;
    public const int ExtensionWorkerCleanedUp = 3202;
    public const int ExtensionJobSubmitted = 3203;
    public const int ExtensionJobDequeued = 3204;
    public const int ExtensionNothingDequeued = 3205;
    public const int ExtensionStaleTasksDropped = 3206;
    public const int ExtensionTaskWithoutJob = 3207;
    public const int ExtensionJobFinished = 3208;

    // 3300–3399: locks and the presenter (LockServiceLog).
    public const int LockAcquired = 3301;
    public const int LockAcquireRefused = 3302;
    public const int LockRefreshed = 3303;
    public const int LockReleased = 3304;
    public const int LockNotOwner = 3305;
    public const int LockPresenter = 3306;
    public const int LockPresenterReleased = 3307;

    // 3400–3499: index reconciliation (IndexReconciler; the table in docs/index-reconciliation.md).
    public const int ReconcilerDisabled = 3400;
    public const int ReconcilerReconciled = 3401;
    public const int ReconcilerFailed = 3402;
    public const int ReconcilerStillFailing = 3403;
    public const int ReconcilerRecovered = 3404;
    public const int ReconcilerSettingInaccessible = 3405;
    public const int ReconcilerNotificationsOff = 3406;
    public const int ReconcilerConfigured = 3407;
    public const int ReconcilerClusterWithoutNotifications = 3408;
    public const int ReconcilerSubscribed = 3409;
    public const int ReconcilerApplied = 3410;
    public const int ReconcilerApplyFailed = 3411;
    public const int ReconcilerSettingNotChecked = 3412;

    // 3500–3599: rooms (RoomServiceLog; 3100–3105 until they collided with the users' ids).
    public const int RoomJoined = 3500;
    public const int RoomCopied = 3501;
    public const int RoomDeleted = 3502;
    public const int RoomChanged = 3503;
    public const int RoomJoinRefused = 3504;
    public const int RoomStaleIndexEntries = 3505;

    // 3600–3699: sessions (SessionServiceLog; 3201–3203 until they collided with the extensions' ids).
    public const int SessionConnected = 3601;
    public const int SessionDisconnected = 3602;
    public const int SessionNotFound = 3603;

    // 3700–3799: the connection to Redis (ZnDrawConnection).
    public const int ConnectionStartedWithoutRedis = 3700;
    public const int ConnectionLost = 3701;
    public const int ConnectionRestored = 3702;
}
