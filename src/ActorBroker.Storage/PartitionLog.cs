using System.Buffers.Binary;
using ActorBroker.Protocol.Records;

namespace ActorBroker.Storage;

/// <summary>
/// The log of one partition: a directory of <see cref="LogSegment"/>s (ascending base offsets, the last one
/// active) plus a <c>recovery-point</c> checkpoint (<see cref="RecoveryPointCheckpoint"/>).
///
/// <para><b>Directory layout</b> (<c>&lt;data-dir&gt;/logs/&lt;topic&gt;-&lt;partition&gt;/</c>, see
/// <see cref="LogDirectoryName"/>): <c>00000000000000000000.log</c>, <c>00000000000000000000.index</c>,
/// <c>00000000000000004096.log</c>, ..., <c>recovery-point</c>.</para>
///
/// <para><b>Invariants</b>: offsets are assigned consecutively from <see cref="LogEndOffset"/>; segments are
/// contiguous (each starts at the previous one's next offset); <see cref="LogStartOffset"/> is the first segment's
/// base offset; <see cref="RecoveryPoint"/> ≤ <see cref="LogEndOffset"/> and every byte below it is fsynced, and the
/// checkpoint on disk never exceeds what is fsynced.</para>
///
/// <para><b>Recovery</b> on <see cref="Open"/>, worked example: segments 0 (offsets 0..99) and 100 (100..180), the
/// checkpoint says 150, and the machine crashed while writing batch 181..190. Segment 0 ends before 150: its index
/// is only sanity-checked. Segment 100 holds offsets ≥ 150: it is validated batch by batch from its index entry
/// for 150, its index rebuilt from there, and its .log cut where the torn batch begins; LogEndOffset is 181.
/// Had segment 100 also held a corrupt batch 120..129, it would be cut before it (LogEndOffset 120) and any later
/// segment deleted. The recovered bytes are then fsynced and the checkpoint moved to the new LogEndOffset.
/// <see cref="Recovery"/> reports what was done.</para>
///
/// <para><b>Truncation</b> (<see cref="TruncateTo"/>) drops whole batches: to an offset inside a batch means to
/// that batch's base offset (the batch goes). See <see cref="LogSegment"/> for a worked example.</para>
///
/// <para><b>Thread-safety</b>: exactly one thread calls <see cref="Append"/>, <see cref="Flush"/>,
/// <see cref="TruncateTo"/> and <see cref="Dispose"/> (the partition actor). <see cref="Read"/>,
/// <see cref="OffsetForTimestamp"/> and the properties may be called from any thread at the same time. Appends
/// write bytes first, then publish each segment's size, then <see cref="LogEndOffset"/> (Volatile); readers read
/// LogEndOffset first, then the segment list, then sizes, so they never see a partial batch. Rolling publishes a
/// new immutable segment array (copy-on-write). Truncation — the only operation that takes bytes away — runs inside a
/// sequence lock: readers that overlap it start over.</para>
/// </summary>
public sealed class PartitionLog : IDisposable
{
    private readonly LogConfig _config;
    private LogSegment[] _segments;
    private long _logStartOffset;
    private long _logEndOffset;
    private long _recoveryPoint;
    private long _checkpointed;
    private long _version; // sequence lock: odd while TruncateTo changes or deletes bytes
    private volatile bool _disposed;

    private PartitionLog(string directory, LogConfig config, LogSegment[] segments, RecoveryReport recovery, long checkpointed)
    {
        Directory = directory;
        _config = config;
        _segments = segments;
        _logStartOffset = segments[0].BaseOffset;
        _logEndOffset = segments[^1].NextOffset;
        _recoveryPoint = Math.Min(checkpointed, _logEndOffset);
        _checkpointed = checkpointed;
        Recovery = recovery;
    }

    public string Directory { get; }
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

        string dir = Path.GetFullPath(directory);
        System.IO.Directory.CreateDirectory(dir);
        RecoveryPointCheckpoint.DeleteLeftovers(dir);
        var notes = new List<string>();

