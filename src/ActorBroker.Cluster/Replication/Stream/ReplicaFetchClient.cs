using System.Collections.Concurrent;
using Akka.Actor;
using ActorBroker.Cluster.Membership;
using ActorBroker.Cluster.Partitions;

namespace ActorBroker.Cluster.Replication.Stream;

/// <summary>
/// The follower's end of the replication stream: every <see cref="FollowerActor"/> on this node fetches through it,
/// over one connection per leader node (<see cref="LeaderLink"/>). A leader node is found by its node id in the
/// cluster membership; its listener's port by asking its <see cref="ReplicationEndpointActor"/>. A link that fails
/// (refused, reset, a fetch unanswered in time) is closed with everything pending on it, and the next fetch to that
/// node opens a new one; so does a new incarnation of the node (another Akka address). Thread-safe.
/// </summary>
public sealed class ReplicaFetchClient(ActorSystem system, BrokerDirectory brokers) : IDisposable
{
    private readonly ConcurrentDictionary<int, LeaderLink> _links = new();
    private volatile bool _disposed;

    public Task<LinkAnswer> FetchAsync(int leaderNode, ReplicaFetch fetch, TimeSpan timeout)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (brokers.Current.ByNodeId(leaderNode) is not { } leader)
            return Task.FromException<LinkAnswer>(new InvalidOperationException($"Node {leaderNode} is not a member of the cluster."));
        return LinkTo(leaderNode, leader.Address).FetchAsync(fetch, timeout);
    }

    private LeaderLink LinkTo(int node, Address address)
    {
        while (true)
        {
            if (_links.TryGetValue(node, out var link) && link.Address == address && !link.IsClosed)
                return link;
            var fresh = new LeaderLink(system, address);
            if (link is null ? _links.TryAdd(node, fresh) : _links.TryUpdate(node, fresh, link))
            {
                link?.Close(new IOException($"replaced by a link to {address}"));
                return fresh;
            }
        }
    }

    public void Dispose()
    {
        _disposed = true;
        foreach (var link in _links.Values)
            link.Close(new ObjectDisposedException(nameof(ReplicaFetchClient)));
        _links.Clear();
    }
}
