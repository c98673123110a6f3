using ZnDraw.Storage.Models;

namespace ZnDraw.Storage.Contracts;

/// <summary>The argument checks and forms of the frame operations, the same on every backend.</summary>
internal static class FrameArguments
{
    /// <summary>The member text <c>"{sourceRoom}:{physicalIndex}"</c>, as ZnDraw stores a trajectory member.</summary>
    /// <exception cref="ArgumentException">The source room is empty or contains <c>:</c>, or the index is negative.</exception>
    public static string FormatMember(FrameIndex frame)
    {
        ArgumentException.ThrowIfNullOrEmpty(frame.SourceRoom, nameof(frame));
        if (frame.SourceRoom.Contains(':', StringComparison.Ordinal))
        {
            throw new ArgumentException("A room id never contains ':'.", nameof(frame));
        }

        ArgumentOutOfRangeException.ThrowIfNegative(frame.PhysicalIndex, nameof(frame));
        return frame.ToString();
    }

    /// <summary>The logical indices to delete, each once, in ascending order.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="indices"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An index is negative.</exception>
    public static SortedSet<int> DistinctIndices(IReadOnlyList<int> indices)
    {
        ArgumentNullException.ThrowIfNull(indices);
        var sorted = new SortedSet<int>();
        foreach (int index in indices)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(index, nameof(indices));
            sorted.Add(index);
        }

        return sorted;
    }
}
