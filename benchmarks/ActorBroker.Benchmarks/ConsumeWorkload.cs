using System.Diagnostics;
using Confluent.Kafka;

namespace ActorBroker.Benchmarks;

/// <summary>
/// One consumer assigned every partition of a topic from its beginning, counting the records and value bytes it
/// receives. With <c>rewindAtEnd</c> a partition that reaches its end is read again from its beginning (the mock
/// cluster keeps only the last few MiB of a partition, so it has less to read than the node; rereading keeps both
/// measured over the same window). Synchronous: the caller gives it a thread.
/// </summary>
public static class ConsumeWorkload
{
    public static Throughput Measure(Target target, string topic, int partitions, Window window, bool rewindAtEnd)
    {
        using var consumer = Clients.Consumer(target);
        consumer.Assign(Enumerable.Range(0, partitions).Select(p => new TopicPartitionOffset(topic, p, Offset.Beginning)));
        long records = 0, bytes = 0;
        Mark Now(Stopwatch clock) => new(records, bytes, clock.Elapsed.TotalSeconds, target.CpuSeconds());
        Mark? start = null;
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < window.End)
        {
            if (start is null && clock.Elapsed >= window.Warmup)
                start = Now(clock);
            var result = consumer.Consume(TimeSpan.FromMilliseconds(100));
            if (result is null)
                continue;
            if (result.IsPartitionEOF)
            {
                if (rewindAtEnd)
                    consumer.Seek(new TopicPartitionOffset(result.TopicPartition, Offset.Beginning));
                continue;
            }
            records++;
            bytes += result.Message.Value.Length;
        }
        var end = Now(clock);
        consumer.Close();
        return (start ?? end).Until(end);
    }
}
