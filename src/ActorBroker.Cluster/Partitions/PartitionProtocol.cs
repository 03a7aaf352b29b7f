using System.Collections.Immutable;
using ActorBroker.Protocol;
using ActorBroker.Cluster.Serialization;

namespace ActorBroker.Cluster.Partitions;

/// <summary>Every message for a partition entity names its partition; the shard extractor routes by it.</summary>
public interface IPartitionCommand : IClusterMessage
{
    TopicPartition Partition { get; }
}

// Commands

/// <summary>
/// Appends producer batches (RecordBatch v2, possibly several back to back). The actor validates them, stamps
/// base offsets and its leader epoch into <paramref name="Batches"/> in place, and writes the same bytes. With
/// <paramref name="WaitForFsync"/> the reply comes only after the log is fsynced (acks=all on a single replica
/// when <c>actorbroker.log.acks-all-waits-for-fsync</c> is on).
/// </summary>
/// With <paramref name="AcksAll"/> (acks=all) the append is refused with NOT_ENOUGH_REPLICAS while the ISR is smaller
/// than min.insync.replicas, and answered once every in-sync replica has the batches (the high watermark passed them).
public sealed record AppendBatches(TopicPartition Partition, Memory<byte> Batches, bool WaitForFsync = false, bool AcksAll = false) : IPartitionCommand;

/// <summary>Reads whole batches from <paramref name="Offset"/> up to <paramref name="MaxBytes"/> (the high watermark bounds it: consumers never see unreplicated records).</summary>
public sealed record ReadBatches(TopicPartition Partition, long Offset, int MaxBytes, bool MinOneBatch) : IPartitionCommand;

/// <summary>Replies <see cref="LogAdvanced"/> once the high watermark passes <paramref name="Offset"/>, or at <paramref name="Deadline"/>.</summary>
public sealed record AwaitLogEnd(TopicPartition Partition, long Offset, DateTime Deadline) : IPartitionCommand;

public sealed record GetPartitionState(TopicPartition Partition) : IPartitionCommand;

/// <summary>ListOffsets by timestamp: the first offset whose record timestamp is at least <paramref name="Timestamp"/>.</summary>
public sealed record FindOffsetForTimestamp(TopicPartition Partition, long Timestamp) : IPartitionCommand;

/// <summary>Kafka's DeleteRecords: make <paramref name="Offset"/> the log start offset (-1: the high watermark).</summary>
public sealed record DeleteRecordsBefore(TopicPartition Partition, long Offset) : IPartitionCommand;

/// <summary>Sent by the topic registry when the partition's topic is deleted: remove the log and the journal.</summary>
public sealed record DeletePartition(TopicPartition Partition, Guid TopicId) : IPartitionCommand;

/// <summary>
/// Sent by the topic registry after the partition's topic configs changed: <paramref name="Configs"/> is the
/// topic's complete new set of overrides. The partition applies what it can at run time; no reply.
/// </summary>
public sealed record TopicConfigChanged(TopicPartition Partition, Guid TopicId, ImmutableSortedDictionary<string, string> Configs) : IPartitionCommand;

/// <summary>
/// A follower on node <paramref name="FollowerNode"/> copies the leader's log from <paramref name="FetchOffset"/>
/// (it has everything below it). The leader answers with whole batches (bounded by its log end, not the high
/// watermark) as soon as there are any, or empty at <paramref name="Deadline"/>. Kafka's follower Fetch.
/// </summary>
public sealed record ReplicaFetch(TopicPartition Partition, int FollowerNode, long FetchOffset, int MaxBytes, int LeaderEpoch, DateTime Deadline) : IPartitionCommand
{
    /// <summary>
    /// The asker sends the answer on from this node and takes a <see cref="ReplicaFetchFileResult"/> (records as a
    /// range of a segment file) where one fits; the leader gives one only to an asker on its own node.
    /// </summary>
    public bool TakesFileSlice { get; init; }
}

/// <summary>Kafka's OffsetForLeaderEpoch: the largest epoch the leader knows that is at most <paramref name="Epoch"/>, and where it ended.</summary>
public sealed record GetEpochEnd(TopicPartition Partition, int Epoch) : IPartitionCommand;

/// <summary>Sent by the controller when it changed the partition's assignment (ISR or leader) by itself, e.g. after a broker died.</summary>
public sealed record AssignmentChanged(TopicPartition Partition, Guid TopicId, Topics.PartitionAssignment Assignment) : IPartitionCommand;

// Replies

/// <param name="LogAppendTimeMs">The time stamped into the batches when the topic uses LogAppendTime, else -1 (Produce's LogAppendTimeMs).</param>
public sealed record AppendBatchesResult(ErrorCode Error, long BaseOffset, long LogStartOffset, string? ErrorMessage = null, long LogAppendTimeMs = -1) : IClusterMessage;

public sealed record ReadBatchesResult(
    ErrorCode Error,
    ReadOnlyMemory<byte> Records,
    long HighWatermark,
    long LogStartOffset) : IClusterMessage;

public sealed record LogAdvanced(TopicPartition Partition, long LogEndOffset) : IClusterMessage;

/// <param name="LeaderEpoch">The leader's current epoch; a follower that expected another one re-checks for divergence.</param>
public sealed record ReplicaFetchResult(ErrorCode Error, ReadOnlyMemory<byte> Records, long HighWatermark, long LogStartOffset, int LeaderEpoch) : IClusterMessage;

/// <summary>
/// A <see cref="ReplicaFetchResult"/> whose records are a range of the leader's segment file, for the replication
/// stream to send with sendfile(2) (<see cref="ReplicaFetch.TakesFileSlice"/>). <see cref="Result"/> carries no records.
/// Stays on the leader's node: not a cluster message.
/// </summary>
public sealed record ReplicaFetchFileResult(ReplicaFetchResult Result, Storage.LogFileSlice Records);

/// <summary><paramref name="Epoch"/> is -1 and <paramref name="EndOffset"/> -1 when the leader knows no epoch at or below the one asked for.</summary>
public sealed record EpochEndResult(ErrorCode Error, int Epoch, long EndOffset) : IClusterMessage;

public sealed record DeleteRecordsResult(ErrorCode Error, long LowWatermark) : IClusterMessage;

public sealed record PartitionStateResult(
    ErrorCode Error,
    long LogStartOffset,
    long HighWatermark,
    long LogEndOffset,
    int LeaderEpoch) : IClusterMessage;

/// <summary>The first record at or after the requested timestamp: its offset and its own timestamp (-1, -1 when none).</summary>
public sealed record FindOffsetForTimestampResult(ErrorCode Error, long Offset, long Timestamp, int LeaderEpoch) : IClusterMessage;

// Events (journal holds metadata only; records live in the segment files)

public sealed record LogCreated(TopicPartition Partition, Guid TopicId, DateTime CreatedAt) : IPersistedMessage;

public sealed record LeaderEpochStarted(int Epoch, long StartOffset) : IPersistedMessage;

/// <summary>Retention deleted whole segments; the log now starts at <paramref name="LogStartOffset"/>.</summary>
public sealed record SegmentsDeleted(long LogStartOffset, int Segments, long Bytes, DateTime At) : IPersistedMessage;

/// <summary>DeleteRecords moved the log start offset.</summary>
public sealed record LogStartOffsetAdvanced(long LogStartOffset, DateTime At) : IPersistedMessage;
