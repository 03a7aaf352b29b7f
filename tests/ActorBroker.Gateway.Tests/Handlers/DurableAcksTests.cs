using ActorBroker.Protocol;
using ActorBroker.Protocol.Messages;

namespace ActorBroker.Gateway.Tests.Handlers;

/// <summary>With <c>actorbroker.log.acks-all-waits-for-fsync = on</c>, acks=all means fsynced; acks=1 does not wait.</summary>
public sealed class DurableAcksTests : IAsyncLifetime
{
    private GatewayFixture _gateway = null!;

    public async Task InitializeAsync() => _gateway = await GatewayFixture.StartAsync("actorbroker.log.acks-all-waits-for-fsync = on");

    public async Task DisposeAsync() => await _gateway.DisposeAsync();

    [Fact]
    public async Task A_produce_with_acks_all_is_answered_after_the_log_is_fsynced_and_acks_1_is_not_held_up()
    {
        await using var client = _gateway.ConnectInMemory();
        var create = Requests.CreateTopic("durable", 1);
        create.Topics[0].Configs.Add(new CreateTopicsRequest.CreatableTopicConfig { Name = "flush.ms", Value = "3600000" });
        await client.SendAsync<CreateTopicsResponse>(create, 4);
        string checkpoint = Path.Combine(_gateway.DataDirectory, "logs", "durable-0", "recovery-point");

        var leaderOnly = await client.SendAsync<ProduceResponse>(Requests.Produce("durable", 0, Requests.Batch(3), acks: 1), 8);
        string afterAcks1 = File.ReadAllText(checkpoint);
        var all = await client.SendAsync<ProduceResponse>(Requests.Produce("durable", 0, Requests.Batch(2), acks: -1), 8);
        string afterAcksAll = File.ReadAllText(checkpoint);

        Assert.Equal((short)ErrorCode.None, leaderOnly.Responses.Single().PartitionResponses.Single().ErrorCode);
        Assert.Equal((short)ErrorCode.None, all.Responses.Single().PartitionResponses.Single().ErrorCode);
        Assert.Equal("0\n0\n", afterAcks1);
        Assert.Equal("0\n5\n", afterAcksAll);
    }
}
