namespace ActorBroker.Storage.Cleaning;

/// <summary>
/// What a clean would cover, and whether one is due now (<see cref="CleanPlanner.Plan"/>). Offsets: the cleanable
/// range is every segment from the log start up to <see cref="FirstUncleanableOffset"/> (a segment base offset); the
/// dirty section is the part from <see cref="FirstDirtyOffset"/> on. Immutable.
/// </summary>
/// <param name="Due">Whether the log should be cleaned now; <see cref="Reason"/> says why or why not.</param>
/// <param name="FirstDirtyOffset">The first offset not cleaned yet (the checkpoint, clamped to the log).</param>
/// <param name="FirstUncleanableOffset">The base offset of the active segment, or of the first segment younger than min.compaction.lag.ms.</param>
/// <param name="DirtyBytes">Bytes of the cleanable segments holding offsets ≥ <see cref="FirstDirtyOffset"/>.</param>
/// <param name="CleanableBytes">Bytes of every cleanable segment.</param>
public sealed record CleanPlan(bool Due, string Reason, long FirstDirtyOffset, long FirstUncleanableOffset, long DirtyBytes, long CleanableBytes)
{
    /// <summary>Dirty bytes over cleanable bytes (0 when nothing is cleanable).</summary>
    public double DirtyRatio => CleanableBytes == 0 ? 0 : (double)DirtyBytes / CleanableBytes;
}

/// <summary>
/// Kafka's LogCleanerManager decision, as a pure function of a segment snapshot. A log is due for cleaning when its
/// cleanable range is not empty and (a) its dirty ratio is at least min.cleanable.dirty.ratio, or (b) its first dirty
/// segment's largest timestamp is max.compaction.lag.ms old, or (c) a tombstone kept by the last clean has become
/// removable (the checkpointed deadline has passed).
///
/// <para>Worked example: segments 0 (1_000 bytes, largest timestamp 100), 10 (1_000 bytes, 200), 20 (500 bytes,
/// 9_000), 30 (active); checkpoint 10; now 10_000. With min.compaction.lag.ms 0 the cleanable range is 0..30
/// (2_500 bytes), the dirty section 10..30 (1_500 bytes): ratio 0.6, due at ratio 0.5. With min.compaction.lag.ms
/// 5_000 segment 20 is too young (9_000 &gt; 5_000): the range ends at 20, dirty 1_000 of 2_000 = 0.5.</para>
/// Thread-safe (stateless).
/// </summary>
public static class CleanPlanner
{
    public static CleanPlan Plan(IReadOnlyList<SegmentInfo> segments, long logStartOffset, long checkpoint, long tombstoneDeadline,
        CleanerConfig config, long nowMs)
    {
        int active = segments.Count - 1;
        long logEnd = segments[active].NextOffset;
        long firstDirty = checkpoint < logStartOffset || checkpoint > logEnd ? logStartOffset : checkpoint;

        // Segments lying wholly below the log start are retention's to delete, not ours to clean.
        int first = 0;
        while (first < active && segments[first].NextOffset <= logStartOffset)
            first++;
        int end = first;
        while (end < active && !(segments[end].NextOffset > firstDirty && IsYoungerThan(segments[end], config.MinCompactionLagMs, nowMs)))
            end++;
        long firstUncleanable = segments[end].BaseOffset;

        long dirty = 0, cleanable = 0;
        int firstDirtySegment = -1;
        for (int i = first; i < end; i++)
        {
            cleanable += segments[i].SizeInBytes;
            if (segments[i].NextOffset > firstDirty)
            {
                dirty += segments[i].SizeInBytes;
                if (firstDirtySegment < 0)
                    firstDirtySegment = i;
            }
        }

        string? reason = null;
        if (cleanable == 0)
            reason = null;
        else if (dirty > 0 && (double)dirty / cleanable >= config.MinCleanableDirtyRatio)
            reason = $"dirty ratio {(double)dirty / cleanable:0.###} ≥ min.cleanable.dirty.ratio {config.MinCleanableDirtyRatio}";
        else if (firstDirtySegment >= 0 && segments[firstDirtySegment].LargestTimestamp <= nowMs - config.MaxCompactionLagMs)
            reason = $"the first dirty segment is older than max.compaction.lag.ms {config.MaxCompactionLagMs}";
        else if (tombstoneDeadline >= 0 && tombstoneDeadline <= nowMs)
            reason = "tombstones have passed delete.retention.ms";
        return reason is null
            ? new CleanPlan(false, cleanable == 0 ? "nothing cleanable" : $"dirty ratio {(double)dirty / cleanable:0.###} below {config.MinCleanableDirtyRatio}",
                firstDirty, firstUncleanable, dirty, cleanable)
            : new CleanPlan(true, reason, firstDirty, firstUncleanable, dirty, cleanable);
    }

    private static bool IsYoungerThan(SegmentInfo segment, long lagMs, long nowMs) =>
        lagMs > 0 && segment.LargestTimestamp > nowMs - lagMs;
}
