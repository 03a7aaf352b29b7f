using System.Buffers.Binary;
using System.Diagnostics;
using Confluent.Kafka;

namespace ActorBroker.Benchmarks;

/// <summary>
/// End-to-end latency at a fixed rate, free of coordinated omission: record i is due at start + i / rate, its value
/// carries that intended time (Stopwatch ticks of this process), and its latency is from the intended time to the
/// moment the consumer (assigned at the log end, long-polling) returns it. A producer that falls behind sends what is
/// due at once, and the delay still counts, so a stall shows in the percentiles instead of slowing the schedule.
/// Records due in the warm-up are not counted.
/// </summary>
public static class LatencyWorkload
{
    public static LatencyResult Measure(Target target, string topic, int partitions, ProduceSettings settings, int ratePerSecond, Window window)
    {
        using var consumer = Clients.Consumer(target);
        var assignment = new List<TopicPartitionOffset>();
        for (int p = 0; p < partitions; p++)
        {
            var marks = consumer.QueryWatermarkOffsets(new TopicPartition(topic, p), TimeSpan.FromSeconds(30));
            assignment.Add(new TopicPartitionOffset(topic, p, marks.High));
        }
        consumer.Assign(assignment);
        using var producer = Clients.Producer(target, settings.Acks, settings.LingerMs);
        Clients.TouchEveryPartition(producer, topic, partitions, new byte[Math.Max(settings.ValueBytes, 8)]); // intended time 0: not counted

        long start = Stopwatch.GetTimestamp();
        long measureFrom = start + (long)(window.Warmup.TotalSeconds * Stopwatch.Frequency);
        long measureTo = start + (long)(window.End.TotalSeconds * Stopwatch.Frequency);
        long total = (long)(window.End.TotalSeconds * ratePerSecond);
        long expected = total - (long)(window.Warmup.TotalSeconds * ratePerSecond);
        var latencies = new List<double>((int)expected);
        int failed = 0;
        string? firstError = null;

        var receiver = Task.Factory.StartNew(() =>
        {
            long deadline = measureTo + (long)(Clients.DeliveryTimeout.TotalSeconds * Stopwatch.Frequency);
            while (latencies.Count < expected && Stopwatch.GetTimestamp() < deadline && Volatile.Read(ref failed) == 0)
            {
                var result = consumer.Consume(TimeSpan.FromMilliseconds(100));
                if (result is null || result.IsPartitionEOF)
                    continue;
                long now = Stopwatch.GetTimestamp();
                long intended = BinaryPrimitives.ReadInt64BigEndian(result.Message.Value);
                if (intended >= measureFrom && intended < measureTo)
                    latencies.Add((now - intended) * 1000.0 / Stopwatch.Frequency);
            }
        }, TaskCreationOptions.LongRunning);

        void OnDelivery(DeliveryReport<Null, byte[]> report)
        {
            if (report.Error.IsError && Interlocked.Increment(ref failed) == 1)
                firstError = $"{report.TopicPartition}: {report.Error}";
        }
        for (long i = 0; i < total && Volatile.Read(ref failed) == 0; i++)
        {
            long due = start + i * Stopwatch.Frequency / ratePerSecond;
            WaitUntil(due);
            var value = new byte[Math.Max(settings.ValueBytes, 8)];
            BinaryPrimitives.WriteInt64BigEndian(value, due);
            var message = new Message<Null, byte[]> { Value = value };
            while (true)
            {
                try
                {
                    producer.Produce(topic, message, OnDelivery);
                    break;
                }
                catch (ProduceException<Null, byte[]> ex) when (ex.Error.Code == ErrorCode.Local_QueueFull)
                {
                    Thread.Sleep(1); // the broker is slower than the schedule: the wait counts in the latency
                }
            }
        }
        long sendEnd = Stopwatch.GetTimestamp();
        producer.Flush(Clients.DeliveryTimeout);
        receiver.Wait();
        consumer.Close();
        if (failed > 0)
            throw new InvalidOperationException($"{target.Name}: {failed} latency record(s) failed; first: {firstError}");
        if (latencies.Count < expected)
            throw new TimeoutException($"{target.Name}: {expected - latencies.Count} of {expected} measured records did not reach the consumer.");

        var sorted = latencies.ToArray();
        Array.Sort(sorted);
        double achieved = total / ((sendEnd - start) / (double)Stopwatch.Frequency);
        return new LatencyResult(Percentile(sorted, 50), Percentile(sorted, 99), Percentile(sorted, 99.9), sorted[^1], sorted.Length, achieved);
    }

    /// <summary>
    /// Sleeps until the due time. Linux sleeps about 1 ms at least, so at 10 000 records/s the sender wakes every
    /// millisecond and sends the ~10 records then due; up to that millisecond of a record's latency is the sender's
    /// own schedule (counted, and the same for every target). Spinning instead would take a core from the broker.
    /// </summary>
    private static void WaitUntil(long due)
    {
        while (due > Stopwatch.GetTimestamp())
            Thread.Sleep(1);
    }

    /// <summary>Nearest-rank percentile of sorted values.</summary>
    private static double Percentile(double[] sorted, double p) =>
        sorted[Math.Clamp((int)Math.Ceiling(p / 100 * sorted.Length) - 1, 0, sorted.Length - 1)];
}
