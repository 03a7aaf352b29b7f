using System.Net;
using ActorBroker.Cluster;
using ActorBroker.Protocol.Headers;

namespace ActorBroker.Gateway;

/// <summary>What a handler knows about the request it serves: who sent it, in which version, and the broker.</summary>
public sealed record RequestContext(
    RequestHeader Header,
    EndPoint? RemoteEndPoint,
    BrokerServices Broker,
    GatewaySettings Settings,
    TopicMetadataCache TopicCache)
{
    public short ApiVersion => Header.ApiVersion;
    public string ClientId => Header.ClientId ?? "";
}
