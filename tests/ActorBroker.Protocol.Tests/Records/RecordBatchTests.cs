using System.Buffers.Binary;
using System.Text;
using ActorBroker.Protocol.Primitives;
using ActorBroker.Protocol.Records;
using Xunit;

namespace ActorBroker.Protocol.Tests.Records;

public class RecordBatchTests
{
    private static byte[] SampleBatch(CompressionType compression = CompressionType.None)
    {
        var builder = new RecordBatchBuilder(baseOffset: 0, compression);
        builder.Add("k1", "v1", new[] { new RecordHeader("h", new byte[] { 1 }), new RecordHeader("n", null) }, timestamp: 1000);
        builder.Add(null, "v2", timestamp: 1005);
        builder.Add("k3", null, timestamp: 999);
        return builder.Build();
    }

    [Fact]
    public void Built_batch_is_valid_and_its_header_describes_the_records()
    {
        var bytes = SampleBatch();
        Assert.Equal(BatchCheck.Valid, RecordBatch.Check(bytes, out int size));
        Assert.Equal(bytes.Length, size);
        var batch = new RecordBatch(bytes);
        Assert.Equal(2, batch.Magic);
        Assert.Equal(3, batch.RecordCount);
        Assert.Equal(2, batch.LastOffsetDelta);
        Assert.Equal(1000, batch.BaseTimestamp);
        Assert.Equal(1005, batch.MaxTimestamp);
        Assert.Equal(-1, batch.ProducerId);
    }

