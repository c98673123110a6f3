namespace ZnDraw.Storage.History;

/// <summary>One page of a history query: its entries, newest first, and the cursor of the next (older) page.</summary>
/// <typeparam name="T">The entry type.</typeparam>
/// <param name="Items">The entries, newest first; at most the requested limit.</param>
/// <param name="NextCursor">
/// The opaque cursor to pass as <c>before</c> for the next (older) page, or <see langword="null"/> when no older entry
/// exists (this is the last page).
/// </param>
public sealed record HistoryPage<T>(IReadOnlyList<T> Items, string? NextCursor);
