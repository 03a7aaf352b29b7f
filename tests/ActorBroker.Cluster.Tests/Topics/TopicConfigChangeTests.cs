using ActorBroker.TestKit;
using System.Collections.Immutable;
using Akka.Actor;
using ActorBroker.Cluster.Partitions;
using ActorBroker.Cluster.Topics;
using ActorBroker.Protocol;
using ActorBroker.Protocol.Records;

namespace ActorBroker.Cluster.Tests.Topics;

/// <summary>Topic config changes through the registry: partitions pick them up, and they survive a restart.</summary>
public sealed class TopicConfigChangeTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);
    private readonly TempDirectory _dataDir = new();

    private static byte[] Batch(int records) =>
        Enumerable.Range(0, records).Aggregate(new RecordBatchBuilder(), (b, i) => b.Add($"key-{i}", new string('v', 100))).Build();

    [Fact]
    public async Task Changed_configs_survive_an_actor_system_restart_and_reach_the_partitions()
    {
        var partition = new TopicPartition("tuned", 0);
        var (first, broker) = await BrokerSystem.StartAsync(_dataDir.Path);
        try
        {
            await broker.Topics.Ask<CreateTopicResult>(new CreateTopic("tuned", 1, 1, ImmutableSortedDictionary<string, string>.Empty), Timeout);
            Assert.Equal(ErrorCode.None, (await broker.Partitions.Ask<AppendBatchesResult>(new AppendBatches(partition, Batch(10)), Timeout)).Error);

            var altered = await broker.Topics.Ask<AlterTopicConfigsResult>(new AlterTopicConfigs("tuned",
            [
                new ConfigAlteration(TopicConfigs.MaxMessageBytes, ConfigOperation.Set, "200"),
                new ConfigAlteration(TopicConfigs.RetentionMs, ConfigOperation.Set, "3600000"),
            ]), Timeout);
            Assert.Equal(ErrorCode.None, altered.Error);

            // the running partition picked the lower limit up (the registry tells it before it replies)
            var tooLarge = await broker.Partitions.Ask<AppendBatchesResult>(new AppendBatches(partition, Batch(10)), Timeout);
            Assert.Equal(ErrorCode.MessageTooLarge, tooLarge.Error);
        }
        finally
        {
            await BrokerSystem.StopAsync(first);
        }

        var (second, restarted) = await BrokerSystem.StartAsync(_dataDir.Path);
        try
        {
            var topic = (await restarted.Topics.Ask<DescribeTopicsResult>(new DescribeTopics(["tuned"], false), Timeout)).Topics.Single().Topic!;
            Assert.Equal(
                [KeyValuePair.Create(TopicConfigs.MaxMessageBytes, "200"), KeyValuePair.Create(TopicConfigs.RetentionMs, "3600000")],
                topic.Configs.OrderBy(c => c.Key, StringComparer.Ordinal));
            var tooLarge = await restarted.Partitions.Ask<AppendBatchesResult>(new AppendBatches(partition, Batch(10)), Timeout);
            Assert.Equal(ErrorCode.MessageTooLarge, tooLarge.Error);

            var replaced = await restarted.Topics.Ask<AlterTopicConfigsResult>(
                new ReplaceTopicConfigs("tuned", new Dictionary<string, string?>()), Timeout);
            Assert.Equal(ErrorCode.None, replaced.Error);
            Assert.Equal(ErrorCode.None, (await restarted.Partitions.Ask<AppendBatchesResult>(new AppendBatches(partition, Batch(10)), Timeout)).Error);
        }
        finally
        {
            await BrokerSystem.StopAsync(second);
        }
    }

    public void Dispose() => _dataDir.Dispose();
}
