using ActorBroker.Protocol.Consumer;
using ActorBroker.Protocol.Primitives;
using Xunit;

namespace ActorBroker.Protocol.Tests.Consumer;

public class ConsumerProtocolSubscriptionTests
{
    [Fact]
    public void Version_zero_bytes_decode_to_the_topics_and_user_data_with_no_owned_partitions()
    {
        byte[] bytes =
        [
            0, 0,                   // version 0
            0, 0, 0, 2,             // 2 topics
            0, 1, (byte)'a', 0, 2, (byte)'b', (byte)'c',
            0, 0, 0, 1, 42,         // user data
        ];

        var subscription = ConsumerProtocolSubscription.Read(bytes);

        Assert.Equal(0, subscription.Version);
        Assert.Equal(["a", "bc"], subscription.Topics);
        Assert.Equal([42], subscription.UserData!);
        Assert.Empty(subscription.OwnedPartitions);
    }

    [Fact]
    public void Later_versions_decode_their_owned_partitions_and_ignore_the_generation_and_rack_after_them()
    {
        byte[] bytes =
        [
            0, 3,                   // version 3
            0, 0, 0, 1, 0, 1, (byte)'t',
            255, 255, 255, 255,     // null user data
            0, 0, 0, 1, 0, 1, (byte)'t', 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 3, // owned t: 0, 3
            0, 0, 0, 9,             // generation id
            0, 2, (byte)'r', (byte)'1', // rack
        ];

        var subscription = ConsumerProtocolSubscription.Read(bytes);

        Assert.Equal(["t"], subscription.Topics);
        Assert.Null(subscription.UserData);
        Assert.Equal("t", subscription.OwnedPartitions.Single().Topic);
        Assert.Equal([0, 3], subscription.OwnedPartitions.Single().Partitions);
    }

    [Fact]
    public void A_subscription_round_trips_as_version_one_with_sorted_distinct_topics()
    {
        var written = ConsumerProtocolSubscription.For(["b", "a", "b"]).ToBytes();

        var read = ConsumerProtocolSubscription.Read(written);

        Assert.Equal(1, read.Version);
        Assert.Equal(["a", "b"], read.Topics);
        Assert.Empty(read.OwnedPartitions);
    }

    [Fact]
    public void Truncated_bytes_fail_with_a_protocol_exception() =>
        Assert.Throws<KafkaProtocolException>(() => ConsumerProtocolSubscription.Read(new byte[] { 0, 0, 0, 0, 0, 5, 0 }));
}
