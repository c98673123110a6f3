using ZnDraw.Storage.Models;

namespace ZnDraw.Storage.Contracts;

/// <summary>Reads and writes a room's scene: geometries, figures, selections, selection groups and the active selection group.</summary>
/// <remarks>
/// <para>
/// JSON is written the way ZnDraw's Python server writes it (<c>json.dumps</c> defaults); geometry data and figures are kept
/// opaque, so member order and number tokens (<c>1.0</c>) survive a round trip byte for byte.
/// </para>
/// <para>
/// Every call is one atomic step except <see cref="MergeAsync"/> (see there). The token is checked before anything is sent and
/// then bounds the wait; a backend may still complete the call. Invalid room ids and empty names throw
/// <see cref="ArgumentException"/> before anything is stored. A stored value that does not parse makes a single read
/// (<see cref="GetAsync"/>, <see cref="GetFigureAsync"/>, <see cref="GetSelectionAsync"/>, <see cref="GetSelectionGroupAsync"/>)
/// and every read-modify-write (<see cref="MergeAsync"/>, <see cref="LoadSelectionGroupAsync"/>) throw
/// <see cref="StorageDataException"/> naming where it is stored, writing nothing; the listings (<see cref="GetAllAsync"/>,
/// <see cref="GetSelectionsAsync"/>, <see cref="GetSelectionGroupsAsync"/>) leave it out and report it (see there).
/// </para>
/// <para>
/// Redis backend: geometries are the hash <c>room:{room}:geometries</c>, figures <c>room:{room}:figures</c>, selections
/// <c>room:{room}:selections</c>, selection groups <c>room:{room}:selection_groups</c> (field: the name) and the active group
/// the string <c>room:{room}:active_selection_group</c>. Every call is one round trip except <see cref="MergeAsync"/>. A key of
/// the wrong Redis type (WRONGTYPE) throws <see cref="StorageDataException"/> naming the key; an unparsable value is named by
/// key and field. All keys belong to one room, so every call is single-slot in the <see cref="KeyLayout.ClusterSafe"/> layout
/// too.
/// </para>
/// </remarks>
public interface IGeometryRepository
{
    /// <summary>The geometry named <paramref name="name"/>, or <see langword="null"/>.</summary>
    /// <exception cref="StorageUnavailableException">The storage backend could not be reached or timed out; the call may be retried (see docs/errors.md).</exception>
    /// <param name="roomId">The room id.</param>
    /// <param name="name">The geometry name (hash field), e.g. <c>particles</c>.</param>
    /// <param name="cancellationToken">Checked before anything is sent, then bounds the wait; a backend may still complete the call.</param>
    /// <returns>The geometry, or <see langword="null"/>.</returns>
    /// <remarks><para>Redis backend: <c>HGET</c>.</para></remarks>
    ValueTask<Geometry?> GetAsync(string roomId, string name, CancellationToken cancellationToken = default);

    /// <summary>Every geometry of the room in stored order; empty when there is none.</summary>
    /// <exception cref="StorageUnavailableException">The storage backend could not be reached or timed out; the call may be retried (see docs/errors.md).</exception>
    /// <param name="roomId">The room id.</param>
    /// <param name="cancellationToken">Checked before anything is sent, then bounds the wait; a backend may still complete the call.</param>
    /// <returns>Name and geometry pairs of the readable geometries.</returns>
    /// <remarks>
    /// <para>The listing never fails because of one entry and never alters a value: a field whose value is not a geometry (for which
    /// <see cref="GetAsync"/> throws <see cref="StorageDataException"/>) is left out and reported: one warning (event id
    /// 2100) naming the key and field, and one count on <see cref="Diagnostics.ZnDrawStorageDiagnostics.UnreadableInstrument"/>
    /// (<c>zndraw.storage.unreadable</c>) tagged <c>aggregate=geometry</c>. Nothing is written. Stored data that is not a set of entries at all throws <see cref="StorageDataException"/>.
    /// </para>
    /// <para>
    /// Redis backend: a hash of the wrong Redis type (WRONGTYPE) holds no entries to list and throws <see cref="StorageDataException"/>.
    ///</para>
    /// <para>Redis backend: <c>HGETALL</c>.</para>
    /// </remarks>
    ValueTask<IReadOnlyList<KeyValuePair<string, Geometry>>> GetAllAsync(string roomId, CancellationToken cancellationToken = default);

