using ActorBroker.Cluster.Topics;

namespace ActorBroker.Cluster.Tests.Topics;

public class RebalancePlannerTests
{
    private static IReadOnlyList<PartitionReplicas> Placed(int partitions, int replicationFactor, int[] brokers) =>
        ReplicaPlacement.Assign(0, partitions, replicationFactor, brokers, start: 0)
            .Select((a, p) => new PartitionReplicas(new TopicPartition("t", p), a.Replicas))
            .ToList();

    private static IReadOnlyList<PartitionReplicas> After(IReadOnlyList<PartitionReplicas> current, IReadOnlyList<PartitionReplicas> plan) =>
        current.Select(p => plan.FirstOrDefault(m => m.Partition == p.Partition) ?? p).ToList();

    [Fact]
    public void A_new_fourth_broker_gets_an_even_share_of_replicas_and_leads_a_partition()
    {
        var current = Placed(6, 3, [1, 2, 3]);

        var plan = RebalancePlanner.Plan(current, [1, 2, 3, 4], maxMoves: 100);
        var after = After(current, plan);

        Assert.Equal(4, plan.Count);
        var counts = new[] { 1, 2, 3, 4 }.Select(b => after.Count(p => p.Replicas.Contains(b))).ToArray();
        Assert.True(counts.Max() - counts.Min() <= 1, $"replicas per broker: {string.Join(",", counts)}");
        Assert.Contains(after, p => p.Replicas[0] == 4);
        Assert.All(plan, m => Assert.Equal(3, m.Replicas.Distinct().Count()));
    }

    [Fact]
    public void An_even_placement_needs_no_moves_and_the_limit_bounds_a_plan()
    {
        Assert.Empty(RebalancePlanner.Plan(Placed(6, 3, [1, 2, 3]), [1, 2, 3], maxMoves: 100));
        Assert.Equal(2, RebalancePlanner.Plan(Placed(6, 3, [1, 2, 3]), [1, 2, 3, 4], maxMoves: 2).Count);
    }

    [Fact]
    public void A_move_keeps_the_replica_position_so_a_moved_leader_hands_leadership_to_the_new_broker()
    {
        var current = new List<PartitionReplicas> { new(new TopicPartition("t", 0), [1, 2]), new(new TopicPartition("t", 1), [1, 2]) };

        var plan = RebalancePlanner.Plan(current, [1, 2, 3], maxMoves: 10);

        var move = Assert.Single(plan);
        Assert.Equal([3, 2], move.Replicas.ToArray());
    }
}
