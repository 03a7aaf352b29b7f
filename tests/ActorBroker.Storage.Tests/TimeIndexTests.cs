using System.Buffers.Binary;

namespace ActorBroker.Storage.Tests;

public sealed class TimeIndexTests : IDisposable
{
    private readonly LogBuilder _builder = new(new LogConfig { IndexIntervalBytes = 1 });

    public void Dispose() => _builder.Dispose();

    private string[] TimeIndexFiles() =>
        Directory.GetFiles(_builder.Directory, "*.timeindex").Order(StringComparer.Ordinal).ToArray();

    private static (long Timestamp, int Relative)[] Entries(string path)
    {
        byte[] bytes = File.ReadAllBytes(path);
        Assert.Equal(0, bytes.Length % 12);
        return Enumerable.Range(0, bytes.Length / 12)
            .Select(i => (BinaryPrimitives.ReadInt64BigEndian(bytes.AsSpan(i * 12)), BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(i * 12 + 8))))
            .ToArray();
    }

    [Fact]
    public void Entries_are_twelve_bytes_big_endian_and_only_when_the_largest_timestamp_grows()
    {
        // IndexIntervalBytes = 1: every batch but the first at position 0 is due an offset-index entry.
        using (var log = _builder.Open())
        {
            log.Append(BatchBuilder.Build(2, timestampOf: i => 100 + i), 0);  // 0..1, max 101
            log.Append(BatchBuilder.Build(2, timestampOf: i => 300 + i), 0);  // 2..3, max 301 → (301, 2)
            log.Append(BatchBuilder.Build(2, timestampOf: i => 200 + i), 0);  // 4..5, max 201: no entry
            log.Append(BatchBuilder.Build(2, timestampOf: i => 400 + i), 0);  // 6..7, max 401 → (401, 6)
        }
        Assert.Equal([(301L, 2), (401L, 6)], Entries(Assert.Single(TimeIndexFiles())));
    }

    [Fact]
    public void Lookup_starts_at_the_entry_and_returns_the_records_own_timestamp()
    {
        using var log = _builder.Open();
        log.Append(BatchBuilder.Build(2, timestampOf: i => 100 + i), 0);
        log.Append(BatchBuilder.Build(2, timestampOf: i => 300 + 10 * i), 0); // 2: 300, 3: 310
        log.Append(BatchBuilder.Build(2, timestampOf: i => 200 + i), 0);
        log.Append(BatchBuilder.Build(2, timestampOf: i => 400 + i), 0);

        Assert.Equal(new TimestampOffset(0, 100), log.FindOffsetForTimestamp(-5));
        Assert.Equal(new TimestampOffset(2, 300), log.FindOffsetForTimestamp(150)); // 2 is the first record ≥ 150 in offset order
        Assert.Equal(new TimestampOffset(3, 310), log.FindOffsetForTimestamp(305));
        Assert.Equal(new TimestampOffset(6, 400), log.FindOffsetForTimestamp(311));
        Assert.Null(log.FindOffsetForTimestamp(402));
    }

    [Fact]
    public void Roll_seals_the_largest_timestamp_so_reopen_knows_it_exactly()
    {
        // The known limitation before the time index: the biggest timestamp sits in the first batch, before the last
        // offset-index entry, and the reopened segment reported only the max after that entry.
        int batchSize = BatchBuilder.Build(2).Length;
        _builder.Config = new LogConfig { SegmentBytes = 3 * batchSize, IndexIntervalBytes = batchSize };
        using (var log = _builder.Open())
        {
            log.Append(BatchBuilder.Build(2, timestampOf: i => 9_000 + i), 0);
            log.Append(BatchBuilder.Build(2, timestampOf: i => 500 + i), 0);
            log.Append(BatchBuilder.Build(2, timestampOf: i => 700 + i), 0);
            log.Append(BatchBuilder.Build(2, timestampOf: i => 800 + i), 0); // rolls
            Assert.Equal([9_001L, 801], log.Segments.Select(s => s.LargestTimestamp));
        }
        Assert.Equal((9_001L, 0), Entries(TimeIndexFiles()[0])[^1]);

        using var reopened = _builder.Open();
        Assert.Equal(1, reopened.Recovery.SegmentsScanned);
        Assert.Equal([9_001L, 801], reopened.Segments.Select(s => s.LargestTimestamp));
        Assert.Null(reopened.FindOffsetForTimestamp(9_002));
        Assert.Equal(new TimestampOffset(0, 9_000), reopened.FindOffsetForTimestamp(1_000));
    }

    [Fact]
    public void Missing_time_index_is_rebuilt_from_the_segment_and_reported()
    {
        using (var log = _builder.Open())
        {
            log.Append(BatchBuilder.Build(2, timestampOf: i => 100 + i), 0);
            log.Append(BatchBuilder.Build(2, timestampOf: i => 300 + i), 0);
        }
        string path = Assert.Single(TimeIndexFiles());
        byte[] before = File.ReadAllBytes(path);
        File.Delete(path);

        using var reopened = _builder.Open();

        Assert.Equal([path], reopened.Recovery.IndexesRebuilt);
        Assert.Contains(reopened.Recovery.Notes, n => n.Contains(path, StringComparison.Ordinal) && n.Contains("missing", StringComparison.Ordinal));
        Assert.Equal(before, File.ReadAllBytes(path));
        Assert.Equal(new TimestampOffset(2, 300), reopened.FindOffsetForTimestamp(200));
    }

    [Fact]
    public void Corrupt_time_index_is_rebuilt_and_the_note_names_the_bad_entry()
    {
        using (var log = _builder.Open())
        {
            log.Append(BatchBuilder.Build(2, timestampOf: i => 100 + i), 0);
            log.Append(BatchBuilder.Build(2, timestampOf: i => 300 + i), 0);
            log.Append(BatchBuilder.Build(2, timestampOf: i => 500 + i), 0);
        }
        string path = Assert.Single(TimeIndexFiles());
        byte[] good = File.ReadAllBytes(path);
        byte[] bad = (byte[])good.Clone();
        BinaryPrimitives.WriteInt64BigEndian(bad.AsSpan(12), 5); // entry 1 goes back in time
        File.WriteAllBytes(path, bad);

        using var reopened = _builder.Open();

        Assert.Equal([path], reopened.Recovery.IndexesRebuilt);
        Assert.Contains(reopened.Recovery.Notes, n => n.Contains(path, StringComparison.Ordinal) && n.Contains("entry 1 at byte 12", StringComparison.Ordinal));
        Assert.Equal(good, File.ReadAllBytes(path));
        Assert.Equal(new TimestampOffset(4, 500), reopened.FindOffsetForTimestamp(302));
    }

    [Fact]
    public void Truncation_drops_time_entries_and_recomputes_the_largest_timestamp()
    {
        using var log = _builder.Open();
        log.Append(BatchBuilder.Build(2, timestampOf: i => 100 + i), 0);
        log.Append(BatchBuilder.Build(2, timestampOf: i => 300 + i), 0);
        log.Append(BatchBuilder.Build(2, timestampOf: i => 500 + i), 0);
        log.TruncateTo(4);
        Assert.Equal(301, log.Segments.Single().LargestTimestamp);
        Assert.Null(log.FindOffsetForTimestamp(400));
        log.Flush();
        Assert.Equal([(301L, 2)], Entries(Assert.Single(TimeIndexFiles())));
    }

    [Fact]
    public void A_full_time_index_keeps_its_last_slot_for_the_sealing_entry()
    {
        int batchSize = BatchBuilder.Build(1).Length;
        // 24 bytes: 2 time entries (one interval entry plus the seal), 3 offset entries.
        _builder.Config = new LogConfig { IndexIntervalBytes = 1, SegmentIndexBytes = 24, SegmentBytes = 4 * batchSize };
        using (var log = _builder.Open())
        {
            for (int i = 0; i < 5; i++)
                log.Append(BatchBuilder.Build(1, timestampOf: _ => 100 * (i + 1)), 0); // 0..3 in segment 0, 4 rolls
            Assert.Equal(2, log.SegmentCount);
        }
        Assert.Equal([(200L, 1), (400L, 3)], Entries(TimeIndexFiles()[0]));
        using var reopened = _builder.Open();
        Assert.Equal(400, reopened.Segments[0].LargestTimestamp);
        Assert.Equal(new TimestampOffset(2, 300), reopened.FindOffsetForTimestamp(250));
    }
}
