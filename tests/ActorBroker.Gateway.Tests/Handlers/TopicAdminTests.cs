using ActorBroker.Protocol;
using ActorBroker.Protocol.Messages;

namespace ActorBroker.Gateway.Tests.Handlers;

/// <summary>Metadata, CreateTopics, DeleteTopics and DescribeConfigs through the gateway.</summary>
public sealed class TopicAdminTests : IAsyncLifetime
{
    private GatewayFixture _gateway = null!;

    public async Task InitializeAsync() => _gateway = await GatewayFixture.StartAsync();

    public async Task DisposeAsync() => await _gateway.DisposeAsync();

    [Fact]
    public async Task Metadata_names_this_node_as_the_only_broker_and_leader_of_every_partition()
    {
        await using var client = _gateway.ConnectInMemory();
        await client.SendAsync<CreateTopicsResponse>(Requests.CreateTopic("three", 3), 4);

        var metadata = await client.SendAsync<MetadataResponse>(new MetadataRequest { Topics = [new() { Name = "three" }] }, 8);

        var broker = Assert.Single(metadata.Brokers);
        Assert.Equal((_gateway.Settings.NodeId, "127.0.0.1", _gateway.Port), (broker.NodeId, broker.Host, broker.Port));
        var topic = Assert.Single(metadata.Topics);
        Assert.Equal([0, 1, 2], topic.Partitions.Select(p => p.PartitionIndex));
        Assert.All(topic.Partitions, p => Assert.Equal(broker.NodeId, p.LeaderId));
    }

    [Fact]
    public async Task CreatePartitions_grows_a_topic_and_the_new_partitions_take_records()
    {
        await using var client = _gateway.ConnectInMemory();
        await client.SendAsync<CreateTopicsResponse>(Requests.CreateTopic("growing", 2), 4);

        var grown = await client.SendAsync<CreatePartitionsResponse>(new CreatePartitionsRequest
        {
            Topics = [new() { Name = "growing", Count = 5, Assignments = null }, new() { Name = "missing", Count = 2, Assignments = null }],
            TimeoutMs = 10_000,
        }, 3);
        var shrink = await client.SendAsync<CreatePartitionsResponse>(new CreatePartitionsRequest
        {
            Topics = [new() { Name = "growing", Count = 3, Assignments = null }],
            TimeoutMs = 10_000,
        }, 0);

        Assert.Equal([(short)ErrorCode.None, (short)ErrorCode.UnknownTopicOrPartition], grown.Results.Select(r => r.ErrorCode));
        Assert.Equal((short)ErrorCode.InvalidPartitions, shrink.Results.Single().ErrorCode);
        var metadata = await client.SendAsync<MetadataResponse>(new MetadataRequest { Topics = [new() { Name = "growing" }] }, 8);
        Assert.Equal([0, 1, 2, 3, 4], metadata.Topics.Single().Partitions.Select(p => p.PartitionIndex));
        var produced = await client.SendAsync<ProduceResponse>(Requests.Produce("growing", 4, Requests.Batch(3)), 8);
        Assert.Equal((short)ErrorCode.None, produced.Responses.Single().PartitionResponses.Single().ErrorCode);
    }

    [Fact]
    public async Task Metadata_for_an_unknown_topic_creates_it_when_allowed()
    {
        await using var client = _gateway.ConnectInMemory();

        var created = await client.SendAsync<MetadataResponse>(new MetadataRequest { Topics = [new() { Name = "auto" }], AllowAutoTopicCreation = true }, 8);
        var notCreated = await client.SendAsync<MetadataResponse>(new MetadataRequest { Topics = [new() { Name = "manual" }], AllowAutoTopicCreation = false }, 8);

        Assert.Equal((short)ErrorCode.None, created.Topics.Single().ErrorCode);
        Assert.Single(created.Topics.Single().Partitions);
        Assert.Equal((short)ErrorCode.UnknownTopicOrPartition, notCreated.Topics.Single().ErrorCode);
    }

