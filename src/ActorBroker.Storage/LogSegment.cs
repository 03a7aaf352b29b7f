using System.Buffers.Binary;
using System.Globalization;
using ActorBroker.Protocol.Primitives;
using ActorBroker.Protocol.Records;
using Microsoft.Win32.SafeHandles;

namespace ActorBroker.Storage;

/// <summary>
/// One segment of a partition log: a .log file of record batches, its sparse <see cref="OffsetIndex"/> and its
/// sparse <see cref="TimeIndex"/>.
///
/// <para><b>File format</b>: <c>&lt;20-digit baseOffset&gt;.log</c> (e.g. <c>00000000000000000000.log</c>) is the
/// stamped RecordBatch v2 bytes exactly as produced, back to back, with no header or padding;
/// <c>&lt;20-digit baseOffset&gt;.index</c> is described on <see cref="OffsetIndex"/>, <c>&lt;20-digit
/// baseOffset&gt;.timeindex</c> on <see cref="TimeIndex"/>.</para>
///
/// <para><b>Invariants</b>: batches are whole, their base offsets increase and are ≥ <see cref="BaseOffset"/>, and
/// every last offset fits an int32 relative to it. <see cref="Size"/> is the readable end: bytes below it are whole
/// batches already written, bytes at or past it are not to be read. A segment never grows beyond
/// <see cref="LogConfig.SegmentBytes"/> unless it holds a single bigger batch.</para>
///
/// <para><b>Truncation</b> (<see cref="TruncateTo"/>), worked example: batches at positions 0 (offsets 0..4),
/// 80 (5..9), 160 (10..14); index entry (10, 160). Truncating to offset 7 finds the batch holding 7 at position 80,
/// so the .log is cut to 80 bytes, the entry (10, 160) is dropped and the next offset becomes 5: whole batches
/// only, the batch containing the target goes too.</para>
///
/// <para><b>Recovery</b> (<see cref="Recover"/>), worked example: batches of 80 bytes hold offsets 0..4 at 0,
/// 5..9 at 80, 10..14 at 160, and a crash tore the batch 15..19 after 50 of its bytes (the .log is 290 bytes).
/// The index has (10, 160) and the recovery point is 12. Recovery looks up 12 → (10, 160), checks that the batch
/// at 160 is valid and starts at 10, drops index entries ≥ 10 and rescans from 160, re-adding them. At 240 it
/// meets Incomplete, cuts the .log to 240 bytes and reports 50 bytes dropped; the next offset is 15.
/// Without a trusted index entry (index missing, corrupt or no entry ≤ 12) it rescans from byte 0.</para>
///
/// <para><b>Largest timestamp</b> (<see cref="LargestTimestamp"/>, what time-based retention compares): the max of
/// its batches' MaxTimestamp, or <see cref="NoTimestamp"/> when empty. Kept exact on <see cref="Append"/>, on
/// <see cref="Recover"/> and on <see cref="TruncateTo"/>, and persisted by the time index: <see cref="Seal"/> (at
/// roll, and after recovering an inactive segment) appends the final entry, so after <see cref="Open"/> a segment
/// that is not scanned (<see cref="AssumeEndsAt"/>) takes the max of the time index's last entry and the batch headers
/// after its last offset-index entry — exact. Worked example: batches with MaxTimestamp 1000 (position 0),
/// 900 (4096, index entries (10, 4096) and time entry (1000, 0)) and 700 (8192), sealed at roll with nothing new:
/// reopened, the time index says 1000 and the headers from 4096 say 900 → 1000 (before the time index the reopened
/// segment said 900). A segment recovered from an offset-index entry truncates the time index there too and takes the
/// max of its last remaining entry and the rescanned batches — exact, because the entry that covered the batches just
/// before the rescan either survives (its offset is earlier) or was reached by a rescanned batch.</para>
///
/// <para><b>Thread-safety</b>: one writer (append, truncate, recover, flush) and any number of concurrent readers
/// (<see cref="FindBatchPosition"/>, <see cref="ReadBatches"/>, <see cref="FindOffsetForTimestamp"/>). Bytes are
/// written with positional writes, then <see cref="Size"/> and <see cref="NextOffset"/> are published with
/// <see cref="Volatile"/>; readers use positional reads (pread) below a <see cref="Size"/> they read first, so they
/// never see a partial batch. Truncation is not atomic for readers; <see cref="PartitionLog"/> makes them retry.</para>
/// </summary>
internal sealed class LogSegment : IDisposable
{
    public const string LogExtension = ".log";
    public const string IndexExtension = ".index";
    public const string TimeIndexExtension = ".timeindex";
    private const int LookupBufferSize = 8 * 1024;

