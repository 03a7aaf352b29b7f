using ActorBroker.TestKit;
using System.Collections.Immutable;
using Akka.Actor;
using ActorBroker.Cluster.Partitions;
using ActorBroker.Cluster.Topics;
using ActorBroker.Protocol;
using ActorBroker.Protocol.Records;

namespace ActorBroker.Cluster.Tests.Partitions;

/// <summary>What survives stopping one actor system and starting another on the same data directory.</summary>
public sealed class PartitionRestartTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);
    private readonly TempDirectory _dataDir = new();

    private static byte[] Batch(int records) =>
        Enumerable.Range(0, records).Aggregate(new RecordBatchBuilder(), (b, i) => b.Add($"k{i}", $"v{i}")).Build();

    [Fact]
    public async Task A_restarted_partition_recovers_its_log_end_from_disk_and_starts_a_new_leader_epoch()
    {
        var partition = new TopicPartition("durable", 0);
        var (first, broker) = await BrokerSystem.StartAsync(_dataDir.Path);
        await broker.Topics.Ask<CreateTopicResult>(new CreateTopic("durable", 1, 1, ImmutableSortedDictionary<string, string>.Empty), Timeout);
        for (int i = 0; i < 10; i++)
            Assert.Equal(ErrorCode.None, (await broker.Partitions.Ask<AppendBatchesResult>(new AppendBatches(partition, Batch(5)), Timeout)).Error);
        var before = await broker.Partitions.Ask<PartitionStateResult>(new GetPartitionState(partition), Timeout);
        await BrokerSystem.StopAsync(first);

        var (second, restarted) = await BrokerSystem.StartAsync(_dataDir.Path);
        try
        {
            var after = await restarted.Partitions.Ask<PartitionStateResult>(new GetPartitionState(partition), Timeout);
            Assert.Equal(50, before.LogEndOffset);
            Assert.Equal(50, after.LogEndOffset);
            Assert.True(after.LeaderEpoch > before.LeaderEpoch, $"epoch {after.LeaderEpoch} after the restart, {before.LeaderEpoch} before");

            var next = await restarted.Partitions.Ask<AppendBatchesResult>(new AppendBatches(partition, Batch(1)), Timeout);
            Assert.Equal(50, next.BaseOffset);
            var read = await restarted.Partitions.Ask<ReadBatchesResult>(new ReadBatches(partition, 0, 1 << 20, true), Timeout);
            Assert.Equal(51, CountRecords(read.Records));
        }
        finally
        {
            await BrokerSystem.StopAsync(second);
        }
    }

    [Fact]
    public async Task Topics_survive_an_actor_system_restart()
    {
        var (first, broker) = await BrokerSystem.StartAsync(_dataDir.Path);
        foreach (var (name, partitions) in new[] { ("a", 1), ("b", 3) })
            await broker.Topics.Ask<CreateTopicResult>(new CreateTopic(name, partitions, 1, ImmutableSortedDictionary<string, string>.Empty), Timeout);
        var created = await broker.Topics.Ask<DescribeTopicsResult>(new DescribeTopics(null, false), Timeout);
        await BrokerSystem.StopAsync(first);

        var (second, restarted) = await BrokerSystem.StartAsync(_dataDir.Path);
        try
        {
            var recovered = await restarted.Topics.Ask<DescribeTopicsResult>(new DescribeTopics(null, false), Timeout);
            Assert.Equal(
                created.Topics.Select(t => (t.Name, t.Topic!.PartitionCount, t.Topic.TopicId)),
                recovered.Topics.Select(t => (t.Name, t.Topic!.PartitionCount, t.Topic.TopicId)));
            Assert.Equal(["a", "b"], recovered.Topics.Select(t => t.Name));
        }
        finally
        {
            await BrokerSystem.StopAsync(second);
        }
    }

    private static int CountRecords(ReadOnlyMemory<byte> records)
    {
        int count = 0;
        while (!records.IsEmpty)
        {
            var batch = new RecordBatch(records);
            count += batch.RecordCount;
            records = records[batch.SizeInBytes..];
        }
        return count;
    }

    public void Dispose() => _dataDir.Dispose();
}