    [Fact]
    public async Task Metadata_v0_with_an_empty_topic_list_means_every_topic()
    {
        await using var client = _gateway.ConnectInMemory();
        await client.SendAsync<CreateTopicsResponse>(Requests.CreateTopic("listed", 1), 0);

        var metadata = await client.SendAsync<MetadataResponse>(new MetadataRequest { Topics = [] }, 0);

        Assert.Contains(metadata.Topics, t => t.Name == "listed");
    }

    [Fact]
    public async Task CreateTopics_reports_each_topic_with_the_error_Kafka_uses()
    {
        await using var client = _gateway.ConnectInMemory();
        var request = new CreateTopicsRequest
        {
            Topics =
            [
                new() { Name = "fine", NumPartitions = 2, ReplicationFactor = 1 },
                new() { Name = "bad name!", NumPartitions = 1, ReplicationFactor = 1 },
                new() { Name = "too-many-replicas", NumPartitions = 1, ReplicationFactor = 3 },
                new() { Name = "no-partitions", NumPartitions = 0, ReplicationFactor = 1 },
            ],
        };

        var response = await client.SendAsync<CreateTopicsResponse>(request, 4);
        var again = await client.SendAsync<CreateTopicsResponse>(Requests.CreateTopic("fine", 2), 4);

        Assert.Equal(
            [(short)ErrorCode.None, (short)ErrorCode.InvalidTopicException, (short)ErrorCode.InvalidReplicationFactor, (short)ErrorCode.InvalidPartitions],
            response.Topics.Select(t => t.ErrorCode));
        Assert.Equal((short)ErrorCode.TopicAlreadyExists, again.Topics.Single().ErrorCode);
    }

    [Fact]
    public async Task A_deleted_topic_disappears_from_metadata()
    {
        await using var client = _gateway.ConnectInMemory();
        await client.SendAsync<CreateTopicsResponse>(Requests.CreateTopic("short-lived", 1), 4);

        var deleted = await client.SendAsync<DeleteTopicsResponse>(new DeleteTopicsRequest { TopicNames = ["short-lived", "never-existed"] }, 3);
        var metadata = await client.SendAsync<MetadataResponse>(new MetadataRequest { Topics = null }, 8);

        Assert.Equal([(short)ErrorCode.None, (short)ErrorCode.UnknownTopicOrPartition], deleted.Responses.Select(r => r.ErrorCode));
        Assert.DoesNotContain(metadata.Topics, t => t.Name == "short-lived");
    }

    [Fact]
    public async Task DescribeConfigs_reports_topic_overrides_and_defaults_with_their_sources()
    {
        await using var client = _gateway.ConnectInMemory();
        var create = Requests.CreateTopic("configured", 1);
        create.Topics[0].Configs.Add(new CreateTopicsRequest.CreatableTopicConfig { Name = "segment.bytes", Value = "1048576" });
        Assert.Equal((short)ErrorCode.None, (await client.SendAsync<CreateTopicsResponse>(create, 4)).Topics.Single().ErrorCode);

        var response = await client.SendAsync<DescribeConfigsResponse>(new DescribeConfigsRequest
        {
            Resources =
            [
                new() { ResourceType = 2, ResourceName = "configured", ConfigurationKeys = null },
                new() { ResourceType = 2, ResourceName = "missing", ConfigurationKeys = null },
                new() { ResourceType = 4, ResourceName = _gateway.Settings.NodeId.ToString(), ConfigurationKeys = ["message.max.bytes"] },
            ],
        }, 2);

        var topic = response.Results[0];
        var segmentBytes = topic.Configs.Single(c => c.Name == "segment.bytes");
        Assert.Equal(("1048576", (sbyte)1), (segmentBytes.Value, segmentBytes.ConfigSource));
        Assert.Equal((sbyte)5, topic.Configs.Single(c => c.Name == "max.message.bytes").ConfigSource);
        Assert.Equal((short)ErrorCode.UnknownTopicOrPartition, response.Results[1].ErrorCode);
        Assert.Equal(["message.max.bytes"], response.Results[2].Configs.Select(c => c.Name));
    }
}
