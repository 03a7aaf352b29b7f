namespace ActorBroker.Storage.Tests;

public sealed class RetentionTests : IDisposable
{
    private static readonly int BatchSize = BatchBuilder.Build(5).Length;

    // Two 5-record batches per segment: segments 0 (0..9), 10 (10..19), 20 (20..29), ...
    private readonly LogBuilder _builder = new(new LogConfig { SegmentBytes = 2 * BatchSize, IndexIntervalBytes = 1 });

    public void Dispose() => _builder.Dispose();

    /// <summary>Batch i (offsets 5i..5i+4) has timestamps 1000(i+1) .. 1000(i+1)+4.</summary>
    private PartitionLog OpenWithTimestampedBatches(int batches)
    {
        var log = _builder.Open();
        for (int i = 0; i < batches; i++)
            log.Append(BatchBuilder.Build(5, baseTimestamp: 1000L * (i + 1)), 0);
        return log;
    }

    private static long FirstBaseOffset(ReadResult result) => BatchBuilder.Split(result.Records)[0].BaseOffset;

    [Fact]
    public void Segments_report_offsets_sizes_and_largest_timestamps()
    {
        using var log = OpenWithTimestampedBatches(5);
        Assert.Equal(
            [new SegmentInfo(0, 10, 2 * BatchSize, 2004), new SegmentInfo(10, 20, 2 * BatchSize, 4004), new SegmentInfo(20, 25, BatchSize, 5004)],
            log.Segments);
    }

    [Fact]
    public void Largest_timestamps_are_known_again_after_reopen_and_after_recovery()
    {
        using (var log = OpenWithTimestampedBatches(5))
        {
        }
        using (var log = _builder.Open())
            Assert.Equal([2004L, 4004, 5004], log.Segments.Select(s => s.LargestTimestamp));

        File.Delete(Path.Combine(_builder.Directory, "recovery-point")); // every segment is scanned
        using (var log = _builder.Open())
            Assert.Equal([2004L, 4004, 5004], log.Segments.Select(s => s.LargestTimestamp));
    }

    [Fact]
    public void Retention_by_time_deletes_leading_segments_older_than_the_cutoff_and_advances_the_log_start()
    {
        using var log = OpenWithTimestampedBatches(5);

        var result = log.ApplyRetention(nowMs: 10_000, retentionMs: 7_000, retentionBytes: -1); // cutoff 3_000

        Assert.Equal(new RetentionResult(1, 2L * BatchSize, 10), result);
        Assert.Equal(10, log.LogStartOffset);
        Assert.Equal([10L, 20], log.Segments.Select(s => s.BaseOffset));
        Assert.Equal(["00000000000000000010.log", "00000000000000000020.log"], _builder.LogFiles().Select(Path.GetFileName));
        Assert.Equal(["00000000000000000010.index", "00000000000000000020.index"], _builder.IndexFiles().Select(Path.GetFileName));
        Assert.Throws<OffsetOutOfRangeException>(() => log.Read(9, 1000, true));
        Assert.Equal(10, FirstBaseOffset(log.Read(10, 1000, true)));
    }

    [Fact]
    public void Retention_by_time_never_deletes_the_active_segment()
    {
        using var log = OpenWithTimestampedBatches(5);

        var result = log.ApplyRetention(nowMs: 1_000_000, retentionMs: 0, retentionBytes: -1);

        Assert.Equal(new RetentionResult(2, 4L * BatchSize, 20), result);
        Assert.Equal([new SegmentInfo(20, 25, BatchSize, 5004)], log.Segments);
        Assert.Equal(20, FirstBaseOffset(log.Read(20, 1000, true)));
        Assert.Equal(25, log.Append(BatchBuilder.Build(1), 0).FirstOffset);
    }

    [Fact]
    public void Retention_stops_at_the_first_segment_that_is_new_enough()
    {
        using var log = _builder.Open();
        foreach (long timestamp in new long[] { 9_000, 9_000, 1_000, 1_000, 1_000 })
            log.Append(BatchBuilder.Build(5, baseTimestamp: timestamp), 0);

        Assert.Equal(new RetentionResult(0, 0, 0), log.ApplyRetention(nowMs: 10_000, retentionMs: 5_000, retentionBytes: -1));
        Assert.Equal(3, log.SegmentCount);
    }

    [Fact]
    public void Retention_by_size_deletes_exactly_the_oldest_segments_over_the_limit()
    {
        using var log = OpenWithTimestampedBatches(7); // 2 + 2 + 2 + 1 batches: 7 batches of bytes

        // 7B - (3B + 1) = 4B - 1: segment 0 (2B) goes, then 2B - 1 < 2B keeps segment 10.
        Assert.Equal(new RetentionResult(1, 2L * BatchSize, 10), log.ApplyRetention(0, -1, 3L * BatchSize + 1));
        // 5B - 3B = 2B ≥ 2B: segment 10 goes; then 0 < 2B keeps segment 20.
        Assert.Equal(new RetentionResult(1, 2L * BatchSize, 20), log.ApplyRetention(0, -1, 3L * BatchSize));
        Assert.Equal([20L, 30], log.Segments.Select(s => s.BaseOffset));
        Assert.Equal(3L * BatchSize, log.SizeInBytes);
        // Even a limit of 0 keeps the active segment.
        Assert.Equal(new RetentionResult(1, 2L * BatchSize, 30), log.ApplyRetention(0, -1, 0));
        Assert.Equal(1, log.SegmentCount);
    }

    [Fact]
    public void Retention_with_both_limits_unlimited_deletes_nothing()
    {
        using var log = OpenWithTimestampedBatches(5);
        Assert.Equal(new RetentionResult(0, 0, 0), log.ApplyRetention(long.MaxValue / 2, -1, -1));
        Assert.Equal(3, log.SegmentCount);
        Assert.False(File.Exists(Path.Combine(_builder.Directory, "log-start-offset")));
    }

