using System.Buffers;
using System.Collections.Immutable;
using System.Data.Common;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using ZnDraw.Storage.Contracts;
using ZnDraw.Storage.Diagnostics;
using ZnDraw.Storage.Models;
using ZnDraw.Storage.Serialization;

namespace ZnDraw.Storage.Sql.Repositories;

/// <summary>The SQL implementation of <see cref="IGeometryRepository"/>.</summary>
/// <remarks>
/// <para>
/// Tables <c>room_geometries</c>, <c>room_figures</c> (key: room, name), <c>room_selections</c> (room, geometry) and
/// <c>room_selection_groups</c> (room, name), each with its JSON as text in <c>value</c>, byte for byte what the Redis
/// backend stores in the matching hash field; the active selection group is the row of the room in
/// <c>room_active_selection_groups</c>. Listings are ordered by name, ordinally.
/// </para>
/// <para>
/// As on Redis, the room need not exist: nothing here reads or writes <c>rooms</c>. A value that does not parse is a
/// <see cref="StorageDataException"/> whose key is <c>{table}:{room}/{name}</c> and whose field is the column, <c>value</c>.
/// </para>
/// </remarks>
internal sealed class SqlGeometryRepository : IGeometryRepository, IDbSystemNamed
{
    /// <summary>How often <see cref="MergeAsync"/> starts over when another writer inserted or deleted the row in between.</summary>
    internal const int MaxMergeAttempts = 16;

    internal const string GeometriesTable = "room_geometries";
    internal const string FiguresTable = "room_figures";
    internal const string SelectionsTable = "room_selections";
    internal const string GroupsTable = "room_selection_groups";
    internal const string ActiveGroupTable = "room_active_selection_groups";

    /// <summary>The column that holds the JSON of every scene table (the field of a <see cref="StorageDataException"/>).</summary>
    internal const string ValueColumn = "value";

    // Rows per INSERT statement when a selection group is loaded (3 parameters a row: far under both dialects' limits).
    private const int LoadRowsPerStatement = 200;

