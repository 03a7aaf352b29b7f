using ActorBroker.Protocol;
using ActorBroker.Protocol.Messages;
using ActorBroker.TestKit;

namespace ActorBroker.Gateway.Tests.Handlers;

/// <summary>AlterConfigs and IncrementalAlterConfigs through the gateway, seen through DescribeConfigs and Produce.</summary>
public sealed class AlterConfigsTests : IAsyncLifetime
{
    private const sbyte Topic = 2;
    private const sbyte Broker = 4;
    private const sbyte DynamicTopicConfig = 1;
    private const sbyte DefaultConfig = 5;

    private GatewayFixture _gateway = null!;

    public async Task InitializeAsync() => _gateway = await GatewayFixture.StartAsync();

    public async Task DisposeAsync() => await _gateway.DisposeAsync();

    private static IncrementalAlterConfigsRequest Incremental(string topic, params (string Name, sbyte Op, string? Value)[] configs) => new()
    {
        Resources =
        [
            new()
            {
                ResourceType = Topic,
                ResourceName = topic,
                Configs = configs.Select(c => new IncrementalAlterConfigsRequest.AlterableConfig { Name = c.Name, ConfigOperation = c.Op, Value = c.Value }).ToList(),
            },
        ],
    };

    private static AlterConfigsRequest Replace(string topic, params (string Name, string Value)[] configs) => new()
    {
        Resources =
        [
            new()
            {
                ResourceType = Topic,
                ResourceName = topic,
                Configs = configs.Select(c => new AlterConfigsRequest.AlterableConfig { Name = c.Name, Value = c.Value }).ToList(),
            },
        ],
    };

    private static async Task<Dictionary<string, (string? Value, sbyte Source)>> DescribeAsync(KafkaWireClient client, string topic)
    {
        var response = await client.SendAsync<DescribeConfigsResponse>(new DescribeConfigsRequest
        {
            Resources = [new() { ResourceType = Topic, ResourceName = topic, ConfigurationKeys = null }],
        }, 2);
        var result = Assert.Single(response.Results);
        Assert.Equal((short)ErrorCode.None, result.ErrorCode);
        return result.Configs.ToDictionary(c => c.Name, c => (c.Value, c.ConfigSource));
    }

    [Fact]
    public async Task Incremental_set_and_delete_show_in_DescribeConfigs_with_their_sources()
    {
        await using var client = _gateway.ConnectInMemory();
        await client.SendAsync<CreateTopicsResponse>(Requests.CreateTopic("tuned", 1), 4);
        string defaultRetention = (await DescribeAsync(client, "tuned"))["retention.ms"].Value!;

        foreach (short version in new short[] { 0, 1 })
        {
            var set = await client.SendAsync<IncrementalAlterConfigsResponse>(Incremental("tuned", ("retention.ms", 0, "3600000")), version);
            var setResult = Assert.Single(set.Responses);
            Assert.Equal(((short)ErrorCode.None, Topic, "tuned"), (setResult.ErrorCode, setResult.ResourceType, setResult.ResourceName));
            Assert.Equal(("3600000", DynamicTopicConfig), (await DescribeAsync(client, "tuned"))["retention.ms"]);

            var delete = await client.SendAsync<IncrementalAlterConfigsResponse>(Incremental("tuned", ("retention.ms", 1, null)), version);
            Assert.Equal((short)ErrorCode.None, delete.Responses.Single().ErrorCode);
            Assert.Equal((defaultRetention, DefaultConfig), (await DescribeAsync(client, "tuned"))["retention.ms"]);
        }
    }

