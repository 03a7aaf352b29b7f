using Akka.Event;
using ActorBroker.Cluster;
using ActorBroker.Gateway.Handlers;

namespace ActorBroker.Gateway;

/// <summary>The Kafka protocol front door of a node: the served APIs, their dispatcher and the TCP listener.</summary>
public sealed class KafkaGateway : IAsyncDisposable
{
    private readonly KafkaListener _listener;

    private KafkaGateway(KafkaListener listener) => _listener = listener;

    public System.Net.IPEndPoint LocalEndPoint => _listener.LocalEndPoint;

    public static IReadOnlyList<IRequestHandler> CreateHandlers()
    {
        var handlers = new List<IRequestHandler>();
        handlers.AddRange(
        [
            new ProduceHandler(),
            new FetchHandler(),
            new ListOffsetsHandler(),
            new MetadataHandler(),
            new CreateTopicsHandler(),
            new DeleteTopicsHandler(),
            new CreatePartitionsHandler(),
            new AlterPartitionReassignmentsHandler(),
            new ListPartitionReassignmentsHandler(),
            new DescribeConfigsHandler(),
            new AlterConfigsHandler(),
            new IncrementalAlterConfigsHandler(),
            new DeleteRecordsHandler(),
            new FindCoordinatorHandler(),
            new JoinGroupHandler(),
            new SyncGroupHandler(),
            new HeartbeatHandler(),
            new LeaveGroupHandler(),
            new OffsetCommitHandler(),
            new OffsetFetchHandler(),
            new ListGroupsHandler(),
            new DescribeGroupsHandler(),
            new DeleteGroupsHandler(),
            new OffsetDeleteHandler(),
            new DescribeClusterHandler(),
            new ApiVersionsHandler(() => handlers),
        ]);
        return handlers;
    }

    public static KafkaGateway Start(BrokerServices broker, GatewaySettings settings)
    {
        var log = Logging.GetLogger(broker.System, "ActorBroker.Gateway");
        var dispatcher = new RequestDispatcher(CreateHandlers(), broker, settings, log);
        var listener = new KafkaListener(dispatcher, settings, log);
        listener.Start();
        log.Info("Kafka listener on {0}, advertised as {1}:{2}", listener.LocalEndPoint, settings.AdvertisedHost, settings.AdvertisedPort);
        return new KafkaGateway(listener);
    }

    public ValueTask DisposeAsync() => _listener.DisposeAsync();
}
