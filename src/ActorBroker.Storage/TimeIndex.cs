using System.Buffers.Binary;
using Microsoft.Win32.SafeHandles;

namespace ActorBroker.Storage;

/// <summary>
/// The sparse time index of one segment (Kafka's <c>.timeindex</c>): maps a timestamp to an offset from which a
/// search for the first record at or after that timestamp can start, and remembers the segment's largest timestamp.
///
/// <para><b>File format</b> (<c>&lt;20-digit baseOffset&gt;.timeindex</c>): a sequence of 12-byte entries, nothing
/// else, <c>[timestamp int64 BE][relativeOffset int32 BE]</c>. <c>timestamp</c> is the largest batch MaxTimestamp
/// of the segment up to that point; <c>relativeOffset</c> is the base offset of the first batch that reached it,
/// minus the segment's base offset. The file is exactly <c>12 × entries</c> bytes long.</para>
///
/// <para><b>Invariants</b>: timestamps strictly increase, relative offsets never decrease and are ≥ 0; at most
/// <see cref="MaxEntries"/> entries (<see cref="LogConfig.SegmentIndexBytes"/> / 12, at least 2). An entry is
/// appended together with an offset-index entry (every <see cref="LogConfig.IndexIntervalBytes"/>) when the
/// largest timestamp so far exceeds the last entry's, and once more when the segment stops being active (rolled,
/// or recovered as an inactive segment), so the last entry of an inactive segment carries its exact largest
/// timestamp. One slot is kept for that final entry: <see cref="HasRoomForIntervalEntry"/> says false on the
/// last-but-one (a full time index does not roll the segment, unlike a full offset index: it just gets sparser).
/// Because every batch before an entry's offset has MaxTimestamp &lt; the entry's timestamp, a search
/// for target T may start at the batch of the greatest entry whose timestamp ≤ T.
/// Worked example: batches (offset, MaxTimestamp) (0, 100) (5, 300) (10, 200) (15, 400) with an entry due at 5 and
/// at 15: entries (300, 5) and (400, 15). <c>Lookup(350)</c> = (300, 5): scan from offset 5, batch 5..9 has max 300
/// &lt; 350, batch 10 has 200, batch 15 has 400 → the answer lies in 15..19. <c>Lookup(50)</c> = none: scan from 0.</para>
///
/// <para><b>Thread-safety</b>: one writer (append, truncate, flush) and any number of concurrent
/// <see cref="Lookup"/>/<see cref="LastEntry"/> callers, published exactly as in <see cref="OffsetIndex"/>: the slot
/// (and a grown array) is written before the count is published with <see cref="Volatile"/>.</para>
/// </summary>
internal sealed class TimeIndex : IDisposable
{
    public const int EntrySize = 12;

    private readonly SafeFileHandle _file;
    private Entry[] _entries;
    private int _count;

    private readonly record struct Entry(long Timestamp, int Relative);

    private TimeIndex(string path, long baseOffset, int maxEntries, SafeFileHandle file, Entry[] entries, int count)
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

    /// <summary>Whether an interval entry may still be appended (one slot stays free for the final entry).</summary>
    public bool HasRoomForIntervalEntry => Count < MaxEntries - 1;

    public static int MaxEntriesFor(LogConfig config) => Math.Max(2, config.SegmentIndexBytes / EntrySize);

    /// <summary>Creates (or empties) the index file.</summary>
    public static TimeIndex Create(string path, long baseOffset, int maxEntries)
    {
        var file = File.OpenHandle(path, FileMode.Create, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete);
        return new TimeIndex(path, baseOffset, maxEntries, file, new Entry[16], 0);
    }

