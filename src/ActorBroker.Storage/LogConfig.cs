using ActorBroker.Protocol.Records;

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

    /// <summary>
    /// Largest size of a segment's .index file; the segment is rolled when its index is full. Also bounds the
    /// .timeindex (this / 12 entries, at least 2), which only gets sparser when full (see <see cref="TimeIndex"/>).
    /// </summary>
    public int SegmentIndexBytes { get; init; } = 10 * 1024 * 1024;

    /// <summary>
    /// Kafka's message.timestamp.type: with <see cref="TimestampType.LogAppendTime"/>, <see cref="PartitionLog.Append"/>
    /// stamps every batch with the append time (attribute bit and maxTimestamp, CRC recomputed).
    /// </summary>
    public TimestampType TimestampType { get; init; } = TimestampType.CreateTime;

    /// <summary>Kafka's segment.ms: an append rolls the active segment when its first batch's timestamp is at least this old. Long.MaxValue never rolls.</summary>
    public long SegmentMs { get; init; } = long.MaxValue;

    /// <summary>
    /// After each flush the log releases the page-cache pages of what is flushed, except its newest this many bytes
    /// (the tail that consumers and followers read). long.MaxValue releases nothing: the kernel evicts pages only under
    /// memory pressure, as under Kafka. Why release at all: on a VM that hands free memory back to its host, a page the
    /// kernel takes from its free lists for a new write costs a host fault and zeroing, and writing into such pages cost
    /// 3.5 times as much per byte as writing into pages freed a moment before (docs/benchmarks.md); released pages
    /// are reused by the next second's appends. A consumer that far behind reads from the disk instead of the cache.
    /// </summary>
    public long PageCacheKeepBytes { get; init; } = long.MaxValue;

    public static LogConfig Default { get; } = new();
}
