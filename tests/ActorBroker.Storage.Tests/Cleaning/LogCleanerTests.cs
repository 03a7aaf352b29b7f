using ActorBroker.Protocol.Records;
using ActorBroker.Storage.Cleaning;

namespace ActorBroker.Storage.Tests.Cleaning;

public sealed class LogCleanerTests : IDisposable
{
    private const long Now = 1_000_000;
    private readonly LogBuilder _builder = new(new LogConfig { SegmentBytes = 1024, IndexIntervalBytes = 128 });

    public void Dispose() => _builder.Dispose();

    private static readonly CleanerConfig Config = new() { MinCleanableDirtyRatio = 0, DeleteRetentionMs = 10_000 };

    /// <summary>Appends <paramref name="updates"/> single-record batches cycling over <paramref name="keys"/> keys, timestamp 1_000.</summary>
    private static List<KeyedRecord> AppendUpdates(PartitionLog log, int updates, int keys, CompressionType compression = CompressionType.None)
    {
        var written = new List<KeyedRecord>();
        for (int i = 0; i < updates; i += 3)
        {
            var records = Enumerable.Range(i, Math.Min(3, updates - i)).Select(n => ((string?)$"k{n % keys}", (string?)$"v{n}")).ToArray();
            var result = log.Append(KeyedLog.Batch(1_000, compression, records), 0);
            written.AddRange(records.Select((r, j) => new KeyedRecord(result.FirstOffset + j, r.Item1, r.Item2)));
        }
        return written;
    }

    private static PreparedClean PrepareAfterUpdates(PartitionLog log)
    {
        AppendUpdates(log, 300, 10);
        return log.PrepareClean(log.PlanClean(Config, Now), Config, Now);
    }

    [Fact]
    public void Keeps_only_the_latest_value_per_key_and_every_offset_unchanged()
    {
        using var log = _builder.Open();
        var written = AppendUpdates(log, 300, 10);
        long activeBase = log.Segments[^1].BaseOffset;

        var result = log.Clean(Config, Now);

        Assert.True(result.Completed);
        var expected = KeyedLog.LatestPerKey(written.Where(r => r.Offset < activeBase))
            .Concat(written.Where(r => r.Offset >= activeBase)).OrderBy(r => r.Offset).ToList();
        Assert.Equal(expected, KeyedLog.ReadAll(log));
        Assert.Equal(300, log.LogEndOffset);
        Assert.Equal(activeBase, log.FirstDirtyOffset);
        Assert.True(result.Statistics.BytesAfter < result.Statistics.BytesBefore);
    }

    [Fact]
    public void The_active_segment_is_never_rewritten()
    {
        using var log = _builder.Open();
        AppendUpdates(log, 300, 10);
        var active = log.Segments[^1];
        string activePath = _builder.LogFiles()[^1];
        byte[] before = File.ReadAllBytes(activePath);

        log.Clean(Config, Now);

        Assert.Equal(active, log.Segments[^1]);
        Assert.Equal(before, File.ReadAllBytes(activePath));
    }

    [Fact]
    public void Records_appended_after_a_clean_are_cleaned_by_the_next_one_against_the_older_values()
    {
        using var log = _builder.Open();
        var written = AppendUpdates(log, 150, 10);
        log.Clean(Config, Now);
        written.AddRange(AppendUpdates(log, 150, 10).Select(r => r with { Offset = r.Offset }));
        long activeBase = log.Segments[^1].BaseOffset;

        log.Clean(Config, Now);

        var all = KeyedLog.ReadAll(log);
        Assert.Equal(all.Where(r => r.Offset < activeBase).ToList(), KeyedLog.LatestPerKey(all.Where(r => r.Offset < activeBase)));
        Assert.All(KeyedLog.LatestPerKey(written), latest => Assert.Contains(latest, all));
    }

