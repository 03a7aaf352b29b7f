using ActorBroker.Protocol;
using ActorBroker.Protocol.Messages;

namespace ActorBroker.Gateway.Tests;

public sealed class AutoCreateOffTests : IAsyncLifetime
{
    private GatewayFixture _gateway = null!;

    public async Task InitializeAsync() => _gateway = await GatewayFixture.StartAsync("actorbroker.auto-create-topics = off");

    public async Task DisposeAsync() => await _gateway.DisposeAsync();

    [Fact]
    public async Task With_auto_create_off_a_produce_to_an_unknown_topic_gets_UnknownTopicOrPartition()
    {
        await using var client = await _gateway.ConnectAsync();

        var produce = await client.SendAsync<ProduceResponse>(Requests.Produce("absent", 0, Requests.Batch(1)), 8);
        var metadata = await client.SendAsync<MetadataResponse>(new MetadataRequest { Topics = [new() { Name = "absent" }] }, 8);

        Assert.Equal((short)ErrorCode.UnknownTopicOrPartition, produce.Responses.Single().PartitionResponses.Single().ErrorCode);
        Assert.Equal((short)ErrorCode.UnknownTopicOrPartition, metadata.Topics.Single().ErrorCode);
    }
}
