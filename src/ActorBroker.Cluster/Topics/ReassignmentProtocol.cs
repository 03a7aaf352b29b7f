using System.Collections.Immutable;
using ActorBroker.Cluster.Serialization;
using ActorBroker.Protocol;

namespace ActorBroker.Cluster.Topics;

// Commands

/// <summary>One partition of Kafka's AlterPartitionReassignments (API 45): move it to <paramref name="Replicas"/>
/// (the preferred leader first), or cancel its reassignment in progress when null.</summary>
public sealed record ReassignPartition(TopicPartition Partition, IReadOnlyList<int>? Replicas) : IClusterMessage;

/// <summary>Starts, redirects or cancels reassignments; each partition is answered on its own.</summary>
public sealed record AlterReassignments(IReadOnlyList<ReassignPartition> Partitions) : IClusterMessage;

/// <summary>Kafka's ListPartitionReassignments (API 46): the reassignments in progress, of the given partitions or all (null).</summary>
public sealed record ListReassignments(IReadOnlyList<TopicPartition>? Partitions) : IClusterMessage;

// Replies

public sealed record ReassignmentOutcome(TopicPartition Partition, ErrorCode Error, string? ErrorMessage) : IClusterMessage;

public sealed record AlterReassignmentsResult(IReadOnlyList<ReassignmentOutcome> Partitions) : IClusterMessage;

/// <param name="Replicas">The replica set now (target first, then the replicas being removed).</param>
public sealed record OngoingReassignment(TopicPartition Partition, ImmutableArray<int> Replicas, ImmutableArray<int> Adding, ImmutableArray<int> Removing) : IClusterMessage;

public sealed record ListReassignmentsResult(IReadOnlyList<OngoingReassignment> Reassignments) : IClusterMessage;
