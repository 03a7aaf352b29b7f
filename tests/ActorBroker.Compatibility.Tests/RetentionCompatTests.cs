using System.Text;
using ActorBroker.TestKit;
using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Xunit;
using Xunit.Abstractions;

namespace ActorBroker.Compatibility.Tests;

/// <summary>
/// Time retention and DeleteRecords seen through Confluent.Kafka: the earliest offset advances, a consumer positioned
/// below it gets OFFSET_OUT_OF_RANGE and (auto.offset.reset=earliest) resumes exactly at the new log start.
/// </summary>
public sealed class RetentionCompatTests(ITestOutputHelper output)
{
    private const int Count = 400;

    [Fact]
    public async Task Expired_segments_go_and_a_consumer_below_the_log_start_resets_to_it()
    {
        await using var node = await NodeProcess.StartAsync(new NodeOptions
        {
            ExtraConfig = "actorbroker.log.retention-check-interval = 500ms\n",
        });
        var topic = TestTopics.Unique("retention");
        var tp = new TopicPartition(topic, new Partition(0));
        await node.WithLogOnFailureAsync(async () =>
        {
            using var admin = GroupTests.Admin(node.BootstrapServers);
            await admin.CreateTopicsAsync([new TopicSpecification
            {
                Name = topic,
                NumPartitions = 1,
                ReplicationFactor = 1,
                Configs = new Dictionary<string, string> { ["retention.ms"] = "1000", ["segment.bytes"] = "16384" },
            }]);

            // Records an hour old, in small batches so that they fill several 16 KiB segments.
            var hourAgo = new Timestamp(DateTime.UtcNow.AddHours(-1));
            var values = new Dictionary<long, string>();
            using (var producer = new ProducerBuilder<string, string>(new ProducerConfig
            {
                BootstrapServers = node.BootstrapServers,
                Acks = Acks.All,
                EnableIdempotence = false,
                LingerMs = 1,
                BatchSize = 2_000,
            }).Build())
            {
                var tasks = Enumerable.Range(0, Count).Select(i => producer.ProduceAsync(tp, new Message<string, string>
                {
                    Key = $"k-{i:D4}",
                    Value = $"v-{i:D4}-" + new string('x', 200),
                    Timestamp = hourAgo,
                })).ToList();
                foreach (var r in await Task.WhenAll(tasks))
                    values.Add(r.Offset.Value, r.Message.Value);
            }
            Assert.Equal(Enumerable.Range(0, Count).Select(i => (long)i), values.Keys.Order());

            var partitionDir = Directory.GetDirectories(Path.Combine(node.DataDir, "logs"))
                .Single(d => Path.GetFileName(d).StartsWith(topic, StringComparison.Ordinal));

            // Retention deletes every inactive segment (all records are an hour old), never the active one.
            using var probe = ConfluentClients.Consumer(node.BootstrapServers);
            WatermarkOffsets marks = probe.QueryWatermarkOffsets(tp, TimeSpan.FromSeconds(10));
            Assert.True(await GroupTests.WaitUntilAsync(() =>
            {
                marks = probe.QueryWatermarkOffsets(tp, TimeSpan.FromSeconds(10));
                return marks.Low.Value > 0 && Directory.GetFiles(partitionDir, "*.log").Length == 1;
            }, TimeSpan.FromSeconds(30), pollMs: 200), $"Retention did not reduce the log to its active segment; watermarks {marks.Low}..{marks.High}.");
            long logStart = marks.Low.Value;
            long activeBase = long.Parse(Path.GetFileNameWithoutExtension(Directory.GetFiles(partitionDir, "*.log").Single()));
            output.WriteLine($"after retention: log start {logStart}, high watermark {marks.High.Value}, active segment base {activeBase}");
            Assert.Equal(activeBase, logStart);
            Assert.Equal(Count, marks.High.Value);
            // ~92 KB of records in 16 KiB segments: several segments rolled and were deleted, whole ones only
            // (counting files right after producing would race with the 500 ms retention timer).
            Assert.InRange(logStart, Count / 2, Count - 1);

            // A consumer at offset 0 (below the log start) is reset to the earliest offset.
            var consumed = await Task.Run(() => ConsumeFrom(node.BootstrapServers, tp, 0, Count - logStart));
            output.WriteLine($"consumer assigned at 0 read offsets {consumed.First().Offset}..{consumed.Last().Offset}");
            Assert.Equal(logStart, consumed[0].Offset);
            Assert.Equal(Enumerable.Range((int)logStart, (int)(Count - logStart)).Select(i => (long)i), consumed.Select(c => c.Offset));
            Assert.All(consumed, c => Assert.Equal(values[c.Offset], c.Value));

            // DeleteRecords moves the log start further.
            long requested = logStart + (Count - logStart) / 2;
            var deleted = await admin.DeleteRecordsAsync([new TopicPartitionOffset(tp, new Offset(requested))]);
            Assert.Equal(requested, deleted.Single().Offset.Value);
            marks = probe.QueryWatermarkOffsets(tp, TimeSpan.FromSeconds(10));
            output.WriteLine($"DeleteRecords({requested}): watermarks now {marks.Low.Value}..{marks.High.Value}");
            Assert.Equal(requested, marks.Low.Value);
            Assert.Equal(Count, marks.High.Value);

            var afterDelete = await Task.Run(() => ConsumeFrom(node.BootstrapServers, tp, logStart, Count - requested));
            Assert.Equal(requested, afterDelete[0].Offset);
            Assert.Equal(Count - 1, afterDelete[^1].Offset);
        });
    }

    /// <summary>
    /// An assigned consumer (auto.offset.reset=earliest) positioned at <paramref name="offset"/>; reads
    /// <paramref name="count"/> records.
    /// </summary>
    private static List<(long Offset, string Value)> ConsumeFrom(string bootstrap, TopicPartition tp, long offset, long count)
    {
        using var consumer = new ConsumerBuilder<string, string>(new ConsumerConfig
        {
            BootstrapServers = bootstrap,
            GroupId = "retention-reader",
            EnableAutoCommit = false,
            AutoOffsetReset = AutoOffsetReset.Earliest,
        }).Build();
        consumer.Assign(new TopicPartitionOffset(tp, new Offset(offset)));
        var records = new List<(long, string)>();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (records.Count < count && DateTime.UtcNow < deadline)
        {
            var r = consumer.Consume(TimeSpan.FromMilliseconds(500));
            if (r is { IsPartitionEOF: false })
                records.Add((r.Offset.Value, r.Message.Value));
        }
        consumer.Close();
        Assert.True(records.Count == count, $"Read {records.Count} of {count} records from {tp} at {offset}.");
        return records;
    }
}
