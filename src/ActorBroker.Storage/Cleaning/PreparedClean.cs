namespace ActorBroker.Storage.Cleaning;

/// <summary>
/// A clean whose cleaned segments are written (<c>.cleaned</c> files, fsynced) but not yet swapped in:
/// <see cref="PartitionLog.PrepareClean"/> makes it, <see cref="PartitionLog.CompleteClean"/> publishes it or
/// <see cref="PartitionLog.AbortClean"/> deletes its files. Immutable after construction; thread-safe.
/// </summary>
public sealed class PreparedClean
{
    internal PreparedClean(CleanPlan plan, IReadOnlyList<LogSegment> rewritten, CleanStatistics statistics, long tombstoneDeadline)
    {
        Plan = plan;
        Rewritten = rewritten;
        Statistics = statistics;
        TombstoneDeadline = tombstoneDeadline;
    }

    public CleanPlan Plan { get; }

    /// <summary>The segments (still the live ones) that have a <c>.cleaned</c> replacement, ascending.</summary>
    internal IReadOnlyList<LogSegment> Rewritten { get; }

    public CleanStatistics Statistics { get; }

    /// <summary>When the earliest tombstone this clean kept becomes removable (ms since the epoch), or -1.</summary>
    public long TombstoneDeadline { get; }
}

/// <summary>What one clean did.</summary>
/// <param name="SegmentsScanned">Cleanable segments read.</param>
/// <param name="SegmentsRewritten">Segments replaced by a cleaned copy (a segment where nothing was removed is left alone).</param>
/// <param name="BytesBefore">Size of the rewritten segments before.</param>
/// <param name="BytesAfter">Size of their cleaned copies.</param>
/// <param name="RecordsRemoved">Records dropped: superseded by a later record with the same key, keyless, or expired tombstones.</param>
/// <param name="TombstonesRemoved">Of those, tombstones past delete.retention.ms.</param>
/// <param name="DistinctKeys">Keys in the dirty section's key map.</param>
public sealed record CleanStatistics(int SegmentsScanned, int SegmentsRewritten, long BytesBefore, long BytesAfter, long RecordsRemoved,
    long TombstonesRemoved, int DistinctKeys);

/// <summary>
/// The outcome of <see cref="PartitionLog.CompleteClean"/> or <see cref="PartitionLog.Clean"/>: whether cleaned segments
/// were published (false when the plan was not due, or when retention or truncation removed a segment meanwhile and the
/// clean was abandoned), what was done, and the new first dirty offset.
/// </summary>
public sealed record CleanResult(bool Completed, string Reason, CleanStatistics Statistics, long FirstDirtyOffset)
{
    internal static CleanStatistics Nothing { get; } = new(0, 0, 0, 0, 0, 0, 0);
}
