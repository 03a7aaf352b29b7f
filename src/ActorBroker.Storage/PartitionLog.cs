using System.Buffers.Binary;
using ActorBroker.Protocol.Records;

namespace ActorBroker.Storage;

/// <summary>
/// The log of one partition: a directory of <see cref="LogSegment"/>s (ascending base offsets, the last one
/// active) plus a <c>recovery-point</c> checkpoint (<see cref="RecoveryPointCheckpoint"/>) and a
/// <c>log-start-offset</c> checkpoint (<see cref="LogStartOffsetCheckpoint"/>).
///
/// <para><b>Directory layout</b> (<c>&lt;data-dir&gt;/logs/&lt;topic&gt;-&lt;partition&gt;/</c>, see
/// <see cref="LogDirectoryName"/>): <c>00000000000000000000.log</c>, <c>00000000000000000000.index</c>,
/// <c>00000000000000000000.timeindex</c>, <c>00000000000000004096.log</c>, ..., <c>recovery-point</c>, <c>log-start-offset</c> (once the start moved).</para>
///
/// <para><b>Invariants</b>: offsets are assigned consecutively from <see cref="LogEndOffset"/>; segments are
/// contiguous (each starts at the previous one's next offset); first segment's base offset ≤
/// <see cref="LogStartOffset"/> ≤ <see cref="LogEndOffset"/>, and offsets below LogStartOffset are never read
/// (<see cref="OffsetOutOfRangeException"/>) even when their bytes are still in the first segment;
/// <see cref="RecoveryPoint"/> ≤ <see cref="LogEndOffset"/> and every byte below it is fsynced, and the
/// checkpoint on disk never exceeds what is fsynced.</para>
///
/// <para><b>Recovery</b> on <see cref="Open"/>, worked example: segments 0 (offsets 0..99) and 100 (100..180), the
/// checkpoint says 150, and the machine crashed while writing batch 181..190. Segment 0 ends before 150: its index
/// is only sanity-checked. Segment 100 holds offsets ≥ 150: it is validated batch by batch from its index entry
/// for 150, its index rebuilt from there, and its .log cut where the torn batch begins; LogEndOffset is 181.
/// Had segment 100 also held a corrupt batch 120..129, it would be cut before it (LogEndOffset 120) and any later
/// segment deleted. A segment whose .index or .timeindex is missing or corrupt is rescanned from byte 0 and both rebuilt
/// (a log written before the time index existed is thus fully scanned once). The recovered bytes are then fsynced and the checkpoint moved to the new LogEndOffset.
/// <see cref="Recovery"/> reports what was done.</para>
///
/// <para><b>Truncation</b> (<see cref="TruncateTo"/>) drops whole batches: to an offset inside a batch means to
/// that batch's base offset (the batch goes). See <see cref="LogSegment"/> for a worked example.</para>
///
/// <para><b>Retention</b> (<see cref="ApplyRetention"/>, <see cref="AdvanceLogStartOffset"/>) deletes whole inactive
/// segments from the front, never the active one. Worked example: segments 0 (0..9, largest timestamp 1_000),
/// 10 (10..19, 5_000), 20 (20..24, active, 9_000), each 1_000 bytes. ApplyRetention(now 10_000, retentionMs 6_000,
/// -1) deletes segment 0 (1_000 &lt; 4_000) and stops at 10 (5_000 ≥ 4_000): LogStartOffset 10.
/// ApplyRetention(now, -1, retentionBytes 1_500) on the original log: 3_000 - 1_500 ≥ 1_000 deletes 0; 2_000 - 1_500
/// &lt; 1_000 keeps 10. AdvanceLogStartOffset(15) keeps segment 10 (it holds 15..19): reads of 10..14 are out of
/// range, a read at 15 returns the batch holding 15. The new start is checkpointed before files are deleted.</para>
///
/// <para><b>Thread-safety</b>: exactly one thread calls <see cref="Append"/>, <see cref="Flush"/>,
/// <see cref="TruncateTo"/>, <see cref="ApplyRetention"/>, <see cref="AdvanceLogStartOffset"/> and
/// <see cref="Dispose"/> (the partition actor). <see cref="Read"/>,
/// <see cref="OffsetForTimestamp"/> and the properties may be called from any thread at the same time. Appends
/// write bytes first, then publish each segment's size, then <see cref="LogEndOffset"/> (Volatile); readers read
/// LogEndOffset first, then the segment list, then sizes, so they never see a partial batch. Rolling publishes a
/// new immutable segment array (copy-on-write). Truncation and retention — the operations that take bytes away — run
/// inside a sequence lock: readers that overlap them start over (and then see the new LogStartOffset, so an offset
/// deleted under them becomes <see cref="OffsetOutOfRangeException"/>). Retention publishes the shorter segment
/// array and the new start inside the lock and closes the removed files after it: any reader that could still hold
/// a removed segment started before the lock and is bound to retry.</para>
///
/// <para><b>Compaction</b> (<see cref="PrepareClean"/>, <see cref="CompleteClean"/>; see PartitionLog.Cleaning.cs) replaces
/// inactive segments by cleaned copies with the same base offsets and fewer records; offsets never change. A cleaned
/// segment may end in a gap (its last batch was dropped): it still ends where the next segment begins, and reads skip
/// the gap. <see cref="Open"/> first completes or discards the <c>.cleaned</c>/<c>.swap</c> files of an interrupted
/// clean (<see cref="Cleaning.SegmentSwap"/>), and reads the <c>cleaner-checkpoint</c>.</para>
/// </summary>
public sealed partial class PartitionLog : IDisposable
{
    private readonly LogConfig _config;
    private LogSegment[] _segments;
    private long _logStartOffset;
    private long _logEndOffset;
    private long _recoveryPoint;
    private long _checkpointed;
    private long _checkpointedLogStart;
    private long _version; // sequence lock: odd while TruncateTo or retention changes or deletes bytes
    private volatile bool _disposed;
    private long _pageCacheKeepBytes = long.MaxValue;
    private readonly object _checkpointLock = new(); // the recovery-point and high-watermark checkpoints: writer thread and background flush
    private int _truncations; // under _checkpointLock
    private int _checkpointWrites; // under _checkpointLock: checkpoints written on the writer thread, which a background flush's must not overwrite