    [Fact]
    public void Retention_survives_reopen()
    {
        using (var log = OpenWithTimestampedBatches(7))
        {
            log.ApplyRetention(10_000, 7_000, -1); // deletes segment 0
            log.ApplyRetention(0, -1, 3L * BatchSize); // deletes segment 10
            Assert.Equal(20, log.LogStartOffset);
        }
        Assert.Equal("0\n20\n", File.ReadAllText(Path.Combine(_builder.Directory, "log-start-offset")));

        using var reopened = _builder.Open();
        Assert.Equal(20, reopened.LogStartOffset);
        Assert.Equal(35, reopened.LogEndOffset);
        Assert.Equal(["00000000000000000020.log", "00000000000000000030.log"], _builder.LogFiles().Select(Path.GetFileName));
        Assert.Throws<OffsetOutOfRangeException>(() => reopened.Read(19, 1000, true));
        Assert.Equal(20, FirstBaseOffset(reopened.Read(20, 1000, true)));
    }

    [Fact]
    public void AdvanceLogStartOffset_inside_a_segment_keeps_it_and_makes_earlier_offsets_unreadable()
    {
        using var log = OpenWithTimestampedBatches(5);

        Assert.Equal(7, log.AdvanceLogStartOffset(7));

        Assert.Equal(7, log.LogStartOffset);
        Assert.Equal(3, log.SegmentCount);
        Assert.Equal(7, Assert.Throws<OffsetOutOfRangeException>(() => log.Read(5, 1000, true)).LogStartOffset);
        Assert.Throws<OffsetOutOfRangeException>(() => log.Read(6, 1000, true));
        var read = log.Read(7, 1000, true);
        Assert.Equal(5, FirstBaseOffset(read)); // the batch 5..9 holds 7
        Assert.Equal(7, read.LogStartOffset);
        Assert.Equal(7, log.OffsetForTimestamp(0));
        Assert.Equal(7, log.AdvanceLogStartOffset(3)); // a smaller offset changes nothing
    }

    [Fact]
    public void AdvanceLogStartOffset_deletes_segments_entirely_below_it_but_never_the_active_one()
    {
        using var log = OpenWithTimestampedBatches(5);

        Assert.Equal(12, log.AdvanceLogStartOffset(12));
        Assert.Equal([10L, 20], log.Segments.Select(s => s.BaseOffset));
        Assert.Equal(["00000000000000000010.log", "00000000000000000020.log"], _builder.LogFiles().Select(Path.GetFileName));

        Assert.Equal(25, log.AdvanceLogStartOffset(-1)); // -1: the high watermark (log end)
        Assert.Equal([20L], log.Segments.Select(s => s.BaseOffset));
        Assert.Throws<OffsetOutOfRangeException>(() => log.Read(24, 1000, true));
        Assert.True(log.Read(25, 1000, true).Records.IsEmpty);
        Assert.Equal(25, log.Append(BatchBuilder.Build(1), 0).FirstOffset);
        Assert.Equal(25, FirstBaseOffset(log.Read(25, 1000, true)));
    }

    [Fact]
    public void AdvanceLogStartOffset_survives_reopen()
    {
        using (var log = OpenWithTimestampedBatches(5))
            log.AdvanceLogStartOffset(7);

        using var reopened = _builder.Open();
        Assert.Equal(7, reopened.LogStartOffset);
        Assert.Throws<OffsetOutOfRangeException>(() => reopened.Read(6, 1000, true));
        Assert.Equal(5, FirstBaseOffset(reopened.Read(7, 1000, true)));
    }

    [Fact]
    public void AdvanceLogStartOffset_beyond_the_log_end_throws_and_changes_nothing()
    {
        using var log = OpenWithTimestampedBatches(5);
        var error = Assert.Throws<OffsetOutOfRangeException>(() => log.AdvanceLogStartOffset(26));
        Assert.Equal(26, error.RequestedOffset);
        Assert.Throws<OffsetOutOfRangeException>(() => log.AdvanceLogStartOffset(-2));
        Assert.Equal(0, log.LogStartOffset);
        Assert.Equal(3, log.SegmentCount);
        Assert.False(File.Exists(Path.Combine(_builder.Directory, "log-start-offset")));
    }

    [Fact]
    public void Truncating_into_the_batch_holding_the_log_start_lowers_the_log_start()
    {
        using (var log = OpenWithTimestampedBatches(5))
        {
            log.AdvanceLogStartOffset(22);
            log.TruncateTo(23); // drops the batch 20..24
            Assert.Equal(20, log.LogEndOffset);
            Assert.Equal(20, log.LogStartOffset);
        }
        using var reopened = _builder.Open();
        Assert.Equal(20, reopened.LogStartOffset);
        Assert.Equal(20, reopened.LogEndOffset);
    }

    [Fact]
    public void A_checkpointed_start_beyond_the_recovered_end_restarts_the_log_there()
    {
        using (var log = OpenWithTimestampedBatches(5))
            log.AdvanceLogStartOffset(25);
        // Lose the tail: the active segment's last batch is torn away.
        string active = Path.Combine(_builder.Directory, "00000000000000000020.log");
        using (var file = File.Open(active, FileMode.Open))
            file.SetLength(BatchSize - 1);
        File.Delete(Path.Combine(_builder.Directory, "recovery-point"));

        using var reopened = _builder.Open();
        Assert.Equal(25, reopened.LogStartOffset);
        Assert.Equal(25, reopened.LogEndOffset);
        Assert.Equal([25L], reopened.Segments.Select(s => s.BaseOffset));
    }
}
