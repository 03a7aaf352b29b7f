using System.Buffers.Binary;
using ActorBroker.Protocol.Records;

namespace ActorBroker.Storage.Tests;

public sealed class AppendTimeAndTimeRollTests : IDisposable
{
    private readonly LogBuilder _builder = new();

    public void Dispose() => _builder.Dispose();

    [Fact]
    public void LogAppendTime_stamps_the_attribute_and_max_timestamp_and_keeps_the_crc_valid()
    {
        _builder.Config = new LogConfig { TimestampType = TimestampType.LogAppendTime };
        using var log = _builder.Open();
        var gzip = new RecordBatchBuilder(compression: CompressionType.Gzip).Add("k", "a", timestamp: 10).Add("k", "b", timestamp: 20).Build();

        var first = log.Append(BatchBuilder.Build(3, timestampOf: i => 100 + i), 0, nowMs: 50_000);
        var second = log.Append(gzip, 0, nowMs: 60_000);

        Assert.Equal(50_000, first.LogAppendTime);
        Assert.Equal(60_000, second.LogAppendTime);
        var batches = BatchBuilder.Split(log.Read(0, int.MaxValue, true).Records);
        Assert.Equal(2, batches.Count);
        foreach (var (batch, time) in batches.Zip(new long[] { 50_000, 60_000 }))
        {
            Assert.Equal(TimestampType.LogAppendTime, batch.TimestampType);
            Assert.Equal(time, batch.MaxTimestamp);
            Assert.True(batch.IsCrcValid);
            Assert.All(batch.EnumerateRecords(), r => Assert.Equal(time, r.Timestamp));
        }
        Assert.Equal(CompressionType.Gzip, batches[1].Compression);
        Assert.Equal(new TimestampOffset(3, 60_000), log.FindOffsetForTimestamp(55_000));
        Assert.Equal(new TimestampOffset(0, 50_000), log.FindOffsetForTimestamp(1));
    }

    [Fact]
    public void CreateTime_leaves_batches_as_produced_and_reports_no_append_time()
    {
        using var log = _builder.Open();
        byte[] batch = BatchBuilder.Build(2, timestampOf: i => 100 + i);
        uint crc = BinaryPrimitives.ReadUInt32BigEndian(batch.AsSpan(17));
        Assert.Equal(-1, log.Append(batch, 0, nowMs: 50_000).LogAppendTime);
        var stored = BatchBuilder.Split(log.Read(0, int.MaxValue, true).Records).Single();
        Assert.Equal((TimestampType.CreateTime, 101L, crc), (stored.TimestampType, stored.MaxTimestamp, stored.Crc));
    }

    [Fact]
    public void SetLogAppendTime_recomputes_the_crc()
    {
        byte[] batch = BatchBuilder.Build(2);
        RecordBatch.SetLogAppendTime(batch, 123);
        Assert.Equal(BatchCheck.Valid, RecordBatch.Check(batch, out _));
        Assert.Equal((short)0x08, new RecordBatch(batch).Attributes);
    }

    [Fact]
    public void Segment_ms_rolls_when_the_first_batch_is_old_enough_at_the_next_append()
    {
        _builder.Config = new LogConfig { SegmentMs = 1_000 };
        using var log = _builder.Open();
        log.Append(BatchBuilder.Build(1, timestampOf: _ => 5_000), 0, nowMs: 5_000);  // 0
        log.Append(BatchBuilder.Build(1, timestampOf: _ => 5_500), 0, nowMs: 5_999);  // 1: 999 ms waited, stays
        Assert.Equal(1, log.SegmentCount);
        log.Append(BatchBuilder.Build(1, timestampOf: _ => 6_000), 0, nowMs: 6_000);  // 2: 1_000 ms → roll
        Assert.Equal([0L, 2], log.Segments.Select(s => s.BaseOffset));
        log.Append(BatchBuilder.Build(1, timestampOf: _ => 6_100), 0, nowMs: 6_500);  // new segment's first batch is 6_000
        Assert.Equal(2, log.SegmentCount);
    }

    [Fact]
    public void Segment_ms_uses_the_first_batch_timestamp_after_reopen()
    {
        _builder.Config = new LogConfig { SegmentMs = 1_000 };
        using (var log = _builder.Open())
            log.Append(BatchBuilder.Build(1, timestampOf: _ => 5_000), 0, nowMs: 5_000);
        using var reopened = _builder.Open();
        reopened.Append(BatchBuilder.Build(1, timestampOf: _ => 5_100), 0, nowMs: 5_100);
        Assert.Equal(1, reopened.SegmentCount);
        reopened.Append(BatchBuilder.Build(1, timestampOf: _ => 7_000), 0, nowMs: 7_000);
        Assert.Equal(2, reopened.SegmentCount);
    }

    [Fact]
    public void Without_segment_ms_no_time_roll_happens()
    {
        using var log = _builder.Open();
        log.Append(BatchBuilder.Build(1, timestampOf: _ => 0), 0, nowMs: 0);
        log.Append(BatchBuilder.Build(1), 0, nowMs: long.MaxValue / 2);
        Assert.Equal(1, log.SegmentCount);
    }
}