        var baseOffsets = new SortedSet<long>();
        foreach (string path in System.IO.Directory.EnumerateFiles(dir, "*" + LogSegment.LogExtension))
            if (LogSegment.TryParseFileName(Path.GetFileName(path), LogSegment.LogExtension, out long baseOffset))
                baseOffsets.Add(baseOffset);
        foreach (string path in System.IO.Directory.EnumerateFiles(dir, "*" + LogSegment.IndexExtension))
        {
            if (LogSegment.TryParseFileName(Path.GetFileName(path), LogSegment.IndexExtension, out long baseOffset)
                && !baseOffsets.Contains(baseOffset))
            {
                File.Delete(path);
                notes.Add($"Deleted {path}: it has no .log file.");
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
                if (!holdsUnflushed && segment.IndexProblem is null)
                {
                    segment.AssumeEndsAt(segments[i + 1].BaseOffset);
                    continue;
                }
                scanned++;
                var truncation = segment.Recover(holdsUnflushed ? recoveryPoint : segment.BaseOffset);
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

            var report = new RecoveryReport(recoveryPoint, loaded, scanned, rebuilt, truncations, deleted, notes);
            var log = new PartitionLog(dir, config, segments.ToArray(), report, checkpointed: -1);
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
    /// <see cref="LogConfig.SegmentBytes"/> (a bigger batch goes alone into a fresh segment), or when its index is full.
    /// Writer thread only. Not fsynced: see <see cref="Flush"/>.
    /// </summary>
    /// <exception cref="InvalidRecordBatchException">A batch is not Valid per <see cref="RecordBatch.Check"/>, or the buffer is empty.</exception>
    public AppendResult Append(Memory<byte> batches, int leaderEpoch)
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

        int count = sizes.Count;
        var lastOffsets = new long[count];
        long firstOffset = _logEndOffset, nextOffset = firstOffset;
        for (int i = 0, position = 0; i < count; position += sizes[i], i++)
        {
            int lastOffsetDelta = BinaryPrimitives.ReadInt32BigEndian(span[(position + 23)..]);
            RecordBatch.Stamp(span[position..], nextOffset, leaderEpoch);
            lastOffsets[i] = nextOffset + lastOffsetDelta;
            nextOffset = lastOffsets[i] + 1;
        }

        for (int i = 0, position = 0; i < count;)
        {
            long batchBase = i == 0 ? firstOffset : lastOffsets[i - 1] + 1;
            var segment = ActiveSegment;
            if (!segment.CanAppend(sizes[i], lastOffsets[i]))
                segment = Roll(batchBase);
            // Group the following batches that also fit into one write; each may need one index entry.
            int end = i + 1;
            long bytes = sizes[i];
            int indexRoom = segment.Index.RemainingEntries;
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
        return new AppendResult(firstOffset, nextOffset - 1, count, nextOffset);
    }

    /// <summary>
    /// Whole batches from the one containing <paramref name="startOffset"/>, at most <paramref name="maxBytes"/> in
    /// total (continuing across segments), but at least the first batch when <paramref name="minOneBatch"/>.
    /// Never returns bytes at or past the log end seen at the start of the read. Any thread.
    /// </summary>
    /// <exception cref="OffsetOutOfRangeException"><paramref name="startOffset"/> is below LogStartOffset or above LogEndOffset.</exception>
    public ReadResult Read(long startOffset, int maxBytes, bool minOneBatch)
    {
        ThrowIfDisposed();
        ArgumentOutOfRangeException.ThrowIfNegative(maxBytes);
        return Consistent(() => ReadUnlocked(startOffset, maxBytes, minOneBatch));
    }

    private ReadResult ReadUnlocked(long startOffset, int maxBytes, bool minOneBatch)
    {
        long logEnd = Volatile.Read(ref _logEndOffset);
        long logStart = Volatile.Read(ref _logStartOffset);
        var segments = Volatile.Read(ref _segments);
        if (startOffset < logStart || startOffset > logEnd)
            throw new OffsetOutOfRangeException(startOffset, logStart, logEnd);
        if (startOffset == logEnd)
            return new ReadResult(ReadOnlyMemory<byte>.Empty, logStart, logEnd);

        var chunks = new List<byte[]>(1);
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
            var bytes = segment.ReadBatches(position, limit, logEnd, remaining, minOneBatch && total == 0, out bool reachedLimit);
            if (bytes.Length > 0)
                chunks.Add(bytes);
            total += bytes.Length;
            if (!reachedLimit || total >= maxBytes)
                break;
        }
        return new ReadResult(Concat(chunks, total), logStart, logEnd);
    }

    /// <summary>
    /// The offset of the first record whose timestamp is ≥ <paramref name="timestamp"/>, or null if none.
    /// Batches are skipped by maxTimestamp; inside an uncompressed batch the first such record is found, for a
    /// compressed one its base offset is returned. Scans segments front to back (no time index yet). Any thread.
    /// </summary>
    public long? OffsetForTimestamp(long timestamp)
    {
        ThrowIfDisposed();
        return Consistent(() =>
        {
            long logEnd = Volatile.Read(ref _logEndOffset);
            foreach (var segment in Volatile.Read(ref _segments))
            {
                if (segment.BaseOffset >= logEnd)
                    break;
                if (segment.FindOffsetForTimestamp(timestamp, segment.Size, logEnd) is long offset)
                    return (long?)offset;
            }
            return null;
        });
    }

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
        Volatile.Write(ref _recoveryPoint, logEnd);
        if (logEnd != _checkpointed)
        {
            RecoveryPointCheckpoint.Write(Directory, logEnd);
            _checkpointed = logEnd;
        }
    }

    /// <summary>
    /// Drops every batch holding an offset ≥ <paramref name="offset"/>. Whole batches only: if
    /// <paramref name="offset"/> falls inside a batch, that batch is dropped too and <see cref="LogEndOffset"/>
    /// becomes its base offset (≤ <paramref name="offset"/>); at a batch boundary it becomes exactly
    /// <paramref name="offset"/>. No-op when <paramref name="offset"/> ≥ LogEndOffset. Below LogStartOffset the
    /// whole log is deleted and restarts empty at <paramref name="offset"/>. Writer thread only.
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

        // Lower the checkpoint first: after a crash midway, recovery must rescan from here.
        if (newEnd < _recoveryPoint)
        {
            Volatile.Write(ref _recoveryPoint, newEnd);
            RecoveryPointCheckpoint.Write(Directory, newEnd);
            _checkpointed = newEnd;
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
                Volatile.Write(ref _logStartOffset, offset);
            }
            else
            {
                removed = segments[(keep + 1)..];
                Volatile.Write(ref _segments, segments[..(keep + 1)]);
                segments[keep].TruncateTo(position, newEnd);
            }
            Volatile.Write(ref _logEndOffset, newEnd);
            foreach (var segment in removed)
                segment.Delete();
        }
        finally
        {
            Interlocked.Increment(ref _version);
        }
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
            _disposed = true;
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

    private static ReadOnlyMemory<byte> Concat(List<byte[]> chunks, int total)
    {
        if (chunks.Count == 0)
            return ReadOnlyMemory<byte>.Empty;
        if (chunks.Count == 1)
            return chunks[0];
        var all = new byte[total];
        int offset = 0;
        foreach (var chunk in chunks)
        {
            chunk.CopyTo(all, offset);
            offset += chunk.Length;
        }
        return all;
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, this);
}