    /// <summary>The geometry names of the room in stored order.</summary>
    /// <exception cref="StorageUnavailableException">The storage backend could not be reached or timed out; the call may be retried (see docs/errors.md).</exception>
    /// <param name="roomId">The room id.</param>
    /// <param name="cancellationToken">Checked before anything is sent, then bounds the wait; a backend may still complete the call.</param>
    /// <returns>The names.</returns>
    /// <remarks><para>Redis backend: <c>HKEYS</c>.</para></remarks>
    ValueTask<IReadOnlyList<string>> ListNamesAsync(string roomId, CancellationToken cancellationToken = default);

    /// <summary>Stores (creates or replaces) a geometry as <c>{"type": …, "data": {…}}</c>.</summary>
    /// <exception cref="StorageUnavailableException">The storage backend could not be reached or timed out; the call may be retried (see docs/errors.md).</exception>
    /// <param name="roomId">The room id.</param>
    /// <param name="name">The geometry name, not empty.</param>
    /// <param name="geometry">The geometry; <see cref="Geometry.Data"/> must be a JSON object. The type is not checked against
    /// <see cref="GeometryTypes"/>, so geometry classes of newer ZnDraw versions can be stored.</param>
    /// <param name="cancellationToken">Checked before anything is sent, then bounds the wait; a backend may still complete the call.</param>
    /// <returns>A task that completes when the geometry is stored.</returns>
    /// <remarks><para>Redis backend: <c>HSET</c>.</para></remarks>
    /// <exception cref="ArgumentException"><paramref name="geometry"/> is over <see cref="ZnDrawLimitOptions.MaxGeometryJsonBytes"/> (UTF-8 bytes); nothing is sent.</exception>
    ValueTask SetAsync(string roomId, string name, Geometry geometry, CancellationToken cancellationToken = default);

    /// <summary>
    /// ZnDraw's geometry POST rule: when a geometry of the same name and type exists, the members of
    /// <paramref name="geometry"/>'s data replace or extend the stored data; otherwise (missing, or another type) the geometry is
    /// stored as given.
    /// </summary>
    /// <exception cref="StorageUnavailableException">The storage backend could not be reached or timed out; the call may be retried (see docs/errors.md).</exception>
    /// <param name="roomId">The room id.</param>
    /// <param name="name">The geometry name, not empty.</param>
    /// <param name="geometry">The type and the data members to merge; <see cref="Geometry.Data"/> must be a JSON object.</param>
    /// <param name="cancellationToken">Checked before anything is sent, then bounds the wait; a backend may still complete the call.</param>
    /// <returns>The geometry as stored after the merge.</returns>
    /// <remarks>
    /// <para>
    /// The merge is shallow, like Python's <c>dict.update</c>: stored members keep their position and, where the update names
    /// them, take the new value; new members are appended. It is done in C# and written with the Python-style writer, never
    /// re-encoded by Lua's cjson (which would reorder keys and turn <c>1.0</c> into <c>1</c>).
    /// </para>
    /// <para>
    /// Redis backend: optimistic concurrency: one <c>HGET</c>, then a compare-and-set script (<c>HGET</c>, compare with the value the merge was
    /// based on, <c>HSET</c>). When another writer changed the geometry in between, the script answers with the current value and
    /// the merge is redone on it, up to 16 attempts; each retry is one round trip (the script's answer replaces a new read).
    /// Usually two round trips in all. A script is used rather than <c>ITransaction</c> with <c>Condition.HashEqual</c>: as
    /// StackExchange.Redis documents for <c>ITransaction</c>, a conditional transaction cannot send EXEC until the replies to
    /// its WATCH checks have arrived, so it costs an extra round trip and briefly blocks the shared connection; and a failed
    /// condition returns no current value, so every retry would also need a new read.
    /// </para>
    /// </remarks>
    /// <exception cref="StorageDataException">The stored geometry does not parse (named by key and field); nothing is written, so
    /// a value no read understands is never replaced by a merge.</exception>
    /// <exception cref="InvalidOperationException">Other writers changed the geometry on every one of the attempts (nothing was written by this call).</exception>
    /// <exception cref="ArgumentException"><paramref name="geometry"/> is over <see cref="ZnDrawLimitOptions.MaxGeometryJsonBytes"/> (UTF-8 bytes); nothing is sent.</exception>
    ValueTask<Geometry> MergeAsync(string roomId, string name, Geometry geometry, CancellationToken cancellationToken = default);

