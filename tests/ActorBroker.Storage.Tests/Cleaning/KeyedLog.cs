using System.Text;
using ActorBroker.Protocol.Records;

namespace ActorBroker.Storage.Tests.Cleaning;

/// <summary>One record as a test sees it after reading a log back: its offset, key and value (null for a tombstone).</summary>
public sealed record KeyedRecord(long Offset, string? Key, string? Value);

/// <summary>Builds keyed batches and reads a log back as <see cref="KeyedRecord"/>s, for compaction tests.</summary>
public static class KeyedLog
{
    /// <summary>A batch of (key, value) records, all stamped <paramref name="timestamp"/>; a null value is a tombstone.</summary>
    public static byte[] Batch(long timestamp, CompressionType compression, params (string? Key, string? Value)[] records)
    {
        var builder = new RecordBatchBuilder(0, compression);
        foreach (var (key, value) in records)
            builder.Add(key, value, timestamp: timestamp);
        return builder.Build();
    }

    public static byte[] Batch(long timestamp, params (string? Key, string? Value)[] records) =>
        Batch(timestamp, CompressionType.None, records);

    /// <summary>Every readable record from the log start, checking that each batch is valid and offsets increase.</summary>
    public static List<KeyedRecord> ReadAll(PartitionLog log)
    {
        var result = new List<KeyedRecord>();
        long offset = log.LogStartOffset;
        long last = -1;
        while (offset < log.LogEndOffset)
        {
            var read = log.Read(offset, 1024 * 1024, minOneBatch: true);
            var batches = BatchBuilder.Split(read.Records);
            if (batches.Count == 0)
                break;
            foreach (var batch in batches)
            {
                foreach (var record in batch.EnumerateRecords())
                {
                    Assert.True(record.Offset > last, $"offset {record.Offset} after {last}");
                    last = record.Offset;
                    result.Add(new KeyedRecord(record.Offset, Text(record.Key), Text(record.Value)));
                }
                offset = batch.NextOffset;
            }
        }
        return result;
    }

    /// <summary>What compaction must leave: the last record of every key, in offset order (tombstones included).</summary>
    public static List<KeyedRecord> LatestPerKey(IEnumerable<KeyedRecord> records) =>
        records.GroupBy(r => r.Key).Select(g => g.MaxBy(r => r.Offset)!).OrderBy(r => r.Offset).ToList();

    private static string? Text(ReadOnlyMemory<byte>? bytes) => bytes is { } b ? Encoding.UTF8.GetString(b.Span) : null;
}
