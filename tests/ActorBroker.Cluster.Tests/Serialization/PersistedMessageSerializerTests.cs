using ActorBroker.TestKit;
using System.Collections.Immutable;
using Akka.Actor;
using ActorBroker.Cluster.Partitions;
using ActorBroker.Cluster.Serialization;
using ActorBroker.Cluster.Topics;

namespace ActorBroker.Cluster.Tests.Serialization;

public sealed class PersistedMessageSerializerTests : Akka.TestKit.Xunit2.TestKit
{
    public PersistedMessageSerializerTests() : base(BrokerSystem.Config(Path.GetTempPath())) { }

    public static TheoryData<IPersistedMessage> StoredMessages()
    {
        var topic = new TopicDescription("orders", Guid.NewGuid(), 3, 1,
            ImmutableSortedDictionary.CreateRange(new Dictionary<string, string> { ["segment.bytes"] = "1024" }));
        return new TheoryData<IPersistedMessage>
        {
            new TopicCreated(topic),
            new TopicDeleted("orders", topic.TopicId, 3),
            new TopicRegistrySnapshot([topic]),
            new LogCreated(new TopicPartition("orders", 2), topic.TopicId, new DateTime(2026, 11, 24, 10, 0, 0, DateTimeKind.Utc)),
            new LeaderEpochStarted(7, 12345),
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
}