    [Fact]
    public async Task AlterConfigs_replaces_every_override()
    {
        await using var client = _gateway.ConnectInMemory();
        await client.SendAsync<CreateTopicsResponse>(Requests.CreateTopic("replaced", 1), 4);
        await client.SendAsync<IncrementalAlterConfigsResponse>(
            Incremental("replaced", ("retention.ms", 0, "3600000"), ("retention.bytes", 0, "1048576")), 1);

        foreach (short version in new short[] { 0, 1, 2 })
        {
            var response = await client.SendAsync<AlterConfigsResponse>(Replace("replaced", ("max.message.bytes", (2000 + version).ToString())), version);
            Assert.Equal((short)ErrorCode.None, response.Responses.Single().ErrorCode);
            var configs = await DescribeAsync(client, "replaced");
            Assert.Equal(((2000 + version).ToString(), DynamicTopicConfig), configs["max.message.bytes"]);
            Assert.Equal(DefaultConfig, configs["retention.ms"].Source);
            Assert.Equal(DefaultConfig, configs["retention.bytes"].Source);
        }
    }

    [Fact]
    public async Task Bad_requests_get_per_resource_errors_and_change_nothing()
    {
        await using var client = _gateway.ConnectInMemory();
        await client.SendAsync<CreateTopicsResponse>(Requests.CreateTopic("strict", 1), 4);
        var request = new IncrementalAlterConfigsRequest
        {
            Resources =
            [
                new() { ResourceType = Topic, ResourceName = "strict", Configs = [new() { Name = "retention.ms", ConfigOperation = 0, Value = "soon" }] },
                new() { ResourceType = Topic, ResourceName = "missing", Configs = [new() { Name = "retention.ms", ConfigOperation = 0, Value = "1" }] },
                new() { ResourceType = Broker, ResourceName = "", Configs = [new() { Name = "log.retention.ms", ConfigOperation = 0, Value = "1" }] },
            ],
        };

        var response = await client.SendAsync<IncrementalAlterConfigsResponse>(request, 1);
        var validateOnly = await client.SendAsync<AlterConfigsResponse>(
            new AlterConfigsRequest { Resources = Replace("strict", ("retention.ms", "42")).Resources, ValidateOnly = true }, 1);
        var append = await client.SendAsync<IncrementalAlterConfigsResponse>(Incremental("strict", ("retention.ms", 2, "1")), 1);

        Assert.Equal(
            [(short)ErrorCode.InvalidConfig, (short)ErrorCode.UnknownTopicOrPartition, (short)ErrorCode.InvalidRequest],
            response.Responses.Select(r => r.ErrorCode));
        Assert.Contains("actorbroker.log.retention", response.Responses[2].ErrorMessage);
        Assert.Equal((short)ErrorCode.None, validateOnly.Responses.Single().ErrorCode);
        Assert.Equal((short)ErrorCode.InvalidConfig, append.Responses.Single().ErrorCode);
        Assert.Equal(DefaultConfig, (await DescribeAsync(client, "strict"))["retention.ms"].Source);
    }

    [Fact]
    public async Task A_lowered_max_message_bytes_rejects_a_larger_produce()
    {
        await using var client = _gateway.ConnectInMemory();
        await client.SendAsync<CreateTopicsResponse>(Requests.CreateTopic("small", 2), 4);
        var batch = Requests.Batch(20);
        foreach (int partition in new[] { 0, 1 })
            Assert.Equal((short)ErrorCode.None, await ProduceAsync(client, "small", partition, batch));

        var altered = await client.SendAsync<IncrementalAlterConfigsResponse>(
            Incremental("small", ("max.message.bytes", 0, (batch.Length - 1).ToString())), 1);
        Assert.Equal((short)ErrorCode.None, altered.Responses.Single().ErrorCode);

        foreach (int partition in new[] { 0, 1 })
            Assert.Equal((short)ErrorCode.MessageTooLarge, await ProduceAsync(client, "small", partition, batch));
    }

    private static async Task<short> ProduceAsync(KafkaWireClient client, string topic, int partition, byte[] records)
    {
        var response = await client.SendAsync<ProduceResponse>(Requests.Produce(topic, partition, records), 8);
        return response.Responses.Single().PartitionResponses.Single().ErrorCode;
    }
}
