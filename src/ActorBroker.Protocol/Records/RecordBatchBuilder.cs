using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using ActorBroker.Protocol.Primitives;

namespace ActorBroker.Protocol.Records;

/// <summary>
/// Builds one RecordBatch v2 (magic 2) from records, optionally compressed, with a correct CRC-32C.
/// Offsets are assigned from <see cref="BaseOffset"/> in order (offsetDelta 0, 1, ...); baseTimestamp is the
/// first record's timestamp and maxTimestamp the largest. Producer id/epoch/sequence default to -1 (not
/// idempotent). Not thread-safe; used by tests and the CLI producer. <see cref="Retain"/> (stateless, thread-safe)
/// rebuilds a batch thinned by log compaction.
/// </summary>
public sealed class RecordBatchBuilder
{
    private readonly List<(ReadOnlyMemory<byte>? Key, ReadOnlyMemory<byte>? Value, IReadOnlyList<RecordHeader> Headers, long Timestamp)> _records = new();

    public long BaseOffset { get; set; }
    public CompressionType Compression { get; set; } = CompressionType.None;
    public TimestampType TimestampType { get; set; } = TimestampType.CreateTime;
    public int PartitionLeaderEpoch { get; set; } = -1;
    public long ProducerId { get; set; } = -1;
    public short ProducerEpoch { get; set; } = -1;
    public int BaseSequence { get; set; } = -1;
    public bool IsTransactional { get; set; }
    public bool IsControl { get; set; }

    public RecordBatchBuilder(long baseOffset = 0, CompressionType compression = CompressionType.None)
    {
        BaseOffset = baseOffset;
        Compression = compression;
    }

    public int Count => _records.Count;

    /// <summary>Adds a record; <paramref name="timestamp"/> defaults to now (ms since the epoch).</summary>
    public RecordBatchBuilder Add(ReadOnlyMemory<byte>? key, ReadOnlyMemory<byte>? value, IReadOnlyList<RecordHeader>? headers = null, long? timestamp = null)
    {
        _records.Add((key, value, headers ?? Array.Empty<RecordHeader>(), timestamp ?? DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()));
        return this;
    }

    /// <summary>Adds a record with UTF-8 string key and value.</summary>
    public RecordBatchBuilder Add(string? key, string? value, IReadOnlyList<RecordHeader>? headers = null, long? timestamp = null) =>
        Add(key is null ? (ReadOnlyMemory<byte>?)null : new ReadOnlyMemory<byte>(Encoding.UTF8.GetBytes(key)),
            value is null ? (ReadOnlyMemory<byte>?)null : new ReadOnlyMemory<byte>(Encoding.UTF8.GetBytes(value)), headers, timestamp);

    public byte[] Build()
    {
        if (_records.Count == 0)
            throw new InvalidOperationException("A record batch needs at least one record.");
        long baseTimestamp = _records[0].Timestamp;
        long maxTimestamp = _records.Max(r => r.Timestamp);
        var body = new ArrayBufferWriter<byte>();
        var scratch = new ArrayBufferWriter<byte>();
        for (int i = 0; i < _records.Count; i++)
        {
            var (key, value, headers, timestamp) = _records[i];
            WriteRecord(body, scratch, 0, timestamp - baseTimestamp, i, key, value, headers);
        }
        short attributes = (short)((int)Compression
            | (TimestampType == TimestampType.LogAppendTime ? 0x08 : 0)
            | (IsTransactional ? 0x10 : 0)
            | (IsControl ? 0x20 : 0));
        var header = new BatchHeader(BaseOffset, PartitionLeaderEpoch, attributes, _records.Count - 1, baseTimestamp, maxTimestamp,
            ProducerId, ProducerEpoch, BaseSequence);
        return Assemble(header, body.WrittenSpan, _records.Count);
    }

    /// <summary>
    /// Kafka's rebuild of a batch that compaction thinned (MemoryRecords.filterTo): a new batch holding only
    /// <paramref name="retained"/> (records decoded from <paramref name="original"/>, in order, at least one), each
    /// re-encoded with its own attributes, timestampDelta and offsetDelta, so every retained record keeps its offset and
    /// timestamp. The header keeps the original's baseOffset, partitionLeaderEpoch, attributes (so the same codec
    /// compresses the records again), lastOffsetDelta (as Kafka, so the batch still ends at the original last offset
    /// even when that record went), baseTimestamp, maxTimestamp and producer fields; recordCount and the CRC-32C are
    /// recomputed. Example: batch 10..14 keeping offsets 11 and 13 → baseOffset 10, lastOffsetDelta 4, recordCount 2,
    /// records with offsetDelta 1 and 3.
    /// </summary>
    public static byte[] Retain(RecordBatch original, IReadOnlyList<Record> retained)
    {
        if (retained.Count == 0)
            throw new ArgumentException("A record batch needs at least one record; drop the batch instead.", nameof(retained));
        var body = new ArrayBufferWriter<byte>();
        var scratch = new ArrayBufferWriter<byte>();
        foreach (var record in retained)
            WriteRecord(body, scratch, record.Attributes, record.TimestampDelta, record.OffsetDelta, record.Key, record.Value, record.Headers);
        var header = new BatchHeader(original.BaseOffset, original.PartitionLeaderEpoch, original.Attributes, original.LastOffsetDelta,
            original.BaseTimestamp, original.MaxTimestamp, original.ProducerId, original.ProducerEpoch, original.BaseSequence);
        return Assemble(header, body.WrittenSpan, retained.Count);
    }

