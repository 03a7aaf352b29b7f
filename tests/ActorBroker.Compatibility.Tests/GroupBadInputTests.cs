using System.Text;
using ActorBroker.TestKit;
using Confluent.Kafka;
using Xunit;
using Wire = ActorBroker.Protocol.Messages;
using WireError = ActorBroker.Protocol.ErrorCode;

namespace ActorBroker.Compatibility.Tests;

/// <summary>A node for <see cref="GroupBadInputTests"/>: no initial rebalance delay and a 256 KiB request limit.</summary>
public sealed class GroupBadInputNodeFixture : IAsyncLifetime
{
    public const int MaxRequestBytes = 256 * 1024;

    private NodeProcess? _node;

    public NodeProcess Node => _node ?? throw new InvalidOperationException("The node fixture did not start.");

    public async Task InitializeAsync() => _node = await NodeProcess.StartAsync(new NodeOptions
    {
        ExtraConfig = GroupTests.NoInitialDelay + $"actorbroker.kafka.socket-request-max-bytes = {MaxRequestBytes}\n",
    });

    public async Task DisposeAsync()
    {
        if (_node is not null)
            await _node.DisposeAsync();
    }
}

/// <summary>
/// Group requests no well-behaved client sends, at the wire level (<see cref="KafkaWireClient"/>), against a group
/// with a live Confluent.Kafka member: each gets Kafka's error (or the connection is closed), and the member keeps
/// its membership and goes on consuming.
/// </summary>
public sealed class GroupBadInputTests(GroupBadInputNodeFixture fixture) : IClassFixture<GroupBadInputNodeFixture>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    /// <summary>Well-formed "consumer" protocol metadata (ConsumerProtocolSubscription v0) for one topic.</summary>
    private static byte[] Subscription(string topic)
    {
        var name = Encoding.UTF8.GetBytes(topic);
        var bytes = new List<byte> { 0, 0, 0, 0, 0, 1, (byte)(name.Length >> 8), (byte)name.Length };
        bytes.AddRange(name);
        bytes.AddRange([0xFF, 0xFF, 0xFF, 0xFF]); // user data: null
        return bytes.ToArray();
    }

    private static Wire.JoinGroupRequest Join(string group, string protocolType, string protocol, byte[] metadata, int sessionTimeoutMs = 10_000) => new()
    {
        GroupId = group,
        SessionTimeoutMs = sessionTimeoutMs,
        RebalanceTimeoutMs = 10_000,
        MemberId = "",
        ProtocolType = protocolType,
        Protocols = [new Wire.JoinGroupRequest.JoinGroupRequestProtocol { Name = protocol, Metadata = metadata }],
    };

    [Fact]
    public Task JoinGroup_with_another_protocol_type_or_an_unsupported_protocol_gets_INCONSISTENT_GROUP_PROTOCOL_and_the_member_keeps_consuming() =>
        WithLiveMemberAsync("bad-ptype", async (ctx, wire) =>
        {
            foreach (short version in new short[] { 0, 2, 5 })
            {
                var response = await wire.SendAsync<Wire.JoinGroupResponse>(Join(ctx.Group, "connect", "range", [0, 1, 2]), version);
                Assert.Equal((short)WireError.InconsistentGroupProtocol, response.ErrorCode);
            }
            // Right protocol type, but an assignor the live member does not support.
            var unsupported = await wire.SendAsync<Wire.JoinGroupResponse>(Join(ctx.Group, "consumer", "no-such-assignor", Subscription(ctx.Topic)), 5);
            Assert.Equal((short)WireError.InconsistentGroupProtocol, unsupported.ErrorCode);
        });

    [Fact]
    public Task Heartbeat_with_a_wrong_generation_gets_ILLEGAL_GENERATION_and_the_member_keeps_consuming() =>
        WithLiveMemberAsync("bad-gen", async (ctx, wire) =>
        {
            foreach (short version in new short[] { 0, 1, 3 })
            {
                foreach (var generation in new[] { 0, 1_000_000 })
                {
                    var response = await wire.SendAsync<Wire.HeartbeatResponse>(
                        new Wire.HeartbeatRequest { GroupId = ctx.Group, GenerationId = generation, MemberId = ctx.Member.MemberId }, version);
                    Assert.Equal((short)WireError.IllegalGeneration, response.ErrorCode);
                }
            }
        });

    [Fact]
    public Task OffsetCommit_from_an_unknown_member_gets_UNKNOWN_MEMBER_ID_and_changes_no_committed_offset() =>
        WithLiveMemberAsync("bad-commit", async (ctx, wire) =>
        {
            var before = await GroupTests.CommittedAsync(ctx.Bootstrap, ctx.Group, ctx.Topic, 1);
            Assert.True(before[0] > 0, $"The live member has not committed yet: {GroupTests.Describe(before)}");
            foreach (short version in new short[] { 1, 2, 7 })
            {
                var response = await wire.SendAsync<Wire.OffsetCommitResponse>(new Wire.OffsetCommitRequest
                {
                    GroupId = ctx.Group,
                    GenerationIdOrMemberEpoch = 1,
                    MemberId = "no-such-member",
                    Topics =
                    [
                        new Wire.OffsetCommitRequest.OffsetCommitRequestTopic
                        {
                            Name = ctx.Topic,
                            Partitions = [new Wire.OffsetCommitRequest.OffsetCommitRequestPartition { PartitionIndex = 0, CommittedOffset = 0 }],
                        },
                    ],
                }, version);
                var partition = response.Topics.Single().Partitions.Single();
                Assert.Equal((short)WireError.UnknownMemberId, partition.ErrorCode);
            }
            Assert.Equal(GroupTests.Describe(before), GroupTests.Describe(await GroupTests.CommittedAsync(ctx.Bootstrap, ctx.Group, ctx.Topic, 1)));
        });

    [Fact]
    public Task JoinGroup_with_a_session_timeout_outside_the_bounds_gets_INVALID_SESSION_TIMEOUT_and_the_member_keeps_consuming() =>
        WithLiveMemberAsync("bad-session", async (ctx, wire) =>
        {
            foreach (short version in new short[] { 0, 2, 5 })
            {
                foreach (var sessionTimeout in new[] { 1_000, 5_999, 30 * 60 * 1000 + 1 }) // bounds: 6 s .. 30 min
                {
                    var response = await wire.SendAsync<Wire.JoinGroupResponse>(
                        Join(ctx.Group, "consumer", "range", Subscription(ctx.Topic), sessionTimeout), version);
                    Assert.True(response.ErrorCode == (short)WireError.InvalidSessionTimeout,
                        $"JoinGroup v{version} with session timeout {sessionTimeout} ms: error {response.ErrorCode}, expected {(short)WireError.InvalidSessionTimeout}");
                }
            }
        });

    [Fact]
    public Task JoinGroup_with_protocol_metadata_beyond_the_request_limit_closes_the_connection_and_the_member_keeps_consuming() =>
        WithLiveMemberAsync("bad-size", async (ctx, wire) =>
        {
            var metadata = new byte[GroupBadInputNodeFixture.MaxRequestBytes + 1024];
            Subscription(ctx.Topic).CopyTo(metadata, 0);
            var frame = wire.Frame(Join(ctx.Group, "consumer", "range", metadata), 5, out _);
            try
            {
                await wire.SendRawAsync(frame);
            }
            catch (IOException)
            {
                // The broker may close (reset) the connection before the whole frame is written.
            }
            Assert.True(await wire.IsClosedByBrokerAsync(TimeSpan.FromSeconds(10)),
                $"The broker answered a {frame.Length}-byte JoinGroup instead of closing the connection.");
            Assert.True(await GroupTests.WaitUntilAsync(() => fixture.Node.Log.Contains($"request frame of {frame.Length - 4} bytes"), TimeSpan.FromSeconds(5)),
                "No log line names the oversized frame.");

            // The listener still serves other connections.
            await using var again = await KafkaWireClient.ConnectAsync("127.0.0.1", fixture.Node.Port);
            var versions = await again.SendAsync<Wire.ApiVersionsResponse>(new Wire.ApiVersionsRequest(), 0);
            Assert.Equal(0, versions.ErrorCode);
        });

    public sealed record Context(string Bootstrap, string Topic, string Group, ConfluentGroupMember Member);

    /// <summary>
    /// Starts a Confluent member of a new group on a new 1-partition topic and waits until it consumes; runs
    /// <paramref name="badInput"/> on a raw connection; then checks that the group is still Stable with that one
    /// member (no rebalance, no expulsion) and that the member consumes a record produced afterwards.
    /// </summary>
    private async Task WithLiveMemberAsync(string name, Func<Context, KafkaWireClient, Task> badInput)
    {
        var node = fixture.Node;
        var topic = TestTopics.Unique(name);
        var group = TestTopics.Unique(name + "-g");
        await node.WithLogOnFailureAsync(async () =>
        {
            await GroupTests.CreateTopicAsync(node.BootstrapServers, topic, 1);
            await using var member = new ConfluentGroupMember(node.BootstrapServers, group, topic, name, PartitionAssignmentStrategy.Range);
            var ctx = new Context(node.BootstrapServers, topic, group, member);

            await ProduceAndAwaitAsync(ctx, "before");
            Assert.True(await GroupTests.WaitUntilAsync(
                    async () => (await GroupTests.CommittedAsync(ctx.Bootstrap, group, topic, 1))[0] == 1, Timeout),
                $"The live member did not commit its first record.\n{member.EventLog}");

            await using (var wire = await KafkaWireClient.ConnectAsync("127.0.0.1", node.Port))
                await badInput(ctx, wire);

            using (var admin = GroupTests.Admin(node.BootstrapServers))
            {
                var described = (await admin.DescribeConsumerGroupsAsync([group])).ConsumerGroupDescriptions.Single();
                Assert.Equal(ConsumerGroupState.Stable, described.State);
                var only = Assert.Single(described.Members);
                Assert.Equal(member.MemberId, only.ConsumerId);
            }
            await ProduceAndAwaitAsync(ctx, "after");
            Assert.Equal(["before", "after"], member.Deliveries.Select(d => d.Value));
            // Range is an eager assignor: any rebalance would have revoked the partition first.
            Assert.False(member.EventLog.Contains("revoked") || member.EventLog.Contains("lost"),
                $"The live member lost its partition after the bad input.\n{member.EventLog}");
        });
    }

    private static async Task ProduceAndAwaitAsync(Context ctx, string value)
    {
        using (var producer = ConfluentClients.Producer(ctx.Bootstrap))
        {
            await producer.ProduceAsync(new TopicPartition(ctx.Topic, new Partition(0)),
                new Message<byte[], byte[]> { Key = Encoding.UTF8.GetBytes(value), Value = Encoding.UTF8.GetBytes(value) });
        }
        Assert.True(await GroupTests.WaitUntilAsync(() => ctx.Member.Deliveries.Any(d => d.Value == value), Timeout),
            $"The live member did not consume '{value}'.\n{ctx.Member.EventLog}");
    }
}
