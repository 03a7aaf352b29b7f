using ActorBroker.Protocol;
using ActorBroker.Protocol.Messages;
using ActorBroker.Protocol.Records;
using ActorBroker.TestKit;

namespace ActorBroker.Gateway.Tests.Handlers;

/// <summary>message.timestamp.type as clients see it: LogAppendTime in the produce response, the fetched batch and ListOffsets.</summary>
public sealed class TimestampTypeTests : IAsyncLifetime
{
    private GatewayFixture _gateway = null!;

    public async Task InitializeAsync() => _gateway = await GatewayFixture.StartAsync();

    public async Task DisposeAsync() => await _gateway.DisposeAsync();

    private static async Task CreateAsync(KafkaWireClient client, string name, params (string Key, string Value)[] configs)
    {
        var create = Requests.CreateTopic(name, 1);
        foreach (var (key, value) in configs)
            create.Topics[0].Configs.Add(new CreateTopicsRequest.CreatableTopicConfig { Name = key, Value = value });
        var result = (await client.SendAsync<CreateTopicsResponse>(create, 4)).Topics.Single();
        Assert.True(result.ErrorCode == (short)ErrorCode.None, result.ErrorMessage);
    }

    [Fact]
    public async Task LogAppendTime_topic_stamps_batches_and_answers_the_append_time()
    {
        await using var client = _gateway.ConnectInMemory();
        await CreateAsync(client, "appended", ("message.timestamp.type", "LogAppendTime"));
        long before = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var batch = new RecordBatchBuilder().Add("k", "a", timestamp: 1_000).Add("k", "b", timestamp: 2_000).Build();

        var produced = (await client.SendAsync<ProduceResponse>(Requests.Produce("appended", 0, batch), 8)).Responses.Single().PartitionResponses.Single();
        long after = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

        Assert.Equal((short)ErrorCode.None, produced.ErrorCode);
        Assert.InRange(produced.LogAppendTimeMs, before, after);
        var fetched = (await client.SendAsync<FetchResponse>(Requests.Fetch("appended", 0, 0), 11)).Responses.Single().Partitions.Single();
        var stored = new RecordBatch(fetched.Records!.Value);
        Assert.Equal(BatchCheck.Valid, RecordBatch.Check(fetched.Records!.Value.Span, out _));
        Assert.True(stored.IsCrcValid);
        Assert.Equal(TimestampType.LogAppendTime, stored.TimestampType);
        Assert.Equal(produced.LogAppendTimeMs, stored.MaxTimestamp);
        Assert.All(stored.EnumerateRecords(), r => Assert.Equal(produced.LogAppendTimeMs, r.Timestamp));

        var found = (await client.SendAsync<ListOffsetsResponse>(Requests.ListOffsets("appended", 0, 5_000), 5)).Topics.Single().Partitions.Single();
        Assert.Equal((0L, produced.LogAppendTimeMs), (found.Offset, found.Timestamp));
    }

    [Fact]
    public async Task CreateTime_topic_answers_no_append_time_and_keeps_the_producers_timestamps()
    {
        await using var client = _gateway.ConnectInMemory();
        await CreateAsync(client, "created");
        var batch = new RecordBatchBuilder().Add("k", "a", timestamp: 1_000).Build();
        var produced = (await client.SendAsync<ProduceResponse>(Requests.Produce("created", 0, batch), 8)).Responses.Single().PartitionResponses.Single();
        Assert.Equal(-1, produced.LogAppendTimeMs);
        var fetched = (await client.SendAsync<FetchResponse>(Requests.Fetch("created", 0, 0), 11)).Responses.Single().Partitions.Single();
        Assert.Equal((TimestampType.CreateTime, 1_000L), (new RecordBatch(fetched.Records!.Value).TimestampType, new RecordBatch(fetched.Records!.Value).MaxTimestamp));
    }

    [Fact]
    public async Task Invalid_timestamp_type_is_rejected()
    {
        await using var client = _gateway.ConnectInMemory();
        var create = Requests.CreateTopic("bad-type", 1);
        create.Topics[0].Configs.Add(new CreateTopicsRequest.CreatableTopicConfig { Name = "message.timestamp.type", Value = "WallClock" });
        Assert.Equal((short)ErrorCode.InvalidConfig, (await client.SendAsync<CreateTopicsResponse>(create, 4)).Topics.Single().ErrorCode);
    }
}
