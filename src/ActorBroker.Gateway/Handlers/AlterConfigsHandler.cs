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
        var duplicates = ConfigResources.Duplicates(request.Resources, r => (r.ResourceType, r.ResourceName));
        var responses = new List<AlterConfigsResponse.AlterConfigsResourceResponse>(request.Resources.Count);
        foreach (var resource in request.Resources)
        {
            var (error, message) = await ConfigResources.AlterAsync(
                context, resource.ResourceType, resource.ResourceName, duplicates.Contains((resource.ResourceType, resource.ResourceName)),
                resource.Configs.Select(c => c.Name), () => ReplaceCommand(resource, request.ValidateOnly), request.ValidateOnly,
                cancellationToken).ConfigureAwait(false);
            responses.Add(Result(resource, error, message));
        }
        return new AlterConfigsResponse { Responses = responses };
    }

    private static (object? Command, string? Invalid) ReplaceCommand(AlterConfigsRequest.AlterConfigsResource resource, bool validateOnly)
    {
        var configs = new Dictionary<string, string?>();
        foreach (var config in resource.Configs)
            configs[config.Name] = config.Value;
        return configs.Count < resource.Configs.Count
            ? (null, "A config is named more than once.")
            : (new ReplaceTopicConfigs(resource.ResourceName, configs, validateOnly), null);
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
