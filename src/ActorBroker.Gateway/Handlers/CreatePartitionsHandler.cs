using ActorBroker.Cluster.Topics;
using ActorBroker.Protocol;
using ActorBroker.Protocol.Messages;
using ActorBroker.Protocol.Primitives;

namespace ActorBroker.Gateway.Handlers;

/// <summary>
/// CreatePartitions v0–v3: grows topics through the controller, which places the new partitions on the live brokers
/// (or on the replicas the request assigns) and records them; the new partitions' entities start on first use.
/// </summary>
public sealed class CreatePartitionsHandler : RequestHandler<CreatePartitionsRequest, CreatePartitionsResponse>
{
    public override ApiKey Key => ApiKey.CreatePartitions;
    public override short MinVersion => 0;
    public override short MaxVersion => 3;

    protected override CreatePartitionsRequest Read(ref KafkaReader reader, short version) => CreatePartitionsRequest.Read(ref reader, version);

    protected override void Write(CreatePartitionsResponse response, KafkaWriter writer, short version) => response.Write(writer, version);

    protected override async Task<CreatePartitionsResponse?> HandleAsync(RequestContext context, CreatePartitionsRequest request, CancellationToken cancellationToken)
    {
        var results = new List<CreatePartitionsResponse.CreatePartitionsTopicResult>();
        var duplicates = request.Topics.GroupBy(t => t.Name).Where(g => g.Count() > 1).Select(g => g.Key).ToHashSet();
        foreach (var topic in request.Topics)
        {
            if (duplicates.Contains(topic.Name))
            {
                results.Add(Result(topic.Name, ErrorCode.InvalidRequest, $"Topic '{topic.Name}' appears more than once in the request."));
                continue;
            }
            var assignments = topic.Assignments?.Select(a => (IReadOnlyList<int>)a.BrokerIds).ToList();
            var added = await context.Broker.AskRegistryAsync<AddPartitionsResult>(
                new AddPartitions(topic.Name, topic.Count, assignments, request.ValidateOnly), cancellationToken).ConfigureAwait(false);
            context.TopicCache.Forget(topic.Name);
            results.Add(Result(topic.Name, added.Error, added.ErrorMessage));
        }
        return new CreatePartitionsResponse { Results = results };
    }

    private static CreatePartitionsResponse.CreatePartitionsTopicResult Result(string name, ErrorCode error, string? message) =>
        new() { Name = name, ErrorCode = (short)error, ErrorMessage = message };
}
