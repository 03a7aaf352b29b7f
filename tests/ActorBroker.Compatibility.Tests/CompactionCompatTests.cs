using System.Text;
using ActorBroker.TestKit;
using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Xunit;
using Xunit.Abstractions;

namespace ActorBroker.Compatibility.Tests;

/// <summary>
/// Log compaction seen by real clients on a node process whose cleaner checks every 200 ms: after 10,000 updates over
/// 100 keys and tombstones for 10 of them, a Confluent.Kafka consumer and kcat reading from the beginning see exactly
/// the latest value of every live key, each at the offset its producer was given, and no tombstone once
/// delete.retention.ms has passed. Keyless records are refused with INVALID_RECORD.
/// </summary>
public sealed class CompactionCompatTests(ITestOutputHelper output)
{
    private const int Keys = 100;
    private const int Updates = 10_000;
    private const int Deleted = 10;
    private const int FillerRounds = 3;
    private const int FillersPerRound = 50;
    private const string CleanerConfig = "actorbroker.log.cleaner.backoff = 200ms\n";

    /// <summary>Starts a node, creates a compacted topic and runs <paramref name="test"/> against its partition 0 (the node's log is shown on failure).</summary>
    private static async Task WithCompactedTopicAsync(string prefix, Func<NodeProcess, TopicPartition, Task> test)
    {
        await using var node = await NodeProcess.StartAsync(new NodeOptions { ExtraConfig = CleanerConfig });
        var topic = TestTopics.Unique(prefix);
        await node.WithLogOnFailureAsync(async () =>
        {
            await CreateCompactedTopicAsync(node.BootstrapServers, topic);
            await test(node, new TopicPartition(topic, new Partition(0)));
        });
    }

    private static async Task CreateCompactedTopicAsync(string bootstrap, string topic)
    {
        using var admin = GroupTests.Admin(bootstrap);
        await admin.CreateTopicsAsync([new TopicSpecification
        {
            Name = topic,
            NumPartitions = 1,
            ReplicationFactor = 1,
            Configs = new Dictionary<string, string>
            {
                ["cleanup.policy"] = "compact",
                ["segment.bytes"] = "16384",
                ["min.cleanable.dirty.ratio"] = "0.01",
                ["delete.retention.ms"] = "2000",
            },
        }]);
    }

    private static Message<byte[], byte[]> Record(string key, string? value) =>
        new() { Key = Encoding.UTF8.GetBytes(key), Value = value is null ? null! : Encoding.UTF8.GetBytes(value) };

