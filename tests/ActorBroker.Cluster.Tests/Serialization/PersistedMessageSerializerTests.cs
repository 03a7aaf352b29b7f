using ActorBroker.TestKit;
using System.Collections.Immutable;
using Akka.Actor;
using ActorBroker.Cluster.Groups;
using ActorBroker.Cluster.Partitions;
using ActorBroker.Cluster.Serialization;
using ActorBroker.Cluster.Topics;

namespace ActorBroker.Cluster.Tests.Serialization;

public sealed class PersistedMessageSerializerTests : Akka.TestKit.Xunit2.TestKit
{
    public PersistedMessageSerializerTests() : base(BrokerSystem.Config(Path.GetTempPath())) { }

    private static readonly TopicDescription Orders = new("orders", Guid.NewGuid(), 3, 1,
        ImmutableSortedDictionary.CreateRange(new Dictionary<string, string> { ["segment.bytes"] = "1024" }))
    {
        Assignments = ReplicaPlacement.Assign(0, 3, 1, [1, 2, 3], start: 1),
    };

    public static TheoryData<IPersistedMessage> StoredMessages()
    {
        var topic = Orders;
        var generation = new GenerationCompleted(5, "consumer", "range", "m-1",
            [new PersistedMember("m-1", "instance-1", "client", "/127.0.0.1", 10_000, 30_000, [new MemberProtocol("range", [1, 2])], [3, 4])]);
        var offset = new PartitionOffset(new TopicPartition("orders", 1), new CommittedOffset(42, 3, "meta", 1_700_000_000_000));
        return new TheoryData<IPersistedMessage>
        {
            new TopicCreated(topic),
            new TopicDeleted("orders", topic.TopicId, 3),
            new TopicConfigsChanged("orders", topic.TopicId, topic.Configs),
            new TopicRegistrySnapshot([topic]),
            new PartitionAssignmentChanged("orders", topic.TopicId, 1, new PartitionAssignment([2, 3], 3, 4, [3])),
            new PartitionAssignmentChanged("orders", topic.TopicId, 1, new PartitionAssignment([3, 4, 2], 2, 4, [2, 3])
            {
                Reassignment = new PartitionReassignment([2, 3], [3, 4]),
            }),
            new PartitionsAdded("orders", topic.TopicId, [new PartitionAssignment([1, 2], 1, 0, [1, 2])]),
            new LogCreated(new TopicPartition("orders", 2), topic.TopicId, new DateTime(2026, 11, 24, 10, 0, 0, DateTimeKind.Utc)),
            new LeaderEpochStarted(7, 12345),
            new SegmentsDeleted(4096, 3, 3_000_000, new DateTime(2026, 11, 24, 11, 0, 0, DateTimeKind.Utc)),
            new LogStartOffsetAdvanced(77, new DateTime(2026, 11, 24, 11, 0, 0, DateTimeKind.Utc)),
            generation,
            new GroupEmptied(5),
            new OffsetsCommitted([offset]),
            new OffsetsDeleted([offset.Partition]),
            new GroupDeleted("readers"),
            new GroupSnapshot(5, generation, [offset]),
        };
    }

    [Theory]
    [MemberData(nameof(StoredMessages))]
    public void Every_stored_message_round_trips_through_the_configured_serializer(IPersistedMessage message)
    {
        var serializer = Sys.Serialization.FindSerializerFor(message);
        Assert.IsType<PersistedMessageSerializer>(serializer);

        var bytes = serializer.ToBinary(message);
        var manifest = Akka.Serialization.Serialization.ManifestFor(serializer, message);
        var back = Sys.Serialization.Deserialize(bytes, serializer.Identifier, manifest);

        // Records compare by value, but collections inside compare by reference: compare the JSON forms.
        Assert.Equal(message.GetType(), back.GetType());
        Assert.Equal(bytes, serializer.ToBinary(back));
    }

    [Fact]
    public void A_topic_keeps_its_placement_through_the_journal()
    {
        var created = new TopicCreated(Orders);
        var serializer = Sys.Serialization.FindSerializerFor(created);

        var back = (TopicCreated)Sys.Serialization.Deserialize(
            serializer.ToBinary(created), serializer.Identifier, Akka.Serialization.Serialization.ManifestFor(serializer, created));

        Assert.Equal(Orders.Assignments.ToArray(), back.Topic.Assignments.ToArray());
        Assert.Equal([2, 3, 1], back.Topic.Assignments.Select(a => a.Leader));
    }
}
