using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using ActorBroker.Protocol.Primitives;

namespace ActorBroker.Protocol.Records;

/// <summary>
/// Builds one RecordBatch v2 (magic 2) from records, optionally compressed, with a correct CRC-32C.
/// Offsets are assigned from <see cref="BaseOffset"/> in order (offsetDelta 0, 1, ...); baseTimestamp is the
/// first record's timestamp and maxTimestamp the largest. Producer id/epoch/sequence default to -1 (not
/// idempotent). Not thread-safe; used by tests and the CLI producer.
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
        var w = new KafkaWriter(body);
        var record = new ArrayBufferWriter<byte>();
        for (int i = 0; i < _records.Count; i++)
        {
            var (key, value, headers, timestamp) = _records[i];
            record.ResetWrittenCount();
            var rw = new KafkaWriter(record);
            rw.WriteInt8(0); // attributes
            rw.WriteVarlong(timestamp - baseTimestamp);
            rw.WriteVarint(i);
            WriteVarBytes(rw, key);
            WriteVarBytes(rw, value);
            rw.WriteVarint(headers.Count);
            foreach (var h in headers)
            {
                WriteVarBytes(rw, Encoding.UTF8.GetBytes(h.Key));
                WriteVarBytes(rw, h.Value);
            }
            w.WriteVarint(record.WrittenCount);
            w.WriteRaw(record.WrittenSpan);
        }

        byte[] records = Compression == CompressionType.None ? body.WrittenSpan.ToArray() : RecordCodecs.Compress(Compression, body.WrittenSpan);
        var batch = new byte[RecordBatch.HeaderSize + records.Length];
        var s = batch.AsSpan();
        short attributes = (short)((int)Compression
            | (TimestampType == TimestampType.LogAppendTime ? 0x08 : 0)
            | (IsTransactional ? 0x10 : 0)
            | (IsControl ? 0x20 : 0));
        BinaryPrimitives.WriteInt64BigEndian(s, BaseOffset);
        BinaryPrimitives.WriteInt32BigEndian(s[8..], batch.Length - RecordBatch.LogOverhead);
        BinaryPrimitives.WriteInt32BigEndian(s[12..], PartitionLeaderEpoch);
        s[16] = RecordBatch.CurrentMagic;
        BinaryPrimitives.WriteInt16BigEndian(s[21..], attributes);
        BinaryPrimitives.WriteInt32BigEndian(s[23..], _records.Count - 1);
        BinaryPrimitives.WriteInt64BigEndian(s[27..], baseTimestamp);
        BinaryPrimitives.WriteInt64BigEndian(s[35..], maxTimestamp);
        BinaryPrimitives.WriteInt64BigEndian(s[43..], ProducerId);
        BinaryPrimitives.WriteInt16BigEndian(s[51..], ProducerEpoch);
        BinaryPrimitives.WriteInt32BigEndian(s[53..], BaseSequence);
        BinaryPrimitives.WriteInt32BigEndian(s[57..], _records.Count);
        records.CopyTo(s[RecordBatch.HeaderSize..]);
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
