using System.Runtime.Serialization;
using System.Text.Json;
using Akka.Actor;
using Akka.Serialization;
using ActorBroker.Cluster.Groups;
using ActorBroker.Cluster.Partitions;
using ActorBroker.Cluster.Topics;

namespace ActorBroker.Cluster.Serialization;

/// <summary>
/// Journal events and snapshots as UTF-8 JSON (System.Text.Json) under short, stable manifests. The manifest, not
/// the CLR type name, identifies a stored message, so types can be renamed or moved without breaking old journals.
/// Every stored type must be listed here; an unlisted one fails loudly when it is first persisted.
/// </summary>
public sealed class PersistedMessageSerializer(ExtendedActorSystem system) : SerializerWithStringManifest(system)
{
    private static readonly Dictionary<string, Type> TypesByManifest = new()
    {
        ["topic-created"] = typeof(TopicCreated),
        ["topic-deleted"] = typeof(TopicDeleted),
        ["topic-configs-changed"] = typeof(TopicConfigsChanged),
        ["topic-registry-snapshot"] = typeof(TopicRegistrySnapshot),
        ["partition-assignment-changed"] = typeof(PartitionAssignmentChanged),
        ["partitions-added"] = typeof(PartitionsAdded),
        ["log-created"] = typeof(LogCreated),
        ["leader-epoch-started"] = typeof(LeaderEpochStarted),
        ["segments-deleted"] = typeof(SegmentsDeleted),
        ["log-start-offset-advanced"] = typeof(LogStartOffsetAdvanced),
        ["group-generation-completed"] = typeof(GenerationCompleted),
        ["group-emptied"] = typeof(GroupEmptied),
        ["group-offsets-committed"] = typeof(OffsetsCommitted),
        ["group-offsets-deleted"] = typeof(OffsetsDeleted),
        ["group-deleted"] = typeof(GroupDeleted),
        ["group-snapshot"] = typeof(GroupSnapshot),
    };

    private static readonly ManifestTable Table = new(TypesByManifest, nameof(PersistedMessageSerializer));

    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.General);

    public override int Identifier => 7101;

    public override string Manifest(object o) => Table.ManifestOf(o);

    public override byte[] ToBinary(object obj)
    {
        Manifest(obj);
        return JsonSerializer.SerializeToUtf8Bytes(obj, obj.GetType(), Options);
    }

    public override object FromBinary(byte[] bytes, string manifest)
    {
        var type = Table.TypeOf(manifest, $"Unknown manifest '{manifest}': this journal was written by a newer ActorBroker.");
        return JsonSerializer.Deserialize(bytes, type, Options)
            ?? throw new SerializationException($"A stored '{manifest}' decoded to null.");
    }
}
