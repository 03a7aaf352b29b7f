using System.Text;
using ActorBroker.Protocol.Records;
using Xunit;

namespace ActorBroker.Protocol.Tests.Records;

public class RecordBatchRetainTests
{
    [Theory]
    [InlineData(CompressionType.None)]
    [InlineData(CompressionType.Zstd)]
    public void Retain_keeps_offsets_timestamps_and_the_batch_range_and_recomputes_the_crc(CompressionType compression)
    {
        var builder = new RecordBatchBuilder(10, compression) { ProducerId = 7, ProducerEpoch = 1, BaseSequence = 3 };
        for (int i = 0; i < 5; i++)
            builder.Add($"k{i}", $"v{i}", [new RecordHeader("h", [(byte)i])], timestamp: 1_000 + i);
        var original = new RecordBatch(builder.Build());
        var kept = original.EnumerateRecords().Where(r => r.Offset is 11 or 13).ToList();

        var thinned = new RecordBatch(RecordBatchBuilder.Retain(original, kept));

        Assert.Equal(BatchCheck.Valid, RecordBatch.Check(thinned.Memory.Span, out _));
        Assert.Equal((10L, 14L, 2), (thinned.BaseOffset, thinned.LastOffset, thinned.RecordCount));
        Assert.Equal((original.Attributes, original.BaseTimestamp, original.MaxTimestamp), (thinned.Attributes, thinned.BaseTimestamp, thinned.MaxTimestamp));
        Assert.Equal((7L, (short)1, 3), (thinned.ProducerId, thinned.ProducerEpoch, thinned.BaseSequence));
        var records = thinned.EnumerateRecords();
        Assert.Equal([11L, 13L], records.Select(r => r.Offset));
        Assert.Equal([1_001L, 1_003L], records.Select(r => r.Timestamp));
        Assert.Equal(["v1", "v3"], records.Select(r => Encoding.UTF8.GetString(r.Value!.Value.Span)));
        Assert.Equal(new byte[] { 3 }, records[1].Headers[0].Value!);
    }
}
