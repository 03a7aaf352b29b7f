using ActorBroker.Cluster.Topics;
using ActorBroker.Protocol;
using ActorBroker.Protocol.Messages;
using ActorBroker.Protocol.Primitives;

namespace ActorBroker.Gateway.Handlers;

/// <summary>
/// AlterConfigs v0–v2: for a topic, the given configs replace all of its overrides (the rest revert to their
/// defaults), through the topic registry. Broker configs are static (HOCON) and answer INVALID_REQUEST.
/// </summary>
public sealed class AlterConfigsHandler : RequestHandler<AlterConfigsRequest, AlterConfigsResponse>
{
    public override ApiKey Key => ApiKey.AlterConfigs;
    public override short MinVersion => 0;
    public override short MaxVersion => 2;

    protected override AlterConfigsRequest Read(ref KafkaReader reader, short version) => AlterConfigsRequest.Read(ref reader, version);

    protected override void Write(AlterConfigsResponse response, KafkaWriter writer, short version) => response.Write(writer, version);

    protected override async Task<AlterConfigsResponse?> HandleAsync(RequestContext context, AlterConfigsRequest request, CancellationToken cancellationToken)
    {
        var duplicates = request.Resources.GroupBy(r => (r.ResourceType, r.ResourceName)).Where(g => g.Count() > 1).Select(g => g.Key).ToHashSet();
        var responses = new List<AlterConfigsResponse.AlterConfigsResourceResponse>(request.Resources.Count);
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
                    var configs = new Dictionary<string, string?>();
                    foreach (var config in resource.Configs)
                        configs[config.Name] = config.Value;
                    if (configs.Count < resource.Configs.Count)
                    {
                        responses.Add(Result(resource, ErrorCode.InvalidRequest, "A config is named more than once."));
                        break;
                    }
                    var result = await context.Broker.AskRegistryAsync<AlterTopicConfigsResult>(
                        new ReplaceTopicConfigs(resource.ResourceName, configs, request.ValidateOnly), cancellationToken).ConfigureAwait(false);
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
        return new AlterConfigsResponse { Responses = responses };
    }

    private static AlterConfigsResponse.AlterConfigsResourceResponse Result(
        AlterConfigsRequest.AlterConfigsResource resource, ErrorCode error, string? message) => new()
    {
        ErrorCode = (short)error,
        ErrorMessage = message,
        ResourceType = resource.ResourceType,
        ResourceName = resource.ResourceName,
    };
}
