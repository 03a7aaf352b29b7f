using System.Runtime.Serialization;
using System.Text.Json;
using Akka.Actor;
using Akka.Serialization;
using ActorBroker.Cluster.Groups;
using ActorBroker.Cluster.Partitions;
using ActorBroker.Cluster.Replication;
using ActorBroker.Cluster.Replication.Stream;
using ActorBroker.Cluster.Topics;

namespace ActorBroker.Cluster.Serialization;

/// <summary>
/// Messages between nodes (<see cref="IClusterMessage"/>) as System.Text.Json under short, stable manifests, with
/// every byte payload (<c>byte[]</c>, <c>Memory&lt;byte&gt;</c>, <c>ReadOnlyMemory&lt;byte&gt;</c>: record batches,
/// member metadata, assignments) carried raw after the JSON instead of base64 inside it:
/// <code>
/// int32 BE  json length N
/// N bytes   UTF-8 JSON; a byte payload is written as [offset, length] into the blob section (null stays null)
/// rest      blob section: the payloads back to back
/// </code>
/// Read back, <c>Memory</c>/<c>ReadOnlyMemory</c> payloads are slices of the received frame (no copy); <c>byte[]</c>
/// payloads are copies. To add a message: mark it <see cref="IClusterMessage"/> and add one line to the table.
/// Thread-safe.
/// </summary>
public sealed class WireMessageSerializer(ExtendedActorSystem system) : SerializerWithStringManifest(system)
{
    public const int SerializerId = 7102;

