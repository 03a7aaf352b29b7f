using System.Buffers.Binary;
using Microsoft.Win32.SafeHandles;

namespace ActorBroker.Storage;

/// <summary>
/// The sparse offset index of one segment: maps an offset to the byte position of a batch in the segment's
/// .log, so a read seeks close to its target and scans forward from there.
///
/// <para><b>File format</b> (<c>&lt;20-digit baseOffset&gt;.index</c>): a sequence of 8-byte entries, nothing else,
/// <c>[relativeOffset int32 BE][position int32 BE]</c>. <c>relativeOffset</c> is the base offset of a batch minus the
/// segment's base offset; <c>position</c> is where that batch starts in the .log. The file is exactly
/// <c>8 × entries</c> bytes long (no preallocation, unlike Kafka's memory-mapped index).</para>
///
/// <para><b>Invariants</b>: offsets and positions strictly increase; every position is the start of a batch
/// below the segment's end; at most <see cref="MaxEntries"/> entries are appended (the segment is rolled when the
/// index is full). An entry is added for a batch when at least <see cref="LogConfig.IndexIntervalBytes"/> bytes
/// have been written since the previous entry, so the first batch of a segment (position 0) is usually implicit.
/// Worked example with IndexIntervalBytes = 100 and batches of 60 bytes at offsets 0, 5, 10, 15, 20:
/// positions 0, 60, 120, 180, 240; bytes since entry before each batch: 0, 60, 120→entry (10,120) then 60,
/// 120→entry (20,240). <c>Lookup(17)</c> returns (10, 120): the read scans 120 → 180 and finds the batch 15..19.</para>
///
/// <para><b>Thread-safety</b>: one writer (append, truncate, flush) and any number of concurrent
/// <see cref="Lookup"/> callers. Entries live in memory in a growable array; the writer fills a slot (copying
/// into a larger array first when needed, published before the count), then publishes the count with
/// <see cref="Volatile.Write(ref int, int)"/>. A reader reads the array, then the count, and never looks past
/// either, so it only sees complete entries. Truncation is not atomic for readers; <see cref="PartitionLog"/>
/// makes readers retry across it.</para>
/// </summary>
internal sealed class OffsetIndex : IDisposable
{
    public const int EntrySize = 8;

    private readonly SafeFileHandle _file;
    private long[] _entries; // (relativeOffset << 32) | (uint)position
    private int _count;

    private OffsetIndex(string path, long baseOffset, int maxEntries, SafeFileHandle file, long[] entries, int count)
    {
        Path = path;
        BaseOffset = baseOffset;
        MaxEntries = maxEntries;
        _file = file;
        _entries = entries;
        _count = count;
    }

    public string Path { get; }
    public long BaseOffset { get; }
    public int MaxEntries { get; }
    public int Count => Volatile.Read(ref _count);
    public bool IsFull => Count >= MaxEntries;
    public int RemainingEntries => Math.Max(0, MaxEntries - Count);

    public static int MaxEntriesFor(LogConfig config) => Math.Max(1, config.SegmentIndexBytes / EntrySize);

    /// <summary>Creates (or empties) the index file.</summary>
    public static OffsetIndex Create(string path, long baseOffset, int maxEntries)
    {
        var file = File.OpenHandle(path, FileMode.Create, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete);
        return new OffsetIndex(path, baseOffset, maxEntries, file, new long[16], 0);
    }

    /// <summary>
    /// Loads an existing index and checks it against its segment's .log length.
    /// Throws <see cref="FileNotFoundException"/> if missing and <see cref="CorruptIndexException"/> if it fails the check.
    /// </summary>
    public static OffsetIndex Load(string path, long baseOffset, int maxEntries, long logLength)
    {
        var file = File.OpenHandle(path, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete);
        try
        {
            long length = RandomAccess.GetLength(file);
            if (length % EntrySize != 0)
                throw new CorruptIndexException(path, $"size {length} is not a multiple of {EntrySize}");
            if (length / EntrySize > int.MaxValue / 2)
                throw new CorruptIndexException(path, $"size {length} is implausible");
            int count = (int)(length / EntrySize);
            var bytes = new byte[length];
            int read = 0;
            while (read < bytes.Length)
            {
                int n = RandomAccess.Read(file, bytes.AsSpan(read), read);
                if (n == 0)
                    throw new CorruptIndexException(path, "file shrank while being read");
                read += n;
            }
            var entries = new long[Math.Max(16, count)];
            long previousOffset = -1, previousPosition = -1;
            for (int i = 0; i < count; i++)
            {
                int relative = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(i * EntrySize));
                int position = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(i * EntrySize + 4));
                if (relative < 0 || position < 0)
                    throw new CorruptIndexException(path, $"entry {i} is negative ({relative}, {position})");
                if (relative <= previousOffset || position <= previousPosition)
                    throw new CorruptIndexException(path, $"entry {i} ({relative}, {position}) does not increase");
                if (position >= logLength)
                    throw new CorruptIndexException(path, $"entry {i} points at byte {position}, past the log's {logLength} bytes");
                entries[i] = Pack(relative, position);
                previousOffset = relative;
                previousPosition = position;
            }
            return new OffsetIndex(path, baseOffset, maxEntries, file, entries, count);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>Offset and position of the last entry, or (BaseOffset, 0) when empty.</summary>
    public (long Offset, int Position) LastEntry
    {
        get
        {
            long[] entries = Volatile.Read(ref _entries);
            int count = Math.Min(Volatile.Read(ref _count), entries.Length);
            return count == 0 ? (BaseOffset, 0) : Unpack(entries[count - 1]);
        }
    }