    private PartitionLog(string directory, LogConfig config, LogSegment[] segments, RecoveryReport recovery, long checkpointed, long? logStartCheckpoint)
    {
        Directory = directory;
        _config = config;
        _segments = segments;
        _logEndOffset = segments[^1].NextOffset;
        _logStartOffset = Math.Max(segments[0].BaseOffset, logStartCheckpoint ?? long.MinValue);
        _checkpointedLogStart = logStartCheckpoint ?? -1;
        _recoveryPoint = Math.Min(checkpointed, _logEndOffset);
        _checkpointed = checkpointed;
        Recovery = recovery;
    }

    public string Directory { get; }

    /// <summary>
    /// The first readable offset: the larger of the first segment's base offset and the checkpointed start moved by
    /// <see cref="ApplyRetention"/> or <see cref="AdvanceLogStartOffset"/>. May lie inside a batch.
    /// </summary>
    public long LogStartOffset => Volatile.Read(ref _logStartOffset);

    /// <summary>The next offset to be assigned.</summary>
    public long LogEndOffset => Volatile.Read(ref _logEndOffset);

    /// <summary>Every offset below it is fsynced.</summary>
    public long RecoveryPoint => Volatile.Read(ref _recoveryPoint);

    public long SizeInBytes
    {
        get
        {
            long total = 0;
            foreach (var segment in Volatile.Read(ref _segments))
                total += segment.Size;
            return total;
        }
    }

    public int SegmentCount => Volatile.Read(ref _segments).Length;

    /// <summary>A snapshot of the segments, oldest first (the last one is active). Any thread.</summary>
    public IReadOnlyList<SegmentInfo> Segments =>
        Array.ConvertAll(Volatile.Read(ref _segments), s => new SegmentInfo(s.BaseOffset, s.NextOffset, s.Size, s.LargestTimestamp));

    /// <summary>What <see cref="Open"/> validated, rebuilt, cut and deleted.</summary>
    public RecoveryReport Recovery { get; }

    /// <summary>Opens (creating if missing) the log in <paramref name="directory"/>, loading and recovering its segments.</summary>
    public static PartitionLog Open(string directory, LogConfig config)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        ArgumentNullException.ThrowIfNull(config);
        ArgumentOutOfRangeException.ThrowIfLessThan(config.SegmentBytes, RecordBatch.HeaderSize, nameof(config.SegmentBytes));
        ArgumentOutOfRangeException.ThrowIfNegative(config.IndexIntervalBytes, nameof(config.IndexIntervalBytes));
        ArgumentOutOfRangeException.ThrowIfLessThan(config.SegmentIndexBytes, OffsetIndex.EntrySize, nameof(config.SegmentIndexBytes));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(config.SegmentMs, nameof(config.SegmentMs));

        string dir = Path.GetFullPath(directory);
        System.IO.Directory.CreateDirectory(dir);
        RecoveryPointCheckpoint.DeleteLeftovers(dir);
        HighWatermarkCheckpoint.DeleteLeftovers(dir);
        LogStartOffsetCheckpoint.DeleteLeftovers(dir);
        Cleaning.CleanerCheckpoint.DeleteLeftovers(dir);
        var notes = new List<string>();
        Cleaning.SegmentSwap.RecoverLeftovers(dir, notes);

