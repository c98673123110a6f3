namespace ZnDraw.Storage.Models;

/// <summary>A registered filesystem (6547422b): the hash <c>room:{room}:filesystems:{fs}</c> or <c>global:filesystems:{fs}</c>.</summary>
/// <param name="Name">Field <c>name</c>.</param>
/// <param name="FsType">Field <c>fsType</c> (e.g. an fsspec protocol name).</param>
/// <param name="WorkerId">Field <c>workerId</c>: the providing worker's sid.</param>
/// <param name="UserName">Field <c>userName</c>: who registered it.</param>
/// <param name="IsPublic">Field <c>public</c>: <c>"true"</c>/<c>"false"</c> (not <c>"1"</c>/<c>"0"</c>); anything but <c>"true"</c> reads as <see langword="false"/>.</param>
/// <param name="Scope">Room-scoped or global: where the hash is (from the key, not a field).</param>
/// <param name="RoomId">The room for <see cref="ExtensionScope.Room"/>, <see langword="null"/> for global ones (from the key, not a field).</param>
public sealed record FilesystemInfo(string Name, string FsType, string WorkerId, string UserName, bool IsPublic, ExtensionScope Scope, string? RoomId = null);
