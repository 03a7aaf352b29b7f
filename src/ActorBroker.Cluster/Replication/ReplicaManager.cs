using Akka.Actor;
using Akka.Event;

namespace ActorBroker.Cluster.Replication;

/// <summary>
/// One per broker node (<c>/user/replica-manager</c>): runs a <see cref="FollowerActor"/> for every partition the
/// controller says this node follows (<see cref="FollowPartitions"/>, a complete list each time), stops followers of
/// partitions it no longer follows or now leads (<see cref="StopFollowing"/> from the local leader entity; a later list
/// still naming the partition in that epoch or an older one is ignored), and deletes local replicas of deleted topics.
/// </summary>
public sealed class ReplicaManager : ReceiveActor, IWithTimers
{
    public const string Name = "replica-manager";
    private static readonly TimeSpan DeleteRetryDelay = TimeSpan.FromMilliseconds(500);

    private readonly ActorBrokerSettings _settings;
    private readonly IActorRef _partitions;
    private readonly LocalReplicas _replicas;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly Dictionary<TopicPartition, IActorRef> _followers = new();
    private readonly Dictionary<TopicPartition, int> _ledHere = new(); // partition -> epoch this node leads it in

    public ReplicaManager(ActorBrokerSettings settings, IActorRef partitions, LocalReplicas replicas)
    {
        _settings = settings;
        _partitions = partitions;
        _replicas = replicas;
        Receive<FollowPartitions>(m => m.NodeId == settings.NodeId, Reconcile);
        Receive<StopFollowing>(m =>
        {
            _ledHere[m.Partition] = Math.Max(m.LeaderEpoch, _ledHere.GetValueOrDefault(m.Partition, -1));
            StopFollower(m.Partition);
        });
        Receive<DeleteReplicas>(DeleteReplicas);
        Receive<Terminated>(t =>
        {
            foreach (var (partition, follower) in _followers.Where(f => f.Value.Equals(t.ActorRef)).ToList())
                _followers.Remove(partition);
        });
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(ActorBrokerSettings settings, IActorRef partitions, LocalReplicas replicas) =>
        Akka.Actor.Props.Create(() => new ReplicaManager(settings, partitions, replicas));

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
            follower = Context.ActorOf(FollowerActor.Props(followed, _settings, _partitions, _replicas), partition.EntityId);
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
            var directory = Path.Combine(_settings.LogsDirectory, partition.EntityId);
            if (!Directory.Exists(directory))
                continue;
            if (!_replicas.TryAcquire(partition, Self))
            {
                pending = true; // a follower is still closing it (the leader entity deletes its own)
                continue;
            }
            try
            {
                Directory.Delete(directory, recursive: true);
                _log.Info("Deleted the local replica {0} of deleted topic {1}", directory, delete.Topic);
            }
            finally
            {
                _replicas.Release(partition, Self);
            }
        }
        if (pending)
            Timers.StartSingleTimer("delete-" + delete.Topic, delete, DeleteRetryDelay);
    }
}
