using System.Buffers.Binary;
using ActorBroker.Protocol.Primitives;
using ActorBroker.Protocol.Records;

namespace ActorBroker.Storage.Tests;

/// <summary>Builds minimal valid uncompressed RecordBatch v2 bytes (baseOffset 0, correct CRC-32C) for tests.</summary>
public static class BatchBuilder
{
    /// <summary>
    /// A batch of <paramref name="recordCount"/> records with null keys and <paramref name="valueSize"/>-byte values.
    /// Record i has timestamp <paramref name="timestampOf"/>(i), or baseTimestamp + i by default.
    /// </summary>
    public static byte[] Build(int recordCount, int valueSize = 8, long baseTimestamp = 1_000,
        Func<int, long>? timestampOf = null, CompressionType compression = CompressionType.None)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(recordCount, 1);
        timestampOf ??= i => baseTimestamp + i;
        long firstTimestamp = timestampOf(0);
        long maxTimestamp = long.MinValue;
        var records = new List<byte>();
        Span<byte> scratch = stackalloc byte[Varint.MaxVarlongBytes];
        for (int i = 0; i < recordCount; i++)
        {
            long timestamp = timestampOf(i);
            maxTimestamp = Math.Max(maxTimestamp, timestamp);
            var body = new List<byte> { 0 }; // attributes
            Add(body, scratch[..Varint.WriteZigZagLong(scratch, timestamp - firstTimestamp)]);
            Add(body, scratch[..Varint.WriteZigZag(scratch, i)]);
            Add(body, scratch[..Varint.WriteZigZag(scratch, -1)]); // null key
            Add(body, scratch[..Varint.WriteZigZag(scratch, valueSize)]);
            for (int b = 0; b < valueSize; b++)
                body.Add((byte)(i + b));
            Add(body, scratch[..Varint.WriteZigZag(scratch, 0)]); // no headers
            Add(records, scratch[..Varint.WriteZigZag(scratch, body.Count)]);
            records.AddRange(body);
        }

        var batch = new byte[RecordBatch.HeaderSize + records.Count];
        var span = batch.AsSpan();
        BinaryPrimitives.WriteInt64BigEndian(span, 0);
        BinaryPrimitives.WriteInt32BigEndian(span[8..], batch.Length - RecordBatch.LogOverhead);
        BinaryPrimitives.WriteInt32BigEndian(span[12..], -1);
        span[16] = RecordBatch.CurrentMagic;
        BinaryPrimitives.WriteInt16BigEndian(span[21..], (short)compression);
        BinaryPrimitives.WriteInt32BigEndian(span[23..], recordCount - 1);
        BinaryPrimitives.WriteInt64BigEndian(span[27..], firstTimestamp);
        BinaryPrimitives.WriteInt64BigEndian(span[35..], maxTimestamp);
        BinaryPrimitives.WriteInt64BigEndian(span[43..], -1);
        BinaryPrimitives.WriteInt16BigEndian(span[51..], -1);
        BinaryPrimitives.WriteInt32BigEndian(span[53..], -1);
        BinaryPrimitives.WriteInt32BigEndian(span[57..], recordCount);
        records.CopyTo(batch, RecordBatch.HeaderSize);
        BinaryPrimitives.WriteUInt32BigEndian(span[17..], Crc32C.Compute(span[21..]));
        return batch;
    }

    public static byte[] Concat(params byte[][] batches) => batches.SelectMany(b => b).ToArray();

    /// <summary>Splits stored bytes into batches, asserting each one is whole and valid.</summary>
    public static List<RecordBatch> Split(ReadOnlyMemory<byte> bytes)
    {
        var result = new List<RecordBatch>();
        while (!bytes.IsEmpty)
        {
            var check = RecordBatch.Check(bytes.Span, out int size);
            if (check != BatchCheck.Valid)
                throw new Xunit.Sdk.XunitException($"Batch #{result.Count} is {check}");
            result.Add(new RecordBatch(bytes[..size]));
            bytes = bytes[size..];
        }
        return result;
    }

    private static void Add(List<byte> list, ReadOnlySpan<byte> bytes)
    {
        foreach (byte b in bytes)
            list.Add(b);
    }
}
