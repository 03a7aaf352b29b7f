namespace ActorBroker.Storage;

/// <summary>What <see cref="PartitionLog.Open"/> found and repaired.</summary>
/// <param name="RecoveryPointAtOpen">The checkpointed recovery point read at open (0 when missing or unreadable).</param>
/// <param name="SegmentsLoaded">Segments found on disk.</param>
/// <param name="SegmentsScanned">Segments validated batch by batch (those holding offsets at or after the recovery point, and those whose index had to be rebuilt).</param>
/// <param name="IndexesRebuilt">Paths of .index and .timeindex files that were missing or failed the sanity check and were rebuilt (the segment is then rescanned from byte 0; <see cref="Notes"/> says why, naming the byte position of a bad entry).</param>
/// <param name="Truncations">Where a .log was cut at the first bad batch (at most one per open: later segments are deleted).</param>
/// <param name="DeletedSegments">Paths of .log files deleted because they came after a corrupt batch, or because the log now ends below its checkpointed start offset.</param>
/// <param name="Notes">Anything else worth logging (for example an unreadable checkpoint file).</param>
public sealed record RecoveryReport(
    long RecoveryPointAtOpen,
    int SegmentsLoaded,
    int SegmentsScanned,
    IReadOnlyList<string> IndexesRebuilt,
    IReadOnlyList<LogTruncation> Truncations,
    IReadOnlyList<string> DeletedSegments,
    IReadOnlyList<string> Notes)
{
    public bool IsClean => IndexesRebuilt.Count == 0 && Truncations.Count == 0 && DeletedSegments.Count == 0;
}

/// <summary>A .log file cut during recovery.</summary>
/// <param name="SegmentPath">The .log file.</param>
/// <param name="SegmentBaseOffset">Its base offset.</param>
/// <param name="Position">Byte position of the first bad batch; the file now ends here.</param>
/// <param name="BytesDropped">Bytes removed from this file.</param>
/// <param name="Reason">A <see cref="ActorBroker.Protocol.Records.BatchCheck"/> name, or <c>OffsetOutOfOrder</c>.</param>
public sealed record LogTruncation(string SegmentPath, long SegmentBaseOffset, long Position, long BytesDropped, string Reason);