    private static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = JsonValues.MaxDepth };

    private readonly SqlStoreContext _context;

    /// <inheritdoc />
    public string DbSystemName => _context.Dialect.DbSystemName;
    private readonly Statements _geometries;
    private readonly Statements _figures;
    private readonly Statements _selections;
    private readonly Statements _groups;
    private readonly string _mergeRead;
    private readonly string _mergeInsert;
    private readonly string _mergeUpdate;
    private readonly string _setSelection;
    private readonly string _deleteGroup;
    private readonly string _loadRead;
    private readonly string _activeGroup;

    public SqlGeometryRepository(SqlStoreContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        _context = context;
        _geometries = new Statements(GeometriesTable, "name", context.Dialect.Ordinal);
        _figures = new Statements(FiguresTable, "name", context.Dialect.Ordinal);
        _selections = new Statements(SelectionsTable, "geometry", context.Dialect.Ordinal);
        _groups = new Statements(GroupsTable, "name", context.Dialect.Ordinal);

        // PostgreSQL: the row lock makes the read-merge-write one step; SQLite's write transaction holds the database lock.
        string lockRow = context.Dialect.ForUpdate;
        _mergeRead = _geometries.Get + lockRow;
        _mergeInsert = $"INSERT INTO {GeometriesTable} (room_id, name, value) VALUES (@room, @name, @value) ON CONFLICT (room_id, name) DO NOTHING";
        _mergeUpdate = $"UPDATE {GeometriesTable} SET value = @value WHERE room_id = @room AND name = @name";
        _setSelection = $"{_selections.Upsert}; DELETE FROM {ActiveGroupTable} WHERE room_id = @room";
        _deleteGroup = $"{_groups.Delete} RETURNING 1; DELETE FROM {ActiveGroupTable} WHERE room_id = @room AND name = @name";
        _loadRead = _groups.Get + context.Dialect.ForShare;
        _activeGroup = $"SELECT name FROM {ActiveGroupTable} WHERE room_id = @room";
    }

    // ---------------------------------------------------------------- geometries

    /// <inheritdoc/>
    public ValueTask<Geometry?> GetAsync(string roomId, string name, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        KeyValidation.ValidateRoomId(roomId);
        ArgumentException.ThrowIfNullOrEmpty(name);
        return _context.ReadAsync(
            "IGeometryRepository.GetAsync",
            EntryKey(GeometriesTable, roomId, name),
            (_geometries.Get, roomId, name),
            static async (call, s) =>
            {
                string? value = await ReadValueAsync(call, s.Get, s.roomId, s.name).ConfigureAwait(false);
                return value is null ? null : ParseGeometry(s.roomId, s.name, value);
            },
            cancellationToken);
    }

    /// <inheritdoc/>
    public ValueTask<IReadOnlyList<KeyValuePair<string, Geometry>>> GetAllAsync(string roomId, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        KeyValidation.ValidateRoomId(roomId);
        return _context.ReadAsync(
            "IGeometryRepository.GetAllAsync",
            TableKey(GeometriesTable, roomId),
            (_geometries.List, roomId, _context.Logger),
            static async (call, s) =>
            {
                var result = new List<KeyValuePair<string, Geometry>>();
                await using DbCommand command = RoomCommand(call, s.List, s.roomId);
                await using DbDataReader reader = await call.QueryAsync(command).ConfigureAwait(false);
                while (await reader.ReadAsync(call.CancellationToken).ConfigureAwait(false))
                {
                    string name = reader.GetString(0);
                    try
                    {
                        result.Add(new(name, ParseGeometry(s.roomId, name, reader.GetString(1))));
                    }
                    catch (StorageDataException ex)
                    {
                        UnreadableEntries.Report(s.Logger, UnreadableEntries.Geometry, ex);
                    }
                }

                return (IReadOnlyList<KeyValuePair<string, Geometry>>)result;
            },
            cancellationToken);
    }

    /// <inheritdoc/>
    public ValueTask<IReadOnlyList<string>> ListNamesAsync(string roomId, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        KeyValidation.ValidateRoomId(roomId);
        return ListNamesAsync("IGeometryRepository.ListNamesAsync", _geometries, roomId, cancellationToken);
    }

    /// <inheritdoc/>
    public ValueTask SetAsync(string roomId, string name, Geometry geometry, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        KeyValidation.ValidateRoomId(roomId);
        ArgumentException.ThrowIfNullOrEmpty(name);
        string value = FormatGeometry(geometry);
        SizeLimits.CheckBytes(value.Length, _context.Limits.MaxGeometryJsonBytes, "geometry JSON", nameof(geometry));
        return UpsertAsync("IGeometryRepository.SetAsync", GeometriesTable, _geometries.Upsert, roomId, name, value, cancellationToken);
    }

    /// <inheritdoc/>
    /// <remarks>
    /// One transaction: the row is read under a row lock (PostgreSQL <c>FOR UPDATE</c>; SQLite's write transaction locks
    /// the database), merged in C# with the Python-style writer and written back, so concurrent merges queue instead of
    /// retrying. A missing row is inserted with <c>ON CONFLICT DO NOTHING</c>; when a concurrent merge inserted it first,
    /// the merge starts over on that row.
    /// </remarks>
    public ValueTask<Geometry> MergeAsync(string roomId, string name, Geometry geometry, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        KeyValidation.ValidateRoomId(roomId);
        ArgumentException.ThrowIfNullOrEmpty(name);
        GeometryJson.Validate(geometry); // the whole update is written only when nothing of its type is stored
        return _context.WriteAsync(
            "IGeometryRepository.MergeAsync",
            EntryKey(GeometriesTable, roomId, name),
            (this, roomId, name, geometry),
            static async (call, s) =>
            {
                SqlGeometryRepository self = s.Item1;
                for (int attempt = 0; attempt < MaxMergeAttempts; attempt++)
                {
                    string? current = await ReadValueAsync(call, self._mergeRead, s.roomId, s.name).ConfigureAwait(false);
                    string merged = MergeGeometry(s.roomId, s.name, current, s.geometry);
                    SizeLimits.CheckBytes(merged.Length, self._context.Limits.MaxGeometryJsonBytes, "merged geometry JSON", nameof(geometry));
                    await using DbCommand command = RoomCommand(call, current is null ? self._mergeInsert : self._mergeUpdate, s.roomId);
                    SqlCall.Add(command, "@name", s.name);
                    SqlCall.Add(command, "@value", merged);
                    if (await call.ExecuteAsync(command).ConfigureAwait(false) == 1)
                    {
                        return ParseGeometry(s.roomId, s.name, merged);
                    }
                }

                throw new InvalidOperationException(
                    $"Geometry '{s.name}' of room '{s.roomId}' was inserted or deleted by other writers during each of {MaxMergeAttempts} merge attempts; nothing was written.");
            },
            null,
            cancellationToken);
    }

    /// <inheritdoc/>
    public ValueTask<bool> DeleteAsync(string roomId, string name, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        KeyValidation.ValidateRoomId(roomId);
        ArgumentException.ThrowIfNullOrEmpty(name);
        return DeleteRowAsync("IGeometryRepository.DeleteAsync", GeometriesTable, _geometries.Delete, roomId, name, cancellationToken);
    }

    // ---------------------------------------------------------------- figures

    /// <inheritdoc/>
    public ValueTask<Figure?> GetFigureAsync(string roomId, string name, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        KeyValidation.ValidateRoomId(roomId);
        ArgumentException.ThrowIfNullOrEmpty(name);
        return _context.ReadAsync(
            "IGeometryRepository.GetFigureAsync",
            EntryKey(FiguresTable, roomId, name),
            (_figures.Get, roomId, name),
            static async (call, s) =>
            {
                string? value = await ReadValueAsync(call, s.Get, s.roomId, s.name).ConfigureAwait(false);
                if (value is null)
                {
                    return null;
                }

                using JsonDocument document = ParseDocument(FiguresTable, s.roomId, s.name, value);
                return new Figure(document.RootElement.Clone());
            },
            cancellationToken);
    }

    /// <inheritdoc/>
    public ValueTask SetFigureAsync(string roomId, string name, Figure figure, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        KeyValidation.ValidateRoomId(roomId);
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(figure);
        JsonValues.RequireDefined(figure.Value, nameof(figure));
        string value = PythonJsonWriter.Serialize(figure.Value);
        SizeLimits.CheckBytes(value.Length, _context.Limits.MaxFigureJsonBytes, "figure JSON", nameof(figure));
        return UpsertAsync("IGeometryRepository.SetFigureAsync", FiguresTable, _figures.Upsert, roomId, name, value, cancellationToken);
    }

    /// <inheritdoc/>
    public ValueTask<bool> DeleteFigureAsync(string roomId, string name, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        KeyValidation.ValidateRoomId(roomId);
        ArgumentException.ThrowIfNullOrEmpty(name);
        return DeleteRowAsync("IGeometryRepository.DeleteFigureAsync", FiguresTable, _figures.Delete, roomId, name, cancellationToken);
    }

    /// <inheritdoc/>
    public ValueTask<IReadOnlyList<string>> ListFigureNamesAsync(string roomId, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        KeyValidation.ValidateRoomId(roomId);
        return ListNamesAsync("IGeometryRepository.ListFigureNamesAsync", _figures, roomId, cancellationToken);
    }

    // ---------------------------------------------------------------- selections

    /// <inheritdoc/>
    public ValueTask<Selection?> GetSelectionAsync(string roomId, string geometry, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        KeyValidation.ValidateRoomId(roomId);
        ArgumentException.ThrowIfNullOrEmpty(geometry);
        return _context.ReadAsync(
            "IGeometryRepository.GetSelectionAsync",
            EntryKey(SelectionsTable, roomId, geometry),
            (_selections.Get, roomId, geometry),
            static async (call, s) =>
            {
                string? value = await ReadValueAsync(call, s.Get, s.roomId, s.geometry).ConfigureAwait(false);
                return value is null ? null : new Selection(s.geometry, ParseIndices(s.roomId, s.geometry, value));
            },
            cancellationToken);
    }

    /// <inheritdoc/>
    public ValueTask<IReadOnlyList<Selection>> GetSelectionsAsync(string roomId, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        KeyValidation.ValidateRoomId(roomId);
        return _context.ReadAsync(
            "IGeometryRepository.GetSelectionsAsync",
            TableKey(SelectionsTable, roomId),
            (_selections.List, roomId, _context.Logger),
            static async (call, s) =>
            {
                var result = new List<Selection>();
                await using DbCommand command = RoomCommand(call, s.List, s.roomId);
                await using DbDataReader reader = await call.QueryAsync(command).ConfigureAwait(false);
                while (await reader.ReadAsync(call.CancellationToken).ConfigureAwait(false))
                {
                    string geometry = reader.GetString(0);
                    try
                    {
                        result.Add(new Selection(geometry, ParseIndices(s.roomId, geometry, reader.GetString(1))));
                    }
                    catch (StorageDataException ex)
                    {
                        UnreadableEntries.Report(s.Logger, UnreadableEntries.Selection, ex);
                    }
                }

                return (IReadOnlyList<Selection>)result;
            },
            cancellationToken);
    }

    /// <inheritdoc/>
    public ValueTask SetSelectionAsync(string roomId, Selection selection, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        KeyValidation.ValidateRoomId(roomId);
        ArgumentNullException.ThrowIfNull(selection);
        ArgumentException.ThrowIfNullOrEmpty(selection.Geometry, nameof(selection));
        string value = FormatIndices(selection.Indices.IsDefault ? [] : selection.Indices.AsSpan());
        return UpsertAsync("IGeometryRepository.SetSelectionAsync", SelectionsTable, _setSelection, roomId, selection.Geometry, value, cancellationToken);
    }

    // ---------------------------------------------------------------- selection groups

    /// <inheritdoc/>
    public ValueTask<SelectionGroup?> GetSelectionGroupAsync(string roomId, string name, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        KeyValidation.ValidateRoomId(roomId);
        ArgumentException.ThrowIfNullOrEmpty(name);
        return _context.ReadAsync(
            "IGeometryRepository.GetSelectionGroupAsync",
            EntryKey(GroupsTable, roomId, name),
            (_groups.Get, roomId, name),
            static async (call, s) =>
            {
                string? value = await ReadValueAsync(call, s.Get, s.roomId, s.name).ConfigureAwait(false);
                return value is null ? null : ParseGroup(s.roomId, s.name, value);
            },
            cancellationToken);
    }

    /// <inheritdoc/>
    public ValueTask<IReadOnlyList<SelectionGroup>> GetSelectionGroupsAsync(string roomId, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        KeyValidation.ValidateRoomId(roomId);
        return _context.ReadAsync(
            "IGeometryRepository.GetSelectionGroupsAsync",
            TableKey(GroupsTable, roomId),
            (_groups.List, roomId, _context.Logger),
            static async (call, s) =>
            {
                var result = new List<SelectionGroup>();
                await using DbCommand command = RoomCommand(call, s.List, s.roomId);
                await using DbDataReader reader = await call.QueryAsync(command).ConfigureAwait(false);
                while (await reader.ReadAsync(call.CancellationToken).ConfigureAwait(false))
                {
                    string name = reader.GetString(0);
                    try
                    {
                        result.Add(ParseGroup(s.roomId, name, reader.GetString(1)));
                    }
                    catch (StorageDataException ex)
                    {
                        UnreadableEntries.Report(s.Logger, UnreadableEntries.SelectionGroup, ex);
                    }
                }

                return (IReadOnlyList<SelectionGroup>)result;
            },
            cancellationToken);
    }

    /// <inheritdoc/>
    public ValueTask SetSelectionGroupAsync(string roomId, SelectionGroup group, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        KeyValidation.ValidateRoomId(roomId);
        ArgumentNullException.ThrowIfNull(group);
        ArgumentException.ThrowIfNullOrEmpty(group.Name, nameof(group));
        string value = FormatGroup(group);
        return UpsertAsync("IGeometryRepository.SetSelectionGroupAsync", GroupsTable, _groups.Upsert, roomId, group.Name, value, cancellationToken);
    }

    /// <inheritdoc/>
    public ValueTask<bool> DeleteSelectionGroupAsync(string roomId, string name, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        KeyValidation.ValidateRoomId(roomId);
        ArgumentException.ThrowIfNullOrEmpty(name);
        return _context.WriteAsync(
            "IGeometryRepository.DeleteSelectionGroupAsync",
            EntryKey(GroupsTable, roomId, name),
            (_deleteGroup, roomId, name),
            static async (call, s) =>
            {
                await using DbCommand command = RoomCommand(call, s._deleteGroup, s.roomId);
                SqlCall.Add(command, "@name", s.name);
                await using DbDataReader reader = await call.QueryAsync(command).ConfigureAwait(false);
                bool deleted = await reader.ReadAsync(call.CancellationToken).ConfigureAwait(false);

                // The second statement (clearing the active group when it is this one) runs as the reader moves past the first.
                while (await reader.NextResultAsync(call.CancellationToken).ConfigureAwait(false))
                {
                }

                return deleted;
            },
            null,
            cancellationToken);
    }

    /// <inheritdoc/>
    public ValueTask<string?> GetActiveSelectionGroupAsync(string roomId, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        KeyValidation.ValidateRoomId(roomId);
        return _context.ReadAsync(
            "IGeometryRepository.GetActiveSelectionGroupAsync",
            TableKey(ActiveGroupTable, roomId),
            (_activeGroup, roomId),
            static async (call, s) =>
            {
                await using DbCommand command = RoomCommand(call, s._activeGroup, s.roomId);
                object? value = await call.ScalarAsync(command).ConfigureAwait(false);
                return value is string name ? name : null;
            },
            cancellationToken);
    }

    /// <inheritdoc/>
    /// <remarks>
    /// One transaction: the group row is read (PostgreSQL <c>FOR SHARE</c>, so that it cannot change before the load
    /// commits), checked as the Redis script checks it, then its selections are upserted and the group made active in one
    /// command.
    /// </remarks>
    public ValueTask<bool> LoadSelectionGroupAsync(string roomId, string name, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        KeyValidation.ValidateRoomId(roomId);
        ArgumentException.ThrowIfNullOrEmpty(name);
        return _context.WriteAsync(
            "IGeometryRepository.LoadSelectionGroupAsync",
            EntryKey(GroupsTable, roomId, name),
            (_loadRead, roomId, name),
            static async (call, s) =>
            {
                string? value = await ReadValueAsync(call, s._loadRead, s.roomId, s.name).ConfigureAwait(false);
                if (value is null)
                {
                    return false;
                }

                List<KeyValuePair<string, string>> selections = LoadableSelections(value)
                    ?? throw Unreadable(GroupsTable, s.roomId, s.name, "expected a JSON object {geometry: [non-negative integer indices]}; nothing was loaded.");
                await using DbCommand command = RoomCommand(call, LoadStatements(selections.Count), s.roomId);
                SqlCall.Add(command, "@name", s.name);
                for (int i = 0; i < selections.Count; i++)
                {
                    SqlCall.Add(command, "@g" + i.ToString(System.Globalization.CultureInfo.InvariantCulture), selections[i].Key);
                    SqlCall.Add(command, "@v" + i.ToString(System.Globalization.CultureInfo.InvariantCulture), selections[i].Value);
                }

                await call.ExecuteAsync(command).ConfigureAwait(false);
                return true;
            },
            null,
            cancellationToken);
    }

    // ---------------------------------------------------------------- shared calls

    /// <summary>The key a <see cref="StorageDataException"/> names for one row: <c>{table}:{room}/{name}</c>.</summary>
    internal static string EntryKey(string table, string roomId, string name) => string.Concat(table, ":", roomId, "/", name);

    private static string TableKey(string table, string roomId) => string.Concat(table, ":", roomId);

    private static DbCommand RoomCommand(SqlCall call, string sql, string roomId)
    {
        DbCommand command = call.Command(sql);
        SqlCall.Add(command, "@room", roomId);
        return command;
    }

    /// <summary>The <c>value</c> of one row, or null.</summary>
    private static async ValueTask<string?> ReadValueAsync(SqlCall call, string sql, string roomId, string name)
    {
        await using DbCommand command = RoomCommand(call, sql, roomId);
        SqlCall.Add(command, "@name", name);
        return await call.ScalarAsync(command).ConfigureAwait(false) as string;
    }

    private ValueTask<IReadOnlyList<string>> ListNamesAsync(string operation, Statements table, string roomId, CancellationToken cancellationToken) =>
        _context.ReadAsync(
            operation,
            TableKey(table.Table, roomId),
            (table.Names, roomId),
            static async (call, s) =>
            {
                var names = new List<string>();
                await using DbCommand command = RoomCommand(call, s.Names, s.roomId);
                await using DbDataReader reader = await call.QueryAsync(command).ConfigureAwait(false);
                while (await reader.ReadAsync(call.CancellationToken).ConfigureAwait(false))
                {
                    names.Add(reader.GetString(0));
                }

                return (IReadOnlyList<string>)names;
            },
            cancellationToken);

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask UpsertAsync(string operation, string table, string sql, string roomId, string name, string value, CancellationToken cancellationToken) =>
        await _context.WriteAsync(
            operation,
            EntryKey(table, roomId, name),
            (sql, roomId, name, value),
            static async (call, s) =>
            {
                await using DbCommand command = RoomCommand(call, s.sql, s.roomId);
                SqlCall.Add(command, "@name", s.name);
                SqlCall.Add(command, "@value", s.value);
                return await call.ExecuteAsync(command).ConfigureAwait(false);
            },
            null,
            cancellationToken).ConfigureAwait(false);

    private ValueTask<bool> DeleteRowAsync(string operation, string table, string sql, string roomId, string name, CancellationToken cancellationToken) =>
        _context.WriteAsync(
            operation,
            EntryKey(table, roomId, name),
            (sql, roomId, name),
            static async (call, s) =>
            {
                await using DbCommand command = RoomCommand(call, s.sql, s.roomId);
                SqlCall.Add(command, "@name", s.name);
                return await call.ExecuteAsync(command).ConfigureAwait(false) > 0;
            },
            null,
            cancellationToken);

    /// <summary>The upserts of a loaded group's selections (<c>@g{i}</c>, <c>@v{i}</c>) and the statement that makes it active.</summary>
    private static string LoadStatements(int count)
    {
        var sql = new StringBuilder();
        for (int start = 0; start < count; start += LoadRowsPerStatement)
        {
            sql.Append("INSERT INTO ").Append(SelectionsTable).Append(" (room_id, geometry, value) VALUES ");
            int end = Math.Min(count, start + LoadRowsPerStatement);
            for (int i = start; i < end; i++)
            {
                sql.Append(i == start ? "(@room, @g" : ", (@room, @g").Append(i).Append(", @v").Append(i).Append(')');
            }

            sql.Append(" ON CONFLICT (room_id, geometry) DO UPDATE SET value = excluded.value; ");
        }

        return sql.Append("INSERT INTO ").Append(ActiveGroupTable)
            .Append(" (room_id, name) VALUES (@room, @name) ON CONFLICT (room_id) DO UPDATE SET name = excluded.name").ToString();
    }

    // ---------------------------------------------------------------- JSON (the Redis backend's rules, over text)

    /// <summary><c>{"type": "&lt;Type&gt;", "data": {…}}</c> in Python <c>json.dumps</c> style (pure ASCII).</summary>
    internal static string FormatGeometry(Geometry geometry) => GeometryJson.FormatText(geometry);

    /// <summary>Reads a stored geometry.</summary>
    /// <exception cref="StorageDataException">Broken JSON, not an object, <c>type</c> missing or not a non-empty string, <c>data</c> missing or not an object.</exception>
    internal static Geometry ParseGeometry(string roomId, string name, string value)
    {
        var at = new Row(GeometriesTable, roomId, name);
        using JsonDocument document = StoredJson.ParseObjectDocument(at, value);
        return GeometryJson.Read(at, document.RootElement);
    }

    /// <summary>
    /// The value a merge of <paramref name="update"/> into <paramref name="current"/> stores (see
    /// <see cref="GeometryJson.MergeText{TLocation}"/>), or the update as a whole when nothing is stored. The same bytes as
    /// the Redis backend's merge.
    /// </summary>
    /// <exception cref="StorageDataException">The stored value is not a geometry.</exception>
    internal static string MergeGeometry(string roomId, string name, string? current, Geometry update)
    {
        if (current is null)
        {
            return FormatGeometry(update);
        }

        var at = new Row(GeometriesTable, roomId, name);
        using JsonDocument document = StoredJson.ParseObjectDocument(at, current);
        return GeometryJson.MergeText(at, document.RootElement, update);
    }

    /// <summary>Python <c>json.dumps(list)</c> of the indices: <c>[0, 1]</c>, <c>[]</c>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An index is negative.</exception>
    internal static string FormatIndices(ReadOnlySpan<int> indices) => StoredJson.FormatIndexArrayText(indices);

    /// <summary>A group's JSON: <c>{"particles": [0, 1], …}</c> in Python style.</summary>
    internal static string FormatGroup(SelectionGroup group) => SelectionJson.FormatGroupText(group);

    /// <summary>Reads a JSON array of non-negative ints (a stored selection).</summary>
    /// <exception cref="StorageDataException">Broken JSON, not an array, or an element that is not a non-negative int.</exception>
    internal static ImmutableArray<int> ParseIndices(string roomId, string geometry, string value) =>
        ImmutableCollectionsMarshal.AsImmutableArray(StoredJson.ParseIndexArray(new Row(SelectionsTable, roomId, geometry), value));

    /// <summary>Reads a stored selection group.</summary>
    /// <remarks>A geometry named twice keeps its first position and its last value, as Python's <c>json.loads</c> does.</remarks>
    /// <exception cref="StorageDataException">Broken JSON, not an object, or a member that is not an index array.</exception>
    internal static SelectionGroup ParseGroup(string roomId, string name, string value) =>
        SelectionJson.ParseGroup(new Row(GroupsTable, roomId, name), name, value);

    /// <summary>
    /// The selections a load writes (geometry, Python-form index array), or null when the stored group is not loadable.
    /// </summary>
    /// <remarks>
    /// The Redis backend's load script decides with Lua's cjson, and so does this: the root must be an object; a geometry
    /// named twice counts with its last value; each value must be an array of numbers that are whole, at least 0 and at most
    /// 2147483647 (<c>1.0</c> and <c>1e2</c> pass and are written <c>1</c> and <c>100</c>), or an empty object (cjson reads
    /// <c>{}</c> and <c>[]</c> alike); a name with a lone surrogate escape is refused, as cjson refuses it.
    /// </remarks>
    internal static List<KeyValuePair<string, string>>? LoadableSelections(string value)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(value, DocumentOptions);
        }
        catch (JsonException)
        {
            return null;
        }

        using (document)
        {
            JsonElement root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return null;
            }

            var last = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
            foreach (JsonProperty property in root.EnumerateObject())
            {
                string geometry = JsonValues.GetName(property);
                if (HasLoneSurrogate(geometry))
                {
                    return null;
                }

                last[geometry] = property.Value;
            }

            var result = new List<KeyValuePair<string, string>>(last.Count);
            Span<int> stack = stackalloc int[32];
            foreach ((string geometry, JsonElement indices) in last)
            {
                if (indices.ValueKind == JsonValueKind.Object && indices.GetPropertyCount() == 0)
                {
                    result.Add(new(geometry, "[]"));
                    continue;
                }

                if (indices.ValueKind != JsonValueKind.Array)
                {
                    return null;
                }

                int count = indices.GetArrayLength();
                int[]? rented = count > stack.Length ? ArrayPool<int>.Shared.Rent(count) : null;
                Span<int> items = rented ?? stack;
                try
                {
                    int n = 0;
                    foreach (JsonElement item in indices.EnumerateArray())
                    {
                        if (item.ValueKind != JsonValueKind.Number || !item.TryGetDouble(out double number)
                            || !(number >= 0 && number <= int.MaxValue) || number != Math.Floor(number))
                        {
                            return null;
                        }

                        items[n++] = (int)number;
                    }

                    result.Add(new(geometry, FormatIndices(items[..n])));
                }
                finally
                {
                    if (rented is not null)
                    {
                        ArrayPool<int>.Shared.Return(rented);
                    }
                }
            }

            // One order for every load: concurrent loads lock the selection rows they share in the same order (no deadlock).
            result.Sort(static (a, b) => string.CompareOrdinal(a.Key, b.Key));
            return result;
        }
    }

    private static bool HasLoneSurrogate(string text)
    {
        for (int i = 0; i < text.Length; i++)
        {
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(text[i]))
            {
                return true;
            }
        }

        return false;
    }

    private static JsonDocument ParseDocument(string table, string roomId, string name, string value) =>
        StoredJson.ParseDocument(new Row(table, roomId, name), value);

    /// <summary>An unreadable row: the key names table, room and name; the field is the column.</summary>
    private static StorageDataException Unreadable(string table, string roomId, string name, string message, Exception? inner = null) =>
        new(EntryKey(table, roomId, name), ValueColumn, message, inner);

    /// <summary>A row's <c>value</c>, for the neutral readers' errors (the key becomes text only when one is thrown).</summary>
    private readonly struct Row(string table, string roomId, string name) : IStoredValueLocation
    {
        public StorageDataException Unreadable(string message, Exception? innerException = null) =>
            SqlGeometryRepository.Unreadable(table, roomId, name, message, innerException);
    }

    /// <summary>The statements of one scene table (key: room and <paramref name="Column"/>).</summary>
    private sealed record Statements(string Table, string Column, string Ordinal)
    {
        public string Get { get; } = $"SELECT value FROM {Table} WHERE room_id = @room AND {Column} = @name";

        public string List { get; } = $"SELECT {Column}, value FROM {Table} WHERE room_id = @room ORDER BY {Column}{Ordinal}";

        public string Names { get; } = $"SELECT {Column} FROM {Table} WHERE room_id = @room ORDER BY {Column}{Ordinal}";

        public string Upsert { get; } =
            $"INSERT INTO {Table} (room_id, {Column}, value) VALUES (@room, @name, @value) ON CONFLICT (room_id, {Column}) DO UPDATE SET value = excluded.value";

        public string Delete { get; } = $"DELETE FROM {Table} WHERE room_id = @room AND {Column} = @name";
    }
}