        var baseOffsets = new SortedSet<long>();
        foreach (string path in System.IO.Directory.EnumerateFiles(dir, "*" + LogSegment.LogExtension))
            if (LogSegment.TryParseFileName(Path.GetFileName(path), LogSegment.LogExtension, out long baseOffset))
                baseOffsets.Add(baseOffset);
        foreach (string extension in new[] { LogSegment.IndexExtension, LogSegment.TimeIndexExtension })
        {
            foreach (string path in System.IO.Directory.EnumerateFiles(dir, "*" + extension))
            {
                if (LogSegment.TryParseFileName(Path.GetFileName(path), extension, out long baseOffset)
                    && !baseOffsets.Contains(baseOffset))
                {
                    File.Delete(path);
                    notes.Add($"Deleted {path}: it has no .log file.");
                }
            }
        }

        long recoveryPoint = RecoveryPointCheckpoint.Read(dir, notes) ?? 0;
        var segments = new List<LogSegment>();
        try
        {
            foreach (long baseOffset in baseOffsets)
                segments.Add(LogSegment.Open(dir, baseOffset, config));
            int loaded = segments.Count;
            if (segments.Count == 0)
                segments.Add(LogSegment.Create(dir, 0, config));

            int scanned = 0;
            var rebuilt = new List<string>();
            var truncations = new List<LogTruncation>();
            var deleted = new List<string>();
            for (int i = 0; i < segments.Count; i++)
            {
                var segment = segments[i];
                bool holdsUnflushed = i == segments.Count - 1 || segments[i + 1].BaseOffset > recoveryPoint;
                if (segment.IndexProblem is { } problem)
                {
                    rebuilt.Add(segment.IndexPath);
                    notes.Add($"Rebuilding {segment.IndexPath}: {problem}.");
                }
                if (segment.TimeIndexProblem is { } timeProblem)
                {
                    rebuilt.Add(segment.TimeIndexPath);
                    notes.Add($"Rebuilding {segment.TimeIndexPath}: {timeProblem}.");
                }
                if (!holdsUnflushed && segment.IndexProblem is null && segment.TimeIndexProblem is null)
                {
                    segment.AssumeEndsAt(segments[i + 1].BaseOffset);
                    continue;
                }
                scanned++;
                var truncation = segment.Recover(holdsUnflushed ? recoveryPoint : segment.BaseOffset);
                if (truncation is null && i + 1 < segments.Count)
                    segment.Seal();
                if (truncation is not null)
                    truncations.Add(truncation);
                else if (i + 1 < segments.Count && segment.NextOffset > segments[i + 1].BaseOffset)
                    notes.Add($"{segment.LogPath} runs to offset {segment.NextOffset}, past the next segment's base offset {segments[i + 1].BaseOffset}; deleting the later segments.");
                else
                    continue;
                for (int j = segments.Count - 1; j > i; j--)
                {
                    deleted.Add(segments[j].LogPath);
                    segments[j].Delete();
                    segments.RemoveAt(j);
                }
            }

            long? logStart = LogStartOffsetCheckpoint.Read(dir, notes);
            if (logStart > segments[^1].NextOffset)
            {
                // Recovery cut the log below its checkpointed start (everything left was deleted anyway): as Kafka,
                // drop every segment and start empty at the checkpointed start.
                notes.Add($"The log ends at {segments[^1].NextOffset}, below its checkpointed start {logStart}; deleting every segment and restarting at {logStart}.");
                foreach (var segment in segments)
                {
                    deleted.Add(segment.LogPath);
                    segment.Delete();
                }
                segments.Clear();
                segments.Add(LogSegment.Create(dir, logStart.Value, config));
            }

            var report = new RecoveryReport(recoveryPoint, loaded, scanned, rebuilt, truncations, deleted, notes);
            var log = new PartitionLog(dir, config, segments.ToArray(), report, checkpointed: -1, logStart);
            log.LoadCleanerCheckpoint(notes);
            log.Flush(); // makes the validated bytes durable, then checkpoints LogEndOffset
            return log;
        }
        catch
        {
            foreach (var segment in segments)
                segment.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Validates every batch in <paramref name="batches"/> (nothing is written if one fails), stamps base offsets
    /// (consecutive from <see cref="LogEndOffset"/>) and <paramref name="leaderEpoch"/> into the buffer in place, and
    /// appends the same bytes. A new segment is rolled before a batch that would take the active one past
    /// <see cref="LogConfig.SegmentBytes"/> (a bigger batch goes alone into a fresh segment), when its index is full,
    /// or when its first batch's timestamp is <see cref="LogConfig.SegmentMs"/> or more before
    /// <paramref name="nowMs"/> (Kafka's segment.ms). With <see cref="LogConfig.TimestampType"/> LogAppendTime every
    /// batch is stamped with <paramref name="nowMs"/> (<see cref="RecordBatch.SetLogAppendTime"/>) and the result
    /// carries it. <paramref name="nowMs"/> defaults to the wall clock. Writer thread only. Not fsynced: see <see cref="Flush"/>.
    /// </summary>
    /// <exception cref="InvalidRecordBatchException">A batch is not Valid per <see cref="RecordBatch.Check"/>, or the buffer is empty.</exception>
    public AppendResult Append(Memory<byte> batches, int leaderEpoch, long? nowMs = null) =>
        AppendBatches(batches, leaderEpoch, assignOffsets: true, nowMs);

    /// <summary>
    /// A follower's append: <paramref name="batches"/> were copied from the leader's log and already carry their
    /// offsets and leader epochs, which are kept as they are (nothing is stamped, LogAppendTime included). The first
    /// batch must start at <see cref="LogEndOffset"/> and each next one where the previous ended. Rolls segments as
    /// <see cref="Append"/> does. Writer thread only.
    /// </summary>
    /// <exception cref="InvalidRecordBatchException">A batch is not valid, or its offsets do not continue the log.</exception>
    public AppendResult AppendReplicated(Memory<byte> batches, long? nowMs = null) =>
        AppendBatches(batches, leaderEpoch: -1, assignOffsets: false, nowMs);

    /// <summary>The leader epoch stamped in the last batch of the log, or -1 when the log holds no batch.</summary>
    public int LastBatchEpoch()
    {
        long end = LogEndOffset;
        if (end <= LogStartOffset)
            return -1;
        var last = Read(end - 1, maxBytes: 0, minOneBatch: true).Records.Span;
        return last.Length >= RecordBatch.HeaderSize ? BinaryPrimitives.ReadInt32BigEndian(last[12..]) : -1;
    }

    private AppendResult AppendBatches(Memory<byte> batches, int leaderEpoch, bool assignOffsets, long? nowMs)
    {
        ThrowIfDisposed();
        Span<byte> span = batches.Span;
        if (span.IsEmpty)
            throw new InvalidRecordBatchException(BatchCheck.Incomplete, 0, 0);

        var sizes = new List<int>();
        for (int position = 0; position < span.Length;)
        {
            var check = RecordBatch.Check(span[position..], out int size);
            if (check != BatchCheck.Valid)
                throw new InvalidRecordBatchException(check, sizes.Count, position);
            sizes.Add(size);
            position += size;
        }

        long now = nowMs ?? DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        long logAppendTime = assignOffsets && _config.TimestampType == TimestampType.LogAppendTime ? now : -1;
        int count = sizes.Count;
        var lastOffsets = new long[count];
        long firstOffset = _logEndOffset, nextOffset = firstOffset;
        for (int i = 0, position = 0; i < count; position += sizes[i], i++)
        {
            int lastOffsetDelta = BinaryPrimitives.ReadInt32BigEndian(span[(position + 23)..]);
            if (assignOffsets)
            {
                if (logAppendTime >= 0)
                    RecordBatch.SetLogAppendTime(span[position..], logAppendTime);
                RecordBatch.Stamp(span[position..], nextOffset, leaderEpoch);
            }
            else if (BinaryPrimitives.ReadInt64BigEndian(span[position..]) != nextOffset)
            {
                throw new InvalidRecordBatchException(BatchCheck.Valid, i, position,
                    $"Replicated batch {i} starts at offset {BinaryPrimitives.ReadInt64BigEndian(span[position..])}, but the log continues at {nextOffset}.");
            }
            lastOffsets[i] = nextOffset + lastOffsetDelta;
            nextOffset = lastOffsets[i] + 1;
        }

        for (int i = 0, position = 0; i < count;)
        {
            long batchBase = i == 0 ? firstOffset : lastOffsets[i - 1] + 1;
            var segment = ActiveSegment;
            if (!segment.CanAppend(sizes[i], lastOffsets[i]) || IsDueForTimeRoll(segment, now))
                segment = Roll(batchBase);
            // Group the following batches that also fit into one write; each may need one index entry.
            int end = i + 1;
            long bytes = sizes[i];
            int indexRoom = segment.IndexRoom;
            while (end < count
                   && segment.Size + bytes + sizes[end] <= _config.SegmentBytes
                   && end - i < indexRoom
                   && lastOffsets[end] - segment.BaseOffset <= int.MaxValue)
            {
                bytes += sizes[end];
                end++;
            }
            long runNext = lastOffsets[end - 1] + 1;
            segment.Append(span.Slice(position, (int)bytes), runNext);
            Volatile.Write(ref _logEndOffset, runNext);
            position += (int)bytes;
            i = end;
        }
        return new AppendResult(firstOffset, nextOffset - 1, count, nextOffset, logAppendTime);
    }

    /// <summary>
    /// Kafka's segment.ms: a non-empty active segment whose first batch's timestamp is <see cref="LogConfig.SegmentMs"/>
    /// or more before <paramref name="nowMs"/> is rolled at the next append. Example: segment.ms 1_000, first batch
    /// stamped 5_000: an append at 5_999 goes in, one at 6_000 starts a new segment.
    /// </summary>
    private bool IsDueForTimeRoll(LogSegment segment, long nowMs)
    {
        long first = segment.FirstBatchTimestamp;
        return segment.Size > 0 && _config.SegmentMs != long.MaxValue && first != LogSegment.NoTimestamp
               && nowMs - first >= _config.SegmentMs;
    }

    /// <summary>
    /// Whole batches from the one containing <paramref name="startOffset"/>, at most <paramref name="maxBytes"/> in
    /// total (continuing across segments), but at least the first batch when <paramref name="minOneBatch"/>.
    /// Never returns bytes at or past the log end seen at the start of the read. Any thread.
    /// </summary>
    /// <exception cref="OffsetOutOfRangeException"><paramref name="startOffset"/> is below LogStartOffset or above LogEndOffset.</exception>
    /// <param name="maxOffset">Reads stop before the batch holding this offset (a consumer's read stops at the high
    /// watermark, which is always a batch boundary); an offset between it and the log end reads nothing.</param>
    public ReadResult Read(long startOffset, int maxBytes, bool minOneBatch, long maxOffset = long.MaxValue)
    {
        ThrowIfDisposed();
        ArgumentOutOfRangeException.ThrowIfNegative(maxBytes);
        return Consistent(() => ReadUnlocked(startOffset, maxBytes, minOneBatch, maxOffset));
    }

    private ReadResult ReadUnlocked(long startOffset, int maxBytes, bool minOneBatch, long maxOffset)
    {
        var (logStart, logEnd, segments) = ReadBounds(startOffset);
        long readEnd = Math.Min(logEnd, maxOffset);
        if (startOffset >= readEnd)
            return new ReadResult(ReadOnlyMemory<byte>.Empty, logStart, logEnd);

        var chunks = new List<ReadOnlyMemory<byte>>(1);
        int total = 0;
        for (int i = FindSegment(segments, startOffset); i < segments.Length; i++)
        {
            var segment = segments[i];
            long limit = segment.Size;
            long position = 0;
            if (chunks.Count == 0 && total == 0 && segment.BaseOffset <= startOffset)
            {
                position = segment.FindBatchPosition(startOffset, limit, out _);
                if (position < 0)
                    continue; // the offset lies in a gap after this segment's last batch
            }
            int remaining = maxBytes - total;
            var bytes = segment.ReadBatches(position, limit, readEnd, remaining, minOneBatch && total == 0, out bool reachedLimit);
            if (bytes.Length > 0)
                chunks.Add(bytes);
            total += bytes.Length;
            if (!reachedLimit || total >= maxBytes)
                break;
        }
        return new ReadResult(Concat(chunks, total), logStart, logEnd);
    }

    /// <summary>
    /// Whole batches from <paramref name="startOffset"/> on, at most <paramref name="maxBytes"/> of them and all in the
    /// segment holding it, as a range of that segment's file: what a follower fetches, sent from the page cache
    /// without a copy into this process. The range ends at the segment's end or at an indexed batch start, so no
    /// header is read to find it. Null when there is nothing to read, or no such end within
    /// <paramref name="maxBytes"/> (a batch bigger than that); <see cref="Read"/> answers those. The bytes may be
    /// read after a truncation or retention changed the log: <see cref="LogFileSlice.IsIntact"/> tells. Any thread.
    /// </summary>
    /// <exception cref="OffsetOutOfRangeException"><paramref name="startOffset"/> is outside the log.</exception>
    public LogFileSlice? ReadFileSlice(long startOffset, int maxBytes)
    {
        ThrowIfDisposed();
        ArgumentOutOfRangeException.ThrowIfNegative(maxBytes);
        return Consistent(() =>
        {
            long version = Volatile.Read(ref _version);
            var (_, logEnd, segments) = ReadBounds(startOffset);
            if (startOffset == logEnd)
                return null;
            var segment = segments[FindSegment(segments, startOffset)];
            long size = segment.Size; // read after the log end: whole batches, perhaps a few appended since
            long position = segment.FindBatchPosition(startOffset, size, out _);
            if (position < 0)
                return null;
            long end = size - position <= maxBytes ? size : segment.IndexedBatchStartAtOrBelow(position + maxBytes);
            if (end <= position)
                return null;
            return new LogFileSlice(this, version, segment.SendSource, position, (int)(end - position));
        });
    }

    /// <summary>The log's start, end and segments as a read sees them (inside <see cref="Consistent{T}"/>).</summary>
    /// <exception cref="OffsetOutOfRangeException"><paramref name="startOffset"/> is outside the log.</exception>
    private (long LogStart, long LogEnd, LogSegment[] Segments) ReadBounds(long startOffset)
    {
        long logEnd = Volatile.Read(ref _logEndOffset);
        long logStart = Volatile.Read(ref _logStartOffset);
        var segments = Volatile.Read(ref _segments);
        if (startOffset < logStart || startOffset > logEnd)
            throw new OffsetOutOfRangeException(startOffset, logStart, logEnd);
        return (logStart, logEnd, segments);
    }

    /// <summary>Whether the log still holds what it held at <paramref name="version"/>: not closed, nothing truncated, deleted or cleaned since.</summary>
    internal bool IsUnchangedSince(long version) => !_disposed && Volatile.Read(ref _version) == version;

    /// <summary>
    /// Kafka's ListOffsets by timestamp: the first record at or after <see cref="LogStartOffset"/> whose timestamp is ≥
    /// <paramref name="timestamp"/>, with that record's timestamp, or null if none. Segments whose largest timestamp
    /// is below the target are skipped; in the first other one the search starts at its time index entry (see
    /// <see cref="TimeIndex"/>), skips batches by maxTimestamp and walks the first batch that reaches the target
    /// record by record. Example: batches 0..4 stamped 1000..1040 and 5..9 stamped 2000..2040:
    /// FindOffsetForTimestamp(1015) = (2, 1020), (1041) = (5, 2000), (2041) = null. Any thread.
    /// </summary>
    public TimestampOffset? FindOffsetForTimestamp(long timestamp)
    {
        ThrowIfDisposed();
        return Consistent(() =>
        {
            long logEnd = Volatile.Read(ref _logEndOffset);
            long logStart = Volatile.Read(ref _logStartOffset);
            foreach (var segment in Volatile.Read(ref _segments))
            {
                if (segment.BaseOffset >= logEnd)
                    break;
                if (segment.NextOffset <= logStart)
                    continue;
                if (segment.FindOffsetForTimestamp(timestamp, segment.Size, logEnd, logStart) is { } found)
                    return found;
            }
            return null;
        });
    }

    /// <summary>The offset part of <see cref="FindOffsetForTimestamp"/>. Any thread.</summary>
    public long? OffsetForTimestamp(long timestamp) => FindOffsetForTimestamp(timestamp)?.Offset;

    /// <summary>
    /// fsyncs every segment written since the last flush (the active one, and any rolled since), .log before
    /// .index, then moves <see cref="RecoveryPoint"/> to <see cref="LogEndOffset"/> and writes the checkpoint.
    /// Writer thread only.
    /// </summary>
    public void Flush()
    {
        ThrowIfDisposed();
        long logEnd = _logEndOffset;
        foreach (var segment in _segments)
            segment.Flush();
        ReleaseFlushedPages(_segments);
        lock (_checkpointLock)
            AdvanceRecoveryPoint(logEnd);
    }

    /// <summary>
    /// After each flush the log releases the page-cache pages of what is flushed, except its newest this many bytes
    /// (the tail that consumers and followers read). long.MaxValue (the default) releases nothing: the kernel evicts
    /// pages only under memory pressure, as under Kafka. Why release at all: on a VM that hands free memory back to its
    /// host, a page the kernel takes from its free lists for a new write costs a host fault and zeroing, several times
    /// the copy itself (docs/design-notes.md, "The log releases the page cache behind it"); released pages are reused by
    /// the next appends. A reader further behind reads from the disk. The owner may change it at any time (a node
    /// shares one budget among its logs). Any thread.
    /// </summary>
    public long PageCacheKeepBytes
    {
        get => Volatile.Read(ref _pageCacheKeepBytes);
        set => Volatile.Write(ref _pageCacheKeepBytes, value >= 0 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "must not be negative"));
    }

