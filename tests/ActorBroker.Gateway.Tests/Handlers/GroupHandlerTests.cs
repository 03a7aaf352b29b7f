using ActorBroker.Protocol;
using ActorBroker.Protocol.Messages;
using ActorBroker.TestKit;

namespace ActorBroker.Gateway.Tests.Handlers;

/// <summary>The group APIs through the gateway, as one consumer's life: find, join, sync, heartbeat, commit, leave.</summary>
public sealed class GroupHandlerTests : IAsyncLifetime
{
    private GatewayFixture _gateway = null!;

    public async Task InitializeAsync() => _gateway = await GatewayFixture.StartAsync("actorbroker.groups.initial-rebalance-delay = 0s");

    public async Task DisposeAsync() => await _gateway.DisposeAsync();

    private static JoinGroupRequest Join(string group, string memberId = "", string protocolType = "consumer") => new()
    {
        GroupId = group,
        SessionTimeoutMs = 10_000,
        RebalanceTimeoutMs = 10_000,
        MemberId = memberId,
        ProtocolType = protocolType,
        Protocols = [new JoinGroupRequest.JoinGroupRequestProtocol { Name = "range", Metadata = [0, 1, 2] }],
    };

    private static async Task<(string MemberId, int Generation)> JoinAndSyncAsync(KafkaWireClient client, string group)
    {
        var first = await client.SendAsync<JoinGroupResponse>(Join(group), 5);
        Assert.Equal((short)ErrorCode.MemberIdRequired, first.ErrorCode);
        var joined = await client.SendAsync<JoinGroupResponse>(Join(group, first.MemberId), 5);
        Assert.Equal((short)ErrorCode.None, joined.ErrorCode);
        Assert.Equal(joined.MemberId, joined.Leader);
        var synced = await client.SendAsync<SyncGroupResponse>(new SyncGroupRequest
        {
            GroupId = group,
            GenerationId = joined.GenerationId,
            MemberId = joined.MemberId,
            Assignments = [new SyncGroupRequest.SyncGroupRequestAssignment { MemberId = joined.MemberId, Assignment = [9, 9] }],
        }, 3);
        Assert.Equal((short)ErrorCode.None, synced.ErrorCode);
        Assert.Equal([9, 9], synced.Assignment);
        return (joined.MemberId, joined.GenerationId);
    }

    [Fact]
    public async Task FindCoordinator_names_this_node_for_groups_and_refuses_transactions()
    {
        await using var client = _gateway.ConnectInMemory();

        var group = await client.SendAsync<FindCoordinatorResponse>(new FindCoordinatorRequest { KeyValue = "g", KeyType = 0 }, 3);
        var transaction = await client.SendAsync<FindCoordinatorResponse>(new FindCoordinatorRequest { KeyValue = "t", KeyType = 1 }, 3);

        Assert.Equal((short)ErrorCode.None, group.ErrorCode);
        Assert.Equal((_gateway.Settings.NodeId, _gateway.Port), (group.NodeId, group.Port));
        Assert.Equal((short)ErrorCode.CoordinatorNotAvailable, transaction.ErrorCode);
    }

    [Fact]
    public async Task A_member_joins_syncs_heartbeats_commits_and_leaves()
    {
        await using var client = _gateway.ConnectInMemory();
        await client.SendAsync<CreateTopicsResponse>(Requests.CreateTopic("grouped", 2), 4);
        var (memberId, generation) = await JoinAndSyncAsync(client, "life");

        var heartbeat = await client.SendAsync<HeartbeatResponse>(new HeartbeatRequest { GroupId = "life", GenerationId = generation, MemberId = memberId }, 3);
        var staleHeartbeat = await client.SendAsync<HeartbeatResponse>(new HeartbeatRequest { GroupId = "life", GenerationId = generation + 1, MemberId = memberId }, 3);
        var commit = await client.SendAsync<OffsetCommitResponse>(new OffsetCommitRequest
        {
            GroupId = "life",
            GenerationIdOrMemberEpoch = generation,
            MemberId = memberId,
            Topics =
            [
                new() { Name = "grouped", Partitions = [new() { PartitionIndex = 1, CommittedOffset = 42, CommittedMetadata = "note" }] },
                new() { Name = "no-such-topic", Partitions = [new() { PartitionIndex = 0, CommittedOffset = 1 }] },
            ],
        }, 7);
        var fetched = await client.SendAsync<OffsetFetchResponse>(new OffsetFetchRequest { GroupId = "life", Topics = null }, 7);
        var described = await client.SendAsync<DescribeGroupsResponse>(new DescribeGroupsRequest { Groups = ["life"] }, 4);
        var leave = await client.SendAsync<LeaveGroupResponse>(new LeaveGroupRequest { GroupId = "life", Members = [new() { MemberId = memberId }] }, 3);
        var afterLeave = await client.SendAsync<DescribeGroupsResponse>(new DescribeGroupsRequest { Groups = ["life"] }, 4);

        Assert.Equal((short)ErrorCode.None, heartbeat.ErrorCode);
        Assert.Equal((short)ErrorCode.IllegalGeneration, staleHeartbeat.ErrorCode);
        Assert.Equal([(short)ErrorCode.None, (short)ErrorCode.UnknownTopicOrPartition], commit.Topics.Select(t => t.Partitions.Single().ErrorCode));
        var offset = fetched.Topics.Single().Partitions.Single();
        Assert.Equal((1, 42L, "note"), (offset.PartitionIndex, offset.CommittedOffset, offset.Metadata));
        Assert.Equal("Stable", described.Groups.Single().GroupState);
        Assert.Equal([9, 9], described.Groups.Single().Members.Single().MemberAssignment);
        Assert.Equal((short)ErrorCode.None, leave.Members.Single().ErrorCode);
        Assert.Equal("Empty", afterLeave.Groups.Single().GroupState);
    }

