using System.Text;
using ActorBroker.Client.Producing;
using ActorBroker.Cluster;
using ActorBroker.Compatibility.Tests;
using Confluent.Kafka;
using static ActorBroker.Client.Tests.ClientTestSupport;
using TopicPartition = ActorBroker.Cluster.TopicPartition;

namespace ActorBroker.Client.Tests;

/// <summary>Confluent.Kafka (the bundled librdkafka) and the proxies on the same topics and groups.</summary>
public sealed class ConfluentInteropTests(ClientNodeFixture fixture) : IClassFixture<ClientNodeFixture>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Records_produced_by_Confluent_Kafka_are_consumed_through_the_proxy_unchanged()
    {
        var node = fixture.Node;
        await fixture.WithTopicAsync("confluent-in", 1, async topic =>
        {
            var sent = TestRecords.Messages("confluent", 2_000);
            var delivered = await ConfluentClients.ProduceAllAsync(node.BootstrapServers, topic, sent);

            await using var consumer = fixture.Client.CreateConsumer();
            consumer.Assign([new TopicPartition(topic, 0)]);
            var consumed = await ConsumeAsync(consumer, sent.Count, Timeout);

            for (int i = 0; i < sent.Count; i++)
            {
                Assert.Equal(delivered[i].Offset.Value, consumed[i].Offset);
                Assert.Equal(delivered[i].Timestamp.UnixTimestampMs, consumed[i].Timestamp);
                Assert.Equal(sent[i].Key, consumed[i].Key!.Value.ToArray());
                Assert.Equal(sent[i].Value, consumed[i].Value!.Value.ToArray());
                Assert.Equal(TestRecords.HeadersText(sent[i].Headers),
                    string.Join(",", consumed[i].Headers.Select(h => $"{h.Key}={TestRecords.Text(h.Value)}")));
            }
        });
    }

    [Fact]
    public async Task A_key_lands_on_the_same_partition_as_with_Confluent_Kafkas_murmur2_partitioner()
    {
        var node = fixture.Node;
        await fixture.WithTopicAsync("partitioner", 7, async topic =>
        {
            var keys = Enumerable.Range(0, 300).Select(i => Encoding.UTF8.GetBytes($"customer-{i * 7919}")).Append([]).Append([0xff, 0x00, 0x80]).ToList();
            using var producer = new ProducerBuilder<byte[], byte[]>(new ProducerConfig
            {
                BootstrapServers = node.BootstrapServers,
                Partitioner = Partitioner.Murmur2Random,
                EnableIdempotence = false,
                LingerMs = 5,
            }).Build();
            var confluent = await Task.WhenAll(keys.Select(k => producer.ProduceAsync(topic, new Message<byte[], byte[]> { Key = k, Value = k })));
            var proxy = await fixture.Client.ProduceBatchAsync(topic, keys.Select(k => new ProducerRecord(k, k)));

            for (int i = 0; i < keys.Count; i++)
            {
                Assert.Equal(confluent[i].Partition.Value, KafkaPartitioner.Partition(keys[i], 7));
                Assert.Equal(confluent[i].Partition.Value, proxy[i].Partition);
            }
            Assert.True(confluent.Select(c => c.Partition.Value).Distinct().Count() == 7, "300 keys should cover all 7 partitions");
        });
    }

    [Fact]
    public async Task A_proxy_consumer_and_a_Confluent_consumer_in_one_group_split_the_partitions_and_each_reads_its_own()
    {
        var node = fixture.Node;
        string group = TestTopics.Unique("group");
        await fixture.WithTopicAsync("shared-group", 4, async topic =>
        {
            await using var proxy = fixture.Client.CreateConsumer(group);
            proxy.Subscribe([topic]);
            var proxyRecords = new System.Collections.Concurrent.ConcurrentQueue<ActorBroker.Client.Consuming.ConsumeResult>();
            using var stop = new CancellationTokenSource();
            var consuming = Task.Run(async () =>
            {
                await foreach (var record in proxy.ConsumeAsync(stop.Token))
                    proxyRecords.Enqueue(record);
            });
            await using var confluent = new ConfluentGroupMember(node.BootstrapServers, group, topic, "confluent", PartitionAssignmentStrategy.Range);

            bool split = await GroupTests.WaitUntilAsync(() =>
            {
                var mine = proxy.Assignment.Select(p => p.Partition).ToList();
                var theirs = confluent.Assignment;
                return mine.Count == 2 && theirs.Count == 2 && mine.Concat(theirs).Order().SequenceEqual([0, 1, 2, 3]);
            }, Timeout);
            Assert.True(split, $"proxy has [{string.Join(",", proxy.Assignment)}], Confluent has [{string.Join(",", confluent.Assignment)}]\n{confluent.EventLog}");

            var produced = await fixture.Client.ProduceBatchAsync(topic,
                Enumerable.Range(0, 40).Select(i => new ProducerRecord(null, Utf8($"r-{i}"), Partition: i % 4)));
            var proxyPartitions = proxy.Assignment.Select(p => p.Partition).ToHashSet();
            bool delivered = await GroupTests.WaitUntilAsync(() => proxyRecords.Count >= 20 && confluent.Deliveries.Count >= 20, Timeout);
            await stop.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => consuming);

            Assert.True(delivered, $"proxy read {proxyRecords.Count}, Confluent read {confluent.Deliveries.Count} of 20 each");
            Assert.All(proxyRecords, r => Assert.Contains(r.Partition, proxyPartitions));
            Assert.All(confluent.Deliveries, d => Assert.DoesNotContain(d.Partition, proxyPartitions));
            Assert.Equal(produced.Where(p => proxyPartitions.Contains(p.Partition)).Select(p => (p.Partition, p.Offset)).Order(),
                proxyRecords.Select(r => (r.Partition, r.Offset)).Order());
        });
    }
}