    /// <summary>
    /// Releases the page-cache pages of flushed bytes older than the newest <see cref="PageCacheKeepBytes"/> of
    /// <paramref name="segments"/> (oldest first). Any thread.
    /// </summary>
    private void ReleaseFlushedPages(LogSegment[] segments)
    {
        long keep = PageCacheKeepBytes;
        if (keep == long.MaxValue)
            return;
        for (int i = segments.Length - 1; i >= 0; i--)
        {
            long size = segments[i].Size;
            segments[i].ReleaseCachedPagesBelow(size - keep);
            keep = Math.Max(0, keep - size);
        }
    }

    /// <summary>Moves the recovery point up to <paramref name="flushedEnd"/> and checkpoints it. Under <see cref="_checkpointLock"/>.</summary>
    private void AdvanceRecoveryPoint(long flushedEnd)
    {
        if (flushedEnd > _recoveryPoint)
            Volatile.Write(ref _recoveryPoint, flushedEnd);
        if (_recoveryPoint != _checkpointed)
        {
            RecoveryPointCheckpoint.Write(Directory, _recoveryPoint);
            _checkpointWrites++;
            _checkpointed = _recoveryPoint;
        }
    }

    /// <summary>
    /// Drops every batch holding an offset ≥ <paramref name="offset"/>. Whole batches only: if
    /// <paramref name="offset"/> falls inside a batch, that batch is dropped too and <see cref="LogEndOffset"/>
    /// becomes its base offset (≤ <paramref name="offset"/>); at a batch boundary it becomes exactly
    /// <paramref name="offset"/>. No-op when <paramref name="offset"/> ≥ LogEndOffset. Below LogStartOffset the
    /// whole log is deleted and restarts empty at <paramref name="offset"/>. If the new end falls below LogStartOffset
    /// (it was inside the dropped batch), LogStartOffset comes down to it and is checkpointed. Writer thread only.
    /// Example: batches 0..4, 5..9, 10..14: TruncateTo(10) → LogEndOffset 10; TruncateTo(7) → LogEndOffset 5.
    /// </summary>
    public void TruncateTo(long offset)
    {
        ThrowIfDisposed();
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        if (offset >= _logEndOffset)
            return;
        var segments = _segments;
        bool restart = offset < _logStartOffset;
        int keep = 0;
        long position = 0, newEnd = offset;
        if (!restart)
        {
            keep = FindSegment(segments, offset);
            var segment = segments[keep];
            position = segment.FindBatchPosition(offset, segment.Size, out long batchBase);
            if (position < 0)
            {
                position = segment.Size;
                newEnd = segment.NextOffset;
            }
            else
            {
                newEnd = batchBase;
            }
        }

        // Lower the checkpoints first: after a crash midway, recovery must rescan from here.
        lock (_checkpointLock)
        {
            _truncations++; // a background flush planned before this must not raise the checkpoints again
            if (newEnd < _recoveryPoint)
            {
                Volatile.Write(ref _recoveryPoint, newEnd);
                RecoveryPointCheckpoint.Write(Directory, newEnd);
                _checkpointWrites++;
                _checkpointed = newEnd;
            }
            LowerHighWatermarkCheckpoint(newEnd);
        }
        long newStart = restart ? offset : Math.Min(_logStartOffset, newEnd);
        if (newStart != _logStartOffset)
        {
            LogStartOffsetCheckpoint.Write(Directory, newStart);
            _checkpointedLogStart = newStart;
        }

        Interlocked.Increment(ref _version);
        try
        {
            LogSegment[] removed;
            if (restart)
            {
                var fresh = LogSegment.Create(Directory, offset, _config);
                removed = segments;
                Volatile.Write(ref _segments, [fresh]);
            }
            else
            {
                removed = segments[(keep + 1)..];
                Volatile.Write(ref _segments, segments[..(keep + 1)]);
                segments[keep].TruncateTo(position, newEnd);
            }
            Volatile.Write(ref _logStartOffset, newStart);
            Volatile.Write(ref _logEndOffset, newEnd);
            foreach (var segment in removed)
                segment.Delete();
        }
        finally
        {
            Interlocked.Increment(ref _version);
        }
    }

