using System.Globalization;
using Akka.Cluster;
using Akka.Configuration;

namespace ActorBroker.Cluster.Membership;

/// <summary>
/// What a broker node publishes about itself to the cluster: its Kafka node id and the listener Kafka clients are
/// told to use. It travels as Akka cluster roles (set at start-up, gossiped with membership), so every member knows
/// every broker's identity from the membership state alone, with no protocol of our own:
/// <c>broker</c>, <c>node-id=3</c>, <c>kafka=127.0.0.3:9092</c>.
/// </summary>
public sealed record BrokerIdentity(int NodeId, string Host, int Port)
{
    /// <summary>The role every broker node has; shard regions and the topic registry run only on members with it.</summary>
    public const string BrokerRole = "broker";

    private const string NodeIdPrefix = "node-id=";
    private const string KafkaPrefix = "kafka=";

    public IReadOnlyList<string> Roles =>
        [BrokerRole, NodeIdPrefix + NodeId.ToString(CultureInfo.InvariantCulture), $"{KafkaPrefix}{Host}:{Port}"];

    /// <summary>This node's identity: <c>actorbroker.node-id</c> and the advertised Kafka listener (the listen address when none is advertised).</summary>
    public static BrokerIdentity FromConfig(Config config)
    {
        var (listenHost, listenPort) = HostPort.Parse(config.GetString("actorbroker.kafka.listen"), "actorbroker.kafka.listen");
        string advertised = config.GetString("actorbroker.kafka.advertised", "");
        var (host, port) = string.IsNullOrWhiteSpace(advertised)
            ? (listenHost, listenPort)
            : HostPort.Parse(advertised, "actorbroker.kafka.advertised");
        int nodeId = config.GetInt("actorbroker.node-id");
        if (nodeId < 0)
            throw new ConfigurationException($"actorbroker.node-id must be 0 or more, but is {nodeId}.");
        return new BrokerIdentity(nodeId, host, port);
    }

    /// <summary>
    /// <paramref name="config"/> with this node's identity roles in <c>akka.cluster.roles</c> (other roles kept).
    /// The advertised port is what the config says; a listener on port 0 (tests) is known to its own gateway only.
    /// </summary>
    public static Config WithRoles(Config config)
    {
        var roles = config.GetStringList("akka.cluster.roles").Where(r => !IsIdentityRole(r))
            .Concat(FromConfig(config).Roles)
            .Select(ActorBrokerConfig.Quote);
        return ConfigurationFactory.ParseString($"akka.cluster.roles = [{string.Join(", ", roles)}]").WithFallback(config);
    }

    private static bool IsIdentityRole(string role) =>
        role == BrokerRole || role.StartsWith(NodeIdPrefix, StringComparison.Ordinal) || role.StartsWith(KafkaPrefix, StringComparison.Ordinal);

    /// <summary>The identity a member published, or null when it is not a broker (a client or a tool).</summary>
    public static BrokerIdentity? Of(Member member) => FromRoles(member.Roles);

    public static BrokerIdentity? FromRoles(IEnumerable<string> roles)
    {
        int? nodeId = null;
        string? kafka = null;
        bool broker = false;
        foreach (string role in roles)
        {
            if (role == BrokerRole)
                broker = true;
            else if (role.StartsWith(NodeIdPrefix, StringComparison.Ordinal)
                     && int.TryParse(role.AsSpan(NodeIdPrefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out int id))
                nodeId = id;
            else if (role.StartsWith(KafkaPrefix, StringComparison.Ordinal))
                kafka = role[KafkaPrefix.Length..];
        }
        if (!broker || nodeId is not { } node || kafka is null)
            return null;
        int colon = kafka.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(kafka.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out int port))
            return null;
        return new BrokerIdentity(node, kafka[..colon].Trim('[', ']'), port);
    }
}
