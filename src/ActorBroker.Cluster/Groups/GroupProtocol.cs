using ActorBroker.Cluster.Serialization;
using ActorBroker.Protocol;

namespace ActorBroker.Cluster.Groups;

/// <summary>Every message for a group coordinator names its group; the shard extractor routes by it.</summary>
public interface IGroupCommand : IClusterMessage
{
    string GroupId { get; }
}

public sealed record MemberProtocol(string Name, byte[] Metadata) : IClusterMessage;

public sealed record MemberAssignment(string MemberId, byte[] Assignment) : IClusterMessage;

public sealed record CommittedOffset(long Offset, int LeaderEpoch, string? Metadata, long CommitTimestampMs) : IClusterMessage;

public sealed record OffsetToCommit(TopicPartition Partition, long Offset, int LeaderEpoch, string? Metadata) : IClusterMessage;

// Commands (NowMs is the coordinator's clock, stamped by the actor, so decisions stay pure)

public sealed record JoinGroup(
    string GroupId,
    string MemberId,
    string? GroupInstanceId,
    string ClientId,
    string ClientHost,
    int SessionTimeoutMs,
    int RebalanceTimeoutMs,
    string ProtocolType,
    IReadOnlyList<MemberProtocol> Protocols,
    bool RequireKnownMemberId) : IGroupCommand;

public sealed record SyncGroup(
    string GroupId,
    string MemberId,
    string? GroupInstanceId,
    int GenerationId,
    string? ProtocolType,
    string? ProtocolName,
    IReadOnlyList<MemberAssignment> Assignments) : IGroupCommand;

public sealed record Heartbeat(string GroupId, string MemberId, string? GroupInstanceId, int GenerationId) : IGroupCommand;

public sealed record LeavingMember(string MemberId, string? GroupInstanceId) : IClusterMessage;

public sealed record LeaveGroup(string GroupId, IReadOnlyList<LeavingMember> Members) : IGroupCommand;

public sealed record CommitOffsets(
    string GroupId,
    string MemberId,
    string? GroupInstanceId,
    int GenerationId,
    IReadOnlyList<OffsetToCommit> Offsets) : IGroupCommand;

/// <summary>Committed offsets of <paramref name="Partitions"/>, or of every partition when null.</summary>
public sealed record FetchOffsets(string GroupId, IReadOnlyList<TopicPartition>? Partitions) : IGroupCommand;

public sealed record DescribeGroup(string GroupId) : IGroupCommand;

public sealed record DeleteGroup(string GroupId) : IGroupCommand;

public sealed record DeleteOffsets(string GroupId, IReadOnlyList<TopicPartition> Partitions) : IGroupCommand;

/// <summary>"Where do you run?" (FindCoordinator): the coordinator answers with its actor system's address.</summary>
public sealed record LocateGroup(string GroupId) : IGroupCommand;

// Replies

public sealed record JoinGroupMember(string MemberId, string? GroupInstanceId, byte[] Metadata) : IClusterMessage;

public sealed record JoinGroupResult(
    ErrorCode Error,
    int GenerationId,
    string? ProtocolType,
    string? ProtocolName,
    string LeaderId,
    string MemberId,
    IReadOnlyList<JoinGroupMember> Members) : IClusterMessage
{
    public static JoinGroupResult Failed(ErrorCode error, string memberId = "") =>
        new(error, -1, null, null, "", memberId, []);
}

public sealed record SyncGroupResult(ErrorCode Error, string? ProtocolType, string? ProtocolName, byte[] Assignment) : IClusterMessage
{
    public static SyncGroupResult Failed(ErrorCode error) => new(error, null, null, []);
}

public sealed record HeartbeatResult(ErrorCode Error) : IClusterMessage;

public sealed record LeaveGroupResult(ErrorCode Error, IReadOnlyList<(LeavingMember Member, ErrorCode Error)> Members) : IClusterMessage;

public sealed record CommitOffsetsResult(ErrorCode Error, IReadOnlyList<(TopicPartition Partition, ErrorCode Error)> Partitions) : IClusterMessage;

public sealed record FetchOffsetsResult(ErrorCode Error, IReadOnlyList<(TopicPartition Partition, CommittedOffset? Offset)> Offsets) : IClusterMessage;

public sealed record DescribedMember(
    string MemberId,
    string? GroupInstanceId,
    string ClientId,
    string ClientHost,
    byte[] Metadata,
    byte[] Assignment) : IClusterMessage;

public sealed record GroupDescription(
    ErrorCode Error,
    string GroupId,
    string State,
    string ProtocolType,
    string Protocol,
    IReadOnlyList<DescribedMember> Members) : IClusterMessage;

public sealed record DeleteGroupResult(ErrorCode Error) : IClusterMessage;

/// <summary>The coordinator of <paramref name="GroupId"/> runs in the actor system at <paramref name="Address"/> (Akka address, as text).</summary>
public sealed record GroupLocated(string GroupId, string Address) : IClusterMessage;

public sealed record DeleteOffsetsResult(ErrorCode Error, IReadOnlyList<(TopicPartition Partition, ErrorCode Error)> Partitions) : IClusterMessage;

// Events

public sealed record PersistedMember(
    string MemberId,
    string? GroupInstanceId,
    string ClientId,
    string ClientHost,
    int SessionTimeoutMs,
    int RebalanceTimeoutMs,
    IReadOnlyList<MemberProtocol> Protocols,
    byte[] Assignment);

/// <summary>A rebalance finished: the leader's assignment is known and every member is Stable.</summary>
public sealed record GenerationCompleted(
    int GenerationId,
    string ProtocolType,
    string ProtocolName,
    string LeaderId,
    IReadOnlyList<PersistedMember> Members) : IPersistedMessage;

/// <summary>The last member left or expired; the group keeps its offsets.</summary>
public sealed record GroupEmptied(int GenerationId) : IPersistedMessage;

public sealed record PartitionOffset(TopicPartition Partition, CommittedOffset Offset);

public sealed record OffsetsCommitted(IReadOnlyList<PartitionOffset> Offsets) : IPersistedMessage;

public sealed record OffsetsDeleted(IReadOnlyList<TopicPartition> Partitions) : IPersistedMessage;

public sealed record GroupDeleted(string GroupId) : IPersistedMessage;
