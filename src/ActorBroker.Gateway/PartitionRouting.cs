using ActorBroker.Cluster;
using ActorBroker.Cluster.Topics;
using ActorBroker.Protocol;

namespace ActorBroker.Gateway;

/// <summary>
/// Whether this gateway should send a data request (Produce, Fetch) on to a partition's leader. A partition whose
/// leader, as the controller last placed it, is not a live and reachable broker in this node's view is answered
/// NOT_LEADER_OR_FOLLOWER at once, as a Kafka broker answers for a partition it does not lead: the client refreshes
/// its metadata and retries, instead of waiting out its request timeout on a request parked for a dead node.
/// </summary>
public static class PartitionRouting
{
    /// <summary>How long a request may wait for a partition that should be led here but whose entity has not started yet.</summary>
    private static readonly TimeSpan MovingTimeout = TimeSpan.FromSeconds(8);

    /// <summary>After this long without an answer, a request also watches whether its partition changed leader.</summary>
    private static readonly TimeSpan LeaderWatchDelay = TimeSpan.FromSeconds(2);

    private static readonly TimeSpan LeaderWatchInterval = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Asks the partition's leader entity through the shard region. While the controller names this node as the
    /// leader but the entity has not started here yet (it is moving after a failover), shard regions may still route
    /// to the old node for a few seconds and the request can be lost; such a request is given
    /// <see cref="MovingTimeout"/> and then answered null (the caller answers NOT_LEADER_OR_FOLLOWER, and the client
    /// retries — a retry may duplicate the record if the first attempt did arrive, never lose it).
    /// </summary>
    public static async Task<T?> AskLeaderAsync<T>(
        RequestContext context, TopicDescription topic, TopicPartition partition, Cluster.Partitions.IPartitionCommand command,
        TimeSpan timeout, CancellationToken cancellationToken) where T : class
    {
        bool moving = partition.Partition < topic.Assignments.Length
                      && topic.Assignments[partition.Partition].Leader == context.Settings.NodeId
                      && !context.Broker.Replicas.IsLedHere(partition);
        if (!moving)
            return await AskUnlessLeaderChangesAsync<T>(context, topic, partition, command, timeout, cancellationToken).ConfigureAwait(false);
        try
        {
            return await context.Broker.AskPartitionAsync<T>(command, timeout < MovingTimeout ? timeout : MovingTimeout, cancellationToken).ConfigureAwait(false);
        }
        catch (Akka.Actor.AskTimeoutException)
        {
            return null;
        }
    }

    /// <summary>
    /// The ask, answered null as soon as the partition's leader or epoch differs from <paramref name="topic"/>'s: a
    /// request forwarded while the partition's shard moves can be lost in the hand-off (Akka sharding delivers at
    /// most once), and its client should hear NOT_LEADER_OR_FOLLOWER within a few seconds rather than wait out its
    /// timeout. The leader is looked up only for a request still unanswered after <see cref="LeaderWatchDelay"/>.
    /// </summary>
    private static async Task<T?> AskUnlessLeaderChangesAsync<T>(
        RequestContext context, TopicDescription topic, TopicPartition partition, Cluster.Partitions.IPartitionCommand command,
        TimeSpan timeout, CancellationToken cancellationToken) where T : class
    {
        var ask = context.Broker.AskPartitionAsync<T>(command, timeout, cancellationToken);
        if (ask.IsCompleted || partition.Partition >= topic.Assignments.Length)
            return await ask.ConfigureAwait(false);
        try
        {
            return await ask.WaitAsync(LeaderWatchDelay, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException) when (!ask.IsCompleted)
        {
            // Unanswered for a while: from now on, also watch the partition's leader.
        }
        using var stopWatching = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var leaderChanged = WaitForLeaderChangeAsync(context, topic, partition.Partition, stopWatching.Token);
        var first = await Task.WhenAny(ask, leaderChanged).ConfigureAwait(false);
        await stopWatching.CancelAsync().ConfigureAwait(false);
        return first == ask ? await ask.ConfigureAwait(false) : null;
    }

    private static async Task WaitForLeaderChangeAsync(RequestContext context, TopicDescription before, int partition, CancellationToken cancellationToken)
    {
        var routedTo = before.Assignments[partition];
        while (true)
        {
            try
            {
                var now = (await context.DescribeTopicsAsync([before.Name], autoCreate: false, cancellationToken).ConfigureAwait(false))
                    .Topics.FirstOrDefault(t => t.Name == before.Name)?.Topic;
                if (now is null || partition >= now.Assignments.Length
                    || now.Assignments[partition].Leader != routedTo.Leader || now.Assignments[partition].LeaderEpoch != routedTo.LeaderEpoch)
                    return;
            }
            catch (Exception ex) when (ex is TimeoutException or Akka.Actor.AskTimeoutException)
            {
                // The registry is busy (a failover): look again.
            }
            await Task.Delay(LeaderWatchInterval, cancellationToken).ConfigureAwait(false);
        }
    }

    public static ErrorCode Check(RequestContext context, TopicDescription topic, int partition)
    {
        var availability = topic.Availability(partition);
        if (availability != ErrorCode.None || partition >= topic.Assignments.Length)
            return availability;
        int leader = topic.Assignments[partition].Leader;
        return context.Broker.Brokers.Current.ByNodeId(leader) is { IsLive: true, Reachable: true }
            ? ErrorCode.None
            : ErrorCode.NotLeaderOrFollower;
    }
}