    /// <summary>
    /// Kafka's time and size retention: deletes whole inactive segments from the front (never the active one), then
    /// moves <see cref="LogStartOffset"/> up to the new first segment's base offset. Oldest first, a segment goes
    /// while (a) it lies entirely below LogStartOffset (the next segment starts at or before it), or
    /// (b) its <see cref="SegmentInfo.LargestTimestamp"/> &lt; <paramref name="nowMs"/> - <paramref name="retentionMs"/>,
    /// or (c) <see cref="SizeInBytes"/> (of what is left) - <paramref name="retentionBytes"/> ≥ its size; the first
    /// segment kept by all three stops the walk. A negative <paramref name="retentionMs"/> or
    /// <paramref name="retentionBytes"/> disables that rule. The new start is checkpointed before any file is deleted.
    /// Writer thread only. See the class comment for a worked example.
    /// </summary>
    public RetentionResult ApplyRetention(long nowMs, long retentionMs, long retentionBytes)
    {
        ThrowIfDisposed();
        var segments = _segments;
        long logStart = _logStartOffset;
        int deletable = segments.Length - 1;
        int count = 0;
        while (count < deletable && segments[count + 1].BaseOffset <= logStart)
            count++;
        if (retentionMs >= 0)
        {
            long cutoff = nowMs - retentionMs;
            while (count < deletable && segments[count].LargestTimestamp < cutoff)
                count++;
        }
        if (retentionBytes >= 0)
        {
            long excess = -retentionBytes;
            for (int i = count; i < segments.Length; i++)
                excess += segments[i].Size;
            while (count < deletable && excess >= segments[count].Size)
                excess -= segments[count++].Size;
        }
        if (count == 0)
            return new RetentionResult(0, 0, logStart);
        long bytes = 0;
        for (int i = 0; i < count; i++)
            bytes += segments[i].Size;
        RemoveLeadingSegments(segments, count, Math.Max(logStart, segments[count].BaseOffset));
        return new RetentionResult(count, bytes, _logStartOffset);
    }

