using ActorBroker.Gateway.Handlers;
using ActorBroker.Protocol;
using ActorBroker.Protocol.Messages;

namespace ActorBroker.Gateway.Tests.Handlers;

/// <summary>
/// Membership as Kafka clients see it on a one-node cluster: Metadata, DescribeCluster and DescribeConfigs BROKER
/// resources agree on the brokers and the controller (the three-node picture is in ActorBroker.ClusterMode.Tests).
/// </summary>
public sealed class ClusterViewTests : IAsyncLifetime
{
    private GatewayFixture _gateway = null!;

    public async Task InitializeAsync() => _gateway = await GatewayFixture.StartAsync();

    public async Task DisposeAsync() => await _gateway.DisposeAsync();

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public async Task DescribeCluster_lists_this_node_with_its_bound_port_as_the_only_broker_and_the_controller(short version)
    {
        await using var client = _gateway.ConnectInMemory();

        var response = await client.SendAsync<DescribeClusterResponse>(new DescribeClusterRequest(), version);

        Assert.Equal((short)ErrorCode.None, response.ErrorCode);
        Assert.Equal(_gateway.Settings.ClusterId, response.ClusterId);
        Assert.Equal(_gateway.Settings.NodeId, response.ControllerId);
        var broker = Assert.Single(response.Brokers);
        Assert.Equal((_gateway.Settings.NodeId, "127.0.0.1", _gateway.Port), (broker.BrokerId, broker.Host, broker.Port));
    }

    [Fact]
    public async Task DescribeCluster_refuses_controller_endpoints()
    {
        await using var client = _gateway.ConnectInMemory();

        var response = await client.SendAsync<DescribeClusterResponse>(new DescribeClusterRequest { EndpointType = 2 }, 1);

        Assert.Equal((short)ErrorCode.UnsupportedEndpointType, response.ErrorCode);
        Assert.Empty(response.Brokers);
    }

    [Fact]
    public async Task Metadata_names_the_same_brokers_and_controller_as_DescribeCluster()
    {
        await using var client = _gateway.ConnectInMemory();

        var metadata = await client.SendAsync<MetadataResponse>(new MetadataRequest { Topics = [] }, 8);
        var cluster = await client.SendAsync<DescribeClusterResponse>(new DescribeClusterRequest(), 1);

        Assert.Equal(cluster.ControllerId, metadata.ControllerId);
        Assert.Equal(cluster.Brokers.Select(b => (b.BrokerId, b.Host, b.Port)), metadata.Brokers.Select(b => (b.NodeId, b.Host, b.Port)));
    }

    [Fact]
    public async Task DescribeConfigs_reports_this_members_status_and_refuses_a_broker_that_is_not_a_member()
    {
        await using var client = _gateway.ConnectInMemory();
        string self = _gateway.Settings.NodeId.ToString();

        // Membership reaches the directory through cluster events: wait for this node's own Up.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        DescribeConfigsResponse response;
        while (true)
        {
            response = await client.SendAsync<DescribeConfigsResponse>(new DescribeConfigsRequest
            {
                Resources =
                [
                    new() { ResourceType = 4, ResourceName = self, ConfigurationKeys = [MemberConfigs.Status, MemberConfigs.MemberIds, MemberConfigs.Reachable] },
                    new() { ResourceType = 4, ResourceName = "42" },
                ],
            }, 2);
            if (response.Results[0].Configs.Any(c => c.Name == MemberConfigs.Status) || DateTime.UtcNow > deadline)
                break;
            await Task.Delay(100);
        }

        var own = response.Results[0].Configs.ToDictionary(c => c.Name, c => c.Value);
        Assert.Equal((short)ErrorCode.None, response.Results[0].ErrorCode);
        Assert.Equal("Up", own[MemberConfigs.Status]);
        Assert.Equal("true", own[MemberConfigs.Reachable]);
        Assert.Equal(self, own[MemberConfigs.MemberIds]);
        Assert.All(response.Results[0].Configs, c => Assert.True(c.ReadOnly));
        Assert.Equal((short)ErrorCode.InvalidRequest, response.Results[1].ErrorCode);
    }
}