    /// <summary>
    /// The greatest entry whose offset is ≤ <paramref name="targetOffset"/>, or (BaseOffset, 0) when there is none:
    /// the batch at the returned position starts at or before the target. Safe to call concurrently with appends.
    /// </summary>
    public (long Offset, int Position) Lookup(long targetOffset)
    {
        long[] entries = Volatile.Read(ref _entries);
        int count = Math.Min(Volatile.Read(ref _count), entries.Length);
        long relative = targetOffset - BaseOffset;
        if (count == 0 || relative < 0)
            return (BaseOffset, 0);
        int lo = 0, hi = count - 1, found = -1;
        while (lo <= hi)
        {
            int mid = lo + ((hi - lo) >> 1);
            if ((entries[mid] >> 32) <= relative)
            {
                found = mid;
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }
        return found < 0 ? (BaseOffset, 0) : Unpack(entries[found]);
    }

    /// <summary>
    /// The greatest indexed position that is ≤ <paramref name="position"/> (a batch start: positions grow with
    /// offsets), or -1 when there is none. Safe to call concurrently with appends.
    /// </summary>
    public long LastPositionAtOrBelow(long position)
    {
        long[] entries = Volatile.Read(ref _entries);
        int count = Math.Min(Volatile.Read(ref _count), entries.Length);
        int lo = 0, hi = count - 1;
        long found = -1;
        while (lo <= hi)
        {
            int mid = lo + ((hi - lo) >> 1);
            long entryPosition = (uint)entries[mid];
            if (entryPosition <= position)
            {
                found = entryPosition;
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }
        return found;
    }

    /// <summary>Adds an entry (writer thread only). The offset and position must exceed the last entry's.</summary>
    public void Append(long offset, int position)
    {
        int count = _count;
        if (count >= MaxEntries)
            throw new InvalidOperationException($"Offset index {Path} is full ({MaxEntries} entries).");
        long relative = offset - BaseOffset;
        if (relative < 0 || relative > int.MaxValue)
            throw new ArgumentOutOfRangeException(nameof(offset), offset, $"Offset does not fit segment {BaseOffset}.");
        if (count > 0)
        {
            var (lastOffset, lastPosition) = Unpack(_entries[count - 1]);
            if (offset <= lastOffset || position <= lastPosition)
                throw new ArgumentException($"Index entry ({offset}, {position}) does not follow ({lastOffset}, {lastPosition}).");
        }
        Span<byte> bytes = stackalloc byte[EntrySize];
        BinaryPrimitives.WriteInt32BigEndian(bytes, (int)relative);
        BinaryPrimitives.WriteInt32BigEndian(bytes[4..], position);
        RandomAccess.Write(_file, bytes, (long)count * EntrySize);

        long[] entries = _entries;
        if (count == entries.Length)
        {
            var larger = new long[entries.Length * 2];
            Array.Copy(entries, larger, count);
            Volatile.Write(ref _entries, larger);
            entries = larger;
        }
        entries[count] = Pack((int)relative, position);
        Volatile.Write(ref _count, count + 1);
    }

    /// <summary>Removes every entry whose offset is ≥ <paramref name="offset"/> (writer thread only).</summary>
    public void TruncateTo(long offset)
    {
        int count = _count;
        while (count > 0 && Unpack(_entries[count - 1]).Offset >= offset)
            count--;
        if (count == _count)
            return;
        Volatile.Write(ref _count, count);
        RandomAccess.SetLength(_file, (long)count * EntrySize);
    }

    public void Flush() => RandomAccess.FlushToDisk(_file);

    public void Dispose() => _file.Dispose();

    private static long Pack(int relative, int position) => ((long)relative << 32) | (uint)position;

    private (long Offset, int Position) Unpack(long entry) => (BaseOffset + (entry >> 32), (int)(entry & 0xFFFFFFFF));
}