    /// <summary>
    /// Loads an existing index and sanity-checks it. Throws <see cref="FileNotFoundException"/> if missing and
    /// <see cref="CorruptIndexException"/> (naming the byte position of the bad entry) if it fails the check.
    /// </summary>
    public static TimeIndex Load(string path, long baseOffset, int maxEntries)
    {
        var file = File.OpenHandle(path, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete);
        try
        {
            long length = RandomAccess.GetLength(file);
            if (length % EntrySize != 0)
                throw new CorruptIndexException(path, $"size {length} is not a multiple of {EntrySize} (torn entry at byte {length - length % EntrySize})");
            if (length / EntrySize > maxEntries)
                throw new CorruptIndexException(path, $"size {length} holds more than {maxEntries} entries");
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
            var entries = new Entry[Math.Max(16, count)];
            long previousTimestamp = long.MinValue;
            int previousRelative = 0;
            for (int i = 0; i < count; i++)
            {
                long timestamp = BinaryPrimitives.ReadInt64BigEndian(bytes.AsSpan(i * EntrySize));
                int relative = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(i * EntrySize + 8));
                if (relative < 0)
                    throw new CorruptIndexException(path, $"entry {i} at byte {i * EntrySize} has a negative offset {relative}");
                if (i > 0 && (timestamp <= previousTimestamp || relative < previousRelative))
                    throw new CorruptIndexException(path, $"entry {i} at byte {i * EntrySize} ({timestamp}, {relative}) does not follow ({previousTimestamp}, {previousRelative})");
                entries[i] = new Entry(timestamp, relative);
                previousTimestamp = timestamp;
                previousRelative = relative;
            }
            return new TimeIndex(path, baseOffset, maxEntries, file, entries, count);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>Timestamp and offset of the last entry, or null when empty.</summary>
    public (long Timestamp, long Offset)? LastEntry
    {
        get
        {
            var entries = Volatile.Read(ref _entries);
            int count = Math.Min(Volatile.Read(ref _count), entries.Length);
            return count == 0 ? null : (entries[count - 1].Timestamp, BaseOffset + entries[count - 1].Relative);
        }
    }

    /// <summary>
    /// The offset of the greatest entry whose timestamp is ≤ <paramref name="timestamp"/>, or
    /// <see cref="BaseOffset"/> when there is none: every batch before that offset has a MaxTimestamp below the
    /// entry's timestamp, hence below the target, so a search may start there. Safe to call concurrently with appends.
    /// </summary>
    public long Lookup(long timestamp)
    {
        var entries = Volatile.Read(ref _entries);
        int count = Math.Min(Volatile.Read(ref _count), entries.Length);
        int lo = 0, hi = count - 1, found = -1;
        while (lo <= hi)
        {
            int mid = lo + ((hi - lo) >> 1);
            if (entries[mid].Timestamp <= timestamp)
            {
                found = mid;
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }
        return found < 0 ? BaseOffset : BaseOffset + entries[found].Relative;
    }

    /// <summary>
    /// Appends (timestamp, offset) if <paramref name="timestamp"/> exceeds the last entry's and there is room
    /// (<paramref name="final"/> may use the reserved last slot). Writer thread only. Returns whether it appended.
    /// </summary>
    public bool MaybeAppend(long timestamp, long offset, bool final)
    {
        int count = _count;
        if (count >= (final ? MaxEntries : MaxEntries - 1))
            return false;
        if (count > 0 && timestamp <= _entries[count - 1].Timestamp)
            return false;
        long relative = offset - BaseOffset;
        if (relative < 0 || relative > int.MaxValue)
            throw new ArgumentOutOfRangeException(nameof(offset), offset, $"Offset does not fit segment {BaseOffset}.");
        if (count > 0 && relative < _entries[count - 1].Relative)
            throw new ArgumentException($"Time index entry ({timestamp}, {offset}) goes back in offsets.");
        Span<byte> bytes = stackalloc byte[EntrySize];
        BinaryPrimitives.WriteInt64BigEndian(bytes, timestamp);
        BinaryPrimitives.WriteInt32BigEndian(bytes[8..], (int)relative);
        RandomAccess.Write(_file, bytes, (long)count * EntrySize);

        var entries = _entries;
        if (count == entries.Length)
        {
            var larger = new Entry[entries.Length * 2];
            Array.Copy(entries, larger, count);
            Volatile.Write(ref _entries, larger);
            entries = larger;
        }
        entries[count] = new Entry(timestamp, (int)relative);
        Volatile.Write(ref _count, count + 1);
        return true;
    }

    /// <summary>Removes every entry whose offset is ≥ <paramref name="offset"/> (writer thread only).</summary>
    public void TruncateTo(long offset)
    {
        int count = _count;
        while (count > 0 && BaseOffset + _entries[count - 1].Relative >= offset)
            count--;
        if (count == _count)
            return;
        Volatile.Write(ref _count, count);
        RandomAccess.SetLength(_file, (long)count * EntrySize);
    }

    public void Flush() => RandomAccess.FlushToDisk(_file);

    public void Dispose() => _file.Dispose();
}
