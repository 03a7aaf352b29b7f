using ActorBroker.Protocol.Records;

namespace ActorBroker.Storage.Tests;

public sealed class OffsetForTimestampTests : IDisposable
{
    private readonly LogBuilder _builder = new(new LogConfig { SegmentBytes = 200 });

    public void Dispose() => _builder.Dispose();

    [Fact]
    public void Returns_the_first_record_at_or_after_the_timestamp_inside_a_batch()
    {
        using var log = _builder.Open();
        log.Append(BatchBuilder.Build(5, timestampOf: i => 1000 + 10 * i), 0); // 0..4: 1000..1040
        log.Append(BatchBuilder.Build(5, timestampOf: i => 2000 + 10 * i), 0); // 5..9: 2000..2040

        Assert.Equal(0, log.OffsetForTimestamp(0));
        Assert.Equal(0, log.OffsetForTimestamp(1000));
        Assert.Equal(2, log.OffsetForTimestamp(1015));
        Assert.Equal(5, log.OffsetForTimestamp(1041));
        Assert.Equal(8, log.OffsetForTimestamp(2030));
        Assert.Null(log.OffsetForTimestamp(2041));
        Assert.True(log.SegmentCount > 1);
    }

    [Fact]
    public void Follows_offset_order_when_timestamps_are_not_monotonic()
    {
        using var log = _builder.Open();
        log.Append(BatchBuilder.Build(3, timestampOf: i => new long[] { 500, 900, 100 }[i]), 0);
        Assert.Equal(1, log.OffsetForTimestamp(600));
        Assert.Equal(0, log.OffsetForTimestamp(100));
    }

    [Fact]
    public void Finds_the_record_inside_a_compressed_batch()
    {
        using var log = _builder.Open();
        log.Append(BatchBuilder.Build(2, timestampOf: i => 10 + i), 0);
        var gzip = new RecordBatchBuilder(compression: CompressionType.Gzip);
        for (int i = 0; i < 4; i++)
            gzip.Add("k", "v", timestamp: 100 + i);
        log.Append(gzip.Build(), 0); // 2..5: 100..103
        Assert.Equal(new TimestampOffset(4, 102), log.FindOffsetForTimestamp(102)); // as Kafka: decompressed, not the base offset
        Assert.Equal(new TimestampOffset(2, 100), log.FindOffsetForTimestamp(50));
    }

    [Fact]
    public void Returns_null_for_an_empty_log()
    {
        using var log = _builder.Open();
        Assert.Null(log.OffsetForTimestamp(0));
    }
}
