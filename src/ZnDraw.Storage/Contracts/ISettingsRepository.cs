using System.Text.Json;
using ZnDraw.Storage.Models;

namespace ZnDraw.Storage.Contracts;

/// <summary>
/// Reads and writes a user's per-room settings (one JSON object per section) and the user's last submitted extension form data
/// (one JSON value per extension and category).
/// </summary>
/// <remarks>
/// <para>
/// For category <c>settings</c> both are the same store, as in ZnDraw. Values are written in Python <c>json.dumps</c> form.
/// Deleting the room deletes them. Every call is one atomic step. The token is checked before anything is sent and then bounds
/// the wait; a backend may still complete the call. Invalid ids throw <see cref="ArgumentException"/> before anything is
/// stored; a value that does not parse throws <see cref="StorageDataException"/>.
/// </para>
/// <para>
/// Redis backend: settings are the hash <c>room:{room}:user:{user}:settings</c> (field: the section) and form data the hash
/// <c>room:{room}:user:{user}:{category}</c> (field: the extension). Every write also adds the key's name to the room's key
/// registry (<c>room:{room}:keys</c>) in the same MULTI/EXEC, so deleting the room finds these id-bearing keys without SCAN.
/// Both keys are keys of the room, so this stays single-slot in the <see cref="KeyLayout.ClusterSafe"/> layout. Every call
/// is one round trip. A key of the wrong Redis type (WRONGTYPE) throws <see cref="StorageDataException"/>.
/// </para>
/// </remarks>
public interface ISettingsRepository
{
    /// <summary>One settings section, e.g. <see cref="RoomSettingsSections.Camera"/>, or <see langword="null"/>.</summary>
    /// <exception cref="StorageUnavailableException">The storage backend could not be reached or timed out; the call may be retried (see docs/errors.md).</exception>
    /// <param name="roomId">The room id.</param>
    /// <param name="userName">The user name.</param>
    /// <param name="section">The section name, not empty.</param>
    /// <param name="cancellationToken">Checked before anything is sent, then bounds the wait; a backend may still complete the call.</param>
    /// <returns>The section's JSON object, or <see langword="null"/>.</returns>
    /// <remarks><para>Redis backend: <c>HGET</c>.</para></remarks>
    /// <exception cref="StorageDataException">The stored section is not a JSON object.</exception>
    ValueTask<JsonElement?> GetSectionAsync(string roomId, string userName, string section, CancellationToken cancellationToken = default);

    /// <summary>All of the user's settings sections in the room, or <see langword="null"/> when the user has none.</summary>
    /// <exception cref="StorageUnavailableException">The storage backend could not be reached or timed out; the call may be retried (see docs/errors.md).</exception>
    /// <param name="roomId">The room id.</param>
    /// <param name="userName">The user name.</param>
    /// <param name="cancellationToken">Checked before anything is sent, then bounds the wait; a backend may still complete the call.</param>
    /// <returns>The settings, or <see langword="null"/>.</returns>
    /// <remarks>
    /// <para>Not a listing: the sections are one aggregate, the user's settings in the room, which a host shows and writes back as a
    /// whole (<see cref="SetSectionsAsync"/>). Leaving out a section it cannot read would hand back settings that are not the
    /// stored ones, and writing them back would replace that section by the defaults; so a section that is not a JSON object
    /// throws, as <see cref="GetSectionAsync"/> does.
    ///</para>
    /// <para>Redis backend: <c>HGETALL</c>.</para>
    /// </remarks>
    /// <exception cref="StorageDataException">A section is not a JSON object (named by key and field).</exception>
    ValueTask<UserRoomSettings?> GetAllAsync(string roomId, string userName, CancellationToken cancellationToken = default);

    /// <summary>Stores one settings section (a JSON object). In one atomic step.</summary>
    /// <exception cref="StorageUnavailableException">The storage backend could not be reached or timed out; the call may be retried (see docs/errors.md).</exception>
    /// <param name="roomId">The room id.</param>
    /// <param name="userName">The user name.</param>
    /// <param name="section">The section name, not empty.</param>
    /// <param name="value">The section; must be a JSON object.</param>
    /// <param name="cancellationToken">Checked before anything is sent, then bounds the wait; a backend may still complete the call.</param>
    /// <returns>A task that completes when the section is stored.</returns>
    /// <remarks><para>Redis backend: one MULTI/EXEC: HSET, SADD to the room's key registry.</para></remarks>
    ValueTask SetSectionAsync(string roomId, string userName, string section, JsonElement value, CancellationToken cancellationToken = default);

    /// <summary>Stores several settings sections at once; sections not named are kept. In one atomic step.</summary>
    /// <exception cref="StorageUnavailableException">The storage backend could not be reached or timed out; the call may be retried (see docs/errors.md).</exception>
    /// <param name="roomId">The room id.</param>
    /// <param name="userName">The user name.</param>
    /// <param name="settings">The sections; each value must be a JSON object, names not empty and not repeated.</param>
    /// <param name="cancellationToken">Checked before anything is sent, then bounds the wait; a backend may still complete the call.</param>
    /// <returns>A task that completes when the sections are stored.</returns>
    /// <remarks><para>No sections: nothing is sent.</para><para>Redis backend: one MULTI/EXEC: one <c>HSET</c> with every field, SADD to the room's key registry.</para></remarks>
    ValueTask SetSectionsAsync(string roomId, string userName, UserRoomSettings settings, CancellationToken cancellationToken = default);

    /// <summary>The user's last submitted form data for an extension, or <see langword="null"/>.</summary>
    /// <exception cref="StorageUnavailableException">The storage backend could not be reached or timed out; the call may be retried (see docs/errors.md).</exception>
    /// <param name="roomId">The room id.</param>
    /// <param name="userName">The user name.</param>
    /// <param name="category">The extension category, e.g. <c>modifiers</c>.</param>
    /// <param name="extension">The extension name, not empty.</param>
    /// <param name="cancellationToken">Checked before anything is sent, then bounds the wait; a backend may still complete the call.</param>
    /// <returns>The JSON value, or <see langword="null"/>.</returns>
    /// <remarks><para>Redis backend: <c>HGET room:{room}:user:{user}:{category} {extension}</c>.</para></remarks>
    ValueTask<JsonElement?> GetExtensionDataAsync(string roomId, string userName, string category, string extension, CancellationToken cancellationToken = default);

    /// <summary>Stores the user's form data for an extension (any JSON value). In one atomic step.</summary>
    /// <exception cref="StorageUnavailableException">The storage backend could not be reached or timed out; the call may be retried (see docs/errors.md).</exception>
    /// <param name="roomId">The room id.</param>
    /// <param name="userName">The user name.</param>
    /// <param name="category">The extension category, e.g. <c>modifiers</c>.</param>
    /// <param name="extension">The extension name, not empty.</param>
    /// <param name="value">The form data.</param>
    /// <param name="cancellationToken">Checked before anything is sent, then bounds the wait; a backend may still complete the call.</param>
    /// <returns>A task that completes when the data is stored.</returns>
    /// <remarks><para>Redis backend: one MULTI/EXEC: HSET, SADD to the room's key registry.</para></remarks>
    ValueTask SetExtensionDataAsync(string roomId, string userName, string category, string extension, JsonElement value, CancellationToken cancellationToken = default);
}