    /// <summary>Kafka's NO_TIMESTAMP: the largest timestamp of an empty segment.</summary>
    public const long NoTimestamp = -1;

    // Asynchronous marks the handle as one a socket may send from (SendPacketsElement insists); on Unix it changes
    // nothing about the file descriptor, and the synchronous RandomAccess calls work on it as before.
    private const FileOptions SendableOptions = FileOptions.Asynchronous;

    /// <summary>How far ahead of its end an active segment reserves its blocks (<see cref="Preallocation"/>).</summary>
    public const long ReserveAhead = 4 * 1024 * 1024;

    private readonly SafeFileHandle _log;
    private FileStream? _sendSource;
    private long _reservedEnd; // writer thread: blocks are reserved below this (long.MaxValue: not reserving)
    private readonly LogConfig _config;
    private readonly OffsetIndex _index;
    private readonly TimeIndex _timeIndex;
    private long _size;
    private long _nextOffset;
    private long _bytesSinceLastIndexEntry;
    private long _largestTimestamp = NoTimestamp;
    private long _offsetOfLargestTimestamp; // base offset of the first batch that reached _largestTimestamp
    private bool _dirty;
    private long _flushedSize; // the .log's bytes the last flush made durable
    private long _cacheReleasedTo; // page-cache pages below this were released (ReleaseCachedPagesBelow)

    private LogSegment(string directory, long baseOffset, LogConfig config, SafeFileHandle log, OffsetIndex index, TimeIndex timeIndex, long size, string suffix = "")
    {
        _timeIndex = timeIndex;
        TimeIndexPath = timeIndex.Path;
        _offsetOfLargestTimestamp = baseOffset;
        BaseOffset = baseOffset;
        LogPath = Path.Combine(directory, FileName(baseOffset, LogExtension) + suffix);
        IndexPath = Path.Combine(directory, FileName(baseOffset, IndexExtension) + suffix);
        _config = config;
        _log = log;
        _index = index;
        _size = size;
        _nextOffset = baseOffset;
    }

    public long BaseOffset { get; }
    public string LogPath { get; }
    public string IndexPath { get; }
    public string TimeIndexPath { get; }
    internal OffsetIndex Index => _index;
    internal TimeIndex TimeIndex => _timeIndex;

    /// <summary>
    /// Batches that may still be appended before the offset index fills up (each may add one entry). A full time
    /// index does not roll the segment: it only stops taking interval entries (lookups scan further), keeping its last
    /// slot for <see cref="Seal"/>.
    /// </summary>
    public int IndexRoom => _index.RemainingEntries;

    /// <summary>Set by <see cref="Open"/> when the .timeindex was missing or corrupt and an empty one replaced it; cleared by <see cref="Recover"/>.</summary>
    public string? TimeIndexProblem { get; private set; }

    /// <summary>MaxTimestamp of the first batch, or <see cref="NoTimestamp"/> when empty (what segment.ms compares). Writer thread only.</summary>
    public long FirstBatchTimestamp { get; private set; } = NoTimestamp;

    /// <summary>Set by <see cref="Open"/> when the .index was missing or corrupt and an empty one replaced it; cleared by <see cref="Recover"/>.</summary>
    public string? IndexProblem { get; private set; }

    /// <summary>The readable end of the .log in bytes.</summary>
    public long Size => Volatile.Read(ref _size);

    /// <summary>The .log's bytes the last <see cref="Flush"/> made durable (0 before the first).</summary>
    public long FlushedSize => Volatile.Read(ref _flushedSize);

    /// <summary>The offset after the last batch (<see cref="BaseOffset"/> when empty).</summary>
    public long NextOffset => Volatile.Read(ref _nextOffset);

    /// <summary>The max of its batches' MaxTimestamp, or <see cref="NoTimestamp"/> when empty (see the class comment for how exact).</summary>
    public long LargestTimestamp => Volatile.Read(ref _largestTimestamp);

