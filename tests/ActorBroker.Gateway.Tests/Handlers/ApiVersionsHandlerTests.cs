using ActorBroker.Protocol;
using ActorBroker.Protocol.Messages;
using ActorBroker.Protocol.Primitives;

namespace ActorBroker.Gateway.Tests.Handlers;

public sealed class ApiVersionsHandlerTests : IAsyncLifetime
{
    private GatewayFixture _gateway = null!;

    public async Task InitializeAsync() => _gateway = await GatewayFixture.StartAsync();

    public async Task DisposeAsync() => await _gateway.DisposeAsync();

    private static readonly (ApiKey Key, short Min, short Max)[] Advertised =
    [
        (ApiKey.Produce, 3, 8), (ApiKey.Fetch, 4, 11), (ApiKey.ListOffsets, 1, 5), (ApiKey.Metadata, 0, 8),
        (ApiKey.CreateTopics, 0, 4), (ApiKey.DeleteTopics, 0, 3), (ApiKey.DescribeConfigs, 0, 2), (ApiKey.ApiVersions, 0, 3),
        (ApiKey.FindCoordinator, 0, 3), (ApiKey.JoinGroup, 0, 5), (ApiKey.SyncGroup, 0, 3), (ApiKey.Heartbeat, 0, 3),
        (ApiKey.LeaveGroup, 0, 3), (ApiKey.OffsetCommit, 0, 7), (ApiKey.OffsetFetch, 0, 7), (ApiKey.ListGroups, 0, 4),
        (ApiKey.DescribeGroups, 0, 4), (ApiKey.DeleteGroups, 0, 2), (ApiKey.OffsetDelete, 0, 0), (ApiKey.DeleteRecords, 0, 2),
        (ApiKey.AlterConfigs, 0, 2), (ApiKey.IncrementalAlterConfigs, 0, 1), (ApiKey.DescribeCluster, 0, 1), (ApiKey.CreatePartitions, 0, 3), (ApiKey.AlterPartitionReassignments, 0, 0), (ApiKey.ListPartitionReassignments, 0, 0),
    ];

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public async Task Every_supported_version_lists_the_served_apis_with_their_ranges(short version)
    {
        await using var client = _gateway.ConnectInMemory();
        var response = await client.SendAsync<ApiVersionsResponse>(new ApiVersionsRequest { ClientSoftwareName = "test", ClientSoftwareVersion = "1" }, version);

        Assert.Equal((short)ErrorCode.None, response.ErrorCode);
        Assert.Equal(
            Advertised.OrderBy(a => a.Key),
            response.ApiKeys.Select(k => ((ApiKey)k.ApiKey, k.MinVersion, k.MaxVersion)).OrderBy(a => a.Item1));
    }

    [Fact]
    public async Task An_unsupported_version_gets_a_v0_shaped_UnsupportedVersion_reply_with_the_supported_ranges()
    {
        await using var client = _gateway.ConnectInMemory();
        await client.SendRawAsync(client.Frame(new ApiVersionsRequest { ClientSoftwareName = "x", ClientSoftwareVersion = "9" }, 4, out int correlationId));

        var frame = await client.ReceiveFrameAsync(TimeSpan.FromSeconds(10));
        var reader = new KafkaReader(frame!);
        Assert.Equal(correlationId, reader.ReadInt32()); // response header v0: correlation id only
        var response = ApiVersionsResponse.Read(ref reader, 0);
        Assert.Equal((short)ErrorCode.UnsupportedVersion, response.ErrorCode);
        Assert.Contains(response.ApiKeys, k => k.ApiKey == (short)ApiKey.ApiVersions && k.MaxVersion == 3);
        Assert.True(reader.End);

        // the connection stays open: the client retries with a version it now knows
        var retry = await client.SendAsync<ApiVersionsResponse>(new ApiVersionsRequest(), 3);
        Assert.Equal((short)ErrorCode.None, retry.ErrorCode);
    }
}
