using ActorBroker.Protocol;
using ActorBroker.Protocol.Messages;

namespace ActorBroker.Gateway.Tests.Handlers;

/// <summary>AlterPartitionReassignments and ListPartitionReassignments through the gateway on one node: Kafka's
/// per-partition error codes (the data move itself is proven by the cluster tests).</summary>
public sealed class ReassignmentHandlerTests : IAsyncLifetime
{
    private GatewayFixture _gateway = null!;

    public async Task InitializeAsync() => _gateway = await GatewayFixture.StartAsync();

    public async Task DisposeAsync() => await _gateway.DisposeAsync();

    private static AlterPartitionReassignmentsRequest.ReassignablePartition Move(int partition, List<int>? replicas) =>
        new() { PartitionIndex = partition, Replicas = replicas };

    [Fact]
    public async Task Each_partition_gets_Kafkas_error_code_for_its_target()
    {
        await using var client = _gateway.ConnectInMemory();
        await client.SendAsync<CreateTopicsResponse>(Requests.CreateTopic("moving", 5), 4);
        int self = _gateway.Settings.NodeId;

        var response = await client.SendAsync<AlterPartitionReassignmentsResponse>(new AlterPartitionReassignmentsRequest
        {
            Topics =
            [
                new() { Name = "moving", Partitions = [Move(0, [self]), Move(1, [self + 99]), Move(2, []), Move(3, [self, self]), Move(4, null), Move(9, [self])] },
                new() { Name = "missing", Partitions = [Move(0, [self])] },
            ],
        }, 0);

        Assert.Equal((short)ErrorCode.None, response.ErrorCode);
        Assert.Equal(
            [ErrorCode.None, ErrorCode.InvalidReplicaAssignment, ErrorCode.InvalidReplicaAssignment, ErrorCode.InvalidReplicaAssignment,
             ErrorCode.NoReassignmentInProgress, ErrorCode.UnknownTopicOrPartition, ErrorCode.UnknownTopicOrPartition],
            response.Responses.SelectMany(t => t.Partitions).Select(p => (ErrorCode)p.ErrorCode));
        Assert.Equal(["moving", "missing"], response.Responses.Select(t => t.Name));
        Assert.Contains("not live brokers", response.Responses[0].Partitions[1].ErrorMessage);
    }

    [Fact]
    public async Task Listing_with_nothing_in_progress_answers_no_topics()
    {
        await using var client = _gateway.ConnectInMemory();
        await client.SendAsync<CreateTopicsResponse>(Requests.CreateTopic("still", 1), 4);

        var all = await client.SendAsync<ListPartitionReassignmentsResponse>(new ListPartitionReassignmentsRequest { Topics = null }, 0);
        var named = await client.SendAsync<ListPartitionReassignmentsResponse>(new ListPartitionReassignmentsRequest
        {
            Topics = [new() { Name = "still", PartitionIndexes = [0] }],
        }, 0);

        Assert.Equal((short)ErrorCode.None, all.ErrorCode);
        Assert.Empty(all.Topics);
        Assert.Empty(named.Topics);
    }
}
