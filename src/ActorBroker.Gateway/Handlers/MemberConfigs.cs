using System.Globalization;
using ActorBroker.Cluster.Membership;

namespace ActorBroker.Gateway.Handlers;

/// <summary>
/// The Akka membership of a broker, published to Kafka admin tools as read-only configs of its BROKER resource in
/// DescribeConfigs (<c>actorbroker cluster status</c> reads them): any node answers for every member it knows, from
/// its own <see cref="BrokerDirectory"/> view. The resource of the answering node also lists every member's node id
/// (<see cref="MemberIds"/>), including members that are no longer live brokers (Exiting, Down), which Metadata and
/// DescribeCluster leave out.
/// </summary>
public static class MemberConfigs
{
    /// <summary>Akka member status: Joining, WeaklyUp, Up, Leaving, Exiting, Down, Removed.</summary>
    public const string Status = "actorbroker.member.status";

    /// <summary>"true" unless the answering node's failure detector marks the member unreachable.</summary>
    public const string Reachable = "actorbroker.member.reachable";

    /// <summary>The member's Akka address (akka.tcp://actorbroker@host:port).</summary>
    public const string Address = "actorbroker.member.address";

    /// <summary>The Kafka listener the member advertises (host:port).</summary>
    public const string Listener = "actorbroker.member.listener";

    /// <summary>On the answering node's own resource: comma-separated node ids of every broker member it knows.</summary>
    public const string MemberIds = "actorbroker.cluster.member-ids";

    public static IReadOnlyDictionary<string, string> Of(BrokerMember member) => new Dictionary<string, string>
    {
        [Status] = member.Status.ToString(),
        [Reachable] = member.Reachable ? "true" : "false",
        [Address] = member.Address.ToString(),
        [Listener] = $"{member.Identity.Host}:{member.Identity.Port.ToString(CultureInfo.InvariantCulture)}",
    };

    public static string Ids(BrokerView view) => string.Join(",", view.Members.Keys.Select(id => id.ToString(CultureInfo.InvariantCulture)));
}
