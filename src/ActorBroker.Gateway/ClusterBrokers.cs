using ActorBroker.Cluster.Membership;

namespace ActorBroker.Gateway;

/// <summary>A broker as Kafka clients see it: node id and advertised listener.</summary>
public readonly record struct KafkaBroker(int NodeId, string Host, int Port);

/// <summary>
/// The cluster's brokers as Metadata, DescribeCluster and FindCoordinator report them: every live member of
/// <see cref="BrokerDirectory"/>, with this node's own entry taken from the gateway's settings (a listener on port 0
/// learns its real port only when it binds, after the node published its roles).
/// </summary>
public static class ClusterBrokers
{
    public static KafkaBroker Self(GatewaySettings settings) => new(settings.NodeId, settings.AdvertisedHost, settings.AdvertisedPort);

    /// <summary>Live brokers by node id; this node is always among them (it serves the request).</summary>
    public static IReadOnlyList<KafkaBroker> Live(RequestContext context)
    {
        var self = Self(context.Settings);
        return context.Broker.Brokers.Current.Live
            .Where(m => m.Identity.NodeId != self.NodeId)
            .Select(m => new KafkaBroker(m.Identity.NodeId, m.Identity.Host, m.Identity.Port))
            .Append(self)
            .OrderBy(b => b.NodeId)
            .ToList();
    }

    /// <summary>The node hosting the topic registry singleton (the oldest broker); this node until membership says otherwise.</summary>
    public static int ControllerId(RequestContext context) =>
        context.Broker.Brokers.Current.ControllerNodeId ?? context.Settings.NodeId;

    /// <summary>The broker whose actor system has <paramref name="address"/>, or null when no live broker has it.</summary>
    public static KafkaBroker? AtAddress(RequestContext context, Akka.Actor.Address address)
    {
        if (address == Akka.Cluster.Cluster.Get(context.Broker.System).SelfAddress)
            return Self(context.Settings);
        return context.Broker.Brokers.Current.ByAddress(address) is { IsLive: true } member
            ? new KafkaBroker(member.Identity.NodeId, member.Identity.Host, member.Identity.Port)
            : null;
    }
}
