using System.Collections.Immutable;
using ActorBroker.Protocol;

namespace ActorBroker.Cluster.Topics;

/// <summary>A topic as the registry records it.</summary>
public sealed record TopicDescription(
    string Name,
    Guid TopicId,
    int PartitionCount,
    short ReplicationFactor,
    ImmutableSortedDictionary<string, string> Configs)
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
    bool ValidateOnly = false);

public sealed record DeleteTopic(string Name);

/// <summary>Looks topics up; with <paramref name="Names"/> null, every topic. Unknown ones are created when
/// <paramref name="AutoCreate"/> is set and the broker allows it.</summary>
public sealed record DescribeTopics(IReadOnlyList<string>? Names, bool AutoCreate);

// Replies
public sealed record CreateTopicResult(string Name, ErrorCode Error, string? ErrorMessage, TopicDescription? Topic);

public sealed record DeleteTopicResult(string Name, ErrorCode Error, string? ErrorMessage, Guid TopicId);

public sealed record TopicLookup(string Name, ErrorCode Error, TopicDescription? Topic);

public sealed record DescribeTopicsResult(IReadOnlyList<TopicLookup> Topics);

// Events
public sealed record TopicCreated(TopicDescription Topic);

public sealed record TopicDeleted(string Name, Guid TopicId, int PartitionCount);
