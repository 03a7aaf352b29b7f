using System.Collections.Concurrent;
using Akka.Actor;

namespace ActorBroker.Cluster.Replication;

/// <summary>
/// The partition logs open on this node and who holds each: the partition's leader entity or its follower, never
/// both (they share the directory <c>logs/&lt;topic&gt;-&lt;n&gt;</c>). Whoever wants a log it cannot acquire waits
/// for the other to close it; the leader first tells the <see cref="ReplicaManager"/> to stop following. Thread-safe.
/// </summary>
public sealed class LocalReplicas
{
    private readonly ConcurrentDictionary<TopicPartition, IActorRef> _owners = new();

    /// <summary>The node's <see cref="ReplicaManager"/>, set once it is started.</summary>
    public IActorRef Manager { get; internal set; } = ActorRefs.Nobody;

    public bool TryAcquire(TopicPartition partition, IActorRef owner) =>
        _owners.TryAdd(partition, owner) || (_owners.TryGetValue(partition, out var current) && current.Equals(owner));

    public void Release(TopicPartition partition, IActorRef owner) =>
        _owners.TryRemove(KeyValuePair.Create(partition, owner));
}
