using System.Collections.Immutable;
using Akka.Actor;
using Akka.Cluster;
using Akka.Cluster.Sharding;
using ActorBroker.Cluster.Membership;
using ActorBroker.Cluster.Topics;
using AkkaCluster = Akka.Cluster.Cluster;

namespace ActorBroker.Cluster.Sharding;

/// <summary>
/// Shard allocation for the "partition" entities that obeys the controller: a partition's shard (one per partition)
/// goes to the shard region of the node the topic registry names as its leader, and a shard found on any other node
/// is rebalanced onto the leader. A partition with no leader (offline) or whose leader has no region yet is not
/// allocated at all (a partition of no known topic goes to the requesting region, whose entity refuses it): the allocation fails, the shard region keeps the messages and asks again (Akka's
/// <c>retry-interval</c>), so a partition is never started empty on a node that does not hold its data.
/// Runs inside the shard coordinator (a cluster singleton); the registry and directory are those of its node.
/// </summary>
public sealed class LeaderShardAllocationStrategy(ActorSystem system, IActorRef registry, BrokerDirectory brokers, TimeSpan askTimeout)
    : IShardAllocationStrategy
{
    public async Task<IActorRef> AllocateShard(IActorRef requester, string shardId, IImmutableDictionary<IActorRef, IImmutableList<string>> currentShardAllocations)
    {
        var location = await registry.Ask<PartitionLocation>(new LocatePartition(shardId), askTimeout).ConfigureAwait(false);
        if (!location.Exists)
            return requester; // the entity answers UNKNOWN_TOPIC_OR_PARTITION from wherever it starts, and creates no log
        if (location.Leader == PartitionAssignment.NoLeader)
            throw new InvalidOperationException($"Partition {shardId} is offline (no in-sync replica is alive); not allocating it.");
        return RegionOf(location.Leader, currentShardAllocations.Keys)
            ?? throw new InvalidOperationException($"Partition {shardId} is led by node {location.Leader}, which has no shard region yet.");
    }

    public async Task<IImmutableSet<string>> Rebalance(IImmutableDictionary<IActorRef, IImmutableList<string>> currentShardAllocations, IImmutableSet<string> rebalanceInProgress)
    {
        var leaders = await registry.Ask<PartitionLeaders>(GetPartitionLeaders.Instance, askTimeout).ConfigureAwait(false);
        var regions = currentShardAllocations.Keys.ToList();
        var misplaced = ImmutableHashSet.CreateBuilder<string>();
        foreach (var (region, shards) in currentShardAllocations)
        {
            // A region on a node that is unreachable or already downed cannot hand its shards off; the coordinator
            // deallocates them when the node is removed, and the next message allocates them on their new leader.
            if (MemberOf(region) is not { Reachable: true, Status: MemberStatus.Up or MemberStatus.WeaklyUp or MemberStatus.Leaving })
                continue;
            int? node = NodeOf(region);
            foreach (string shard in shards)
            {
                if (rebalanceInProgress.Contains(shard) || !leaders.LeaderByEntityId.TryGetValue(shard, out int leader))
                    continue;
                if (leader != node && leader != PartitionAssignment.NoLeader && RegionOf(leader, regions) is not null)
                    misplaced.Add(shard);
            }
        }
        return misplaced.ToImmutable();
    }

    private IActorRef? RegionOf(int nodeId, IEnumerable<IActorRef> regions) =>
        regions.FirstOrDefault(region => NodeOf(region) == nodeId);

    private int? NodeOf(IActorRef region) => MemberOf(region)?.Identity.NodeId;

    private BrokerMember? MemberOf(IActorRef region)
    {
        var address = region.Path.Address.HasGlobalScope ? region.Path.Address : AkkaCluster.Get(system).SelfAddress;
        return brokers.Current.ByAddress(address);
    }
}
