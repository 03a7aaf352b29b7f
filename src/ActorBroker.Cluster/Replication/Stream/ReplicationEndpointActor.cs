using Akka.Actor;
using ActorBroker.Cluster.Serialization;

namespace ActorBroker.Cluster.Replication.Stream;

/// <summary>Asks a node where its <see cref="ReplicationListener"/> listens.</summary>
public sealed record GetReplicationEndpoint : IClusterMessage
{
    public static readonly GetReplicationEndpoint Instance = new();
}

public sealed record ReplicationEndpoint(string Host, int Port) : IClusterMessage;

/// <summary>
/// <c>/user/replication-endpoint</c> on every broker: answers <see cref="GetReplicationEndpoint"/> with the host and
/// port of the node's replication listener. The port may be chosen at start-up (port 0), so it cannot travel in the
/// node's cluster roles, which are fixed before the listener exists.
/// </summary>
public sealed class ReplicationEndpointActor : ReceiveActor
{
    public const string Name = "replication-endpoint";

    public ReplicationEndpointActor(ReplicationEndpoint endpoint) =>
        Receive<GetReplicationEndpoint>(_ => Sender.Tell(endpoint));

    public static Props Props(ReplicationEndpoint endpoint) => Akka.Actor.Props.Create(() => new ReplicationEndpointActor(endpoint));
}
