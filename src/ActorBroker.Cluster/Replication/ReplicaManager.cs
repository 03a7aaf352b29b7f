using Akka.Actor;
using Akka.Event;
using ActorBroker.Cluster.Replication.Stream;

namespace ActorBroker.Cluster.Replication;

/// <summary>
/// One per broker node (<c>/user/replica-manager</c>): runs a <see cref="FollowerActor"/> for every partition the
/// controller says this node follows (<see cref="FollowPartitions"/>, a complete list each time), stops followers of
/// partitions it no longer follows or now leads (<see cref="StopFollowing"/> from the local leader entity; a later list
/// still naming the partition in that epoch or an older one is ignored), and deletes local replicas of deleted topics
/// and of partitions a reassignment moved away (<see cref="RemoveReplica"/>).
/// </summary>
public sealed class ReplicaManager : ReceiveActor, IWithTimers
{
    public const string Name = "replica-manager";
    private static readonly TimeSpan DeleteRetryDelay = TimeSpan.FromMilliseconds(500);

    private readonly ActorBrokerSettings _settings;
    private readonly IActorRef _partitions;
    private readonly LocalReplicas _replicas;
    private readonly ReplicaFetchClient _fetchClient;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly Dictionary<TopicPartition, IActorRef> _followers = new();
    private readonly Dictionary<TopicPartition, int> _ledHere = new(); // partition -> epoch this node leads it in

    public ReplicaManager(ActorBrokerSettings settings, IActorRef partitions, LocalReplicas replicas, ReplicaFetchClient fetchClient)
    {
        _settings = settings;
        _partitions = partitions;
        _replicas = replicas;
        _fetchClient = fetchClient;
        Receive<FollowPartitions>(m => m.NodeId == settings.NodeId, Reconcile);
        Receive<StopFollowing>(m =>
        {
            _ledHere[m.Partition] = Math.Max(m.LeaderEpoch, _ledHere.GetValueOrDefault(m.Partition, -1));
            StopFollower(m.Partition);
        });
        Receive<DeleteReplicas>(DeleteReplicas);
        Receive<RemoveReplica>(m =>
        {
            StopFollower(m.Partition);
            RemoveReplica(m, DateTime.UtcNow + RemoveReplicaPatience);
        });
        Receive<RetryRemoveReplica>(m => RemoveReplica(m.Remove, m.Deadline));
        Receive<Terminated>(t =>
        {
            foreach (var (partition, follower) in _followers.Where(f => f.Value.Equals(t.ActorRef)).ToList())
                _followers.Remove(partition);
        });
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(ActorBrokerSettings settings, IActorRef partitions, LocalReplicas replicas, ReplicaFetchClient fetchClient) =>
        Akka.Actor.Props.Create(() => new ReplicaManager(settings, partitions, replicas, fetchClient));

    private void Reconcile(FollowPartitions follow)
    {
        var wanted = follow.Partitions
            .Where(f => !_ledHere.TryGetValue(f.TopicPartition, out int ledIn) || f.Assignment.LeaderEpoch > ledIn)
            .ToDictionary(f => f.TopicPartition);
        foreach (var partition in _followers.Keys.Where(p => !wanted.ContainsKey(p)).ToList())
            StopFollower(partition);
        foreach (var (partition, followed) in wanted)
        {
            _ledHere.Remove(partition);
            if (_followers.TryGetValue(partition, out var follower))
            {
                follower.Tell(followed);
                continue;
            }
            if (!Context.Child(partition.EntityId).IsNobody())
                continue; // its previous follower is still stopping; the next list starts it
            follower = Context.ActorOf(FollowerActor.Props(followed, _settings, _partitions, _replicas, _fetchClient), partition.EntityId);
            Context.Watch(follower);
            _followers[partition] = follower;
        }
    }

    private void StopFollower(TopicPartition partition)
    {
        if (!_followers.Remove(partition, out var follower))
            return;
        Context.Stop(follower);
    }

    /// <summary>Stops the topic's followers and deletes its local log directories once nobody holds them.</summary>
    private void DeleteReplicas(DeleteReplicas delete)
    {
        bool pending = false;
        for (int p = 0; p < delete.PartitionCount; p++)
        {
            var partition = new TopicPartition(delete.Topic, p);
            StopFollower(partition);
            _ledHere.Remove(partition);
            pending |= !TryDeleteLocalCopy(partition, $"of deleted topic {delete.Topic}");
        }
        if (pending)
            Timers.StartSingleTimer("delete-" + delete.Topic, delete, DeleteRetryDelay);
    }

    /// <summary>
    /// A reassignment moved the partition off this node: its follower stops (the controller's list already left it
    /// out) and the local copy goes once the former leader entity, if it ran here, has closed it. A node that follows
    /// the partition again meanwhile keeps it; retries stop after <see cref="RemoveReplicaPatience"/>.
    /// </summary>
    private void RemoveReplica(RemoveReplica remove, DateTime deadline)
    {
        if (_followers.ContainsKey(remove.Partition))
            return;
        if (TryDeleteLocalCopy(remove.Partition, "moved to other nodes by a reassignment"))
            return;
        if (DateTime.UtcNow < deadline)
            Timers.StartSingleTimer("remove-" + remove.Partition.EntityId, new RetryRemoveReplica(remove, deadline), DeleteRetryDelay);
        else
            _log.Warning("Gave up deleting the local copy of {0}: its log stayed open here for {1}", remove.Partition, RemoveReplicaPatience);
    }

    private static readonly TimeSpan RemoveReplicaPatience = TimeSpan.FromSeconds(60);

    /// <summary>Deletes the partition's local log directory unless a follower or leader entity holds it (false: try again later).</summary>
    private bool TryDeleteLocalCopy(TopicPartition partition, string reason)
    {
        var directory = Path.Combine(_settings.LogsDirectory, partition.EntityId);
        if (!Directory.Exists(directory))
            return true;
        if (!_replicas.TryAcquire(partition, Self))
            return false; // a follower or the leader entity is still closing it
        try
        {
            Directory.Delete(directory, recursive: true);
            _log.Info("Deleted the local replica {0} ({1})", directory, reason);
        }
        finally
        {
            _replicas.Release(partition, Self);
        }
        return true;
    }

    private sealed record RetryRemoveReplica(RemoveReplica Remove, DateTime Deadline);
}
