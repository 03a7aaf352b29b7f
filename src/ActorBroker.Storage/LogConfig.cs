namespace ActorBroker.Storage;

/// <summary>
/// Settings of one <see cref="PartitionLog"/>. Immutable; copy with <c>with</c>.
/// </summary>
public sealed record LogConfig
{
    /// <summary>A segment is rolled before an append would make its .log larger than this (a bigger batch goes alone into a fresh segment).</summary>
    public int SegmentBytes { get; init; } = 1024 * 1024 * 1024;

    /// <summary>Log bytes between two entries of the sparse offset index.</summary>
    public int IndexIntervalBytes { get; init; } = 4096;

    /// <summary>Largest size of a segment's .index file; the segment is rolled when its index is full.</summary>
    public int SegmentIndexBytes { get; init; } = 10 * 1024 * 1024;

    public static LogConfig Default { get; } = new();
}