    /// <summary>The header fields of a batch that its records do not determine.</summary>
    private readonly record struct BatchHeader(
        long BaseOffset, int PartitionLeaderEpoch, short Attributes, int LastOffsetDelta, long BaseTimestamp, long MaxTimestamp,
        long ProducerId, short ProducerEpoch, int BaseSequence)
    {
        public CompressionType Compression => (CompressionType)(Attributes & 0x07);
    }

    /// <summary>Appends one length-prefixed record to <paramref name="body"/>, encoding it in <paramref name="scratch"/> first.</summary>
    private static void WriteRecord(ArrayBufferWriter<byte> body, ArrayBufferWriter<byte> scratch, sbyte attributes, long timestampDelta,
        int offsetDelta, ReadOnlyMemory<byte>? key, ReadOnlyMemory<byte>? value, IReadOnlyList<RecordHeader> headers)
    {
        scratch.ResetWrittenCount();
        var rw = new KafkaWriter(scratch);
        rw.WriteInt8(attributes);
        rw.WriteVarlong(timestampDelta);
        rw.WriteVarint(offsetDelta);
        WriteVarBytes(rw, key);
        WriteVarBytes(rw, value);
        rw.WriteVarint(headers.Count);
        foreach (var h in headers)
        {
            WriteVarBytes(rw, Encoding.UTF8.GetBytes(h.Key));
            WriteVarBytes(rw, h.Value);
        }
        var w = new KafkaWriter(body);
        w.WriteVarint(scratch.WrittenCount);
        w.WriteRaw(scratch.WrittenSpan);
    }

    /// <summary>Compresses the encoded records with the header's codec and lays out header, records and CRC-32C.</summary>
    private static byte[] Assemble(in BatchHeader header, ReadOnlySpan<byte> records, int recordCount)
    {
        byte[] compressed = header.Compression == CompressionType.None ? records.ToArray() : RecordCodecs.Compress(header.Compression, records);
        var batch = new byte[RecordBatch.HeaderSize + compressed.Length];
        var s = batch.AsSpan();
        BinaryPrimitives.WriteInt64BigEndian(s, header.BaseOffset);
        BinaryPrimitives.WriteInt32BigEndian(s[8..], batch.Length - RecordBatch.LogOverhead);
        BinaryPrimitives.WriteInt32BigEndian(s[12..], header.PartitionLeaderEpoch);
        s[16] = RecordBatch.CurrentMagic;
        BinaryPrimitives.WriteInt16BigEndian(s[21..], header.Attributes);
        BinaryPrimitives.WriteInt32BigEndian(s[23..], header.LastOffsetDelta);
        BinaryPrimitives.WriteInt64BigEndian(s[27..], header.BaseTimestamp);
        BinaryPrimitives.WriteInt64BigEndian(s[35..], header.MaxTimestamp);
        BinaryPrimitives.WriteInt64BigEndian(s[43..], header.ProducerId);
        BinaryPrimitives.WriteInt16BigEndian(s[51..], header.ProducerEpoch);
        BinaryPrimitives.WriteInt32BigEndian(s[53..], header.BaseSequence);
        BinaryPrimitives.WriteInt32BigEndian(s[57..], recordCount);
        compressed.CopyTo(s[RecordBatch.HeaderSize..]);
        BinaryPrimitives.WriteUInt32BigEndian(s[17..], Crc32C.Compute(s[21..]));
        return batch;
    }

    private static void WriteVarBytes(KafkaWriter w, ReadOnlyMemory<byte>? bytes)
    {
        if (bytes is { } b)
        {
            w.WriteVarint(b.Length);
            w.WriteRaw(b.Span);
        }
        else
        {
            w.WriteVarint(-1);
        }
    }

    private static void WriteVarBytes(KafkaWriter w, byte[]? bytes) => WriteVarBytes(w, bytes is null ? (ReadOnlyMemory<byte>?)null : new ReadOnlyMemory<byte>(bytes));
}
