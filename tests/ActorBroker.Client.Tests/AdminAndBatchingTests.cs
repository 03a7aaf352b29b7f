using ActorBroker.Client.Admin;
using ActorBroker.Client.Producing;
using ActorBroker.Cluster;
using ActorBroker.Cluster.Partitions;
using ActorBroker.Compatibility.Tests;
using ActorBroker.Protocol;
using ActorBroker.Protocol.Records;
using static ActorBroker.Client.Tests.ClientTestSupport;

namespace ActorBroker.Client.Tests;

public sealed class AdminAndBatchingTests(ClientNodeFixture fixture) : IClassFixture<ClientNodeFixture>
{
    private ActorBrokerClient Client => fixture.Client;

    [Fact]
    public async Task Topics_are_created_described_and_deleted_and_errors_carry_the_Kafka_error_code()
    {
        string topic = TestTopics.Unique("admin");
        await fixture.Node.WithLogOnFailureAsync(async () =>
        {
            var created = await Client.Admin.CreateTopicAsync(topic, 3, configs: new Dictionary<string, string> { ["retention.ms"] = "60000" });
            var described = (await Client.Admin.DescribeTopicsAsync([topic])).Single();
            var twice = await Assert.ThrowsAsync<ActorBrokerException>(() => Client.Admin.CreateTopicAsync(topic, 3));
            await Client.Admin.DeleteTopicAsync(topic);
            var gone = await Assert.ThrowsAsync<ActorBrokerException>(() => Client.Admin.DescribeTopicsAsync([topic]));

            Assert.Equal(3, created.PartitionCount);
            Assert.Equal(created.TopicId, described.TopicId);
            Assert.Equal("60000", described.Configs["retention.ms"]);
            Assert.Equal(ErrorCode.TopicAlreadyExists, twice.Code);
            Assert.False(twice.IsRetriable);
            Assert.Equal(ErrorCode.UnknownTopicOrPartition, gone.Code);
        });
    }

    [Fact]
    public async Task Cluster_members_show_the_broker_identity_and_this_client_with_its_role()
    {
        await fixture.Node.WithLogOnFailureAsync(() =>
        {
            var members = Client.Admin.ClusterMembers();

            var broker = Assert.Single(members, m => m.Broker is not null);
            Assert.Equal(1, broker.Broker!.NodeId);
            Assert.Equal(fixture.Node.Port, broker.Broker.Port);
            Assert.Equal("Up", broker.Status);
            Assert.Contains(members, m => m.Broker is null && m.Roles.Contains(ActorBrokerClientOptions.ClientRole));
            Assert.Equal([broker.Broker], Client.Brokers);
            return Task.CompletedTask;
        });
    }

    [Fact]
    public async Task Groups_of_proxy_consumers_are_listed_and_described_with_their_members()
    {
        string group = TestTopics.Unique("listed");
        await fixture.WithTopicAsync("admin-group", 2, async topic =>
        {
            await using var consumer = Client.CreateConsumer(group);
            consumer.Subscribe([topic]);
            Assert.True(await GroupTests.WaitUntilAsync(() => consumer.Assignment.Count == 2, TimeSpan.FromSeconds(30)));

            var listed = await Client.Admin.ListGroupsAsync();
            var described = await Client.Admin.DescribeGroupAsync(group);

            Assert.Contains(listed, g => g.GroupId == group);
            Assert.Equal("Stable", described.State);
            Assert.Equal("consumer", described.ProtocolType);
            var member = Assert.Single(described.Members);
            Assert.Equal(Client.Options.ClientId, member.ClientId);
        });
    }

    [Fact]
    public async Task Concurrent_produces_to_one_partition_share_batches_and_get_consecutive_offsets()
    {
        const int records = 2_000;
        await fixture.WithTopicAsync("batching", 1, async topic =>
        {
            await using var producer = Client.CreateProducer(Client.Options.Producer with { Linger = TimeSpan.FromMilliseconds(20) });
            var results = await Task.WhenAll(Enumerable.Range(0, records).Select(i => producer.ProduceAsync(topic, null, Utf8($"value-{i}"))));
            var read = await Client.AskAsync<ReadBatchesResult>(c => c.Partitions,
                new ReadBatches(new TopicPartition(topic, 0), 0, 8 << 20, MinOneBatch: true), CancellationToken.None);

            Assert.Equal(Enumerable.Range(0, records).Select(i => (long)i), results.Select(r => r.Offset).Order());
            int batches = 0;
            for (var rest = read.Records; rest.Length > 0; rest = rest[new RecordBatch(rest).SizeInBytes..])
                batches++;
            Assert.InRange(batches, 1, records / 10); // one round trip per record would be 2,000 batches
        });
    }

    [Fact]
    public async Task Acks_zero_returns_without_an_offset_and_the_record_still_arrives()
    {
        await fixture.WithTopicAsync("acks0", 1, async topic =>
        {
            await using var producer = Client.CreateProducer(Client.Options.Producer with { Acks = Acks.None });
            var result = await producer.ProduceAsync(topic, Utf8("k"), Utf8("fire-and-forget"));
            await using var consumer = Client.CreateConsumer();
            consumer.Assign([new TopicPartition(topic, 0)]);
            var consumed = await ConsumeAsync(consumer, 1, TimeSpan.FromSeconds(30));

            Assert.Equal(-1, result.Offset);
            Assert.Equal("fire-and-forget", Text(consumed[0].Value));
        });
    }

    [Fact]
    public async Task Seek_pause_resume_and_commit_behave_like_a_Kafka_consumer()
    {
        string group = TestTopics.Unique("committer");
        await fixture.WithTopicAsync("seek", 1, async topic =>
        {
            var tp = new TopicPartition(topic, 0);
            await Client.ProduceBatchAsync(topic, Enumerable.Range(0, 10).Select(i => new ProducerRecord(null, Utf8($"v{i}"))));
            await using (var first = Client.CreateConsumer(group))
            {
                first.Assign([tp]);
                var firstFive = await ConsumeAsync(first, 5, TimeSpan.FromSeconds(30));
                await first.CommitAsync();
                Assert.Equal(5, first.Position(tp));
                first.Seek(tp, 8);
                Assert.Equal([8L, 9L], (await ConsumeAsync(first, 2, TimeSpan.FromSeconds(30))).Select(r => r.Offset));
                Assert.Equal([0L, 1, 2, 3, 4], firstFive.Select(r => r.Offset));
            }

            await using var second = Client.CreateConsumer(group);
            second.Assign([tp]);
            second.Pause(tp);
            using (var paused = new CancellationTokenSource(TimeSpan.FromSeconds(1)))
            {
                var enumerator = second.ConsumeAsync(paused.Token).GetAsyncEnumerator(paused.Token);
                await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await enumerator.MoveNextAsync());
            }
            second.Resume(tp);
            var resumed = await ConsumeAsync(second, 1, TimeSpan.FromSeconds(30));

            Assert.Equal(5, resumed[0].Offset); // the committed offset
        });
    }
}
