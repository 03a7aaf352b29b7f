using ActorBroker.Protocol.Records;

namespace ActorBroker.Storage.Cleaning;

/// <summary>
/// Kafka's LogValidator rule for compacted topics: every record of a produced batch must have a key, else the whole
/// request for the partition is rejected (INVALID_RECORD) and nothing of it is appended. Control batches are exempt.
/// Stateless and thread-safe.
/// </summary>
public static class KeylessRecords
{
    /// <summary>
    /// Null when every record in <paramref name="batches"/> (RecordBatch v2, back to back) has a key; otherwise which
    /// record does not, e.g. "record 3 (offset delta 3) of batch 0". Bytes that do not parse as batches are left to
    /// <see cref="PartitionLog.Append"/>'s validation.
    /// </summary>
    /// <exception cref="ActorBroker.Protocol.Primitives.KafkaProtocolException">A batch's records are malformed.</exception>
    public static string? Find(ReadOnlyMemory<byte> batches)
    {
        for (int index = 0, position = 0; position < batches.Length; index++)
        {
            if (RecordBatch.Check(batches.Span[position..], out int size) != BatchCheck.Valid)
                return null;
            var batch = new RecordBatch(batches.Slice(position, size));
            position += size;
            if (batch.IsControl)
                continue;
            var records = batch.EnumerateRecords();
            for (int i = 0; i < records.Count; i++)
            {
                if (records[i].Key is null)
                    return $"record {i} (offset delta {records[i].OffsetDelta}) of batch {index}";
            }
        }
        return null;
    }
}