    /// <summary>
    /// Kafka's DeleteRecords: moves <see cref="LogStartOffset"/> up to <paramref name="offset"/> (-1 means the high
    /// watermark, here <see cref="LogEndOffset"/>), checkpoints it, then deletes the inactive segments lying entirely
    /// below it. The segment holding <paramref name="offset"/> stays; its earlier offsets become unreadable. A
    /// smaller offset than the current start changes nothing. Returns the new LogStartOffset. Writer thread only.
    /// Example: batches 0..4, 5..9 in segment 0 and 10..14 in segment 10: AdvanceLogStartOffset(7) keeps both
    /// segments, Read(5) throws, Read(7) returns the batch 5..9; AdvanceLogStartOffset(12) then deletes segment 0.
    /// </summary>
    /// <exception cref="OffsetOutOfRangeException"><paramref name="offset"/> is above LogEndOffset, or negative and not -1.</exception>
    public long AdvanceLogStartOffset(long offset)
    {
        ThrowIfDisposed();
        long logEnd = _logEndOffset, logStart = _logStartOffset;
        if (offset == -1)
            offset = logEnd;
        if (offset < 0 || offset > logEnd)
            throw new OffsetOutOfRangeException(offset, logStart, logEnd);
        if (offset <= logStart)
            return logStart;
        var segments = _segments;
        int count = 0;
        while (count < segments.Length - 1 && segments[count + 1].BaseOffset <= offset)
            count++;
        RemoveLeadingSegments(segments, count, offset);
        return offset;
    }