    public static string FileName(long baseOffset, string extension) =>
        baseOffset.ToString("D20", CultureInfo.InvariantCulture) + extension;

    public static bool TryParseFileName(string fileName, string extension, out long baseOffset)
    {
        baseOffset = -1;
        if (fileName.Length != 20 + extension.Length || !fileName.EndsWith(extension, StringComparison.Ordinal))
            return false;
        return long.TryParse(fileName.AsSpan(0, 20), NumberStyles.None, CultureInfo.InvariantCulture, out baseOffset);
    }

    /// <summary>
    /// Creates an empty segment (overwriting stale files of the same name). A <paramref name="suffix"/> is appended to
    /// all three file names: the log cleaner writes a segment's replacement as <c>&lt;base&gt;.log.cleaned</c> etc.
    /// (see <see cref="SegmentSwap"/>).
    /// </summary>
    public static LogSegment Create(string directory, long baseOffset, LogConfig config, string suffix = "")
    {
        var log = File.OpenHandle(Path.Combine(directory, FileName(baseOffset, LogExtension) + suffix),
            FileMode.Create, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete, SendableOptions);
        try
        {
            var index = OffsetIndex.Create(Path.Combine(directory, FileName(baseOffset, IndexExtension) + suffix),
                baseOffset, OffsetIndex.MaxEntriesFor(config));
            try
            {
                var timeIndex = TimeIndex.Create(Path.Combine(directory, FileName(baseOffset, TimeIndexExtension) + suffix),
                    baseOffset, TimeIndex.MaxEntriesFor(config));
                return new LogSegment(directory, baseOffset, config, log, index, timeIndex, 0, suffix) { _dirty = true };
            }
            catch
            {
                index.Dispose();
                throw;
            }
        }
        catch
        {
            log.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Opens an existing segment. Its index is loaded and sanity-checked; if that fails an empty index replaces it
    /// and <see cref="IndexProblem"/> says why — call <see cref="Recover"/> to rebuild it. <see cref="NextOffset"/>
    /// is unknown until <see cref="Recover"/> or <see cref="AssumeEndsAt"/>.
    /// </summary>
    public static LogSegment Open(string directory, long baseOffset, LogConfig config)
    {
        var log = File.OpenHandle(Path.Combine(directory, FileName(baseOffset, LogExtension)),
            FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete, SendableOptions);
        try
        {
            long length = RandomAccess.GetLength(log);
            string indexPath = Path.Combine(directory, FileName(baseOffset, IndexExtension));
            int maxEntries = OffsetIndex.MaxEntriesFor(config);
            OffsetIndex index;
            string? problem = null;
            try
            {
                index = OffsetIndex.Load(indexPath, baseOffset, maxEntries, length);
            }
            catch (FileNotFoundException)
            {
                problem = "missing";
                index = OffsetIndex.Create(indexPath, baseOffset, maxEntries);
            }
            catch (CorruptIndexException e)
            {
                problem = e.Reason;
                index = OffsetIndex.Create(indexPath, baseOffset, maxEntries);
            }
            string timeIndexPath = Path.Combine(directory, FileName(baseOffset, TimeIndexExtension));
            int maxTimeEntries = TimeIndex.MaxEntriesFor(config);
            TimeIndex timeIndex;
            string? timeProblem = null;
            try
            {
                timeIndex = TimeIndex.Load(timeIndexPath, baseOffset, maxTimeEntries);
            }
            catch (FileNotFoundException)
            {
                timeProblem = "missing";
                timeIndex = TimeIndex.Create(timeIndexPath, baseOffset, maxTimeEntries);
            }
            catch (CorruptIndexException e)
            {
                timeProblem = e.Reason;
                timeIndex = TimeIndex.Create(timeIndexPath, baseOffset, maxTimeEntries);
            }
            catch
            {
                index.Dispose();
                throw;
            }
            return new LogSegment(directory, baseOffset, config, log, index, timeIndex, length) { IndexProblem = problem, TimeIndexProblem = timeProblem };
        }
        catch
        {
            log.Dispose();
            throw;
        }
    }

    /// <summary>
    /// For a segment below the recovery point that is not scanned: it ends where the next one begins, and its
    /// <see cref="LargestTimestamp"/> is the max of its time index's last entry and the batch headers after its last
    /// offset-index entry.
    /// </summary>
    public void AssumeEndsAt(long nextSegmentBaseOffset)
    {
        Volatile.Write(ref _nextOffset, nextSegmentBaseOffset);
        if (_timeIndex.LastEntry is var (timestamp, offset))
        {
            _largestTimestamp = timestamp;
            _offsetOfLargestTimestamp = offset;
        }
        var (_, lastEntryPosition) = _index.LastEntry;
        TrackTimestampsBetween(lastEntryPosition, Size);
        FirstBatchTimestamp = FirstBatchTimestampOnDisk();
    }

    /// <summary>Folds the batch MaxTimestamps in [<paramref name="start"/>, <paramref name="end"/>) into the largest timestamp by a header scan, stopping at the first bad header.</summary>
    private void TrackTimestampsBetween(long start, long end)
    {
        long largest = _largestTimestamp, offsetOfLargest = _offsetOfLargestTimestamp;
        var scanner = new BatchFileScanner(_log, start, end, LookupBufferSize);
        while (scanner.Next(validate: false, out var found) && found.Check == BatchCheck.Valid)
        {
            if (found.Batch.MaxTimestamp > largest)
            {
                largest = found.Batch.MaxTimestamp;
                offsetOfLargest = found.Batch.BaseOffset;
            }
        }
        _offsetOfLargestTimestamp = offsetOfLargest;
        Volatile.Write(ref _largestTimestamp, largest);
    }

    private long FirstBatchTimestampOnDisk()
    {
        var scanner = new BatchFileScanner(_log, 0, Size, RecordBatch.HeaderSize);
        return scanner.Next(validate: false, out var found) && found.Check == BatchCheck.Valid ? found.Batch.MaxTimestamp : NoTimestamp;
    }

    /// <summary>
    /// Appends the final time-index entry (the exact largest timestamp) when the segment stops being active: at roll,
    /// and after recovering an inactive segment. Writer thread only.
    /// </summary>
    public void Seal()
    {
        ReleaseReservation();
        if (_largestTimestamp != NoTimestamp && _timeIndex.MaybeAppend(_largestTimestamp, _offsetOfLargestTimestamp, final: true))
            _dirty = true;
    }

    /// <summary>
    /// Reserves the blocks for [<paramref name="from"/>, <paramref name="to"/>) and <see cref="ReserveAhead"/> more
    /// (within the segment's size limit); stops trying for this segment when the file system cannot.
    /// </summary>
    private void Reserve(long from, long to)
    {
        long end = Math.Max(to, Math.Min(to + ReserveAhead, _config.SegmentBytes));
        _reservedEnd = Preallocation.Reserve(_log, Math.Max(from, _reservedEnd), end) ? end : long.MaxValue;
    }

    /// <summary>Gives back the blocks reserved past the end (a truncation to the size frees them on ext4 and xfs).</summary>
    private void ReleaseReservation()
    {
        if (_reservedEnd != long.MaxValue && _reservedEnd > _size)
            RandomAccess.SetLength(_log, _size);
        _reservedEnd = _size;
    }

    /// <summary>Whether a batch of <paramref name="batchSize"/> bytes ending at <paramref name="lastOffset"/> may go into this segment.</summary>
    public bool CanAppend(int batchSize, long lastOffset) =>
        _size == 0 || (_size + batchSize <= _config.SegmentBytes && !_index.IsFull && lastOffset - BaseOffset <= int.MaxValue);

    /// <summary>
    /// Appends already validated and stamped batches (writer thread only; the caller checked they fit), indexes
    /// them, then publishes the new <see cref="Size"/> and <see cref="NextOffset"/>.
    /// </summary>
    public void Append(ReadOnlySpan<byte> batches, long nextOffset)
    {
        long position = _size;
        if (position + batches.Length > _reservedEnd)
            Reserve(position, position + batches.Length);
        RandomAccess.Write(_log, batches, position);
        _dirty = true;
        if (position == 0)
            FirstBatchTimestamp = BinaryPrimitives.ReadInt64BigEndian(batches[35..]);
        int offset = 0;
        while (offset < batches.Length)
        {
            int size = RecordBatch.LogOverhead + BinaryPrimitives.ReadInt32BigEndian(batches[(offset + 8)..]);
            IndexBatch(BinaryPrimitives.ReadInt64BigEndian(batches[offset..]), BinaryPrimitives.ReadInt64BigEndian(batches[(offset + 35)..]),
                position + offset, size);
            offset += size;
        }
        Volatile.Write(ref _size, position + batches.Length);
        Volatile.Write(ref _nextOffset, nextOffset);
    }

    /// <summary>Tracks the largest timestamp and, every <see cref="LogConfig.IndexIntervalBytes"/>, adds an offset-index entry and (if the largest timestamp grew) a time-index entry.</summary>
    private void IndexBatch(long baseOffset, long maxTimestamp, long position, int size)
    {
        if (maxTimestamp > _largestTimestamp)
        {
            _offsetOfLargestTimestamp = baseOffset;
            Volatile.Write(ref _largestTimestamp, maxTimestamp);
        }
        if (_bytesSinceLastIndexEntry >= _config.IndexIntervalBytes && !_index.IsFull)
        {
            _index.Append(baseOffset, checked((int)position));
            _timeIndex.MaybeAppend(_largestTimestamp, _offsetOfLargestTimestamp, final: false);
            _bytesSinceLastIndexEntry = 0;
        }
        _bytesSinceLastIndexEntry += size;
    }

    /// <summary>A validating scan of every batch below <paramref name="limit"/> (the log cleaner's read). Any thread.</summary>
    public BatchFileScanner ScanBatches(long limit) => new(_log, 0, limit, 1024 * 1024);

    /// <summary>
    /// Position of the first batch below <paramref name="limit"/> whose last offset is ≥ <paramref name="offset"/>
    /// (the batch containing it, or the next one after a gap), or -1 if there is none. Starts at the index entry for
    /// the offset and scans headers forward.
    /// </summary>
    public long FindBatchPosition(long offset, long limit, out long batchBaseOffset)
    {
        var (_, start) = _index.Lookup(offset);
        var scanner = new BatchFileScanner(_log, start, limit, LookupBufferSize);
        while (scanner.Next(validate: false, out var found))
        {
            if (found.Check != BatchCheck.Valid)
                throw new CorruptLogException(LogPath, found.Position, $"no valid batch header ({found.Check}) while looking for offset {offset}");
            var batch = found.Batch;
            if (batch.LastOffset >= offset)
            {
                batchBaseOffset = batch.BaseOffset;
                return found.Position;
            }
        }
        batchBaseOffset = -1;
        return -1;
    }

    /// <summary>
    /// The start of the last indexed batch at or below <paramref name="position"/>, or -1: where a read of whole
    /// batches can end without reading their headers (the index has an entry at least every
    /// <see cref="LogConfig.IndexIntervalBytes"/>).
    /// </summary>
    public long IndexedBatchStartAtOrBelow(long position) => _index.LastPositionAtOrBelow(position);

    /// <summary>
    /// Whole batches starting at <paramref name="position"/> (a batch start) and below <paramref name="limit"/>, with
    /// base offsets below <paramref name="endOffset"/>, totalling at most <paramref name="maxBytes"/> — or, if
    /// <paramref name="minOneBatch"/> and the first batch alone is bigger, exactly that batch.
    /// <paramref name="reachedLimit"/> tells whether the bytes run up to <paramref name="limit"/> (so a read may go on in the next segment).
    /// The result is a slice of the buffer read into, not a trimmed copy: a read cut short by <paramref name="maxBytes"/>
    /// (the usual case for a 1 MiB fetch) would otherwise copy nearly a megabyte again.
    /// </summary>
    public ReadOnlyMemory<byte> ReadBatches(long position, long limit, long endOffset, int maxBytes, bool minOneBatch, out bool reachedLimit)
    {
        int want = (int)Math.Min(maxBytes, limit - position);
        byte[] buffer = want > 0 ? GC.AllocateUninitializedArray<byte>(want) : []; // filled by the read: no zeroing
        ReadExactly(buffer, position);
        int used = 0;
        while (used + RecordBatch.LogOverhead <= want)
        {
            long size = SizeAt(buffer.AsSpan(used), position + used);
            if (used + size > want || BinaryPrimitives.ReadInt64BigEndian(buffer.AsSpan(used)) >= endOffset)
                break;
            used += (int)size;
        }
        if (used == 0 && minOneBatch && position < limit)
        {
            Span<byte> header = stackalloc byte[RecordBatch.LogOverhead];
            ReadExactly(header, position);
            long size = SizeAt(header, position);
            if (BinaryPrimitives.ReadInt64BigEndian(header) < endOffset && position + size <= limit)
            {
                buffer = GC.AllocateUninitializedArray<byte>((int)size);
                ReadExactly(buffer, position);
                used = buffer.Length;
            }
        }
        reachedLimit = position + used == limit;
        return buffer.AsMemory(0, used);
    }

    private long SizeAt(ReadOnlySpan<byte> header, long position)
    {
        int batchLength = BinaryPrimitives.ReadInt32BigEndian(header[8..]);
        if (batchLength < RecordBatch.HeaderSize - RecordBatch.LogOverhead)
            throw new CorruptLogException(LogPath, position, $"batch length {batchLength} is too small");
        return (long)RecordBatch.LogOverhead + batchLength;
    }

    /// <summary>
    /// The first record below <paramref name="limit"/> and <paramref name="endOffset"/> whose timestamp is ≥
    /// <paramref name="timestamp"/>, with that timestamp, or null. Null at once when <see cref="LargestTimestamp"/> is
    /// below the target; otherwise the scan starts at the offset-index position for the time index's entry
    /// (<see cref="TimeIndex.Lookup"/>), skips batches by their maxTimestamp, and searches the first batch that
    /// reaches the target record by record (decompressing it if needed); in a LogAppendTime batch every record has the
    /// batch's maxTimestamp, so its first record is the answer.
    /// </summary>
    /// <remarks>Only offsets ≥ <paramref name="minOffset"/> (the log start) are answers: earlier records are skipped.</remarks>
    public TimestampOffset? FindOffsetForTimestamp(long timestamp, long limit, long endOffset, long minOffset = long.MinValue)
    {
        if (LargestTimestamp < timestamp)
            return null;
        long from = Math.Max(_timeIndex.Lookup(timestamp), minOffset);
        var (_, start) = _index.Lookup(from);
        var scanner = new BatchFileScanner(_log, start, limit);
        while (scanner.Next(validate: false, out var found))
        {
            if (found.Check != BatchCheck.Valid)
                throw new CorruptLogException(LogPath, found.Position, $"no valid batch header ({found.Check}) while searching by timestamp");
            var batch = found.Batch;
            long baseOffset = batch.BaseOffset;
            if (baseOffset >= endOffset)
                return null;
            if (batch.MaxTimestamp < timestamp || batch.LastOffset < minOffset)
                continue;
            if (batch.TimestampType == TimestampType.LogAppendTime)
                return new TimestampOffset(Math.Max(baseOffset, minOffset), batch.MaxTimestamp);
            var whole = new byte[found.Size];
            ReadExactly(whole, found.Position);
            var match = batch.Compression == CompressionType.None
                ? FirstRecordAtOrAfter(whole, timestamp, minOffset)
                : FirstDecodedRecordAtOrAfter(whole, timestamp, minOffset);
            if (match is not null)
                return match;
        }
        return null;
    }

    private static TimestampOffset? FirstDecodedRecordAtOrAfter(byte[] wholeBatch, long timestamp, long minOffset)
    {
        foreach (var record in new RecordBatch(wholeBatch).EnumerateRecords())
            if (record.Timestamp >= timestamp && record.Offset >= minOffset)
                return new TimestampOffset(record.Offset, record.Timestamp);
        return null;
    }

    /// <summary>Walks the records of an uncompressed batch (length, attributes, timestampDelta, offsetDelta, ...).</summary>
    internal static TimestampOffset? FirstRecordAtOrAfter(ReadOnlySpan<byte> wholeBatch, long timestamp, long minOffset = long.MinValue)
    {
        long baseOffset = BinaryPrimitives.ReadInt64BigEndian(wholeBatch);
        long baseTimestamp = BinaryPrimitives.ReadInt64BigEndian(wholeBatch[27..]);
        int recordCount = BinaryPrimitives.ReadInt32BigEndian(wholeBatch[57..]);
        int position = RecordBatch.HeaderSize;
        for (int i = 0; i < recordCount && position < wholeBatch.Length; i++)
        {
            if (!Varint.TryReadZigZag(wholeBatch[position..], out int length, out int n) || length < 0)
                return null;
            int recordStart = position + n;
            int p = recordStart + 1; // attributes
            if (p > wholeBatch.Length
                || !Varint.TryReadZigZagLong(wholeBatch[p..], out long timestampDelta, out n))
                return null;
            p += n;
            if (!Varint.TryReadZigZag(wholeBatch[p..], out int offsetDelta, out _))
                return null;
            if (baseTimestamp + timestampDelta >= timestamp && baseOffset + offsetDelta >= minOffset)
                return new TimestampOffset(baseOffset + offsetDelta, baseTimestamp + timestampDelta);
            position = recordStart + length;
        }
        return null;
    }

    /// <summary>
    /// Validates the .log from the best starting point for <paramref name="recoverFromOffset"/> to the end of the
    /// file with <see cref="RecordBatch.Check"/>, rebuilds the index over that range, and cuts the file at the first
    /// batch that is Incomplete, Malformed, of another magic, fails its CRC, or goes back in offsets.
    /// The starting point is the index entry for <paramref name="recoverFromOffset"/> when the index is trusted and
    /// that entry still points at a valid batch with the entry's offset; otherwise the start of the file.
    /// Returns the truncation, or null when the whole range was valid.
    /// </summary>
    public LogTruncation? Recover(long recoverFromOffset)
    {
        long length = RandomAccess.GetLength(_log);
        if (IndexProblem is null && TimeIndexProblem is null && recoverFromOffset > BaseOffset)
        {
            var (entryOffset, entryPosition) = _index.Lookup(recoverFromOffset);
            if (entryPosition > 0)
            {
                var probe = new BatchFileScanner(_log, entryPosition, length);
                if (probe.Next(validate: true, out var first) && first.Check == BatchCheck.Valid && first.Batch.BaseOffset == entryOffset)
                {
                    _index.TruncateTo(entryOffset);
                    _timeIndex.TruncateTo(entryOffset);
                    (_largestTimestamp, _offsetOfLargestTimestamp) = _timeIndex.LastEntry ?? (NoTimestamp, BaseOffset);
                    _bytesSinceLastIndexEntry = long.MaxValue / 2; // re-adds the entry for the batch at entryPosition
                    var cut = ScanFrom(entryPosition, entryOffset, length);
                    FirstBatchTimestamp = FirstBatchTimestampOnDisk();
                    return cut;
                }
            }
        }
        _index.TruncateTo(long.MinValue);
        _timeIndex.TruncateTo(long.MinValue);
        _largestTimestamp = NoTimestamp;
        _offsetOfLargestTimestamp = BaseOffset;
        _bytesSinceLastIndexEntry = 0;
        IndexProblem = null;
        TimeIndexProblem = null;
        var truncation = ScanFrom(0, BaseOffset, length);
        FirstBatchTimestamp = FirstBatchTimestampOnDisk();
        return truncation;
    }

    private LogTruncation? ScanFrom(long start, long minBaseOffset, long length)
    {
        var scanner = new BatchFileScanner(_log, start, length, 1024 * 1024);
        long nextOffset = minBaseOffset, end = start;
        string? reason = null;
        while (scanner.Next(validate: true, out var found))
        {
            if (found.Check != BatchCheck.Valid)
            {
                reason = found.Check.ToString();
                break;
            }
            var batch = found.Batch;
            if (batch.BaseOffset < nextOffset || batch.LastOffset - BaseOffset > int.MaxValue)
            {
                reason = "OffsetOutOfOrder";
                break;
            }
            IndexBatch(batch.BaseOffset, batch.MaxTimestamp, found.Position, found.Size);
            nextOffset = batch.NextOffset;
            end = found.Position + found.Size;
        }
        _dirty = true;
        Volatile.Write(ref _size, end);
        Volatile.Write(ref _nextOffset, nextOffset);
        if (reason is null)
            return null;
        RandomAccess.SetLength(_log, end);
        return new LogTruncation(LogPath, BaseOffset, end, length - end, reason);
    }

    /// <summary>
    /// Cuts the segment at <paramref name="position"/> (a batch start found by <see cref="FindBatchPosition"/>, or
    /// <see cref="Size"/>) whose batch begins at <paramref name="nextOffset"/>; drops index entries from there on.
    /// </summary>
    public void TruncateTo(long position, long nextOffset)
    {
        Volatile.Write(ref _size, position);
        Volatile.Write(ref _nextOffset, nextOffset);
        _index.TruncateTo(nextOffset);
        _timeIndex.TruncateTo(nextOffset);
        RandomAccess.SetLength(_log, position); // frees the reserved blocks past it too
        if (_reservedEnd != long.MaxValue)
            _reservedEnd = position;
        Volatile.Write(ref _flushedSize, Math.Min(FlushedSize, position));
        Volatile.Write(ref _cacheReleasedTo, Math.Min(Volatile.Read(ref _cacheReleasedTo), position));
        var (_, lastEntryPosition) = _index.LastEntry;
        _bytesSinceLastIndexEntry = position - lastEntryPosition;
        _largestTimestamp = NoTimestamp;
        _offsetOfLargestTimestamp = BaseOffset;
        TrackTimestampsBetween(0, position);
        FirstBatchTimestamp = FirstBatchTimestampOnDisk();
        _dirty = true;
    }

    /// <summary>Whether anything was written since the last flush. Any thread.</summary>
    public bool IsDirty => Volatile.Read(ref _dirty);

    /// <summary>The .log file, for syncing its file system (<see cref="GroupSync"/>).</summary>
    public SafeFileHandle LogHandle => _log;

    /// <summary>
    /// The .log file as an unbuffered stream for sending ranges of it (<see cref="LogFileSlice"/>). It wraps the
    /// segment's own handle, so it names this file even after a rename or a delete; it is never disposed (that would
    /// close the handle under the writer), and once the segment closes the handle, sends from it fail.
    /// </summary>
    public FileStream SendSource
    {
        get
        {
            var existing = Volatile.Read(ref _sendSource);
            if (existing is not null)
                return existing;
            var created = new FileStream(_log, FileAccess.Read, bufferSize: 0, isAsync: true);
            GC.SuppressFinalize(created);
            return Interlocked.CompareExchange(ref _sendSource, created, null) ?? created;
        }
    }

    /// <summary>
    /// fsyncs the .log, then the indexes, if anything was written since the last flush. May run on a background
    /// thread while the writer appends: the dirty mark is cleared before the fsync, so an append racing with it
    /// marks the segment dirty again for the next flush.
    /// </summary>
    public void Flush()
    {
        if (!Volatile.Read(ref _dirty))
            return;
        Volatile.Write(ref _dirty, false);
        try
        {
            long size = Size;
            RandomAccess.FlushToDisk(_log);
            _index.Flush();
            _timeIndex.Flush();
            Volatile.Write(ref _flushedSize, size);
        }
        catch
        {
            Volatile.Write(ref _dirty, true);
            throw;
        }
    }

    /// <summary>
    /// Releases the page-cache pages of the .log below <paramref name="position"/> (capped at <see cref="FlushedSize"/>),
    /// from a little before where the last call stopped; see <see cref="PartitionLog.PageCacheKeepBytes"/> for why.
    /// Any thread: two calls racing at worst release a range twice, or leave one for the kernel to evict.
    /// </summary>
    public void ReleaseCachedPagesBelow(long position)
    {
        long to = Math.Min(position, FlushedSize);
        long releasedTo = Volatile.Read(ref _cacheReleasedTo);
        if (to <= releasedTo)
            return;
        // The kernel keeps a page-cache folio (up to 2 MiB) that a range covers only in part, so each release starts
        // that far before where the last one stopped: the folio it left at its end goes now.
        PageCache.Release(_log, Math.Max(0, releasedTo - PageCache.LargestFolio), to);
        Volatile.Write(ref _cacheReleasedTo, to);
    }

    private void ReadExactly(Span<byte> destination, long position)
    {
        int done = 0;
        while (done < destination.Length)
        {
            int n = RandomAccess.Read(_log, destination[done..], position + done);
            if (n == 0)
                throw new CorruptLogException(LogPath, position + done, "the file ends before its recorded size");
            done += n;
        }
    }

    public void Dispose()
    {
        _index.Dispose();
        _timeIndex.Dispose();
        _log.Dispose();
    }

    /// <summary>Closes and deletes its three files.</summary>
    public void Delete()
    {
        Dispose();
        File.Delete(LogPath);
        File.Delete(IndexPath);
        File.Delete(TimeIndexPath);
    }
}