    /// <summary>Deletes a geometry.</summary>
    /// <exception cref="StorageUnavailableException">The storage backend could not be reached or timed out; the call may be retried (see docs/errors.md).</exception>
    /// <param name="roomId">The room id.</param>
    /// <param name="name">The geometry name, not empty.</param>
    /// <param name="cancellationToken">Checked before anything is sent, then bounds the wait; a backend may still complete the call.</param>
    /// <returns><see langword="true"/> when it existed.</returns>
    /// <remarks><para>Redis backend: <c>HDEL</c>.</para></remarks>
    ValueTask<bool> DeleteAsync(string roomId, string name, CancellationToken cancellationToken = default);

    /// <summary>The figure stored under <paramref name="name"/>, or <see langword="null"/>.</summary>
    /// <exception cref="StorageUnavailableException">The storage backend could not be reached or timed out; the call may be retried (see docs/errors.md).</exception>
    /// <param name="roomId">The room id.</param>
    /// <param name="name">The figure key, not empty.</param>
    /// <param name="cancellationToken">Checked before anything is sent, then bounds the wait; a backend may still complete the call.</param>
    /// <returns>The figure, or <see langword="null"/>.</returns>
    /// <remarks><para>Redis backend: <c>HGET</c>.</para></remarks>
    ValueTask<Figure?> GetFigureAsync(string roomId, string name, CancellationToken cancellationToken = default);

    /// <summary>Stores a figure (any JSON value, e.g. Plotly JSON) in Python <c>json.dumps</c> form.</summary>
    /// <exception cref="StorageUnavailableException">The storage backend could not be reached or timed out; the call may be retried (see docs/errors.md).</exception>
    /// <param name="roomId">The room id.</param>
    /// <param name="name">The figure key, not empty.</param>
    /// <param name="figure">The figure.</param>
    /// <param name="cancellationToken">Checked before anything is sent, then bounds the wait; a backend may still complete the call.</param>
    /// <returns>A task that completes when the figure is stored.</returns>
    /// <remarks><para>Redis backend: <c>HSET</c>.</para></remarks>
    /// <exception cref="ArgumentException"><paramref name="figure"/> is over <see cref="ZnDrawLimitOptions.MaxFigureJsonBytes"/> (UTF-8 bytes); nothing is sent.</exception>
    ValueTask SetFigureAsync(string roomId, string name, Figure figure, CancellationToken cancellationToken = default);

    /// <summary>Deletes a figure.</summary>
    /// <exception cref="StorageUnavailableException">The storage backend could not be reached or timed out; the call may be retried (see docs/errors.md).</exception>
    /// <param name="roomId">The room id.</param>
    /// <param name="name">The figure key, not empty.</param>
    /// <param name="cancellationToken">Checked before anything is sent, then bounds the wait; a backend may still complete the call.</param>
    /// <returns><see langword="true"/> when it existed.</returns>
    /// <remarks><para>Redis backend: <c>HDEL</c>.</para></remarks>
    ValueTask<bool> DeleteFigureAsync(string roomId, string name, CancellationToken cancellationToken = default);

    /// <summary>The figure keys of the room in stored order.</summary>
    /// <exception cref="StorageUnavailableException">The storage backend could not be reached or timed out; the call may be retried (see docs/errors.md).</exception>
    /// <param name="roomId">The room id.</param>
    /// <param name="cancellationToken">Checked before anything is sent, then bounds the wait; a backend may still complete the call.</param>
    /// <returns>The keys.</returns>
    /// <remarks><para>Redis backend: <c>HKEYS</c>.</para></remarks>
    ValueTask<IReadOnlyList<string>> ListFigureNamesAsync(string roomId, CancellationToken cancellationToken = default);

    /// <summary>The selection of geometry <paramref name="geometry"/>, or <see langword="null"/>.</summary>
    /// <exception cref="StorageUnavailableException">The storage backend could not be reached or timed out; the call may be retried (see docs/errors.md).</exception>
    /// <param name="roomId">The room id.</param>
    /// <param name="geometry">The geometry name, not empty.</param>
    /// <param name="cancellationToken">Checked before anything is sent, then bounds the wait; a backend may still complete the call.</param>
    /// <returns>The selection, or <see langword="null"/>.</returns>
    /// <remarks><para>Redis backend: <c>HGET</c>.</para></remarks>
    ValueTask<Selection?> GetSelectionAsync(string roomId, string geometry, CancellationToken cancellationToken = default);