    [Fact]
    public void A_tombstone_stays_while_its_segment_is_younger_than_delete_retention_and_goes_after()
    {
        using var log = _builder.Open();
        log.Append(KeyedLog.Batch(1_000, ("gone", "old")), 0);
        AppendUpdates(log, 60, 5);
        var tombstone = log.Append(KeyedLog.Batch(1_000, ("gone", null)), 0);
        AppendUpdates(log, 60, 50); // keys k0..k49, pushing the tombstone's segment out of the active one

        var early = log.Clean(Config, nowMs: 1_000 + Config.DeleteRetentionMs); // the segment's newest record is exactly delete.retention.ms old
        var afterEarly = KeyedLog.ReadAll(log);
        Assert.Contains(new KeyedRecord(tombstone.FirstOffset, "gone", null), afterEarly);
        Assert.DoesNotContain(afterEarly, r => r.Key == "gone" && r.Offset < tombstone.FirstOffset);
        Assert.True(early.Completed);

        var plan = log.PlanClean(Config with { MinCleanableDirtyRatio = 1 }, nowMs: 1_000 + Config.DeleteRetentionMs + 1);
        Assert.True(plan.Due, plan.Reason); // nothing dirty, but the tombstone's deadline has passed
        var late = log.CompleteClean(log.PrepareClean(plan, Config, nowMs: 1_000 + Config.DeleteRetentionMs + 1));

        Assert.DoesNotContain(KeyedLog.ReadAll(log), r => r.Key == "gone");
        Assert.Equal(1, late.Statistics.TombstonesRemoved);
        Assert.False(log.PlanClean(Config with { MinCleanableDirtyRatio = 1 }, long.MaxValue / 2).Due);
    }

    [Theory]
    [InlineData(CompressionType.Gzip)]
    [InlineData(CompressionType.Snappy)]
    [InlineData(CompressionType.Lz4)]
    [InlineData(CompressionType.Zstd)]
    public void Compressed_batches_are_rewritten_with_the_same_codec_and_a_valid_crc(CompressionType compression)
    {
        using var log = _builder.Open();
        var written = AppendUpdates(log, 300, 7, compression);
        long activeBase = log.Segments[^1].BaseOffset;

        log.Clean(Config, Now);

        var read = log.Read(0, int.MaxValue, minOneBatch: true);
        var batches = BatchBuilder.Split(read.Records); // asserts each batch's CRC
        Assert.All(batches, b => Assert.Equal(compression, b.Compression));
        var expected = KeyedLog.LatestPerKey(written.Where(r => r.Offset < activeBase))
            .Concat(written.Where(r => r.Offset >= activeBase)).OrderBy(r => r.Offset).ToList();
        Assert.Equal(expected, KeyedLog.ReadAll(log));
    }

    [Fact]
    public void A_thinned_batch_keeps_its_base_offset_last_offset_and_timestamps()
    {
        using var log = _builder.Open();
        log.Append(KeyedLog.Batch(5_000, ("a", "1"), ("b", "2"), ("c", "3")), 0);
        log.Append(KeyedLog.Batch(6_000, ("c", "4")), 0);
        log.Append(BatchBuilder.Build(60, valueSize: 20), 0); // fills the segment so the next append rolls
        AppendUpdates(log, 3, 3);
        Assert.True(log.SegmentCount > 1);

        log.Clean(Config, Now);

        var first = BatchBuilder.Split(log.Read(0, int.MaxValue, true).Records)[0];
        Assert.Equal((0L, 2L, 2), (first.BaseOffset, first.LastOffset, first.RecordCount));
        Assert.Equal((5_000L, 5_000L), (first.BaseTimestamp, first.MaxTimestamp));
        Assert.Equal(["a", "b"], first.EnumerateRecords().Select(r => System.Text.Encoding.UTF8.GetString(r.Key!.Value.Span)));
    }

    [Fact]
    public void The_cleaner_checkpoint_survives_a_reopen()
    {
        using (var log = _builder.Open())
        {
            AppendUpdates(log, 300, 10);
            log.Clean(Config, Now);
        }
        using var reopened = _builder.Open();
        Assert.Equal(reopened.Segments[^1].BaseOffset, reopened.FirstDirtyOffset);
        Assert.False(reopened.PlanClean(Config with { MinCleanableDirtyRatio = 0.01 }, Now).Due);
    }

    [Fact]
    public void A_clean_whose_segment_retention_deleted_meanwhile_is_abandoned_and_leaves_no_files()
    {
        using var log = _builder.Open();
        var prepared = PrepareAfterUpdates(log);
        log.AdvanceLogStartOffset(log.Segments[1].BaseOffset);

        var result = log.CompleteClean(prepared);

        Assert.False(result.Completed);
        Assert.Empty(Directory.GetFiles(_builder.Directory, "*.cleaned"));
        Assert.Empty(Directory.GetFiles(_builder.Directory, "*.swap"));
        Assert.True(log.Clean(Config, Now).Completed); // the log is free for the next clean
    }

    [Fact]
    public void Only_one_clean_of_a_log_runs_at_a_time()
    {
        using var log = _builder.Open();
        var prepared = PrepareAfterUpdates(log);

        Assert.Throws<InvalidOperationException>(() => log.PrepareClean(prepared.Plan, Config, Now));
        log.AbortClean(prepared);
        Assert.Empty(Directory.GetFiles(_builder.Directory, "*.cleaned"));
    }
}
