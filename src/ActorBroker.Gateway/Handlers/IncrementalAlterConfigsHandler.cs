using ActorBroker.Cluster.Topics;
using ActorBroker.Protocol;
using ActorBroker.Protocol.Messages;
using ActorBroker.Protocol.Primitives;

namespace ActorBroker.Gateway.Handlers;

/// <summary>
/// IncrementalAlterConfigs v0–v1: per-config SET, DELETE, APPEND and SUBTRACT on a topic's overrides, through the
/// topic registry (APPEND and SUBTRACT only for list configs). Broker configs are static (HOCON) and answer
/// INVALID_REQUEST.
/// </summary>
public sealed class IncrementalAlterConfigsHandler : RequestHandler<IncrementalAlterConfigsRequest, IncrementalAlterConfigsResponse>
{
    public override ApiKey Key => ApiKey.IncrementalAlterConfigs;
    public override short MinVersion => 0;
    public override short MaxVersion => 1;

    protected override IncrementalAlterConfigsRequest Read(ref KafkaReader reader, short version) => IncrementalAlterConfigsRequest.Read(ref reader, version);

    protected override void Write(IncrementalAlterConfigsResponse response, KafkaWriter writer, short version) => response.Write(writer, version);

    protected override async Task<IncrementalAlterConfigsResponse?> HandleAsync(
        RequestContext context, IncrementalAlterConfigsRequest request, CancellationToken cancellationToken)
    {
        var duplicates = ConfigResources.Duplicates(request.Resources, r => (r.ResourceType, r.ResourceName));
        var responses = new List<IncrementalAlterConfigsResponse.AlterConfigsResourceResponse>(request.Resources.Count);
        foreach (var resource in request.Resources)
        {
            var (error, message) = await ConfigResources.AlterAsync(
                context, resource.ResourceType, resource.ResourceName, duplicates.Contains((resource.ResourceType, resource.ResourceName)),
                resource.Configs.Select(c => c.Name),
                () => (new AlterTopicConfigs(resource.ResourceName,
                    resource.Configs.Select(c => new ConfigAlteration(c.Name, (ConfigOperation)c.ConfigOperation, c.Value)).ToList(),
                    request.ValidateOnly), null),
                request.ValidateOnly, cancellationToken).ConfigureAwait(false);
            responses.Add(Result(resource, error, message));
        }
        return new IncrementalAlterConfigsResponse { Responses = responses };
    }

    private static IncrementalAlterConfigsResponse.AlterConfigsResourceResponse Result(
        IncrementalAlterConfigsRequest.AlterConfigsResource resource, ErrorCode error, string? message) => new()
    {
        ErrorCode = (short)error,
        ErrorMessage = message,
        ResourceType = resource.ResourceType,
        ResourceName = resource.ResourceName,
    };
}
