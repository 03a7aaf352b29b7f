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
    private readonly TaskCompletionSource _submitted = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public short ApiVersion => Header.ApiVersion;

    /// <summary>Completes once the request has sent on everything whose order matters (see <see cref="MarkSubmitted"/>).</summary>
    public Task Submitted => _submitted.Task;

    /// <summary>
    /// Called by a handler once every command whose order matters has been sent to the broker's actors (a Produce's
    /// appends): from then on the connection may start its next request while this one waits for its answers.
    /// A request that never calls it counts as submitted when it is answered, so a malformed request that closes the
    /// connection never lets the request behind it start.
    /// </summary>
    public void MarkSubmitted() => _submitted.TrySetResult();
    public string ClientId => Header.ClientId ?? "";
}
