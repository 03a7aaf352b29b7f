namespace ActorBroker.Storage;

/// <summary>
/// The <c>high-watermark</c> file of a partition directory (Kafka's replication-offset-checkpoint for one
/// partition): the replication high watermark as this replica last knew it — a leader's own, or the one a follower
/// learned from its leader's fetch answers — so that when this replica becomes leader it starts from there instead
/// of its log start. Format and atomic write as <see cref="RecoveryPointCheckpoint"/>. A missing or unreadable file
/// counts as 0 (the log start).
/// </summary>
internal static class HighWatermarkCheckpoint
{
    public const string FileName = "high-watermark";

    public static long? Read(string directory, ICollection<string> notes) =>
        CheckpointFile.Read(directory, FileName, notes, "the high watermark starts at the log start");

    public static void Write(string directory, long offset) => CheckpointFile.Write(directory, FileName, offset);

    /// <summary>Removes a temp file left by a crash while writing it.</summary>
    public static void DeleteLeftovers(string directory) => CheckpointFile.DeleteLeftovers(directory, FileName);
}

public sealed partial class PartitionLog
{
    private long _highWatermarkCheckpoint = -1; // -1: the file has not been read yet

    /// <summary>The replication high watermark last checkpointed here, within [LogStartOffset, LogEndOffset]. Writer thread only.</summary>
    public long CheckpointedHighWatermark
    {
        get
        {
            lock (_checkpointLock)
                return Math.Clamp(StoredHighWatermark, LogStartOffset, LogEndOffset);
        }
    }

    /// <summary>Checkpoints <paramref name="highWatermark"/> (at most the log end); writes (and fsyncs) only when it changed. Writer thread only.</summary>
    public void CheckpointHighWatermark(long highWatermark)
    {
        ThrowIfDisposed();
        lock (_checkpointLock)
            StoreHighWatermark(Math.Min(highWatermark, LogEndOffset));
    }

    /// <summary>Under <see cref="_checkpointLock"/>.</summary>
    private void StoreHighWatermark(long value)
    {
        if (value < 0 || value == StoredHighWatermark)
            return;
        HighWatermarkCheckpoint.Write(Directory, value);
        _checkpointWrites++;
        _highWatermarkCheckpoint = value;
    }

    private long StoredHighWatermark
    {
        get
        {
            if (_highWatermarkCheckpoint < 0)
                _highWatermarkCheckpoint = HighWatermarkCheckpoint.Read(Directory, new List<string>()) ?? 0;
            return _highWatermarkCheckpoint;
        }
    }

    /// <summary>At truncation: a checkpointed watermark above the new end would vouch for records that are gone.</summary>
    private void LowerHighWatermarkCheckpoint(long newEnd)
    {
        if (StoredHighWatermark <= newEnd)
            return;
        HighWatermarkCheckpoint.Write(Directory, newEnd);
        _checkpointWrites++;
        _highWatermarkCheckpoint = newEnd;
    }
}
