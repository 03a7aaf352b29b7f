using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using ActorBroker.TestKit;
using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Xunit;
using Xunit.Abstractions;

namespace ActorBroker.Compatibility.Tests;

/// <summary>
/// Durability against a real process: SIGKILL during sustained acks=all produce, repeatedly, then every acknowledged
/// record must be at its acknowledged offset; and recovery after SIGKILL must not scan the whole log.
/// </summary>
public sealed partial class CrashSafetyTests(ITestOutputHelper output)
{
    private const int Partitions = 3;
    private const int Cycles = 5;

    /// <summary>One acknowledged record.</summary>
    private readonly record struct Acked(int Partition, long Offset, string Key, string Value);

    [Fact]
    public async Task Acknowledged_records_survive_repeated_SIGKILL_during_produce()
    {
        await using var node = await NodeProcess.StartAsync();
        var topic = TestTopics.Unique("crash-kill");
        await node.WithLogOnFailureAsync(async () =>
        {
            await GroupTests.CreateTopicAsync(node.BootstrapServers, topic, Partitions);

            var acked = new ConcurrentQueue<Acked>();
            var errors = new ConcurrentDictionary<string, int>();
            int ackCount = 0;
            using var stop = new CancellationTokenSource();
            using var inFlight = new SemaphoreSlim(2_000);

            using var producer = new ProducerBuilder<string, string>(new ProducerConfig
            {
                BootstrapServers = node.BootstrapServers,
                ClientId = "crash-safety-producer",
                Acks = Acks.All,
                EnableIdempotence = false,
                LingerMs = 5,
                MessageTimeoutMs = 180_000,
                MessageSendMaxRetries = int.MaxValue,
                RetryBackoffMs = 100,
                RetryBackoffMaxMs = 500,
                ReconnectBackoffMs = 100,
                ReconnectBackoffMaxMs = 500,
            }).Build();

            var produceLoop = Task.Run(async () =>
            {
                for (long seq = 0; !stop.IsCancellationRequested; seq++)
                {
                    await inFlight.WaitAsync(stop.Token).ConfigureAwait(false);
                    var key = $"k-{seq:D8}";
                    var value = $"v-{seq:D8}-" + new string((char)('a' + seq % 26), (int)(seq % 120));
                    var tp = new TopicPartition(topic, new Partition((int)(seq % Partitions)));
                    try
                    {
                        producer.Produce(tp, new Message<string, string> { Key = key, Value = value }, report =>
                        {
                            if (report.Error.IsError)
                                errors.AddOrUpdate(report.Error.Code.ToString(), 1, (_, n) => n + 1);
                            else
                            {
                                acked.Enqueue(new Acked(report.Partition.Value, report.Offset.Value, report.Message.Key, report.Message.Value));
                                Interlocked.Increment(ref ackCount);
                            }
                            inFlight.Release();
                        });
                    }
                    catch (ProduceException<string, string> e)
                    {
                        inFlight.Release();
                        errors.AddOrUpdate("produce:" + e.Error.Code, 1, (_, n) => n + 1);
                        await Task.Delay(50).ConfigureAwait(false);
                    }
                }
            });

            try
            {
                Assert.True(await GroupTests.WaitUntilAsync(() => Volatile.Read(ref ackCount) > 0, TimeSpan.FromSeconds(30)),
                    "The producer got no acknowledgement before the first kill.");

                for (int cycle = 1; cycle <= Cycles; cycle++)
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(1_500)); // pacing, not an assertion: let the producer run
                    int beforeKill = Volatile.Read(ref ackCount);
                    node.Kill();
                    int atKill = Volatile.Read(ref ackCount);
                    long logBytes = LogBytes(node.DataDir);
                    var points = Enumerable.Range(0, Partitions)
                        .Select(p => RecoveryPoint(node.DataDir, new TopicPartition(topic, new Partition(p)))?.ToString(CultureInfo.InvariantCulture) ?? "none");
                    var ackedEnds = Enumerable.Range(0, Partitions)
                        .Select(p => acked.Where(a => a.Partition == p).Select(a => a.Offset + 1).DefaultIfEmpty(0).Max().ToString(CultureInfo.InvariantCulture));

                    var restart = Stopwatch.StartNew();
                    await node.RestartAsync();
                    long readyMs = restart.ElapsedMilliseconds;
                    int nodeReadyMs = LastReadyMs(node.Log);

                    Assert.True(await GroupTests.WaitUntilAsync(() => Volatile.Read(ref ackCount) > atKill, TimeSpan.FromSeconds(60)),
                        $"Produce did not succeed again within 60 s of restart {cycle}.");
                    long produceAgainMs = restart.ElapsedMilliseconds;
                    output.WriteLine(
                        $"restart {cycle}: acked before kill {beforeKill}, log on disk {logBytes:N0} bytes, " +
                        $"recovery points at kill [{string.Join(", ", points)}] vs acked ends [{string.Join(", ", ackedEnds)}], " +
                        $"process start -> ready {nodeReadyMs} ms (RestartAsync {readyMs} ms), first ack after restart at {produceAgainMs} ms");
                }

                await Task.Delay(TimeSpan.FromMilliseconds(1_000)); // some produce after the last restart
            }
            finally
            {
                await stop.CancelAsync();
                try { await produceLoop; } catch (OperationCanceledException) { }
            }

            int unflushed = producer.Flush(TimeSpan.FromSeconds(120));
            Assert.True(unflushed == 0, $"{unflushed} records still in the producer after 120 s.");

            var acks = acked.ToList();
            output.WriteLine($"acknowledged {acks.Count} records; delivery errors: " +
                (errors.IsEmpty ? "none" : string.Join(", ", errors.Select(e => $"{e.Key}={e.Value}"))));
            output.WriteLine("partition opens: " + string.Join(" | ", OpenLine().Matches(node.Log).Select(m => m.Value)));

            // No offset handed out twice.
            var twice = acks.GroupBy(a => (a.Partition, a.Offset)).Where(g => g.Count() > 1).Take(10).ToList();
            Assert.True(twice.Count == 0, "Offsets acknowledged for more than one record: " +
                string.Join("; ", twice.Select(g => $"{topic}-{g.Key.Partition}@{g.Key.Offset}: {string.Join(",", g.Select(a => a.Key))}")));

            int duplicates = 0;
            for (int p = 0; p < Partitions; p++)
            {
                var (low, records) = await Task.Run(() => ReadPartition(node.BootstrapServers, topic, p));
                output.WriteLine($"partition {p}: log start {low}, log end {low + records.Count}");

                // Readable end to end: offsets contiguous from the log start to the high watermark.
                for (int i = 0; i < records.Count; i++)
                {
                    if (records[i].Offset != low + i)
                        Assert.Fail($"{topic}-{p}: expected offset {low + i} at position {i}, read {records[i].Offset} (log start {low}).");
                }

                var byOffset = records.ToDictionary(r => r.Offset);
                var lost = new List<string>();
                foreach (var a in acks.Where(a => a.Partition == p).OrderBy(a => a.Offset))
                {
                    if (!byOffset.TryGetValue(a.Offset, out var r))
                        lost.Add($"{a.Offset} ({a.Key}) missing");
                    else if (r.Key != a.Key || r.Value != a.Value)
                        lost.Add($"{a.Offset}: acked {a.Key}, log has {r.Key}");
                }
                Assert.True(lost.Count == 0,
                    $"{topic}-{p}: {lost.Count} acknowledged records not at their offsets, first: {string.Join("; ", lost.Take(20))}");

                // Without idempotence a retried batch whose ack was lost in the kill may be in the log twice; the
                // acknowledged copy is the one at the acknowledged offset. Counted, not failed.
                duplicates += records.GroupBy(r => r.Key).Sum(g => g.Count() - 1);
            }
            output.WriteLine($"unacknowledged duplicate copies (retries across a kill, acks lost): {duplicates}");
        });
    }

    [Fact]
    public async Task Recovery_after_SIGKILL_does_not_scan_a_large_log()
    {
        const int ValueBytes = 64 * 1024;
        const long TargetBytes = 300L * 1024 * 1024;
        // No periodic flush: the recovery point moves only on the graceful stop (close flushes), so the tail
        // produced after it is certainly above the recovery point when the node is killed.
        await using var node = await NodeProcess.StartAsync(new NodeOptions { ExtraConfig = "actorbroker.log.flush-interval = 10m\n" });
        var topic = TestTopics.Unique("crash-big");
        await node.WithLogOnFailureAsync(async () =>
        {
            await GroupTests.CreateTopicAsync(node.BootstrapServers, topic, 1);
            var tp = new TopicPartition(topic, new Partition(0));
            int smallReadyMs = LastReadyMs(node.Log);

            // A large log, fast: big records in big batches.
            var fill = Stopwatch.StartNew();
            var payload = new byte[ValueBytes];
            new Random(42).NextBytes(payload);
            const int count = (int)(TargetBytes / ValueBytes);
            using (var producer = new ProducerBuilder<byte[], byte[]>(new ProducerConfig
            {
                BootstrapServers = node.BootstrapServers,
                Acks = Acks.All,
                EnableIdempotence = false,
                LingerMs = 20,
                BatchSize = 1_000_000,
                MessageTimeoutMs = 120_000,
            }).Build())
            {
                using var inFlight = new SemaphoreSlim(256);
                int failed = 0;
                for (int i = 0; i < count; i++)
                {
                    await inFlight.WaitAsync();
                    producer.Produce(tp, new Message<byte[], byte[]> { Value = payload }, r =>
                    {
                        if (r.Error.IsError) Interlocked.Increment(ref failed);
                        inFlight.Release();
                    });
                }
                Assert.Equal(0, producer.Flush(TimeSpan.FromSeconds(120)));
                Assert.Equal(0, failed);
            }
            long bigBytes = LogBytes(node.DataDir);
            output.WriteLine($"filled {bigBytes:N0} bytes ({count} records) in {fill.ElapsedMilliseconds} ms");

            // Graceful stop and start: the whole log is below the recovery point.
            Assert.Equal(0, await node.StopAsync(graceful: true));
            var sw = Stopwatch.StartNew();
            await node.RestartAsync();
            long gracefulEnd = QueryEnd(node.BootstrapServers, tp);
            Assert.Equal((long?)count, RecoveryPoint(node.DataDir, tp));
            output.WriteLine($"after graceful stop: recovery point {RecoveryPoint(node.DataDir, tp)}, ready {LastReadyMs(node.Log)} ms, partition serving (open + recovery) {sw.ElapsedMilliseconds} ms, log end {gracefulEnd}");

            // A small tail, then SIGKILL right away: the tail lies above the recovery point (flushed every 1 s).
            var tail = TestRecords.Messages(topic + "-tail", 200);
            var tailAcks = await ConfluentClients.ProduceAllAsync(node.BootstrapServers, topic, tail);
            node.Kill();
            long killedBytes = LogBytes(node.DataDir);
            long? pointAtKill = RecoveryPoint(node.DataDir, tp);
            Assert.True(pointAtKill < tailAcks[^1].Offset.Value + 1, $"The tail was flushed before the kill (recovery point {pointAtKill}).");

            sw.Restart();
            await node.RestartAsync();
            int readyMs = LastReadyMs(node.Log);
            long end = QueryEnd(node.BootstrapServers, tp);
            long servingMs = sw.ElapsedMilliseconds;
            output.WriteLine(
                $"after SIGKILL with a 200-record tail: recovery point at kill {pointAtKill}, log end acked {tailAcks[^1].Offset.Value + 1}, log on disk {killedBytes:N0} bytes, process start -> ready {readyMs} ms, " +
                $"restart -> partition serving (open + recovery) {servingMs} ms, log end {end}; empty-node ready was {smallReadyMs} ms");
            output.WriteLine("partition opens: " + string.Join(" | ", OpenLine().Matches(node.Log).Select(m => m.Value)));

            Assert.Equal(tailAcks[^1].Offset.Value + 1, end);
            Assert.True(servingMs < 15_000, $"Recovery of a {killedBytes:N0}-byte log took {servingMs} ms.");
        });
    }

    /// <summary>Sum of the *.log segment files under DataDir/logs.</summary>
    private static long LogBytes(string dataDir)
    {
        var logs = Path.Combine(dataDir, "logs");
        return Directory.Exists(logs)
            ? Directory.EnumerateFiles(logs, "*.log", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length)
            : 0;
    }

    /// <summary>The partition's recovery-point checkpoint ("0\n&lt;offset&gt;\n"), or null if there is none.</summary>
    private static long? RecoveryPoint(string dataDir, TopicPartition tp)
    {
        var file = Path.Combine(dataDir, "logs", $"{tp.Topic}-{tp.Partition.Value}", "recovery-point");
        return File.Exists(file) ? long.Parse(File.ReadAllLines(file)[1], CultureInfo.InvariantCulture) : null;
    }

    /// <summary>The last "ready after N ms" the node harness logged: process start to the ready line.</summary>
    private static int LastReadyMs(string log) =>
        int.Parse(ReadyLine().Matches(log)[^1].Groups[1].Value, CultureInfo.InvariantCulture);

    /// <summary>The high watermark, polled until the partition answers (it opens, and recovers, on first use).</summary>
    private static long QueryEnd(string bootstrap, TopicPartition tp)
    {
        using var consumer = ConfluentClients.Consumer(bootstrap);
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            try
            {
                return consumer.QueryWatermarkOffsets(tp, TimeSpan.FromSeconds(5)).High.Value;
            }
            catch (KafkaException) when (DateTime.UtcNow < deadline)
            {
                Thread.Sleep(50);
            }
        }
    }

    /// <summary>Reads a partition from its log start to its high watermark.</summary>
    private static (long Low, List<(long Offset, string Key, string Value)> Records) ReadPartition(string bootstrap, string topic, int partition)
    {
        var tp = new TopicPartition(topic, new Partition(partition));
        using var consumer = new ConsumerBuilder<string, string>(new ConsumerConfig
        {
            BootstrapServers = bootstrap,
            GroupId = "crash-safety-reader",
            EnableAutoCommit = false,
            AutoOffsetReset = AutoOffsetReset.Error,
        }).Build();
        var watermarks = consumer.QueryWatermarkOffsets(tp, TimeSpan.FromSeconds(30));
        long low = watermarks.Low.Value, high = watermarks.High.Value;
        consumer.Assign(new TopicPartitionOffset(tp, new Offset(low)));
        var records = new List<(long, string, string)>();
        var deadline = DateTime.UtcNow.AddSeconds(60);
        long next = low;
        while (next < high)
        {
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"{tp}: read up to {next} of [{low}, {high}) in 60 s.");
            var r = consumer.Consume(TimeSpan.FromMilliseconds(500));
            if (r is null || r.IsPartitionEOF)
                continue;
            records.Add((r.Offset.Value, r.Message.Key, r.Message.Value));
            next = r.Offset.Value + 1;
        }
        consumer.Close();
        return (low, records);
    }

    [GeneratedRegex(@"=== test: ready after (\d+) ms ===")]
    private static partial Regex ReadyLine();

    [GeneratedRegex(@"Partition \S+ open: log start \d+, log end \d+, leader epoch \d+")]
    private static partial Regex OpenLine();
}
