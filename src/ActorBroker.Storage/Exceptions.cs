using ActorBroker.Protocol.Records;

namespace ActorBroker.Storage;

/// <summary>
/// A produced batch failed validation (<see cref="RecordBatch.Check"/>). Thrown by <see cref="PartitionLog.Append"/>
/// before anything is stamped or written. Maps to Kafka's CORRUPT_MESSAGE / INVALID_RECORD.
/// </summary>
public sealed class InvalidRecordBatchException : Exception
{
    public InvalidRecordBatchException(BatchCheck check, int batchIndex, int position, string? message = null)
        : base(message ?? $"Record batch #{batchIndex} at byte {position} of the appended buffer is invalid: {check}.")
    {
        Check = check;
        BatchIndex = batchIndex;
        Position = position;
    }

    public BatchCheck Check { get; }

    /// <summary>Zero-based index of the offending batch in the appended buffer.</summary>
    public int BatchIndex { get; }

    /// <summary>Byte position of the offending batch in the appended buffer.</summary>
    public int Position { get; }
}

/// <summary>
/// A read or timestamp lookup asked for an offset outside [LogStartOffset, LogEndOffset].
/// Maps to Kafka's OFFSET_OUT_OF_RANGE; the bounds let the caller reset.
/// </summary>
public sealed class OffsetOutOfRangeException : Exception
{
    public OffsetOutOfRangeException(long requestedOffset, long logStartOffset, long logEndOffset)
        : base($"Offset {requestedOffset} is out of range [{logStartOffset}, {logEndOffset}].")
    {
        RequestedOffset = requestedOffset;
        LogStartOffset = logStartOffset;
        LogEndOffset = logEndOffset;
    }

    public long RequestedOffset { get; }
    public long LogStartOffset { get; }
    public long LogEndOffset { get; }
}

/// <summary>
/// An .index file fails its sanity check (size not a multiple of 8, entries not increasing, or pointing
/// past the end of the .log). <see cref="PartitionLog.Open"/> catches it and rebuilds the index from the segment.
/// </summary>
public sealed class CorruptIndexException : Exception
{
    public CorruptIndexException(string path, string reason)
        : base($"Corrupt index {path}: {reason}")
    {
        Path = path;
        Reason = reason;
    }

    public string Path { get; }
    public string Reason { get; }
}

/// <summary>
/// A reader found bytes in a .log file that are not a batch where one must start (the file was changed behind
/// the log's back). Recovery on the next <see cref="PartitionLog.Open"/> truncates such damage.
/// </summary>
public sealed class CorruptLogException : Exception
{
    public CorruptLogException(string path, long position, string reason)
        : base($"Corrupt log segment {path} at byte {position}: {reason}")
    {
        Path = path;
        Position = position;
        Reason = reason;
    }

    public string Path { get; }
    public long Position { get; }
    public string Reason { get; }
}
