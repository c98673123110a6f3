using ZnDraw.Storage.Models;

namespace ZnDraw.Storage.Contracts;

/// <summary>
/// The argument checks of a trajectory replacement, entry by entry (so that a backend reports the first bad entry, whatever
/// is wrong with it, in list order): scores finite and non-decreasing, each frame once.
/// </summary>
internal sealed class TrajectoryEntryCheck(int count)
{
    private readonly HashSet<FrameIndex> _seen = new(count);
    private double _last = double.NegativeInfinity;

    /// <summary>Checks entry <paramref name="i"/>, the next one in logical order.</summary>
    /// <exception cref="ArgumentException">Its score is not finite or below the previous one, or its frame repeats.</exception>
    public void Next(int i, TrajectoryEntry entry, string paramName)
    {
        if (!double.IsFinite(entry.Score) || entry.Score < _last)
        {
            throw new ArgumentException($"Entry {i}: scores must be finite and non-decreasing in logical order.", paramName);
        }

        if (!_seen.Add(entry.Frame))
        {
            throw new ArgumentException($"Frame {entry.Frame} repeats.", paramName);
        }

        _last = entry.Score;
    }
}
