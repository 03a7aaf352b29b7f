namespace ActorBroker.Storage;

/// <summary>Offsets assigned by one <see cref="PartitionLog.Append"/>: first and last offset of the appended records.</summary>
public sealed record AppendResult(long FirstOffset, long LastOffset, int BatchCount, long LogEndOffset);

/// <summary>Whole record batches as stored (stamped), plus the log bounds seen when the read started.</summary>
public sealed record ReadResult(ReadOnlyMemory<byte> Records, long LogStartOffset, long LogEndOffset);
