using ActorBroker.Protocol.Consumer;
using ActorBroker.Protocol.Primitives;
using Xunit;

namespace ActorBroker.Protocol.Tests.Consumer;

public class ConsumerProtocolAssignmentTests
{
    [Fact]
    public void Known_bytes_decode_to_topics_partitions_and_user_data()
    {
        byte[] bytes =
        [
            0, 1,                   // version 1
            0, 0, 0, 2,             // 2 topics
            0, 6, (byte)'o', (byte)'r', (byte)'d', (byte)'e', (byte)'r', (byte)'s',
            0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 2, // partitions 0, 2
            0, 1, (byte)'x',
            0, 0, 0, 1, 0, 0, 0, 7, // partition 7
            0, 0, 0, 3, 9, 8, 7,    // user data
        ];

        var assignment = ConsumerProtocolAssignment.Read(bytes);

        Assert.Equal(1, assignment.Version);
        Assert.Equal(2, assignment.Topics.Count);
        Assert.Equal("orders", assignment.Topics[0].Topic);
        Assert.Equal([0, 2], assignment.Topics[0].Partitions);
        Assert.Equal("x", assignment.Topics[1].Topic);
        Assert.Equal([7], assignment.Topics[1].Partitions);
        Assert.Equal([("orders", 0), ("orders", 2), ("x", 7)], assignment.Partitions.ToList());
        Assert.Equal(new byte[] { 9, 8, 7 }, assignment.UserData);
    }

    [Fact]
    public void It_round_trips_through_its_encoding()
    {
        var original = new ConsumerProtocolAssignment(3,
            [new("a", [0, 1, 2]), new("日本語-topic", []), new("b", [int.MaxValue])], [1, 2]);

        var read = ConsumerProtocolAssignment.Read(original.ToBytes());

        Assert.Equal(original.Version, read.Version);
        Assert.Equal(original.Partitions.ToList(), read.Partitions.ToList());
        Assert.Equal(original.Topics.Select(t => t.Topic), read.Topics.Select(t => t.Topic));
        Assert.Equal(original.UserData, read.UserData);
    }

    [Fact]
    public void Null_user_data_and_an_empty_assignment_decode()
    {
        var noUserData = ConsumerProtocolAssignment.Read(new ConsumerProtocolAssignment(0, [new("t", [5])], null).ToBytes());
        Assert.Null(noUserData.UserData);
        Assert.Equal([("t", 5)], noUserData.Partitions.ToList());

        var nothing = ConsumerProtocolAssignment.Read(ReadOnlyMemory<byte>.Empty);
        Assert.Empty(nothing.Topics);

        var noTopics = ConsumerProtocolAssignment.Read(new byte[] { 0, 0, 0, 0, 0, 0 }); // no user data field at all
        Assert.Empty(noTopics.Topics);
        Assert.Null(noTopics.UserData);
    }

    [Fact]
    public void Trailing_fields_of_a_later_version_are_ignored()
    {
        var bytes = new ConsumerProtocolAssignment(4, [new("t", [1])], []).ToBytes().Concat(new byte[] { 0xAA, 0xBB }).ToArray();
        Assert.Equal([("t", 1)], ConsumerProtocolAssignment.Read(bytes).Partitions.ToList());
    }

    [Theory]
    [InlineData(new byte[] { 0 })]                                  // truncated version
    [InlineData(new byte[] { 0, 0, 0, 0, 0, 1 })]                   // a topic that is not there
    [InlineData(new byte[] { 0, 0, 0, 0, 0, 1, 0, 1, 65, 0, 0, 0, 9, 0, 0, 0, 1 })] // 9 partitions, 1 present
    [InlineData(new byte[] { 0, 0, 0, 0, 0, 1, 0, 1, 65, 255, 255, 255, 255 })]      // null partition array
    [InlineData(new byte[] { 255, 255, 0, 0, 0, 0 })]               // negative version
    [InlineData(new byte[] { 0, 0, 0, 0, 0, 0, 0, 0, 0, 5, 1 })]    // user data shorter than its length
    public void Malformed_bytes_throw_and_TryRead_says_why(byte[] bytes)
    {
        Assert.Throws<KafkaProtocolException>(() => ConsumerProtocolAssignment.Read(bytes));
        Assert.Null(ConsumerProtocolAssignment.TryRead(bytes, out var error));
        Assert.False(string.IsNullOrEmpty(error));
    }
}
