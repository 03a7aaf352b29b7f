using System.Collections.Immutable;
using Akka.Actor;
using ActorBroker.Cluster.Partitions;
using ActorBroker.Cluster.Topics;
using ActorBroker.Protocol;
using ActorBroker.Protocol.Records;
using ActorBroker.TestKit;

namespace ActorBroker.Cluster.Tests.Replication;

/// <summary>Three broker nodes in this process (real remoting, one shared journal): replication, ISR and failover.</summary>
public sealed class ReplicationClusterTests : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan FailoverTimeout = TimeSpan.FromSeconds(60);
    private InProcessCluster _cluster = null!;

    public async Task InitializeAsync() =>
        _cluster = await InProcessCluster.StartAsync(3, "actorbroker.replication.replica-lag-time-max = 3s");

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    private static byte[] Batch(int n) => new RecordBatchBuilder().Add($"key-{n}", $"value-{n}").Build();

    private async Task<TopicDescription> CreateReplicatedTopicAsync(string name, int minInsync = 1)
    {
        var configs = ImmutableSortedDictionary<string, string>.Empty.Add(TopicConfigs.MinInsyncReplicas, minInsync.ToString());
        var created = await _cluster.Node(1).Topics.Ask<CreateTopicResult>(new CreateTopic(name, 1, 3, configs), Timeout);
        Assert.Equal(ErrorCode.None, created.Error);
        return created.Topic!;
    }

    private Task<AppendBatchesResult> ProduceAsync(int viaNode, TopicPartition partition, int n) =>
        _cluster.Node(viaNode).Partitions.Ask<AppendBatchesResult>(new AppendBatches(partition, Batch(n), AcksAll: true), Timeout);

    private byte[] LocalLog(int node, TopicPartition partition)
    {
        string path = Path.Combine(_cluster.DataDirectory(node), "logs", partition.EntityId, "00000000000000000000.log");
        if (!File.Exists(path))
            return [];
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        var bytes = new byte[file.Length];
        file.ReadExactly(bytes);
        return bytes;
    }

    [Fact]
    public async Task Acks_all_records_reach_every_in_sync_replica_byte_for_byte()
    {
        var topic = await CreateReplicatedTopicAsync("replicated", minInsync: 3);
        var partition = new TopicPartition("replicated", 0);
        Assert.Equal(3, topic.Assignments[0].Isr.Length);

        for (int n = 0; n < 20; n++)
        {
            var result = await ProduceAsync(1 + n % 3, partition, n);
            Assert.Equal(ErrorCode.None, result.Error);
            Assert.Equal(n, result.BaseOffset);
        }

        var leaderLog = LocalLog(topic.Assignments[0].Leader, partition);
        await _cluster.WaitForAsync(() => Enumerable.Range(1, 3).All(node => LocalLog(node, partition).AsSpan().SequenceEqual(leaderLog)),
            FailoverTimeout, "every replica holds the leader's log");
        var state = await _cluster.Node(2).Partitions.Ask<PartitionStateResult>(new GetPartitionState(partition), Timeout);
        Assert.Equal(20, state.HighWatermark);
    }

    [Fact]
    public async Task When_the_leaders_node_is_downed_an_in_sync_replica_takes_over_with_every_acknowledged_record()
    {
        var topic = await CreateReplicatedTopicAsync("failover", minInsync: 2);
        var partition = new TopicPartition("failover", 0);
        int oldLeader = topic.Assignments[0].Leader;
        int survivor = Enumerable.Range(1, 3).First(n => n != oldLeader);
        for (int n = 0; n < 10; n++)
            Assert.Equal(ErrorCode.None, (await ProduceAsync(survivor, partition, n)).Error);

        await _cluster.DownAsync(oldLeader);
        await _cluster.WaitForAsync(async () => (await _cluster.DescribeAsync("failover", survivor)).Assignments[0] is { IsOnline: true } a && a.Leader != oldLeader,
            FailoverTimeout, "the controller elected a new leader");
        var after = (await _cluster.DescribeAsync("failover", survivor)).Assignments[0];
        Assert.DoesNotContain(oldLeader, after.Isr);
        Assert.True(after.LeaderEpoch > topic.Assignments[0].LeaderEpoch);

        AppendBatchesResult next = null!;
        await _cluster.WaitForAsync(async () => (next = await ProduceAsync(survivor, partition, 10)).Error == ErrorCode.None,
            FailoverTimeout, "the new leader accepts acks=all produce");
        Assert.Equal(10, next.BaseOffset);
        var read = await _cluster.Node(survivor).Partitions.Ask<ReadBatchesResult>(new ReadBatches(partition, 0, 1 << 20, true), Timeout);
        Assert.Equal(11, read.HighWatermark);
    }

    [Fact]
    public async Task Acks_all_is_refused_with_not_enough_replicas_once_the_isr_is_below_min_insync_replicas()
    {
        var topic = await CreateReplicatedTopicAsync("guarded", minInsync: 2);
        var partition = new TopicPartition("guarded", 0);
        int leader = topic.Assignments[0].Leader;
        Assert.Equal(ErrorCode.None, (await ProduceAsync(leader, partition, 0)).Error);

        foreach (int follower in Enumerable.Range(1, 3).Where(n => n != leader))
            await _cluster.DownAsync(follower);
        await _cluster.WaitForAsync(async () => (await _cluster.DescribeAsync("guarded", leader)).Assignments[0].Isr.Length == 1,
            FailoverTimeout, "the ISR shrank to the leader");

        AppendBatchesResult refused = null!;
        await _cluster.WaitForAsync(async () => (refused = await ProduceAsync(leader, partition, 1)).Error == ErrorCode.NotEnoughReplicas,
            FailoverTimeout, "acks=all is refused");
        var acksOne = await _cluster.Node(leader).Partitions.Ask<AppendBatchesResult>(new AppendBatches(partition, Batch(2)), Timeout);
        Assert.Equal(ErrorCode.None, acksOne.Error);
        Assert.Equal(1, acksOne.BaseOffset);
    }
}
