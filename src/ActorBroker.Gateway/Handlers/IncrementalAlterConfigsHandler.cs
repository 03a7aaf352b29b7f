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
        var duplicates = request.Resources.GroupBy(r => (r.ResourceType, r.ResourceName)).Where(g => g.Count() > 1).Select(g => g.Key).ToHashSet();
        var responses = new List<IncrementalAlterConfigsResponse.AlterConfigsResourceResponse>(request.Resources.Count);
        foreach (var resource in request.Resources)
        {
            if (duplicates.Contains((resource.ResourceType, resource.ResourceName)))
            {
                responses.Add(Result(resource, ErrorCode.InvalidRequest, $"Resource '{resource.ResourceName}' appears more than once in the request."));
                continue;
            }
            switch (resource.ResourceType)
            {
                case ConfigResources.Topic:
                    var alterations = resource.Configs
                        .Select(c => new ConfigAlteration(c.Name, (ConfigOperation)c.ConfigOperation, c.Value))
                        .ToList();
                    var result = await context.Broker.AskRegistryAsync<AlterTopicConfigsResult>(
                        new AlterTopicConfigs(resource.ResourceName, alterations, request.ValidateOnly), cancellationToken).ConfigureAwait(false);
                    if (result is { Error: ErrorCode.None, Topic: { } altered } && !request.ValidateOnly)
                        context.TopicCache.Remember([new TopicLookup(altered.Name, ErrorCode.None, altered)]);
                    responses.Add(Result(resource, result.Error, result.ErrorMessage));
                    break;
                case ConfigResources.Broker:
                    responses.Add(Result(resource, ErrorCode.InvalidRequest, ConfigResources.BrokerConfigsAreStatic(resource.Configs.Select(c => c.Name))));
                    break;
                default:
                    responses.Add(Result(resource, ErrorCode.InvalidRequest, ConfigResources.UnsupportedResourceType(resource.ResourceType)));
                    break;
            }
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