    /// <summary>Every selection of the room in stored order.</summary>
    /// <exception cref="StorageUnavailableException">The storage backend could not be reached or timed out; the call may be retried (see docs/errors.md).</exception>
    /// <param name="roomId">The room id.</param>
    /// <param name="cancellationToken">Checked before anything is sent, then bounds the wait; a backend may still complete the call.</param>
    /// <returns>The readable selections.</returns>
    /// <remarks>
    /// <para>The listing never fails because of one entry and never alters a value: a field whose value is not an array of non-negative integer indices (for which
    /// <see cref="GetSelectionAsync"/> throws <see cref="StorageDataException"/>) is left out and reported: one warning (event id
    /// 2100) naming the key and field, and one count on <see cref="Diagnostics.ZnDrawStorageDiagnostics.UnreadableInstrument"/>
    /// (<c>zndraw.storage.unreadable</c>) tagged <c>aggregate=selection</c>. Nothing is written. Stored data that is not a set of entries at all throws <see cref="StorageDataException"/>.
    /// </para>
    /// <para>
    /// Redis backend: a hash of the wrong Redis type (WRONGTYPE) holds no entries to list and throws <see cref="StorageDataException"/>.
    ///</para>
    /// <para>Redis backend: <c>HGETALL</c>.</para>
    /// </remarks>
    ValueTask<IReadOnlyList<Selection>> GetSelectionsAsync(string roomId, CancellationToken cancellationToken = default);

    /// <summary>Sets a geometry's selection manually; like ZnDraw, this clears the active selection group.</summary>
    /// <exception cref="StorageUnavailableException">The storage backend could not be reached or timed out; the call may be retried (see docs/errors.md).</exception>
    /// <param name="roomId">The room id.</param>
    /// <param name="selection">The geometry (not empty) and its indices (non-negative), stored as <c>[0, 1]</c>.</param>
    /// <param name="cancellationToken">Checked before anything is sent, then bounds the wait; a backend may still complete the call.</param>
    /// <returns>A task that completes when the selection is stored.</returns>
    /// <remarks>
    /// <para>
    /// The selection and the cleared active group are written together.
    /// </para>
    /// <para>
    /// Redis backend: one MULTI/EXEC: HSET of the selection, DEL of <c>active_selection_group</c>. Redis does not roll a transaction back: if
    /// the selections key holds another Redis type, the HSET fails (<see cref="StorageDataException"/>) while the DEL still runs.
    /// </para>
    /// </remarks>
    /// <exception cref="ArgumentOutOfRangeException">An index is negative.</exception>
    ValueTask SetSelectionAsync(string roomId, Selection selection, CancellationToken cancellationToken = default);

    /// <summary>The selection group named <paramref name="name"/>, or <see langword="null"/>.</summary>
    /// <exception cref="StorageUnavailableException">The storage backend could not be reached or timed out; the call may be retried (see docs/errors.md).</exception>
    /// <param name="roomId">The room id.</param>
    /// <param name="name">The group name, not empty.</param>
    /// <param name="cancellationToken">Checked before anything is sent, then bounds the wait; a backend may still complete the call.</param>
    /// <returns>The group, or <see langword="null"/>.</returns>
    /// <remarks><para>Redis backend: <c>HGET</c>.</para></remarks>
    ValueTask<SelectionGroup?> GetSelectionGroupAsync(string roomId, string name, CancellationToken cancellationToken = default);

    /// <summary>Every selection group of the room in stored order.</summary>
    /// <exception cref="StorageUnavailableException">The storage backend could not be reached or timed out; the call may be retried (see docs/errors.md).</exception>
    /// <param name="roomId">The room id.</param>
    /// <param name="cancellationToken">Checked before anything is sent, then bounds the wait; a backend may still complete the call.</param>
    /// <returns>The readable groups.</returns>
    /// <remarks>
    /// <para>The listing never fails because of one entry and never alters a value: a group whose value is not a JSON object of index arrays (for which
    /// <see cref="GetSelectionGroupAsync"/> throws <see cref="StorageDataException"/>) is left out and reported: one warning (event id
    /// 2100) naming the key and field, and one count on <see cref="Diagnostics.ZnDrawStorageDiagnostics.UnreadableInstrument"/>
    /// (<c>zndraw.storage.unreadable</c>) tagged <c>aggregate=selection_group</c>. Nothing is written. Stored data that is not a set of entries at all throws <see cref="StorageDataException"/>.
    /// </para>
    /// <para>
    /// Redis backend: a hash of the wrong Redis type (WRONGTYPE) holds no entries to list and throws <see cref="StorageDataException"/>.
    ///</para>
    /// <para>Redis backend: <c>HGETALL</c>.</para>
    /// </remarks>
    ValueTask<IReadOnlyList<SelectionGroup>> GetSelectionGroupsAsync(string roomId, CancellationToken cancellationToken = default);

