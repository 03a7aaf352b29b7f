using System.Collections.Concurrent;
using Akka.Actor;
using ActorBroker.Storage;

namespace ActorBroker.Cluster.Replication;

/// <summary>
/// The partition logs open on this node and who holds each: the partition's leader entity or its follower, never
/// both (they share the directory <c>logs/&lt;topic&gt;-&lt;n&gt;</c>). Whoever wants a log it cannot acquire waits
/// for the other to close it; the leader first tells the <see cref="ReplicaManager"/> to stop following. Thread-safe.
/// </summary>
public sealed class LocalReplicas
{
    private readonly ConcurrentDictionary<TopicPartition, IActorRef> _owners = new();
    private readonly ConcurrentDictionary<TopicPartition, bool> _led = new();

    private readonly long _pageCacheBudget;

    /// <param name="pageCacheBudget">The node's <see cref="ActorBrokerSettings.PageCacheBudget"/>.</param>
    public LocalReplicas(long pageCacheBudget = long.MaxValue) => _pageCacheBudget = pageCacheBudget;

    /// <summary>The timed flushes of every log open on this node, leader's or follower's, fsync in shared rounds.</summary>
    public GroupSync TimedFlushes { get; } = new();

    /// <summary>Each open log's equal share of the node's page-cache budget (<see cref="PartitionLog.PageCacheKeepBytes"/>).</summary>
    public long PageCacheShare => _pageCacheBudget == long.MaxValue ? long.MaxValue : _pageCacheBudget / Math.Max(1, _owners.Count);

    /// <summary>The node's <see cref="ReplicaManager"/>, set once it is started.</summary>
    public IActorRef Manager { get; internal set; } = ActorRefs.Nobody;

    public bool TryAcquire(TopicPartition partition, IActorRef owner) =>
        _owners.TryAdd(partition, owner) || (_owners.TryGetValue(partition, out var current) && current.Equals(owner));

    public void Release(TopicPartition partition, IActorRef owner)
    {
        if (_owners.TryRemove(KeyValuePair.Create(partition, owner)))
            _led.TryRemove(partition, out _);
    }

    /// <summary>Marks the log as held by the partition's leader entity on this node (until it releases it).</summary>
    public void MarkLedHere(TopicPartition partition) => _led[partition] = true;

    /// <summary>Whether the partition's leader entity runs on this node with its log open.</summary>
    public bool IsLedHere(TopicPartition partition) => _led.ContainsKey(partition);
}
