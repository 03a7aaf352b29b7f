using ActorBroker.Cluster.Topics;
using ActorBroker.Protocol;
using ActorBroker.Protocol.Messages;
using ActorBroker.Protocol.Primitives;

namespace ActorBroker.Gateway.Handlers;

/// <summary>DeleteTopics v0–v3 through the topic registry, which also deletes the partitions' logs.</summary>
public sealed class DeleteTopicsHandler : RequestHandler<DeleteTopicsRequest, DeleteTopicsResponse>
{
    public override ApiKey Key => ApiKey.DeleteTopics;
    public override short MinVersion => 0;
    public override short MaxVersion => 3;

    protected override DeleteTopicsRequest Read(ref KafkaReader reader, short version) => DeleteTopicsRequest.Read(ref reader, version);

    protected override void Write(DeleteTopicsResponse response, KafkaWriter writer, short version) => response.Write(writer, version);

    protected override async Task<DeleteTopicsResponse?> HandleAsync(RequestContext context, DeleteTopicsRequest request, CancellationToken cancellationToken)
    {
        var results = new List<DeleteTopicsResponse.DeletableTopicResult>();
        foreach (var name in request.TopicNames)
        {
            var deleted = await context.Broker.AskRegistryAsync<DeleteTopicResult>(new DeleteTopic(name), cancellationToken).ConfigureAwait(false);
            context.TopicCache.Forget(name);
            results.Add(new DeleteTopicsResponse.DeletableTopicResult { Name = name, ErrorCode = (short)deleted.Error });
        }
        return new DeleteTopicsResponse { Responses = results };
    }
}
