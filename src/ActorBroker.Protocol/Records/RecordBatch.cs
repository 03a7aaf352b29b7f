using System.Buffers.Binary;

namespace ActorBroker.Protocol.Records;

/// <summary>
/// A read-only view of one RecordBatch v2 (magic 2) over its bytes. Layout (big-endian):
/// <code>
///  0 baseOffset int64        | 8 batchLength int32 (bytes after this field) | 12 partitionLeaderEpoch int32
/// 16 magic int8              | 17 crc uint32 (CRC-32C of bytes 21..end)     | 21 attributes int16
/// 23 lastOffsetDelta int32   | 27 baseTimestamp int64 | 35 maxTimestamp int64 | 43 producerId int64
/// 51 producerEpoch int16     | 53 baseSequence int32  | 57 recordCount int32  | 61 records...
/// </code>
/// The CRC does not cover baseOffset, batchLength or partitionLeaderEpoch, so the broker stamps those in
/// place without recomputing it. The view never copies; it is as thread-safe as the memory under it.
/// </summary>
public readonly partial struct RecordBatch
{
    public const int LogOverhead = 12; // baseOffset + batchLength
    public const int HeaderSize = 61;
    public const byte CurrentMagic = 2;
    private const int CrcCoveredStart = 21;

    public ReadOnlyMemory<byte> Memory { get; }

    public RecordBatch(ReadOnlyMemory<byte> memory) => Memory = memory;

    private ReadOnlySpan<byte> Span => Memory.Span;

    public long BaseOffset => BinaryPrimitives.ReadInt64BigEndian(Span);
    public int BatchLength => BinaryPrimitives.ReadInt32BigEndian(Span[8..]);
    public int SizeInBytes => LogOverhead + BatchLength;
    public int PartitionLeaderEpoch => BinaryPrimitives.ReadInt32BigEndian(Span[12..]);
    public byte Magic => Span[16];
    public uint Crc => BinaryPrimitives.ReadUInt32BigEndian(Span[17..]);
    public short Attributes => BinaryPrimitives.ReadInt16BigEndian(Span[21..]);
    public CompressionType Compression => (CompressionType)(Attributes & 0x07);
    public TimestampType TimestampType => (Attributes & 0x08) != 0 ? TimestampType.LogAppendTime : TimestampType.CreateTime;
    public bool IsTransactional => (Attributes & 0x10) != 0;
    public bool IsControl => (Attributes & 0x20) != 0;
    public int LastOffsetDelta => BinaryPrimitives.ReadInt32BigEndian(Span[23..]);
    public long LastOffset => BaseOffset + LastOffsetDelta;
    public long NextOffset => LastOffset + 1;
    public long BaseTimestamp => BinaryPrimitives.ReadInt64BigEndian(Span[27..]);
    public long MaxTimestamp => BinaryPrimitives.ReadInt64BigEndian(Span[35..]);
    public long ProducerId => BinaryPrimitives.ReadInt64BigEndian(Span[43..]);
    public short ProducerEpoch => BinaryPrimitives.ReadInt16BigEndian(Span[51..]);
    public int BaseSequence => BinaryPrimitives.ReadInt32BigEndian(Span[53..]);
    public int RecordCount => BinaryPrimitives.ReadInt32BigEndian(Span[57..]);

    public uint ComputeCrc() => Crc32C.Compute(Span[CrcCoveredStart..SizeInBytes]);

    public bool IsCrcValid => ComputeCrc() == Crc;

    /// <summary>Overwrites baseOffset and partitionLeaderEpoch of a batch in a writable buffer; the CRC stays valid.</summary>
    public static void Stamp(Span<byte> batch, long baseOffset, int partitionLeaderEpoch)
    {
        BinaryPrimitives.WriteInt64BigEndian(batch, baseOffset);
        BinaryPrimitives.WriteInt32BigEndian(batch[12..], partitionLeaderEpoch);
    }

    /// <summary>
    /// Kafka's LogAppendTime stamping of a batch in a writable buffer: sets the timestamp-type attribute bit (0x08)
    /// and maxTimestamp to <paramref name="timestamp"/>, then recomputes the CRC-32C (which covers both). The records'
    /// deltas and baseTimestamp are kept; readers give every record the batch's maxTimestamp.
    /// Example: attributes 0x0001 (gzip, CreateTime), maxTimestamp 1_000 → attributes 0x0009, maxTimestamp
    /// <paramref name="timestamp"/>, new CRC.
    /// </summary>
    public static void SetLogAppendTime(Span<byte> batch, long timestamp)
    {
        short attributes = BinaryPrimitives.ReadInt16BigEndian(batch[21..]);
        BinaryPrimitives.WriteInt16BigEndian(batch[21..], (short)(attributes | 0x08));
        BinaryPrimitives.WriteInt64BigEndian(batch[35..], timestamp);
        int size = LogOverhead + BinaryPrimitives.ReadInt32BigEndian(batch[8..]);
        BinaryPrimitives.WriteUInt32BigEndian(batch[17..], Crc32C.Compute(batch[CrcCoveredStart..size]));
    }

    /// <summary>
    /// Checks that <paramref name="buffer"/> starts with one whole, well-formed batch and returns its size.
    /// Nothing is trusted: lengths are bounded by the buffer before any field past them is read.
    /// </summary>
    public static BatchCheck Check(ReadOnlySpan<byte> buffer, out int size)
    {
        size = 0;
        if (buffer.Length < LogOverhead)
            return BatchCheck.Incomplete;
        int batchLength = BinaryPrimitives.ReadInt32BigEndian(buffer[8..]);
        if (batchLength < HeaderSize - LogOverhead)
            return BatchCheck.Malformed;
        if (buffer.Length < HeaderSize)
            return BatchCheck.Incomplete;
        if (buffer[16] != CurrentMagic)
            return BatchCheck.UnsupportedMagic;
        if ((long)batchLength + LogOverhead > buffer.Length)
            return BatchCheck.Incomplete;
        size = LogOverhead + batchLength;
        int lastOffsetDelta = BinaryPrimitives.ReadInt32BigEndian(buffer[23..]);
        int recordCount = BinaryPrimitives.ReadInt32BigEndian(buffer[57..]);
        if (lastOffsetDelta < 0 || recordCount < 0)
            return BatchCheck.Malformed;
        uint crc = BinaryPrimitives.ReadUInt32BigEndian(buffer[17..]);
        if (Crc32C.Compute(buffer[CrcCoveredStart..size]) != crc)
            return BatchCheck.CrcMismatch;
        return BatchCheck.Valid;
    }
}

public enum BatchCheck
{
    Valid,
    /// <summary>The buffer ends before the batch does (a torn write, or a partial read).</summary>
    Incomplete,
    Malformed,
    UnsupportedMagic,
    CrcMismatch,
}

public enum CompressionType : byte
{
    None = 0,
    Gzip = 1,
    Snappy = 2,
    Lz4 = 3,
    Zstd = 4,
}

public enum TimestampType
{
    CreateTime = 0,
    LogAppendTime = 1,
}
