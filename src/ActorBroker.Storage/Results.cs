namespace ActorBroker.Storage;

/// <summary>
/// Offsets assigned by one <see cref="PartitionLog.Append"/>: first and last offset of the appended records; and, when
/// the log uses LogAppendTime, the time stamped into every batch (-1 with CreateTime, as Kafka's LogAppendTimeMs).
/// </summary>
public sealed record AppendResult(long FirstOffset, long LastOffset, int BatchCount, long LogEndOffset, long LogAppendTime = -1);

/// <summary>Whole record batches as stored (stamped), plus the log bounds seen when the read started.</summary>
public sealed record ReadResult(ReadOnlyMemory<byte> Records, long LogStartOffset, long LogEndOffset);

/// <summary>One segment as seen by operators and tests: offsets [BaseOffset, NextOffset), its .log size, and the max of its batches' MaxTimestamp (-1 when empty).</summary>
public sealed record SegmentInfo(long BaseOffset, long NextOffset, long SizeInBytes, long LargestTimestamp);

/// <summary>What <see cref="PartitionLog.ApplyRetention"/> deleted, and the log start offset afterwards.</summary>
public sealed record RetentionResult(int SegmentsDeleted, long BytesDeleted, long LogStartOffset);

/// <summary>What <see cref="PartitionLog.FindOffsetForTimestamp"/> found: the first record at or after the target timestamp, and that record's own timestamp.</summary>
public sealed record TimestampOffset(long Offset, long Timestamp);
