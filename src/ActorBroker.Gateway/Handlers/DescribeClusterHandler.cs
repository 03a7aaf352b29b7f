using ActorBroker.Protocol;
using ActorBroker.Protocol.Messages;
using ActorBroker.Protocol.Primitives;

namespace ActorBroker.Gateway.Handlers;

/// <summary>
/// DescribeCluster v0–v1 (KIP-700): the cluster id, the controller and every live broker, the same list Metadata
/// gives. Only broker endpoints are described (endpoint type 1); there are no separate controller endpoints
/// (type 2 gets UNSUPPORTED_ENDPOINT_TYPE, as a Kafka broker answers it). Authorized operations are not computed.
/// </summary>
public sealed class DescribeClusterHandler : RequestHandler<DescribeClusterRequest, DescribeClusterResponse>
{
    private const sbyte BrokersEndpoint = 1;

    public override ApiKey Key => ApiKey.DescribeCluster;
    public override short MinVersion => 0;
    public override short MaxVersion => 1;

    protected override DescribeClusterRequest Read(ref KafkaReader reader, short version) => DescribeClusterRequest.Read(ref reader, version);

    protected override void Write(DescribeClusterResponse response, KafkaWriter writer, short version) => response.Write(writer, version);

    protected override Task<DescribeClusterResponse?> HandleAsync(RequestContext context, DescribeClusterRequest request, CancellationToken cancellationToken)
    {
        var response = new DescribeClusterResponse { EndpointType = request.EndpointType, ClusterId = context.Settings.ClusterId };
        if (request.EndpointType != BrokersEndpoint)
        {
            response.ErrorCode = (short)ErrorCode.UnsupportedEndpointType;
            response.ErrorMessage = $"Endpoint type {request.EndpointType} is not served; brokers (1) are.";
            return Task.FromResult<DescribeClusterResponse?>(response);
        }
        response.ControllerId = ClusterBrokers.ControllerId(context);
        response.Brokers = ClusterBrokers.Live(context)
            .Select(b => new DescribeClusterResponse.DescribeClusterBroker { BrokerId = b.NodeId, Host = b.Host, Port = b.Port })
            .ToList();
        return Task.FromResult<DescribeClusterResponse?>(response);
    }
}