    /// <summary>
    /// Checkpoints <paramref name="newStart"/> (if it moved), then — inside the sequence lock — publishes it and the
    /// segment array without its first <paramref name="count"/> segments; then closes and deletes their files.
    /// </summary>
    private void RemoveLeadingSegments(LogSegment[] segments, int count, long newStart)
    {
        if (newStart > _logStartOffset && newStart != _checkpointedLogStart)
        {
            LogStartOffsetCheckpoint.Write(Directory, newStart);
            _checkpointedLogStart = newStart;
        }
        Interlocked.Increment(ref _version);
        try
        {
            if (count > 0)
                Volatile.Write(ref _segments, segments[count..]);
            if (newStart > _logStartOffset)
                Volatile.Write(ref _logStartOffset, newStart);
        }
        finally
        {
            Interlocked.Increment(ref _version);
        }
        // Readers that may still use these started before the increments above and will retry.
        for (int i = 0; i < count; i++)
            segments[i].Delete();
    }

    /// <summary>Flushes, then closes every file. Writer thread only; idempotent.</summary>
    public void Dispose()
    {
        if (_disposed)
            return;
        try
        {
            Flush();
        }
        finally
        {
            lock (_checkpointLock)
                _disposed = true; // a background flush still running writes no checkpoint after this
            foreach (var segment in _segments)
                segment.Dispose();
        }
    }

