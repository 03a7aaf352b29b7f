using System.Collections.Immutable;
using ActorBroker.Cluster.Serialization;
using ActorBroker.Cluster.Topics;

namespace ActorBroker.Cluster.Replication;

/// <summary>One partition a node follows: its topic (for the log configs), its index and its current assignment.</summary>
public sealed record FollowedPartition(TopicDescription Topic, int Partition, PartitionAssignment Assignment) : IClusterMessage
{
    public TopicPartition TopicPartition => new(Topic.Name, Partition);
}

/// <summary>
/// From the controller to node <paramref name="NodeId"/>'s replica manager: every partition that node follows now
/// (a replica, not the leader, of an online partition). Complete and idempotent; re-sent on every change and periodically.
/// </summary>
public sealed record FollowPartitions(int NodeId, ImmutableArray<FollowedPartition> Partitions) : IClusterMessage;

/// <summary>From a partition entity to its own node's replica manager: it leads now (in <paramref name="LeaderEpoch"/>), so stop following.</summary>
public sealed record StopFollowing(TopicPartition Partition, int LeaderEpoch);

/// <summary>From the controller to every broker: the topic was deleted; remove this node's replicas of it.</summary>
public sealed record DeleteReplicas(string Topic, Guid TopicId, int PartitionCount) : IClusterMessage;

/// <summary>
/// From the controller to a node that is no longer a replica of <paramref name="Partition"/> (a reassignment moved it
/// away): stop following it and delete the local copy, once neither its follower nor its former leader entity holds
/// the log. Ignored if the node follows or leads the partition again by then.
/// </summary>
public sealed record RemoveReplica(TopicPartition Partition, Guid TopicId) : IClusterMessage;