    [Fact]
    public Task Ten_thousand_updates_compact_to_the_latest_value_per_key_at_unchanged_offsets_for_Confluent_and_kcat() =>
        WithCompactedTopicAsync("compact", async (node, tp) =>
        {
            string topic = tp.Topic;
            // Updates, then tombstones for keys 0..9, then rounds of records with keys of their own, each round one
            // batch bigger than segment.bytes and so a segment of its own: the tombstones and every update lie in
            // inactive (cleanable) segments, and the active segment holds only fillers.
            var rounds = new List<List<Message<byte[], byte[]>>>
            {
                Enumerable.Range(0, Updates).Select(i => Record($"key-{i % Keys:D3}", $"value-{i}")).ToList(),
                Enumerable.Range(0, Deleted).Select(k => Record($"key-{k:D3}", null)).ToList(),
            };
            for (int round = 0; round < FillerRounds; round++)
                rounds.Add(Enumerable.Range(round * FillersPerRound, FillersPerRound).Select(i => Record($"filler-{i:D3}", $"filler-{i}-" + new string('x', 400))).ToList());
            var delivered = new List<DeliveryResult<byte[], byte[]>>();
            foreach (var round in rounds)
                delivered.AddRange(await ConfluentClients.ProduceAllAsync(node.BootstrapServers, topic, round));
            Assert.All(delivered, d => Assert.Equal(PersistenceStatus.Persisted, d.Status));
            long high = delivered[^1].Offset.Value + 1;
            Assert.Equal(rounds.Sum(r => r.Count), high);

            // The latest record of every key, at the offset the producer was told, without the deleted keys.
            var expected = delivered
                .GroupBy(d => Encoding.UTF8.GetString(d.Message.Key))
                .Select(g => g.MaxBy(d => d.Offset.Value)!)
                .Where(d => d.Message.Value is not null)
                .OrderBy(d => d.Offset.Value)
                .Select(d => (Offset: d.Offset.Value, Key: Encoding.UTF8.GetString(d.Message.Key), Value: Encoding.UTF8.GetString(d.Message.Value)))
                .ToList();
            Assert.Equal(Keys - Deleted + FillerRounds * FillersPerRound, expected.Count);

            List<(long Offset, string Key, string? Value)> seen = [];
            bool compacted = await GroupTests.WaitUntilAsync(() =>
            {
                seen = ReadAllWithConfluent(node.BootstrapServers, tp, high);
                return seen.SequenceEqual(expected.Select(e => (e.Offset, e.Key, (string?)e.Value)));
            }, TimeSpan.FromSeconds(90), pollMs: 500);
            output.WriteLine($"Confluent.Kafka read {seen.Count} records ({seen.Count(s => s.Value is null)} tombstones); expected {expected.Count}");
            Assert.True(compacted, $"The log did not compact to the latest value per key: read {seen.Count} records, " +
                                   $"{seen.Count(s => s.Value is null)} tombstones, expected {expected.Count} records.");

            var kcat = await ExternalCommand.RunAsync("kcat",
                ["-C", "-b", node.BootstrapServers, "-t", topic, "-p", "0", "-o", "beginning", "-e", "-q", "-Z", "-f", "%o|%k|%s\n"],
                timeout: TimeSpan.FromMinutes(2));
            kcat.EnsureSuccess();
            Assert.Equal(string.Concat(expected.Select(e => $"{e.Offset}|{e.Key}|{e.Value}\n")), kcat.Stdout);
        });

    [Fact]
    public Task A_keyless_record_to_a_compacted_topic_fails_with_InvalidRecord_and_is_not_appended() =>
        WithCompactedTopicAsync("compact-keyless", async (node, tp) =>
        {
            using var producer = ConfluentClients.Producer(node.BootstrapServers);
            await producer.ProduceAsync(tp, Record("key", "kept"));

            var failure = await Assert.ThrowsAsync<ProduceException<byte[], byte[]>>(() =>
                producer.ProduceAsync(tp, new Message<byte[], byte[]> { Key = null!, Value = Encoding.UTF8.GetBytes("no key") }));
            output.WriteLine($"keyless produce: {failure.Error.Code} {failure.Error.Reason}");

            Assert.Equal(ErrorCode.InvalidRecord, failure.Error.Code);
            using var probe = ConfluentClients.Consumer(node.BootstrapServers);
            Assert.Equal(1, probe.QueryWatermarkOffsets(tp, TimeSpan.FromSeconds(10)).High.Value);
        });

    /// <summary>Every record from the beginning up to <paramref name="high"/> (the last one is never compacted away).</summary>
    private static List<(long Offset, string Key, string? Value)> ReadAllWithConfluent(string bootstrap, TopicPartition tp, long high)
    {
        using var consumer = ConfluentClients.Consumer(bootstrap);
        consumer.Assign(new TopicPartitionOffset(tp, Offset.Beginning));
        var records = new List<(long, string, string?)>();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        long last = -1;
        while (last < high - 1 && DateTime.UtcNow < deadline)
        {
            var r = consumer.Consume(TimeSpan.FromMilliseconds(500));
            if (r is null || r.IsPartitionEOF)
                continue;
            last = r.Offset.Value;
            records.Add((last, Encoding.UTF8.GetString(r.Message.Key), r.Message.Value is null ? null : Encoding.UTF8.GetString(r.Message.Value)));
        }
        consumer.Close();
        return records;
    }
}