    /// <summary>Stores (creates or replaces) a selection group as <c>{"particles": [0, 1], …}</c>.</summary>
    /// <exception cref="StorageUnavailableException">The storage backend could not be reached or timed out; the call may be retried (see docs/errors.md).</exception>
    /// <param name="roomId">The room id.</param>
    /// <param name="group">The group; its name must not be empty, its indices non-negative.</param>
    /// <param name="cancellationToken">Checked before anything is sent, then bounds the wait; a backend may still complete the call.</param>
    /// <returns>A task that completes when the group is stored.</returns>
    /// <remarks><para>Redis backend: <c>HSET</c>.</para></remarks>
    ValueTask SetSelectionGroupAsync(string roomId, SelectionGroup group, CancellationToken cancellationToken = default);

    /// <summary>Deletes a selection group; when it is the active group, the active group is cleared too. In one atomic step.</summary>
    /// <exception cref="StorageUnavailableException">The storage backend could not be reached or timed out; the call may be retried (see docs/errors.md).</exception>
    /// <param name="roomId">The room id.</param>
    /// <param name="name">The group name, not empty.</param>
    /// <param name="cancellationToken">Checked before anything is sent, then bounds the wait; a backend may still complete the call.</param>
    /// <returns><see langword="true"/> when the group existed.</returns>
    /// <remarks><para>Redis backend: one Lua script (HDEL, GET, DEL). ZnDraw issues HEXISTS, HDEL, GET and DEL separately.</para></remarks>
    ValueTask<bool> DeleteSelectionGroupAsync(string roomId, string name, CancellationToken cancellationToken = default);

    /// <summary>The name of the active selection group, or <see langword="null"/>.</summary>
    /// <exception cref="StorageUnavailableException">The storage backend could not be reached or timed out; the call may be retried (see docs/errors.md).</exception>
    /// <param name="roomId">The room id.</param>
    /// <param name="cancellationToken">Checked before anything is sent, then bounds the wait; a backend may still complete the call.</param>
    /// <returns>The group name, or <see langword="null"/>.</returns>
    /// <remarks><para>Redis backend: <c>GET</c>.</para></remarks>
    ValueTask<string?> GetActiveSelectionGroupAsync(string roomId, CancellationToken cancellationToken = default);

    /// <summary>Loads a selection group: every selection it holds is written to the selections hash and the group becomes active.</summary>
    /// <exception cref="StorageUnavailableException">The storage backend could not be reached or timed out; the call may be retried (see docs/errors.md).</exception>
    /// <param name="roomId">The room id.</param>
    /// <param name="name">The group name, not empty.</param>
    /// <param name="cancellationToken">Checked before anything is sent, then bounds the wait; a backend may still complete the call.</param>
    /// <returns><see langword="true"/> when the group was loaded; <see langword="false"/> when it does not exist (nothing changed).</returns>
    /// <remarks>
    /// <para>
    /// In one atomic step (ZnDraw sends each write separately). Selections of geometries the group does not name are kept, as in ZnDraw. The selections are written in Python's form (<c>[0, 1]</c>).
    /// </para>
    /// <para>
    /// Redis backend: one Lua script (HGET, one HSET per geometry, SET), where ZnDraw sends each HSET and the SET separately. Selections of
    /// geometries the group does not name are kept, as in ZnDraw. The selections are written in Python's form (<c>[0, 1]</c>);
    /// the order in which new geometry fields are added to the selections hash is not the group's order.
    /// </para>
    /// </remarks>
    /// <exception cref="StorageDataException">The stored group is not a JSON object of index arrays (nothing changed).</exception>
    ValueTask<bool> LoadSelectionGroupAsync(string roomId, string name, CancellationToken cancellationToken = default);
}
