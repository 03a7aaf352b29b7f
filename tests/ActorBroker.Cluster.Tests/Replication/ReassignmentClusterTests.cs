using System.Collections.Immutable;
using Akka.Actor;
using ActorBroker.Cluster.Partitions;
using ActorBroker.Cluster.Topics;
using ActorBroker.Protocol;
using ActorBroker.Protocol.Records;
using ActorBroker.TestKit;

namespace ActorBroker.Cluster.Tests.Replication;

/// <summary>Reassignment on broker nodes in this process (real remoting, one shared journal): the new replica copies
/// the log before the switch, leadership moves into the target, removed replicas delete their copy, and
/// auto-rebalance spreads replicas onto a node that joins.</summary>
public sealed class ReassignmentClusterTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan MoveTimeout = TimeSpan.FromSeconds(60);

    private static byte[] Batch(int n) => new RecordBatchBuilder().Add($"key-{n}", $"value-{n}").Build();

    private static async Task<TopicDescription> CreateTopicAsync(InProcessCluster cluster, string name, int partitions, short replicationFactor)
    {
        var created = await cluster.Node(1).Topics.Ask<CreateTopicResult>(
            new CreateTopic(name, partitions, replicationFactor, ImmutableSortedDictionary<string, string>.Empty), Timeout);
        Assert.Equal(ErrorCode.None, created.Error);
        return created.Topic!;
    }

    private static async Task<AppendBatchesResult> ProduceAsync(InProcessCluster cluster, int viaNode, TopicPartition partition, int n)
    {
        AppendBatchesResult result = null!;
        await cluster.WaitForAsync(async () => (result = await cluster.Node(viaNode).Partitions.Ask<AppendBatchesResult>(
                new AppendBatches(partition, Batch(n), AcksAll: true), Timeout)).Error == ErrorCode.None,
            MoveTimeout, $"record {n} is acknowledged on {partition}");
        return result;
    }

    private static string LogDirectory(InProcessCluster cluster, int node, TopicPartition partition) =>
        Path.Combine(cluster.DataDirectory(node), "logs", partition.EntityId);

    [Fact]
    public async Task The_new_replica_has_every_record_at_the_switch_leadership_moves_to_it_and_the_removed_replica_deletes_its_copy()
    {
        await using var cluster = await InProcessCluster.StartAsync(3);
        var topic = await CreateTopicAsync(cluster, "moved", 1, 2);
        var partition = new TopicPartition("moved", 0);
        var before = topic.Assignments[0];
        int oldLeader = before.Leader, kept = before.Replicas.Single(r => r != oldLeader), added = Enumerable.Range(1, 3).Single(n => !before.Replicas.Contains(n));
        for (int n = 0; n < 50; n++)
            Assert.Equal(n, (await ProduceAsync(cluster, kept, partition, n)).BaseOffset);

        var reassigned = await cluster.Node(kept).Topics.Ask<AlterReassignmentsResult>(
            new AlterReassignments([new ReassignPartition(partition, [added, kept])]), Timeout);
        Assert.Equal(ErrorCode.None, reassigned.Partitions.Single().Error);

        await cluster.WaitForAsync(async () => (await cluster.DescribeAsync("moved", kept)).Assignments[0] is { Reassignment: null } a && a.Leader == added,
            MoveTimeout, $"node {added} leads after the switch");
        var after = (await cluster.DescribeAsync("moved", kept)).Assignments[0];
        Assert.Equal([added, kept], after.Replicas.ToArray());
        Assert.True(after.LeaderEpoch > before.LeaderEpoch);

        // The new leader continues the log where the old one stopped: nothing acknowledged was left behind.
        Assert.Equal(50, (await ProduceAsync(cluster, oldLeader, partition, 50)).BaseOffset);
        var read = await cluster.Node(added).Partitions.Ask<ReadBatchesResult>(new ReadBatches(partition, 0, 1 << 20, true), Timeout);
        Assert.Equal(51, read.HighWatermark);
        Assert.Equal(51, RecordBatchCount(read.Records.Span));

        await cluster.WaitForAsync(() => !Directory.Exists(LogDirectory(cluster, oldLeader, partition)), MoveTimeout,
            $"node {oldLeader} deleted its copy of {partition}");
        Assert.True(Directory.Exists(LogDirectory(cluster, kept, partition)));
    }

    [Fact]
    public async Task Auto_rebalance_moves_replicas_onto_a_node_that_joins_until_they_are_even()
    {
        await using var cluster = await InProcessCluster.StartAsync(3, """
            actorbroker.cluster.auto-rebalance = on
            actorbroker.cluster.auto-rebalance-interval = 1s
            actorbroker.cluster.auto-rebalance-max-moves = 2
            """);
        await CreateTopicAsync(cluster, "spread", 6, 3);
        for (int p = 0; p < 6; p++)
            await ProduceAsync(cluster, 1, new TopicPartition("spread", p), p);

        int joined = await cluster.AddNodeAsync();

        await cluster.WaitForAsync(async () =>
        {
            var assignments = (await cluster.DescribeAsync("spread", 1)).Assignments;
            var perNode = Enumerable.Range(1, joined).Select(n => assignments.Count(a => a.Replicas.Contains(n))).ToList();
            return assignments.All(a => a.Reassignment is null) && perNode.Max() - perNode.Min() <= 1;
        }, TimeSpan.FromSeconds(120), $"replicas are spread evenly over nodes 1-{joined}");
        var moved = (await cluster.DescribeAsync("spread", 1)).Assignments
            .Select((a, p) => (Partition: new TopicPartition("spread", p), Assignment: a))
            .Where(x => x.Assignment.Replicas.Contains(joined))
            .ToList();
        Assert.Equal(4, moved.Count);
        foreach (var (partition, _) in moved)
            await cluster.WaitForAsync(() => File.Exists(Path.Combine(LogDirectory(cluster, joined, partition), "00000000000000000000.log"))
                                             && new FileInfo(Path.Combine(LogDirectory(cluster, joined, partition), "00000000000000000000.log")).Length > 0,
                MoveTimeout, $"node {joined} holds the records of {partition}");
    }

    private static int RecordBatchCount(ReadOnlySpan<byte> records)
    {
        int count = 0;
        while (records.Length >= 12)
        {
            int length = System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(records[8..]);
            records = records[(12 + length)..];
            count++;
        }
        return count;
    }
}
