using System.Collections.Immutable;
using Akka.Actor;
using Akka.Cluster;

namespace ActorBroker.Cluster.Membership;

/// <summary>A broker member as this node currently sees it.</summary>
public sealed record BrokerMember(BrokerIdentity Identity, Address Address, MemberStatus Status, bool Reachable)
{
    /// <summary>Serving clients: Up (or WeaklyUp) or still handing over while Leaving. Kafka's "live broker".</summary>
    public bool IsLive => Status is MemberStatus.Up or MemberStatus.WeaklyUp or MemberStatus.Leaving;
}

/// <summary>An immutable snapshot of the cluster's broker members (clients and tools are not brokers), by node id.</summary>
public sealed record BrokerView(ImmutableSortedDictionary<int, BrokerMember> Members)
{
    public static readonly BrokerView Empty = new(ImmutableSortedDictionary<int, BrokerMember>.Empty);

    /// <summary>
    /// Node id of the controller: the oldest Up (or Leaving) broker, which is where the topic registry singleton
    /// runs (ClusterSingletonManager picks the oldest member with the role). Null until this node knows one.
    /// </summary>
    public int? ControllerNodeId { get; init; }

    public IEnumerable<BrokerMember> Live => Members.Values.Where(m => m.IsLive);

    public BrokerMember? ByNodeId(int nodeId) => Members.GetValueOrDefault(nodeId);

    public BrokerMember? ByAddress(Address address) => Members.Values.FirstOrDefault(m => m.Address == address);

    /// <summary>The view after <paramref name="member"/> changed status; a removed member leaves it (unless a newer incarnation already took its node id).</summary>
    public BrokerView With(Member member)
    {
        if (BrokerIdentity.Of(member) is not { } identity)
            return this;
        if (member.Status == MemberStatus.Removed)
            return Members.TryGetValue(identity.NodeId, out var known) && known.Address == member.Address
                ? this with { Members = Members.Remove(identity.NodeId) }
                : this;
        bool reachable = !Members.TryGetValue(identity.NodeId, out var previous) || previous.Address != member.Address || previous.Reachable;
        return this with { Members = Members.SetItem(identity.NodeId, new BrokerMember(identity, member.Address, member.Status, reachable)) };
    }

    public BrokerView WithReachability(Member member, bool reachable) =>
        BrokerIdentity.Of(member) is { } identity && Members.TryGetValue(identity.NodeId, out var known) && known.Address == member.Address
            ? this with { Members = Members.SetItem(identity.NodeId, known with { Reachable = reachable }) }
            : this;

    public static BrokerView From(ClusterEvent.CurrentClusterState state)
    {
        var view = Empty;
        foreach (var member in state.Members)
            view = view.With(member);
        foreach (var member in state.Unreachable)
            view = view.WithReachability(member, reachable: false);
        return view;
    }

    /// <summary>The oldest Up or Leaving member with the broker role (Akka's age ordering), as the singleton manager chooses.</summary>
    public static int? OldestBroker(IEnumerable<Member> members) =>
        members
            .Where(m => m.Status is MemberStatus.Up or MemberStatus.Leaving && m.HasRole(BrokerIdentity.BrokerRole))
            .Aggregate((Member?)null, (oldest, m) => oldest is null || m.IsOlderThan(oldest) ? m : oldest) is { } found
            ? BrokerIdentity.Of(found)?.NodeId
            : null;
}
