using System.Text;
using ActorBroker.Protocol.Records;
using ActorBroker.Storage;

namespace ActorBroker.ClusterMode.Tests;

/// <summary>Reads a stopped node's copy of a topic straight from its data directory (nodeI/logs/TOPIC-P), with the broker's own storage code.</summary>
public static class ReplicaLogReader
{
    /// <summary>Every record of <paramref name="topic"/> in the node's log, by (partition, offset); the node must not be running.</summary>
    public static Dictionary<(int Partition, long Offset), string> ReadAll(string dataDirectory, string topic, int partitions)
    {
        var records = new Dictionary<(int, long), string>();
        for (int p = 0; p < partitions; p++)
        {
            using var log = PartitionLog.Open(Path.Combine(dataDirectory, "logs", $"{topic}-{p}"), LogConfig.Default);
            long offset = log.LogStartOffset;
            while (offset < log.LogEndOffset)
            {
                var read = log.Read(offset, 1 << 20, minOneBatch: true);
                int position = 0;
                while (position < read.Records.Length)
                {
                    var batch = new RecordBatch(read.Records[position..]);
                    foreach (var record in batch.EnumerateRecords())
                        records[(p, record.Offset)] = Encoding.UTF8.GetString(record.Value!.Value.Span);
                    position += batch.SizeInBytes;
                    offset = batch.NextOffset;
                }
            }
        }
        return records;
    }
}