    [Fact]
    public void Known_good_batch_has_the_crc32c_of_its_bytes_from_attributes_on()
    {
        var bytes = SampleBatch();
        uint stored = BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(17));
        Assert.Equal(Crc32C.Compute(bytes.AsSpan(21)), stored);
        Assert.True(new RecordBatch(bytes).IsCrcValid);
    }

    [Fact]
    public void Flipping_a_byte_in_the_records_is_detected_as_crc_mismatch()
    {
        var bytes = SampleBatch();
        bytes[^3] ^= 0x40;
        Assert.Equal(BatchCheck.CrcMismatch, RecordBatch.Check(bytes, out _));
    }

    [Fact]
    public void Flipping_a_header_byte_covered_by_the_crc_is_detected()
    {
        var bytes = SampleBatch();
        bytes[30] ^= 0x01; // baseTimestamp
        Assert.Equal(BatchCheck.CrcMismatch, RecordBatch.Check(bytes, out _));
    }

    [Fact]
    public void Changing_base_offset_or_leader_epoch_keeps_the_crc_valid()
    {
        var bytes = SampleBatch();
        bytes[3] ^= 0xFF;
        Assert.Equal(BatchCheck.Valid, RecordBatch.Check(bytes, out _));
        RecordBatch.Stamp(bytes, 12345, 7);
        Assert.Equal(BatchCheck.Valid, RecordBatch.Check(bytes, out _));
        Assert.Equal(12345, new RecordBatch(bytes).BaseOffset);
        Assert.Equal(7, new RecordBatch(bytes).PartitionLeaderEpoch);
    }

    [Fact]
    public void Truncated_batch_is_incomplete()
    {
        var bytes = SampleBatch();
        Assert.Equal(BatchCheck.Incomplete, RecordBatch.Check(bytes.AsSpan(0, bytes.Length - 1), out _));
    }

    [Theory]
    [InlineData(CompressionType.None)]
    [InlineData(CompressionType.Gzip)]
    [InlineData(CompressionType.Snappy)]
    [InlineData(CompressionType.Lz4)]
    [InlineData(CompressionType.Zstd)]
    public void Builder_output_is_read_back_by_record_iteration(CompressionType compression)
    {
        var bytes = SampleBatch(compression);
        Assert.Equal(BatchCheck.Valid, RecordBatch.Check(bytes, out _));
        var batch = new RecordBatch(bytes);
        Assert.Equal(compression, batch.Compression);
        RecordBatch.Stamp(bytes, 100, 0);
        var records = batch.EnumerateRecords();
        Assert.Equal(3, records.Count);

        Assert.Equal(100, records[0].Offset);
        Assert.Equal(1000, records[0].Timestamp);
        Assert.Equal("k1", Encoding.UTF8.GetString(records[0].Key!.Value.Span));
        Assert.Equal("v1", Encoding.UTF8.GetString(records[0].Value!.Value.Span));
        Assert.Equal(2, records[0].Headers.Count);
        Assert.Equal("h", records[0].Headers[0].Key);
        Assert.Equal(new byte[] { 1 }, records[0].Headers[0].Value);
        Assert.Null(records[0].Headers[1].Value);

        Assert.Equal(101, records[1].Offset);
        Assert.Null(records[1].Key);
        Assert.Equal(1005, records[1].Timestamp);
        Assert.Equal(102, records[2].Offset);
        Assert.Null(records[2].Value);
        Assert.Equal(999, records[2].Timestamp);
    }

    [Fact]
    public void Log_append_time_batches_give_every_record_the_max_timestamp()
    {
        var builder = new RecordBatchBuilder { TimestampType = TimestampType.LogAppendTime };
        builder.Add("a", "1", timestamp: 10).Add("b", "2", timestamp: 20);
        var records = new RecordBatch(builder.Build()).EnumerateRecords();
        Assert.All(records, r => Assert.Equal(20, r.Timestamp));
    }

    [Fact]
    public void Raw_snappy_records_as_librdkafka_writes_them_are_decompressed()
    {
        var plain = SampleBatch();
        var raw = Snappier.Snappy.CompressToArray(plain.AsSpan(RecordBatch.HeaderSize));
        var bytes = new byte[RecordBatch.HeaderSize + raw.Length];
        plain.AsSpan(0, RecordBatch.HeaderSize).CopyTo(bytes);
        raw.CopyTo(bytes.AsSpan(RecordBatch.HeaderSize));
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(8), bytes.Length - RecordBatch.LogOverhead);
        BinaryPrimitives.WriteInt16BigEndian(bytes.AsSpan(21), (short)CompressionType.Snappy);
        BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(17), Crc32C.Compute(bytes.AsSpan(21)));
        Assert.Equal(BatchCheck.Valid, RecordBatch.Check(bytes, out _));
        var records = new RecordBatch(bytes).EnumerateRecords();
        Assert.Equal(3, records.Count);
        Assert.Equal("v2", Encoding.UTF8.GetString(records[1].Value!.Value.Span));
    }

    [Fact]
    public void Xerial_snappy_output_starts_with_the_xerial_magic()
    {
        var compressed = RecordCodecs.Compress(CompressionType.Snappy, new byte[100]);
        Assert.Equal(new byte[] { 0x82, (byte)'S', (byte)'N', (byte)'A', (byte)'P', (byte)'P', (byte)'Y', 0 }, compressed[..8]);
        Assert.Equal(new byte[100], RecordCodecs.Decompress(CompressionType.Snappy, compressed));
    }

    [Fact]
    public void Corrupt_compressed_records_throw_protocol_exception()
    {
        Assert.Throws<KafkaProtocolException>(() => RecordCodecs.Decompress(CompressionType.Gzip, new byte[] { 1, 2, 3, 4, 5 }));
        Assert.Throws<KafkaProtocolException>(() => RecordCodecs.Decompress(CompressionType.Zstd, new byte[] { 1, 2, 3, 4, 5 }));
    }

    [Fact]
    public void Record_with_a_length_past_the_batch_end_is_malformed()
    {
        var bytes = SampleBatch();
        bytes[RecordBatch.HeaderSize] = 0x7E; // first record's length varint: 63, more than is left
        Assert.Throws<KafkaProtocolException>(() => new RecordBatch(bytes).EnumerateRecords());
    }
}
