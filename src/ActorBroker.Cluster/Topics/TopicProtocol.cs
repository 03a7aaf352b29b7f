using System.Collections.Immutable;
using ActorBroker.Cluster.Serialization;
using ActorBroker.Protocol;

namespace ActorBroker.Cluster.Topics;

/// <summary>A topic as the registry records it.</summary>
public sealed record TopicDescription(
    string Name,
    Guid TopicId,
    int PartitionCount,
    short ReplicationFactor,
    ImmutableSortedDictionary<string, string> Configs) : IClusterMessage
{
    /// <summary>Where each partition lives (index = partition). Empty only in journals written before placement
    /// existed (single-node), which the registry fills in on recovery.</summary>
    public ImmutableArray<PartitionAssignment> Assignments { get; init; } = [];

    public IEnumerable<TopicPartition> Partitions =>
        Enumerable.Range(0, PartitionCount).Select(p => new TopicPartition(Name, p));

    /// <summary>Whether data requests for <paramref name="partition"/> can be served: UNKNOWN_TOPIC_OR_PARTITION
    /// outside the topic, LEADER_NOT_AVAILABLE while it is offline, else NONE.</summary>
    public ErrorCode Availability(int partition) =>
        partition < 0 || partition >= PartitionCount ? ErrorCode.UnknownTopicOrPartition
        : partition < Assignments.Length && !Assignments[partition].IsOnline ? ErrorCode.LeaderNotAvailable
        : ErrorCode.None;
}

// Commands
public sealed record CreateTopic(
    string Name,
    int Partitions,
    short ReplicationFactor,
    ImmutableSortedDictionary<string, string> Configs,
    bool ValidateOnly = false) : IClusterMessage;

/// <summary>
/// Kafka's CreatePartitions (API 37): grow the topic to <paramref name="TotalCount"/> partitions, placed by the
/// controller or on the replicas given per new partition in <paramref name="Assignments"/>.
/// </summary>
public sealed record AddPartitions(string Name, int TotalCount, IReadOnlyList<IReadOnlyList<int>>? Assignments, bool ValidateOnly = false) : IClusterMessage;

public sealed record AddPartitionsResult(string Name, ErrorCode Error, string? ErrorMessage) : IClusterMessage;

public sealed record DeleteTopic(string Name) : IClusterMessage;

/// <summary>
/// Kafka's AlterConfigs (API 33): the topic's overrides become exactly <paramref name="Configs"/>; every config
/// not named falls back to its broker default. A null value is an invalid request, as in Kafka.
/// </summary>
public sealed record ReplaceTopicConfigs(string Name, IReadOnlyDictionary<string, string?> Configs, bool ValidateOnly = false) : IClusterMessage;

/// <summary>Kafka's IncrementalAlterConfigs operations (AlterConfigOp.OpType), by their wire value.</summary>
public enum ConfigOperation : sbyte
{
    Set = 0,
    Delete = 1,
    Append = 2,
    Subtract = 3,
}

public sealed record ConfigAlteration(string Name, ConfigOperation Operation, string? Value) : IClusterMessage;

/// <summary>Kafka's IncrementalAlterConfigs (API 44): applies each operation to the topic's current overrides.</summary>
public sealed record AlterTopicConfigs(string Name, IReadOnlyList<ConfigAlteration> Alterations, bool ValidateOnly = false) : IClusterMessage;

/// <summary>Looks topics up; with <paramref name="Names"/> null, every topic. Unknown ones are created when
/// <paramref name="AutoCreate"/> is set and the broker allows it.</summary>
public sealed record DescribeTopics(IReadOnlyList<string>? Names, bool AutoCreate) : IClusterMessage;

/// <summary>
/// Sent by a partition entity when it starts on node <paramref name="NodeId"/>: the registry confirms that the node
/// is the partition's leader and starts a new leader epoch (at least <paramref name="MinEpoch"/>, the entity's own
/// last epoch + 1), or refuses (NOT_LEADER_OR_FOLLOWER, UNKNOWN_TOPIC_OR_PARTITION).
/// </summary>
public sealed record BecomeLeader(TopicPartition Partition, int NodeId, int MinEpoch) : IClusterMessage;

/// <summary>
/// A leader asks the controller to change its partition's in-sync replicas (shrink a lagging follower, add one that
/// caught up). Refused (FENCED_LEADER_EPOCH) unless <paramref name="Leader"/> and <paramref name="LeaderEpoch"/> are current.
/// </summary>
public sealed record AlterIsr(TopicPartition Partition, int Leader, int LeaderEpoch, ImmutableArray<int> Isr) : IClusterMessage;

/// <summary>Asked by the shard allocation strategy: which node leads this partition entity (-1: none, offline).</summary>
public sealed record LocatePartition(string EntityId) : IClusterMessage;

/// <summary>Asked by the shard allocation strategy when rebalancing: every partition entity's leader node.</summary>
public sealed record GetPartitionLeaders : IClusterMessage
{
    public static readonly GetPartitionLeaders Instance = new();
}

// Replies
public sealed record LeadershipResult(ErrorCode Error, string? ErrorMessage, TopicDescription? Topic, int LeaderEpoch) : IClusterMessage;

/// <param name="Exists">False for a partition of no known topic: any node may answer that (UNKNOWN_TOPIC_OR_PARTITION).</param>
public sealed record PartitionLocation(string EntityId, bool Exists, int Leader) : IClusterMessage;

public sealed record AlterIsrResult(ErrorCode Error, string? ErrorMessage, PartitionAssignment? Assignment) : IClusterMessage;

public sealed record PartitionLeaders(ImmutableDictionary<string, int> LeaderByEntityId) : IClusterMessage;

public sealed record CreateTopicResult(string Name, ErrorCode Error, string? ErrorMessage, TopicDescription? Topic) : IClusterMessage;

public sealed record DeleteTopicResult(string Name, ErrorCode Error, string? ErrorMessage, Guid TopicId) : IClusterMessage;

/// <summary>The answer to <see cref="ReplaceTopicConfigs"/> and <see cref="AlterTopicConfigs"/>; on success,
/// <paramref name="Topic"/> carries the overrides as they are (or, when validating only, would be).</summary>
public sealed record AlterTopicConfigsResult(string Name, ErrorCode Error, string? ErrorMessage, TopicDescription? Topic) : IClusterMessage;

public sealed record TopicLookup(string Name, ErrorCode Error, TopicDescription? Topic) : IClusterMessage;

public sealed record DescribeTopicsResult(IReadOnlyList<TopicLookup> Topics) : IClusterMessage;

// Events
public sealed record TopicCreated(TopicDescription Topic) : IPersistedMessage;

public sealed record TopicDeleted(string Name, Guid TopicId, int PartitionCount) : IPersistedMessage;

/// <summary>The topic grew: <paramref name="Added"/> are the new partitions' assignments, numbered from the old count.</summary>
public sealed record PartitionsAdded(string Name, Guid TopicId, ImmutableArray<PartitionAssignment> Added) : IPersistedMessage;

/// <summary>A partition's leader, epoch or ISR changed: <paramref name="Assignment"/> is its complete new assignment.</summary>
public sealed record PartitionAssignmentChanged(string Topic, Guid TopicId, int Partition, PartitionAssignment Assignment) : IPersistedMessage;

/// <summary>The topic's overrides were altered: <paramref name="Configs"/> is the complete new set.</summary>
public sealed record TopicConfigsChanged(string Name, Guid TopicId, ImmutableSortedDictionary<string, string> Configs) : IPersistedMessage;
