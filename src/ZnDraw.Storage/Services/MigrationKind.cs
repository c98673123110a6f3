namespace ZnDraw.Storage.Services;

/// <summary>
/// What a <see cref="StorageMigration"/> compares and copies: the content of one aggregate as read through the
/// contracts, split into named parts, each with a content hash (the same on two backends holding the same data).
/// </summary>
internal abstract class MigrationSnapshot
{
    private IReadOnlyList<(string Name, byte[] Hash)>? _parts;
    private byte[]? _hash;

    /// <summary>Whether the aggregate holds nothing persistent (absent, or gone since it was listed).</summary>
    public abstract bool IsEmpty { get; }

    /// <summary>The parts with their content hashes, always the same names in the same order for one kind.</summary>
    public IReadOnlyList<(string Name, byte[] Hash)> Parts => _parts ??= ComputeParts();

    /// <summary>The aggregate's content hash: a hash over the parts' names and hashes.</summary>
    public byte[] Hash
    {
        get
        {
            if (_hash is null)
            {
                using var hasher = new ContentHasher();
                foreach ((string name, byte[] hash) in Parts)
                {
                    hasher.Add(name).Add(Convert.ToHexString(hash));
                }

                _hash = hasher.Finish();
            }

            return _hash;
        }
    }

    /// <summary>Adds what the aggregate holds to the verification counts (item → count).</summary>
    public abstract void Count(IDictionary<string, long> counts);

    /// <summary>Hashes each part (one <see cref="ContentHasher.Finish"/> per part).</summary>
    protected abstract void HashParts(ContentHasher hasher, List<(string Name, byte[] Hash)> parts);

    /// <summary>The names of the parts whose hashes differ from <paramref name="other"/>'s (all of them when it is null).</summary>
    public HashSet<string> DifferingParts(MigrationSnapshot? other)
    {
        var result = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < Parts.Count; i++)
        {
            if (other is null || !Parts[i].Hash.AsSpan().SequenceEqual(other.Parts[i].Hash))
            {
                result.Add(Parts[i].Name);
            }
        }

        return result;
    }

    /// <summary>Adds <paramref name="amount"/> to the count of <paramref name="item"/>.</summary>
    protected static void Add(IDictionary<string, long> counts, string item, long amount)
    {
        counts.TryGetValue(item, out long current);
        counts[item] = current + amount;
    }

    private List<(string Name, byte[] Hash)> ComputeParts()
    {
        var parts = new List<(string Name, byte[] Hash)>();
        using var hasher = new ContentHasher();
        HashParts(hasher, parts);
        return parts;
    }
}

/// <summary>One kind of aggregate a <see cref="StorageMigration"/> handles: how to list, read and write it.</summary>
internal abstract class MigrationKind
{
    /// <summary>The kind's name (<see cref="StorageMigrationKinds"/>).</summary>
    public abstract string Name { get; }

    /// <summary>Lists the ids of the aggregates of this kind an endpoint holds, sorted ordinally, each once.</summary>
    public abstract ValueTask<IReadOnlyList<string>> ListIdsAsync(StorageMigrationEndpoint endpoint, CancellationToken cancellationToken);

    /// <summary>Reads one aggregate through the endpoint's contracts.</summary>
    /// <exception cref="Contracts.StorageDataException">Stored data cannot be read.</exception>
    public abstract ValueTask<MigrationSnapshot> ReadAsync(StorageMigrationEndpoint endpoint, string id, CancellationToken cancellationToken);

    /// <summary>
    /// Writes the parts <paramref name="parts"/> of <paramref name="source"/> (aggregate <paramref name="id"/>) to
    /// <paramref name="target"/>, replacing what <paramref name="current"/> (the target's content, or
    /// <see langword="null"/> when unreadable) holds there.
    /// </summary>
    /// <returns>What could not be written (one line per problem); empty when everything was.</returns>
    public abstract ValueTask<IReadOnlyList<string>> WriteAsync(
        StorageMigrationEndpoint target, string id, MigrationSnapshot source, MigrationSnapshot? current, IReadOnlySet<string> parts, CancellationToken cancellationToken);
}
