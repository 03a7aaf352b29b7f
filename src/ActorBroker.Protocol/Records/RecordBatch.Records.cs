using ActorBroker.Protocol.Primitives;

namespace ActorBroker.Protocol.Records;

public readonly partial struct RecordBatch
{
    /// <summary>
    /// Decodes the records of this batch, decompressing if needed (gzip, snappy raw or xerial-framed, lz4 frame,
    /// zstd). Offsets are baseOffset + offsetDelta; timestamps are baseTimestamp + timestampDelta, or
    /// maxTimestamp for every record when the batch uses LogAppendTime. Throws
    /// <see cref="KafkaProtocolException"/> when the records are malformed. Check the batch (<see cref="Check"/>)
    /// before calling this on untrusted bytes.
    /// </summary>
    public IReadOnlyList<Record> EnumerateRecords(int maxDecompressedBytes = RecordCodecs.DefaultMaxDecompressedBytes)
    {
        var span = Memory.Span;
        if (span.Length < HeaderSize)
            throw new KafkaProtocolException($"Record batch of {span.Length} bytes is shorter than the {HeaderSize}-byte header.");
        int size = SizeInBytes;
        if (size < HeaderSize || size > span.Length)
            throw new KafkaProtocolException($"Record batch length {BatchLength} does not fit the {span.Length} bytes given.");
        ReadOnlyMemory<byte> records = Memory[HeaderSize..size];
        if (Compression != CompressionType.None)
            records = RecordCodecs.Decompress(Compression, records.Span, maxDecompressedBytes);
        return RecordReader.ReadAll(records, RecordCount, BaseOffset, BaseTimestamp,
            TimestampType == TimestampType.LogAppendTime ? MaxTimestamp : null);
    }
}

/// <summary>Parses the record section (after the 61-byte batch header, decompressed) of a RecordBatch v2.</summary>
public static class RecordReader
{
    /// <summary>
    /// Record layout: length varint | attributes int8 | timestampDelta varlong | offsetDelta varint |
    /// keyLength varint | key | valueLength varint | value | headerCount varint | headers
    /// (keyLength varint, key utf-8, valueLength varint, value).
    /// </summary>
    public static IReadOnlyList<Record> ReadAll(ReadOnlyMemory<byte> records, int recordCount, long baseOffset, long baseTimestamp, long? logAppendTime)
    {
        if (recordCount < 0)
            throw new KafkaProtocolException($"Malformed record batch: negative record count {recordCount}.");
        var reader = new KafkaReader(records);
        // Each record takes at least 7 bytes, so a hostile count cannot make us allocate much.
        var result = new List<Record>(Math.Min(recordCount, records.Length / 7 + 1));
        for (int i = 0; i < recordCount; i++)
        {
            int length = reader.ReadVarint();
            if (length < 0 || length > reader.Remaining)
                throw new KafkaProtocolException($"Malformed record {i}: length {length} with {reader.Remaining} bytes remaining.");
            var body = new KafkaReader(reader.ReadRawMemory(length, "record"));
            var attributes = body.ReadInt8();
            long timestampDelta = body.ReadVarlong();
            int offsetDelta = body.ReadVarint();
            var key = ReadVarBytes(ref body, "record key");
            var value = ReadVarBytes(ref body, "record value");
            int headerCount = body.ReadVarint();
            if (headerCount < 0 || headerCount > body.Remaining)
                throw new KafkaProtocolException($"Malformed record {i}: header count {headerCount}.");
            var headers = headerCount == 0 ? (IReadOnlyList<RecordHeader>)Array.Empty<RecordHeader>() : ReadHeaders(ref body, headerCount);
            if (body.Remaining != 0)
                throw new KafkaProtocolException($"Malformed record {i}: {body.Remaining} bytes left over after its headers.");
            result.Add(new Record
            {
                Offset = baseOffset + offsetDelta,
                Timestamp = logAppendTime ?? baseTimestamp + timestampDelta,
                Key = key,
                Value = value,
                Headers = headers,
                Attributes = attributes,
                OffsetDelta = offsetDelta,
                TimestampDelta = timestampDelta,
            });
        }
        return result;
    }

    private static List<RecordHeader> ReadHeaders(ref KafkaReader body, int count)
    {
        var headers = new List<RecordHeader>(count);
        for (int h = 0; h < count; h++)
        {
            var keyBytes = ReadVarBytes(ref body, "record header key")
                ?? throw new KafkaProtocolException("Malformed record header: null key.");
            string key;
            try
            {
                key = new System.Text.UTF8Encoding(false, true).GetString(keyBytes.Span);
            }
            catch (System.Text.DecoderFallbackException e)
            {
                throw new KafkaProtocolException("Malformed record header: key is not valid UTF-8.", e);
            }
            var value = ReadVarBytes(ref body, "record header value");
            headers.Add(new RecordHeader(key, value?.ToArray()));
        }
        return headers;
    }

    private static ReadOnlyMemory<byte>? ReadVarBytes(ref KafkaReader reader, string what)
    {
        int len = reader.ReadVarint();
        if (len == -1)
            return null;
        if (len < -1 || len > reader.Remaining)
            throw new KafkaProtocolException($"Malformed {what}: length {len} with {reader.Remaining} bytes remaining.");
        return reader.ReadRawMemory(len, what);
    }
}
