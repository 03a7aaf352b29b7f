using ActorBroker.Protocol;
using ActorBroker.Protocol.Messages;
using ActorBroker.Protocol.Records;
using ActorBroker.TestKit;

namespace ActorBroker.Gateway.Tests.Handlers;

/// <summary>Retention and DeleteRecords as clients see them: the log start offset moves and reads below it fail.</summary>
public sealed class RetentionTests : IAsyncLifetime
{
    private GatewayFixture _gateway = null!;

    public async Task InitializeAsync() =>
        _gateway = await GatewayFixture.StartAsync("actorbroker.log.retention-check-interval = 200ms");

    public async Task DisposeAsync() => await _gateway.DisposeAsync();

    private static async Task CreateSmallSegmentTopicAsync(KafkaWireClient client, string name, params (string Key, string Value)[] configs)
    {
        var create = Requests.CreateTopic(name, 1);
        create.Topics[0].Configs.Add(new CreateTopicsRequest.CreatableTopicConfig { Name = "segment.bytes", Value = "1024" });
        foreach (var (key, value) in configs)
            create.Topics[0].Configs.Add(new CreateTopicsRequest.CreatableTopicConfig { Name = key, Value = value });
        Assert.Equal((short)ErrorCode.None, (await client.SendAsync<CreateTopicsResponse>(create, 4)).Topics.Single().ErrorCode);
    }

    private static async Task ProduceBatchesAsync(KafkaWireClient client, string topic, int batches, long timestamp)
    {
        for (int i = 0; i < batches; i++)
        {
            var batch = new RecordBatchBuilder().Add($"k{i}", new string('x', 400), timestamp: timestamp).Build();
            var response = await client.SendAsync<ProduceResponse>(Requests.Produce(topic, 0, batch), 8);
            Assert.Equal((short)ErrorCode.None, response.Responses.Single().PartitionResponses.Single().ErrorCode);
        }
    }

    private static async Task<long> EarliestAsync(KafkaWireClient client, string topic) =>
        (await client.SendAsync<ListOffsetsResponse>(Requests.ListOffsets(topic, 0, -2), 5)).Topics.Single().Partitions.Single().Offset;

    [Fact]
    public async Task DeleteRecords_moves_the_log_start_and_reads_below_it_get_OffsetOutOfRange()
    {
        await using var client = _gateway.ConnectInMemory();
        await CreateSmallSegmentTopicAsync(client, "trimmed");
        await ProduceBatchesAsync(client, "trimmed", 10, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());

        var deleted = await client.SendAsync<DeleteRecordsResponse>(new DeleteRecordsRequest
        {
            TimeoutMs = 5000,
            Topics = [new() { Name = "trimmed", Partitions = [new() { PartitionIndex = 0, Offset = 6 }] }],
        }, 2);
        var below = await client.SendAsync<FetchResponse>(Requests.Fetch("trimmed", 0, 2), 11);
        var at = await client.SendAsync<FetchResponse>(Requests.Fetch("trimmed", 0, 6), 11);
        var tooFar = await client.SendAsync<DeleteRecordsResponse>(new DeleteRecordsRequest
        {
            TimeoutMs = 5000,
            Topics = [new() { Name = "trimmed", Partitions = [new() { PartitionIndex = 0, Offset = 99 }] }],
        }, 2);

        var result = deleted.Topics.Single().Partitions.Single();
        Assert.Equal(((short)ErrorCode.None, 6L), (result.ErrorCode, result.LowWatermark));
        Assert.Equal(6, await EarliestAsync(client, "trimmed"));
        Assert.Equal((short)ErrorCode.OffsetOutOfRange, below.Responses.Single().Partitions.Single().ErrorCode);
        Assert.Equal(6, Requests.Records(at.Responses.Single().Partitions.Single().Records).First().Offset);
        Assert.Equal((short)ErrorCode.OffsetOutOfRange, tooFar.Topics.Single().Partitions.Single().ErrorCode);
    }

    [Fact]
    public async Task Retention_by_time_deletes_old_inactive_segments_and_keeps_the_active_one()
    {
        await using var client = _gateway.ConnectInMemory();
        await CreateSmallSegmentTopicAsync(client, "expiring", ("retention.ms", "60000"));
        long old = DateTimeOffset.UtcNow.AddHours(-1).ToUnixTimeMilliseconds();
        await ProduceBatchesAsync(client, "expiring", 6, old);
        await ProduceBatchesAsync(client, "expiring", 1, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());

        long earliest = 0;
        for (var deadline = DateTime.UtcNow.AddSeconds(20); DateTime.UtcNow < deadline && earliest < 6; await Task.Delay(100))
            earliest = await EarliestAsync(client, "expiring");

        Assert.Equal(6, earliest);
        var latest = await client.SendAsync<ListOffsetsResponse>(Requests.ListOffsets("expiring", 0, -1), 5);
        Assert.Equal(7, latest.Topics.Single().Partitions.Single().Offset);
    }
}
