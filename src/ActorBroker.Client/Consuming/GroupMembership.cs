using ActorBroker.Cluster;
using ActorBroker.Cluster.Groups;
using ActorBroker.Protocol;
using ActorBroker.Protocol.Consumer;

namespace ActorBroker.Client.Consuming;

/// <summary>
/// A subscribed consumer's membership in its group, driven through the same group coordinator actors Kafka clients
/// use, with the "consumer" protocol type and Kafka's ConsumerProtocol encodings, so proxy consumers and Kafka
/// consumers share groups. One loop: JoinGroup (answering MEMBER_ID_REQUIRED as Kafka clients do), run the assignor
/// when this member leads, SyncGroup, then heartbeat on a timer until the coordinator asks for a rebalance; then
/// revoke (eager protocol) and join again. <see cref="LeaveAsync"/> leaves the group.
/// </summary>
internal sealed class GroupMembership(
    ActorBrokerClient client,
    string groupId,
    IReadOnlyList<string> topics,
    ConsumerOptions options,
    Action<IReadOnlyList<TopicPartition>> assigned,
    Action revoked)
{
    private static readonly TimeSpan RetryBackoff = TimeSpan.FromMilliseconds(200);
    private readonly CancellationTokenSource _stop = new();
    private Task? _loop;

    public string MemberId { get; private set; } = "";
    public int GenerationId { get; private set; } = -1;

    public void Start() => _loop = Task.Run(() => RunAsync(_stop.Token));

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                revoked();
                if (await JoinAndSyncAsync(cancellationToken).ConfigureAwait(false) is { } assignment)
                {
                    assigned(assignment);
                    await HeartbeatUntilRebalanceAsync(cancellationToken).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (ActorBrokerException e)
            {
                client.Options.Log($"ActorBroker consumer of group '{groupId}': {e.Message}; joining again.");
                await Task.Delay(RetryBackoff, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>One rebalance round; null when it must be repeated (the coordinator's error says why).</summary>
    private async Task<IReadOnlyList<TopicPartition>?> JoinAndSyncAsync(CancellationToken cancellationToken)
    {
        byte[] subscription = ConsumerProtocolSubscription.For(topics).ToBytes();
        var join = await client.AskAsync<JoinGroupResult>(c => c.Groups, new JoinGroup(
                groupId, MemberId, null, client.Options.ClientId, "/" + client.Options.Host,
                (int)options.SessionTimeout.TotalMilliseconds, (int)options.RebalanceTimeout.TotalMilliseconds, "consumer",
                ConsumerAssignors.Supported.Select(name => new MemberProtocol(name, subscription)).ToList(), RequireKnownMemberId: true),
            cancellationToken, options.RebalanceTimeout + client.Options.RequestTimeout).ConfigureAwait(false);
        switch (join.Error)
        {
            case ErrorCode.None:
                break;
            case ErrorCode.MemberIdRequired:
                MemberId = join.MemberId;
                return null;
            case ErrorCode.UnknownMemberId or ErrorCode.IllegalGeneration:
                MemberId = "";
                return null;
            case ErrorCode.RebalanceInProgress:
                return null;
            default:
                throw new ActorBrokerException(join.Error, $"JoinGroup of group '{groupId}' failed.");
        }
        MemberId = join.MemberId;
        GenerationId = join.GenerationId;
        var assignments = join.LeaderId == join.MemberId ? await AssignAsync(join, cancellationToken).ConfigureAwait(false) : [];
        var sync = await client.AskAsync<SyncGroupResult>(c => c.Groups,
            new SyncGroup(groupId, MemberId, null, GenerationId, "consumer", join.ProtocolName, assignments),
            cancellationToken, options.RebalanceTimeout + client.Options.RequestTimeout).ConfigureAwait(false);
        if (sync.Error is ErrorCode.UnknownMemberId or ErrorCode.IllegalGeneration)
            MemberId = "";
        if (sync.Error != ErrorCode.None)
            return null;
        return ConsumerProtocolAssignment.Read(sync.Assignment).Partitions.Select(p => new TopicPartition(p.Topic, p.Partition)).ToList();
    }

    /// <summary>The leader's job: run the chosen assignor over every member's subscription.</summary>
    private async Task<IReadOnlyList<MemberAssignment>> AssignAsync(JoinGroupResult join, CancellationToken cancellationToken)
    {
        var subscriptions = join.Members.ToDictionary(
            m => m.MemberId, m => ConsumerProtocolSubscription.Read(m.Metadata).Topics, StringComparer.Ordinal);
        var wanted = subscriptions.Values.SelectMany(t => t).Distinct().ToList();
        var lookups = await client.Topics.DescribeAsync(wanted, autoCreate: false, cancellationToken).ConfigureAwait(false);
        var counts = lookups.Where(l => l.Topic is not null).ToDictionary(l => l.Name, l => l.Topic!.PartitionCount, StringComparer.Ordinal);
        var plan = ConsumerAssignors.Assign(join.ProtocolName ?? ConsumerAssignors.RangeName, subscriptions, counts);
        return plan.Select(p => new MemberAssignment(p.Key, new ConsumerProtocolAssignment(0,
                p.Value.GroupBy(tp => tp.Topic).Select(g => new ConsumerProtocolAssignment.TopicPartitions(g.Key, g.Select(tp => tp.Partition).ToList())).ToList(),
                null).ToBytes()))
            .ToList();
    }

    private async Task HeartbeatUntilRebalanceAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(options.HeartbeatInterval);
        while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
        {
            var beat = await client.AskAsync<HeartbeatResult>(c => c.Groups, new Heartbeat(groupId, MemberId, null, GenerationId), cancellationToken).ConfigureAwait(false);
            switch (beat.Error)
            {
                case ErrorCode.None:
                    continue;
                case ErrorCode.UnknownMemberId:
                    MemberId = "";
                    return;
                default: // REBALANCE_IN_PROGRESS, ILLEGAL_GENERATION, FENCED_INSTANCE_ID...
                    return;
            }
        }
    }

    /// <summary>Stops heartbeating and leaves the group so the others rebalance at once.</summary>
    public async Task LeaveAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        if (_loop is not null)
        {
            try
            {
                await _loop.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // stopped while waiting
            }
        }
        if (MemberId.Length == 0)
            return;
        try
        {
            await client.AskAsync<LeaveGroupResult>(c => c.Groups, new LeaveGroup(groupId, [new LeavingMember(MemberId, null)]), CancellationToken.None).ConfigureAwait(false);
        }
        catch (ActorBrokerException e)
        {
            client.Options.Log($"ActorBroker consumer of group '{groupId}' could not leave it: {e.Message}");
        }
        _stop.Dispose();
    }
}