    /// <summary>The manifest of every message that may cross nodes. Manifests are part of the wire format: never reuse one.</summary>
    public static readonly IReadOnlyDictionary<string, Type> TypesByManifest = new Dictionary<string, Type>
    {
        // Partitions
        ["p-append"] = typeof(AppendBatches),
        ["p-read"] = typeof(ReadBatches),
        ["p-await-end"] = typeof(AwaitLogEnd),
        ["p-get-state"] = typeof(GetPartitionState),
        ["p-find-ts"] = typeof(FindOffsetForTimestamp),
        ["p-delete-records"] = typeof(DeleteRecordsBefore),
        ["p-delete"] = typeof(DeletePartition),
        ["p-configs"] = typeof(TopicConfigChanged),
        ["p-append-r"] = typeof(AppendBatchesResult),
        ["p-read-r"] = typeof(ReadBatchesResult),
        ["p-advanced"] = typeof(LogAdvanced),
        ["p-delete-records-r"] = typeof(DeleteRecordsResult),
        ["p-state-r"] = typeof(PartitionStateResult),
        ["p-find-ts-r"] = typeof(FindOffsetForTimestampResult),
        ["p-replica-fetch"] = typeof(ReplicaFetch),
        ["p-replica-fetch-r"] = typeof(ReplicaFetchResult),
        ["p-epoch-end"] = typeof(GetEpochEnd),
        ["p-epoch-end-r"] = typeof(EpochEndResult),
        ["p-assignment-changed"] = typeof(AssignmentChanged),
        // Replication stream
        ["r-endpoint"] = typeof(GetReplicationEndpoint),
        ["r-endpoint-r"] = typeof(ReplicationEndpoint),
        // Groups
        ["g-protocol"] = typeof(MemberProtocol),
        ["g-assignment"] = typeof(MemberAssignment),
        ["g-committed"] = typeof(CommittedOffset),
        ["g-to-commit"] = typeof(OffsetToCommit),
        ["g-join"] = typeof(JoinGroup),
        ["g-sync"] = typeof(SyncGroup),
        ["g-heartbeat"] = typeof(Heartbeat),
        ["g-leaving"] = typeof(LeavingMember),
        ["g-leave"] = typeof(LeaveGroup),
        ["g-commit"] = typeof(CommitOffsets),
        ["g-fetch"] = typeof(FetchOffsets),
        ["g-describe"] = typeof(DescribeGroup),
        ["g-delete"] = typeof(DeleteGroup),
        ["g-delete-offsets"] = typeof(DeleteOffsets),
        ["g-wake"] = typeof(WakeGroup),
        ["g-join-member"] = typeof(JoinGroupMember),
        ["g-join-r"] = typeof(JoinGroupResult),
        ["g-sync-r"] = typeof(SyncGroupResult),
        ["g-heartbeat-r"] = typeof(HeartbeatResult),
        ["g-leave-r"] = typeof(LeaveGroupResult),
        ["g-commit-r"] = typeof(CommitOffsetsResult),
        ["g-fetch-r"] = typeof(FetchOffsetsResult),
        ["g-described-member"] = typeof(DescribedMember),
        ["g-describe-r"] = typeof(GroupDescription),
        ["g-delete-r"] = typeof(DeleteGroupResult),
        ["g-delete-offsets-r"] = typeof(DeleteOffsetsResult),
        ["g-locate"] = typeof(LocateGroup),
        ["g-located-r"] = typeof(GroupLocated),
        // Topics
        ["t-topic"] = typeof(TopicDescription),
        ["t-create"] = typeof(CreateTopic),
        ["t-delete"] = typeof(DeleteTopic),
        ["t-replace-configs"] = typeof(ReplaceTopicConfigs),
        ["t-alteration"] = typeof(ConfigAlteration),
        ["t-alter-configs"] = typeof(AlterTopicConfigs),
        ["t-describe"] = typeof(DescribeTopics),
        ["t-create-r"] = typeof(CreateTopicResult),
        ["t-delete-r"] = typeof(DeleteTopicResult),
        ["t-alter-configs-r"] = typeof(AlterTopicConfigsResult),
        ["t-lookup"] = typeof(TopicLookup),
        ["t-describe-r"] = typeof(DescribeTopicsResult),
        ["t-add-partitions"] = typeof(AddPartitions),
        ["t-add-partitions-r"] = typeof(AddPartitionsResult),
        ["t-become-leader"] = typeof(BecomeLeader),
        ["t-leadership-r"] = typeof(LeadershipResult),
        ["t-alter-isr"] = typeof(AlterIsr),
        ["t-alter-isr-r"] = typeof(AlterIsrResult),
        ["t-locate"] = typeof(LocatePartition),
        ["t-location-r"] = typeof(PartitionLocation),
        ["t-leaders"] = typeof(GetPartitionLeaders),
        ["t-leaders-r"] = typeof(PartitionLeaders),
        ["t-reassign"] = typeof(ReassignPartition),
        ["t-alter-reassignments"] = typeof(AlterReassignments),
        ["t-alter-reassignments-r"] = typeof(AlterReassignmentsResult),
        ["t-reassignment-outcome"] = typeof(ReassignmentOutcome),
        ["t-list-reassignments"] = typeof(ListReassignments),
        ["t-list-reassignments-r"] = typeof(ListReassignmentsResult),
        ["t-ongoing-reassignment"] = typeof(OngoingReassignment),
        // Replication
        ["r-follow"] = typeof(FollowPartitions),
        ["r-followed"] = typeof(FollowedPartition),
        ["r-delete-replicas"] = typeof(DeleteReplicas),
        ["r-remove-replica"] = typeof(RemoveReplica),
    };

    private static readonly ManifestTable Table = new(TypesByManifest, $"{nameof(WireMessageSerializer)}.{nameof(TypesByManifest)}");

    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.General)
    {
        IncludeFields = true, // value tuples in replies: (TopicPartition Partition, ErrorCode Error)
        Converters = { new BlobConverters.ByteArray(), new BlobConverters.Memory(), new BlobConverters.ReadOnlyMemory() },
    };

    public override int Identifier => SerializerId;

    public override string Manifest(object o) => Table.ManifestOf(o);

    public override byte[] ToBinary(object obj)
    {
        Manifest(obj);
        var blobs = BlobConverters.BeginWrite();
        try
        {
            byte[] json = JsonSerializer.SerializeToUtf8Bytes(obj, obj.GetType(), Options);
            return blobs.Frame(json);
        }
        finally
        {
            BlobConverters.End();
        }
    }

    public override object FromBinary(byte[] bytes, string manifest)
    {
        var type = Table.TypeOf(manifest, $"Unknown wire manifest '{manifest}': the sending node runs a newer ActorBroker.");
        BlobConverters.BeginRead(bytes, out var json);
        try
        {
            return JsonSerializer.Deserialize(json, type, Options)
                ?? throw new SerializationException($"A '{manifest}' message decoded to null.");
        }
        finally
        {
            BlobConverters.End();
        }
    }
}
