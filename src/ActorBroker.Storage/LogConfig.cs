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

    public static LogConfig Default { get; } = new();
}
