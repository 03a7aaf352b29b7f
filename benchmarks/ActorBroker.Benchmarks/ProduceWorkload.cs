using System.Diagnostics;
using Confluent.Kafka;

namespace ActorBroker.Benchmarks;

/// <summary>What a producer sends: value size, acks and linger.</summary>
public sealed record ProduceSettings(int ValueBytes, Acks Acks, int LingerMs = 5)
{
    public string AcksName => Acks == Acks.All ? "all" : Acks == Acks.Leader ? "1" : "0";
}

/// <summary>
/// One producer sending keyless records of one random value as fast as librdkafka takes them (its queue stays full),
/// counting what the broker acknowledged. Throughput is acknowledged records in the measured window ÷ the window.
/// Synchronous: the caller gives it a thread.
/// </summary>
public static class ProduceWorkload
{
    public static Throughput Measure(Target target, string topic, int partitions, ProduceSettings settings, Window window)
    {
        Mark? start = null, end = null;
        Run(target, topic, partitions, settings, (clock, counters) =>
        {
            if (start is null && clock.Elapsed >= window.Warmup)
                start = counters.Mark(clock, target);
            if (clock.Elapsed >= window.End)
                end = counters.Mark(clock, target);
            return end is not null;
        });
        return (start ?? throw new InvalidOperationException("The run was stopped before its warm-up ended.")).Until(end!.Value);
    }

    /// <summary>
    /// Produces until <paramref name="bytes"/> bytes of values are acknowledged (filling a topic for reading); what is
    /// still queued then is delivered too, so the topic ends up to one producer queue (64 MiB) larger.
    /// </summary>
    public static void Fill(Target target, string topic, int partitions, ProduceSettings settings, long bytes, Action<string> log)
    {
        long nextReport = 256L << 20;
        Run(target, topic, partitions, settings, (_, counters) =>
        {
            long acked = Interlocked.Read(ref counters.Bytes);
            if (acked >= nextReport)
            {
                log($"  filled {acked >> 20} of {bytes >> 20} MiB");
                nextReport += 256L << 20;
            }
            return acked >= bytes;
        });
    }

    private sealed class Counters
    {
        public long Records;
        public long Bytes;
        public int Failed;
        public string? FirstError;

        public Mark Mark(Stopwatch clock, Target target) =>
            new(Interlocked.Read(ref Records), Interlocked.Read(ref Bytes), clock.Elapsed.TotalSeconds, target.CpuSeconds());
    }

    /// <summary>
    /// Once every partition has taken a record (not counted), sends until <paramref name="done"/> says so (asked
    /// after every record), then waits for every delivery.
    /// </summary>
    private static void Run(Target target, string topic, int partitions, ProduceSettings settings, Func<Stopwatch, Counters, bool> done)
    {
        using var producer = Clients.Producer(target, settings.Acks, settings.LingerMs);
        var value = Clients.RandomValue(settings.ValueBytes);
        Clients.TouchEveryPartition(producer, topic, partitions, value);
        var counters = new Counters();
        void OnDelivery(DeliveryReport<Null, byte[]> report)
        {
            if (report.Error.IsError)
            {
                if (Interlocked.Increment(ref counters.Failed) == 1)
                    counters.FirstError = $"{report.TopicPartition}: {report.Error}";
                return;
            }
            Interlocked.Increment(ref counters.Records);
            Interlocked.Add(ref counters.Bytes, settings.ValueBytes);
        }
        var message = new Message<Null, byte[]> { Value = value };
        var clock = Stopwatch.StartNew();
        while (!done(clock, counters))
        {
            try
            {
                producer.Produce(topic, message, OnDelivery);
            }
            catch (ProduceException<Null, byte[]> ex) when (ex.Error.Code == ErrorCode.Local_QueueFull)
            {
                Thread.Sleep(1);
            }
            if (Volatile.Read(ref counters.Failed) > 0)
                break;
        }
        int left = producer.Flush(Clients.DeliveryTimeout);
        if (counters.Failed > 0)
            throw new InvalidOperationException($"{target.Name}: {counters.Failed} record(s) to {topic} failed; first: {counters.FirstError}");
        if (left > 0)
            throw new TimeoutException($"{target.Name}: {left} record(s) to {topic} were undelivered {Clients.DeliveryTimeout.TotalSeconds:F0} s after the run.");
    }
}
