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
    public IEnumerable<TopicPartition> Partitions =>
        Enumerable.Range(0, PartitionCount).Select(p => new TopicPartition(Name, p));
}

// Commands
public sealed record CreateTopic(
    string Name,
    int Partitions,
    short ReplicationFactor,
    ImmutableSortedDictionary<string, string> Configs,
    bool ValidateOnly = false) : IClusterMessage;

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

// Replies
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

/// <summary>The topic's overrides were altered: <paramref name="Configs"/> is the complete new set.</summary>
public sealed record TopicConfigsChanged(string Name, Guid TopicId, ImmutableSortedDictionary<string, string> Configs) : IPersistedMessage;
