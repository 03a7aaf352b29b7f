using ActorBroker.Protocol.Records;

namespace ActorBroker.Storage.Tests;

public sealed class RecoveryTests : IDisposable
{
    private readonly LogBuilder _builder = new(new LogConfig { IndexIntervalBytes = 1 });

    public void Dispose() => _builder.Dispose();

    /// <summary>Appends 3 flushed batches (offsets 0..8) then 2 unflushed ones (9..14), and "crashes".</summary>
    private (long FlushedBytes, int BatchSize) CrashWithUnflushedTail()
    {
        var log = _builder.OpenWith(3, 3, 3);
        log.Flush();
        long flushed = log.SizeInBytes;
        log.Append(BatchBuilder.Build(3), 0);
        log.Append(BatchBuilder.Build(3), 0);
        log.CloseWithoutFlush();
        return (flushed, BatchBuilder.Build(3).Length);
    }

    [Fact]
    public void Torn_write_is_truncated_to_the_last_whole_batch_and_appends_continue_after_it()
    {
        var (flushed, batchSize) = CrashWithUnflushedTail();
        string segment = _builder.LogFiles().Single();
        long cut = flushed + batchSize + batchSize / 2; // mid batch 12..14
        using (var file = new FileStream(segment, FileMode.Open))
            file.SetLength(cut);

        using var log = _builder.Open();

        Assert.Equal(12, log.LogEndOffset);
        Assert.Equal(12, log.RecoveryPoint);
        var truncation = Assert.Single(log.Recovery.Truncations);
        Assert.Equal(segment, truncation.SegmentPath);
        Assert.Equal(flushed + batchSize, truncation.Position);
        Assert.Equal(cut - (flushed + batchSize), truncation.BytesDropped);
        Assert.Equal(nameof(BatchCheck.Incomplete), truncation.Reason);
        Assert.Equal(flushed + batchSize, new FileInfo(segment).Length);
        Assert.Equal([0L, 3, 6, 9], BatchBuilder.Split(log.Read(0, int.MaxValue, true).Records).Select(b => b.BaseOffset));

        Assert.Equal(12, log.Append(BatchBuilder.Build(2), 0).FirstOffset);
        Assert.Equal([0L, 3, 6, 9, 12], BatchBuilder.Split(log.Read(0, int.MaxValue, true).Records).Select(b => b.BaseOffset));
    }

    [Fact]
    public void Flipped_byte_in_an_unflushed_batch_is_truncated_away_with_everything_after_it()
    {
        var (flushed, batchSize) = CrashWithUnflushedTail();
        string segment = _builder.LogFiles().Single();
        using (var file = new FileStream(segment, FileMode.Open))
        {
            file.Position = flushed + 40; // inside the CRC-covered header of batch 9..11
            int b = file.ReadByte();
            file.Position--;
            file.WriteByte((byte)(b ^ 0x01));
        }

        using var log = _builder.Open();

        Assert.Equal(9, log.LogEndOffset);
        var truncation = Assert.Single(log.Recovery.Truncations);
        Assert.Equal(nameof(BatchCheck.CrcMismatch), truncation.Reason);
        Assert.Equal(flushed, truncation.Position);
        Assert.Equal(2L * batchSize, truncation.BytesDropped);
        Assert.Equal(3, BatchBuilder.Split(log.Read(0, int.MaxValue, true).Records).Count);
    }

    [Fact]
    public void Corruption_in_an_earlier_segment_after_the_recovery_point_deletes_the_later_segments()
    {
        int batchSize = BatchBuilder.Build(2).Length;
        _builder.Config = new LogConfig { SegmentBytes = 2 * batchSize, IndexIntervalBytes = 1 };
        var log = _builder.OpenWith(2, 2);
        log.Flush(); // recovery point 4: segment 0 is durable
        for (int i = 0; i < 6; i++)
            log.Append(BatchBuilder.Build(2), 0); // segments 4, 8, 12
        log.CloseWithoutFlush();
        var files = _builder.LogFiles();
        Assert.Equal(4, files.Length);
        using (var file = new FileStream(files[2], FileMode.Open)) // segment 8: flip a record byte of its 2nd batch
        {
            file.Position = batchSize + batchSize - 3;
            int b = file.ReadByte();
            file.Position--;
            file.WriteByte((byte)(b ^ 0xFF));
        }

        using var reopened = _builder.Open();

        Assert.Equal(10, reopened.LogEndOffset);
        Assert.Equal(3, reopened.SegmentCount);
        Assert.Equal([files[3]], reopened.Recovery.DeletedSegments);
        Assert.False(File.Exists(files[3]));
        Assert.Equal(files[2], Assert.Single(reopened.Recovery.Truncations).SegmentPath);
        Assert.Equal(5, BatchBuilder.Split(reopened.Read(0, int.MaxValue, true).Records).Count);
        Assert.Equal(10, reopened.Append(BatchBuilder.Build(1), 0).FirstOffset);
    }