    [Fact]
    public async Task Groups_are_listed_and_only_empty_ones_can_be_deleted()
    {
        await using var client = _gateway.ConnectInMemory();
        await JoinAndSyncAsync(client, "busy");
        await client.SendAsync<CreateTopicsResponse>(Requests.CreateTopic("t", 1), 4);
        await client.SendAsync<OffsetCommitResponse>(new OffsetCommitRequest
        {
            GroupId = "idle",
            GenerationIdOrMemberEpoch = -1,
            Topics = [new() { Name = "t", Partitions = [new() { PartitionIndex = 0, CommittedOffset = 1 }] }],
        }, 2);

        var listed = await client.SendAsync<ListGroupsResponse>(new ListGroupsRequest(), 3);
        var stable = await client.SendAsync<ListGroupsResponse>(new ListGroupsRequest { StatesFilter = ["stable"] }, 4);
        var deleted = await client.SendAsync<DeleteGroupsResponse>(new DeleteGroupsRequest { GroupsNames = ["busy", "idle", "unheard-of"] }, 2);
        var offsetsAfter = await client.SendAsync<OffsetFetchResponse>(new OffsetFetchRequest { GroupId = "idle", Topics = null }, 7);

        Assert.Equal(["busy", "idle"], listed.Groups.Select(g => g.GroupId).Order());
        Assert.Equal([("busy", "Stable")], stable.Groups.Select(g => (g.GroupId, g.GroupState)));
        Assert.Equal(
            [(short)ErrorCode.NonEmptyGroup, (short)ErrorCode.None, (short)ErrorCode.GroupIdNotFound],
            deleted.Results.Select(r => r.ErrorCode));
        Assert.Empty(offsetsAfter.Topics);
    }

    [Fact]
    public async Task A_deleted_group_that_had_members_is_gone()
    {
        await using var client = _gateway.ConnectInMemory();
        var (memberId, _) = await JoinAndSyncAsync(client, "had-members");
        await client.SendAsync<LeaveGroupResponse>(new LeaveGroupRequest { GroupId = "had-members", Members = [new() { MemberId = memberId }] }, 3);

        var deleted = await client.SendAsync<DeleteGroupsResponse>(new DeleteGroupsRequest { GroupsNames = ["had-members"] }, 2);
        var listed = await client.SendAsync<ListGroupsResponse>(new ListGroupsRequest(), 3);
        var described = await client.SendAsync<DescribeGroupsResponse>(new DescribeGroupsRequest { Groups = ["had-members"] }, 4);
        var deletedAgain = await client.SendAsync<DeleteGroupsResponse>(new DeleteGroupsRequest { GroupsNames = ["had-members"] }, 2);

        Assert.Equal((short)ErrorCode.None, deleted.Results.Single().ErrorCode);
        Assert.DoesNotContain("had-members", listed.Groups.Select(g => g.GroupId));
        Assert.Equal("Dead", described.Groups.Single().GroupState);
        Assert.Equal((short)ErrorCode.GroupIdNotFound, deletedAgain.Results.Single().ErrorCode);
    }

    [Fact]
    public async Task A_join_with_a_different_protocol_type_is_refused_and_the_group_keeps_its_member()
    {
        await using var client = _gateway.ConnectInMemory();
        var (memberId, generation) = await JoinAndSyncAsync(client, "typed");

        var intruder = await client.SendAsync<JoinGroupResponse>(Join("typed", protocolType: "connect"), 3);
        var heartbeat = await client.SendAsync<HeartbeatResponse>(new HeartbeatRequest { GroupId = "typed", GenerationId = generation, MemberId = memberId }, 3);

        Assert.Equal((short)ErrorCode.InconsistentGroupProtocol, intruder.ErrorCode);
        Assert.Equal((short)ErrorCode.None, heartbeat.ErrorCode);
    }
}