    /// <summary>Tests only: closes every file without flushing or checkpointing, as a crash would leave them.</summary>
    internal void CloseWithoutFlush()
    {
        _disposed = true;
        foreach (var segment in _segments)
            segment.Dispose();
    }

    private LogSegment ActiveSegment => _segments[^1];

    private LogSegment Roll(long baseOffset)
    {
        _segments[^1].Seal();
        var segment = LogSegment.Create(Directory, baseOffset, _config);
        var current = _segments;
        var next = new LogSegment[current.Length + 1];
        current.CopyTo(next, 0);
        next[^1] = segment;
        Volatile.Write(ref _segments, next);
        return segment;
    }

    /// <summary>Index of the segment with the greatest base offset ≤ <paramref name="offset"/> (0 if none).</summary>
    private static int FindSegment(LogSegment[] segments, long offset)
    {
        int lo = 0, hi = segments.Length - 1, found = 0;
        while (lo <= hi)
        {
            int mid = lo + ((hi - lo) >> 1);
            if (segments[mid].BaseOffset <= offset)
            {
                found = mid;
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }
        return found;
    }

    /// <summary>
    /// Runs a reader against a consistent state (sequence lock): if a truncation overlapped it, the result — or the
    /// exception, since files may have shrunk or closed under it — is discarded and the read runs again.
    /// </summary>
    private T Consistent<T>(Func<T> read)
    {
        var spin = new SpinWait();
        while (true)
        {
            long version = Volatile.Read(ref _version);
            if ((version & 1) != 0)
            {
                spin.SpinOnce();
                continue;
            }
            T result;
            try
            {
                result = read();
            }
            catch (Exception) when (Changed(version))
            {
                spin.SpinOnce();
                continue;
            }
            if (!Changed(version))
                return result;
            spin.SpinOnce();
        }
    }

    private bool Changed(long version)
    {
        Interlocked.MemoryBarrier();
        return Volatile.Read(ref _version) != version;
    }

    private static ReadOnlyMemory<byte> Concat(List<ReadOnlyMemory<byte>> chunks, int total)
    {
        if (chunks.Count == 0)
            return ReadOnlyMemory<byte>.Empty;
        if (chunks.Count == 1)
            return chunks[0];
        var all = new byte[total];
        int offset = 0;
        foreach (var chunk in chunks)
        {
            chunk.Span.CopyTo(all.AsSpan(offset));
            offset += chunk.Length;
        }
        return all;
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, this);
}