    [Fact]
    public void Only_segments_holding_offsets_at_or_after_the_recovery_point_are_scanned()
    {
        int batchSize = BatchBuilder.Build(2).Length;
        _builder.Config = new LogConfig { SegmentBytes = 2 * batchSize };
        var log = _builder.OpenWith(2, 2, 2, 2, 2);
        log.Flush(); // recovery point 10: segments 0, 4 durable, segment 8 holds 8..9
        log.Append(BatchBuilder.Build(2), 0);
        log.CloseWithoutFlush();

        using var reopened = _builder.Open();
        Assert.Equal(3, reopened.Recovery.SegmentsLoaded);
        Assert.Equal(1, reopened.Recovery.SegmentsScanned);
        Assert.Equal(10, reopened.Recovery.RecoveryPointAtOpen);
        Assert.Equal(12, reopened.LogEndOffset);
        Assert.True(reopened.Recovery.IsClean);
    }

    [Fact]
    public void Deleted_index_file_is_rebuilt_on_open_and_reads_stay_correct()
    {
        int batchSize = BatchBuilder.Build(2).Length;
        _builder.Config = new LogConfig { SegmentBytes = 4 * batchSize, IndexIntervalBytes = 1 };
        byte[] expected;
        using (var log = _builder.OpenWith(2, 2, 2, 2, 2, 2))
            expected = log.Read(0, int.MaxValue, true).Records.ToArray();
        string index = _builder.IndexFiles()[0];
        long indexLength = new FileInfo(index).Length;
        File.Delete(index);

        using var reopened = _builder.Open();

        Assert.Equal([index], reopened.Recovery.IndexesRebuilt);
        Assert.Equal(indexLength, new FileInfo(index).Length);
        Assert.Equal(expected, reopened.Read(0, int.MaxValue, true).Records.ToArray());
        for (long offset = 0; offset < 12; offset++)
            Assert.Equal(offset - offset % 2, BatchBuilder.Split(reopened.Read(offset, 1, true).Records).Single().BaseOffset);
    }

    [Fact]
    public void Index_that_fails_its_sanity_check_is_rebuilt()
    {
        using (_builder.OpenWith(2, 2, 2)) { }
        string index = _builder.IndexFiles()[0];
        File.WriteAllBytes(index, [1, 2, 3]);

        using var log = _builder.Open();

        Assert.Equal([index], log.Recovery.IndexesRebuilt);
        Assert.Equal(16, new FileInfo(index).Length);
        Assert.Equal(4, BatchBuilder.Split(log.Read(5, 1, true).Records).Single().BaseOffset);
    }

    [Fact]
    public void Missing_or_garbled_checkpoint_means_every_segment_is_validated()
    {
        using (_builder.OpenWith(2, 2)) { }
        File.WriteAllText(Path.Combine(_builder.Directory, "recovery-point"), "garbage");

        using var log = _builder.Open();

        Assert.Equal(0, log.Recovery.RecoveryPointAtOpen);
        Assert.Single(log.Recovery.Notes);
        Assert.Equal(4, log.LogEndOffset);
        Assert.Equal("0\n4\n", File.ReadAllText(Path.Combine(_builder.Directory, "recovery-point")));
    }

    [Fact]
    public void Garbage_appended_after_the_last_batch_is_cut_off()
    {
        using (_builder.OpenWith(2, 2)) { }
        string segment = _builder.LogFiles()[0];
        long length = new FileInfo(segment).Length;
        File.AppendAllText(segment, new string('x', 100));

        using var log = _builder.Open();

        Assert.Equal(4, log.LogEndOffset);
        Assert.Equal(length, new FileInfo(segment).Length);
        Assert.Equal(100, Assert.Single(log.Recovery.Truncations).BytesDropped);
    }

    [Fact]
    public void A_segment_overlapping_the_next_one_causes_the_later_segments_to_be_deleted()
    {
        int batchSize = BatchBuilder.Build(2).Length;
        _builder.Config = new LogConfig { SegmentBytes = 2 * batchSize };
        using (_builder.OpenWith(2, 2, 2)) { }
        var files = _builder.LogFiles(); // segments 0 (0..3) and 4 (4..5)
        File.Move(files[1], Path.Combine(_builder.Directory, "00000000000000000003.log"));
        File.Delete(Path.Combine(_builder.Directory, "recovery-point"));

        using var log = _builder.Open();

        Assert.Equal(1, log.SegmentCount);
        Assert.Equal(4, log.LogEndOffset);
        Assert.Single(log.Recovery.DeletedSegments);
    }
}
