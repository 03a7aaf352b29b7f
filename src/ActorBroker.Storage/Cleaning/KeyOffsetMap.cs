namespace ActorBroker.Storage.Cleaning;

/// <summary>
/// Kafka's OffsetMap: for each record key of the dirty section, the offset of its latest record. Keys are compared by
/// their bytes exactly (Kafka keeps a hash and accepts the tiny risk of a collision; this map keeps the key bytes, so it
/// costs about key size + 40 bytes per distinct key, with no collision risk). Not thread-safe: one cleaner fills and
/// reads it.
/// </summary>
internal sealed class KeyOffsetMap
{
    private readonly Dictionary<byte[], long> _latest = new(KeyComparer.Instance);

    public int Count => _latest.Count;

    /// <summary>Records <paramref name="offset"/> for the key (copied) when it is later than what the map holds.</summary>
    public void Put(ReadOnlySpan<byte> key, long offset)
    {
        var lookup = _latest.GetAlternateLookup<ReadOnlySpan<byte>>();
        if (!lookup.TryGetValue(key, out long existing) || existing < offset)
            lookup[key] = offset;
    }

    /// <summary>The latest offset of the key in the dirty section, if it occurs there.</summary>
    public bool TryGetLatest(ReadOnlySpan<byte> key, out long offset) =>
        _latest.GetAlternateLookup<ReadOnlySpan<byte>>().TryGetValue(key, out offset);

    private sealed class KeyComparer : IEqualityComparer<byte[]>, IAlternateEqualityComparer<ReadOnlySpan<byte>, byte[]>
    {
        public static readonly KeyComparer Instance = new();

        public bool Equals(byte[]? x, byte[]? y) => x.AsSpan().SequenceEqual(y);

        public int GetHashCode(byte[] key) => GetHashCode((ReadOnlySpan<byte>)key);

        public bool Equals(ReadOnlySpan<byte> alternate, byte[] other) => alternate.SequenceEqual(other);

        public int GetHashCode(ReadOnlySpan<byte> alternate)
        {
            var hash = new HashCode();
            hash.AddBytes(alternate);
            return hash.ToHashCode();
        }

        public byte[] Create(ReadOnlySpan<byte> alternate) => alternate.ToArray();
    }
}
