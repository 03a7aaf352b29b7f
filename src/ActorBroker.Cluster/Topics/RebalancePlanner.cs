using System.Collections.Immutable;

namespace ActorBroker.Cluster.Topics;

/// <summary>A partition and where it is (or should be): its replicas, the preferred leader first.</summary>
public sealed record PartitionReplicas(TopicPartition Partition, ImmutableArray<int> Replicas);

/// <summary>
/// Plans reassignments that spread replicas evenly over brokers (a broker that just joined holds none): as long as
/// the busiest broker holds at least two replicas more than the idlest, one replica of a partition moves from the
/// busiest to the idlest, in the same position, so a moved first replica makes the idlest broker the partition's
/// leader at the switch; such moves are preferred while the busiest broker also leads at least two partitions more.
/// Each partition moves at most once per plan, and a plan has at most <c>maxMoves</c> partitions. Pure and deterministic.
/// Worked example: 6 partitions with 3 replicas on brokers 1-3 (6 each, leaders 2 each) and a new broker 4: four
/// moves give 4,5,5,4 replicas, and broker 4 leads one partition.
/// </summary>
public static class RebalancePlanner
{
    public static IReadOnlyList<PartitionReplicas> Plan(IReadOnlyList<PartitionReplicas> current, IEnumerable<int> brokers, int maxMoves)
    {
        var nodes = brokers.Order().ToList();
        var replicas = nodes.ToDictionary(b => b, b => current.Count(p => p.Replicas.Contains(b)));
        var leaders = nodes.ToDictionary(b => b, b => current.Count(p => p.Replicas.Length > 0 && p.Replicas[0] == b));
        var plan = new List<PartitionReplicas>();
        var moved = new HashSet<TopicPartition>();
        while (plan.Count < maxMoves && nodes.Count > 1)
        {
            int busiest = nodes.MaxBy(b => replicas[b]);
            int idlest = nodes.MinBy(b => replicas[b]);
            if (replicas[busiest] - replicas[idlest] <= 1)
                break;
            bool moveLeadership = leaders[busiest] - leaders[idlest] > 1;
            var candidate = current
                .Where(p => !moved.Contains(p.Partition) && p.Replicas.Contains(busiest) && !p.Replicas.Contains(idlest))
                .OrderByDescending(p => (p.Replicas[0] == busiest) == moveLeadership)
                .FirstOrDefault();
            if (candidate is null)
                break;
            var target = candidate.Replicas.Replace(busiest, idlest);
            plan.Add(candidate with { Replicas = target });
            moved.Add(candidate.Partition);
            replicas[busiest]--;
            replicas[idlest]++;
            if (candidate.Replicas[0] == busiest)
            {
                leaders[busiest]--;
                leaders[idlest]++;
            }
        }
        return plan;
    }
}
