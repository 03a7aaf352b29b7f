using ActorBroker.Protocol.Records;

namespace ActorBroker.Storage.Cleaning;

/// <summary>
/// Kafka's LogCleaner for one log, the part that runs off the writer thread: builds the key → latest-offset map of the
/// dirty section, then writes a cleaned copy of every cleanable segment from which something goes.
///
/// <para><b>What is kept</b>, record by record, in every cleanable segment (from the log start to the plan's first
/// uncleanable offset): a record goes when a later record with the same key lies in the dirty section (map offset &gt;
/// its offset), when it has no key (a compacted log cannot hold one; Kafka's cleaner drops them too), or when it is a
/// tombstone (null value) in a segment whose largest timestamp is more than delete.retention.ms before now. Control
/// batches are kept whole. Offsets never change: a batch that keeps all its records is copied byte for byte, one that
/// keeps none is dropped, one that keeps some is rebuilt by <see cref="RecordBatchBuilder.Retain"/> (same baseOffset,
/// lastOffsetDelta, attributes and therefore codec, timestamps; new record count and CRC).</para>
///
/// <para>Example: dirty section 0..5 holding k1=a@0, k2=b@1, k1=c@2, k2=null@3 (tombstone), k3=d@4, k1=e@5 in
/// batches [0..2] and [3..5]. Map: k1→5, k2→3, k3→4. Batch [0..2] keeps nothing and is dropped; batch [3..5] keeps
/// k2=null@3 while its segment is younger than delete.retention.ms, and k3@4, k1@5. Offsets 3, 4, 5 are unchanged.</para>
///
/// <para><b>Thread-safety</b>: stateless; reads inactive segments (which no one writes) through positional reads and
/// writes only <c>.cleaned</c> files. If retention or truncation closes a segment under it, it fails and
/// <see cref="PartitionLog.PrepareClean"/> deletes what it wrote.</para>
/// </summary>
internal static class LogCleaner
{
    public static PreparedClean Prepare(string directory, LogConfig logConfig, IReadOnlyList<LogSegment> cleanable, CleanPlan plan,
        CleanerConfig config, long nowMs)
    {
        var map = BuildMap(cleanable, plan);
        var rewritten = new List<LogSegment>();
        long deadline = -1, removed = 0, tombstones = 0, before = 0, after = 0;
        try
        {
            foreach (var segment in cleanable)
            {
                var outcome = CleanSegment(directory, logConfig, segment, map, config, nowMs);
                removed += outcome.RecordsRemoved;
                tombstones += outcome.TombstonesRemoved;
                if (outcome.TombstoneDeadline >= 0 && (deadline < 0 || outcome.TombstoneDeadline < deadline))
                    deadline = outcome.TombstoneDeadline;
                if (outcome.CleanedSize is { } size)
                {
                    rewritten.Add(segment);
                    before += segment.Size;
                    after += size;
                }
            }
        }
        catch
        {
            foreach (var segment in cleanable)
                SegmentSwap.Discard(directory, segment.BaseOffset);
            throw;
        }
        var statistics = new CleanStatistics(cleanable.Count, rewritten.Count, before, after, removed, tombstones, map.Count);
        return new PreparedClean(plan, rewritten, statistics, deadline);
    }

    /// <summary>Latest offset of every key in [first dirty, first uncleanable).</summary>
    private static KeyOffsetMap BuildMap(IReadOnlyList<LogSegment> cleanable, CleanPlan plan)
    {
        var map = new KeyOffsetMap();
        foreach (var segment in cleanable)
        {
            if (segment.NextOffset <= plan.FirstDirtyOffset)
                continue;
            foreach (var batch in Batches(segment))
            {
                if (batch.IsControl || batch.NextOffset <= plan.FirstDirtyOffset)
                    continue;
                foreach (var record in batch.EnumerateRecords())
                {
                    if (record.Key is { } key && record.Offset >= plan.FirstDirtyOffset && record.Offset < plan.FirstUncleanableOffset)
                        map.Put(key.Span, record.Offset);
                }
            }
        }
        return map;
    }

    private sealed record SegmentOutcome(long? CleanedSize, long RecordsRemoved, long TombstonesRemoved, long TombstoneDeadline);

    /// <summary>
    /// Writes <c>B.*.cleaned</c> for the segment if any record goes (copying the unchanged batches before the first
    /// change), else writes nothing.
    /// </summary>
    private static SegmentOutcome CleanSegment(string directory, LogConfig logConfig, LogSegment segment, KeyOffsetMap map,
        CleanerConfig config, long nowMs)
    {
        bool tombstonesExpire = segment.LargestTimestamp < nowMs - config.DeleteRetentionMs;
        long deadline = -1, removed = 0, tombstones = 0;
        LogSegment? output = null;
        try
        {
            foreach (var batch in Batches(segment))
            {
                byte[]? replacement = null;
                bool changed = false;
                if (!batch.IsControl)
                {
                    var records = batch.EnumerateRecords();
                    var retained = new List<Record>(records.Count);
                    foreach (var record in records)
                    {
                        if (record.Key is not { } key || (map.TryGetLatest(key.Span, out long latest) && record.Offset < latest))
                        {
                            removed++;
                        }
                        else if (record.Value is null && tombstonesExpire)
                        {
                            removed++;
                            tombstones++;
                        }
                        else
                        {
                            retained.Add(record);
                            if (record.Value is null)
                                deadline = SaturatingAdd(segment.LargestTimestamp, config.DeleteRetentionMs) + 1;
                        }
                    }
                    changed = retained.Count != records.Count;
                    if (changed && retained.Count > 0)
                        replacement = RecordBatchBuilder.Retain(batch, retained);
                }
                if (changed && output is null)
                    output = StartCopy(directory, logConfig, segment, batch.BaseOffset);
                if (output is not null && (!changed || replacement is not null))
                {
                    var bytes = replacement ?? batch.Memory.Span[..batch.SizeInBytes].ToArray();
                    output.Append(bytes, batch.NextOffset);
                }
            }
            if (output is null)
                return new SegmentOutcome(null, removed, tombstones, deadline);
            output.Seal();
            output.Flush();
            return new SegmentOutcome(output.Size, removed, tombstones, deadline);
        }
        finally
        {
            output?.Dispose();
        }
    }

    /// <summary>Creates <c>B.*.cleaned</c> and copies into it every batch of the segment before <paramref name="firstChangedOffset"/>.</summary>
    private static LogSegment StartCopy(string directory, LogConfig logConfig, LogSegment segment, long firstChangedOffset)
    {
        var output = LogSegment.Create(directory, segment.BaseOffset, logConfig, SegmentSwap.CleanedSuffix);
        foreach (var batch in Batches(segment))
        {
            if (batch.BaseOffset >= firstChangedOffset)
                break;
            output.Append(batch.Memory.Span[..batch.SizeInBytes], batch.NextOffset);
        }
        return output;
    }

    /// <summary>Every batch of an inactive segment, validated (CRC included); the memory is valid until the next one.</summary>
    private static IEnumerable<RecordBatch> Batches(LogSegment segment)
    {
        var scanner = segment.ScanBatches(segment.Size);
        while (scanner.Next(validate: true, out var found))
        {
            if (found.Check != BatchCheck.Valid)
                throw new CorruptLogException(segment.LogPath, found.Position, $"no valid batch ({found.Check}) while cleaning");
            yield return found.Batch;
        }
    }

    private static long SaturatingAdd(long a, long b) => b > 0 && a > long.MaxValue - b ? long.MaxValue - 1 : a + b;
}
