using System.Diagnostics;
using Confluent.Kafka;

namespace ActorBroker.Benchmarks;

/// <summary>Where a measured consumer starts and what it does when its position is no longer there.</summary>
public enum ConsumeFrom
{
    /// <summary>
    /// From each partition's beginning; a partition that reaches its end is read again from its beginning (the mock
    /// cluster keeps only the last few MiB of a partition, so it has less to read than the node; rereading keeps both
    /// measured over the same window).
    /// </summary>
    BeginningRewinding,

    /// <summary>
    /// From each partition's end, following what a producer appends. A consumer that falls further behind than the
    /// broker retains (the mock keeps about 5 MB of a partition) resumes at the end, as <c>auto.offset.reset=latest</c>
    /// does, rather than at a beginning that is trimmed again before its fetch arrives.
    /// </summary>
    Tail,
}

/// <summary>
/// One consumer assigned every partition of a topic, counting the records and value bytes it receives.
/// Synchronous: the caller gives it a thread.
/// </summary>
public static class ConsumeWorkload
{
    public static Throughput Measure(Target target, string topic, int partitions, Window window, ConsumeFrom from)
    {
        var (start, reset) = from == ConsumeFrom.Tail ? (Offset.End, AutoOffsetReset.Latest) : (Offset.Beginning, AutoOffsetReset.Earliest);
        var consumer = Clients.Consumer(target, reset);
        try
        {
            return Consume(consumer, target, topic, partitions, window, from, start);
        }
        finally
        {
            Clients.CloseOrAbandon(consumer, CloseTimeout);
        }
    }

    private static readonly TimeSpan CloseTimeout = TimeSpan.FromSeconds(30);

    private static Throughput Consume(IConsumer<Ignore, byte[]> consumer, Target target, string topic, int partitions, Window window, ConsumeFrom from, Offset start)
    {
        consumer.Assign(Enumerable.Range(0, partitions).Select(p => new TopicPartitionOffset(topic, p, start)));
        long records = 0, bytes = 0;
        Mark Now(Stopwatch clock) => new(records, bytes, clock.Elapsed.TotalSeconds, target.CpuSeconds());
        Mark? measuredFrom = null;
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < window.End)
        {
            if (measuredFrom is null && clock.Elapsed >= window.Warmup)
                measuredFrom = Now(clock);
            var result = consumer.Consume(TimeSpan.FromMilliseconds(100));
            if (result is null)
                continue;
            if (result.IsPartitionEOF)
            {
                if (from == ConsumeFrom.BeginningRewinding)
                    consumer.Seek(new TopicPartitionOffset(result.TopicPartition, Offset.Beginning));
                continue;
            }
            records++;
            bytes += result.Message.Value.Length;
        }
        var end = Now(clock);
        return (measuredFrom ?? end).Until(end);
    }
}
